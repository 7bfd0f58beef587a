/*
 * test_access_token.c - access-token claims written as text straight into
 * a buffer are byte for byte jansson's compact text of the claims object,
 * for every dialect, with and without the userinfo audience, scopes and
 * permissions; a value that needs escaping sends the caller to jansson.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/access_token.h"
#include "util/jsonw.h"
#include "util/strlist.h"

#define ISSUER "https://id.example.com/"
#define T0 INT64_C(1893456000)

static void assert_text_matches(const struct tsr_api *api, const struct tsr_access_token_claims *c)
{
    json_t *j = tsr_access_token_claims_json(ISSUER, api, c, T0, "jti0123456789");
    assert_non_null(j);
    char *want = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(want);
    char buf[64]; /* small: the text moves to the heap on the way */
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    assert_true(tsr_access_token_claims_text(&w, ISSUER, api, c, T0, "jti0123456789"));
    size_t len;
    const char *got = tsr_jsonw_text(&w, &len);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    tsr_jsonw_cleanup(&w);
    free(want);
}

static void test_same_bytes(void **state)
{
    (void)state;
    static const char *const dialects[] = {"access_token", "access_token_authz", "rfc9068_profile",
                                           "rfc9068_profile_authz"};
    struct tsr_strlist none = {0}, one_empty = {0}, scope = {0}, perms = {0};
    assert_int_equal(tsr_strlist_push(&one_empty, ""), 0);
    assert_int_equal(tsr_strlist_push(&scope, "openid"), 0);
    assert_int_equal(tsr_strlist_push(&scope, "read:orders"), 0);
    assert_int_equal(tsr_strlist_push(&perms, "read:orders"), 0);
    assert_int_equal(tsr_strlist_push(&perms, "write:orders"), 0);
    const struct tsr_strlist *scopes[] = {&none, &one_empty, &scope};
    for (size_t d = 0; d < sizeof dialects / sizeof dialects[0]; d++) {
        struct tsr_api api = {.identifier = "https://api.example.com",
                              .token_dialect = (char *)dialects[d]};
        for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++) {
            for (int variant = 0; variant < 8; variant++) {
                struct tsr_access_token_claims c = {
                    .sub = "auth0|u",
                    .azp = "app",
                    .gty = (variant & 1) ? "client-credentials" : NULL,
                    .scope = scopes[s],
                    .permissions = (variant & 2) ? &perms : NULL,
                    .lifetime = 600,
                    .userinfo_aud = (variant & 4) ? ISSUER "userinfo" : NULL,
                };
                assert_text_matches(&api, &c);
            }
        }
    }
    tsr_strlist_cleanup(&one_empty);
    tsr_strlist_cleanup(&scope);
    tsr_strlist_cleanup(&perms);
}

static void test_escaping_goes_to_jansson(void **state)
{
    (void)state;
    struct tsr_strlist scope = {0};
    assert_int_equal(tsr_strlist_push(&scope, "read:caf\xc3\xa9"), 0);
    struct tsr_api api = {.identifier = "https://api.example.com", .token_dialect = "access_token"};
    struct tsr_access_token_claims c = {.sub = "a\"b", .azp = "app", .scope = &scope, .lifetime = 1};
    char buf[256];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    assert_false(tsr_access_token_claims_text(&w, ISSUER, &api, &c, T0, "j"));
    tsr_jsonw_cleanup(&w);
    c.sub = "plain";
    tsr_jsonw_init(&w, buf, sizeof buf);
    assert_false(tsr_access_token_claims_text(&w, ISSUER, &api, &c, T0, "j"));
    tsr_jsonw_cleanup(&w);
    tsr_strlist_cleanup(&scope);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes),
        cmocka_unit_test(test_escaping_goes_to_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
