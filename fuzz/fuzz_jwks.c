/*
 * fuzz_jwks.c - JWK and JWKS import (tsr_jwk_from_json), as a verifier
 * does with a JWKS document fetched from an issuer.
 *
 * The input is JSON text: a JWKS ({"keys": [...]}), whose every key is
 * imported, or a single JWK.  Invariants:
 *  - import answers 0, TSR_EFORMAT, TSR_EALG or TSR_ENOMEM and leaves *out
 *    NULL on error; it never builds a private or an HS256 key;
 *  - an imported key has a kid of 1..TSR_JWK_MAX_KID bytes (the JWK's own
 *    kid when it has one) and an alg that fits its kty;
 *  - its public JWK re-imports to a key with the same alg and RFC 7638
 *    thumbprint, and exports the same JSON again (an RSA key with a forged
 *    modulus may be refused the second time: see import_one).
 */
#include <string.h>

#include "fuzz.h"
#include "jose/jose.h"
#include "util/err.h"

/* The JWK member kty that alg requires. */
static const char *kty_of(enum tsr_jws_alg alg)
{
    switch (alg) {
    case TSR_ALG_RS256:
    case TSR_ALG_PS256:
        return "RSA";
    case TSR_ALG_ES256:
        return "EC";
    case TSR_ALG_EDDSA:
        return "OKP";
    default:
        return NULL;
    }
}

static void import_one(const json_t *jwk, enum tsr_jws_alg hint)
{
    tsr_jwk *key = (tsr_jwk *)(uintptr_t)1;
    int rc = tsr_jwk_from_json(jwk, hint, &key);
    FUZZ_CHECK(rc == 0 || rc == TSR_EFORMAT || rc == TSR_EALG || rc == TSR_ENOMEM);
    FUZZ_CHECK((rc == 0) == (key != NULL));
    if (rc != 0)
        return;

    FUZZ_CHECK(!tsr_jwk_is_private(key));
    enum tsr_jws_alg alg = tsr_jwk_alg(key);
    const char *kty = kty_of(alg);
    FUZZ_CHECK(kty != NULL);
    FUZZ_CHECK(strcmp(json_string_value(json_object_get(jwk, "kty")), kty) == 0);
    const json_t *a = json_object_get(jwk, "alg");
    if (a != NULL)
        FUZZ_CHECK(strcmp(json_string_value(a), tsr_jws_alg_name(alg)) == 0);
    else if (hint != TSR_ALG_NONE)
        FUZZ_CHECK(alg == hint);

    const char *kid = tsr_jwk_kid(key);
    FUZZ_CHECK(kid != NULL && strlen(kid) >= 1 && strlen(kid) <= TSR_JWK_MAX_KID);
    const json_t *k = json_object_get(jwk, "kid");
    if (k != NULL)
        FUZZ_CHECK(strcmp(json_string_value(k), kid) == 0);

    char thumb[44], thumb2[44];
    FUZZ_CHECK(tsr_jwk_thumbprint(key, thumb) == 0);
    FUZZ_CHECK(strlen(thumb) == 43);

    json_t *exported = NULL;
    FUZZ_CHECK(tsr_jwk_to_public_json(key, &exported) == 0);
    tsr_jwk *again = NULL;
    rc = tsr_jwk_from_json(exported, TSR_ALG_NONE, &again);
    /*
     * OpenSSL's RSA public check runs Miller-Rabin with random bases, so a
     * forged modulus (not a product of two primes) may pass once and fail
     * the next time.  Real keys always re-import.
     */
    if (rc == TSR_EFORMAT && strcmp(kty, "RSA") == 0) {
        json_decref(exported);
        tsr_jwk_free(key);
        return;
    }
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(tsr_jwk_alg(again) == alg);
    FUZZ_CHECK(strcmp(tsr_jwk_kid(again), kid) == 0);
    FUZZ_CHECK(tsr_jwk_thumbprint(again, thumb2) == 0);
    FUZZ_CHECK(strcmp(thumb, thumb2) == 0);
    json_t *exported2 = NULL;
    FUZZ_CHECK(tsr_jwk_to_public_json(again, &exported2) == 0);
    FUZZ_CHECK(json_equal(exported, exported2));

    json_decref(exported2);
    json_decref(exported);
    tsr_jwk_free(again);
    tsr_jwk_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The JWKS cache caps documents; so does this target. */
    if (size > 64 * 1024)
        return 0;
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL)
        return 0;
    const json_t *keys = json_object_get(doc, "keys");
    if (json_is_array(keys)) {
        size_t i;
        const json_t *jwk;
        json_array_foreach(keys, i, jwk)
        {
            if (i >= 16)
                break;
            import_one(jwk, TSR_ALG_NONE);
        }
    } else {
        /* One key, with each hint a caller may pass. */
        import_one(doc, TSR_ALG_NONE);
        import_one(doc, TSR_ALG_RS256);
        import_one(doc, TSR_ALG_PS256);
        import_one(doc, TSR_ALG_ES256);
        import_one(doc, TSR_ALG_EDDSA);
        import_one(doc, TSR_ALG_HS256);
    }
    json_decref(doc);
    return 0;
}
