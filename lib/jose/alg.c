/*
 * alg.c - algorithm names and the raw sign/verify operations over OpenSSL EVP.
 *
 * Divisions: names; HS256 (EVP_MAC); ES256 signature form conversion;
 * asymmetric sign/verify (EVP_DigestSign / EVP_DigestVerify).
 *
 * Every key carries exactly one algorithm, fixed when the key was built, so
 * the padding, digest and salt length chosen here never depend on anything
 * a token says.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "jose/internal.h"
#include "util/err.h"
#include "util/secure.h"

/* ---- names ---------------------------------------------------------------- */

static const struct {
    enum tsr_jws_alg alg;
    const char *name;
} alg_names[] = {
    {TSR_ALG_RS256, "RS256"}, {TSR_ALG_PS256, "PS256"}, {TSR_ALG_ES256, "ES256"},
    {TSR_ALG_EDDSA, "EdDSA"}, {TSR_ALG_HS256, "HS256"},
};

const char *tsr_jws_alg_name(enum tsr_jws_alg alg)
{
    for (size_t i = 0; i < sizeof alg_names / sizeof alg_names[0]; i++)
        if (alg_names[i].alg == alg)
            return alg_names[i].name;
    return NULL;
}

int tsr_jws_alg_parse(const char *name, enum tsr_jws_alg *out)
{
    if (out != NULL)
        *out = TSR_ALG_NONE;
    if (name == NULL || out == NULL)
        return TSR_EINVAL;
    for (size_t i = 0; i < sizeof alg_names / sizeof alg_names[0]; i++) {
        if (strcmp(alg_names[i].name, name) == 0) {
            *out = alg_names[i].alg;
            return 0;
        }
    }
    return TSR_EINVAL;
}

bool tsr_jws_alg_is_symmetric(enum tsr_jws_alg alg)
{
    return alg == TSR_ALG_HS256;
}

/* ---- prepared contexts (see struct tsr_jwk) ----------------------------------- */

/*
 * The key is const to every caller: the prepared contexts are a cache, not
 * part of its value, and the key itself was allocated writable by tsr_jwk_new.
 */
static tsr_jwk *cache_of(const tsr_jwk *key)
{
    return (tsr_jwk *)key;
}

/* The key's HMAC context with the secret set, made on first use; NULL on failure. */
static EVP_MAC_CTX *mac_prepared(const tsr_jwk *key)
{
    _Atomic(EVP_MAC_CTX *) *slot = &cache_of(key)->mac_ctx;
    EVP_MAC_CTX *ctx = atomic_load_explicit(slot, memory_order_acquire);
    if (ctx != NULL)
        return ctx;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *fresh = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (fresh == NULL || EVP_MAC_init(fresh, key->secret, key->secret_len, params) != 1) {
        EVP_MAC_CTX_free(fresh);
        return NULL;
    }
    EVP_MAC_CTX *none = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &none, fresh, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        EVP_MAC_CTX_free(fresh); /* another thread was first; use its context */
        return none;
    }
    return fresh;
}

static int digest_init(EVP_MD_CTX *md, const tsr_jwk *key, bool sign);

/* The key's DigestSign or DigestVerify context, made on first use; NULL on failure. */
static EVP_MD_CTX *md_prepared(const tsr_jwk *key, bool sign)
{
    _Atomic(EVP_MD_CTX *) *slot = sign ? &cache_of(key)->sign_ctx : &cache_of(key)->verify_ctx;
    EVP_MD_CTX *ctx = atomic_load_explicit(slot, memory_order_acquire);
    if (ctx != NULL)
        return ctx;
    EVP_MD_CTX *fresh = EVP_MD_CTX_new();
    if (fresh == NULL || digest_init(fresh, key, sign) != 0) {
        EVP_MD_CTX_free(fresh);
        return NULL;
    }
    EVP_MD_CTX *none = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &none, fresh, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        EVP_MD_CTX_free(fresh);
        return none;
    }
    return fresh;
}

/* A copy of the prepared context for one operation (the shared one is only read); or NULL. */
static EVP_MD_CTX *md_start(const tsr_jwk *key, bool sign)
{
    EVP_MD_CTX *prepared = md_prepared(key, sign);
    EVP_MD_CTX *md = prepared != NULL ? EVP_MD_CTX_new() : NULL;
    if (md != NULL && EVP_MD_CTX_copy_ex(md, prepared) != 1) {
        EVP_MD_CTX_free(md);
        md = NULL;
    }
    return md;
}

/* ---- HS256 ------------------------------------------------------------------ */

static int hmac_sha256(const tsr_jwk *key, const uint8_t *data, size_t len,
                       uint8_t out[TSR_SHA256_LEN])
{
    size_t outlen = 0;
    int rc = TSR_ECRYPTO;
    EVP_MAC_CTX *prepared = mac_prepared(key);
    EVP_MAC_CTX *ctx = prepared != NULL ? EVP_MAC_CTX_dup(prepared) : NULL;
    if (ctx != NULL && EVP_MAC_update(ctx, data, len) == 1 &&
        EVP_MAC_final(ctx, out, &outlen, TSR_SHA256_LEN) == 1 && outlen == TSR_SHA256_LEN)
        rc = 0;
    EVP_MAC_CTX_free(ctx);
    if (rc != 0)
        ERR_clear_error();
    return rc;
}

/* ---- ES256 signature form ----------------------------------------------------- */

/*
 * The order n of P-256 (FIPS 186-4 D.1.2.3).  JOSE carries r and s as fixed
 * 32-byte big-endian strings, so a bytewise compare against n is a numeric
 * compare; it lets us refuse r, s outside [1, n-1] before OpenSSL sees them
 * (RFC 8725 section 3.4, the "psychic signatures" class of bugs).
 */
static const uint8_t p256_order[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static bool scalar_in_range(const uint8_t v[32])
{
    uint8_t any = 0;
    for (size_t i = 0; i < 32; i++)
        any |= v[i];
    return any != 0 && memcmp(v, p256_order, 32) < 0;
}

/* OpenSSL's DER ECDSA-Sig-Value -> JOSE r || s. */
static int ecdsa_der_to_raw(const uint8_t *der, size_t derlen, uint8_t out[TSR_ES256_SIG_LEN])
{
    const unsigned char *p = der;
    const BIGNUM *r = NULL, *s = NULL;
    int rc = TSR_ECRYPTO;
    if (derlen > 256)
        return TSR_ECRYPTO;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    if (sig == NULL)
        goto out;
    ECDSA_SIG_get0(sig, &r, &s);
    if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
        goto out;
    rc = 0;
out:
    ECDSA_SIG_free(sig);
    return rc;
}

/* Largest DER ECDSA-Sig-Value for P-256: SEQUENCE of two INTEGERs of up to 33 bytes. */
#define ES256_DER_MAX (2 + 2 * (2 + 33))

/* One minimal DER INTEGER from a 32-byte unsigned big-endian value; returns the bytes written. */
static size_t der_integer(const uint8_t v[32], uint8_t *out)
{
    size_t skip = 0;
    while (skip < 31 && v[skip] == 0)
        skip++;
    size_t n = 32 - skip;
    bool pad = (v[skip] & 0x80) != 0; /* a set top bit would read as negative */
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad);
    out[2] = 0;
    memcpy(out + 2 + pad, v + skip, n);
    return 2 + pad + n;
}

/*
 * JOSE r || s -> DER for OpenSSL, into out (ES256_DER_MAX bytes), without
 * allocating.  Returns 0 or TSR_ESIGNATURE (wrong length or out of range).
 */
static int ecdsa_raw_to_der(const uint8_t *raw, size_t rawlen, uint8_t out[ES256_DER_MAX],
                            size_t *derlen)
{
    *derlen = 0;
    if (rawlen != TSR_ES256_SIG_LEN || !scalar_in_range(raw) || !scalar_in_range(raw + 32))
        return TSR_ESIGNATURE;
    size_t n = der_integer(raw, out + 2);
    n += der_integer(raw + 32, out + 2 + n);
    out[0] = 0x30; /* SEQUENCE; the content is at most 70 bytes, so one length byte */
    out[1] = (uint8_t)n;
    *derlen = n + 2;
    return 0;
}

/* ---- asymmetric ------------------------------------------------------------- */

/* Fixes digest and padding from the key's alg, never from the token. */
static int digest_init(EVP_MD_CTX *md, const tsr_jwk *key, bool sign)
{
    EVP_PKEY_CTX *pctx = NULL;
    /* Ed25519 hashes internally (PureEdDSA): no digest may be named. */
    const char *mdname = key->alg == TSR_ALG_EDDSA ? NULL : "SHA256";
    int ok = sign ? EVP_DigestSignInit_ex(md, &pctx, mdname, NULL, NULL, key->pkey, NULL)
                  : EVP_DigestVerifyInit_ex(md, &pctx, mdname, NULL, NULL, key->pkey, NULL);
    if (ok != 1)
        return TSR_ECRYPTO;
    if (key->alg == TSR_ALG_RS256) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
            return TSR_ECRYPTO;
    } else if (key->alg == TSR_ALG_PS256) {
        /* RFC 7518 3.5: MGF1 with SHA-256 and a salt as long as the digest. */
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, TSR_SHA256_LEN) != 1)
            return TSR_ECRYPTO;
    }
    return 0;
}

/* Room for the largest signature: an RSA-8192 one (an ECDSA one in DER is far shorter). */
#define SIG_BUF_LEN (TSR_RSA_MAX_BITS / 8)

static int pkey_sign(const tsr_jwk *key, const uint8_t *data, size_t len, uint8_t **sig,
                     size_t *siglen)
{
    int rc = TSR_ECRYPTO;
    uint8_t buf[SIG_BUF_LEN];
    size_t buflen = sizeof buf;
    uint8_t raw[TSR_ES256_SIG_LEN];
    const uint8_t *out = buf;
    EVP_MD_CTX *md = md_start(key, true);
    if (md == NULL || EVP_PKEY_get_size(key->pkey) <= 0 ||
        (size_t)EVP_PKEY_get_size(key->pkey) > sizeof buf)
        goto out;
    if (EVP_DigestSign(md, buf, &buflen, data, len) != 1 || buflen == 0)
        goto out;
    if (key->alg == TSR_ALG_ES256) {
        if ((rc = ecdsa_der_to_raw(buf, buflen, raw)) != 0)
            goto out;
        out = raw;
        buflen = TSR_ES256_SIG_LEN;
    }
    rc = TSR_ENOMEM;
    if ((*sig = malloc(buflen)) == NULL)
        goto out;
    memcpy(*sig, out, buflen);
    *siglen = buflen;
    rc = 0;
out:
    if (rc != 0)
        ERR_clear_error();
    EVP_MD_CTX_free(md);
    return rc;
}

static int pkey_verify(const tsr_jwk *key, const uint8_t *data, size_t len, const uint8_t *sig,
                       size_t siglen)
{
    int rc = TSR_ESIGNATURE;
    uint8_t der[ES256_DER_MAX];
    size_t derlen = 0;
    EVP_MD_CTX *md = NULL;

    /* Exact lengths: RSA signatures are as long as the modulus (RFC 8017 8.2.2). */
    switch (key->alg) {
    case TSR_ALG_RS256:
    case TSR_ALG_PS256:
        if (EVP_PKEY_get_size(key->pkey) <= 0 || siglen != (size_t)EVP_PKEY_get_size(key->pkey))
            goto out;
        break;
    case TSR_ALG_ES256:
        if (ecdsa_raw_to_der(sig, siglen, der, &derlen) != 0)
            goto out;
        sig = der;
        siglen = derlen;
        break;
    case TSR_ALG_EDDSA:
        if (siglen != TSR_ED25519_SIG_LEN)
            goto out;
        break;
    default:
        goto out;
    }
    if ((md = md_start(key, false)) == NULL)
        goto out;
    if (EVP_DigestVerify(md, sig, siglen, data, len) == 1)
        rc = 0;
out:
    if (rc != 0)
        ERR_clear_error(); /* a forged token must not leave errors for the next OpenSSL caller */
    EVP_MD_CTX_free(md);
    return rc;
}

/* ---- entry points ------------------------------------------------------------ */

int tsr_jws_sign_bytes(const tsr_jwk *key, const uint8_t *data, size_t len, uint8_t **sig,
                       size_t *siglen)
{
    if (sig != NULL)
        *sig = NULL;
    if (siglen != NULL)
        *siglen = 0;
    if (key == NULL || sig == NULL || siglen == NULL || (data == NULL && len > 0) ||
        !key->is_private)
        return TSR_EINVAL;

    if (key->alg != TSR_ALG_HS256)
        return pkey_sign(key, data, len, sig, siglen);

    uint8_t *mac = malloc(TSR_SHA256_LEN);
    if (mac == NULL)
        return TSR_ENOMEM;
    int rc = hmac_sha256(key, data, len, mac);
    if (rc != 0) {
        free(mac);
        return rc;
    }
    *sig = mac;
    *siglen = TSR_SHA256_LEN;
    return 0;
}

int tsr_jws_verify_bytes(const tsr_jwk *key, const uint8_t *data, size_t len, const uint8_t *sig,
                         size_t siglen)
{
    if (key == NULL || (data == NULL && len > 0) || (sig == NULL && siglen > 0))
        return TSR_ESIGNATURE;
    if (key->alg != TSR_ALG_HS256)
        return pkey_verify(key, data, len, sig, siglen);

    uint8_t mac[TSR_SHA256_LEN];
    int rc = TSR_ESIGNATURE;
    /* The length is public (fixed by the alg); only the content compare must be constant-time. */
    if (siglen == TSR_SHA256_LEN && hmac_sha256(key, data, len, mac) == 0 &&
        CRYPTO_memcmp(mac, sig, TSR_SHA256_LEN) == 0)
        rc = 0;
    OPENSSL_cleanse(mac, sizeof mac);
    return rc;
}
