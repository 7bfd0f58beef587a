/*
 * test_user.c - users on a migrated in-memory store: insert, lookups,
 * conflicts, logins, listing with filters and paging, JSON, delete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/password.h"
#include "core/user.h"
#include "util/err.h"

#include "fixture_people.h"

/* Inserts a user with email (and username, password when not NULL). */
static void add_user(struct people *p, const char *email, const char *username,
                     const char *password, struct tsr_user *out)
{
    assert_int_equal(tsr_user_init_new(out, p->tenant_id, p->conn.id), 0);
    if (email)
        out->email = tsr_user_email_lower(email);
    if (username)
        out->username = strdup(username);
    if (password) {
        free(out->password_hash);
        assert_int_equal(tsr_password_hash(password, &out->password_hash), 0);
    }
    assert_int_equal(tsr_user_fill_defaults(out), 0);
    assert_int_equal(tsr_user_insert(p->st, out), 0);
}

static void test_insert_find(void **state)
{
    struct people *p = *state;
    struct tsr_user u = {0}, got = {0};
    add_user(p, "Alice@Example.COM", "alice", NULL, &u);
    assert_true(strncmp(u.user_id, "auth0|", 6) == 0);
    assert_int_equal(strlen(u.user_id), 6 + 24);
    assert_string_equal(u.email, "alice@example.com");
    assert_string_equal(u.name, "alice@example.com");
    assert_string_equal(u.nickname, "alice");

    assert_int_equal(tsr_user_find_login(p->st, p->tenant_id, p->conn.id, "ALICE@example.com",
                                         &got),
                     0);
    assert_string_equal(got.user_id, u.user_id);
    tsr_user_cleanup(&got);
    assert_int_equal(tsr_user_find_login(p->st, p->tenant_id, p->conn.id, "alice", &got), 0);
    assert_string_equal(got.user_id, u.user_id);
    assert_int_equal(got.last_login, 0);
    tsr_user_cleanup(&got);
    assert_int_equal(tsr_user_find_login(p->st, p->tenant_id, p->conn.id, "bob", &got),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_user_find_login(p->st, p->tenant_id, "con_other", "alice", &got),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_user_get(p->st, p->tenant_id, u.user_id, &got), 0);
    assert_string_equal(got.username, "alice");
    tsr_user_cleanup(&got);

    /* The same email (any case) in the same connection is a conflict. */
    struct tsr_user dup = {0};
    assert_int_equal(tsr_user_init_new(&dup, p->tenant_id, p->conn.id), 0);
    dup.email = tsr_user_email_lower("ALICE@EXAMPLE.COM");
    assert_int_equal(tsr_user_insert(p->st, &dup), TSR_ECONFLICT);
    tsr_user_cleanup(&dup);

    assert_int_equal(tsr_user_delete(p->st, p->tenant_id, u.user_id), 0);
    assert_int_equal(tsr_user_delete(p->st, p->tenant_id, u.user_id), TSR_ENOTFOUND);
    assert_int_equal(tsr_user_get(p->st, p->tenant_id, u.user_id, &got), TSR_ENOTFOUND);
    tsr_user_cleanup(&u);
}

static void test_authenticate(void **state)
{
    struct people *p = *state;
    struct tsr_user u = {0}, got = {0};
    enum tsr_login_result r;
    add_user(p, "bob@example.com", NULL, "Secret-123", &u);

    assert_int_equal(
        tsr_user_authenticate(p->st, &p->conn, "Bob@example.com", "Secret-123", &got, &r), 0);
    assert_int_equal(r, TSR_LOGIN_OK);
    assert_string_equal(got.user_id, u.user_id);
    assert_int_equal(tsr_user_record_login(p->st, &got, "192.0.2.7"), 0);
    assert_int_equal(got.logins_count, 1);
    tsr_user_cleanup(&got);
    assert_int_equal(tsr_user_get(p->st, p->tenant_id, u.user_id, &got), 0);
    assert_int_equal(got.logins_count, 1);
    assert_true(got.last_login > 0);
    assert_string_equal(got.last_ip, "192.0.2.7");
    tsr_user_cleanup(&got);

    assert_int_equal(
        tsr_user_authenticate(p->st, &p->conn, "nobody@example.com", "Secret-123", &got, &r), 0);
    assert_int_equal(r, TSR_LOGIN_UNKNOWN_USER);
    assert_null(got.user_id);
    assert_int_equal(
        tsr_user_authenticate(p->st, &p->conn, "bob@example.com", "secret-123", &got, &r), 0);
    assert_int_equal(r, TSR_LOGIN_WRONG_PASSWORD);
    assert_null(got.user_id);

    u.blocked = true;
    u.updated_at++;
    assert_int_equal(tsr_user_update(p->st, &u), 0);
    assert_int_equal(
        tsr_user_authenticate(p->st, &p->conn, "bob@example.com", "Secret-123", &got, &r), 0);
    assert_int_equal(r, TSR_LOGIN_BLOCKED);
    assert_true(got.blocked);
    tsr_user_cleanup(&got);
    /* Blocked and a wrong password: the block is not revealed. */
    assert_int_equal(
        tsr_user_authenticate(p->st, &p->conn, "bob@example.com", "nope", &got, &r), 0);
    assert_int_equal(r, TSR_LOGIN_WRONG_PASSWORD);
    assert_int_equal(tsr_user_end_sessions(p->st, p->tenant_id, u.user_id), 0);
    tsr_user_cleanup(&u);
}

static void test_list(void **state)
{
    struct people *p = *state;
    struct tsr_user u[5];
    char email[64];
    for (int i = 0; i < 5; i++) {
        snprintf(email, sizeof email, "user%d@example.com", i);
        add_user(p, email, NULL, NULL, &u[i]);
    }
    free(u[3].name);
    u[3].name = strdup("Zoë 100%_Real");
    assert_int_equal(tsr_user_update(p->st, &u[3]), 0);

    struct tsr_user *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(tsr_user_list(p->st, p->tenant_id, NULL, NULL, 0, 2, &list, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 5);
    tsr_user_list_free(list, n);
    assert_int_equal(tsr_user_list(p->st, p->tenant_id, NULL, NULL, 4, 2, &list, &n, &total), 0);
    assert_int_equal(n, 1);
    tsr_user_list_free(list, n);

    assert_int_equal(tsr_user_list(p->st, p->tenant_id, "USER2@example.com", NULL, 0, 50, &list,
                                   &n, &total),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].user_id, u[2].user_id);
    tsr_user_list_free(list, n);

    assert_int_equal(tsr_user_list(p->st, p->tenant_id, NULL, "100%_r", 0, 50, &list, &n, &total),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].user_id, u[3].user_id);
    tsr_user_list_free(list, n);
    /* '%' and '_' are literal, not wildcards. */
    assert_int_equal(tsr_user_list(p->st, p->tenant_id, NULL, "user_@", 0, 50, &list, &n, &total),
                     0);
    assert_int_equal(n, 0);
    tsr_user_list_free(list, n);
    assert_int_equal(tsr_user_list(p->st, p->tenant_id, NULL, "EXAMPLE", 0, 50, &list, &n, &total),
                     0);
    assert_int_equal(total, 5);
    tsr_user_list_free(list, n);
    for (int i = 0; i < 5; i++)
        tsr_user_cleanup(&u[i]);
}

/* Runs a search and returns how many users it found (and checks the total agrees). */
static size_t search_count(struct people *p, const struct tsr_user_filter *f)
{
    struct tsr_user *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(
        tsr_user_search(p->st, p->tenant_id, f, "email", true, 0, 50, &list, &n, &total), 0);
    assert_int_equal((int64_t)n, total);
    tsr_user_list_free(list, n);
    return n;
}

static void test_search(void **state)
{
    struct people *p = *state;
    struct tsr_user u[3];
    add_user(p, "ana@one.example", NULL, NULL, &u[0]);
    add_user(p, "bob@one.example", NULL, NULL, &u[1]);
    add_user(p, "ana@two_x.example", NULL, NULL, &u[2]);
    u[1].blocked = true;
    u[1].email_verified = true;
    assert_int_equal(tsr_user_update(p->st, &u[1]), 0);

    struct tsr_user_filter any = {.email_verified = -1, .blocked = -1};
    struct tsr_user_filter f = any;
    f.email_domain = "ONE.example";
    assert_int_equal(search_count(p, &f), 2);
    f.blocked = 1;
    assert_int_equal(search_count(p, &f), 1);
    f = any;
    f.email_prefix = "ana*";
    assert_int_equal(search_count(p, &f), 2);
    /* '_' in a domain is a literal, not LIKE's one-character wildcard. */
    f = any;
    f.email_domain = "twoxx.example";
    assert_int_equal(search_count(p, &f), 0);
    f.email_domain = "two_x.example";
    assert_int_equal(search_count(p, &f), 1);
    f = any;
    f.email_verified = 1;
    assert_int_equal(search_count(p, &f), 1);
    f = any;
    f.connection = p->conn.name;
    assert_int_equal(search_count(p, &f), 3);
    f.connection = "no-such-connection";
    assert_int_equal(search_count(p, &f), 0);
    /* A prefix and a domain of email at once, or an unknown sort column, is refused. */
    struct tsr_user *list = NULL;
    size_t n = 0;
    f = any;
    f.email_prefix = "ana*";
    f.email_domain = "one.example";
    assert_int_equal(
        tsr_user_search(p->st, p->tenant_id, &f, "email", true, 0, 50, &list, &n, NULL),
        TSR_EINVAL);
    assert_int_equal(
        tsr_user_search(p->st, p->tenant_id, &any, "password_hash", true, 0, 50, &list, &n, NULL),
        TSR_EINVAL);
    for (int i = 0; i < 3; i++)
        tsr_user_cleanup(&u[i]);
}

/* The value of a sort column in u: text in *text or a number in *num; false for SQL NULL. */
static bool sort_key(const struct tsr_user *u, const char *col, const char **text, int64_t *num)
{
    *text = NULL;
    *num = 0;
    if (strcmp(col, "created_at") == 0)
        *num = u->created_at;
    else if (strcmp(col, "updated_at") == 0)
        *num = u->updated_at;
    else if (strcmp(col, "last_login") == 0)
        *num = u->last_login;
    else if (strcmp(col, "logins_count") == 0)
        *num = u->logins_count;
    else
        *text = strcmp(col, "email") == 0      ? u->email
                : strcmp(col, "name") == 0     ? u->name
                : strcmp(col, "nickname") == 0 ? u->nickname
                : strcmp(col, "username") == 0 ? u->username
                                               : u->user_id;
    if (strcmp(col, "last_login") == 0)
        return *num != 0; /* 0: never, NULL in the row */
    if (strcmp(col, "email") == 0 || strcmp(col, "username") == 0)
        return *text != NULL;
    return true;
}

/* Every sort column both ways (one named variant each): NULLs last, user_id breaks ties. */
static void test_sorts(void **state)
{
    struct people *p = *state;
    static const char *const cols[] = {"created_at",   "updated_at", "last_login",
                                       "logins_count", "email",      "name",
                                       "nickname",     "username",   "user_id"};
    struct tsr_user u[4];
    add_user(p, "cara@one.example", "cara", NULL, &u[0]);
    add_user(p, "abe@one.example", NULL, NULL, &u[1]);
    add_user(p, NULL, "bo", NULL, &u[2]);
    add_user(p, "dee@one.example", "dee", NULL, &u[3]);
    assert_int_equal(tsr_user_record_login(p->st, &u[1], "192.0.2.1"), 0);
    assert_int_equal(tsr_user_record_login(p->st, &u[3], "192.0.2.1"), 0);
    assert_int_equal(tsr_user_record_login(p->st, &u[3], "192.0.2.1"), 0);
    struct tsr_user_filter any = {.email_verified = -1, .blocked = -1};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        for (int asc = 0; asc < 2; asc++) {
            struct tsr_user *list = NULL;
            size_t n = 0;
            int64_t total = 0;
            assert_int_equal(
                tsr_user_search(p->st, p->tenant_id, &any, cols[c], asc, 0, 50, &list, &n, &total),
                0);
            assert_int_equal(n, 4);
            assert_int_equal(total, 4);
            for (size_t k = 1; k < n; k++) {
                const char *ta, *tb;
                int64_t na, nb;
                bool a = sort_key(&list[k - 1], cols[c], &ta, &na);
                bool b = sort_key(&list[k], cols[c], &tb, &nb);
                assert_true(a || !b); /* no value before a value */
                if (!a || !b)
                    continue;
                int cmp = ta ? strcmp(ta, tb) : (na > nb) - (na < nb);
                if (cmp == 0)
                    cmp = strcmp(list[k - 1].user_id, list[k].user_id);
                assert_true(asc ? cmp < 0 : cmp > 0);
            }
            tsr_user_list_free(list, n);
        }
    }
    for (int i = 0; i < 4; i++)
        tsr_user_cleanup(&u[i]);
}

static void test_json(void **state)
{
    struct people *p = *state;
    struct tsr_user u = {0};
    add_user(p, "carol@example.com", NULL, "Pw-123456", &u);
    json_t *j = tsr_user_to_json(&u, TSR_DEFAULT_CONNECTION);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "user_id")), u.user_id);
    assert_string_equal(json_string_value(json_object_get(j, "nickname")), "carol");
    assert_null(json_object_get(j, "username"));
    assert_null(json_object_get(j, "blocked"));
    assert_null(json_object_get(j, "last_login"));
    assert_null(json_object_get(j, "password_hash"));
    assert_true(json_is_object(json_object_get(j, "app_metadata")));
    const char *created = json_string_value(json_object_get(j, "created_at"));
    assert_int_equal(strlen(created), 24);
    assert_string_equal(created + 19, ".000Z");
    json_t *id0 = json_array_get(json_object_get(j, "identities"), 0);
    assert_string_equal(json_string_value(json_object_get(id0, "user_id")), u.user_id + 6);
    assert_string_equal(json_string_value(json_object_get(id0, "provider")), "auth0");
    assert_true(json_is_false(json_object_get(id0, "isSocial")));
    json_decref(j);
    char iso[32];
    tsr_iso8601(0, iso);
    assert_string_equal(iso, "1970-01-01T00:00:00.000Z");
    assert_true(tsr_user_username_ok("a.b_c-d"));
    assert_false(tsr_user_username_ok("a@b"));
    assert_false(tsr_user_username_ok(""));
    tsr_user_cleanup(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_insert_find, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_authenticate, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_list, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_search, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_sorts, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_json, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
