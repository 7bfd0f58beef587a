/*
 * secure.h - randomness, constant-time comparison, wiping and hashing of
 * secrets.  Everything goes through OpenSSL; nothing here is a hand-written
 * primitive.
 */
#ifndef TSR_UTIL_SECURE_H
#define TSR_UTIL_SECURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TSR_SHA256_LEN 32

/* Fills buf with n bytes from the OS CSPRNG.  Returns 0 or TSR_ECRYPTO. */
int tsr_random_bytes(void *buf, size_t n);

/*
 * Writes a random identifier of len characters drawn uniformly from the
 * 62 alphanumerics, NUL-terminated (out must hold len + 1).  Returns 0 or
 * TSR_ECRYPTO.
 */
int tsr_random_alnum(char *out, size_t len);

/*
 * Writes base64url(nbytes random bytes) into out (NUL-terminated).  outsz
 * must be at least tsr_b64url_encoded_len(nbytes) + 1.  Returns 0,
 * TSR_EINVAL or TSR_ECRYPTO.
 */
int tsr_random_token(char *out, size_t outsz, size_t nbytes);

/* Length of a secret handle from tsr_random_secret (base64url of 32 bytes). */
#define TSR_SECRET_LEN 43

/*
 * A new opaque secret (codes, tokens, session cookies: 256 random bits,
 * base64url) into secret[64], and its hex SHA-256, the form stored, into
 * hash[65].  Returns 0 or TSR_ECRYPTO.
 */
int tsr_random_secret(char secret[64], char hash[65]);

/* Constant-time equality of two buffers of equal length. */
bool tsr_ct_equal(const void *a, const void *b, size_t n);

/* Constant-time equality of two NUL-terminated strings (length leaks, content does not). */
bool tsr_ct_streq(const char *a, const char *b);

/* Overwrites n bytes so the compiler cannot elide it. */
void tsr_wipe(void *p, size_t n);

/* Wipes a NUL-terminated string, then frees it.  NULL is a no-op. */
void tsr_wipe_free_str(char *s);

/* SHA-256 of data into out[32].  Returns 0 or TSR_ECRYPTO. */
int tsr_sha256(const void *data, size_t n, uint8_t out[TSR_SHA256_LEN]);

/*
 * Hex SHA-256 of a NUL-terminated string: how opaque secrets (client
 * secrets, codes, refresh tokens, session ids) are stored and looked up.
 * out must hold 65 bytes.  Returns 0 or TSR_ECRYPTO.
 */
int tsr_sha256_hex(const char *s, char out[65]);

#endif
