/*
 * fuzz_jws.c - compact JWS/JWT parsing and verification against fixed keys.
 *
 * The input is a token as it arrives in an Authorization header, an
 * id_token_hint or a client assertion.  Invariants:
 *  - parse answers 0, TSR_EFORMAT, TSR_ETOOBIG (and only above
 *    TSR_JWS_MAX_LEN) or TSR_ENOMEM, and leaves *out NULL on error;
 *  - a parsed token has a JSON object header and payload, an alg Tessera
 *    knows (or none), and a kid of 1..TSR_JWK_MAX_KID bytes equal to the
 *    header's when present;
 *  - verification with each fixed key (RS256, PS256, ES256, EdDSA, HS256)
 *    answers TSR_EALG when the token's alg is not the key's or is none, and
 *    otherwise 0 or TSR_ESIGNATURE; it never crashes;
 *  - the payload signed again with the HS256 key parses back to an equal
 *    payload and verifies.
 */
#include <string.h>

#include "fuzz.h"
#include "jose/jose.h"
#include "keys.h"
#include "util/err.h"

#define NKEYS 5

static tsr_jwk *priv[NKEYS]; /* kept for the life of the process */
static tsr_jwk *pub[NKEYS];

static void load_keys(void)
{
    static bool loaded;
    if (loaded)
        return;
    static const struct {
        const char *pem;
        enum tsr_jws_alg alg;
        const char *kid;
    } pems[] = {
        {fuzz_rsa_pem, TSR_ALG_RS256, "fuzz-rs256"},
        {fuzz_rsa_pem, TSR_ALG_PS256, "fuzz-ps256"},
        {fuzz_ec_pem, TSR_ALG_ES256, "fuzz-es256"},
        {fuzz_ed25519_pem, TSR_ALG_EDDSA, "fuzz-eddsa"},
    };
    for (size_t i = 0; i < sizeof pems / sizeof pems[0]; i++)
        FUZZ_CHECK(tsr_jwk_from_private_pem(pems[i].pem, strlen(pems[i].pem), pems[i].alg,
                                            pems[i].kid, &priv[i]) == 0);
    FUZZ_CHECK(tsr_jwk_from_secret((const uint8_t *)fuzz_hs256_secret, strlen(fuzz_hs256_secret),
                                   "fuzz-hs256", &priv[4]) == 0);
    for (size_t i = 0; i < NKEYS; i++) {
        FUZZ_CHECK(tsr_jwk_public(priv[i], &pub[i]) == 0);
        FUZZ_CHECK(!tsr_jwk_is_private(pub[i]) || tsr_jwk_alg(pub[i]) == TSR_ALG_HS256);
    }
    loaded = true;
}

static void check_parsed(const tsr_jws *jws)
{
    const json_t *h = tsr_jws_header(jws);
    FUZZ_CHECK(json_is_object(h));
    FUZZ_CHECK(json_is_object(tsr_jws_payload(jws)));
    enum tsr_jws_alg alg = tsr_jws_alg(jws);
    FUZZ_CHECK(alg == TSR_ALG_NONE || tsr_jws_alg_name(alg) != NULL);
    const json_t *a = json_object_get(h, "alg");
    FUZZ_CHECK(json_is_string(a));
    FUZZ_CHECK(strcmp(json_string_value(a), alg == TSR_ALG_NONE ? "none" : tsr_jws_alg_name(alg)) ==
               0);
    FUZZ_CHECK(json_object_get(h, "crit") == NULL);
    const char *kid = tsr_jws_kid(jws);
    if (kid != NULL) {
        size_t n = strlen(kid);
        FUZZ_CHECK(n >= 1 && n <= TSR_JWK_MAX_KID);
        FUZZ_CHECK(strcmp(json_string_value(json_object_get(h, "kid")), kid) == 0);
    } else {
        FUZZ_CHECK(json_object_get(h, "kid") == NULL);
    }
}

static void check_verify(const tsr_jws *jws)
{
    enum tsr_jws_alg alg = tsr_jws_alg(jws);
    for (size_t i = 0; i < NKEYS; i++) {
        int rc = tsr_jws_verify(jws, pub[i]);
        if (alg == TSR_ALG_NONE || alg != tsr_jwk_alg(pub[i]))
            FUZZ_CHECK(rc == TSR_EALG);
        else
            FUZZ_CHECK(rc == 0 || rc == TSR_ESIGNATURE);
        /* The private key verifies exactly as its public half does. */
        FUZZ_CHECK(tsr_jws_verify(jws, priv[i]) == rc);
    }
}

/* Signs the payload again with the HS256 key; the new token must round-trip. */
static void check_resign(const tsr_jws *jws)
{
    char *token = NULL;
    FUZZ_CHECK(tsr_jwt_sign(priv[4], NULL, tsr_jws_payload(jws), &token) == 0);
    tsr_jws *again = NULL;
    int rc = tsr_jws_parse(token, strlen(token), &again);
    if (strlen(token) > TSR_JWS_MAX_LEN) {
        /* Re-serialising may grow the text (1e5 becomes 100000.0). */
        FUZZ_CHECK(rc == TSR_ETOOBIG && again == NULL);
    } else {
        FUZZ_CHECK(rc == 0);
        FUZZ_CHECK(json_equal(tsr_jws_payload(again), tsr_jws_payload(jws)));
        FUZZ_CHECK(tsr_jws_alg(again) == TSR_ALG_HS256);
        FUZZ_CHECK(tsr_jws_verify(again, pub[4]) == 0);
        FUZZ_CHECK(tsr_jws_verify(again, pub[0]) == TSR_EALG);
    }
    tsr_jws_free(again);
    free(token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_keys();
    tsr_jws *jws = (tsr_jws *)(uintptr_t)1;
    int rc = tsr_jws_parse((const char *)data, size, &jws);
    FUZZ_CHECK(rc == 0 || rc == TSR_EFORMAT || rc == TSR_ETOOBIG || rc == TSR_ENOMEM);
    FUZZ_CHECK((rc == 0) == (jws != NULL));
    FUZZ_CHECK(rc != TSR_ETOOBIG || size > TSR_JWS_MAX_LEN);
    if (rc == 0) {
        check_parsed(jws);
        check_verify(jws);
        check_resign(jws);
    }
    tsr_jws_free(jws);
    return 0;
}
