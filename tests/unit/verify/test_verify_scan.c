/*
 * test_verify_scan.c - the one-pass claims scanner (lib/verify/scan.c)
 * against jansson.  The invariant: whenever the scanner answers "fast",
 * jansson (as tsr_jws_parse calls it) reads the same bytes as an object
 * with the same iss, sub, scope, aud match and NumericDates.  "Slow" is
 * always allowed; the cases below also pin where it must be slow (what
 * jansson refuses) and where the common payloads stay fast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "jose/internal.h"
#include "util/b64url.h"
#include "verify/internal.h"

#define AUD "https://api.tessera.test/"

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static enum tsv_aud aud_of(const json_t *o)
{
    const json_t *a = json_object_get(o, "aud");
    if (a == NULL)
        return TSV_AUD_ABSENT;
    if (json_is_string(a))
        return strcmp(json_string_value(a), AUD) == 0 ? TSV_AUD_MATCH : TSV_AUD_OTHER;
    if (json_is_array(a)) {
        size_t i;
        const json_t *e;
        json_array_foreach(a, i, e)
        {
            if (json_is_string(e) && strcmp(json_string_value(e), AUD) == 0)
                return TSV_AUD_MATCH;
        }
    }
    return TSV_AUD_OTHER;
}

static bool same_date(const struct tsv_date *d, const json_t *o, const char *name)
{
    const json_t *n = json_object_get(o, name);
    if (n == NULL)
        return d->kind == TSV_DATE_ABSENT;
    if (json_is_integer(n))
        return d->kind == TSV_DATE_INT && d->value == json_integer_value(n);
    return d->kind == TSV_DATE_OTHER;
}

/*
 * Scans text and checks the invariant against jansson; returns whether the
 * scan was fast and sets *json_ok to whether jansson accepted it.
 */
static bool check(const char *text, size_t len, bool *json_ok)
{
    char *scratch = malloc(len + 1);
    assert_non_null(scratch);
    struct tsv_scan s;
    bool fast = tsv_scan_payload(text, len, AUD, &s, scratch, len + 1);
    json_t *o = tsv_parse_object(text, len);
    *json_ok = o != NULL;
    if (fast) {
        if (o == NULL)
            fail_msg("fast scan of text jansson refuses: %.*s", (int)len, text);
        if (!same_str(s.iss, json_string_value(json_object_get(o, "iss"))) ||
            !same_str(s.sub, json_string_value(json_object_get(o, "sub"))) ||
            !same_str(s.scope, json_string_value(json_object_get(o, "scope"))) ||
            s.aud != aud_of(o) || !same_date(&s.exp, o, "exp") || !same_date(&s.nbf, o, "nbf") ||
            !same_date(&s.iat, o, "iat"))
            fail_msg("fast scan differs from jansson: %.*s", (int)len, text);
    }
    json_decref(o);
    free(scratch);
    return fast;
}

/* A NUL-terminated case: expected fast or not, and whether jansson takes it. */
static void expect_case(const char *text, bool want_fast, bool want_json)
{
    bool json_ok = false;
    bool fast = check(text, strlen(text), &json_ok);
    if (fast != want_fast || json_ok != want_json)
        fail_msg("%s: fast %d (want %d), jansson %d (want %d)", text, fast, want_fast, json_ok,
                 want_json);
}

static void test_common_payloads_are_fast(void **state)
{
    (void)state;
    expect_case("{\"iss\":\"https://id.test/\",\"sub\":\"auth0|1\",\"aud\":\"" AUD "\","
                "\"iat\":1700000000,\"exp\":1700003600,\"scope\":\"read:x write:x\","
                "\"permissions\":[\"read:x\",\"write:x\"],\"gty\":\"client-credentials\","
                "\"azp\":\"abc\",\"n\":7,\"x\":null,\"y\":true,\"z\":false,\"r\":-1.5e-3}",
                true, true);
    expect_case("{}", true, true);
    expect_case(" \t\r\n{ \"aud\" : [ \"a\" , \"" AUD "\" ] , \"exp\" : -0 } \n", true, true);
    expect_case("{\"aud\":[]}", true, true);
    /* Escaped values are unescaped exactly as jansson does. */
    expect_case("{\"iss\":\"https:\\/\\/id.test\\/\",\"sub\":\"a\\n\\\"b\\\\\\t\\b\\f\\r\"}", true,
                true);
    expect_case("{\"sub\":\"\\u00e9\\u20AC\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
                "\"aud\":\"https:\\/\\/api.tessera.test\\/\"}",
                true, true);
    /* 18-digit integers fit; reals are read, but as "not an integer". */
    expect_case("{\"exp\":123456789012345678,\"nbf\":-123456789012345678,\"iat\":1.0}", true, true);
    expect_case("{\"exp\":1e10,\"n\":1E+99,\"m\":0.5e-99}", true, true);
    /* Non-string registered claims are read as "not a string". */
    expect_case("{\"iss\":1,\"sub\":[\"x\"],\"scope\":null,\"aud\":7}", true, true);
}

static void test_names_and_duplicates(void **state)
{
    (void)state;
    /* An escaped member name is left to jansson, which unescapes it... */
    expect_case("{\"\\u0065xp\":1}", false, true);
    /* ...and then refuses the duplicate. */
    expect_case("{\"exp\":1,\"\\u0065xp\":2}", false, false);
    expect_case("{\"iss\":\"a\",\"iss\":\"a\"}", false, false);
    expect_case("{\"x\":1,\"y\":2,\"x\":3}", false, false);
    expect_case("{\"\":1,\"\":2}", false, false);
    expect_case("{\"\":1}", true, true);
    /* Longer names that share a prefix are not duplicates. */
    expect_case("{\"exp\":1,\"expx\":2,\"ex\":3}", true, true);
    /* More members than the scanner keeps: jansson decides. */
    char big[1024];
    size_t o = 0;
    big[o++] = '{';
    for (int i = 0; i < TSV_SCAN_MAX_MEMBERS + 1; i++)
        o += (size_t)snprintf(big + o, sizeof big - o, "%s\"m%d\":%d", i ? "," : "", i, i);
    snprintf(big + o, sizeof big - o, "}");
    expect_case(big, false, true);
}

static void test_nesting(void **state)
{
    (void)state;
    expect_case("{\"a\":{\"b\":1}}", false, true);
    expect_case("{\"a\":[[1]]}", false, true);
    expect_case("{\"a\":[{}]}", false, true);
    expect_case("{\"a\":{\"b\":1,\"b\":2}}", false, false); /* a nested duplicate */
    expect_case("[1,2]", false, false);                     /* not an object */
    expect_case("\"x\"", false, false);
    /* Deep nesting: the scanner stops at the first level; jansson's depth limit refuses. */
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 16);
    assert_non_null(deep);
    size_t o = (size_t)sprintf(deep, "{\"a\":");
    for (size_t i = 0; i < depth; i++)
        deep[o++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    deep[o] = '\0';
    expect_case(deep, false, false);
    free(deep);
}

static void test_numbers(void **state)
{
    (void)state;
    expect_case("{\"exp\":1234567890123456789}", false, true);      /* 19 digits: jansson's */
    expect_case("{\"exp\":99999999999999999999999}", false, false); /* too big for jansson */
    expect_case("{\"exp\":-99999999999999999999999}", false, false);
    expect_case("{\"exp\":1e400}", false, false); /* overflows a double */
    expect_case("{\"exp\":1e100}", false, true);  /* a 3-digit exponent: jansson decides */
    expect_case("{\"exp\":0.00000000000000000000000000000000000000001}", false, true);
    expect_case("{\"exp\":01}", false, false);
    expect_case("{\"exp\":-}", false, false);
    expect_case("{\"exp\":1.}", false, false);
    expect_case("{\"exp\":.5}", false, false);
    expect_case("{\"exp\":1e}", false, false);
    expect_case("{\"exp\":+1}", false, false);
    expect_case("{\"exp\":0x10}", false, false);
    expect_case("{\"exp\":NaN}", false, false);
    expect_case("{\"exp\":Infinity}", false, false);
    expect_case("{\"exp\":tru}", false, false);
    expect_case("{\"exp\":truex}", false, false);
    expect_case("{\"exp\":nul}", false, false);
}

static void test_strings_and_bytes(void **state)
{
    (void)state;
    expect_case("{\"sub\":\"\\u0000\"}", false, false);        /* NUL escaped */
    expect_case("{\"sub\":\"\\ud83d\"}", false, false);        /* lone high surrogate */
    expect_case("{\"sub\":\"\\ude00\"}", false, false);        /* lone low surrogate */
    expect_case("{\"sub\":\"\\ud83d\\u0041\"}", false, false); /* high then not low */
    expect_case("{\"sub\":\"\\ud83dx\"}", false, false);
    expect_case("{\"sub\":\"\\u12\"}", false, false);
    expect_case("{\"sub\":\"\\u12g4\"}", false, false);
    expect_case("{\"sub\":\"\\x41\"}", false, false);
    expect_case("{\"sub\":\"\\'\"}", false, false);
    expect_case("{\"sub\":\"a\tb\"}", false, false);             /* raw control character */
    expect_case("{\"sub\":\"\x7f\"}", true, true);               /* DEL is allowed */
    expect_case("{\"sub\":\"\xc3\"}", false, false);             /* truncated UTF-8 */
    expect_case("{\"sub\":\"\xc0\xaf\"}", false, false);         /* overlong */
    expect_case("{\"sub\":\"\xe0\x80\xaf\"}", false, false);     /* overlong */
    expect_case("{\"sub\":\"\xed\xa0\x80\"}", false, false);     /* an encoded surrogate */
    expect_case("{\"sub\":\"\xf4\x90\x80\x80\"}", false, false); /* above U+10FFFF */
    expect_case("{\"sub\":\"\xff\"}", false, false);
    expect_case("{\"sub\":\"abc}", false, false);
    expect_case("{\"sub\":\"abc\\\"}", false, false);
    expect_case("{\"sub\" \"x\"}", false, false);
    expect_case("{\"sub\":\"x\",}", false, false);
    expect_case("{\"sub\":\"x\"} x", false, false);
    expect_case("{\"sub\":\"x\"}}", false, false);
    expect_case("{sub:\"x\"}", false, false);
    expect_case("{'sub':'x'}", false, false);
    expect_case("", false, false);
    expect_case("{", false, false);

    /* NUL bytes given with an explicit length: in a string, between tokens, after the object. */
    static const char *const with_nul[] = {"{\"sub\":\"a\0b\"}", "{\"sub\":\0\"a\"}",
                                           "{\"sub\":\"a\"}\0", "\0{}"};
    static const size_t lens[] = {13, 13, 12, 3};
    for (size_t i = 0; i < 4; i++) {
        bool json_ok = true;
        assert_false(check(with_nul[i], lens[i], &json_ok));
        assert_false(json_ok);
    }
}

/* xorshift64: the same sequence on every run, so a failure reproduces. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/*
 * Mutates valid payloads byte by byte (replace, insert, delete, with bytes
 * that matter to JSON: structure, quotes, escapes, digits, NUL, UTF-8 lead
 * and continuation bytes) and checks the invariant on every result.
 */
static void test_mutations(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "{\"iss\":\"https://id.test/\",\"sub\":\"auth0|1\",\"aud\":[\"" AUD "\",\"u\"],"
        "\"iat\":1700000000,\"exp\":1700003600,\"nbf\":1699999999,\"scope\":\"a b\","
        "\"permissions\":[\"read:x\"],\"r\":1.5e3,\"t\":true,\"f\":false,\"z\":null}",
        "{\"sub\":\"\\u00e9\\ud83d\\ude00\\n\\/\",\"aud\":\"" AUD "\",\"exp\":-0}",
        "{\"exp\":1,\"e\":{\"x\":[1,{\"y\":2}]},\"q\":\"\xc3\xa9\xf0\x9f\x98\x80\"}",
    };
    static const char alphabet[] = "{}[]:,\"\\u0123456789abcdefABCDEF.eE+-tfnrl \t\n/";
    static const unsigned char raw[] = {0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc3,
                                        0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff};
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned fast = 0, slow = 0;
    char buf[512];
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        for (int round = 0; round < 20000; round++) {
            size_t len = strlen(seeds[s]);
            memcpy(buf, seeds[s], len);
            int edits = 1 + (int)(rnd(&seed) % 3);
            for (int e = 0; e < edits && len > 0; e++) {
                size_t at = (size_t)(rnd(&seed) % len);
                uint64_t r = rnd(&seed);
                char ch = (r & 0x100) != 0 ? (char)raw[r % sizeof raw]
                                           : alphabet[r % (sizeof alphabet - 1)];
                switch ((r >> 12) % 3) {
                case 0:
                    buf[at] = ch;
                    break;
                case 1:
                    if (len + 1 < sizeof buf) {
                        memmove(buf + at + 1, buf + at, len - at);
                        buf[at] = ch;
                        len++;
                    }
                    break;
                default:
                    memmove(buf + at, buf + at + 1, len - at - 1);
                    len--;
                    break;
                }
            }
            bool json_ok;
            if (check(buf, len, &json_ok))
                fast++;
            else
                slow++;
        }
    }
    /* Both answers happen: the mutations reach the scanner's every exit. */
    assert_true(fast > 1000);
    assert_true(slow > 1000);
}

/* A scratch buffer too small is refused, never overrun. */
static void test_scratch_bound(void **state)
{
    (void)state;
    const char *text = "{\"sub\":\"abc\"}";
    char scratch[4];
    struct tsv_scan s;
    assert_false(tsv_scan_payload(text, strlen(text), AUD, &s, scratch, sizeof scratch));
    assert_false(tsv_scan_payload(NULL, 0, AUD, &s, scratch, sizeof scratch));
}

/* ---- whole verifications: both paths give the same answers ----------------- */

#define ISS "http://127.0.0.1:1/" /* nothing listens: HS256 needs no JWKS */
static const uint8_t secret[32] = "0123456789abcdef0123456789abcdef";

static tessera_verifier *hs_verifier(void)
{
    const char *algs[] = {"HS256", NULL};
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = ISS;
    o.audience = AUD;
    o.algorithms = algs;
    o.hs256_secret = secret;
    o.hs256_secret_len = sizeof secret;
    o.http_timeout_ms = 1000;
    tessera_verifier *v = NULL;
    assert_int_equal(tessera_verifier_new(&o, &v, NULL, 0), TESSERA_OK);
    return v;
}

/* An HS256 token over exactly these payload bytes (caller frees). */
static char *hs_token(const char *payload)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    tsr_jwk *key = NULL;
    assert_int_equal(tsr_jwk_from_secret(secret, sizeof secret, "k", &key), 0);
    char *h = tsr_b64url_encode_alloc((const uint8_t *)header, strlen(header));
    char *p = tsr_b64url_encode_alloc((const uint8_t *)payload, strlen(payload));
    assert_non_null(h);
    assert_non_null(p);
    size_t n = strlen(h) + strlen(p) + 2;
    char *input = malloc(n);
    assert_non_null(input);
    snprintf(input, n, "%s.%s", h, p);
    uint8_t *sig = NULL;
    size_t siglen = 0;
    assert_int_equal(tsr_jws_sign_bytes(key, (const uint8_t *)input, strlen(input), &sig, &siglen),
                     0);
    char *s = tsr_b64url_encode_alloc(sig, siglen);
    assert_non_null(s);
    size_t tn = strlen(input) + strlen(s) + 2;
    char *tok = malloc(tn);
    assert_non_null(tok);
    snprintf(tok, tn, "%s.%s", input, s);
    free(s);
    free(sig);
    free(input);
    free(p);
    free(h);
    tsr_jwk_free(key);
    return tok;
}

/* Verifies payload; expects rc and, when given, that detail contains want_detail. */
static tessera_claims *verify_payload(tessera_verifier *v, const char *payload, int want,
                                      const char *want_detail)
{
    char *tok = hs_token(payload);
    tessera_claims *c = NULL;
    char why[300];
    int rc = tessera_verify(v, tok, &c, why, sizeof why);
    free(tok);
    if (rc != want)
        fail_msg("%s: expected %s, got %s: %s", payload, tessera_errname(want), tessera_errname(rc),
                 why);
    if (want_detail != NULL && strstr(why, want_detail) == NULL)
        fail_msg("%s: detail \"%s\" lacks \"%s\"", payload, why, want_detail);
    return c;
}

/*
 * The same claims written so that the scanner reads them (flat) and so that
 * jansson must (a nested claim, an escaped member name, more members than
 * the scanner keeps): every verdict and every accessor agrees.
 */
static void test_both_paths_agree(void **state)
{
    (void)state;
    tessera_verifier *v = hs_verifier();
    long long now = (long long)time(NULL);
    static const char *const extras[] = {
        "",
        ",\"n\":{\"deep\":[1,{\"x\":null}]}",
        ",\"\\u0078\":1",
        ",\"m0\":0,\"m1\":1,\"m2\":2,\"m3\":3,\"m4\":4,\"m5\":5,\"m6\":6,\"m7\":7,\"m8\":8,"
        "\"m9\":9,\"m10\":0,\"m11\":1,\"m12\":2,\"m13\":3,\"m14\":4,\"m15\":5,\"m16\":6,"
        "\"m17\":7,\"m18\":8,\"m19\":9,\"m20\":0,\"m21\":1,\"m22\":2,\"m23\":3,\"m24\":4,"
        "\"m25\":5,\"m26\":6,\"m27\":7,\"m28\":8,\"m29\":9",
    };
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
        char p[2048];
        /* Escaped values: "\/" in iss and aud, "\n" and a surrogate pair in sub. */
        snprintf(p, sizeof p,
                 "{\"iss\":\"http:\\/\\/127.0.0.1:1\\/\",\"aud\":[\"x\",\"https:\\/\\/"
                 "api.tessera.test\\/\"],"
                 "\"sub\":\"a\\nb\\ud83d\\ude00\",\"scope\":\"read:x write:x\","
                 "\"permissions\":[\"read:x\"],\"iat\":%lld,\"exp\":%lld%s}",
                 now, now + 600, extras[i]);
        tessera_claims *c = verify_payload(v, p, TESSERA_OK, NULL);
        assert_string_equal(tessera_claims_sub(c), "a\nb\xf0\x9f\x98\x80");
        assert_true(tessera_claims_has_scope(c, "write:x"));
        assert_true(tessera_claims_has_permission(c, "read:x"));
        assert_int_equal(tessera_claims_permission_count(c), 1);
        assert_int_equal(json_integer_value(json_object_get(tessera_claims_json(c), "exp")),
                         now + 600);
        assert_string_equal(json_string_value(json_object_get(tessera_claims_header(c), "alg")),
                            "HS256");
        /* The accessors agree with the tree once it exists. */
        assert_string_equal(tessera_claims_sub(c),
                            json_string_value(json_object_get(tessera_claims_json(c), "sub")));
        tessera_claims_free(c);

        /* Failures: the detail is jansson's path's, whichever path read the claims. */
        snprintf(p, sizeof p, "{\"iss\":\"" ISS "\",\"aud\":[\"a\",\"b\"],\"exp\":%lld%s}",
                 now + 600, extras[i]);
        verify_payload(v, p, TESSERA_EAUDIENCE, "aud is [\"a\",\"b\"], which does not contain");
        snprintf(p, sizeof p, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":%lld%s}", now - 180,
                 extras[i]);
        verify_payload(v, p, TESSERA_EEXPIRED, "expired 3 min ago");
        snprintf(p, sizeof p, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":%lld.5%s}",
                 now + 600, extras[i]);
        tessera_claims_free(verify_payload(v, p, TESSERA_OK, NULL)); /* a real exp */
        snprintf(p, sizeof p, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1e300%s}",
                 extras[i]);
        verify_payload(v, p, TESSERA_ECLAIM, "exp is not a number");
        snprintf(p, sizeof p,
                 "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":%lld,\"nbf\":%lld%s}", now + 600,
                 now + 1200, extras[i]);
        verify_payload(v, p, TESSERA_ENOTYET, "(nbf)");
        snprintf(p, sizeof p, "{\"iss\":7,\"aud\":\"" AUD "\",\"exp\":%lld%s}", now + 600,
                 extras[i]);
        verify_payload(v, p, TESSERA_EISSUER, "iss is (missing) not");
        snprintf(p, sizeof p, "{\"iss\":\"" ISS "\",\"aud\":{},\"exp\":%lld%s}", now + 600,
                 extras[i]);
        verify_payload(v, p, TESSERA_ECLAIM, "aud is neither");
    }
    /* What jansson refuses is a malformed token, before the signature is looked at. */
    verify_payload(v, "{\"exp\":1,\"\\u0065xp\":2}", TESSERA_EMALFORMED, "not base64url JSON");
    verify_payload(v, "{\"sub\":\"\\u0000\"}", TESSERA_EMALFORMED, NULL);
    verify_payload(v, "{\"exp\":99999999999999999999999}", TESSERA_EMALFORMED, NULL);
    verify_payload(v, "[]", TESSERA_EMALFORMED, NULL);
    tessera_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_payloads_are_fast),
        cmocka_unit_test(test_names_and_duplicates),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings_and_bytes),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_scratch_bound),
        cmocka_unit_test(test_both_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
