/*
 * test_client_update.c - a client changed by a patch of plain values:
 * the defaults of a new client per app_type, each field applied, each
 * invalid value refused with its property and message, the rules that
 * span fields, the system client, and the secret following the method.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/client_update.h"
#include "util/err.h"

static void new_client(struct tsr_client *c)
{
    assert_int_equal(tsr_client_init_new(c, "ten_test"), 0);
}

static bool list_is(const struct tsr_strlist *l, const char *const *want)
{
    size_t n = 0;
    while (want[n] != NULL)
        n++;
    if (l->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->v[i], want[i]) != 0)
            return false;
    return true;
}

static void test_create_defaults(void **state)
{
    (void)state;
    static const char *const interactive[] = {"authorization_code", "implicit", "refresh_token",
                                              NULL};
    static const char *const with_cc[] = {"authorization_code", "implicit", "refresh_token",
                                          "client_credentials", NULL};
    static const char *const m2m[] = {"client_credentials", NULL};
    static const char *const chosen[] = {"authorization_code", NULL};
    const struct {
        const char *app_type, *method;
        bool give_grants;
        const char *want_method;
        const char *const *want_grants;
        const char *want_rotation;
    } cases[] = {
        {NULL, NULL, false, "client_secret_post", with_cc, "non-rotating"},
        {"regular_web", NULL, false, "client_secret_post", with_cc, "non-rotating"},
        {"spa", NULL, false, "none", interactive, "rotating"},
        {"native", NULL, false, "none", interactive, "non-rotating"},
        {"non_interactive", NULL, false, "client_secret_post", m2m, "non-rotating"},
        {"regular_web", "client_secret_basic", false, "client_secret_basic", with_cc,
         "non-rotating"},
        {"regular_web", "none", false, "none", interactive, "non-rotating"},
        {"spa", "client_secret_post", false, "client_secret_post", interactive, "rotating"},
        {"non_interactive", NULL, true, "client_secret_post", chosen, "non-rotating"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_client c;
        struct tsr_client_patch p;
        struct tsr_refusal why;
        struct tsr_strlist grants = {0};
        print_message("app_type %s method %s\n", cases[i].app_type ? cases[i].app_type : "-",
                      cases[i].method ? cases[i].method : "-");
        new_client(&c);
        tsr_client_patch_init(&p);
        p.name = "App";
        p.app_type = cases[i].app_type;
        p.token_endpoint_auth_method = cases[i].method;
        if (cases[i].give_grants) {
            assert_int_equal(tsr_strlist_push(&grants, "authorization_code"), 0);
            p.grant_types = &grants;
        }
        assert_int_equal(tsr_client_apply_patch(&c, &p, true, &why), 0);
        assert_int_equal(why.kind, TSR_REFUSED_NONE);
        assert_string_equal(c.token_endpoint_auth_method, cases[i].want_method);
        assert_true(list_is(&c.grant_types, cases[i].want_grants));
        assert_string_equal(c.refresh_token.rotation_type, cases[i].want_rotation);
        assert_true(c.is_first_party);
        assert_true(c.oidc_conformant);
        assert_false(c.is_system);
        assert_int_equal(c.jwt_lifetime_in_seconds, TSR_CLIENT_JWT_LIFETIME_DEFAULT);
        assert_string_equal(c.client_metadata, "{}");
        assert_string_equal(c.secret_hash, "");
        assert_int_equal(c.callbacks.n, 0);
        if (strcmp(cases[i].want_rotation, "rotating") == 0) {
            assert_string_equal(c.refresh_token.expiration_type, "expiring");
            assert_int_equal(c.refresh_token.token_lifetime, 2592000);
            assert_int_equal(c.refresh_token.idle_token_lifetime, 1296000);
            assert_false(c.refresh_token.infinite_token_lifetime);
        }
        tsr_strlist_cleanup(&grants);
        tsr_client_cleanup(&c);
    }
}

/* An SPA's refresh token defaults come first; the patch's own settings win. */
static void test_spa_refresh_token_given(void **state)
{
    (void)state;
    struct tsr_client c;
    struct tsr_client_patch p;
    struct tsr_refusal why;
    new_client(&c);
    tsr_client_patch_init(&p);
    p.app_type = "spa";
    p.refresh_token.rotation_type = "non-rotating";
    p.refresh_token.has_leeway = true;
    p.refresh_token.leeway = 30;
    assert_int_equal(tsr_client_apply_patch(&c, &p, true, &why), 0);
    assert_string_equal(c.refresh_token.rotation_type, "non-rotating");
    assert_string_equal(c.refresh_token.expiration_type, "expiring");
    assert_int_equal(c.refresh_token.leeway, 30);
    tsr_client_cleanup(&c);
}

static void test_each_field(void **state)
{
    (void)state;
    struct tsr_client c;
    struct tsr_client_patch p;
    struct tsr_refusal why;
    struct tsr_strlist cbs = {0}, logout = {0}, origins = {0}, web = {0}, grants = {0};
    new_client(&c);
    char *hash_before = strdup(c.secret_hash);
    assert_int_equal(tsr_strlist_push(&cbs, "https://a.example.com/cb"), 0);
    assert_int_equal(tsr_strlist_push(&logout, "https://a.example.com/bye"), 0);
    assert_int_equal(tsr_strlist_push(&origins, "https://a.example.com"), 0);
    assert_int_equal(tsr_strlist_push(&web, "https://w.example.com"), 0);
    assert_int_equal(tsr_strlist_push(&grants, "password"), 0);
    assert_int_equal(tsr_strlist_push(&grants, "refresh_token"), 0);
    tsr_client_patch_init(&p);
    p.name = "Renamed";
    p.description = "What it does";
    p.app_type = "regular_web";
    p.logo_uri = "https://a.example.com/logo.png";
    p.is_first_party = TSR_PATCH_FALSE;
    p.oidc_conformant = TSR_PATCH_FALSE;
    p.token_endpoint_auth_method = "client_secret_basic";
    p.callbacks = &cbs;
    p.allowed_logout_urls = &logout;
    p.allowed_origins = &origins;
    p.web_origins = &web;
    p.grant_types = &grants;
    p.client_metadata = "{\"k\":\"v\"}";
    p.jwt_alg = "RS256";
    p.has_jwt_lifetime = true;
    p.jwt_lifetime_in_seconds = 600;
    p.refresh_token = (struct tsr_client_rt_patch){
        .rotation_type = "rotating",
        .expiration_type = "expiring",
        .has_leeway = true,
        .leeway = 3600,
        .has_token_lifetime = true,
        .token_lifetime = TSR_CLIENT_RT_LIFETIME_MAX,
        .has_idle_token_lifetime = true,
        .idle_token_lifetime = 1,
        .infinite_token_lifetime = TSR_PATCH_FALSE,
        .infinite_idle_token_lifetime = TSR_PATCH_FALSE,
    };
    assert_int_equal(tsr_client_apply_patch(&c, &p, false, &why), 0);
    assert_string_equal(c.name, "Renamed");
    assert_string_equal(c.description, "What it does");
    assert_string_equal(c.app_type, "regular_web");
    assert_string_equal(c.logo_uri, "https://a.example.com/logo.png");
    assert_false(c.is_first_party);
    assert_false(c.oidc_conformant);
    assert_string_equal(c.token_endpoint_auth_method, "client_secret_basic");
    assert_true(list_is(&c.callbacks, (const char *const[]){"https://a.example.com/cb", NULL}));
    assert_true(
        list_is(&c.allowed_logout_urls, (const char *const[]){"https://a.example.com/bye", NULL}));
    assert_true(list_is(&c.allowed_origins, (const char *const[]){"https://a.example.com", NULL}));
    assert_true(list_is(&c.web_origins, (const char *const[]){"https://w.example.com", NULL}));
    assert_true(list_is(&c.grant_types, (const char *const[]){"password", "refresh_token", NULL}));
    assert_string_equal(c.client_metadata, "{\"k\":\"v\"}");
    assert_int_equal(c.jwt_lifetime_in_seconds, 600);
    assert_string_equal(c.refresh_token.rotation_type, "rotating");
    assert_string_equal(c.refresh_token.expiration_type, "expiring");
    assert_int_equal(c.refresh_token.leeway, 3600);
    assert_int_equal(c.refresh_token.token_lifetime, TSR_CLIENT_RT_LIFETIME_MAX);
    assert_int_equal(c.refresh_token.idle_token_lifetime, 1);
    assert_false(c.refresh_token.infinite_token_lifetime);
    assert_false(c.refresh_token.infinite_idle_token_lifetime);
    /* A PATCH leaves the secret, client_id and what it does not name alone. */
    assert_string_equal(c.secret_hash, hash_before);

    /* An empty patch changes nothing. */
    tsr_client_patch_init(&p);
    assert_int_equal(tsr_client_apply_patch(&c, &p, false, &why), 0);
    assert_string_equal(c.name, "Renamed");
    assert_false(c.is_first_party);
    assert_int_equal(c.callbacks.n, 1);
    assert_int_equal(c.refresh_token.leeway, 3600);

    /* An empty list given empties the setting. */
    struct tsr_strlist none = {0};
    p.callbacks = &none;
    assert_int_equal(tsr_client_apply_patch(&c, &p, false, &why), 0);
    assert_int_equal(c.callbacks.n, 0);
    free(hash_before);
    tsr_strlist_cleanup(&cbs);
    tsr_strlist_cleanup(&logout);
    tsr_strlist_cleanup(&origins);
    tsr_strlist_cleanup(&web);
    tsr_strlist_cleanup(&grants);
    tsr_client_cleanup(&c);
}

enum knob {
    K_NAME,
    K_APP_TYPE,
    K_METHOD,
    K_GRANT,
    K_JWT_ALG,
    K_JWT_LIFETIME,
    K_ROTATION,
    K_EXPIRATION,
    K_LEEWAY,
    K_RT_LIFETIME,
    K_RT_IDLE,
};

static void test_invalid_values(void **state)
{
    (void)state;
    const struct {
        enum knob knob;
        const char *text;
        int64_t number;
        const char *field, *message;
    } cases[] = {
        {K_NAME, "<script>", 0, "name", "String does not match pattern: ^[^<>]+$"},
        {K_NAME, "a>b", 0, "name", "String does not match pattern: ^[^<>]+$"},
        {K_APP_TYPE, "desktop", 0, "app_type", "No enum match for: \"desktop\""},
        {K_APP_TYPE, "SPA", 0, "app_type", "No enum match for: \"SPA\""},
        {K_METHOD, "private_key_jwt", 0, "token_endpoint_auth_method",
         "No enum match for: \"private_key_jwt\""},
        {K_GRANT, "urn:ietf:params:oauth:grant-type:device_code", 0, "grant_types[1]",
         "No enum match for: \"urn:ietf:params:oauth:grant-type:device_code\""},
        {K_JWT_ALG, "HS256", 0, "jwt_configuration.alg", "No enum match for: \"HS256\""},
        {K_JWT_LIFETIME, NULL, 0, "jwt_configuration.lifetime_in_seconds",
         "Value 0 is less than minimum 1"},
        {K_JWT_LIFETIME, NULL, 2592001, "jwt_configuration.lifetime_in_seconds",
         "Value 2592001 is greater than maximum 2592000"},
        {K_ROTATION, "sometimes", 0, "refresh_token.rotation_type",
         "No enum match for: \"sometimes\""},
        {K_EXPIRATION, "never", 0, "refresh_token.expiration_type", "No enum match for: \"never\""},
        {K_LEEWAY, NULL, -1, "refresh_token.leeway", "Value -1 is less than minimum 0"},
        {K_LEEWAY, NULL, 3601, "refresh_token.leeway", "Value 3601 is greater than maximum 3600"},
        {K_RT_LIFETIME, NULL, 0, "refresh_token.token_lifetime", "Value 0 is less than minimum 1"},
        {K_RT_LIFETIME, NULL, 31557601, "refresh_token.token_lifetime",
         "Value 31557601 is greater than maximum 31557600"},
        {K_RT_IDLE, NULL, -5, "refresh_token.idle_token_lifetime",
         "Value -5 is less than minimum 1"},
        {K_RT_IDLE, NULL, 31557601, "refresh_token.idle_token_lifetime",
         "Value 31557601 is greater than maximum 31557600"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_client c;
        struct tsr_client_patch p;
        struct tsr_refusal why;
        struct tsr_strlist grants = {0};
        print_message("refused: %s\n", cases[i].field);
        new_client(&c);
        tsr_client_patch_init(&p);
        switch (cases[i].knob) {
        case K_NAME:
            p.name = cases[i].text;
            break;
        case K_APP_TYPE:
            p.app_type = cases[i].text;
            break;
        case K_METHOD:
            p.token_endpoint_auth_method = cases[i].text;
            break;
        case K_GRANT:
            assert_int_equal(tsr_strlist_push(&grants, "authorization_code"), 0);
            assert_int_equal(tsr_strlist_push(&grants, cases[i].text), 0);
            p.grant_types = &grants;
            break;
        case K_JWT_ALG:
            p.jwt_alg = cases[i].text;
            break;
        case K_JWT_LIFETIME:
            p.has_jwt_lifetime = true;
            p.jwt_lifetime_in_seconds = cases[i].number;
            break;
        case K_ROTATION:
            p.refresh_token.rotation_type = cases[i].text;
            break;
        case K_EXPIRATION:
            p.refresh_token.expiration_type = cases[i].text;
            break;
        case K_LEEWAY:
            p.refresh_token.has_leeway = true;
            p.refresh_token.leeway = cases[i].number;
            break;
        case K_RT_LIFETIME:
            p.refresh_token.has_token_lifetime = true;
            p.refresh_token.token_lifetime = cases[i].number;
            break;
        case K_RT_IDLE:
            p.refresh_token.has_idle_token_lifetime = true;
            p.refresh_token.idle_token_lifetime = cases[i].number;
            break;
        }
        for (int creating = 0; creating < 2; creating++) {
            assert_int_equal(tsr_client_apply_patch(&c, &p, creating, &why), TSR_EINVAL);
            assert_int_equal(why.kind, TSR_REFUSED_VALUE);
            assert_string_equal(why.field, cases[i].field);
            assert_string_equal(why.message, cases[i].message);
        }
        tsr_strlist_cleanup(&grants);
        tsr_client_cleanup(&c);
    }
}

/* The bounds themselves are allowed. */
static void test_bounds_allowed(void **state)
{
    (void)state;
    struct tsr_client c;
    struct tsr_client_patch p;
    struct tsr_refusal why;
    new_client(&c);
    tsr_client_patch_init(&p);
    p.has_jwt_lifetime = true;
    p.jwt_lifetime_in_seconds = 1;
    p.refresh_token.has_leeway = true;
    p.refresh_token.leeway = 0;
    p.refresh_token.has_token_lifetime = true;
    p.refresh_token.token_lifetime = 1;
    assert_int_equal(tsr_client_apply_patch(&c, &p, false, &why), 0);
    p.jwt_lifetime_in_seconds = TSR_CLIENT_JWT_LIFETIME_MAX;
    assert_int_equal(tsr_client_apply_patch(&c, &p, false, &why), 0);
    assert_int_equal(c.jwt_lifetime_in_seconds, TSR_CLIENT_JWT_LIFETIME_MAX);
    tsr_client_cleanup(&c);
}

static void test_public_without_client_credentials(void **state)
{
    (void)state;
    const struct {
        const char *method;
        bool cc, ok;
    } cases[] = {
        {"none", true, false},
        {"none", false, true},
        {"client_secret_post", true, true},
        {"client_secret_basic", true, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_client c;
        struct tsr_refusal why;
        new_client(&c);
        free(c.token_endpoint_auth_method);
        c.token_endpoint_auth_method = strdup(cases[i].method);
        assert_int_equal(tsr_strlist_push(&c.grant_types, "authorization_code"), 0);
        if (cases[i].cc)
            assert_int_equal(tsr_strlist_push(&c.grant_types, "client_credentials"), 0);
        int rc = tsr_client_check(&c, &why);
        assert_int_equal(rc, cases[i].ok ? 0 : TSR_EINVAL);
        if (!cases[i].ok) {
            assert_int_equal(why.kind, TSR_REFUSED_VALUE);
            assert_string_equal(why.field, "grant_types");
            assert_non_null(strstr(why.message, "client_credentials needs a client secret"));
        }
        tsr_client_cleanup(&c);
    }
}

static void test_system_client_and_rotation(void **state)
{
    (void)state;
    struct tsr_client c;
    struct tsr_refusal why;
    new_client(&c);
    assert_int_equal(tsr_client_may_change(&c, &why), 0);
    assert_int_equal(tsr_client_may_delete(&c, &why), 0);
    assert_int_equal(tsr_client_may_rotate_secret(&c, &why), 0);

    free(c.token_endpoint_auth_method);
    c.token_endpoint_auth_method = strdup("none");
    assert_int_equal(tsr_client_may_change(&c, &why), 0);
    assert_int_equal(tsr_client_may_rotate_secret(&c, &why), TSR_EINVAL);
    assert_int_equal(why.kind, TSR_REFUSED_REQUEST);
    assert_string_equal(why.message,
                        "The client does not use a secret (token_endpoint_auth_method is none)");

    c.is_system = true;
    assert_int_equal(tsr_client_may_change(&c, &why), TSR_EINVAL);
    assert_int_equal(why.kind, TSR_REFUSED_FORBIDDEN);
    assert_string_equal(why.message, "The system client cannot be modified");
    assert_int_equal(tsr_client_may_rotate_secret(&c, &why), TSR_EINVAL);
    assert_int_equal(why.kind, TSR_REFUSED_FORBIDDEN);
    assert_int_equal(tsr_client_may_delete(&c, &why), TSR_EINVAL);
    assert_int_equal(why.kind, TSR_REFUSED_FORBIDDEN);
    assert_string_equal(why.message, "The system client cannot be deleted");
    tsr_client_cleanup(&c);
}

static void test_settle_secret(void **state)
{
    (void)state;
    struct tsr_client c;
    new_client(&c);
    /* Confidential without a secret: a fresh one nobody knows. */
    assert_int_equal(tsr_client_settle_secret(&c), 0);
    assert_int_equal(strlen(c.secret_hash), 64);
    char *first = strdup(c.secret_hash);
    /* One it holds stays. */
    assert_int_equal(tsr_client_settle_secret(&c), 0);
    assert_string_equal(c.secret_hash, first);
    /* Public: none. */
    free(c.token_endpoint_auth_method);
    c.token_endpoint_auth_method = strdup("none");
    assert_int_equal(tsr_client_settle_secret(&c), 0);
    assert_string_equal(c.secret_hash, "");
    /* Confidential again: a new one, not the old. */
    free(c.token_endpoint_auth_method);
    c.token_endpoint_auth_method = strdup("client_secret_basic");
    assert_int_equal(tsr_client_settle_secret(&c), 0);
    assert_int_equal(strlen(c.secret_hash), 64);
    assert_string_not_equal(c.secret_hash, first);
    free(first);
    /* Whether the switch revokes what was issued. */
    assert_true(tsr_client_method_change_revokes("client_secret_post", "none"));
    assert_false(tsr_client_method_change_revokes("none", "client_secret_post"));
    assert_false(tsr_client_method_change_revokes("client_secret_post", "client_secret_basic"));
    tsr_client_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_defaults),
        cmocka_unit_test(test_spa_refresh_token_given),
        cmocka_unit_test(test_each_field),
        cmocka_unit_test(test_invalid_values),
        cmocka_unit_test(test_bounds_allowed),
        cmocka_unit_test(test_public_without_client_credentials),
        cmocka_unit_test(test_system_client_and_rotation),
        cmocka_unit_test(test_settle_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
