/*
 * test_event_writer.c - the event log's batching writer: many threads
 * queueing more rows than the queue holds (count and byte bounds), each
 * row written once and in the order its thread queued it; sync sees every
 * row queued before it; stop writes what is still queued; a failed batch
 * is retried row by row, and a refused row is dropped alone; events inside
 * a transaction stay in it; with no writer, rows are the caller's; and the
 * brute-force count includes failures still queued, without waiting for
 * the writer (successes and releases, queued or stored, end it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_tmp.h"
#include <pthread.h>

#include "config/limits.h"
#include "core/event.h"
#include "core/event_writer.h"
#include "core/lockout.h"
#include "core/tenant.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define THREADS 8
#define PER_THREAD 600

struct fx {
    char root[256];
    char db[320];
    tsr_store *st; /* the test's own handle, as a request's */
    char *tenant_id;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tsr_log_set_level(TSR_LOG_ERROR);
    fixture_mkdtemp(f->root, sizeof f->root, "tsr-events");
    snprintf(f->db, sizeof f->db, "%s/tessera.db", f->root);
    assert_int_equal(tsr_store_open(f->db, &f->st), 0);
    assert_int_equal(tsr_store_migrate(f->st, NULL), 0);
    struct tsr_tenant t = {.issuer = "https://id.example.com/",
                           .friendly_name = "test",
                           .default_audience = "",
                           .is_default = true};
    assert_int_equal(tsr_tenant_insert(f->st, &t), 0);
    f->tenant_id = t.id;
    *state = f;
    return 0;
}

static void remove_db(const char *db)
{
    char p[400];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tsr_store_fail_after(0);
    tsr_store_close(f->st);
    remove_db(f->db);
    rmdir(f->root);
    free(f->tenant_id);
    free(f);
    return 0;
}

static int64_t count_rows(tsr_store *st, const char *where)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM events%s", where);
    return fixture_count(st, sql);
}

/* A row as core/event.c builds it; description "T<thread>-<seq>" says who queued it when. */
static void make_row(struct tsr_event *r, char id[40], char desc[32], const char *tenant_id,
                     int thread, int seq, const char *details)
{
    static _Atomic long counter;
    long n = ++counter;
    snprintf(id, 40, "%016ld%08ld", 1795773600000L + n / 4, n);
    snprintf(desc, 32, "T%02d-%06d", thread, seq);
    *r = (struct tsr_event){.tenant_id = tenant_id,
                            .id = id,
                            .date = 1795773600000 + n / 4,
                            .type = "seccft",
                            .description = desc,
                            .client_id = "c",
                            .client_name = "",
                            .ip = "127.0.0.1",
                            .user_agent = "ua",
                            .user_id = "",
                            .user_name = "",
                            .connection = "",
                            .connection_id = "",
                            .details_text = details};
}

struct producer {
    const char *tenant_id;
    int thread;
    const char *details;
};

static void *produce(void *arg)
{
    const struct producer *p = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct tsr_event r;
        char id[40], desc[32];
        make_row(&r, id, desc, p->tenant_id, p->thread, i, p->details);
        if (tsr_event_writer_enqueue(&r) != 0)
            return (void *)1;
    }
    return NULL;
}

/* Each thread's rows appear once, in the order it queued them (by insertion, i.e. rowid). */
static void assert_each_thread_in_order(tsr_store *st)
{
    int next[THREADS] = {0};
    tsr_stmt *q = NULL;
    assert_int_equal(tsr_store_query(st, &q, "SELECT description FROM events ORDER BY rowid", ""),
                     0);
    while (tsr_stmt_step(q) == TSR_STORE_ROW) {
        int t = -1, seq = -1;
        assert_int_equal(sscanf(tsr_stmt_text(q, 0), "T%d-%d", &t, &seq), 2);
        assert_true(t >= 0 && t < THREADS);
        assert_int_equal(seq, next[t]);
        next[t]++;
    }
    tsr_stmt_finalize(q);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(next[t], PER_THREAD);
}

static void run_producers(struct fx *f, const char *details)
{
    pthread_t th[THREADS];
    struct producer p[THREADS];
    for (int t = 0; t < THREADS; t++) {
        p[t] = (struct producer){.tenant_id = f->tenant_id, .thread = t, .details = details};
        assert_int_equal(pthread_create(&th[t], NULL, produce, &p[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        void *ret = NULL;
        pthread_join(th[t], &ret);
        assert_null(ret);
    }
}

static void test_many_threads_past_capacity(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL;
    char err[256];
    /* 4,800 rows through a queue of 64, written 16 at a time. */
    struct tsr_event_writer_limits l = {.capacity = 64, .batch = 16};
    assert_int_equal(tsr_event_writer_start(f->db, &l, &w, err, sizeof err), 0);
    run_producers(f, "{}");
    assert_int_equal(tsr_event_writer_sync(), 0);
    /* Read through another handle, as a request's, before the stop. */
    assert_int_equal(count_rows(f->st, ""), THREADS * PER_THREAD);
    assert_int_equal(fixture_count(f->st, "SELECT count(DISTINCT id) FROM events"),
                     THREADS * PER_THREAD);
    assert_each_thread_in_order(f->st);
    struct tsr_event_writer_stats s;
    tsr_event_writer_stats(w, &s);
    assert_int_equal(s.queued, THREADS * PER_THREAD);
    assert_int_equal(s.written, THREADS * PER_THREAD);
    assert_int_equal(s.dropped, 0);
    assert_true(s.batches >= THREADS * PER_THREAD / 16);
    tsr_event_writer_stop(w);
    assert_int_equal(count_rows(f->st, ""), THREADS * PER_THREAD);
}

static void test_byte_bound(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL;
    char err[256];
    /* About 2 KiB a row in a queue of 8 KiB: producers wait on bytes, not slots. */
    char big[2100];
    strcpy(big, "{\"k\":\"");
    memset(big + 6, 'x', 2000);
    strcpy(big + 2006, "\"}");
    struct tsr_event_writer_limits l = {.capacity = 4096, .batch = 256, .max_bytes = 8192};
    assert_int_equal(tsr_event_writer_start(f->db, &l, &w, err, sizeof err), 0);
    run_producers(f, big);
    tsr_event_writer_stop(w);
    assert_int_equal(count_rows(f->st, ""), THREADS * PER_THREAD);
    assert_each_thread_in_order(f->st);
}

static void test_stop_drains(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL;
    char err[256];
    assert_int_equal(tsr_event_writer_start(f->db, NULL, &w, err, sizeof err), 0);
    for (int i = 0; i < 3000; i++) {
        struct tsr_event r;
        char id[40], desc[32];
        make_row(&r, id, desc, f->tenant_id, 0, i, "{}");
        assert_int_equal(tsr_event_writer_enqueue(&r), 0);
    }
    tsr_event_writer_stop(w);
    assert_int_equal(count_rows(f->st, ""), 3000);
    /* No writer now: the caller inserts, and a sync has nothing to wait for. */
    struct tsr_event r;
    char id[40], desc[32];
    make_row(&r, id, desc, f->tenant_id, 0, 0, "{}");
    assert_int_equal(tsr_event_writer_enqueue(&r), TSR_ENOTFOUND);
    assert_int_equal(tsr_event_writer_sync(), 0);
}

static void test_one_writer(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL, *other = NULL;
    char err[256];
    assert_int_equal(tsr_event_writer_start(f->db, NULL, &w, err, sizeof err), 0);
    assert_int_equal(tsr_event_writer_start(f->db, NULL, &other, err, sizeof err), TSR_EBUSY);
    assert_null(other);
    tsr_event_writer_stop(w);
    tsr_event_writer_stop(NULL);
    /* A database that cannot be opened. */
    assert_int_equal(
        tsr_event_writer_start("/nonexistent-dir/x/tessera.db", NULL, &w, err, sizeof err),
        TSR_ESTORE);
    assert_null(w);
}

static void test_failed_batch_retried(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL;
    char err[256];
    assert_int_equal(tsr_event_writer_start(f->db, NULL, &w, err, sizeof err), 0);
    assert_int_equal(tsr_event_writer_sync(), 0);
    /* Only the writer's thread calls the store from here: its BEGIN fails. */
    tsr_store_fail_after(1);
    struct tsr_event r;
    char id[40], desc[32];
    make_row(&r, id, desc, f->tenant_id, 0, 0, "{}");
    assert_int_equal(tsr_event_writer_enqueue(&r), 0);
    assert_int_equal(tsr_event_writer_sync(), 0);
    tsr_store_fail_after(0);
    assert_int_equal(count_rows(f->st, ""), 1);

    /* A row the database refuses (no such tenant) is dropped alone. */
    const char *tenants[3] = {f->tenant_id, "no-such-tenant", f->tenant_id};
    tsr_store_fail_after(0);
    for (int i = 0; i < 3; i++) {
        make_row(&r, id, desc, tenants[i], 0, i + 1, "{}");
        assert_int_equal(tsr_event_writer_enqueue(&r), 0);
    }
    assert_int_equal(tsr_event_writer_sync(), 0);
    assert_int_equal(count_rows(f->st, ""), 3);
    struct tsr_event_writer_stats s;
    tsr_event_writer_stats(w, &s);
    assert_int_equal(s.written, 3);
    assert_int_equal(s.dropped, 1);
    tsr_event_writer_stop(w);
}

static void test_event_insert_paths(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL;
    char err[256];
    const struct tsr_event e = {.type = "fp", .user_name = "a@example.com"};
    assert_int_equal(tsr_event_writer_start(f->db, NULL, &w, err, sizeof err), 0);
    /* Queued, then visible after a sync. */
    tsr_event_insert(f->st, f->tenant_id, "192.0.2.1", "ua", &e);
    assert_int_equal(tsr_event_writer_sync(), 0);
    assert_int_equal(count_rows(f->st, " WHERE type = 'fp'"), 1);
    /* Inside a transaction: inserted in it, so a rollback takes it back. */
    assert_int_equal(tsr_store_begin(f->st), 0);
    tsr_event_insert(f->st, f->tenant_id, "192.0.2.1", "ua", &e);
    assert_int_equal(count_rows(f->st, " WHERE type = 'fp'"), 2);
    assert_int_equal(tsr_store_rollback(f->st), 0);
    assert_int_equal(tsr_event_writer_sync(), 0);
    assert_int_equal(count_rows(f->st, " WHERE type = 'fp'"), 1);
    tsr_event_writer_stop(w);
    /* Without a writer: at once. */
    tsr_event_insert(f->st, f->tenant_id, "192.0.2.1", "ua", &e);
    assert_int_equal(count_rows(f->st, " WHERE type = 'fp'"), 2);
}

struct reader {
    const char *db;
    const char *tenant_id;
    bool locked;
    int rc;
};

/* The brute-force count, read through a handle of its own, as another request's. */
static void *read_lockout(void *arg)
{
    struct reader *r = arg;
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    l.lockout_attempts = 1;
    tsr_store *st = NULL;
    r->rc = tsr_store_open(r->db, &st);
    if (r->rc == 0)
        r->rc = tsr_lockout_check(st, &l, r->tenant_id, "a@example.com", "192.0.2.1", &r->locked);
    tsr_store_close(st);
    return NULL;
}

static void test_lockout_sees_failures_behind_a_lock(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL;
    char err[256];
    const struct tsr_event e = {.type = "fp", .user_name = "a@example.com"};
    assert_int_equal(tsr_event_writer_start(f->db, NULL, &w, err, sizeof err), 0);
    /*
     * The test's handle holds the write lock, so the writer cannot commit the
     * queued failure until it ends: a count read meanwhile from the database
     * alone would find nothing.
     */
    tsr_store *producer = NULL;
    assert_int_equal(tsr_store_open(f->db, &producer), 0);
    assert_int_equal(tsr_store_begin(f->st), 0);
    tsr_event_insert(producer, f->tenant_id, "192.0.2.1", "ua", &e);
    struct reader r = {.db = f->db, .tenant_id = f->tenant_id};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, read_lockout, &r), 0);
    usleep(100 * 1000); /* lets the reader start waiting; the result does not depend on it */
    assert_int_equal(tsr_store_commit(f->st), 0);
    pthread_join(th, NULL);
    assert_int_equal(r.rc, 0);
    assert_true(r.locked);
    tsr_store_close(producer);
    tsr_event_writer_stop(w);
}

/* A recorded event of the brute-force count's kinds, dated at. */
static void queue_event(struct fx *f, bool stored, const char *type, const char *name,
                        const char *ip, int64_t at)
{
    static int serial;
    char id[40];
    snprintf(id, sizeof id, "%016lld%08d", (long long)at, ++serial);
    const struct tsr_event e = {.tenant_id = f->tenant_id,
                                .id = id,
                                .date = at,
                                .type = type,
                                .description = "",
                                .client_id = "",
                                .client_name = "",
                                .ip = ip,
                                .user_agent = "ua",
                                .user_id = "",
                                .user_name = name,
                                .connection = "",
                                .connection_id = "",
                                .details_text = "{}"};
    if (stored)
        assert_int_equal(tsr_event_row_insert(f->st, &e), 0);
    else
        assert_int_equal(tsr_event_writer_enqueue(&e), 0);
}

/* The count now: -1 unlocked, 0 locked, 1 locked by the last failure (exactly attempts). */
static int lock_state(struct fx *f, const struct tsr_limits *l)
{
    bool locked = false;
    assert_int_equal(
        tsr_lockout_check(f->st, l, f->tenant_id, "a@example.com", "192.0.2.1", &locked), 0);
    if (!locked)
        return -1;
    return tsr_lockout_just_locked(f->st, l, f->tenant_id, "a@example.com", "192.0.2.1");
}

static void test_lockout_counts_queued_failures(void **state)
{
    struct fx *f = *state;
    tsr_event_writer *w = NULL;
    char err[256];
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    l.lockout_attempts = 3;
    /* A writer that holds its rows (a long gather): only a sync or a full batch moves them. */
    struct tsr_event_writer_limits wl = {.gather_ms = 3600 * 1000L};
    assert_int_equal(tsr_event_writer_start(f->db, &wl, &w, err, sizeof err), 0);
    int64_t now = tsr_clock_now_ms();
    queue_event(f, true, "fp", "a@example.com", "192.0.2.1", now - 5000);
    queue_event(f, false, "fp", "A@Example.COM", "192.0.2.1", now - 4000);
    assert_int_equal(lock_state(f, &l), -1); /* 2: one stored, one queued */
    queue_event(f, false, "fu", "a@example.com", "192.0.2.77", now - 3500); /* another network */
    queue_event(f, false, "fu", "b@example.com", "192.0.2.1", now - 3400);  /* another name */
    assert_int_equal(lock_state(f, &l), -1);
    queue_event(f, false, "fu", "a@example.com", "192.0.2.1", now - 3000);
    assert_int_equal(lock_state(f, &l), 1); /* 3, two of them still queued */
    assert_int_equal(count_rows(f->st, ""), 1);
    queue_event(f, false, "s", "a@example.com", "192.0.2.77", now - 2500); /* another network */
    assert_int_equal(lock_state(f, &l), 1);
    /* A queued success from the network ends the count, the stored failure's too. */
    queue_event(f, false, "s", "a@example.com", "192.0.2.1", now - 2000);
    assert_int_equal(lock_state(f, &l), -1);
    queue_event(f, false, "fp", "a@example.com", "192.0.2.1", now - 1500);
    queue_event(f, false, "fp", "a@example.com", "192.0.2.1", now - 1400);
    queue_event(f, false, "fp", "a@example.com", "192.0.2.1", now - 1300);
    assert_int_equal(lock_state(f, &l), 1);
    /* A release committed at once (inside a transaction) ends the count of the queued ones. */
    queue_event(f, true, "ublkdu", "a@example.com", "198.51.100.1", now - 1000);
    assert_int_equal(lock_state(f, &l), -1);
    queue_event(f, false, "fp", "a@example.com", "192.0.2.1", now - 900);
    assert_int_equal(lock_state(f, &l), -1);
    assert_int_equal(count_rows(f->st, ""), 2); /* nothing waited for the writer */
    /* More queued failures than the count keeps: it waits for the writer instead. */
    for (int i = 0; i < 70; i++)
        queue_event(f, false, "fp", "a@example.com", "192.0.2.1", now - 800 + i);
    assert_int_equal(lock_state(f, &l), 0);
    assert_true(count_rows(f->st, "") >= 72);
    tsr_event_writer_stop(w);
    /* Everything written: the database alone counts the same. */
    assert_int_equal(count_rows(f->st, ""), 82);
    assert_int_equal(lock_state(f, &l), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_many_threads_past_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_drains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_batch_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_insert_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_sees_failures_behind_a_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_counts_queued_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
