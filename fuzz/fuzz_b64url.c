/*
 * fuzz_b64url.c - the strict base64url decoder and the encoder.
 *
 * Invariants:
 *  - decode and decode_alloc agree on success, error and bytes;
 *  - a decoded input re-encodes to exactly the input (one encoding per
 *    byte string: no padding, no whitespace, zero trailing bits);
 *  - the decoded length never exceeds tsr_b64url_decoded_max;
 *  - any byte string encodes to encoded_len characters of the url-safe
 *    alphabet and decodes back to itself.
 */
#include <string.h>

#include "fuzz.h"
#include "util/b64url.h"
#include "util/err.h"

static bool in_alphabet(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* The input as base64url text: decode, then re-encode. */
static void decode_side(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t cap = tsr_b64url_decoded_max(size);
    uint8_t *out = malloc(cap + 1);
    FUZZ_CHECK(out != NULL);
    size_t n = 12345;
    int rc = tsr_b64url_decode(in, size, out, cap, &n);
    FUZZ_CHECK(rc == 0 || rc == TSR_EFORMAT);
    FUZZ_CHECK(rc == 0 ? n <= cap : n == 0);

    uint8_t *alloc = NULL;
    size_t alen = 0;
    int rc2 = tsr_b64url_decode_alloc(in, size, &alloc, &alen);
    FUZZ_CHECK(rc2 == rc);
    if (rc == 0) {
        FUZZ_CHECK(alen == n && memcmp(alloc, out, n) == 0);
        FUZZ_CHECK(alloc[alen] == '\0');
        for (size_t i = 0; i < size; i++)
            FUZZ_CHECK(in_alphabet(in[i]));

        char *again = tsr_b64url_encode_alloc(out, n);
        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(strlen(again) == size && memcmp(again, in, size) == 0);
        free(again);

        /* One byte too small an output buffer is refused, never overrun. */
        if (cap > 0) {
            size_t m = 0;
            uint8_t *small = malloc(cap - 1 > 0 ? cap - 1 : 1);
            FUZZ_CHECK(small != NULL);
            FUZZ_CHECK(tsr_b64url_decode(in, size, small, cap - 1, &m) == TSR_ETOOBIG);
            free(small);
        }
    } else {
        FUZZ_CHECK(alloc == NULL && alen == 0);
    }
    free(alloc);
    free(out);
}

/* The input as raw bytes: encode, then decode. */
static void encode_side(const uint8_t *data, size_t size)
{
    size_t need = tsr_b64url_encoded_len(size);
    char *enc = malloc(need + 1);
    FUZZ_CHECK(enc != NULL);
    FUZZ_CHECK(tsr_b64url_encode(data, size, enc, need + 1) == 0);
    FUZZ_CHECK(strlen(enc) == need);
    for (size_t i = 0; i < need; i++)
        FUZZ_CHECK(in_alphabet(enc[i]));
    /* No room for the NUL: refused. */
    FUZZ_CHECK(tsr_b64url_encode(data, size, enc, need) == TSR_EINVAL);

    uint8_t *back = NULL;
    size_t blen = 0;
    FUZZ_CHECK(tsr_b64url_decode_alloc(enc, need, &back, &blen) == 0);
    FUZZ_CHECK(blen == size && (size == 0 || memcmp(back, data, size) == 0));
    free(back);
    free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode_side(data, size);
    encode_side(data, size);
    return 0;
}
