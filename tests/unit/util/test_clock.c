/*
 * test_clock.c - the one wall clock: its test settings (fixed, offset,
 * real), that concurrent readers never see half a setting, and expiry
 * decisions of core made at a time the test chooses: an authorization
 * code's sixty seconds and a ticket's lifetime, to the second.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/auth_code.h"
#include "core/ticket.h"
#include "core/user.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#include "fixture_people.h"

/* 2030-01-01T00:00:00Z, a time no test machine's clock shows. */
#define T0_S INT64_C(1893456000)
#define T0_MS (T0_S * 1000)

static int clock_teardown(void **state)
{
    (void)state;
    tsr_clock_set_for_tests(TSR_CLOCK_REAL, 0);
    return 0;
}

static int people_clock_teardown(void **state)
{
    tsr_clock_set_for_tests(TSR_CLOCK_REAL, 0);
    return people_teardown(state);
}

static void at(int64_t seconds_after_t0)
{
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, T0_MS + seconds_after_t0 * 1000);
}

static void test_fixed(void **state)
{
    (void)state;
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, T0_MS + 999);
    assert_int_equal(tsr_clock_now_ms(), T0_MS + 999);
    assert_int_equal(tsr_clock_now(), T0_S);
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, T0_MS + 1000);
    assert_int_equal(tsr_clock_now(), T0_S + 1);
    /* Before the epoch, seconds round down as time(2) would. */
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, -1);
    assert_int_equal(tsr_clock_now_ms(), -1);
    assert_int_equal(tsr_clock_now(), -1);
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, 0);
    assert_int_equal(tsr_clock_now(), 0);
}

/*
 * The wall clock in whole seconds, read the way util/clock reads it.  Not
 * time(2): glibc serves that from the coarse clock, which may still show the
 * previous second for a tick after CLOCK_REALTIME has moved on.
 */
static int64_t real_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

/* Bracketed by the real clock read before and after: no assumption on how fast the machine is. */
static void test_real_and_offset(void **state)
{
    (void)state;
    static const int64_t offsets[] = {0, 3600, -86400, 1};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        tsr_clock_set_for_tests(i == 0 ? TSR_CLOCK_REAL : TSR_CLOCK_OFFSET, offsets[i] * 1000);
        int64_t before = real_seconds();
        int64_t now = tsr_clock_now();
        int64_t after = real_seconds();
        assert_in_range(now, before + offsets[i], after + offsets[i]);
    }
    /* An unknown mode is the real clock. */
    tsr_clock_set_for_tests((enum tsr_clock_mode)7, T0_MS);
    int64_t before = real_seconds();
    int64_t now = tsr_clock_now();
    assert_in_range(now, before, real_seconds());
}

#define FLIPS 20000
static atomic_bool flipping;

/* Switches FLIPS times between a fixed time and a negative offset, then says so. */
static void *flipper(void *arg)
{
    (void)arg;
    for (int i = 0; i < FLIPS; i++)
        tsr_clock_set_for_tests(i % 2 ? TSR_CLOCK_OFFSET : TSR_CLOCK_FIXED, i % 2 ? -T0_MS : T0_MS);
    atomic_store(&flipping, false);
    return NULL;
}

static void test_concurrent_set(void **state)
{
    (void)state;
    pthread_t t;
    atomic_store(&flipping, true);
    assert_int_equal(pthread_create(&t, NULL, flipper, NULL), 0);
    /*
     * Every reading is the fixed time or the real time minus T0 (some
     * years before 1970): a mode paired with the other setting's value
     * would give exactly -T0, or the real time plus T0, far after T0.
     */
    for (int i = 0; i < FLIPS && atomic_load(&flipping); i++) {
        int64_t ms = tsr_clock_now_ms();
        if (ms != T0_MS)
            assert_true(ms < T0_MS - 365LL * 86400 * 1000 && ms > -T0_MS);
    }
    assert_int_equal(pthread_join(t, NULL), 0);
}

static char *add_user(struct people *p)
{
    struct tsr_user u;
    memset(&u, 0, sizeof u);
    assert_int_equal(tsr_user_init_new(&u, p->tenant_id, p->conn.id), 0);
    u.email = strdup("clock@example.com");
    assert_int_equal(tsr_user_insert(p->st, &u), 0);
    char *id = strdup(u.user_id);
    tsr_user_cleanup(&u);
    return id;
}

/* The token endpoint's question, asked at the test clock's now. */
static enum tsr_code_verdict redeem_now(struct people *p, const char *code)
{
    struct tsr_auth_code c;
    assert_int_equal(tsr_auth_code_find(p->st, p->tenant_id, code, &c), 0);
    enum tsr_code_verdict v =
        tsr_auth_code_check(&c, c.client_id, "https://app.example.com/cb", NULL, tsr_clock_now());
    tsr_auth_code_cleanup(&c);
    return v;
}

static void test_auth_code_expires(void **state)
{
    struct people *p = *state;
    char *client_id = people_add_client(p), *user_id = add_user(p), *code = NULL;
    struct tsr_auth_code c = {.client_id = client_id,
                              .user_id = user_id,
                              .sid = "",
                              .redirect_uri = "https://app.example.com/cb",
                              .scope = "openid",
                              .audience = "",
                              .nonce = "",
                              .code_challenge = "",
                              .code_challenge_method = "",
                              .auth_time = T0_S};
    at(0);
    assert_int_equal(tsr_auth_code_create(p->st, p->tenant_id, &c, &code), 0);

    struct tsr_auth_code found;
    assert_int_equal(tsr_auth_code_find(p->st, p->tenant_id, code, &found), 0);
    assert_int_equal(found.expires_at, T0_S + TSR_AUTH_CODE_TTL);
    tsr_auth_code_cleanup(&found);

    assert_int_equal(redeem_now(p, code), TSR_CODE_OK);
    at(TSR_AUTH_CODE_TTL - 1);
    assert_int_equal(redeem_now(p, code), TSR_CODE_OK);
    at(TSR_AUTH_CODE_TTL);
    assert_int_equal(redeem_now(p, code), TSR_CODE_EXPIRED);
    at(TSR_AUTH_CODE_TTL + 3600);
    assert_int_equal(redeem_now(p, code), TSR_CODE_EXPIRED);

    /* Used in time: the use is stamped by the test clock, and a replay outranks expiry. */
    at(10);
    assert_int_equal(tsr_auth_code_find(p->st, p->tenant_id, code, &found), 0);
    assert_int_equal(tsr_auth_code_mark_used(p->st, p->tenant_id, found.hash), 0);
    tsr_auth_code_cleanup(&found);
    assert_int_equal(tsr_auth_code_find(p->st, p->tenant_id, code, &found), 0);
    assert_int_equal(found.used_at, T0_S + 10);
    tsr_auth_code_cleanup(&found);
    at(TSR_AUTH_CODE_TTL + 1);
    assert_int_equal(redeem_now(p, code), TSR_CODE_REPLAYED);

    tsr_wipe(code, strlen(code));
    free(code);
    free(client_id);
    free(user_id);
}

static enum tsr_ticket_state ticket_state(struct people *p, const char *secret)
{
    struct tsr_ticket t;
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret, &t), 0);
    enum tsr_ticket_state s = t.state;
    tsr_ticket_cleanup(&t);
    return s;
}

static void test_ticket_expires(void **state)
{
    struct people *p = *state;
    char *user_id = add_user(p), *secret = NULL;
    struct tsr_ticket_opts o = {.kind = TSR_TICKET_PASSWORD, .ttl = 300};
    at(0);
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, user_id, &o, &secret), 0);

    at(299);
    assert_int_equal(ticket_state(p, secret), TSR_TICKET_LIVE);
    at(300);
    assert_int_equal(ticket_state(p, secret), TSR_TICKET_EXPIRED);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret),
                     TSR_ENOTFOUND);
    /* Back inside its lifetime the same ticket is live and can be used once. */
    at(299);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret), 0);
    assert_int_equal(ticket_state(p, secret), TSR_TICKET_USED);

    tsr_wipe(secret, strlen(secret));
    free(secret);
    free(user_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_fixed, clock_teardown),
        cmocka_unit_test_teardown(test_real_and_offset, clock_teardown),
        cmocka_unit_test_teardown(test_concurrent_set, clock_teardown),
        cmocka_unit_test_setup_teardown(test_auth_code_expires, people_setup,
                                        people_clock_teardown),
        cmocka_unit_test_setup_teardown(test_ticket_expires, people_setup, people_clock_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
