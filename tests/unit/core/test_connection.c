/*
 * test_connection.c - connections: the default connection, enabled
 * clients, CRUD and list filters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/connection.h"
#include "util/err.h"

#include "fixture_people.h"

static void test_default(void **state)
{
    struct people *p = *state;
    assert_string_equal(p->conn.name, TSR_DEFAULT_CONNECTION);
    assert_string_equal(p->conn.strategy, "auth0");
    assert_string_equal(p->conn.password_policy, "good");
    assert_int_equal(p->conn.password_min_length, 8);
    assert_false(p->conn.requires_username);
    assert_false(p->conn.disable_signup);
    assert_true(strncmp(p->conn.id, "con_", 4) == 0);
    assert_int_equal(strlen(p->conn.id), 20);
    /* Idempotent. */
    assert_int_equal(tsr_connection_ensure_default(p->st, p->tenant_id), 0);
    struct tsr_connection *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(
        tsr_connection_list(p->st, p->tenant_id, NULL, NULL, 0, 50, &list, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    tsr_connection_list_free(list, n);
}

static void test_default_enables_existing_clients(void **state)
{
    struct people *p = *state;
    char *cid = people_add_client(p);
    assert_int_equal(tsr_connection_delete(p->st, p->tenant_id, p->conn.id), 0);
    assert_int_equal(tsr_connection_delete(p->st, p->tenant_id, p->conn.id), TSR_ENOTFOUND);
    assert_int_equal(tsr_connection_ensure_default(p->st, p->tenant_id), 0);
    struct tsr_connection c = {0};
    assert_int_equal(tsr_connection_get_by_name(p->st, p->tenant_id, TSR_DEFAULT_CONNECTION, &c),
                     0);
    assert_true(tsr_connection_enabled_for(&c, cid));
    assert_false(tsr_connection_enabled_for(&c, "other"));
    assert_false(tsr_connection_enabled_for(&c, NULL));
    tsr_connection_cleanup(&c);
    free(cid);
}

static void test_enable_disable(void **state)
{
    struct people *p = *state;
    struct tsr_connection extra = {0}, got = {0};
    assert_int_equal(tsr_connection_init_new(&extra, p->tenant_id), 0);
    free(extra.name);
    extra.name = strdup("second");
    assert_int_equal(tsr_connection_insert(p->st, &extra), 0);
    assert_int_equal(tsr_connection_insert(p->st, &extra), TSR_ECONFLICT);

    assert_int_equal(tsr_connection_enable_client(p->st, p->tenant_id, "client-a"), 0);
    assert_int_equal(tsr_connection_enable_client(p->st, p->tenant_id, "client-a"), 0);
    assert_int_equal(tsr_connection_enable_client(p->st, p->tenant_id, "client-b"), 0);
    assert_int_equal(tsr_connection_get(p->st, p->tenant_id, extra.id, &got), 0);
    assert_int_equal(got.enabled_clients.n, 2); /* no duplicate */
    assert_true(tsr_connection_enabled_for(&got, "client-a"));
    tsr_connection_cleanup(&got);

    assert_int_equal(tsr_connection_disable_client(p->st, p->tenant_id, "client-a"), 0);
    assert_int_equal(tsr_connection_get(p->st, p->tenant_id, p->conn.id, &got), 0);
    assert_false(tsr_connection_enabled_for(&got, "client-a"));
    assert_true(tsr_connection_enabled_for(&got, "client-b"));
    tsr_connection_cleanup(&got);

    /* Filters. */
    struct tsr_connection *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    struct tsr_strlist auth0 = {0}, others = {0};
    assert_int_equal(tsr_strlist_split(&auth0, "oidc auth0"), 0);
    assert_int_equal(tsr_strlist_split(&others, "oidc samlp"), 0);
    assert_int_equal(
        tsr_connection_list(p->st, p->tenant_id, &auth0, "second", 0, 50, &list, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].id, extra.id);
    tsr_connection_list_free(list, n);
    assert_int_equal(
        tsr_connection_list(p->st, p->tenant_id, &others, NULL, 0, 50, &list, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    tsr_connection_list_free(list, n);
    tsr_strlist_cleanup(&auth0);
    tsr_strlist_cleanup(&others);

    /* Update keeps name and strategy. */
    free(extra.password_policy);
    extra.password_policy = strdup("excellent");
    extra.requires_username = true;
    assert_int_equal(tsr_connection_update(p->st, &extra), 0);
    assert_int_equal(tsr_connection_get(p->st, p->tenant_id, extra.id, &got), 0);
    assert_string_equal(got.password_policy, "excellent");
    assert_true(got.requires_username);
    tsr_connection_cleanup(&got);
    tsr_connection_cleanup(&extra);
}

/* Single sign-on: a session's connection must serve the client and the connection asked for. */
static void test_serves(void **state)
{
    (void)state;
    struct tsr_connection c = {.name = "Username-Password-Authentication"};
    assert_int_equal(tsr_strlist_push(&c.enabled_clients, "app-a"), 0);
    assert_true(tsr_connection_serves(&c, "app-a", NULL));
    assert_true(tsr_connection_serves(&c, "app-a", ""));
    assert_true(tsr_connection_serves(&c, "app-a", "Username-Password-Authentication"));
    assert_false(tsr_connection_serves(&c, "app-a", "partners"));
    assert_false(tsr_connection_serves(&c, "app-a", "username-password-authentication"));
    assert_false(tsr_connection_serves(&c, "app-b", NULL));
    assert_false(tsr_connection_serves(&c, "app-b", "Username-Password-Authentication"));
    assert_false(tsr_connection_serves(&c, NULL, NULL));
    tsr_strlist_cleanup(&c.enabled_clients);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_default_enables_existing_clients, people_setup,
                                        people_teardown),
        cmocka_unit_test_setup_teardown(test_enable_disable, people_setup, people_teardown),
        cmocka_unit_test(test_serves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
