/*
 * test_scope.c - the scope decisions of the token endpoint (core/scope.h)
 * as tables: narrowing on refresh (subset, superset refused, empty means
 * all granted, unknown scopes), client credentials against a grant, what
 * may be asked of an audience, and what a person keeps under RBAC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/scope.h"
#include "util/err.h"

static char *joined(const struct tsr_strlist *l)
{
    char *s = tsr_strlist_join(l);
    assert_non_null(s);
    return s;
}

static void test_narrow(void **state)
{
    (void)state;
    static const struct {
        const char *asked, *granted;
        int rc;
        const char *out;
    } cases[] = {
        {NULL, "openid read write", 0, "openid read write"},
        {"", "openid read write", 0, "openid read write"},
        {"read", "openid read write", 0, "read"},
        {"write openid", "openid read write", 0, "write openid"},
        {"read read", "openid read write", 0, "read"},
        {"  read   write ", "openid read write", 0, "read write"},
        {"openid read write", "openid read write", 0, "openid read write"},
        {"read admin", "openid read write", TSR_EINVAL, NULL}, /* superset */
        {"unknown", "openid read write", TSR_EINVAL, NULL},
        {"offline_access", "openid", TSR_EINVAL, NULL},
        {"read", "", TSR_EINVAL, NULL},
        {NULL, "", 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = (char *)"unset";
        int rc = tsr_scope_narrow(cases[i].asked, cases[i].granted, &out);
        if (rc != cases[i].rc)
            fail_msg("narrow(%s, %s): rc %d, want %d", cases[i].asked ? cases[i].asked : "NULL",
                     cases[i].granted, rc, cases[i].rc);
        if (cases[i].out == NULL)
            assert_null(out);
        else
            assert_string_equal(out, cases[i].out);
        free(out);
    }
}

static void test_effective(void **state)
{
    (void)state;
    static const struct {
        const char *requested, *granted, *out;
    } cases[] = {
        {NULL, "read write admin", "read write admin"}, /* nothing asked: the whole grant */
        {"", "read write admin", "read write admin"},
        {"write", "read write admin", "write"},
        {"admin read", "read write admin", "admin read"}, /* the order asked */
        {"read delete", "read write admin", "read"},      /* beyond the grant: dropped */
        {"delete", "read write admin", ""},
        {"read", "", ""},
        {NULL, "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_strlist granted = {0}, out = {0};
        assert_int_equal(tsr_strlist_split(&granted, cases[i].granted), 0);
        assert_int_equal(tsr_scope_effective(cases[i].requested, &granted, &out), 0);
        char *s = joined(&out);
        assert_string_equal(s, cases[i].out);
        free(s);
        tsr_strlist_cleanup(&granted);
        tsr_strlist_cleanup(&out);
    }
}

static void test_for_audience(void **state)
{
    (void)state;
    struct tsr_api api = {.identifier = "https://api.example.com/"};
    struct tsr_api_scope scopes[] = {{"read:orders", "Read"}, {"write:orders", "Write"}};
    assert_int_equal(tsr_api_set_scopes(&api, scopes, 2), 0);
    static const struct {
        const char *asked;
        bool have_api, mgmt, offline;
        const char *out;
    } cases[] = {
        {"openid profile email", false, false, true, "openid profile email"},
        {"openid read:orders", false, false, true, "openid"}, /* no API: no API scopes */
        {"openid offline_access", false, false, true, "openid offline_access"},
        {"openid offline_access", false, false, false, "openid"},
        {"openid read:orders delete:orders", true, false, true, "openid read:orders"},
        {"read:current_user read:orders", true, false, true, "read:orders"},
        {"read:current_user read:orders", true, true, true, "read:current_user read:orders"},
        {NULL, true, false, true, ""},
        {"", true, true, false, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        assert_int_equal(tsr_scope_for_audience(cases[i].asked, cases[i].have_api ? &api : NULL,
                                                cases[i].mgmt, cases[i].offline, &out),
                         0);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, out, cases[i].out);
        free(out);
    }
    api.identifier = NULL; /* a literal; the scopes are the API's own */
    tsr_api_cleanup(&api);
}

static void test_keep_held(void **state)
{
    (void)state;
    static const struct {
        const char *scope, *held, *out;
    } cases[] = {
        {"openid profile read write", "read", "openid profile read"},
        {"read write", "read write admin", "read write"},
        {"read write", "", ""},
        {"openid email offline_access", "", "openid email offline_access"},
        {"", "read", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_strlist scope = {0}, held = {0};
        assert_int_equal(tsr_strlist_split(&scope, cases[i].scope), 0);
        assert_int_equal(tsr_strlist_split(&held, cases[i].held), 0);
        assert_int_equal(tsr_scope_keep_held(&scope, &held), 0);
        char *s = joined(&scope);
        assert_string_equal(s, cases[i].out);
        free(s);
        tsr_strlist_cleanup(&scope);
        tsr_strlist_cleanup(&held);
    }
}

static void test_has(void **state)
{
    (void)state;
    assert_true(tsr_scope_has("openid offline_access", "offline_access"));
    assert_true(tsr_scope_has(" offline_access ", "offline_access"));
    assert_false(tsr_scope_has("openid offline_accessx", "offline_access"));
    assert_false(tsr_scope_has("", "offline_access"));
    assert_false(tsr_scope_has(NULL, "offline_access"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_narrow),       cmocka_unit_test(test_effective),
        cmocka_unit_test(test_for_audience), cmocka_unit_test(test_keep_held),
        cmocka_unit_test(test_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
