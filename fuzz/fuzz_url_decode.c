/*
 * fuzz_url_decode.c - percent-decoding (tsr_url_decode), which the form
 * parser applies to every name and value and the token endpoint applies to
 * the client_id and client_secret inside an Authorization: Basic header
 * (RFC 6749 section 2.3.1).
 *
 * Invariants: the result equals a plain reference decoder's ('+' is a
 * space, %XX a byte, %00 and a short or non-hex escape an error); it is
 * never longer than the input, NUL-terminated at its length, and holds no
 * NUL byte.
 */
#include <string.h>

#include "fuzz.h"
#include "http/params.h"
#include "util/err.h"

static int hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The reference: decodes in into out (room for len + 1); returns the length or -1. */
static long reference(const char *in, size_t len, char *out)
{
    size_t w = 0;
    for (size_t r = 0; r < len; r++) {
        if (in[r] == '+') {
            out[w++] = ' ';
        } else if (in[r] == '%') {
            if (len - r < 3)
                return -1;
            int hi = hex((unsigned char)in[r + 1]), lo = hex((unsigned char)in[r + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            out[w++] = (char)(hi * 16 + lo);
            r += 2;
        } else {
            out[w++] = in[r];
        }
    }
    out[w] = '\0';
    return (long)w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Callers decode NUL-terminated strings: the input up to its first NUL. */
    char *s = fuzz_strndup(data, size);
    size_t len = strlen(s);
    char *expect = malloc(len + 1);
    FUZZ_CHECK(expect != NULL);
    long want = reference(s, len, expect);

    size_t n = len;
    int rc = tsr_url_decode(s, &n);
    FUZZ_CHECK(rc == 0 || rc == TSR_EFORMAT);
    FUZZ_CHECK((rc == 0) == (want >= 0));
    if (rc == 0) {
        FUZZ_CHECK(n == (size_t)want && n <= len);
        FUZZ_CHECK(s[n] == '\0' && strlen(s) == n);
        FUZZ_CHECK(memcmp(s, expect, n) == 0);
    }
    free(expect);
    free(s);
    return 0;
}
