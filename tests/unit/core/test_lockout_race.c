/*
 * test_lockout_race.c - the brute-force count read past the event writer's
 * queue, against a writer committing small batches all the time: a count
 * never misses a failure queued before it began (no undercount) and never
 * exceeds the failures queued before it ended (no row counted twice).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_tmp.h"

#include "core/event_writer.h"
#include "core/lockout.h"
#include "core/tenant.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define FAILURES 240

static char root[256], db[320];
static char *tenant_id;
static bool locked_at(tsr_store *st, long attempts)
{
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    l.lockout_attempts = (unsigned)attempts;
    bool locked = false;
    assert_int_equal(tsr_lockout_check(st, &l, tenant_id, "a@example.com", "192.0.2.1", &locked), 0);
    return locked;
}

static void enqueue_failure(int i)
{
    char id[40];
    int64_t at = tsr_clock_now_ms();
    snprintf(id, sizeof id, "%016lld%08d", (long long)at, i);
    const struct tsr_event e = {.tenant_id = tenant_id, .id = id, .date = at, .type = "fp",
                                .description = "", .client_id = "", .client_name = "",
                                .ip = "192.0.2.1", .user_agent = "ua", .user_id = "",
                                .user_name = (i & 1) ? "A@Example.com" : "a@example.com",
                                .connection = "", .connection_id = "", .details_text = "{}"};
    assert_int_equal(tsr_event_writer_enqueue(&e), 0);
}

/* Bursts of failures, each followed by counts while the writer commits them 3 at a time. */
static void race(void **state)
{
    (void)state;
    tsr_log_set_level(TSR_LOG_ERROR);
    fixture_mkdtemp(root, sizeof root, "tsr-lockrace");
    snprintf(db, sizeof db, "%s/tessera.db", root);
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open(db, &st), 0);
    assert_int_equal(tsr_store_migrate(st, NULL), 0);
    struct tsr_tenant t = {.issuer = "https://id.example.com/", .friendly_name = "t",
                           .default_audience = "", .is_default = true};
    assert_int_equal(tsr_tenant_insert(st, &t), 0);
    tenant_id = t.id;
    tsr_event_writer *w = NULL;
    char err[256];
    struct tsr_event_writer_limits wl = {.batch = 3, .gather_ms = 1};
    assert_int_equal(tsr_event_writer_start(db, &wl, &w, err, sizeof err), 0);
    long total = 0, checks = 0, under = 0, over = 0;
    unsigned seed = 12345;
    while (total < FAILURES) {
        int k = 1 + (int)(rand_r(&seed) % 12);
        for (int i = 0; i < k; i++)
            enqueue_failure((int)total++);
        for (int c = 0; c < 4; c++, checks++) {
            if (!locked_at(st, total))
                under++;
            if (locked_at(st, total + 1))
                over++;
        }
    }
    tsr_event_writer_stop(w);
    printf("failures %ld checks %ld undercounts %ld overcounts %ld\n", total, checks, under, over);
    assert_int_equal(under, 0);
    assert_int_equal(over, 0);
    tsr_store_close(st);
    free(tenant_id);
    static const char *const files[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[352];
        snprintf(p, sizeof p, "%s%s", db, files[i]);
        unlink(p);
    }
    rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(race)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
