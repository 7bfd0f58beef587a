/*
 * test_queries.c - the named queries against the SQLite backend: every id
 * has a statement, every statement prepares on a migrated database, and
 * each has as many placeholders as its type string has letters; plus the
 * calls' argument checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/queries.h"
#include "store/store.h"
#include "util/err.h"

static tsr_store *open_migrated(void)
{
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_int_equal(tsr_store_migrate(st, NULL), 0);
    return st;
}

static void test_every_query_prepares(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();
    int failed = 0;
    for (int q = 0; q < TSR_Q_COUNT; q++) {
        const char *types = tsr_query_types((enum tsr_query_id)q);
        int bad = strspn(types, "sibn") != strlen(types);
        int rc = tsr_store_q_check(st, (enum tsr_query_id)q);
        if (bad || rc != 0) {
            /* SQLite's message only when SQLite failed; a missing statement or a
             * placeholder count is the store's own refusal. */
            fprintf(stderr, "query %s (types \"%s\"): %s%s%s\n",
                    tsr_query_name((enum tsr_query_id)q), types,
                    bad ? "bad type letter" : tsr_errname(rc), rc == TSR_ESTORE ? ": " : "",
                    rc == TSR_ESTORE ? tsr_store_errmsg(st) : "");
            failed++;
        }
    }
    assert_int_equal(failed, 0);
    tsr_store_close(st);
}

static void test_names_are_unique(void **state)
{
    (void)state;
    for (int a = 0; a < TSR_Q_COUNT; a++)
        for (int b = a + 1; b < TSR_Q_COUNT; b++)
            assert_string_not_equal(tsr_query_name((enum tsr_query_id)a),
                                    tsr_query_name((enum tsr_query_id)b));
}

static void test_unknown_id_is_refused(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();
    tsr_stmt *stmt = (tsr_stmt *)&stmt;
    assert_int_equal(tsr_store_q(st, &stmt, TSR_Q_COUNT), TSR_EINVAL);
    assert_null(stmt);
    assert_int_equal(tsr_store_q_run(st, NULL, (enum tsr_query_id) - 1), TSR_EINVAL);
    assert_int_equal(tsr_store_q_check(st, TSR_Q_COUNT), TSR_EINVAL);
    assert_string_equal(tsr_query_types(TSR_Q_COUNT), "");
    assert_string_equal(tsr_query_name(TSR_Q_COUNT), "unknown");
    assert_int_equal(tsr_store_q(NULL, &stmt, TSR_Q_JOB_GET, "t", "j", (int64_t)0), TSR_EINVAL);
    tsr_store_close(st);
}

static void test_named_query_runs(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO tenants (id, issuer, created_at, updated_at) "
                                   "VALUES ('t', 'https://t/', 1, 1)",
                                   ""),
                     0);
    int64_t changes = -1;
    assert_int_equal(tsr_store_q_run(st, &changes, TSR_Q_JOB_INSERT, "t", "job_1", "export",
                                     "pending", "auth0|u", "", (int64_t)5000),
                     0);
    assert_int_equal(changes, 1);
    tsr_stmt *stmt = NULL;
    assert_int_equal(tsr_store_q(st, &stmt, TSR_Q_JOB_GET, "t", "job_1", (int64_t)1000), 0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
    assert_string_equal(tsr_stmt_text(stmt, 1), "export");
    assert_int_equal(tsr_stmt_int64(stmt, 5), 5000);
    tsr_stmt_finalize(stmt);
    tsr_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_query_prepares),
        cmocka_unit_test(test_names_are_unique),
        cmocka_unit_test(test_unknown_id_is_refused),
        cmocka_unit_test(test_named_query_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
