/*
 * jwk.c - keys: generation, PEM storage, public JWK export, RFC 7638
 * thumbprints.  Import from a JWK object is in jwk_import.c.
 *
 * Divisions: small helpers; constructors (generate, secret, PEM); public
 * components and their two views (JWK object, thumbprint); accessors,
 * copies and free.
 *
 * A key is bound to one algorithm when it is built and the key material
 * is checked to fit it then, so every later use can trust key->alg.
 */
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/internal.h"
#include "util/b64url.h"
#include "util/err.h"
#include "util/secure.h"

/* base64url of a 16-byte random kid for HS256 keys. */
#define RANDOM_KID_BYTES 16

/* ---- helpers ---------------------------------------------------------------- */

bool tsr_jwk_kid_valid(const char *kid, size_t len)
{
    if (kid == NULL || len == 0 || len > TSR_JWK_MAX_KID)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)kid[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    /* jansson refuses invalid UTF-8, which is the check we want. */
    json_t *s = json_stringn(kid, len);
    if (s == NULL)
        return false;
    json_decref(s);
    return true;
}

tsr_jwk *tsr_jwk_new(enum tsr_jws_alg alg, bool is_private)
{
    tsr_jwk *k = calloc(1, sizeof *k);
    if (k != NULL) {
        k->alg = alg;
        k->is_private = is_private;
    }
    return k;
}

static bool alg_is_rsa(enum tsr_jws_alg alg)
{
    return alg == TSR_ALG_RS256 || alg == TSR_ALG_PS256;
}

bool tsr_jwk_pkey_fits(const EVP_PKEY *pkey, enum tsr_jws_alg alg)
{
    char group[64];
    size_t glen = 0;
    switch (alg) {
    case TSR_ALG_RS256:
    case TSR_ALG_PS256:
        return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= TSR_RSA_MIN_BITS &&
               EVP_PKEY_get_bits(pkey) <= TSR_RSA_MAX_BITS;
    case TSR_ALG_ES256:
        return EVP_PKEY_is_a(pkey, "EC") &&
               EVP_PKEY_get_group_name(pkey, group, sizeof group, &glen) == 1 &&
               strcmp(group, SN_X9_62_prime256v1) == 0;
    case TSR_ALG_EDDSA:
        return EVP_PKEY_is_a(pkey, "ED25519");
    default:
        return false;
    }
}

const char *tsr_jwk_alg_kty(enum tsr_jws_alg alg)
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

/* Copies kid, or derives it from the thumbprint when NULL. */
static int set_kid(tsr_jwk *k, const char *kid)
{
    if (kid == NULL)
        return tsr_jwk_thumbprint(k, k->kid);
    size_t len = strlen(kid);
    if (!tsr_jwk_kid_valid(kid, len))
        return TSR_EINVAL;
    memcpy(k->kid, kid, len + 1);
    return 0;
}

/* ---- constructors ---------------------------------------------------------- */

static const char *const *rsa_pool;
static size_t rsa_pool_len;
static atomic_size_t rsa_pool_next;

void tsr_jwk_rsa_pool_for_tests(const char *const *pems, size_t n)
{
    rsa_pool = pems;
    rsa_pool_len = pems ? n : 0;
    atomic_store(&rsa_pool_next, 0);
}

/* The next key of the tests' pool (tsr_jwk_rsa_pool_for_tests). */
static int rsa_from_pool(enum tsr_jws_alg alg, tsr_jwk **out)
{
    size_t i = atomic_fetch_add(&rsa_pool_next, 1);
    if (i >= rsa_pool_len)
        return TSR_ECRYPTO;
    return tsr_jwk_from_private_pem(rsa_pool[i], strlen(rsa_pool[i]), alg, NULL, out);
}

int tsr_jwk_generate(enum tsr_jws_alg alg, tsr_jwk **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;

    if (alg == TSR_ALG_HS256) {
        uint8_t secret[TSR_HS256_SECRET_LEN];
        int rc = tsr_random_bytes(secret, sizeof secret);
        if (rc == 0)
            rc = tsr_jwk_from_secret(secret, sizeof secret, NULL, out);
        OPENSSL_cleanse(secret, sizeof secret);
        return rc;
    }

    EVP_PKEY *pkey = NULL;
    switch (alg) {
    case TSR_ALG_RS256:
    case TSR_ALG_PS256:
        if (rsa_pool != NULL)
            return rsa_from_pool(alg, out);
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)TSR_RSA_MIN_BITS);
        break;
    case TSR_ALG_ES256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        break;
    case TSR_ALG_EDDSA:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    default:
        return TSR_EINVAL;
    }
    if (pkey == NULL) {
        ERR_clear_error();
        return TSR_ECRYPTO;
    }
    int rc = TSR_ENOMEM;
    tsr_jwk *k = tsr_jwk_new(alg, true);
    if (k == NULL)
        goto out;
    k->pkey = pkey;
    pkey = NULL;
    if ((rc = set_kid(k, NULL)) != 0)
        goto out;
    *out = k;
    k = NULL;
out:
    EVP_PKEY_free(pkey);
    tsr_jwk_free(k);
    return rc;
}

int tsr_jwk_from_secret(const uint8_t *secret, size_t len, const char *kid, tsr_jwk **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    /* RFC 8725 3.5: an HMAC key shorter than the hash output is too weak to accept. */
    if (secret == NULL || len < TSR_HS256_SECRET_LEN)
        return TSR_EINVAL;

    int rc = TSR_ENOMEM;
    tsr_jwk *k = tsr_jwk_new(TSR_ALG_HS256, true);
    if (k == NULL || (k->secret = malloc(len)) == NULL)
        goto out;
    memcpy(k->secret, secret, len);
    k->secret_len = len;
    if (kid == NULL) {
        /* Random, not derived: a hash of the secret would let anyone test guesses offline. */
        rc = tsr_random_token(k->kid, sizeof k->kid, RANDOM_KID_BYTES);
    } else {
        rc = set_kid(k, kid);
    }
    if (rc != 0)
        goto out;
    *out = k;
    k = NULL;
out:
    tsr_jwk_free(k);
    return rc;
}

int tsr_jwk_from_private_pem(const char *pem, size_t len, enum tsr_jws_alg alg, const char *kid,
                             tsr_jwk **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (pem == NULL)
        return TSR_EINVAL;
    if (alg == TSR_ALG_HS256)
        return tsr_jwk_from_secret((const uint8_t *)pem, len, kid, out);

    if (tsr_jwk_alg_kty(alg) == NULL)
        return TSR_EINVAL;

    int rc;
    EVP_PKEY *pkey = NULL;
    tsr_jwk *k = NULL;
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long derlen = 0;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    if (len > INT_MAX)
        return TSR_EINVAL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    /*
     * Only an unencrypted PKCS#8 "PRIVATE KEY" block: an encrypted or
     * traditional key is refused by its label, so nothing ever asks for a
     * passphrase and there is one stored format to reason about.  The DER
     * is read into the secure heap.
     */
    rc = TSR_EFORMAT;
    if (PEM_read_bio_ex(bio, &name, &header, &der, &derlen, PEM_FLAG_SECURE) != 1 ||
        strcmp(name, PEM_STRING_PKCS8INF) != 0 || header[0] != '\0' || derlen <= 0)
        goto out;
    const unsigned char *p = der;
    if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, derlen)) == NULL || p != der + derlen ||
        (pkey = EVP_PKCS82PKEY(p8)) == NULL)
        goto out;
    if (!tsr_jwk_pkey_fits(pkey, alg)) {
        rc = TSR_EALG;
        goto out;
    }
    rc = TSR_ENOMEM;
    if ((k = tsr_jwk_new(alg, true)) == NULL)
        goto out;
    k->pkey = pkey;
    pkey = NULL;
    if ((rc = set_kid(k, kid)) != 0)
        goto out;
    *out = k;
    k = NULL;
out:
    if (rc != 0)
        ERR_clear_error();
    PKCS8_PRIV_KEY_INFO_free(p8);
    OPENSSL_secure_clear_free(der, derlen > 0 ? (size_t)derlen : 0);
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    tsr_jwk_free(k);
    return rc;
}

int tsr_jwk_private_pem(const tsr_jwk *key, uint8_t **out, size_t *outlen)
{
    if (out != NULL)
        *out = NULL;
    if (outlen != NULL)
        *outlen = 0;
    if (key == NULL || out == NULL || outlen == NULL || !key->is_private)
        return TSR_EINVAL;

    uint8_t *buf = NULL;
    if (key->alg == TSR_ALG_HS256) {
        /* One spare NUL byte so callers may treat every result as a string. */
        if ((buf = malloc(key->secret_len + 1)) == NULL)
            return TSR_ENOMEM;
        memcpy(buf, key->secret, key->secret_len);
        buf[key->secret_len] = '\0';
        *out = buf;
        *outlen = key->secret_len;
        return 0;
    }

    int rc = TSR_ECRYPTO;
    char *data = NULL;
    /* Secure-heap memory BIO: the intermediate PEM is wiped when the BIO is freed. */
    BIO *bio = BIO_new(BIO_s_secmem());
    if (bio == NULL || PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1)
        goto out;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0 || data == NULL)
        goto out;
    rc = TSR_ENOMEM;
    if ((buf = malloc((size_t)n + 1)) == NULL)
        goto out;
    memcpy(buf, data, (size_t)n);
    buf[n] = '\0';
    *out = buf;
    *outlen = (size_t)n;
    rc = 0;
out:
    if (rc != 0)
        ERR_clear_error();
    BIO_free(bio);
    return rc;
}

/* ---- public components ------------------------------------------------------- */

/* The public members as base64url: RSA a=n b=e; EC a=x b=y; OKP a=x. */
struct pub_parts {
    char *a;
    char *b;
};

static void pub_parts_free(struct pub_parts *pp)
{
    free(pp->a);
    free(pp->b);
    pp->a = pp->b = NULL;
}

/* Encodes a BIGNUM big-endian; pad 0 means minimal length (RFC 7518 Base64urlUInt). */
static char *bn_b64(const BIGNUM *bn, int pad)
{
    int n = pad > 0 ? pad : BN_num_bytes(bn);
    if (n <= 0 || n > 2048)
        return NULL;
    uint8_t buf[2048];
    int w = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
    return w == n ? tsr_b64url_encode_alloc(buf, (size_t)n) : NULL;
}

static char *bn_param_b64(const EVP_PKEY *pkey, const char *name, int pad)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        return NULL;
    char *s = bn_b64(bn, pad);
    BN_free(bn);
    return s;
}

static int pub_parts_get(const tsr_jwk *key, struct pub_parts *pp)
{
    pp->a = pp->b = NULL;
    switch (key->alg) {
    case TSR_ALG_RS256:
    case TSR_ALG_PS256:
        pp->a = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        pp->b = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        break;
    case TSR_ALG_ES256:
        /* Coordinates are fixed-length, left-padded (RFC 7518 6.2.1.2). */
        pp->a = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, TSR_EC_COORD_LEN);
        pp->b = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, TSR_EC_COORD_LEN);
        break;
    case TSR_ALG_EDDSA: {
        uint8_t raw[TSR_ED25519_KEY_LEN];
        size_t rawlen = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &rawlen) == 1 && rawlen == sizeof raw)
            pp->a = tsr_b64url_encode_alloc(raw, rawlen);
        pp->b = NULL;
        if (pp->a != NULL)
            return 0;
        break;
    }
    default:
        return TSR_EINVAL; /* HS256: nothing public to show */
    }
    if (pp->a != NULL && pp->b != NULL)
        return 0;
    pub_parts_free(pp);
    ERR_clear_error();
    return TSR_ECRYPTO;
}

int tsr_jwk_to_public_json(const tsr_jwk *key, json_t **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (key == NULL || key->alg == TSR_ALG_HS256)
        return TSR_EINVAL;

    struct pub_parts pp;
    int rc = pub_parts_get(key, &pp);
    if (rc != 0)
        return rc;
    rc = TSR_ENOMEM;
    json_t *o = json_object();
    if (o == NULL)
        goto out;
    const char *kty = tsr_jwk_alg_kty(key->alg);
    int bad = json_object_set_new(o, "kty", json_string(kty));
    bad |= json_object_set_new(o, "kid", json_string(key->kid));
    bad |= json_object_set_new(o, "use", json_string("sig"));
    bad |= json_object_set_new(o, "alg", json_string(tsr_jws_alg_name(key->alg)));
    if (alg_is_rsa(key->alg)) {
        bad |= json_object_set_new(o, "n", json_string(pp.a));
        bad |= json_object_set_new(o, "e", json_string(pp.b));
    } else if (key->alg == TSR_ALG_ES256) {
        bad |= json_object_set_new(o, "crv", json_string("P-256"));
        bad |= json_object_set_new(o, "x", json_string(pp.a));
        bad |= json_object_set_new(o, "y", json_string(pp.b));
    } else {
        bad |= json_object_set_new(o, "crv", json_string("Ed25519"));
        bad |= json_object_set_new(o, "x", json_string(pp.a));
    }
    if (bad != 0)
        goto out;
    *out = o;
    o = NULL;
    rc = 0;
out:
    json_decref(o);
    pub_parts_free(&pp);
    return rc;
}

int tsr_jwk_thumbprint(const tsr_jwk *key, char out[44])
{
    if (out == NULL)
        return TSR_EINVAL;
    out[0] = '\0';
    if (key == NULL)
        return TSR_EINVAL;

    struct pub_parts pp;
    int rc = pub_parts_get(key, &pp);
    if (rc != 0)
        return rc;

    /* RFC 7638 3.2: required members only, lexicographic order, no whitespace. */
    char *text = NULL;
    size_t cap = strlen(pp.a) + (pp.b != NULL ? strlen(pp.b) : 0) + 64;
    rc = TSR_ENOMEM;
    if ((text = malloc(cap)) == NULL)
        goto out;
    int n;
    if (alg_is_rsa(key->alg))
        n = snprintf(text, cap, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", pp.b, pp.a);
    else if (key->alg == TSR_ALG_ES256)
        n = snprintf(text, cap, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
                     pp.a, pp.b);
    else
        n = snprintf(text, cap, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", pp.a);
    rc = TSR_ECRYPTO;
    if (n < 0 || (size_t)n >= cap)
        goto out;
    uint8_t digest[TSR_SHA256_LEN];
    if ((rc = tsr_sha256(text, (size_t)n, digest)) != 0)
        goto out;
    rc = tsr_b64url_encode(digest, sizeof digest, out, 44);
out:
    free(text);
    pub_parts_free(&pp);
    return rc;
}

/* ---- accessors, copies, free ------------------------------------------------- */

const char *tsr_jwk_kid(const tsr_jwk *key)
{
    return key != NULL ? key->kid : "";
}

enum tsr_jws_alg tsr_jwk_alg(const tsr_jwk *key)
{
    return key != NULL ? key->alg : TSR_ALG_NONE;
}

bool tsr_jwk_is_private(const tsr_jwk *key)
{
    return key != NULL && key->is_private;
}

struct evp_pkey_st *tsr_jwk_evp_pkey(const tsr_jwk *key)
{
    return key != NULL ? key->pkey : NULL;
}

int tsr_jwk_public(const tsr_jwk *key, tsr_jwk **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (key == NULL)
        return TSR_EINVAL;
    if (key->alg == TSR_ALG_HS256)
        return tsr_jwk_from_secret(key->secret, key->secret_len, key->kid, out);

    int rc = TSR_ENOMEM;
    unsigned char *der = NULL;
    tsr_jwk *k = tsr_jwk_new(key->alg, false);
    if (k == NULL)
        goto out;
    /* A SubjectPublicKeyInfo round trip keeps exactly the public half. */
    rc = TSR_ECRYPTO;
    int n = i2d_PUBKEY(key->pkey, &der);
    if (n <= 0)
        goto out;
    const unsigned char *p = der;
    if ((k->pkey = d2i_PUBKEY(NULL, &p, n)) == NULL)
        goto out;
    memcpy(k->kid, key->kid, sizeof k->kid);
    *out = k;
    k = NULL;
    rc = 0;
out:
    if (rc != 0)
        ERR_clear_error();
    OPENSSL_free(der);
    tsr_jwk_free(k);
    return rc;
}

void tsr_jwk_free(tsr_jwk *key)
{
    if (key == NULL)
        return;
    EVP_MD_CTX_free(atomic_load(&key->sign_ctx));
    EVP_MD_CTX_free(atomic_load(&key->verify_ctx));
    EVP_MAC_CTX_free(atomic_load(&key->mac_ctx)); /* OpenSSL clears its copy of the secret */
    EVP_PKEY_free(key->pkey);                     /* OpenSSL clears private components itself */
    if (key->secret != NULL) {
        OPENSSL_cleanse(key->secret, key->secret_len);
        free(key->secret);
    }
    OPENSSL_cleanse(key, sizeof *key);
    free(key);
}
