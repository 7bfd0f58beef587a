/*
 * test_b64url.c - strict base64url: RFC 4648 vectors, url-safe alphabet and
 * every rejection the header promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/b64url.h"
#include "util/err.h"

static const struct {
    const char *raw;
    const char *enc;
} vectors[] = {
    /* RFC 4648 section 10 with the padding removed. */
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        size_t n = strlen(vectors[i].raw);
        char enc[16];
        assert_int_equal(tsr_b64url_encoded_len(n), strlen(vectors[i].enc));
        assert_int_equal(tsr_b64url_encode((const uint8_t *)vectors[i].raw, n, enc, sizeof enc), 0);
        assert_string_equal(enc, vectors[i].enc);

        uint8_t dec[16];
        size_t declen = 99;
        assert_int_equal(
            tsr_b64url_decode(vectors[i].enc, strlen(vectors[i].enc), dec, sizeof dec, &declen), 0);
        assert_int_equal(declen, n);
        assert_memory_equal(dec, vectors[i].raw, n);
        assert_true(tsr_b64url_decoded_max(strlen(vectors[i].enc)) >= n);
    }
}

static void test_url_safe_alphabet(void **state)
{
    (void)state;
    const uint8_t raw[] = {0xfb, 0xff};
    char enc[8];
    assert_int_equal(tsr_b64url_encode(raw, sizeof raw, enc, sizeof enc), 0);
    assert_string_equal(enc, "-_8");

    uint8_t dec[4];
    size_t declen = 0;
    assert_int_equal(tsr_b64url_decode("-_8", 3, dec, sizeof dec, &declen), 0);
    assert_int_equal(declen, 2);
    assert_memory_equal(dec, raw, 2);

    /* Every byte value survives a round trip. */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    char *s = tsr_b64url_encode_alloc(all, sizeof all);
    assert_non_null(s);
    assert_null(strpbrk(s, "+/="));
    uint8_t *back = NULL;
    size_t backlen = 0;
    assert_int_equal(tsr_b64url_decode_alloc(s, strlen(s), &back, &backlen), 0);
    assert_int_equal(backlen, sizeof all);
    assert_memory_equal(back, all, sizeof all);
    free(back);
    free(s);
}

static void expect_format_error(const char *in)
{
    uint8_t dec[64];
    size_t declen = 99;
    assert_int_equal(tsr_b64url_decode(in, strlen(in), dec, sizeof dec, &declen), TSR_EFORMAT);
    assert_int_equal(declen, 0);
    uint8_t *p = (uint8_t *)"sentinel";
    assert_int_equal(tsr_b64url_decode_alloc(in, strlen(in), &p, &declen), TSR_EFORMAT);
    assert_null(p);
}

static void test_rejections(void **state)
{
    (void)state;
    expect_format_error("Zg==");     /* padding */
    expect_format_error("Zm8=");     /* padding */
    expect_format_error("+_8");      /* standard alphabet */
    expect_format_error("-/8");      /* standard alphabet */
    expect_format_error("Zm9v Yg");  /* space */
    expect_format_error("Zm9v\nYg"); /* newline */
    expect_format_error("Zm9vY");    /* length % 4 == 1 */
    expect_format_error("Z");        /* length % 4 == 1 */
    expect_format_error("Zh");       /* non-zero trailing bits: "Zg" is the canonical "f" */
    expect_format_error("Zm9");      /* non-zero trailing bits: "Zm8" is the canonical "fo" */
    expect_format_error("Zm.v");     /* a JWS dot is not part of a segment */

    /* An embedded NUL is not a terminator. */
    uint8_t dec[8];
    size_t declen = 0;
    assert_int_equal(tsr_b64url_decode("Zm\0v", 4, dec, sizeof dec, &declen), TSR_EFORMAT);
}

static void test_small_buffers(void **state)
{
    (void)state;
    char enc[8];
    /* "foobar" needs 8 characters plus the NUL. */
    assert_int_equal(tsr_b64url_encode((const uint8_t *)"foobar", 6, enc, 8), TSR_EINVAL);
    char enc9[9];
    assert_int_equal(tsr_b64url_encode((const uint8_t *)"foobar", 6, enc9, sizeof enc9), 0);

    uint8_t dec[5];
    size_t declen = 99;
    assert_int_equal(tsr_b64url_decode("Zm9vYmFy", 8, dec, sizeof dec, &declen), TSR_ETOOBIG);
    assert_int_equal(declen, 0);
    uint8_t dec6[6];
    assert_int_equal(tsr_b64url_decode("Zm9vYmFy", 8, dec6, sizeof dec6, &declen), 0);
    assert_int_equal(declen, 6);
}

static void test_decode_alloc(void **state)
{
    (void)state;
    uint8_t *p = NULL;
    size_t n = 99;
    assert_int_equal(tsr_b64url_decode_alloc("eyJhIjoxfQ", 10, &p, &n), 0);
    assert_int_equal(n, 7);
    /* The extra NUL lets JSON text be used as a string. */
    assert_string_equal((const char *)p, "{\"a\":1}");
    free(p);

    assert_int_equal(tsr_b64url_decode_alloc("", 0, &p, &n), 0);
    assert_non_null(p);
    assert_int_equal(n, 0);
    assert_int_equal(p[0], 0);
    free(p);

    char *s = tsr_b64url_encode_alloc(NULL, 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_lengths(void **state)
{
    (void)state;
    assert_int_equal(tsr_b64url_encoded_len(0), 0);
    assert_int_equal(tsr_b64url_encoded_len(32), 43);
    assert_int_equal(tsr_b64url_decoded_max(43), 32);
    /* Sizes near SIZE_MAX never wrap to a small value. */
    assert_int_equal(tsr_b64url_encoded_len(SIZE_MAX), SIZE_MAX);
    char out[4];
    assert_int_equal(tsr_b64url_encode((const uint8_t *)"x", SIZE_MAX, out, sizeof out),
                     TSR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors), cmocka_unit_test(test_url_safe_alphabet),
        cmocka_unit_test(test_rejections),      cmocka_unit_test(test_small_buffers),
        cmocka_unit_test(test_decode_alloc),    cmocka_unit_test(test_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
