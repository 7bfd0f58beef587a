/*
 * test_api_update.c - an API changed by a patch of plain values: the
 * system API and the immutable identifier, a new API's identifier and
 * name, signing algorithms and the secret that follows them, lifetime
 * bounds, scopes, RBAC flags and token dialects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/api_update.h"
#include "util/err.h"

static const uint8_t master_key[TSR_MASTER_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

static void new_api(struct tsr_api *a, const char *identifier)
{
    assert_int_equal(tsr_api_init_new(a, "ten_test"), 0);
    free(a->identifier);
    a->identifier = strdup(identifier);
    free(a->name);
    a->name = strdup(identifier);
}

static void patch_init(struct tsr_api_patch *p)
{
    memset(p, 0, sizeof *p);
    p->allow_offline_access = TSR_PATCH_UNSET;
    p->skip_consent_for_verifiable_first_party_clients = TSR_PATCH_UNSET;
    p->enforce_policies = TSR_PATCH_UNSET;
}

static void assert_refused(int rc, const struct tsr_refusal *why, enum tsr_refusal_kind kind,
                           const char *field, const char *message)
{
    assert_int_equal(rc, TSR_EINVAL);
    assert_int_equal(why->kind, kind);
    if (field != NULL)
        assert_string_equal(why->field, field);
    assert_string_equal(why->message, message);
}

static void test_what_may_change(void **state)
{
    (void)state;
    static const char *const lifetimes[] = {"token_lifetime", "token_lifetime_for_web"};
    static const char *const with_name[] = {"token_lifetime", "name"};
    static const char *const ignored[] = {"options"};
    static const char *const id_only[] = {"identifier"};
    const char *const forbidden =
        "Only token_lifetime and token_lifetime_for_web of the system API can be changed";
    const char *const immutable =
        "Payload validation error: 'Additional properties not allowed: identifier'.";
    const struct {
        bool system;
        const char *const *given;
        size_t ngiven;
        bool has_identifier;
        const char *identifier;
        enum tsr_refusal_kind kind;
        const char *message;
    } cases[] = {
        {false, NULL, 0, false, NULL, TSR_REFUSED_NONE, NULL},
        {true, NULL, 0, false, NULL, TSR_REFUSED_NONE, NULL},
        {true, lifetimes, 2, false, NULL, TSR_REFUSED_NONE, NULL},
        {true, with_name, 2, false, NULL, TSR_REFUSED_FORBIDDEN, forbidden},
        {true, ignored, 1, false, NULL, TSR_REFUSED_FORBIDDEN, forbidden},
        {true, id_only, 1, true, "https://api.example.com/", TSR_REFUSED_FORBIDDEN, forbidden},
        {false, id_only, 1, true, "https://api.example.com/", TSR_REFUSED_NONE, NULL},
        {false, id_only, 1, true, "https://other.example.com/", TSR_REFUSED_PROPERTY, immutable},
        {false, id_only, 1, true, "https://API.example.com/", TSR_REFUSED_PROPERTY, immutable},
        {false, id_only, 1, true, NULL, TSR_REFUSED_PROPERTY, immutable}, /* not a string */
        {false, ignored, 1, false, NULL, TSR_REFUSED_NONE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_api a;
        struct tsr_api_patch p;
        struct tsr_refusal why;
        print_message("case %zu\n", i);
        new_api(&a, "https://api.example.com/");
        a.is_system = cases[i].system;
        patch_init(&p);
        p.given = cases[i].given;
        p.ngiven = cases[i].ngiven;
        p.has_identifier = cases[i].has_identifier;
        p.identifier = cases[i].identifier;
        int rc = tsr_api_patch_permitted(&a, &p, &why);
        if (cases[i].kind == TSR_REFUSED_NONE) {
            assert_int_equal(rc, 0);
            assert_int_equal(why.kind, TSR_REFUSED_NONE);
        } else {
            assert_refused(rc, &why, cases[i].kind, NULL, cases[i].message);
        }
        tsr_api_cleanup(&a);
    }
}

static void test_create_identifier_and_name(void **state)
{
    (void)state;
    struct tsr_api a;
    struct tsr_api_patch p;
    struct tsr_refusal why;

    assert_int_equal(tsr_api_init_new(&a, "ten_test"), 0);
    patch_init(&p);
    p.identifier = "https://orders.example.com/";
    assert_int_equal(tsr_api_apply_patch(&a, &p, true, master_key, &why), 0);
    assert_string_equal(a.identifier, "https://orders.example.com/");
    assert_string_equal(a.name, "https://orders.example.com/");
    assert_string_equal(a.signing_alg, "RS256");
    assert_string_equal(a.signing_secret, "");
    p.name = "Orders";
    assert_int_equal(tsr_api_apply_patch(&a, &p, true, master_key, &why), 0);
    assert_string_equal(a.name, "Orders");
    tsr_api_cleanup(&a);

    static const char *const spaced[] = {"https://a b/", " x", "x\t", "a\nb"};
    for (size_t i = 0; i < sizeof spaced / sizeof *spaced; i++) {
        assert_int_equal(tsr_api_init_new(&a, "ten_test"), 0);
        patch_init(&p);
        p.identifier = spaced[i];
        assert_refused(tsr_api_apply_patch(&a, &p, true, master_key, &why), &why, TSR_REFUSED_VALUE,
                       "identifier", "String must not contain whitespace");
        tsr_api_cleanup(&a);
    }
    assert_int_equal(tsr_api_init_new(&a, "ten_test"), 0);
    patch_init(&p);
    assert_refused(tsr_api_apply_patch(&a, &p, true, master_key, &why), &why, TSR_REFUSED_REQUEST,
                   NULL, "Payload validation error: 'Missing required property: identifier'.");
    tsr_api_cleanup(&a);

    /* Names: no angle brackets; a PATCH leaves the identifier alone. */
    new_api(&a, "https://api.example.com/");
    patch_init(&p);
    p.name = "<b>API</b>";
    assert_refused(tsr_api_apply_patch(&a, &p, false, master_key, &why), &why, TSR_REFUSED_VALUE,
                   "name", "String does not match pattern: ^[^<>]+$");
    p.name = "Renamed API";
    p.identifier = "https://ignored.example.com/";
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_string_equal(a.name, "Renamed API");
    assert_string_equal(a.identifier, "https://api.example.com/");
    tsr_api_cleanup(&a);
}

static void test_signing(void **state)
{
    (void)state;
    struct tsr_api a;
    struct tsr_api_patch p;
    struct tsr_refusal why;
    new_api(&a, "https://api.example.com/");
    static const char *const refused_algs[] = {"none",  "ES384", "RS512",
                                               "HS512", "rs256", "ed25519"};
    for (size_t i = 0; i < sizeof refused_algs / sizeof *refused_algs; i++) {
        char msg[128];
        patch_init(&p);
        p.signing_alg = refused_algs[i];
        snprintf(msg, sizeof msg,
                 "No enum match for: \"%s\" (allowed: RS256, PS256, ES256, EdDSA, HS256)",
                 refused_algs[i]);
        assert_refused(tsr_api_apply_patch(&a, &p, false, master_key, &why), &why,
                       TSR_REFUSED_VALUE, "signing_alg", msg);
        tsr_api_cleanup(&a);
        new_api(&a, "https://api.example.com/");
    }

    /* The tenant-key algs are taken as given and hold no secret. */
    static const char *const tenant_algs[] = {"PS256", "ES256", "EdDSA", "RS256"};
    for (size_t i = 0; i < sizeof tenant_algs / sizeof *tenant_algs; i++) {
        patch_init(&p);
        p.signing_alg = tenant_algs[i];
        assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
        assert_string_equal(a.signing_alg, tenant_algs[i]);
        assert_string_equal(a.signing_secret, "");
    }

    /* HS256 without a secret gets a fresh one; it stays across later patches. */
    patch_init(&p);
    p.signing_alg = "HS256";
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_string_equal(a.signing_alg, "HS256");
    assert_string_not_equal(a.signing_secret, "");
    char *sealed = strdup(a.signing_secret);
    patch_init(&p);
    p.name = "Still HS256";
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_string_equal(a.signing_secret, sealed);
    free(sealed);

    /* A given secret is sealed and opens to its text. */
    const char *given = "0123456789abcdefghijklmnopqrstuv"; /* 32 characters */
    patch_init(&p);
    p.signing_secret = given;
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    uint8_t *raw = NULL;
    size_t len = 0;
    assert_int_equal(tsr_api_open_signing_secret(&a, master_key, &raw, &len), 0);
    assert_int_equal(len, strlen(given));
    assert_memory_equal(raw, given, len);
    free(raw);

    char too_long[TSR_API_SECRET_MAX_CHARS + 2];
    memset(too_long, 'k', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    const struct {
        const char *secret, *message;
    } bad[] = {
        {"0123456789abcdefghijklmnopqrstu", "String is too short (31 chars), minimum 32"},
        {too_long, "String is too long (1025 chars), maximum 1024"},
        {"0123456789abcdefghij klmnopqrstuvw",
         "Expected printable ASCII characters without spaces"},
        {"0123456789abcdefghijklmnopqrstuvw\xc3\xa9",
         "Expected printable ASCII characters without spaces"},
        {"0123456789abcdefghijklmnopqrstuvw\x01", "String must not contain control characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        print_message("secret %zu\n", i);
        patch_init(&p);
        p.signing_secret = bad[i].secret;
        assert_refused(tsr_api_apply_patch(&a, &p, false, master_key, &why), &why,
                       TSR_REFUSED_VALUE, "signing_secret", bad[i].message);
    }

    /* Back to RS256: the secret goes; a secret with RS256 is refused. */
    tsr_api_cleanup(&a);
    new_api(&a, "https://api.example.com/");
    patch_init(&p);
    p.signing_alg = "HS256";
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    p.signing_alg = "RS256";
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_string_equal(a.signing_secret, "");
    p.signing_secret = given;
    assert_refused(tsr_api_apply_patch(&a, &p, false, master_key, &why), &why, TSR_REFUSED_VALUE,
                   "signing_secret", "A signing secret needs signing_alg HS256");
    tsr_api_cleanup(&a);
}

static void test_lifetimes(void **state)
{
    (void)state;
    const int64_t max = TSR_API_LIFETIME_MAX;
    const struct {
        bool has_t;
        int64_t t;
        bool has_w;
        int64_t w;
        int64_t want_t, want_w; /* stored before: 86400 and 7200 */
        const char *field, *message;
    } cases[] = {
        {true, 1, false, 0, 1, 1, NULL, NULL}, /* the browser lifetime follows down */
        {true, max, false, 0, max, 7200, NULL, NULL},
        {false, 0, true, 86400, 86400, 86400, NULL, NULL},
        {true, 3600, true, 60, 3600, 60, NULL, NULL},
        {true, 0, false, 0, 0, 0, "token_lifetime", "Value 0 is less than minimum 1"},
        {true, -1, false, 0, 0, 0, "token_lifetime", "Value -1 is less than minimum 1"},
        {true, max + 1, false, 0, 0, 0, "token_lifetime",
         "Value 2592001 is greater than maximum 2592000"},
        {false, 0, true, 0, 0, 0, "token_lifetime_for_web", "Value 0 is less than minimum 1"},
        {false, 0, true, max + 1, 0, 0, "token_lifetime_for_web",
         "Value 2592001 is greater than maximum 2592000"},
        {false, 0, true, 86401, 0, 0, "token_lifetime_for_web",
         "Value 86401 is greater than maximum 86400 (token_lifetime)"},
        {true, 60, true, 61, 0, 0, "token_lifetime_for_web",
         "Value 61 is greater than maximum 60 (token_lifetime)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_api a;
        struct tsr_api_patch p;
        struct tsr_refusal why;
        print_message("lifetimes case %zu\n", i);
        new_api(&a, "https://api.example.com/");
        patch_init(&p);
        p.has_token_lifetime = cases[i].has_t;
        p.token_lifetime = cases[i].t;
        p.has_token_lifetime_for_web = cases[i].has_w;
        p.token_lifetime_for_web = cases[i].w;
        int rc = tsr_api_apply_patch(&a, &p, false, master_key, &why);
        if (cases[i].field == NULL) {
            assert_int_equal(rc, 0);
            assert_int_equal(a.token_lifetime, cases[i].want_t);
            assert_int_equal(a.token_lifetime_for_web, cases[i].want_w);
        } else {
            assert_refused(rc, &why, TSR_REFUSED_VALUE, cases[i].field, cases[i].message);
        }
        tsr_api_cleanup(&a);
    }
}

static void test_scopes(void **state)
{
    (void)state;
    struct tsr_api a;
    struct tsr_api_patch p;
    struct tsr_refusal why;
    new_api(&a, "https://api.example.com/");
    struct tsr_api_scope good[] = {{"read:orders", "Read"}, {"write:orders", NULL}};
    patch_init(&p);
    p.has_scopes = true;
    p.scopes = good;
    p.nscopes = 2;
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_int_equal(a.nscopes, 2);
    assert_true(tsr_api_has_scope(&a, "write:orders"));
    assert_string_equal(a.scopes[1].description, "");

    struct tsr_api_scope spaced[] = {{"read:orders", NULL}, {"write orders", NULL}};
    p.scopes = spaced;
    assert_refused(tsr_api_apply_patch(&a, &p, false, master_key, &why), &why, TSR_REFUSED_VALUE,
                   "scopes[1].value", "String must not contain whitespace");
    struct tsr_api_scope twice[] = {{"a", NULL}, {"b", NULL}, {"a", "again"}};
    p.scopes = twice;
    p.nscopes = 3;
    assert_refused(tsr_api_apply_patch(&a, &p, false, master_key, &why), &why, TSR_REFUSED_VALUE,
                   "scopes[2].value", "Duplicate scope value: a");
    tsr_api_cleanup(&a);

    /* An empty list clears them; a patch without scopes keeps them. */
    new_api(&a, "https://api.example.com/");
    patch_init(&p);
    p.has_scopes = true;
    p.scopes = good;
    p.nscopes = 2;
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    patch_init(&p);
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_int_equal(a.nscopes, 2);
    p.has_scopes = true;
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_int_equal(a.nscopes, 0);
    tsr_api_cleanup(&a);
}

static void test_flags_and_dialects(void **state)
{
    (void)state;
    struct tsr_api a;
    struct tsr_api_patch p;
    struct tsr_refusal why;
    new_api(&a, "https://api.example.com/");
    assert_false(a.allow_offline_access);
    assert_true(a.skip_consent_for_verifiable_first_party_clients);
    assert_false(a.enforce_policies);
    patch_init(&p);
    p.allow_offline_access = TSR_PATCH_TRUE;
    p.skip_consent_for_verifiable_first_party_clients = TSR_PATCH_FALSE;
    p.enforce_policies = TSR_PATCH_TRUE;
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_true(a.allow_offline_access);
    assert_false(a.skip_consent_for_verifiable_first_party_clients);
    assert_true(a.enforce_policies);
    patch_init(&p); /* unset leaves each alone */
    assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
    assert_true(a.allow_offline_access);
    assert_false(a.skip_consent_for_verifiable_first_party_clients);
    assert_true(a.enforce_policies);

    static const char *const dialects[] = {"access_token", "access_token_authz", "rfc9068_profile",
                                           "rfc9068_profile_authz"};
    for (size_t i = 0; i < sizeof dialects / sizeof *dialects; i++) {
        patch_init(&p);
        p.token_dialect = dialects[i];
        assert_int_equal(tsr_api_apply_patch(&a, &p, false, master_key, &why), 0);
        assert_string_equal(a.token_dialect, dialects[i]);
    }
    static const char *const unknown[] = {"jwt", "", "RFC9068_PROFILE"};
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        char msg[64];
        patch_init(&p);
        p.token_dialect = unknown[i];
        snprintf(msg, sizeof msg, "No enum match for: \"%s\"", unknown[i]);
        assert_refused(tsr_api_apply_patch(&a, &p, false, master_key, &why), &why,
                       TSR_REFUSED_VALUE, "token_dialect", msg);
    }
    tsr_api_cleanup(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_what_may_change), cmocka_unit_test(test_create_identifier_and_name),
        cmocka_unit_test(test_signing),         cmocka_unit_test(test_lifetimes),
        cmocka_unit_test(test_scopes),          cmocka_unit_test(test_flags_and_dialects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
