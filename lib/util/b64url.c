/*
 * b64url.c - strict, unpadded base64url (RFC 4648 section 5, RFC 7515 section 2).
 *
 * Strictness is a security property here, not pedantry: a JWS is compared,
 * logged and cached by its text, so every byte string must have exactly one
 * accepted encoding.  Hence no padding, no whitespace, no '+' or '/', and the
 * unused low bits of the last character must be zero.
 */
#include "util/b64url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/secure.h"

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Inputs above this would overflow the encoded length in size_t. */
#define MAX_ENCODABLE ((SIZE_MAX / 4) * 3 - 3)

/*
 * Each byte's 6-bit value, 0xff outside the url-safe alphabet.  A table, not
 * a chain of range tests: token text is attacker-chosen and arrives at a high
 * rate, and a data-dependent branch per character mispredicts on random
 * base64.
 */
static const uint8_t sextets[256] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3e, 0xff, 0xff,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xff, 0xff, 0xff, 0xff, 0x3f,
    0xff, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* Returns the 6-bit value of c, or 0xff for anything outside the url-safe alphabet. */
static unsigned sextet(unsigned char c)
{
    return sextets[c];
}

size_t tsr_b64url_encoded_len(size_t n)
{
    if (n > MAX_ENCODABLE)
        return SIZE_MAX; /* never satisfiable, so callers fail instead of wrapping */
    static const size_t tail[3] = {0, 2, 3};
    return (n / 3) * 4 + tail[n % 3];
}

size_t tsr_b64url_decoded_max(size_t inlen)
{
    static const size_t tail[4] = {0, 0, 1, 2};
    return (inlen / 4) * 3 + tail[inlen % 4];
}

int tsr_b64url_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
    size_t need = tsr_b64url_encoded_len(n);
    if (out == NULL || (in == NULL && n > 0) || need == SIZE_MAX || outsz <= need)
        return TSR_EINVAL;

    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
    }
    out[o] = '\0';
    return 0;
}

char *tsr_b64url_encode_alloc(const uint8_t *in, size_t n)
{
    size_t need = tsr_b64url_encoded_len(n);
    if (need == SIZE_MAX)
        return NULL;
    char *out = malloc(need + 1);
    if (out == NULL)
        return NULL;
    if (tsr_b64url_encode(in, n, out, need + 1) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

int tsr_b64url_decode(const char *in, size_t inlen, uint8_t *out, size_t outsz, size_t *outlen)
{
    if (outlen != NULL)
        *outlen = 0;
    if (outlen == NULL || (in == NULL && inlen > 0) || (out == NULL && outsz > 0))
        return TSR_EINVAL;
    /* One leftover character carries only 6 bits: never a whole byte. */
    if (inlen % 4 == 1)
        return TSR_EFORMAT;
    size_t need = tsr_b64url_decoded_max(inlen);
    if (need > outsz)
        return TSR_ETOOBIG;

    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    int rc = TSR_EFORMAT;
    for (; i + 4 <= inlen; i += 4) {
        unsigned a = sextet(s[i]), b = sextet(s[i + 1]), c = sextet(s[i + 2]),
                 d = sextet(s[i + 3]);
        if (((a | b | c | d) & 0xc0) != 0)
            goto out;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    size_t rest = inlen - i;
    if (rest >= 2) {
        unsigned a = sextet(s[i]), b = sextet(s[i + 1]);
        unsigned c = rest == 3 ? sextet(s[i + 2]) : 0;
        if (((a | b | c) & 0xc0) != 0)
            goto out;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
        /* Bits beyond the last whole byte must be zero, or "Zh" and "Zg" would both mean "f". */
        if ((rest == 2 && (v & 0xffff) != 0) || (rest == 3 && (v & 0xff) != 0))
            goto out;
        out[o++] = (uint8_t)(v >> 16);
        if (rest == 3)
            out[o++] = (uint8_t)(v >> 8);
    }
    *outlen = o;
    rc = 0;
out:
    if (rc != 0)
        tsr_wipe(out, o); /* the output may be a secret; leave no half-decoded copy */
    return rc;
}

int tsr_b64url_decode_alloc(const char *in, size_t inlen, uint8_t **out, size_t *outlen)
{
    if (out != NULL)
        *out = NULL;
    if (outlen != NULL)
        *outlen = 0;
    if (out == NULL || outlen == NULL || (in == NULL && inlen > 0))
        return TSR_EINVAL;
    if (inlen % 4 == 1)
        return TSR_EFORMAT;

    size_t cap = tsr_b64url_decoded_max(inlen);
    uint8_t *buf = malloc(cap + 1);
    if (buf == NULL)
        return TSR_ENOMEM;
    size_t n = 0;
    int rc = tsr_b64url_decode(in, inlen, buf, cap, &n);
    if (rc != 0) {
        free(buf); /* decode already wiped what it wrote */
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
}
