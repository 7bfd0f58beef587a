/*
 * test_token_policy_grant.c - grant types, the client credentials
 * decision over the tenant's catalog (tsr_cc_decide_catalog) and a person's scopes under RBAC
 * (tsr_token_person_scope), the person a grant names (tsr_token_subject)
 * and the password grant's connection (tsr_password_connection) on a
 * migrated in-memory store, and the claims
 * of each access token dialect (access_token, access_token_authz,
 * rfc9068_profile, rfc9068_profile_authz).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/access_token.h"
#include "core/grant.h"
#include "core/rbac.h"
#include "core/token_policy.h"
#include "util/err.h"

#include "fixture_tokens.h"

#define AUD "https://orders.example.com/"
#define MGMT "https://id.example.com/api/v2/"

static void add_api(struct people *p, const char *identifier, bool enforce)
{
    struct tsr_api a;
    struct tsr_api_scope scopes[] = {{"read:orders", "Read"},
                                     {"write:orders", "Write"},
                                     {"read:users", "Management"},
                                     {"delete:users", "Management"}};
    assert_int_equal(tsr_api_init_new(&a, p->tenant_id), 0);
    free(a.identifier);
    a.identifier = strdup(identifier);
    a.enforce_policies = enforce;
    assert_int_equal(tsr_api_set_scopes(&a, scopes, 4), 0);
    assert_int_equal(tsr_api_insert(p->st, &a), 0);
    tsr_api_cleanup(&a);
}

static char *add_client(struct people *p, const char *method, const char *grant_types)
{
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, p->tenant_id), 0);
    free(c.token_endpoint_auth_method);
    c.token_endpoint_auth_method = strdup(method);
    assert_int_equal(tsr_strlist_split(&c.grant_types, grant_types), 0);
    assert_int_equal(tsr_client_insert(p->st, &c), 0);
    char *id = strdup(c.client_id);
    tsr_client_cleanup(&c);
    return id;
}

static void add_grant(struct people *p, const char *client_id, const char *audience,
                      const char *scope)
{
    struct tsr_grant g;
    assert_int_equal(tsr_grant_init_new(&g, p->tenant_id), 0);
    free(g.client_id);
    free(g.audience);
    g.client_id = strdup(client_id);
    g.audience = strdup(audience);
    assert_int_equal(tsr_strlist_split(&g.scope, scope), 0);
    assert_int_equal(tsr_grant_insert(p->st, &g), 0);
    tsr_grant_cleanup(&g);
}

static void test_grant_allowed(void **state)
{
    (void)state;
    struct tsr_client c = {0};
    assert_int_equal(tsr_strlist_split(&c.grant_types, "authorization_code refresh_token"), 0);
    assert_true(tsr_token_grant_allowed(&c, "authorization_code"));
    assert_true(tsr_token_grant_allowed(&c, "refresh_token"));
    assert_false(tsr_token_grant_allowed(&c, "password"));
    assert_false(tsr_token_grant_allowed(&c, "client_credentials"));
    tsr_strlist_cleanup(&c.grant_types);
}

static void test_client_credentials(void **state)
{
    struct people *p = *state;
    add_api(p, AUD, false);
    add_api(p, "https://other.example.com/", false);
    char *m2m = add_client(p, "client_secret_post", "client_credentials");
    char *spa = add_client(p, "none", "client_credentials authorization_code");
    char *web = add_client(p, "client_secret_basic", "authorization_code");
    add_grant(p, m2m, AUD, "read:orders write:orders");
    add_grant(p, spa, AUD, "read:orders");

    static const struct {
        const char *name;
        int client; /* 0 m2m, 1 spa, 2 web */
        const char *default_audience, *audience, *scope;
        enum tsr_cc_verdict want;
        const char *want_scope;
    } cases[] = {
        {"whole grant", 0, "", AUD, NULL, TSR_CC_OK, "read:orders write:orders"},
        {"narrower", 0, "", AUD, "write:orders", TSR_CC_OK, "write:orders"},
        {"beyond the grant dropped", 0, "", AUD, "read:orders admin", TSR_CC_OK, "read:orders"},
        {"the default audience", 0, AUD, NULL, "", TSR_CC_OK, "read:orders write:orders"},
        {"the asked audience over the default", 0, "https://nowhere/", AUD, NULL, TSR_CC_OK,
         "read:orders write:orders"},
        {"no audience", 0, "", "", NULL, TSR_CC_NO_AUDIENCE, NULL},
        {"no audience, no default", 0, NULL, NULL, NULL, TSR_CC_NO_AUDIENCE, NULL},
        {"unknown API", 0, "", "https://nowhere/", NULL, TSR_CC_UNKNOWN_API, NULL},
        {"no client grant", 0, "", "https://other.example.com/", NULL, TSR_CC_NO_GRANT, NULL},
        {"public client", 1, "", AUD, NULL, TSR_CC_UNAUTHORIZED_CLIENT, NULL},
        {"grant type not registered", 2, "", AUD, NULL, TSR_CC_UNAUTHORIZED_CLIENT, NULL},
    };
    const char *ids[] = {m2m, spa, web};
    /* The catalog the requests decide over. */
    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(p->st, p->tenant_id, &cat), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct tsr_client *c = tsr_catalog_client(cat, ids[cases[i].client]);
        struct tsr_cc_decision d;
        assert_non_null(c);
        assert_int_equal(tsr_cc_decide_catalog(cat, cases[i].default_audience, c, cases[i].audience,
                                               cases[i].scope, &d),
                         0);
        if (d.verdict != cases[i].want)
            fail_msg("%s: got verdict %d, want %d", cases[i].name, (int)d.verdict,
                     (int)cases[i].want);
        if (cases[i].want == TSR_CC_OK) {
            char *s = tsr_strlist_join(&d.scope);
            assert_string_equal(s, cases[i].want_scope);
            assert_string_equal(d.api->identifier, AUD);
            assert_string_equal(d.audience, AUD);
            free(s);
        }
        tsr_cc_decision_cleanup(&d);
    }
    tsr_catalog_free(cat);

    /* Storage failures are errors, never a verdict: the catalog does not load, then it does. */
    int n = 1;
    for (; n < 100; n++) {
        tsr_store_fail_after(n);
        int rc = tsr_catalog_load(p->st, p->tenant_id, &cat);
        tsr_store_fail_after(0);
        if (rc == 0)
            break;
        assert_int_equal(rc, TSR_ESTORE);
        assert_null(cat);
    }
    assert_true(n > 1 && n < 100);
    struct tsr_cc_decision d;
    assert_int_equal(tsr_cc_decide_catalog(cat, "", tsr_catalog_client(cat, m2m), AUD, NULL, &d),
                     0);
    assert_int_equal(d.verdict, TSR_CC_OK);
    tsr_cc_decision_cleanup(&d);
    tsr_catalog_free(cat);
    free(m2m);
    free(spa);
    free(web);
}

static char *person_scope(struct people *p, const char *audience, bool mgmt, const char *asked,
                          char **perms_out)
{
    struct tsr_api api;
    struct tsr_strlist scope = {0}, perms = {0};
    assert_int_equal(tsr_api_get_by_identifier(p->st, p->tenant_id, audience, &api), 0);
    assert_int_equal(tsr_strlist_split(&scope, asked), 0);
    assert_int_equal(
        tsr_token_person_scope(p->st, p->tenant_id, tokens_user, &api, mgmt, &scope, &perms), 0);
    const struct tsr_strlist *claim = tsr_token_permissions_claim(&api, mgmt, &perms);
    *perms_out = claim ? tsr_strlist_join(claim) : NULL;
    char *s = tsr_strlist_join(&scope);
    tsr_strlist_cleanup(&scope);
    tsr_strlist_cleanup(&perms);
    tsr_api_cleanup(&api);
    return s;
}

static void test_person_scope(void **state)
{
    struct people *p = *state;
    add_api(p, AUD, true);
    add_api(p, "https://open.example.com/", false);
    add_api(p, MGMT, false);
    assert_int_equal(tsr_rbac_grant(p->st, p->tenant_id, tokens_user, AUD, "read:orders"), 0);
    assert_int_equal(tsr_rbac_grant(p->st, p->tenant_id, tokens_user, MGMT, "read:users"), 0);

    static const struct {
        const char *name, *audience;
        bool mgmt;
        const char *asked, *want, *want_perms; /* want_perms NULL: no permissions claim */
    } cases[] = {
        {"enforced: held kept, others dropped", AUD, false, "openid read:orders write:orders",
         "openid read:orders", "read:orders"},
        {"enforced: the claim lists all held", AUD, false, "openid", "openid", "read:orders"},
        {"not enforced: left alone", "https://open.example.com/", false,
         "openid read:orders write:orders", "openid read:orders write:orders", NULL},
        {"Management API: current-user and held", MGMT, true,
         "openid read:current_user read:users delete:users", "openid read:current_user read:users",
         NULL},
        /* The Management API's rule holds whatever enforce_policies says: no claim. */
        {"Management API flagged enforced", AUD, true,
         "openid read:orders write:orders read:current_user",
         "openid read:orders read:current_user", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *perms = NULL;
        char *got = person_scope(p, cases[i].audience, cases[i].mgmt, cases[i].asked, &perms);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].name, got, cases[i].want);
        if (cases[i].want_perms == NULL)
            assert_null(perms);
        else
            assert_string_equal(perms, cases[i].want_perms);
        free(got);
        free(perms);
    }

    struct tsr_api api;
    struct tsr_strlist scope = {0}, perms = {0};
    assert_int_equal(tsr_api_get_by_identifier(p->st, p->tenant_id, AUD, &api), 0);
    assert_int_equal(tsr_strlist_split(&scope, "openid read:orders"), 0);
    tsr_store_fail_after(1);
    assert_int_equal(
        tsr_token_person_scope(p->st, p->tenant_id, tokens_user, &api, false, &scope, &perms),
        TSR_ESTORE);
    tsr_store_fail_after(0);
    assert_int_equal(scope.n, 2); /* unchanged */
    tsr_strlist_cleanup(&scope);
    tsr_strlist_cleanup(&perms);
    tsr_api_cleanup(&api);
}

static void test_is_mgmt_api(void **state)
{
    (void)state;
    struct tsr_api api = {.identifier = MGMT};
    assert_true(tsr_token_is_mgmt_api(&api, MGMT));
    assert_false(tsr_token_is_mgmt_api(&api, AUD));
    assert_false(tsr_token_is_mgmt_api(&api, NULL));
    api.is_system = true;
    assert_true(tsr_token_is_mgmt_api(&api, AUD));
}

static void test_subject(void **state)
{
    struct people *p = *state;
    struct tsr_user u;
    assert_int_equal(tsr_user_init_new(&u, p->tenant_id, p->conn.id), 0);
    u.email = strdup("blocked@example.com");
    u.blocked = true;
    assert_int_equal(tsr_user_fill_defaults(&u), 0);
    assert_int_equal(tsr_user_insert(p->st, &u), 0);
    char *blocked = strdup(u.user_id);
    tsr_user_cleanup(&u);

    static const struct {
        int who; /* 0 the fixture's person, 1 blocked, 2 nobody */
        enum tsr_subject_verdict want;
    } cases[] = {{0, TSR_SUBJECT_OK}, {1, TSR_SUBJECT_BLOCKED}, {2, TSR_SUBJECT_GONE}};
    const char *ids[] = {tokens_user, blocked, "auth0|nobody"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum tsr_subject_verdict v;
        assert_int_equal(tsr_token_subject(p->st, p->tenant_id, ids[cases[i].who], &u, &v), 0);
        assert_int_equal(v, cases[i].want);
        if (v == TSR_SUBJECT_OK)
            assert_string_equal(u.user_id, tokens_user);
        else
            assert_null(u.user_id);
        tsr_user_cleanup(&u);
    }
    enum tsr_subject_verdict v;
    tsr_store_fail_after(1);
    assert_int_equal(tsr_token_subject(p->st, p->tenant_id, tokens_user, &u, &v), TSR_ESTORE);
    tsr_store_fail_after(0);
    tsr_user_cleanup(&u);
    free(blocked);
}

static void test_password_connection(void **state)
{
    struct people *p = *state;
    char *app = people_add_client(p), *other = people_add_client(p);
    assert_int_equal(tsr_strlist_push(&p->conn.enabled_clients, app), 0);
    assert_int_equal(tsr_connection_update(p->st, &p->conn), 0);
    const char *def = p->conn.name;

    static const struct {
        const char *name;
        bool other_client;
        bool default_directory;
        const char *realm;
        enum tsr_pw_conn_verdict want;
    } cases[] = {
        {"the realm", false, false, TSR_DEFAULT_CONNECTION, TSR_PW_CONN_OK},
        {"the default directory", false, true, NULL, TSR_PW_CONN_OK},
        {"the default directory, empty realm", false, true, "", TSR_PW_CONN_OK},
        {"no realm, no default", false, false, NULL, TSR_PW_CONN_NO_DEFAULT},
        {"unknown realm", false, true, "no-such-connection", TSR_PW_CONN_UNKNOWN_REALM},
        {"not enabled for the client", true, true, NULL, TSR_PW_CONN_NOT_ENABLED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_connection c;
        const char *name = NULL;
        enum tsr_pw_conn_verdict v;
        assert_int_equal(tsr_password_connection(
                             p->st, p->tenant_id, cases[i].default_directory ? def : "",
                             cases[i].realm, cases[i].other_client ? other : app, &c, &name, &v),
                         0);
        if (v != cases[i].want)
            fail_msg("%s: got verdict %d, want %d", cases[i].name, (int)v, (int)cases[i].want);
        if (v == TSR_PW_CONN_OK)
            assert_string_equal(c.id, p->conn.id);
        else
            assert_null(c.id);
        if (v == TSR_PW_CONN_NO_DEFAULT)
            assert_null(name);
        else
            assert_string_equal(name, cases[i].realm && cases[i].realm[0] ? cases[i].realm : def);
        tsr_connection_cleanup(&c);
    }
    struct tsr_connection c;
    const char *name;
    enum tsr_pw_conn_verdict v;
    tsr_store_fail_after(1);
    assert_int_equal(tsr_password_connection(p->st, p->tenant_id, def, NULL, app, &c, &name, &v),
                     TSR_ESTORE);
    tsr_store_fail_after(0);
    tsr_connection_cleanup(&c);
    free(app);
    free(other);
}

/* ---- token dialects ---- */

static void test_dialects(void **state)
{
    (void)state;
    static const struct {
        const char *dialect;
        bool rfc9068, permissions;
    } cases[] = {
        {"access_token", false, false},
        {"access_token_authz", false, true},
        {"rfc9068_profile", true, false},
        {"rfc9068_profile_authz", true, true},
    };
    struct tsr_strlist scope = {0}, perms = {0};
    assert_int_equal(tsr_strlist_split(&scope, "openid read:orders"), 0);
    assert_int_equal(tsr_strlist_split(&perms, "read:orders write:orders"), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_api api = {.identifier = AUD, .token_dialect = (char *)cases[i].dialect};
        assert_int_equal(tsr_access_token_is_rfc9068(&api), cases[i].rfc9068);
        assert_int_equal(tsr_access_token_has_permissions(&api), cases[i].permissions);
        for (int with_perms = 0; with_perms < 2; with_perms++) {
            struct tsr_access_token_claims c = {.sub = "auth0|u",
                                                .azp = "app",
                                                .gty = "password",
                                                .scope = &scope,
                                                .permissions = with_perms ? &perms : NULL,
                                                .lifetime = 600,
                                                .userinfo_aud = "https://id.example.com/userinfo"};
            json_t *j = tsr_access_token_claims_json("https://id.example.com/", &api, &c, TOKENS_T0,
                                                     "jti123");
            assert_non_null(j);
            assert_string_equal(json_string_value(json_object_get(j, "iss")),
                                "https://id.example.com/");
            assert_int_equal(json_integer_value(json_object_get(j, "exp")), TOKENS_T0 + 600);
            assert_int_equal(json_array_size(json_object_get(j, "aud")), 2);
            assert_string_equal(json_string_value(json_object_get(j, "scope")),
                                "openid read:orders");
            /* RFC 9068 names the client client_id and adds jti; Auth0's says azp and gty. */
            assert_int_equal(json_object_get(j, "client_id") != NULL, cases[i].rfc9068);
            assert_int_equal(json_object_get(j, "jti") != NULL, cases[i].rfc9068);
            assert_int_equal(json_object_get(j, "azp") != NULL, !cases[i].rfc9068);
            assert_int_equal(json_object_get(j, "gty") != NULL, !cases[i].rfc9068);
            json_t *claim = json_object_get(j, "permissions");
            assert_int_equal(claim != NULL, cases[i].permissions);
            if (claim != NULL) /* the person's permissions, else the scopes */
                assert_string_equal(json_string_value(json_array_get(claim, 1)),
                                    with_perms ? "write:orders" : "read:orders");
            json_decref(j);
        }
    }
    /* Without openid the audience is the API alone. */
    struct tsr_api api = {.identifier = AUD, .token_dialect = "access_token"};
    struct tsr_access_token_claims c = {
        .sub = "x@clients", .azp = "x", .scope = &perms, .lifetime = 60};
    json_t *j = tsr_access_token_claims_json("https://id.example.com/", &api, &c, TOKENS_T0, "j");
    assert_string_equal(json_string_value(json_object_get(j, "aud")), AUD);
    assert_null(json_object_get(j, "gty"));
    json_decref(j);
    tsr_strlist_cleanup(&scope);
    tsr_strlist_cleanup(&perms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grant_allowed),
        cmocka_unit_test_setup_teardown(test_client_credentials, tokens_setup, tokens_teardown),
        cmocka_unit_test_setup_teardown(test_person_scope, tokens_setup, tokens_teardown),
        cmocka_unit_test(test_is_mgmt_api),
        cmocka_unit_test_setup_teardown(test_subject, tokens_setup, tokens_teardown),
        cmocka_unit_test_setup_teardown(test_password_connection, tokens_setup, tokens_teardown),
        cmocka_unit_test(test_dialects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
