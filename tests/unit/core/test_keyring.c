/*
 * test_keyring.c - a tenant's signing keys of several algs (core/keys.h):
 * keys made per alg on demand, the keyring's signer of each alg, the JWKS
 * listing every alg, rotation of every alg in one step, and revocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jose/jose.h"
#include "rsa_keys.h"

#include "fixture_people.h"

#include "core/keys.h"
#include "util/err.h"

static const uint8_t master_key[TSR_MASTER_KEY_LEN] = {7, 1, 2, 3, 4, 5, 6, 8, 9};

static int keys_setup(void **state)
{
    people_setup(state);
    struct people *p = *state;
    assert_int_equal(tsr_keys_create_initial(p->st, p->tenant_id, master_key), 0);
    return 0;
}

static struct tsr_keyring *load(struct people *p)
{
    struct tsr_keyring *ring = NULL;
    assert_int_equal(tsr_keyring_load(p->st, p->tenant_id, "id.example.com", master_key, &ring), 0);
    return ring;
}

/* The stored kid of alg in state, or "" (copied into buf). */
static const char *kid_of(struct people *p, const char *alg, const char *state, char *buf,
                          size_t len)
{
    struct tsr_key_info *list = NULL;
    size_t n = 0;
    buf[0] = '\0';
    assert_int_equal(tsr_keys_list(p->st, p->tenant_id, &list, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].alg, alg) == 0 && strcmp(list[i].state, state) == 0) {
            snprintf(buf, len, "%s", list[i].kid);
            break;
        }
    tsr_key_info_list_free(list, n);
    return buf;
}

/* Counts the JWKS entries of alg, and of those the ones with x5c. */
static void jwks_count(const struct tsr_keyring *ring, const char *alg, size_t *n, size_t *x5c)
{
    char *text = tsr_keyring_jwks_text(ring);
    assert_non_null(text);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    size_t i;
    json_t *k;
    *n = *x5c = 0;
    json_array_foreach(json_object_get(doc, "keys"), i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "alg")), alg) != 0)
            continue;
        (*n)++;
        *x5c += json_object_get(k, "x5c") != NULL;
    }
    json_decref(doc);
    free(text);
}

static void test_rs256_only_at_first(void **state)
{
    struct people *p = *state;
    struct tsr_keyring *ring = load(p);
    assert_non_null(tsr_keyring_current(ring));
    assert_ptr_equal(tsr_keyring_current_for(ring, TSR_ALG_RS256), tsr_keyring_current(ring));
    assert_int_equal(tsr_jwk_alg(tsr_keyring_current(ring)), TSR_ALG_RS256);
    assert_null(tsr_keyring_current_for(ring, TSR_ALG_ES256));
    assert_null(tsr_keyring_current_for(ring, TSR_ALG_PS256));
    assert_null(tsr_keyring_current_for(ring, TSR_ALG_EDDSA));
    assert_null(tsr_keyring_current_for(ring, TSR_ALG_HS256));
    assert_null(tsr_keyring_current_for(ring, TSR_ALG_NONE));
    assert_null(tsr_keyring_current_for(ring, (enum tsr_jws_alg)99));
    size_t n, x5c;
    jwks_count(ring, "RS256", &n, &x5c);
    assert_int_equal(n, 2);
    assert_int_equal(x5c, 2);
    tsr_keyring_free(ring);
}

static void test_ensure_per_alg(void **state)
{
    struct people *p = *state;
    bool created = true;
    /* RS256 exists, HS256 has no tenant key, unknown algs are refused. */
    assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, "RS256", &created), 0);
    assert_false(created);
    assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, "HS256", &created), 0);
    assert_false(created);
    static const char *const bad[] = {"none", "ES384", "RS512", "", "es256"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, bad[i], &created),
                         TSR_EINVAL);
    int64_t count = 0;
    assert_int_equal(tsr_keys_count(p->st, p->tenant_id, &count), 0);
    assert_int_equal(count, 2);

    static const char *const names[] = {"PS256", "ES256", "EdDSA"};
    static const enum tsr_jws_alg algs[] = {TSR_ALG_PS256, TSR_ALG_ES256, TSR_ALG_EDDSA};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, names[i], &created),
                         0);
        assert_true(created);
        /* Once made, asking again changes nothing. */
        assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, names[i], &created),
                         0);
        assert_false(created);
    }
    assert_int_equal(tsr_keys_count(p->st, p->tenant_id, &count), 0);
    assert_int_equal(count, 8);

    struct tsr_keyring *ring = load(p);
    for (size_t i = 0; i < 3; i++) {
        const tsr_jwk *k = tsr_keyring_current_for(ring, algs[i]);
        assert_non_null(k);
        assert_int_equal(tsr_jwk_alg(k), algs[i]);
        assert_ptr_not_equal(k, tsr_keyring_current(ring));
        char kid[160];
        assert_string_equal(tsr_jwk_kid(k), kid_of(p, names[i], "current", kid, sizeof kid));
        size_t n, x5c;
        jwks_count(ring, names[i], &n, &x5c);
        assert_int_equal(n, 2);
        /* Certificates only for RSA keys. */
        assert_int_equal(x5c, algs[i] == TSR_ALG_PS256 ? 2 : 0);
    }
    assert_int_equal(tsr_jwk_alg(tsr_keyring_current(ring)), TSR_ALG_RS256);

    /* A token of one alg verifies with its own key and with no key of another alg. */
    json_t *claims = json_pack("{s:s}", "sub", "x");
    char *jwt = NULL;
    tsr_jws *jws = NULL;
    assert_int_equal(
        tsr_jwt_sign(tsr_keyring_current_for(ring, TSR_ALG_ES256), "JWT", claims, &jwt), 0);
    assert_int_equal(tsr_jws_parse(jwt, strlen(jwt), &jws), 0);
    assert_int_equal(tsr_jws_alg(jws), TSR_ALG_ES256);
    assert_int_equal(tsr_jws_verify(jws, tsr_keyring_find(ring, tsr_jws_kid(jws))), 0);
    assert_int_not_equal(tsr_jws_verify(jws, tsr_keyring_current(ring)), 0);
    assert_int_not_equal(tsr_jws_verify(jws, tsr_keyring_current_for(ring, TSR_ALG_EDDSA)), 0);
    tsr_jws_free(jws);
    free(jwt);
    json_decref(claims);
    tsr_keyring_free(ring);
}

static void test_rotate_every_alg(void **state)
{
    struct people *p = *state;
    bool created = false;
    assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, "ES256", &created), 0);
    assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, "EdDSA", &created), 0);
    static const char *const names[] = {"RS256", "ES256", "EdDSA"};
    char cur[3][160], next[3][160], buf[160];
    for (size_t i = 0; i < 3; i++) {
        kid_of(p, names[i], "current", cur[i], sizeof cur[i]);
        kid_of(p, names[i], "next", next[i], sizeof next[i]);
        assert_string_not_equal(cur[i], "");
        assert_string_not_equal(next[i], "");
    }

    char *kid = NULL;
    assert_int_equal(tsr_keys_rotate(p->st, p->tenant_id, master_key, &kid), 0);
    /* The answer is the RS256 key now signing. */
    assert_string_equal(kid, next[0]);
    free(kid);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(kid_of(p, names[i], "current", buf, sizeof buf), next[i]);
        assert_string_equal(kid_of(p, names[i], "previous", buf, sizeof buf), cur[i]);
        kid_of(p, names[i], "next", buf, sizeof buf);
        assert_string_not_equal(buf, "");
        assert_string_not_equal(buf, next[i]);
    }
    int64_t count = 0;
    assert_int_equal(tsr_keys_count(p->st, p->tenant_id, &count), 0);
    assert_int_equal(count, 9);

    /* The ring signs with the new keys and still knows the previous ones. */
    struct tsr_keyring *ring = load(p);
    assert_string_equal(tsr_jwk_kid(tsr_keyring_current_for(ring, TSR_ALG_ES256)), next[1]);
    assert_string_equal(tsr_jwk_kid(tsr_keyring_current(ring)), next[0]);
    assert_non_null(tsr_keyring_find(ring, cur[1]));
    size_t n, x5c;
    jwks_count(ring, "ES256", &n, &x5c);
    assert_int_equal(n, 3);
    tsr_keyring_free(ring);

    /* Revoking the previous ES256 key takes it out; the others stay; current keys cannot go. */
    assert_int_equal(tsr_keys_revoke(p->st, p->tenant_id, next[1]), TSR_EINVAL);
    assert_int_equal(tsr_keys_revoke(p->st, p->tenant_id, cur[1]), 0);
    ring = load(p);
    assert_null(tsr_keyring_find(ring, cur[1]));
    assert_non_null(tsr_keyring_find(ring, cur[0]));
    assert_non_null(tsr_keyring_find(ring, cur[2]));
    jwks_count(ring, "ES256", &n, &x5c);
    assert_int_equal(n, 2);
    tsr_keyring_free(ring);

    /* A second rotation turns every alg again. */
    assert_int_equal(tsr_keys_rotate(p->st, p->tenant_id, master_key, &kid), 0);
    assert_string_equal(kid, kid_of(p, "RS256", "current", buf, sizeof buf));
    free(kid);
    assert_int_equal(tsr_keys_count(p->st, p->tenant_id, &count), 0);
    assert_int_equal(count, 12);
}

static void test_tenants_apart(void **state)
{
    struct people *p = *state;
    struct tsr_tenant other = {
        .issuer = "https://other.example.com/", .friendly_name = "other", .default_audience = ""};
    assert_int_equal(tsr_tenant_insert(p->st, &other), 0);
    assert_int_equal(tsr_keys_create_initial(p->st, other.id, master_key), 0);
    bool created = false;
    assert_int_equal(tsr_keys_ensure_alg(p->st, p->tenant_id, master_key, "ES256", &created), 0);
    assert_true(created);

    /* The other tenant gets no ES256 key, and its JWKS holds none of the first tenant's kids. */
    struct tsr_keyring *ring = NULL;
    assert_int_equal(tsr_keyring_load(p->st, other.id, "other.example.com", master_key, &ring), 0);
    assert_null(tsr_keyring_current_for(ring, TSR_ALG_ES256));
    char *text = tsr_keyring_jwks_text(ring);
    struct tsr_key_info *mine = NULL;
    size_t n = 0;
    assert_int_equal(tsr_keys_list(p->st, p->tenant_id, &mine, &n), 0);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_null(strstr(text, mine[i].kid));
        assert_null(tsr_keyring_find(ring, mine[i].kid));
    }
    tsr_key_info_list_free(mine, n);
    free(text);
    tsr_keyring_free(ring);

    /* Rotating one tenant leaves the other's keys as they were. */
    int64_t count = 0;
    char *kid = NULL;
    assert_int_equal(tsr_keys_rotate(p->st, p->tenant_id, master_key, &kid), 0);
    free(kid);
    assert_int_equal(tsr_keys_count(p->st, other.id, &count), 0);
    assert_int_equal(count, 2);
    free(other.id);
}

int main(void)
{
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rs256_only_at_first, keys_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_ensure_per_alg, keys_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_rotate_every_alg, keys_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_tenants_apart, keys_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
