/*
 * internal.h - the JOSE module's private structures and helpers.
 *
 * The only header that names OpenSSL types; nothing outside src/jose
 * includes it, so the rest of Tessera cannot reach around the alg pinning
 * that jose.h promises.
 */
#ifndef TSR_JOSE_INTERNAL_H
#define TSR_JOSE_INTERNAL_H

#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jose/jose.h"

/* Length of an HS256 secret made by tsr_jwk_generate, and the minimum accepted (RFC 8725 3.5). */
#define TSR_HS256_SECRET_LEN 32
/* ES256 signatures in JOSE form: r || s, 32 bytes each (RFC 7518 section 3.4). */
#define TSR_ES256_SIG_LEN 64
#define TSR_ED25519_SIG_LEN 64
#define TSR_RSA_MIN_BITS 2048
#define TSR_RSA_MAX_BITS 8192
#define TSR_EC_COORD_LEN 32
#define TSR_ED25519_KEY_LEN 32

struct tsr_jwk {
    enum tsr_jws_alg alg; /* never TSR_ALG_NONE */
    bool is_private;
    EVP_PKEY *pkey;  /* asymmetric algs; NULL for HS256 */
    uint8_t *secret; /* HS256 only; wiped before free */
    size_t secret_len;
    char kid[TSR_JWK_MAX_KID + 1];
    /*
     * Contexts set up for this key once, on first use, and copied for each
     * call: setting one up from nothing makes OpenSSL 3.0 fetch the digest,
     * signature and key manager under global locks, which costs more than
     * an ES256 signature.  Written once by whichever thread is first, then
     * only read; freed with the key.
     */
    _Atomic(EVP_MD_CTX *) sign_ctx;
    _Atomic(EVP_MD_CTX *) verify_ctx;
    _Atomic(EVP_MAC_CTX *) mac_ctx; /* HS256 only */
};

struct tsr_jws {
    enum tsr_jws_alg alg;
    /*
     * NULL until asked for when the header took the fast path (jws.c): a
     * JWS belongs to one thread, so tsr_jws_header may fill it in then.
     */
    json_t *header;
    json_t *payload;     /* NULL when parsed by tsr_jws_parse_lazy */
    char *payload_raw;   /* tsr_jws_parse_lazy only: the decoded payload, NUL-terminated, in buf */
    size_t payload_len;
    const char *kid;  /* in buf or borrowed from header; NULL when absent */
    const char *typ;  /* likewise; NULL when absent or not a string */
    char *header_raw; /* the decoded header bytes, NUL-terminated, in buf */
    size_t header_len;
    char *signing_input; /* "header.payload" exactly as received, in buf */
    size_t signing_input_len;
    uint8_t *sig; /* in buf */
    size_t sig_len;
    /*
     * One allocation per parsed token: the signing input and its NUL, the
     * signature, the decoded header and its NUL, then room for the fast
     * path's NUL-terminated copies of kid and typ, then (lazy parse) the
     * decoded payload and its NUL.
     */
    char buf[];
};

/*
 * Checks a kid: 1..TSR_JWK_MAX_KID bytes, valid UTF-8, no control
 * characters.  A kid lands in logs, JSON and database rows, so it is kept
 * printable.
 */
bool tsr_jwk_kid_valid(const char *kid, size_t len);

/* A zeroed key for alg with no material yet, or NULL. */
tsr_jwk *tsr_jwk_new(enum tsr_jws_alg alg, bool is_private);

/*
 * Whether pkey's type and size fit alg (RSA 2048..8192 bits, P-256,
 * Ed25519); checked on every path that makes a key, so later code can
 * trust key->alg.
 */
bool tsr_jwk_pkey_fits(const EVP_PKEY *pkey, enum tsr_jws_alg alg);

/* The JWK kty an alg needs ("RSA", "EC", "OKP"), or NULL (HS256, none). */
const char *tsr_jwk_alg_kty(enum tsr_jws_alg alg);

/*
 * Signs data with key's algorithm into a new buffer *sig (JOSE form: raw
 * r||s for ES256).  Returns 0, TSR_EINVAL (public key), TSR_ENOMEM or
 * TSR_ECRYPTO.
 */
int tsr_jws_sign_bytes(const tsr_jwk *key, const uint8_t *data, size_t len, uint8_t **sig,
                       size_t *siglen);

/*
 * Verifies sig (JOSE form) over data with key's algorithm.  Returns 0 or
 * TSR_ESIGNATURE; any failure inside OpenSSL counts as a bad signature so
 * verification always fails closed.
 */
int tsr_jws_verify_bytes(const tsr_jwk *key, const uint8_t *data, size_t len, const uint8_t *sig,
                         size_t siglen);

#endif
