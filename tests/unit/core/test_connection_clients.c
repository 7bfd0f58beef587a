/*
 * test_connection_clients.c - a connection's enabled clients as rows:
 * migration 10 carries the JSON lists over in order (repeats included),
 * writes replace the list in order, the strategy filter's slots, and a
 * failed write leaves the stored connection as it was; the same migration
 * gives clients' origins rows of their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "core/client.h"
#include "core/connection.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/err.h"

/* A database migrated to version 9, before the enabled clients had rows. */
static tsr_store *open_at_version_9(void)
{
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_int_equal(tsr_store_exec(st, "CREATE TABLE schema_migrations (version INTEGER PRIMARY "
                                        "KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"),
                     0);
    for (int i = 0; i < tsr_migration_count && tsr_migrations[i].version <= 9; i++) {
        assert_int_equal(tsr_store_exec(st, tsr_migrations[i].sql), 0);
        assert_int_equal(tsr_store_run(st, NULL, "INSERT INTO schema_migrations VALUES (?, ?, 0)",
                                       "is", (int64_t)tsr_migrations[i].version,
                                       tsr_migrations[i].name),
                         0);
    }
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO tenants (id, issuer, created_at, updated_at) "
                                   "VALUES ('t1', 'https://t1/', 1, 1)",
                                   ""),
                     0);
    return st;
}

static void insert_v9(tsr_store *st, const char *id, const char *name, const char *clients)
{
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO connections (tenant_id, id, name, enabled_clients, "
                                   "created_at, updated_at) VALUES ('t1', ?, ?, ?, 1, 1)",
                                   "sss", id, name, clients),
                     0);
}

static void assert_list(const struct tsr_strlist *l, const char *const *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->v[i], want[i]);
}

static void test_migration_carries_lists_over(void **state)
{
    (void)state;
    tsr_store *st = open_at_version_9();
    insert_v9(st, "con_a", "A", "[\"cb\",\"ca\",\"cb\"]");
    insert_v9(st, "con_b", "B", "[]");
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO clients (tenant_id, client_id, name, web_origins, "
                                   "allowed_origins, created_at, updated_at) VALUES ('t1', 'c1', "
                                   "'App', '[\"https://A.example\"]', "
                                   "'[\"https://a.example\",\"http://b.example\"]', 1, 1)",
                                   ""),
                     0);
    int applied = 0;
    assert_int_equal(tsr_store_migrate(st, &applied), 0);
    assert_true(applied >= 1);

    struct tsr_connection c = {0};
    assert_int_equal(tsr_connection_get(st, "t1", "con_a", &c), 0);
    static const char *const want[] = {"cb", "ca", "cb"};
    assert_list(&c.enabled_clients, want, 3);
    tsr_connection_cleanup(&c);
    assert_int_equal(tsr_connection_get_by_name(st, "t1", "B", &c), 0);
    assert_int_equal(c.enabled_clients.n, 0);
    tsr_connection_cleanup(&c);

    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(st, "t1", &cat), 0);
    assert_true(tsr_catalog_origin_allowed(cat, "https://a.example"));
    assert_true(tsr_catalog_origin_allowed(cat, "http://b.example"));
    assert_false(tsr_catalog_origin_allowed(cat, "http://c.example"));
    tsr_catalog_free(cat);

    /* Deleting a connection takes its rows. */
    assert_int_equal(tsr_connection_delete(st, "t1", "con_a"), 0);
    tsr_stmt *q = NULL;
    assert_int_equal(tsr_store_query(st, &q, "SELECT count(*) FROM connection_clients", ""), 0);
    assert_int_equal(tsr_stmt_step(q), TSR_STORE_ROW);
    assert_int_equal(tsr_stmt_int64(q, 0), 0);
    tsr_stmt_finalize(q);
    tsr_store_close(st);
}

static void test_update_replaces_in_order(void **state)
{
    (void)state;
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_int_equal(tsr_store_migrate(st, NULL), 0);
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO tenants (id, issuer, created_at, updated_at) "
                                   "VALUES ('t1', 'https://t1/', 1, 1)",
                                   ""),
                     0);
    struct tsr_connection c = {0};
    assert_int_equal(tsr_connection_init_new(&c, "t1"), 0);
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "z"), 0);
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "a"), 0);
    assert_int_equal(tsr_connection_insert(st, &c), 0);
    assert_int_equal(tsr_store_in_transaction(st), 0);

    tsr_strlist_cleanup(&c.enabled_clients);
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "m"), 0);
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "b"), 0);
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "x"), 0);
    assert_int_equal(tsr_connection_update(st, &c), 0);

    struct tsr_connection got = {0};
    assert_int_equal(tsr_connection_get(st, "t1", c.id, &got), 0);
    static const char *const want[] = {"m", "b", "x"};
    assert_list(&got.enabled_clients, want, 3);
    tsr_connection_cleanup(&got);

    /* A store failure midway through the list rolls the whole update back. */
    tsr_strlist_cleanup(&c.enabled_clients);
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "q"), 0);
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "r"), 0);
    free(c.display_name);
    c.display_name = strdup("changed");
    assert_non_null(c.display_name);
    int failed = 0;
    for (int n = 1; n < 40; n++) {
        tsr_store_fail_after(n);
        int rc = tsr_connection_update(st, &c);
        tsr_store_fail_after(0);
        if (rc == 0)
            break;
        failed++;
        assert_int_equal(tsr_store_in_transaction(st), 0);
        assert_int_equal(tsr_connection_get(st, "t1", c.id, &got), 0);
        assert_string_equal(got.display_name, "");
        assert_list(&got.enabled_clients, want, 3);
        tsr_connection_cleanup(&got);
    }
    assert_true(failed > 3);
    assert_int_equal(tsr_connection_get(st, "t1", c.id, &got), 0);
    static const char *const now[] = {"q", "r"};
    assert_list(&got.enabled_clients, now, 2);
    assert_string_equal(got.display_name, "changed");
    tsr_connection_cleanup(&got);

    /* Strategy filter: a named strategy that exists, one that does not, none. */
    struct tsr_strlist f = {0};
    struct tsr_connection *list = NULL;
    size_t n = 0;
    int64_t total = -1;
    assert_int_equal(tsr_strlist_push(&f, "google-oauth2"), 0);
    assert_int_equal(tsr_connection_list(st, "t1", &f, NULL, 0, 10, &list, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    tsr_connection_list_free(list, n);
    assert_int_equal(tsr_strlist_push(&f, "auth0"), 0);
    assert_int_equal(tsr_connection_list(st, "t1", &f, NULL, 0, 10, &list, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_list(&list[0].enabled_clients, now, 2);
    tsr_connection_list_free(list, n);
    assert_int_equal(tsr_connection_list_after(st, "t1", &f, NULL, "", 10, &list, &n), 0);
    assert_int_equal(n, 1);
    tsr_connection_list_free(list, n);
    tsr_strlist_cleanup(&f);

    tsr_connection_cleanup(&c);
    tsr_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migration_carries_lists_over),
        cmocka_unit_test(test_update_replaces_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
