/*
 * test_token_rules.c - the decisions about what a token presentation or a
 * change of consent, password or client revokes: authorization code
 * verdicts and PKCE, client authentication methods, introspection
 * visibility, and the revocations consents and clients reach.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/auth_code.h"
#include "core/consent.h"
#include "core/introspection.h"
#include "core/refresh_token.h"
#include "core/user.h"
#include "util/err.h"
#include "util/strlist.h"

#include "fixture_people.h"

/* RFC 7636 appendix B. */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static void test_pkce(void **state)
{
    (void)state;
    assert_true(tsr_pkce_matches(CHALLENGE, VERIFIER));
    assert_false(tsr_pkce_matches(CHALLENGE, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"));
    assert_false(tsr_pkce_matches(CHALLENGE, NULL));
    assert_false(tsr_pkce_matches(CHALLENGE, "short"));
    assert_false(tsr_pkce_matches(CHALLENGE, VERIFIER "!"));
    assert_true(tsr_pkce_matches("", NULL));
    assert_false(tsr_pkce_matches("", VERIFIER)); /* a verifier without a challenge: downgrade */
}

static void test_code_verdicts(void **state)
{
    (void)state;
    struct tsr_auth_code c = {.client_id = "app",
                              .redirect_uri = "https://app/cb",
                              .code_challenge = CHALLENGE,
                              .expires_at = 100};
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://app/cb", VERIFIER, 50), TSR_CODE_OK);
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://app/cb", VERIFIER, 100),
                     TSR_CODE_EXPIRED);
    assert_int_equal(tsr_auth_code_check(&c, "evil", "https://app/cb", VERIFIER, 50),
                     TSR_CODE_WRONG_CLIENT);
    assert_int_equal(tsr_auth_code_check(&c, "app", NULL, VERIFIER, 50), TSR_CODE_WRONG_REDIRECT);
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://app/cb2", VERIFIER, 50),
                     TSR_CODE_WRONG_REDIRECT);
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://app/cb", NULL, 50),
                     TSR_CODE_WRONG_VERIFIER);
    /* Used: only a presentation with every binding right counts as the replay that revokes. */
    c.used_at = 40;
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://app/cb", VERIFIER, 50),
                     TSR_CODE_REPLAYED);
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://app/cb", VERIFIER, 500),
                     TSR_CODE_REPLAYED);
    assert_int_equal(tsr_auth_code_check(&c, "evil", "https://app/cb", VERIFIER, 50),
                     TSR_CODE_WRONG_CLIENT);
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://app/cb", "x", 50),
                     TSR_CODE_WRONG_VERIFIER);
    assert_int_equal(tsr_auth_code_check(&c, "app", "https://evil/cb", VERIFIER, 50),
                     TSR_CODE_WRONG_REDIRECT);
}

static void test_client_methods(void **state)
{
    (void)state;
    struct tsr_client c = {.token_endpoint_auth_method = "client_secret_post"};
    assert_true(tsr_client_method_allows(&c, TSR_CRED_POST));
    assert_false(tsr_client_method_allows(&c, TSR_CRED_BASIC));
    assert_true(tsr_client_method_allows(&c, TSR_CRED_ID_ONLY)); /* left to the secret check */
    c.token_endpoint_auth_method = "client_secret_basic";
    assert_true(tsr_client_method_allows(&c, TSR_CRED_BASIC));
    assert_false(tsr_client_method_allows(&c, TSR_CRED_POST));
    c.token_endpoint_auth_method = "none";
    assert_true(tsr_client_method_allows(&c, TSR_CRED_ID_ONLY));
    assert_false(tsr_client_method_allows(&c, TSR_CRED_POST));
    assert_false(tsr_client_method_allows(&c, TSR_CRED_BASIC));
    c.token_endpoint_auth_method = "private_key_jwt";
    assert_false(tsr_client_method_allows(&c, TSR_CRED_POST));

    assert_true(tsr_client_method_change_revokes("client_secret_post", "none"));
    assert_true(tsr_client_method_change_revokes("client_secret_basic", "none"));
    assert_false(tsr_client_method_change_revokes("none", "none"));
    assert_false(tsr_client_method_change_revokes("none", "client_secret_post"));
    assert_false(tsr_client_method_change_revokes("client_secret_post", "client_secret_basic"));
}

static void test_introspection_visibility(void **state)
{
    (void)state;
    assert_true(tsr_introspection_visible(TSR_TOKEN_REFRESH, "a", "a", false));
    assert_false(tsr_introspection_visible(TSR_TOKEN_REFRESH, "b", "a", true));
    assert_true(tsr_introspection_visible(TSR_TOKEN_OPAQUE_ACCESS, "a", "a", false));
    assert_false(tsr_introspection_visible(TSR_TOKEN_OPAQUE_ACCESS, "b", "a", true));
    assert_true(tsr_introspection_visible(TSR_TOKEN_JWT_ACCESS, "a", "a", false));
    assert_true(tsr_introspection_visible(TSR_TOKEN_JWT_ACCESS, "api", "a", true));
    assert_false(tsr_introspection_visible(TSR_TOKEN_JWT_ACCESS, "b", "a", false));
    assert_false(tsr_introspection_visible(TSR_TOKEN_JWT_ACCESS, "b", NULL, false));
    assert_false(tsr_introspection_visible(TSR_TOKEN_JWT_ACCESS, "", "", false));
    /* ID tokens (and any JWT not for an API) are never active. */
    assert_false(tsr_introspection_visible(TSR_TOKEN_JWT_OTHER, "a", "a", true));
}

/* ---- what consents, clients and passwords reach in the store ---- */

static char *add_person(struct people *p, const char *email)
{
    struct tsr_user u;
    assert_int_equal(tsr_user_init_new(&u, p->tenant_id, p->conn.id), 0);
    u.email = strdup(email);
    assert_int_equal(tsr_user_fill_defaults(&u), 0);
    assert_int_equal(tsr_user_insert(p->st, &u), 0);
    char *id = strdup(u.user_id);
    tsr_user_cleanup(&u);
    return id;
}

/* Issues a refresh token; returns its value (caller frees). */
static char *issue(struct people *p, const char *user, const char *client, const char *audience)
{
    struct tsr_refresh_token t = {.family_id = "fam",
                                  .client_id = (char *)client,
                                  .user_id = (char *)user,
                                  .sid = "",
                                  .scope = "openid",
                                  .audience = (char *)audience,
                                  .auth_time = 1};
    char *secret = NULL;
    assert_int_equal(tsr_refresh_token_create(p->st, p->tenant_id, &t, &secret), 0);
    return secret;
}

static bool revoked(struct people *p, char *secret)
{
    struct tsr_refresh_token t;
    assert_int_equal(tsr_refresh_token_find(p->st, p->tenant_id, secret, &t), 0);
    bool r = t.revoked_at != 0;
    tsr_refresh_token_cleanup(&t);
    free(secret);
    return r;
}

static void consent(struct people *p, const char *user, const char *client, const char *aud)
{
    struct tsr_strlist s = {0};
    assert_int_equal(tsr_strlist_split(&s, "openid read"), 0);
    assert_int_equal(tsr_consent_add(p->st, p->tenant_id, user, client, aud, &s), 0);
    tsr_strlist_cleanup(&s);
}

static void test_consent_delete_revokes(void **state)
{
    struct people *p = *state;
    char *alice = add_person(p, "alice@example.com"), *bob = add_person(p, "bob@example.com");
    consent(p, alice, "app", "https://api");
    consent(p, alice, "app", "");
    consent(p, alice, "other", "https://api");
    consent(p, bob, "app", "https://api");
    char *a_api = issue(p, alice, "app", "https://api"), *a_none = issue(p, alice, "app", "");
    char *a_other = issue(p, alice, "other", "https://api");
    char *b_api = issue(p, bob, "app", "https://api");

    struct tsr_consent *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(tsr_consent_list(p->st, p->tenant_id, alice, "app", "https://api", 0, 10,
                                      &list, &n, &total),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(tsr_consent_delete(p->st, p->tenant_id, list[0].id), 0);
    assert_int_equal(tsr_consent_delete(p->st, p->tenant_id, list[0].id), TSR_ENOTFOUND);
    tsr_consent_list_free(list, n);
    /* That user, that client, that audience: nothing else. */
    assert_true(revoked(p, a_api));
    assert_false(revoked(p, strdup(a_none)));
    assert_false(revoked(p, strdup(a_other)));
    assert_false(revoked(p, b_api));

    assert_int_equal(tsr_consent_delete_user(p->st, p->tenant_id, alice), 0);
    assert_true(revoked(p, a_none));
    assert_true(revoked(p, a_other));

    /* A client's tokens go with tsr_refresh_token_revoke_client; a user's with end_sessions. */
    char *b2 = issue(p, bob, "app", ""), *b3 = issue(p, bob, "other", "");
    assert_int_equal(tsr_refresh_token_revoke_client(p->st, p->tenant_id, "app"), 0);
    assert_true(revoked(p, b2));
    assert_false(revoked(p, strdup(b3)));
    assert_int_equal(tsr_user_end_sessions(p->st, p->tenant_id, bob), 0);
    assert_true(revoked(p, b3));
    free(alice);
    free(bob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkce),
        cmocka_unit_test(test_code_verdicts),
        cmocka_unit_test(test_client_methods),
        cmocka_unit_test(test_introspection_visibility),
        cmocka_unit_test_setup_teardown(test_consent_delete_revokes, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
