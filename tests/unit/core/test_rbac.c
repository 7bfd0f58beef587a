/*
 * test_rbac.c - permissions of users on a migrated in-memory store: roles
 * (create, conflicts, filters, update, delete), what a user holds (the
 * union of direct and role permissions, distinct and sorted), where each
 * permission comes from, removal, and the cascades when a role, a user or
 * an API goes away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/api.h"
#include "core/rbac.h"
#include "core/role.h"
#include "core/user.h"
#include "util/err.h"

#include "fixture_people.h"

#define AUD "https://messages.example.com/"

static char *add_api(struct people *p, const char *identifier)
{
    struct tsr_api a;
    struct tsr_api_scope scopes[] = {
        {"read:messages", "Read"}, {"write:messages", "Write"}, {"admin", "Everything"}};
    assert_int_equal(tsr_api_init_new(&a, p->tenant_id), 0);
    free(a.identifier);
    a.identifier = strdup(identifier);
    free(a.name);
    a.name = strdup(identifier);
    assert_int_equal(tsr_api_set_scopes(&a, scopes, 3), 0);
    assert_int_equal(tsr_api_insert(p->st, &a), 0);
    char *id = strdup(a.id);
    tsr_api_cleanup(&a);
    return id;
}

static char *add_user(struct people *p, const char *email)
{
    struct tsr_user u;
    assert_int_equal(tsr_user_init_new(&u, p->tenant_id, p->conn.id), 0);
    u.email = tsr_user_email_lower(email);
    assert_int_equal(tsr_user_fill_defaults(&u), 0);
    assert_int_equal(tsr_user_insert(p->st, &u), 0);
    char *id = strdup(u.user_id);
    tsr_user_cleanup(&u);
    return id;
}

static char *add_role(struct people *p, const char *name)
{
    struct tsr_role r;
    assert_int_equal(tsr_role_init_new(&r, p->tenant_id), 0);
    assert_int_equal(strncmp(r.id, "rol_", 4), 0);
    assert_int_equal(strlen(r.id), 20);
    free(r.name);
    r.name = strdup(name);
    assert_int_equal(tsr_role_insert(p->st, &r), 0);
    char *id = strdup(r.id);
    tsr_role_cleanup(&r);
    return id;
}

/* Asserts the user's permissions on AUD are exactly the space-separated want. */
static void assert_held(struct people *p, const char *user_id, const char *want)
{
    struct tsr_strlist got = {0};
    assert_int_equal(tsr_rbac_user_permissions(p->st, p->tenant_id, user_id, AUD, &got), 0);
    char *joined = tsr_strlist_join(&got);
    assert_non_null(joined);
    assert_string_equal(joined, want);
    free(joined);
    tsr_strlist_cleanup(&got);
}

static void test_role_crud(void **state)
{
    struct people *p = *state;
    char *editor = add_role(p, "Editor");
    char *viewer = add_role(p, "Viewer");
    char *odd = add_role(p, "100%_sure");

    struct tsr_role dup;
    assert_int_equal(tsr_role_init_new(&dup, p->tenant_id), 0);
    free(dup.name);
    dup.name = strdup("Editor");
    assert_int_equal(tsr_role_insert(p->st, &dup), TSR_ECONFLICT);
    tsr_role_cleanup(&dup);

    struct tsr_role *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(tsr_role_list(p->st, p->tenant_id, NULL, 0, 50, &list, &n, &total), 0);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    assert_string_equal(list[0].name, "100%_sure");
    assert_string_equal(list[1].name, "Editor");
    tsr_role_list_free(list, n);
    assert_int_equal(tsr_role_list(p->st, p->tenant_id, "EDIT", 0, 50, &list, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, editor);
    tsr_role_list_free(list, n);
    /* LIKE wildcards in the filter are plain characters. */
    assert_int_equal(tsr_role_list(p->st, p->tenant_id, "%_", 0, 50, &list, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, odd);
    tsr_role_list_free(list, n);
    assert_int_equal(tsr_role_list(p->st, p->tenant_id, NULL, 1, 1, &list, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 3);
    assert_string_equal(list[0].name, "Editor");
    tsr_role_list_free(list, n);

    struct tsr_role r;
    assert_int_equal(tsr_role_get(p->st, p->tenant_id, viewer, &r), 0);
    free(r.name);
    r.name = strdup("Editor");
    assert_int_equal(tsr_role_update(p->st, &r), TSR_ECONFLICT);
    free(r.name);
    r.name = strdup("Reader");
    free(r.description);
    r.description = strdup("Reads things");
    assert_int_equal(tsr_role_update(p->st, &r), 0);
    tsr_role_cleanup(&r);
    assert_int_equal(tsr_role_get(p->st, p->tenant_id, viewer, &r), 0);
    assert_string_equal(r.name, "Reader");
    assert_string_equal(r.description, "Reads things");
    tsr_role_cleanup(&r);

    assert_int_equal(tsr_role_delete(p->st, p->tenant_id, viewer), 0);
    assert_int_equal(tsr_role_delete(p->st, p->tenant_id, viewer), TSR_ENOTFOUND);
    assert_int_equal(tsr_role_get(p->st, p->tenant_id, viewer, &r), TSR_ENOTFOUND);
    free(editor);
    free(viewer);
    free(odd);
}

static void test_union_and_removal(void **state)
{
    struct people *p = *state;
    char *api = add_api(p, AUD);
    char *user = add_user(p, "union@example.com");
    char *writer = add_role(p, "Writer");
    char *admin = add_role(p, "Admin");
    const char *tid = p->tenant_id;

    assert_held(p, user, "");
    assert_int_equal(tsr_rbac_grant(p->st, tid, user, AUD, "read:messages"), 0);
    assert_int_equal(tsr_role_permission_add(p->st, tid, writer, AUD, "write:messages"), 0);
    assert_int_equal(tsr_role_permission_add(p->st, tid, writer, AUD, "read:messages"), 0);
    assert_int_equal(tsr_role_permission_add(p->st, tid, writer, AUD, "read:messages"), 0);
    assert_int_equal(tsr_role_permission_add(p->st, tid, admin, AUD, "admin"), 0);
    assert_int_equal(tsr_role_permission_add(p->st, tid, admin, AUD, "read:messages"), 0);
    /* Roles not yet assigned give nothing. */
    assert_held(p, user, "read:messages");

    assert_int_equal(tsr_role_assign(p->st, tid, user, writer), 0);
    assert_int_equal(tsr_role_assign(p->st, tid, user, writer), 0);
    assert_held(p, user, "read:messages write:messages");
    assert_int_equal(tsr_role_assign(p->st, tid, user, admin), 0);
    assert_held(p, user, "admin read:messages write:messages");

    struct tsr_permission *perms = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(tsr_rbac_list(p->st, tid, user, 0, 50, &perms, &n, &total), 0);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    assert_string_equal(perms[0].permission, "admin");
    assert_string_equal(perms[1].permission, "read:messages");
    tsr_permission_list_free(perms, n);
    assert_int_equal(tsr_rbac_list(p->st, tid, user, 2, 50, &perms, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 3);
    assert_string_equal(perms[0].permission, "write:messages");
    tsr_permission_list_free(perms, n);

    struct tsr_permission_source *src = NULL;
    assert_int_equal(tsr_rbac_sources(p->st, tid, user, AUD, "read:messages", &src, &n), 0);
    assert_int_equal(n, 3);
    assert_null(src[0].role_id);
    assert_string_equal(src[1].role_name, "Admin");
    assert_string_equal(src[1].role_id, admin);
    assert_string_equal(src[2].role_name, "Writer");
    tsr_permission_source_list_free(src, n);

    struct tsr_role *roles = NULL;
    assert_int_equal(tsr_role_user_roles(p->st, tid, user, 0, 50, &roles, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(roles[0].name, "Admin");
    tsr_role_list_free(roles, n);
    assert_int_equal(tsr_role_permissions(p->st, tid, writer, 0, 50, &perms, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    tsr_permission_list_free(perms, n);

    /* Removing the direct grant keeps what the roles give. */
    assert_int_equal(tsr_rbac_revoke(p->st, tid, user, AUD, "read:messages"), 0);
    assert_held(p, user, "admin read:messages write:messages");
    assert_int_equal(tsr_role_unassign(p->st, tid, user, admin), 0);
    assert_int_equal(tsr_role_unassign(p->st, tid, user, admin), 0);
    assert_held(p, user, "read:messages write:messages");
    assert_int_equal(tsr_role_permission_remove(p->st, tid, writer, AUD, "read:messages"), 0);
    assert_held(p, user, "write:messages");
    assert_int_equal(tsr_role_unassign(p->st, tid, user, writer), 0);
    assert_held(p, user, "");
    assert_int_equal(tsr_rbac_list(p->st, tid, user, 0, 50, &perms, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    tsr_permission_list_free(perms, n);

    free(api);
    free(user);
    free(writer);
    free(admin);
}

static void test_cascades(void **state)
{
    struct people *p = *state;
    char *api = add_api(p, AUD);
    char *alice = add_user(p, "alice@example.com");
    char *bob = add_user(p, "bob@example.com");
    char *role = add_role(p, "Member");
    const char *tid = p->tenant_id;
    assert_int_equal(tsr_role_permission_add(p->st, tid, role, AUD, "read:messages"), 0);
    assert_int_equal(tsr_role_assign(p->st, tid, alice, role), 0);
    assert_int_equal(tsr_role_assign(p->st, tid, bob, role), 0);

    struct tsr_strlist ids = {0};
    int64_t total = 0;
    assert_int_equal(tsr_role_users(p->st, tid, role, NULL, 0, 50, &ids, &total), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(total, 2);
    const char *first = strcmp(alice, bob) < 0 ? alice : bob;
    const char *second = first == alice ? bob : alice;
    assert_string_equal(ids.v[0], first);
    tsr_strlist_cleanup(&ids);
    assert_int_equal(tsr_role_users(p->st, tid, role, first, 0, 50, &ids, NULL), 0);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.v[0], second);
    tsr_strlist_cleanup(&ids);

    /* A deleted user leaves the role. */
    assert_int_equal(tsr_user_delete(p->st, tid, bob), 0);
    assert_int_equal(tsr_role_users(p->st, tid, role, NULL, 0, 50, &ids, &total), 0);
    assert_int_equal(total, 1);
    assert_string_equal(ids.v[0], alice);
    tsr_strlist_cleanup(&ids);

    /* A deleted API takes its permissions from the role. */
    assert_held(p, alice, "read:messages");
    assert_int_equal(tsr_api_delete(p->st, tid, api), 0);
    assert_held(p, alice, "");
    struct tsr_permission *perms = NULL;
    size_t n = 0;
    assert_int_equal(tsr_role_permissions(p->st, tid, role, 0, 50, &perms, &n, &total), 0);
    assert_int_equal(total, 0);
    tsr_permission_list_free(perms, n);

    /* A deleted role leaves its users. */
    free(api);
    api = add_api(p, AUD);
    assert_int_equal(tsr_role_permission_add(p->st, tid, role, AUD, "admin"), 0);
    assert_held(p, alice, "admin");
    assert_int_equal(tsr_role_delete(p->st, tid, role), 0);
    assert_held(p, alice, "");
    struct tsr_role *roles = NULL;
    assert_int_equal(tsr_role_user_roles(p->st, tid, alice, 0, 50, &roles, &n, &total), 0);
    assert_int_equal(total, 0);
    tsr_role_list_free(roles, n);

    /* Unknown roles and APIs are refused by the keys. */
    assert_int_equal(tsr_role_assign(p->st, tid, alice, "rol_0000000000000000"), TSR_ECONFLICT);
    char *other = add_role(p, "Other");
    assert_int_equal(tsr_role_permission_add(p->st, tid, other, "https://nope/", "x"),
                     TSR_ECONFLICT);

    free(api);
    free(alice);
    free(bob);
    free(role);
    free(other);
}

/* Every storage failure is reported, never a partial answer or a crash. */
static void test_store_failures(void **state)
{
    struct people *p = *state;
    char *api = add_api(p, AUD);
    char *user = add_user(p, "faults@example.com");
    char *role = add_role(p, "Faulty");
    const char *tid = p->tenant_id;
    assert_int_equal(tsr_role_permission_add(p->st, tid, role, AUD, "read:messages"), 0);
    assert_int_equal(tsr_role_assign(p->st, tid, user, role), 0);
    for (int i = 1; i < 40; i++) {
        struct tsr_strlist got = {0};
        tsr_store_fail_after(i);
        int rc = tsr_rbac_user_permissions(p->st, tid, user, AUD, &got);
        tsr_store_fail_after(0);
        if (rc == 0) {
            assert_int_equal(got.n, 1);
            tsr_strlist_cleanup(&got);
        } else {
            assert_int_equal(got.n, 0);
        }
        struct tsr_permission_source *src = NULL;
        size_t n = 0;
        tsr_store_fail_after(i);
        rc = tsr_rbac_sources(p->st, tid, user, AUD, "read:messages", &src, &n);
        tsr_store_fail_after(0);
        if (rc == 0)
            assert_int_equal(n, 1);
        tsr_permission_source_list_free(src, n);
        struct tsr_role *roles = NULL;
        int64_t total = 0;
        tsr_store_fail_after(i);
        rc = tsr_role_list(p->st, tid, "faulty", 0, 10, &roles, &n, &total);
        tsr_store_fail_after(0);
        if (rc == 0)
            assert_int_equal(n, 1);
        tsr_role_list_free(roles, n);
    }
    free(api);
    free(user);
    free(role);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_role_crud, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_union_and_removal, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_cascades, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_store_failures, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
