/*
 * b64url.h - base64url without padding (RFC 7515 section 2).
 *
 * The decoder is strict: it rejects '=', '+', '/', whitespace, a length of
 * 1 mod 4 and non-zero trailing bits, so every token has exactly one
 * encoding.
 */
#ifndef TSR_UTIL_B64URL_H
#define TSR_UTIL_B64URL_H

#include <stddef.h>
#include <stdint.h>

/* Encoded length (without NUL) of n input bytes. */
size_t tsr_b64url_encoded_len(size_t n);

/* Upper bound of decoded bytes for inlen encoded characters. */
size_t tsr_b64url_decoded_max(size_t inlen);

/*
 * Encodes n bytes into out, NUL-terminated.  outsz must be at least
 * tsr_b64url_encoded_len(n) + 1.  Returns 0 or TSR_EINVAL.
 */
int tsr_b64url_encode(const uint8_t *in, size_t n, char *out, size_t outsz);

/* Encodes into a new NUL-terminated string (caller frees), or NULL. */
char *tsr_b64url_encode_alloc(const uint8_t *in, size_t n);

/*
 * Decodes inlen characters into out (outsz bytes), storing the decoded
 * length in *outlen.  Returns 0, TSR_EFORMAT (bad input) or TSR_ETOOBIG
 * (out too small).
 */
int tsr_b64url_decode(const char *in, size_t inlen, uint8_t *out, size_t outsz, size_t *outlen);

/*
 * Decodes into a new buffer (caller frees; one extra NUL byte appended so
 * JSON text can be parsed in place).  Returns 0, TSR_EFORMAT or TSR_ENOMEM.
 */
int tsr_b64url_decode_alloc(const char *in, size_t inlen, uint8_t **out, size_t *outlen);

#endif
