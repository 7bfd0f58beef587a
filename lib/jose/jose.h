/*
 * jose.h - keys (JWK) and compact JWS/JWT over OpenSSL EVP.
 *
 * Supported algorithms: RS256, PS256, ES256, EdDSA (Ed25519) and HS256.
 * Every key is pinned to exactly one algorithm; verification fails unless
 * the token's header alg equals the key's alg, so an RSA public key can
 * never be used as an HMAC secret and "none" is never accepted.
 *
 * OpenSSL types stay inside src/jose (see internal.h).
 */
#ifndef TSR_JOSE_JOSE_H
#define TSR_JOSE_JOSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tsr_jws_alg {
    TSR_ALG_NONE = 0, /* never signed or accepted; the parse result for "none" */
    TSR_ALG_RS256,
    TSR_ALG_PS256,
    TSR_ALG_ES256,
    TSR_ALG_EDDSA,
    TSR_ALG_HS256,
};

/* Largest compact JWS accepted by tsr_jws_parse. */
#define TSR_JWS_MAX_LEN (16 * 1024)
/* Largest kid accepted. */
#define TSR_JWK_MAX_KID 128

/* "RS256", ... or NULL for an unknown value. */
const char *tsr_jws_alg_name(enum tsr_jws_alg alg);

/* Parses an alg name (case-sensitive).  Returns 0 or TSR_EINVAL ("none" included). */
int tsr_jws_alg_parse(const char *name, enum tsr_jws_alg *out);

/* True for HS256 (a symmetric algorithm). */
bool tsr_jws_alg_is_symmetric(enum tsr_jws_alg alg);

/* ---- keys ---------------------------------------------------------------- */

/* A key pinned to one algorithm; private or public-only. */
typedef struct tsr_jwk tsr_jwk;

/*
 * Generates a fresh key for alg: RSA 2048 (RS256, PS256), P-256 (ES256),
 * Ed25519 (EdDSA), 32 random bytes (HS256).  The kid is the RFC 7638
 * thumbprint for asymmetric keys, random for HS256.  Returns 0,
 * TSR_EINVAL or TSR_ECRYPTO.
 */
int tsr_jwk_generate(enum tsr_jws_alg alg, tsr_jwk **out);

/*
 * Tests only: RSA keys (RS256, PS256) that tsr_jwk_generate makes are
 * instead read, in order, from pems (PKCS#8 PEM, borrowed for as long as
 * the pool is set); an exhausted pool answers TSR_ECRYPTO.  NULL restores
 * generation.  Generating RSA keys takes seconds each under valgrind.
 */
void tsr_jwk_rsa_pool_for_tests(const char *const *pems, size_t n);

/* Wraps an HS256 secret (copied; at least 32 bytes).  kid may be NULL. */
int tsr_jwk_from_secret(const uint8_t *secret, size_t len, const char *kid, tsr_jwk **out);

/*
 * Loads a private key from PKCS#8 PEM (as written by tsr_jwk_private_pem).
 * The key type must fit alg.  kid is copied (NULL: thumbprint).  Returns 0,
 * TSR_EINVAL, TSR_EFORMAT (not an unencrypted PKCS#8 "PRIVATE KEY" block)
 * or TSR_EALG (key type or size does not fit alg).
 */
int tsr_jwk_from_private_pem(const char *pem, size_t len, enum tsr_jws_alg alg, const char *kid,
                             tsr_jwk **out);

/*
 * Writes the private key as PKCS#8 PEM (HS256: the raw secret bytes) into a
 * new buffer; caller wipes and frees it.  Returns 0, TSR_EINVAL (public
 * key) or TSR_ECRYPTO.
 */
int tsr_jwk_private_pem(const tsr_jwk *key, uint8_t **out, size_t *outlen);

/*
 * Public JWK as a new JSON object: kty, kid, use "sig", alg and n/e
 * (RSA), crv/x/y (EC), crv/x (OKP).  HS256 keys are never exported:
 * TSR_EINVAL.
 */
int tsr_jwk_to_public_json(const tsr_jwk *key, json_t **out);

/*
 * Builds a public key from a JWK object (kty RSA, EC P-256, OKP Ed25519;
 * "oct" is refused).  The alg member, when present, must fit the key type;
 * when absent, alg_hint is used (TSR_ALG_NONE: RS256 for RSA, ES256 for EC,
 * EdDSA for OKP).  Returns 0, TSR_EFORMAT or TSR_EALG.
 */
int tsr_jwk_from_json(const json_t *jwk, enum tsr_jws_alg alg_hint, tsr_jwk **out);

/* RFC 7638 SHA-256 thumbprint, base64url, into out[44] (NUL-terminated). */
int tsr_jwk_thumbprint(const tsr_jwk *key, char out[44]);

const char *tsr_jwk_kid(const tsr_jwk *key); /* borrowed, never NULL */
enum tsr_jws_alg tsr_jwk_alg(const tsr_jwk *key);
bool tsr_jwk_is_private(const tsr_jwk *key);
/*
 * The key's OpenSSL key (an EVP_PKEY), borrowed for as long as key lives;
 * NULL for HS256.  For the X.509 certificate core makes of a signing key
 * without reading its PEM a second time.
 */
struct evp_pkey_st *tsr_jwk_evp_pkey(const tsr_jwk *key);

/* Public part of a private key as a new key (for HS256: a copy).  */
int tsr_jwk_public(const tsr_jwk *key, tsr_jwk **out);

/* Frees the key, wiping secret material.  NULL is a no-op. */
void tsr_jwk_free(tsr_jwk *key);

/* ---- compact JWS / JWT ---------------------------------------------------- */

/*
 * Signs claims as a compact JWT with header {"alg", "typ", "kid"}; typ is
 * "JWT" when NULL, else UTF-8 of at most a few hundred bytes (a media
 * type).  The key must be private.  *out is a new string (caller
 * frees).  Returns 0, TSR_EINVAL, TSR_ENOMEM or TSR_ECRYPTO.
 */
int tsr_jwt_sign(const tsr_jwk *key, const char *typ, const json_t *claims, char **out);

/*
 * tsr_jwt_sign for claims already written as compact JSON text (len bytes,
 * an object), e.g. straight into a stack buffer: the payload is those bytes
 * as they are.  Same returns as tsr_jwt_sign.
 */
int tsr_jwt_sign_text(const tsr_jwk *key, const char *typ, const char *claims, size_t len,
                      char **out);

/* A parsed, not yet verified, compact JWS whose header and payload are JSON objects. */
typedef struct tsr_jws tsr_jws;

/*
 * Parses a compact JWS of at most TSR_JWS_MAX_LEN bytes: three base64url
 * parts, header and payload JSON objects (duplicate members rejected), an
 * alg that Tessera knows ("none" parses as TSR_ALG_NONE so callers can
 * say why they refuse it).  Returns 0, TSR_EFORMAT, TSR_ETOOBIG or
 * TSR_ENOMEM.
 */
int tsr_jws_parse(const char *compact, size_t len, tsr_jws **out);

/*
 * The same checks, except that the payload is only base64url-decoded, not
 * parsed: tsr_jws_payload returns NULL and tsr_jws_payload_bytes gives the
 * bytes, which the caller must check are a JSON object (libtessera-verify
 * reads the claims it needs without building a tree).
 */
int tsr_jws_parse_lazy(const char *compact, size_t len, tsr_jws **out);
/* The decoded payload (NUL-terminated; *len without the NUL) of a lazy parse, else NULL. */
const char *tsr_jws_payload_bytes(const tsr_jws *jws, size_t *len);

/* Borrowed.  Made on first use for common headers: not to be called from two threads at once. */
const json_t *tsr_jws_header(const tsr_jws *jws);
/* The decoded header bytes (NUL-terminated; *len without the NUL).  Borrowed. */
const char *tsr_jws_header_bytes(const tsr_jws *jws, size_t *len);
/* The header's typ when it is a string, else NULL.  Borrowed. */
const char *tsr_jws_typ(const tsr_jws *jws);
const json_t *tsr_jws_payload(const tsr_jws *jws); /* borrowed */
enum tsr_jws_alg tsr_jws_alg(const tsr_jws *jws);
const char *tsr_jws_kid(const tsr_jws *jws); /* borrowed; NULL when absent */

/*
 * Verifies the signature with key.  Returns 0 when the header alg equals
 * the key's alg and the signature verifies; TSR_EALG when the algs differ
 * or alg is none; TSR_ESIGNATURE when the signature is wrong.
 */
int tsr_jws_verify(const tsr_jws *jws, const tsr_jwk *key);

void tsr_jws_free(tsr_jws *jws);

#endif
