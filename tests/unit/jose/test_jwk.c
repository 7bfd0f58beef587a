/*
 * test_jwk.c - key generation, public JWK export, RFC 7638 thumbprints, PEM
 * round trips and the refusals of tsr_jwk_from_json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jose/jose.h"
#include "rsa_keys.h"
#include "util/b64url.h"
#include "util/err.h"

/* RFC 7638 section 3.1 (the RSA key of RFC 7517 appendix A.1). */
static const char rfc7638_n[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebW"
    "KRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQ"
    "MicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2N"
    "cRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
static const char rfc7638_thumb[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

static const enum tsr_jws_alg asym_algs[] = {TSR_ALG_RS256, TSR_ALG_PS256, TSR_ALG_ES256,
                                             TSR_ALG_EDDSA};

static json_t *rfc_jwk(void)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "n", rfc7638_n, "e", "AQAB",
                          "alg", "RS256", "kid", "2011-04-29");
    assert_non_null(j);
    return j;
}

/* Decoded length of a base64url string member. */
static size_t member_len(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    assert_non_null(s);
    uint8_t *raw = NULL;
    size_t n = 0;
    assert_int_equal(tsr_b64url_decode_alloc(s, strlen(s), &raw, &n), 0);
    if (strcmp(name, "n") == 0 || strcmp(name, "e") == 0)
        assert_int_not_equal(raw[0], 0); /* minimal big-endian: no leading zero byte */
    free(raw);
    return n;
}

static void check_public_json(const tsr_jwk *key)
{
    json_t *j = NULL;
    assert_int_equal(tsr_jwk_to_public_json(key, &j), 0);
    const char *kty = json_string_value(json_object_get(j, "kty"));
    assert_non_null(kty);
    assert_string_equal(json_string_value(json_object_get(j, "kid")), tsr_jwk_kid(key));
    assert_string_equal(json_string_value(json_object_get(j, "use")), "sig");
    assert_string_equal(json_string_value(json_object_get(j, "alg")),
                        tsr_jws_alg_name(tsr_jwk_alg(key)));
    switch (tsr_jwk_alg(key)) {
    case TSR_ALG_RS256:
    case TSR_ALG_PS256:
        assert_string_equal(kty, "RSA");
        assert_int_equal(json_object_size(j), 6);
        assert_int_equal(member_len(j, "n"), 256);
        assert_int_equal(member_len(j, "e"), 3);
        assert_string_equal(json_string_value(json_object_get(j, "e")), "AQAB");
        break;
    case TSR_ALG_ES256:
        assert_string_equal(kty, "EC");
        assert_int_equal(json_object_size(j), 7);
        assert_string_equal(json_string_value(json_object_get(j, "crv")), "P-256");
        assert_int_equal(member_len(j, "x"), 32);
        assert_int_equal(member_len(j, "y"), 32);
        break;
    case TSR_ALG_EDDSA:
        assert_string_equal(kty, "OKP");
        assert_int_equal(json_object_size(j), 6);
        assert_string_equal(json_string_value(json_object_get(j, "crv")), "Ed25519");
        assert_int_equal(member_len(j, "x"), 32);
        break;
    default:
        fail();
    }
    /* Never any private member. */
    assert_null(json_object_get(j, "d"));
    assert_null(json_object_get(j, "p"));
    json_decref(j);
}

static void test_generate_asymmetric(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof asym_algs / sizeof asym_algs[0]; i++) {
        tsr_jwk *key = NULL;
        assert_int_equal(tsr_jwk_generate(asym_algs[i], &key), 0);
        assert_int_equal(tsr_jwk_alg(key), asym_algs[i]);
        assert_true(tsr_jwk_is_private(key));
        char thumb[44];
        assert_int_equal(tsr_jwk_thumbprint(key, thumb), 0);
        assert_int_equal(strlen(thumb), 43);
        assert_string_equal(tsr_jwk_kid(key), thumb);
        check_public_json(key);

        tsr_jwk *pub = NULL;
        assert_int_equal(tsr_jwk_public(key, &pub), 0);
        assert_false(tsr_jwk_is_private(pub));
        assert_string_equal(tsr_jwk_kid(pub), thumb);
        char thumb2[44];
        assert_int_equal(tsr_jwk_thumbprint(pub, thumb2), 0);
        assert_string_equal(thumb2, thumb);
        check_public_json(pub);

        /* A public key has no private PEM. */
        uint8_t *pem = (uint8_t *)"x";
        size_t pemlen = 1;
        assert_int_equal(tsr_jwk_private_pem(pub, &pem, &pemlen), TSR_EINVAL);
        assert_null(pem);
        tsr_jwk_free(pub);
        tsr_jwk_free(key);
    }
}

static void test_generate_hs256(void **state)
{
    (void)state;
    tsr_jwk *a = NULL, *b = NULL;
    assert_int_equal(tsr_jwk_generate(TSR_ALG_HS256, &a), 0);
    assert_int_equal(tsr_jwk_generate(TSR_ALG_HS256, &b), 0);
    assert_int_equal(tsr_jwk_alg(a), TSR_ALG_HS256);
    assert_true(tsr_jwk_is_private(a));
    assert_int_equal(strlen(tsr_jwk_kid(a)), 22);
    assert_string_not_equal(tsr_jwk_kid(a), tsr_jwk_kid(b));

    /* A shared secret is never published, not even as a hash. */
    json_t *j = (json_t *)1;
    assert_int_equal(tsr_jwk_to_public_json(a, &j), TSR_EINVAL);
    assert_null(j);
    char thumb[44];
    assert_int_equal(tsr_jwk_thumbprint(a, thumb), TSR_EINVAL);

    uint8_t *pa = NULL, *pb = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(tsr_jwk_private_pem(a, &pa, &la), 0);
    assert_int_equal(tsr_jwk_private_pem(b, &pb, &lb), 0);
    assert_int_equal(la, 32);
    assert_false(la == lb && memcmp(pa, pb, la) == 0);
    free(pa);
    free(pb);
    tsr_jwk_free(a);
    tsr_jwk_free(b);

    assert_int_equal(tsr_jwk_generate(TSR_ALG_NONE, &a), TSR_EINVAL);
    assert_null(a);
}

static void test_from_secret(void **state)
{
    (void)state;
    uint8_t secret[32];
    memset(secret, 0x5a, sizeof secret);
    tsr_jwk *key = NULL;
    assert_int_equal(tsr_jwk_from_secret(secret, 31, NULL, &key), TSR_EINVAL);
    assert_null(key);
    assert_int_equal(tsr_jwk_from_secret(secret, 32, "hs-key-1", &key), 0);
    assert_string_equal(tsr_jwk_kid(key), "hs-key-1");
    tsr_jwk_free(key);

    char longkid[TSR_JWK_MAX_KID + 2];
    memset(longkid, 'k', sizeof longkid - 1);
    longkid[sizeof longkid - 1] = '\0';
    assert_int_equal(tsr_jwk_from_secret(secret, 32, longkid, &key), TSR_EINVAL);
    longkid[TSR_JWK_MAX_KID] = '\0';
    assert_int_equal(tsr_jwk_from_secret(secret, 32, longkid, &key), 0);
    tsr_jwk_free(key);
    assert_int_equal(tsr_jwk_from_secret(secret, 32, "", &key), TSR_EINVAL);
    assert_int_equal(tsr_jwk_from_secret(secret, 32, "bad\nkid", &key), TSR_EINVAL);
    assert_int_equal(tsr_jwk_from_secret(secret, 32, "\xff\xfe", &key), TSR_EINVAL);
    assert_null(key);
}

static void test_rfc7638_thumbprint(void **state)
{
    (void)state;
    json_t *j = rfc_jwk();
    tsr_jwk *key = NULL;
    assert_int_equal(tsr_jwk_from_json(j, TSR_ALG_NONE, &key), 0);
    assert_string_equal(tsr_jwk_kid(key), "2011-04-29");
    assert_int_equal(tsr_jwk_alg(key), TSR_ALG_RS256);
    assert_false(tsr_jwk_is_private(key));
    char thumb[44];
    assert_int_equal(tsr_jwk_thumbprint(key, thumb), 0);
    assert_string_equal(thumb, rfc7638_thumb);
    tsr_jwk_free(key);

    /* Without kid the thumbprint becomes the kid. */
    json_object_del(j, "kid");
    assert_int_equal(tsr_jwk_from_json(j, TSR_ALG_NONE, &key), 0);
    assert_string_equal(tsr_jwk_kid(key), rfc7638_thumb);
    tsr_jwk_free(key);

    /* Private members are ignored, not imported. */
    json_object_set_new(j, "d", json_string("AQAB"));
    assert_int_equal(tsr_jwk_from_json(j, TSR_ALG_NONE, &key), 0);
    assert_false(tsr_jwk_is_private(key));
    tsr_jwk_free(key);
    json_decref(j);
}

static void test_from_json_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof asym_algs / sizeof asym_algs[0]; i++) {
        tsr_jwk *key = NULL, *imported = NULL;
        json_t *j = NULL, *j2 = NULL;
        assert_int_equal(tsr_jwk_generate(asym_algs[i], &key), 0);
        assert_int_equal(tsr_jwk_to_public_json(key, &j), 0);
        assert_int_equal(tsr_jwk_from_json(j, TSR_ALG_NONE, &imported), 0);
        assert_int_equal(tsr_jwk_alg(imported), asym_algs[i]);
        assert_int_equal(tsr_jwk_to_public_json(imported, &j2), 0);
        assert_true(json_equal(j, j2));
        json_decref(j);
        json_decref(j2);
        tsr_jwk_free(imported);
        tsr_jwk_free(key);
    }
}

static void test_private_pem_round_trip(void **state)
{
    (void)state;
    static const enum tsr_jws_alg algs[] = {TSR_ALG_RS256, TSR_ALG_PS256, TSR_ALG_ES256,
                                            TSR_ALG_EDDSA, TSR_ALG_HS256};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        tsr_jwk *key = NULL, *back = NULL;
        uint8_t *pem = NULL;
        size_t pemlen = 0;
        assert_int_equal(tsr_jwk_generate(algs[i], &key), 0);
        assert_int_equal(tsr_jwk_private_pem(key, &pem, &pemlen), 0);
        if (algs[i] != TSR_ALG_HS256) {
            assert_true(pemlen > 0);
            assert_int_equal(pem[pemlen], '\0');
            assert_non_null(strstr((const char *)pem, "-----BEGIN PRIVATE KEY-----"));
        }
        const char *kid = algs[i] == TSR_ALG_HS256 ? tsr_jwk_kid(key) : NULL;
        assert_int_equal(tsr_jwk_from_private_pem((const char *)pem, pemlen, algs[i], kid, &back),
                         0);
        assert_true(tsr_jwk_is_private(back));
        assert_string_equal(tsr_jwk_kid(back), tsr_jwk_kid(key));
        if (algs[i] != TSR_ALG_HS256) {
            json_t *a = NULL, *b = NULL;
            assert_int_equal(tsr_jwk_to_public_json(key, &a), 0);
            assert_int_equal(tsr_jwk_to_public_json(back, &b), 0);
            assert_true(json_equal(a, b));
            json_decref(a);
            json_decref(b);

            /* Same PEM, explicit kid. */
            tsr_jwk *named = NULL;
            assert_int_equal(
                tsr_jwk_from_private_pem((const char *)pem, pemlen, algs[i], "k1", &named), 0);
            assert_string_equal(tsr_jwk_kid(named), "k1");
            tsr_jwk_free(named);
        }
        free(pem);
        tsr_jwk_free(back);
        tsr_jwk_free(key);
    }
}

static void test_private_pem_wrong_type(void **state)
{
    (void)state;
    tsr_jwk *ec = NULL, *rsa = NULL, *out = NULL;
    uint8_t *pem = NULL;
    size_t pemlen = 0;
    assert_int_equal(tsr_jwk_generate(TSR_ALG_ES256, &ec), 0);
    assert_int_equal(tsr_jwk_private_pem(ec, &pem, &pemlen), 0);
    assert_int_equal(tsr_jwk_from_private_pem((const char *)pem, pemlen, TSR_ALG_RS256, NULL, &out),
                     TSR_EALG);
    assert_null(out);
    assert_int_equal(tsr_jwk_from_private_pem((const char *)pem, pemlen, TSR_ALG_EDDSA, NULL, &out),
                     TSR_EALG);
    assert_null(out);
    free(pem);

    assert_int_equal(tsr_jwk_generate(TSR_ALG_RS256, &rsa), 0);
    assert_int_equal(tsr_jwk_private_pem(rsa, &pem, &pemlen), 0);
    assert_int_equal(tsr_jwk_from_private_pem((const char *)pem, pemlen, TSR_ALG_ES256, NULL, &out),
                     TSR_EALG);
    /* A truncated PEM does not load. */
    assert_int_equal(
        tsr_jwk_from_private_pem((const char *)pem, pemlen / 2, TSR_ALG_RS256, NULL, &out),
        TSR_EFORMAT);
    assert_null(out);
    free(pem);
    assert_int_equal(tsr_jwk_from_private_pem("garbage", 7, TSR_ALG_EDDSA, NULL, &out),
                     TSR_EFORMAT);
    assert_null(out);
    tsr_jwk_free(ec);
    tsr_jwk_free(rsa);
}

/* Test-only keys made with the openssl CLI: an encrypted PKCS#8 key and a SEC 1 (not PKCS#8) key.
 */
static const char encrypted_pem[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjgCFx3lRMn8gICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEFjwdxDPOwAYNkE5gXuq3c8EQFdD\n"
    "t2GrSmfFIsrq3lE1EcTYGfb2gIS/keVyShshHqDOxID+tSxan+oc2T5HwKeE9Yrw\n"
    "fCZ7EvbXo3Iup/IaS70=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";
static const char sec1_pem[] = "-----BEGIN EC PRIVATE KEY-----\n"
                               "MHcCAQEEIADP11YR9fUOQLwAqAPTEaTuWyDUfvLgZ82Mk0sp9Rq9oAoGCCqGSM49\n"
                               "AwEHoUQDQgAEJdYafA0YRNiHQBA7hErZrDiubEWwD3hW+d2mii0dhHLn9+O8jbf4\n"
                               "qkoQCUzrq/zn3wijermqRlLwV/zZHZ9W6w==\n"
                               "-----END EC PRIVATE KEY-----\n";

static void test_private_pem_only_plain_pkcs8(void **state)
{
    (void)state;
    tsr_jwk *out = NULL;
    /* No passphrase prompt, no hang: an encrypted key simply does not load. */
    assert_int_equal(
        tsr_jwk_from_private_pem(encrypted_pem, strlen(encrypted_pem), TSR_ALG_EDDSA, NULL, &out),
        TSR_EFORMAT);
    assert_null(out);
    assert_int_equal(
        tsr_jwk_from_private_pem(sec1_pem, strlen(sec1_pem), TSR_ALG_ES256, NULL, &out),
        TSR_EFORMAT);
    assert_null(out);
}

static void expect_refused(json_t *j, enum tsr_jws_alg hint, int want)
{
    tsr_jwk *key = (tsr_jwk *)1;
    assert_int_equal(tsr_jwk_from_json(j, hint, &key), want);
    assert_null(key);
}

/* Replaces a base64url member with f(decoded bytes). */
static void rewrite_member(json_t *j, const char *name, size_t keep, uint8_t xor_last)
{
    const char *s = json_string_value(json_object_get(j, name));
    uint8_t *raw = NULL;
    size_t n = 0;
    assert_int_equal(tsr_b64url_decode_alloc(s, strlen(s), &raw, &n), 0);
    if (keep > 0 && keep < n)
        n = keep;
    raw[n - 1] ^= xor_last;
    char *enc = tsr_b64url_encode_alloc(raw, n);
    json_object_set_new(j, name, json_string(enc));
    free(enc);
    free(raw);
}

static void test_from_json_refusals(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:s, s:s}", "kty", "oct", "k", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    expect_refused(j, TSR_ALG_HS256, TSR_EFORMAT);
    json_decref(j);

    expect_refused(NULL, TSR_ALG_NONE, TSR_EFORMAT);
    j = json_array();
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(j);

    /* alg must fit the key type, whether it comes from the JWK or the hint. */
    j = rfc_jwk();
    json_object_set_new(j, "alg", json_string("ES256"));
    expect_refused(j, TSR_ALG_NONE, TSR_EALG);
    json_object_set_new(j, "alg", json_string("HS256"));
    expect_refused(j, TSR_ALG_NONE, TSR_EALG);
    json_object_set_new(j, "alg", json_string("RS384"));
    expect_refused(j, TSR_ALG_NONE, TSR_EALG);
    json_object_set_new(j, "alg", json_string("none"));
    expect_refused(j, TSR_ALG_NONE, TSR_EALG);
    json_object_del(j, "alg");
    expect_refused(j, TSR_ALG_HS256, TSR_EALG);
    expect_refused(j, TSR_ALG_ES256, TSR_EALG);
    tsr_jwk *key = NULL;
    assert_int_equal(tsr_jwk_from_json(j, TSR_ALG_PS256, &key), 0);
    assert_int_equal(tsr_jwk_alg(key), TSR_ALG_PS256);
    tsr_jwk_free(key);
    json_object_set_new(j, "use", json_string("enc"));
    expect_refused(j, TSR_ALG_NONE, TSR_EALG);
    json_decref(j);

    /* Short modulus: the first 128 bytes of the RFC key (1024 bits). */
    j = rfc_jwk();
    rewrite_member(j, "n", 128, 0);
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(j);

    /* Unreasonable exponents. */
    j = rfc_jwk();
    json_object_set_new(j, "e", json_string("AQ")); /* 1: the "signature" would be the message */
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_object_set_new(j, "e", json_string("Aw")); /* 3 */
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_object_set_new(j, "e", json_string("AQAA")); /* even */
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_object_set_new(j, "e", json_integer(65537));
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_object_set_new(j, "e", json_string("AQAB=")); /* not strict base64url */
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(j);

    j = rfc_jwk();
    json_object_set_new(j, "kid", json_integer(7));
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_object_set_new(j, "kid", json_string(""));
    expect_refused(j, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(j);

    /* EC: curve, coordinate sizes, point on the curve. */
    tsr_jwk *ec = NULL;
    assert_int_equal(tsr_jwk_generate(TSR_ALG_ES256, &ec), 0);
    assert_int_equal(tsr_jwk_to_public_json(ec, &j), 0);
    json_t *bad = json_deep_copy(j);
    json_object_set_new(bad, "crv", json_string("P-384"));
    expect_refused(bad, TSR_ALG_NONE, TSR_EFORMAT);
    json_object_set_new(bad, "crv", json_string("secp256k1"));
    expect_refused(bad, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(bad);
    bad = json_deep_copy(j);
    rewrite_member(bad, "y", 0, 1);
    expect_refused(bad, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(bad);
    bad = json_deep_copy(j);
    rewrite_member(bad, "x", 31, 0);
    expect_refused(bad, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(bad);
    bad = json_deep_copy(j);
    json_object_del(bad, "y");
    expect_refused(bad, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(bad);
    bad = json_deep_copy(j);
    json_object_set_new(bad, "alg", json_string("RS256"));
    expect_refused(bad, TSR_ALG_NONE, TSR_EALG);
    json_decref(bad);
    json_decref(j);
    tsr_jwk_free(ec);

    /* OKP: only Ed25519, 32 bytes. */
    tsr_jwk *ed = NULL;
    assert_int_equal(tsr_jwk_generate(TSR_ALG_EDDSA, &ed), 0);
    assert_int_equal(tsr_jwk_to_public_json(ed, &j), 0);
    bad = json_deep_copy(j);
    json_object_set_new(bad, "crv", json_string("X25519"));
    expect_refused(bad, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(bad);
    bad = json_deep_copy(j);
    rewrite_member(bad, "x", 31, 0);
    expect_refused(bad, TSR_ALG_NONE, TSR_EFORMAT);
    json_decref(bad);
    json_decref(j);
    tsr_jwk_free(ed);
}

static void test_alg_names(void **state)
{
    (void)state;
    enum tsr_jws_alg a;
    assert_int_equal(tsr_jws_alg_parse("EdDSA", &a), 0);
    assert_int_equal(a, TSR_ALG_EDDSA);
    assert_int_equal(tsr_jws_alg_parse("rs256", &a), TSR_EINVAL);
    assert_int_equal(tsr_jws_alg_parse("none", &a), TSR_EINVAL);
    assert_null(tsr_jws_alg_name(TSR_ALG_NONE));
    assert_string_equal(tsr_jws_alg_name(TSR_ALG_PS256), "PS256");
    assert_true(tsr_jws_alg_is_symmetric(TSR_ALG_HS256));
    assert_false(tsr_jws_alg_is_symmetric(TSR_ALG_RS256));
    tsr_jwk_free(NULL);
}

/*
 * The cases about what becomes of a key, not how it is made, take their RSA
 * keys from the pool: generation is test_generate_asymmetric's subject, and
 * each RSA key it makes takes seconds under valgrind.
 */
static int rsa_pool_on(void **state)
{
    (void)state;
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    return 0;
}

static int rsa_pool_off(void **state)
{
    (void)state;
    tsr_jwk_rsa_pool_for_tests(NULL, 0);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_asymmetric),
        cmocka_unit_test(test_generate_hs256),
        cmocka_unit_test(test_from_secret),
        cmocka_unit_test(test_rfc7638_thumbprint),
        cmocka_unit_test_setup_teardown(test_from_json_round_trip, rsa_pool_on, rsa_pool_off),
        cmocka_unit_test_setup_teardown(test_private_pem_round_trip, rsa_pool_on, rsa_pool_off),
        cmocka_unit_test_setup_teardown(test_private_pem_wrong_type, rsa_pool_on, rsa_pool_off),
        cmocka_unit_test(test_private_pem_only_plain_pkcs8),
        cmocka_unit_test(test_from_json_refusals),
        cmocka_unit_test(test_alg_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
