#include "util/secure.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64url.h"
#include "util/err.h"

int tsr_random_bytes(void *buf, size_t n)
{
    if (n > INT32_MAX)
        return TSR_EINVAL;
    return RAND_bytes(buf, (int)n) == 1 ? 0 : TSR_ECRYPTO;
}

int tsr_random_alnum(char *out, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t i = 0;
    while (i < len) {
        uint8_t chunk[64];
        if (tsr_random_bytes(chunk, sizeof chunk) != 0)
            return TSR_ECRYPTO;
        /* Rejection sampling keeps the distribution uniform: 248 = 4 * 62. */
        for (size_t j = 0; j < sizeof chunk && i < len; j++)
            if (chunk[j] < 248)
                out[i++] = alphabet[chunk[j] % 62];
        tsr_wipe(chunk, sizeof chunk);
    }
    out[len] = '\0';
    return 0;
}

int tsr_random_token(char *out, size_t outsz, size_t nbytes)
{
    uint8_t raw[128];
    if (nbytes == 0 || nbytes > sizeof raw || outsz < tsr_b64url_encoded_len(nbytes) + 1)
        return TSR_EINVAL;
    int rc = tsr_random_bytes(raw, nbytes);
    if (rc == 0)
        rc = tsr_b64url_encode(raw, nbytes, out, outsz);
    tsr_wipe(raw, sizeof raw);
    return rc;
}

int tsr_random_secret(char secret[64], char hash[65])
{
    int rc = tsr_random_token(secret, 64, 32);
    if (rc == 0)
        rc = tsr_sha256_hex(secret, hash);
    return rc;
}

bool tsr_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

bool tsr_ct_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return CRYPTO_memcmp(a, b, la) == 0;
}

void tsr_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}

void tsr_wipe_free_str(char *s)
{
    if (s == NULL)
        return;
    tsr_wipe(s, strlen(s));
    free(s);
}

/*
 * SHA-256 fetched once for the process: EVP_sha256() makes OpenSSL 3.0 fetch
 * the provider's implementation again on every digest, under its global
 * method-store lock.
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int tsr_sha256(const void *data, size_t n, uint8_t out[TSR_SHA256_LEN])
{
    unsigned int len = 0;
    if (pthread_once(&sha256_once, sha256_fetch) != 0 || sha256_md == NULL)
        return TSR_ECRYPTO;
    if (EVP_Digest(data, n, out, &len, sha256_md, NULL) != 1 || len != TSR_SHA256_LEN)
        return TSR_ECRYPTO;
    return 0;
}

int tsr_sha256_hex(const char *s, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t d[TSR_SHA256_LEN];
    int rc = tsr_sha256(s, strlen(s), d);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < TSR_SHA256_LEN; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = '\0';
    return 0;
}
