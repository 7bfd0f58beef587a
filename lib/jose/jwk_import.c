/*
 * jwk_import.c - public keys from JWK objects (RFC 7517, RFC 7518 section 6).
 *
 * JWKs arrive from other parties (client jwks, upstream IdPs), so this is a
 * parser of hostile input: every member is type- and size-checked before it
 * is decoded, the result is checked by OpenSSL (point on the curve, sane
 * modulus), private members are never read, and the key's alg must fit its
 * type before the key exists.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64url.h"
#include "jose/internal.h"
#include "util/err.h"

/*
 * Decodes a base64url member into a new buffer, refusing anything longer
 * than maxbytes before decoding so hostile JWKS cannot make us allocate.
 */
static int member_bytes(const json_t *jwk, const char *name, size_t maxbytes, uint8_t **out,
                        size_t *outlen)
{
    const json_t *v = json_object_get(jwk, name);
    if (!json_is_string(v))
        return TSR_EFORMAT;
    size_t slen = json_string_length(v);
    if (slen == 0 || slen > tsr_b64url_encoded_len(maxbytes))
        return TSR_EFORMAT;
    int rc = tsr_b64url_decode_alloc(json_string_value(v), slen, out, outlen);
    return rc == TSR_ENOMEM ? rc : rc != 0 ? TSR_EFORMAT : 0;
}

/* Builds a public key of keytype from params; anything OpenSSL refuses is a malformed key. */
static int pkey_from_params(const char *keytype, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
    int rc = TSR_EFORMAT;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
        goto out;
    rc = 0;
out:
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

static size_t strip_leading_zeros(const uint8_t **p, size_t len)
{
    while (len > 0 && **p == 0) {
        (*p)++;
        len--;
    }
    return len;
}

static int rsa_from_jwk(const json_t *jwk, EVP_PKEY **out)
{
    uint8_t *n = NULL, *e = NULL;
    size_t nlen = 0, elen = 0;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    /* One spare byte tolerates encoders that keep a leading zero (RFC 7518 6.3.1.1 note). */
    int rc = member_bytes(jwk, "n", TSR_RSA_MAX_BITS / 8 + 1, &n, &nlen);
    if (rc == 0)
        rc = member_bytes(jwk, "e", 32, &e, &elen);
    if (rc != 0)
        goto out;
    const uint8_t *np = n, *ep = e;
    nlen = strip_leading_zeros(&np, nlen);
    elen = strip_leading_zeros(&ep, elen);
    rc = TSR_EFORMAT;
    if (nlen == 0 || elen == 0)
        goto out;
    rc = TSR_ENOMEM;
    if ((bn_n = BN_bin2bn(np, (int)nlen, NULL)) == NULL ||
        (bn_e = BN_bin2bn(ep, (int)elen, NULL)) == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL)
        goto out;
    rc = TSR_EFORMAT;
    if (BN_num_bits(bn_n) < TSR_RSA_MIN_BITS || BN_num_bits(bn_n) > TSR_RSA_MAX_BITS ||
        !BN_is_odd(bn_n))
        goto out;
    /*
     * FIPS 186-4 B.3.1: e odd, 2^16 < e < 2^256.  OpenSSL 3.0's public check
     * accepts small exponents such as 3 and sets no upper bound, and a huge e
     * makes every verification slow.
     */
    if (!BN_is_odd(bn_e) || BN_num_bits(bn_e) <= 16 || BN_num_bits(bn_e) > 256)
        goto out;
    if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1)
        goto out;
    rc = pkey_from_params("RSA", bld, out);
out:
    free(n);
    free(e);
    BN_free(bn_n);
    BN_free(bn_e);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

static int ec_from_jwk(const json_t *jwk, EVP_PKEY **out)
{
    uint8_t *x = NULL, *y = NULL;
    size_t xlen = 0, ylen = 0;
    OSSL_PARAM_BLD *bld = NULL;
    const json_t *crv = json_object_get(jwk, "crv");
    if (!json_is_string(crv) || strcmp(json_string_value(crv), "P-256") != 0 ||
        json_string_length(crv) != strlen("P-256"))
        return TSR_EFORMAT;

    int rc = member_bytes(jwk, "x", TSR_EC_COORD_LEN, &x, &xlen);
    if (rc == 0)
        rc = member_bytes(jwk, "y", TSR_EC_COORD_LEN, &y, &ylen);
    if (rc != 0)
        goto out;
    /* RFC 7518 6.2.1.2: exactly the coordinate size, so every point has one encoding. */
    rc = TSR_EFORMAT;
    if (xlen != TSR_EC_COORD_LEN || ylen != TSR_EC_COORD_LEN)
        goto out;
    uint8_t point[1 + 2 * TSR_EC_COORD_LEN];
    point[0] = 0x04; /* SEC 1 uncompressed form */
    memcpy(point + 1, x, TSR_EC_COORD_LEN);
    memcpy(point + 1 + TSR_EC_COORD_LEN, y, TSR_EC_COORD_LEN);
    rc = TSR_ENOMEM;
    if ((bld = OSSL_PARAM_BLD_new()) == NULL)
        goto out;
    rc = TSR_EFORMAT;
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) != 1)
        goto out;
    rc = pkey_from_params("EC", bld, out);
out:
    free(x);
    free(y);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

static int okp_from_jwk(const json_t *jwk, EVP_PKEY **out)
{
    const json_t *crv = json_object_get(jwk, "crv");
    if (!json_is_string(crv) || strcmp(json_string_value(crv), "Ed25519") != 0 ||
        json_string_length(crv) != strlen("Ed25519"))
        return TSR_EFORMAT;
    uint8_t *x = NULL;
    size_t xlen = 0;
    int rc = member_bytes(jwk, "x", TSR_ED25519_KEY_LEN, &x, &xlen);
    if (rc != 0)
        return rc;
    rc = TSR_EFORMAT;
    if (xlen == TSR_ED25519_KEY_LEN &&
        (*out = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, x, xlen)) != NULL)
        rc = 0;
    free(x);
    return rc;
}

/* Chooses the key's alg from the JWK's alg member or the hint; it must fit kty. */
static int choose_alg(const json_t *jwk, const char *kty, enum tsr_jws_alg alg_hint,
                      enum tsr_jws_alg *alg)
{
    const json_t *a = json_object_get(jwk, "alg");
    if (a != NULL) {
        if (!json_is_string(a) || strlen(json_string_value(a)) != json_string_length(a) ||
            tsr_jws_alg_parse(json_string_value(a), alg) != 0)
            return TSR_EALG;
    } else if (alg_hint != TSR_ALG_NONE) {
        *alg = alg_hint;
    } else {
        *alg = strcmp(kty, "RSA") == 0  ? TSR_ALG_RS256
               : strcmp(kty, "EC") == 0 ? TSR_ALG_ES256
                                        : TSR_ALG_EDDSA;
    }
    /* RFC 8725 3.1: an RSA or EC key never becomes an HMAC key, whatever alg says. */
    const char *need = tsr_jwk_alg_kty(*alg);
    return need != NULL && strcmp(need, kty) == 0 ? 0 : TSR_EALG;
}

int tsr_jwk_from_json(const json_t *jwk, enum tsr_jws_alg alg_hint, tsr_jwk **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (!json_is_object(jwk))
        return TSR_EFORMAT;

    const json_t *ktyv = json_object_get(jwk, "kty");
    if (!json_is_string(ktyv) || strlen(json_string_value(ktyv)) != json_string_length(ktyv))
        return TSR_EFORMAT;
    const char *kty = json_string_value(ktyv);
    /* Only public-key types: "oct" would be a shared secret published as a JWK. */
    if (strcmp(kty, "RSA") != 0 && strcmp(kty, "EC") != 0 && strcmp(kty, "OKP") != 0)
        return TSR_EFORMAT;

    const json_t *use = json_object_get(jwk, "use");
    if (use != NULL && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0 ||
                        json_string_length(use) != 3))
        return TSR_EALG; /* an "enc" key must not verify signatures */

    const json_t *kidv = json_object_get(jwk, "kid");
    if (kidv != NULL && (!json_is_string(kidv) ||
                         !tsr_jwk_kid_valid(json_string_value(kidv), json_string_length(kidv))))
        return TSR_EFORMAT;

    enum tsr_jws_alg alg = TSR_ALG_NONE;
    int rc = choose_alg(jwk, kty, alg_hint, &alg);
    if (rc != 0)
        return rc;

    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *check = NULL;
    tsr_jwk *k = NULL;
    /* Private members ("d", "p", ...) are never read: this builds a public key only. */
    if (strcmp(kty, "RSA") == 0)
        rc = rsa_from_jwk(jwk, &pkey);
    else if (strcmp(kty, "EC") == 0)
        rc = ec_from_jwk(jwk, &pkey);
    else
        rc = okp_from_jwk(jwk, &pkey);
    if (rc != 0)
        goto out;

    /* Point on the curve for EC (RFC 8725 3.4); modulus and exponent sanity for RSA. */
    rc = TSR_EFORMAT;
    if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
        EVP_PKEY_public_check(check) != 1 || !tsr_jwk_pkey_fits(pkey, alg))
        goto out;

    rc = TSR_ENOMEM;
    if ((k = tsr_jwk_new(alg, false)) == NULL)
        goto out;
    k->pkey = pkey;
    pkey = NULL;
    if (kidv != NULL) {
        memcpy(k->kid, json_string_value(kidv), json_string_length(kidv));
        k->kid[json_string_length(kidv)] = '\0';
        rc = 0;
    } else {
        rc = tsr_jwk_thumbprint(k, k->kid);
    }
    if (rc != 0)
        goto out;
    *out = k;
    k = NULL;
out:
    if (rc != 0)
        ERR_clear_error();
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_free(pkey);
    tsr_jwk_free(k);
    return rc;
}
