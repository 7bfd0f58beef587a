/*
 * test_id_token.c - ID-token and /userinfo claims written as text straight
 * into a buffer are byte for byte jansson's compact text of the same claims
 * object, for every scope combination, with and without the optional
 * members; a value that needs escaping sends the caller to jansson.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/id_token.h"
#include "core/tenant_set.h"
#include "util/jsonw.h"
#include "util/strlist.h"

#define T0 INT64_C(1893456000)

static struct tsr_user person(bool full)
{
    return (struct tsr_user){
        .user_id = "auth0|abc123",
        .email = full ? "p@example.com" : NULL,
        .email_verified = full,
        .name = "Pat Example",
        .nickname = full ? "pat" : NULL,
        .given_name = full ? "Pat" : "",
        .family_name = full ? "Example" : NULL,
        .picture = "https://example.com/p.png",
        .updated_at = T0 - 5,
    };
}

static void test_id_token_same_bytes(void **state)
{
    (void)state;
    struct tsr_tenant_ctx tenant = {0};
    tenant.t.issuer = "https://id.example.com/";
    struct tsr_client client = {.client_id = "app123", .jwt_lifetime_in_seconds = 36000};
    static const char *const scopes[] = {"", "openid", "openid profile", "openid email",
                                         "email profile offline_access"};
    for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++) {
        struct tsr_strlist scope = {0};
        assert_int_equal(tsr_strlist_split(&scope, scopes[s]), 0);
        for (int variant = 0; variant < 16; variant++) {
            struct tsr_user u = person(variant & 1);
            struct tsr_id_token_claims c = {
                .client = &client,
                .user = &u,
                .scope = &scope,
                .nonce = (variant & 2) ? "n-0S6_WzA2Mj" : "",
                .sid = (variant & 4) ? "sid123" : NULL,
                .auth_time = T0 - 100,
                .c_hash = (variant & 8) ? "LDktKdoQak3Pk0cnXxCltA" : NULL,
                .at_hash = (variant & 8) ? "77QmUPtjPfzWtF2AnpK9RQ" : NULL};
            json_t *j = tsr_id_token_claims_json(&tenant, &c, T0);
            assert_non_null(j);
            char *want = json_dumps(j, JSON_COMPACT);
            json_decref(j);
            char buf[32];
            struct tsr_jsonw w;
            tsr_jsonw_init(&w, buf, sizeof buf);
            assert_true(tsr_id_token_claims_text(&w, &tenant, &c, T0));
            assert_string_equal(tsr_jsonw_text(&w, NULL), want);
            tsr_jsonw_cleanup(&w);
            free(want);

            /* /userinfo: the person's claims alone, scopes read from the text. */
            j = json_object();
            assert_int_equal(tsr_id_token_user_claims(j, &u, &scope), 0);
            want = json_dumps(j, JSON_COMPACT);
            json_decref(j);
            tsr_jsonw_init(&w, buf, sizeof buf);
            tsr_jsonw_obj_open(&w);
            tsr_id_token_user_claims_text(&w, &u, tsr_words_contain(scopes[s], "profile"),
                                          tsr_words_contain(scopes[s], "email"));
            tsr_jsonw_obj_close(&w);
            assert_string_equal(tsr_jsonw_text(&w, NULL), want);
            tsr_jsonw_cleanup(&w);
            free(want);
        }
        tsr_strlist_cleanup(&scope);
    }
}

static void test_escaping_goes_to_jansson(void **state)
{
    (void)state;
    struct tsr_tenant_ctx tenant = {0};
    tenant.t.issuer = "https://id.example.com/";
    struct tsr_client client = {.client_id = "app123", .jwt_lifetime_in_seconds = 60};
    struct tsr_strlist scope = {0};
    assert_int_equal(tsr_strlist_split(&scope, "openid profile"), 0);
    struct tsr_user u = person(true);
    u.name = "Zo\xc3\xab \"Z\"";
    struct tsr_id_token_claims c = {.client = &client, .user = &u, .scope = &scope};
    char buf[256];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    assert_false(tsr_id_token_claims_text(&w, &tenant, &c, T0));
    tsr_jsonw_cleanup(&w);
    tsr_strlist_cleanup(&scope);
}

/* OpenID Connect Core, appendix A.4: the c_hash of its example code. */
static void test_half_hash(void **state)
{
    (void)state;
    char h[TSR_HALF_HASH_LEN];
    assert_int_equal(
        tsr_id_token_half_hash("Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk", h), 0);
    assert_string_equal(h, "LDktKdoQak3Pk0cnXxCltA");
    assert_int_equal(tsr_id_token_half_hash("", h), 0);
    assert_int_equal(strlen(h), 22);
}

static void test_words(void **state)
{
    (void)state;
    assert_true(tsr_words_contain("openid profile", "profile"));
    assert_true(tsr_words_contain("  email  openid ", "email"));
    assert_false(tsr_words_contain("openid profiles", "profile"));
    assert_false(tsr_words_contain("openid", "open"));
    assert_false(tsr_words_contain("", "email"));
    assert_false(tsr_words_contain(NULL, "email"));
    assert_false(tsr_words_contain("a b", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_token_same_bytes),
        cmocka_unit_test(test_escaping_goes_to_jansson),
        cmocka_unit_test(test_half_hash),
        cmocka_unit_test(test_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
