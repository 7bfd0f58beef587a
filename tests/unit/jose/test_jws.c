/*
 * test_jws.c - sign/parse/verify for every algorithm, algorithm pinning
 * (none, cross-alg, RSA-key-as-HMAC-secret), malformed compact tokens and
 * ES256 signature form checks, and keys shared by threads from their first use.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jose/jose.h"
#include "rsa_keys.h"
#include "util/b64url.h"
#include "util/err.h"

static const enum tsr_jws_alg all_algs[] = {TSR_ALG_RS256, TSR_ALG_PS256, TSR_ALG_ES256,
                                            TSR_ALG_EDDSA, TSR_ALG_HS256};
#define NALGS (sizeof all_algs / sizeof all_algs[0])

struct fixture {
    tsr_jwk *priv[NALGS];
    tsr_jwk *pub[NALGS];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    for (size_t i = 0; i < NALGS; i++)
        if (tsr_jwk_generate(all_algs[i], &f->priv[i]) != 0 ||
            tsr_jwk_public(f->priv[i], &f->pub[i]) != 0)
            return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < NALGS; i++) {
        tsr_jwk_free(f->priv[i]);
        tsr_jwk_free(f->pub[i]);
    }
    free(f);
    return 0;
}

static json_t *claims(void)
{
    json_t *c = json_pack("{s:s, s:s, s:i}", "iss", "https://tessera.test/", "sub", "auth0|42",
                          "exp", 2000000000);
    assert_non_null(c);
    return c;
}

static char *sign(const tsr_jwk *key, const char *typ)
{
    json_t *c = claims();
    char *tok = NULL;
    assert_int_equal(tsr_jwt_sign(key, typ, c, &tok), 0);
    json_decref(c);
    assert_non_null(tok);
    return tok;
}

static int parse_verify(const char *tok, const tsr_jwk *key)
{
    tsr_jws *jws = NULL;
    int rc = tsr_jws_parse(tok, strlen(tok), &jws);
    if (rc == 0)
        rc = tsr_jws_verify(jws, key);
    tsr_jws_free(jws);
    return rc;
}

static int parse_rc(const char *tok)
{
    tsr_jws *jws = (tsr_jws *)1;
    int rc = tsr_jws_parse(tok, strlen(tok), &jws);
    if (rc != 0)
        assert_null(jws);
    tsr_jws_free(jws);
    return rc;
}

/* "b64(header).b64(payload).sig" from JSON text and a raw signature part. */
static char *make_token(const char *header, const char *payload, const char *sigpart)
{
    char *h = tsr_b64url_encode_alloc((const uint8_t *)header, strlen(header));
    char *p = tsr_b64url_encode_alloc((const uint8_t *)payload, strlen(payload));
    assert_non_null(h);
    assert_non_null(p);
    size_t n = strlen(h) + strlen(p) + strlen(sigpart) + 3;
    char *t = malloc(n);
    assert_non_null(t);
    snprintf(t, n, "%s.%s.%s", h, p, sigpart);
    free(h);
    free(p);
    return t;
}

static void test_sign_verify_all(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < NALGS; i++) {
        char *tok = sign(f->priv[i], NULL);
        tsr_jws *jws = NULL;
        assert_int_equal(tsr_jws_parse(tok, strlen(tok), &jws), 0);
        assert_int_equal(tsr_jws_alg(jws), all_algs[i]);
        assert_string_equal(tsr_jws_kid(jws), tsr_jwk_kid(f->priv[i]));
        assert_string_equal(json_string_value(json_object_get(tsr_jws_payload(jws), "sub")),
                            "auth0|42");
        assert_int_equal(tsr_jws_verify(jws, f->priv[i]), 0);
        assert_int_equal(tsr_jws_verify(jws, f->pub[i]), 0);
        tsr_jws_free(jws);

        /* Header members in order alg, typ, kid; compact JSON. */
        const char *dot = strchr(tok, '.');
        uint8_t *hdr = NULL;
        size_t hlen = 0;
        assert_int_equal(tsr_b64url_decode_alloc(tok, (size_t)(dot - tok), &hdr, &hlen), 0);
        char want[256];
        snprintf(want, sizeof want, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
                 tsr_jws_alg_name(all_algs[i]), tsr_jwk_kid(f->priv[i]));
        assert_string_equal((const char *)hdr, want);
        free(hdr);
        free(tok);
    }
}

static void test_typ(void **state)
{
    struct fixture *f = *state;
    char *tok = sign(f->priv[0], "at+jwt");
    tsr_jws *jws = NULL;
    assert_int_equal(tsr_jws_parse(tok, strlen(tok), &jws), 0);
    assert_string_equal(json_string_value(json_object_get(tsr_jws_header(jws), "typ")), "at+jwt");
    tsr_jws_free(jws);
    free(tok);

    /* Public keys cannot sign; claims must be an object. */
    json_t *c = claims();
    char *out = (char *)1;
    assert_int_equal(tsr_jwt_sign(f->pub[0], NULL, c, &out), TSR_EINVAL);
    assert_null(out);
    json_t *arr = json_array();
    assert_int_equal(tsr_jwt_sign(f->priv[0], NULL, arr, &out), TSR_EINVAL);
    json_decref(arr);
    json_decref(c);
}

/* The header's exact text: "alg", "typ", "kid" in that order, as jansson writes them. */
static void assert_header_text(const char *tok, const char *want)
{
    const char *dot = strchr(tok, '.');
    assert_non_null(dot);
    uint8_t raw[1024];
    size_t rawlen = 0;
    assert_int_equal(tsr_b64url_decode(tok, (size_t)(dot - tok), raw, sizeof raw, &rawlen), 0);
    assert_int_equal(rawlen, strlen(want));
    assert_memory_equal(raw, want, rawlen);
}

static void test_header_text(void **state)
{
    (void)state;
    static const uint8_t secret[32] = {1, 2, 3};
    tsr_jwk *key = NULL;
    json_t *c = claims();
    char *tok = NULL;

    /* Plain values are written directly; the same bytes either way. */
    assert_int_equal(tsr_jwk_from_secret(secret, sizeof secret, "k1", &key), 0);
    assert_int_equal(tsr_jwt_sign(key, NULL, c, &tok), 0);
    assert_header_text(tok, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
    assert_int_equal(parse_verify(tok, key), 0);
    free(tok);
    tsr_jwk_free(key);

    /* A quote, a backslash or non-ASCII text go through jansson's escaping. */
    assert_int_equal(tsr_jwk_from_secret(secret, sizeof secret, "a\"b\\c\xc3\xa9", &key), 0);
    assert_int_equal(tsr_jwt_sign(key, "at+jwt\t", c, &tok), 0);
    assert_header_text(tok,
                       "{\"alg\":\"HS256\",\"typ\":\"at+jwt\\t\",\"kid\":\"a\\\"b\\\\c\xc3\xa9\"}");
    assert_int_equal(parse_verify(tok, key), 0);
    free(tok);

    /* A typ that is not UTF-8 is refused, as before. */
    tok = (char *)1;
    assert_int_equal(tsr_jwt_sign(key, "\xff", c, &tok), TSR_EINVAL);
    assert_null(tok);
    tsr_jwk_free(key);

    /* Claims larger than the stack buffer take the heap path. */
    char big[6000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_object_set_new(c, "big", json_string(big));
    assert_int_equal(tsr_jwk_from_secret(secret, sizeof secret, NULL, &key), 0);
    assert_int_equal(tsr_jwt_sign(key, NULL, c, &tok), 0);
    tsr_jws *jws = NULL;
    assert_int_equal(tsr_jws_parse(tok, strlen(tok), &jws), 0);
    assert_int_equal(tsr_jws_verify(jws, key), 0);
    assert_string_equal(json_string_value(json_object_get(tsr_jws_payload(jws), "big")), big);
    tsr_jws_free(jws);
    free(tok);
    tsr_jwk_free(key);
    json_decref(c);
}

/* Claims given as text sign to the same token as the object (RS256, EdDSA and HS256 are
 * deterministic). */
static void test_sign_text(void **state)
{
    struct fixture *f = *state;
    json_t *c = claims();
    char *text = json_dumps(c, JSON_COMPACT);
    for (size_t i = 0; i < NALGS; i++) {
        char *a = NULL, *b = NULL;
        assert_int_equal(tsr_jwt_sign(f->priv[i], "at+jwt", c, &a), 0);
        assert_int_equal(tsr_jwt_sign_text(f->priv[i], "at+jwt", text, strlen(text), &b), 0);
        assert_int_equal(parse_verify(b, f->pub[i] ? f->pub[i] : f->priv[i]), 0);
        if (all_algs[i] != TSR_ALG_PS256 && all_algs[i] != TSR_ALG_ES256)
            assert_string_equal(a, b);
        else /* randomised signatures: the signing input is the same */
            assert_memory_equal(a, b, (size_t)(strrchr(a, '.') - a));
        free(a);
        free(b);
    }
    /* Not an object, a public key or no output: refused. */
    char *out = (char *)1;
    assert_int_equal(tsr_jwt_sign_text(f->priv[0], NULL, "[1]", 3, &out), TSR_EINVAL);
    assert_null(out);
    assert_int_equal(tsr_jwt_sign_text(f->priv[0], NULL, "{", 1, &out), TSR_EINVAL);
    assert_int_equal(tsr_jwt_sign_text(f->pub[0], NULL, text, strlen(text), &out), TSR_EINVAL);
    assert_int_equal(tsr_jwt_sign_text(f->priv[0], NULL, text, strlen(text), NULL), TSR_EINVAL);
    free(text);
    json_decref(c);
}

static void test_tampered_payload(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < NALGS; i++) {
        /* A changed claim value, re-encoded properly so that it still parses. */
        char *tok = sign(f->priv[i], NULL);
        char *dot = strchr(tok, '.');
        char *dot2 = strchr(dot + 1, '.');
        uint8_t *pl = NULL;
        size_t plen = 0;
        assert_int_equal(tsr_b64url_decode_alloc(dot + 1, (size_t)(dot2 - dot - 1), &pl, &plen), 0);
        char *sub = strstr((char *)pl, "42");
        assert_non_null(sub);
        sub[1] = '3'; /* auth0|42 -> auth0|43 */
        char *p64 = tsr_b64url_encode_alloc(pl, plen);
        size_t n = (size_t)(dot - tok) + 1 + strlen(p64) + strlen(dot2) + 1;
        char *forged = malloc(n);
        snprintf(forged, n, "%.*s.%s%s", (int)(dot - tok), tok, p64, dot2);
        assert_int_equal(parse_verify(forged, f->pub[i]), TSR_ESIGNATURE);
        free(forged);
        free(p64);
        free(pl);
        free(tok);
    }
}

static void test_wrong_alg_key(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < NALGS; i++) {
        char *tok = sign(f->priv[i], NULL);
        for (size_t j = 0; j < NALGS; j++) {
            if (j == i)
                continue;
            assert_int_equal(parse_verify(tok, f->priv[j]), TSR_EALG);
            assert_int_equal(parse_verify(tok, f->pub[j]), TSR_EALG);
        }
        free(tok);
    }

    /* Same alg, different key: a signature failure, not an alg failure. */
    tsr_jwk *other = NULL;
    assert_int_equal(tsr_jwk_generate(TSR_ALG_ES256, &other), 0);
    char *tok = sign(f->priv[2], NULL);
    assert_int_equal(parse_verify(tok, other), TSR_ESIGNATURE);
    free(tok);
    tsr_jwk_free(other);
}

static void test_alg_none(void **state)
{
    struct fixture *f = *state;
    char *tok = make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"sub\":\"x\"}", "");
    tsr_jws *jws = NULL;
    assert_int_equal(tsr_jws_parse(tok, strlen(tok), &jws), 0);
    assert_int_equal(tsr_jws_alg(jws), TSR_ALG_NONE);
    assert_null(tsr_jws_kid(jws));
    for (size_t i = 0; i < NALGS; i++) {
        assert_int_equal(tsr_jws_verify(jws, f->priv[i]), TSR_EALG);
        assert_int_equal(tsr_jws_verify(jws, f->pub[i]), TSR_EALG);
    }
    tsr_jws_free(jws);
    free(tok);

    /* A real token re-labelled none, signature kept or stripped. */
    char *real = sign(f->priv[0], NULL);
    char *sig = strrchr(real, '.') + 1;
    tok = make_token("{\"alg\":\"none\"}", "{\"sub\":\"auth0|42\"}", sig);
    assert_int_equal(parse_verify(tok, f->pub[0]), TSR_EALG);
    free(tok);
    free(real);

    /* Other spellings of none are unknown algs. */
    tok = make_token("{\"alg\":\"None\"}", "{}", "");
    assert_int_equal(parse_rc(tok), TSR_EFORMAT);
    free(tok);
}

static void test_rsa_key_as_hmac_secret(void **state)
{
    struct fixture *f = *state;
    /* RFC 8725 2.1: the attacker MACs with the RSA public key's published bytes. */
    json_t *pubjwk = NULL;
    assert_int_equal(tsr_jwk_to_public_json(f->pub[0], &pubjwk), 0);
    char *text = json_dumps(pubjwk, JSON_COMPACT);
    assert_non_null(text);
    tsr_jwk *hmac = NULL;
    assert_int_equal(
        tsr_jwk_from_secret((const uint8_t *)text, strlen(text), tsr_jwk_kid(f->pub[0]), &hmac), 0);
    char *tok = sign(hmac, NULL);
    tsr_jws *jws = NULL;
    assert_int_equal(tsr_jws_parse(tok, strlen(tok), &jws), 0);
    assert_int_equal(tsr_jws_alg(jws), TSR_ALG_HS256);
    assert_string_equal(tsr_jws_kid(jws), tsr_jwk_kid(f->pub[0]));
    assert_int_equal(tsr_jws_verify(jws, f->pub[0]), TSR_EALG);
    assert_int_equal(tsr_jws_verify(jws, f->priv[0]), TSR_EALG);
    tsr_jws_free(jws);
    free(tok);
    tsr_jwk_free(hmac);
    free(text);

    /* And with the PKCS#8 PEM bytes of the key. */
    uint8_t *pem = NULL;
    size_t pemlen = 0;
    assert_int_equal(tsr_jwk_private_pem(f->priv[0], &pem, &pemlen), 0);
    assert_int_equal(tsr_jwk_from_secret(pem, pemlen, NULL, &hmac), 0);
    tok = sign(hmac, NULL);
    assert_int_equal(parse_verify(tok, f->pub[0]), TSR_EALG);
    free(tok);
    tsr_jwk_free(hmac);
    free(pem);
    json_decref(pubjwk);

    /* An RSA JWK without alg, loaded with an HS256 hint, is refused outright. */
    json_t *j = NULL;
    assert_int_equal(tsr_jwk_to_public_json(f->pub[0], &j), 0);
    json_object_del(j, "alg");
    tsr_jwk *k = NULL;
    assert_int_equal(tsr_jwk_from_json(j, TSR_ALG_HS256, &k), TSR_EALG);
    assert_null(k);
    json_decref(j);
}

/* What tsr_jws_parse says of a header, with an empty payload and signature. */
static int header_rc(const char *header)
{
    char *t = make_token(header, "{}", "");
    int rc = parse_rc(t);
    free(t);
    return rc;
}

/*
 * Common headers are read without jansson; every header must still get the
 * answer the general path gives, and the header object, kid and typ must be
 * the same whichever path read them.
 */
static void test_header_paths(void **state)
{
    (void)state;
    /* Refused: duplicates (any order), crit, bad kid, unknown alg, trailing text. */
    assert_int_equal(header_rc("{\"alg\":\"RS256\",\"alg\":\"RS256\"}"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"kid\":\"a\",\"alg\":\"RS256\",\"kid\":\"b\"}"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"typ\":\"JWT\",\"alg\":\"RS256\",\"typ\":\"at+jwt\"}"),
                     TSR_EFORMAT);
    assert_int_equal(header_rc("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"alg\":\"RS256\",\"kid\":\"\"}"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"alg\":\"RS512\"}"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"alg\":\"RS256\"}x"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"alg\":\"RS256\",}"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"alg\":\"RS256\""), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"alg\":\"RS256\",\"kid\":7}"), TSR_EFORMAT);
    assert_int_equal(header_rc("{\"kid\":\"k\"}"), TSR_EFORMAT);
    /* Accepted by either path: whitespace, escapes and other members go through jansson. */
    assert_int_equal(header_rc("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"), 0);
    assert_int_equal(header_rc("{ \"alg\" : \"RS256\" }"), 0);
    assert_int_equal(header_rc("{\"alg\":\"RS\\u0032\\u0035\\u0036\"}"), 0);
    assert_int_equal(header_rc("{\"alg\":\"RS256\",\"x5t\":\"abc\"}"), 0);

    const char *headers[] = {"{\"typ\":\"at+jwt\",\"kid\":\"k1\",\"alg\":\"ES256\"}",
                             "{\"typ\": \"at+jwt\", \"kid\": \"k1\", \"alg\": \"ES256\"}"};
    for (size_t i = 0; i < 2; i++) {
        char *t = make_token(headers[i], "{\"sub\":\"a\"}", "");
        tsr_jws *jws = NULL;
        assert_int_equal(tsr_jws_parse(t, strlen(t), &jws), 0);
        assert_int_equal(tsr_jws_alg(jws), TSR_ALG_ES256);
        assert_string_equal(tsr_jws_kid(jws), "k1");
        assert_string_equal(tsr_jws_typ(jws), "at+jwt");
        size_t len = 0;
        assert_string_equal(tsr_jws_header_bytes(jws, &len), headers[i]);
        assert_int_equal(len, strlen(headers[i]));
        const json_t *h = tsr_jws_header(jws);
        assert_int_equal(json_object_size(h), 3);
        assert_string_equal(json_string_value(json_object_get(h, "kid")), "k1");
        assert_ptr_equal(tsr_jws_header(jws), h); /* made once */
        tsr_jws_free(jws);
        free(t);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    const char *obj = "{\"alg\":\"RS256\"}";
    char *t;

    assert_int_equal(parse_rc(""), TSR_EFORMAT);
    assert_int_equal(parse_rc("abc"), TSR_EFORMAT);
    assert_int_equal(parse_rc("eyJhbGciOiJSUzI1NiJ9.e30"), TSR_EFORMAT);

    t = make_token(obj, "{}", "AAAA.AAAA");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* four parts */
    free(t);
    t = make_token(obj, "{}", "AA==");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* padded signature */
    free(t);
    t = make_token(obj, "{}", "A+/A");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* standard alphabet */
    free(t);
    assert_int_equal(parse_rc("eyJhbGciOiJSUzI1NiJ9 .e30.AAAA"), TSR_EFORMAT);
    assert_int_equal(parse_rc("eyJhbGciOiJSUzI1NiJ9=.e30.AAAA"), TSR_EFORMAT);

    t = make_token("not json", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT);
    free(t);
    t = make_token("[\"alg\",\"RS256\"]", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT);
    free(t);
    t = make_token("{\"alg\":\"RS256\",\"alg\":\"none\"}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* duplicate member */
    free(t);
    t = make_token(obj, "{\"sub\":\"a\",\"sub\":\"b\"}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* duplicate claim */
    free(t);
    t = make_token(obj, "[1]", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* payload not an object */
    free(t);
    t = make_token(obj, "{} trailing", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT);
    free(t);
    t = make_token("{\"typ\":\"JWT\"}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* missing alg */
    free(t);
    t = make_token("{\"alg\":256}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT);
    free(t);
    t = make_token("{\"alg\":\"HS512\"}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* unknown alg */
    free(t);
    t = make_token("{\"alg\":\"RS256\\u0000x\"}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* NUL inside alg */
    free(t);
    t = make_token("{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT);
    free(t);
    t = make_token("{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"]}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT);
    free(t);
    t = make_token("{\"alg\":\"RS256\",\"kid\":7}", "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT);
    free(t);
    char hdr[300];
    snprintf(hdr, sizeof hdr, "{\"alg\":\"RS256\",\"kid\":\"%0*d\"}", TSR_JWK_MAX_KID + 1, 0);
    t = make_token(hdr, "{}", "");
    assert_int_equal(parse_rc(t), TSR_EFORMAT); /* kid too long */
    free(t);
    snprintf(hdr, sizeof hdr, "{\"alg\":\"RS256\",\"kid\":\"%0*d\"}", TSR_JWK_MAX_KID, 0);
    t = make_token(hdr, "{}", "");
    assert_int_equal(parse_rc(t), 0);
    free(t);

    /* A NUL byte inside the decoded payload is not a terminator. */
    static const uint8_t nul_payload[] = "{}\0{\"admin\":true}";
    char *h = tsr_b64url_encode_alloc((const uint8_t *)obj, strlen(obj));
    char *p = tsr_b64url_encode_alloc(nul_payload, sizeof nul_payload - 1);
    char buf[256];
    snprintf(buf, sizeof buf, "%s.%s.", h, p);
    assert_int_equal(parse_rc(buf), TSR_EFORMAT);
    free(h);
    free(p);

    /* Length cap, checked before anything else. */
    size_t big = TSR_JWS_MAX_LEN + 1;
    char *huge = malloc(big + 1);
    memset(huge, 'A', big);
    huge[big] = '\0';
    tsr_jws *jws = (tsr_jws *)1;
    assert_int_equal(tsr_jws_parse(huge, big, &jws), TSR_ETOOBIG);
    assert_null(jws);
    free(huge);
}

static void test_max_len_boundary(void **state)
{
    struct fixture *f = *state;
    /* A token of exactly TSR_JWS_MAX_LEN bytes parses; one byte more does not. */
    char *base = sign(f->priv[4], NULL);
    size_t baselen = strlen(base);
    json_t *c = claims();
    size_t pad = 0;
    char *tok = NULL;
    /* Grow a filler claim until the token is just at the limit. */
    for (size_t want = TSR_JWS_MAX_LEN - baselen; want > 0; want--) {
        size_t fill = want * 3 / 4;
        char *s = malloc(fill + 1);
        memset(s, 'x', fill);
        s[fill] = '\0';
        json_object_set_new(c, "pad", json_string(s));
        free(s);
        free(tok);
        assert_int_equal(tsr_jwt_sign(f->priv[4], NULL, c, &tok), 0);
        if (strlen(tok) <= TSR_JWS_MAX_LEN) {
            pad = strlen(tok);
            break;
        }
    }
    assert_true(pad > TSR_JWS_MAX_LEN - 8);
    assert_int_equal(parse_verify(tok, f->priv[4]), 0);
    free(tok);
    free(base);
    json_decref(c);
}

/* Replaces the signature part of tok with base64url(sig). */
static char *with_signature(const char *tok, const uint8_t *sig, size_t siglen)
{
    const char *dot2 = strrchr(tok, '.');
    char *s64 = tsr_b64url_encode_alloc(sig, siglen);
    size_t n = (size_t)(dot2 - tok) + 1 + strlen(s64) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s.%s", (int)(dot2 - tok), tok, s64);
    free(s64);
    return out;
}

static void test_es256_signature_form(void **state)
{
    struct fixture *f = *state;
    const tsr_jwk *key = f->pub[2];
    char *tok = sign(f->priv[2], NULL);
    const char *s = strrchr(tok, '.') + 1;
    uint8_t sig[80];
    size_t siglen = 0;
    assert_int_equal(tsr_b64url_decode(s, strlen(s), sig, sizeof sig, &siglen), 0);
    assert_int_equal(siglen, 64);

    char *t;
    /* Wrong lengths: one byte short, one byte long, a DER-looking size. */
    t = with_signature(tok, sig, 63);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);
    uint8_t longer[65];
    memcpy(longer, sig, 64);
    longer[64] = 0;
    t = with_signature(tok, longer, 65);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);
    t = with_signature(tok, sig, 0);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);

    /* r = 0, s = 0, r = s = 0 ("psychic signature"), r = n. */
    uint8_t bad[64];
    memcpy(bad, sig, 64);
    memset(bad, 0, 32);
    t = with_signature(tok, bad, 64);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);
    memcpy(bad, sig, 64);
    memset(bad + 32, 0, 32);
    t = with_signature(tok, bad, 64);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);
    memset(bad, 0, 64);
    t = with_signature(tok, bad, 64);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);
    static const uint8_t n[32] = {
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
        0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    };
    memcpy(bad, n, 32);
    memcpy(bad + 32, sig + 32, 32);
    t = with_signature(tok, bad, 64);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);
    memset(bad, 0xff, 64);
    t = with_signature(tok, bad, 64);
    assert_int_equal(parse_verify(t, key), TSR_ESIGNATURE);
    free(t);

    /* The rewriting itself is sound: the untouched signature still verifies. */
    t = with_signature(tok, sig, 64);
    assert_int_equal(parse_verify(t, key), 0);
    free(t);
    free(tok);
}

static void test_other_signature_lengths(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < NALGS; i++) {
        if (all_algs[i] == TSR_ALG_ES256)
            continue;
        char *tok = sign(f->priv[i], NULL);
        const char *s = strrchr(tok, '.') + 1;
        uint8_t sig[600];
        size_t siglen = 0;
        assert_int_equal(tsr_b64url_decode(s, strlen(s), sig, sizeof sig, &siglen), 0);
        char *t = with_signature(tok, sig, siglen - 1);
        assert_int_equal(parse_verify(t, f->pub[i]), TSR_ESIGNATURE);
        free(t);
        sig[siglen] = 0;
        t = with_signature(tok, sig, siglen + 1);
        assert_int_equal(parse_verify(t, f->pub[i]), TSR_ESIGNATURE);
        free(t);
        t = with_signature(tok, sig, 0);
        assert_int_equal(parse_verify(t, f->pub[i]), TSR_ESIGNATURE);
        free(t);
        free(tok);
    }
}

/* Threads sharing one fresh key: the first uses race to prepare its contexts. */
struct shared_key {
    const tsr_jwk *priv;
    const tsr_jwk *pub;
    int failures;
};

static void *sign_and_verify_many(void *arg)
{
    struct shared_key *k = arg;
    for (int i = 0; i < 20; i++) {
        json_t *c = json_pack("{s:s, s:i}", "sub", "auth0|42", "n", i);
        char *tok = NULL;
        if (c == NULL || tsr_jwt_sign(k->priv, NULL, c, &tok) != 0 ||
            parse_verify(tok, k->pub) != 0 || parse_verify(tok, k->priv) != 0)
            __atomic_add_fetch(&k->failures, 1, __ATOMIC_RELAXED);
        free(tok);
        json_decref(c);
    }
    return NULL;
}

static void test_concurrent_first_use(void **state)
{
    (void)state;
    for (size_t a = 0; a < NALGS; a++) {
        tsr_jwk *priv = NULL, *pub = NULL;
        assert_int_equal(tsr_jwk_generate(all_algs[a], &priv), 0);
        assert_int_equal(tsr_jwk_public(priv, &pub), 0);
        struct shared_key k = {.priv = priv, .pub = pub};
        pthread_t th[4];
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(pthread_create(&th[i], NULL, sign_and_verify_many, &k), 0);
        for (size_t i = 0; i < 4; i++)
            pthread_join(th[i], NULL);
        assert_int_equal(k.failures, 0);
        tsr_jwk_free(pub);
        tsr_jwk_free(priv);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_verify_all),
        cmocka_unit_test(test_typ),
        cmocka_unit_test(test_header_text),
        cmocka_unit_test(test_concurrent_first_use),
        cmocka_unit_test(test_tampered_payload),
        cmocka_unit_test(test_wrong_alg_key),
        cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_rsa_key_as_hmac_secret),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_header_paths),
        cmocka_unit_test(test_max_len_boundary),
        cmocka_unit_test(test_sign_text),
        cmocka_unit_test(test_es256_signature_form),
        cmocka_unit_test(test_other_signature_lengths),
    };
    /* Signing is the subject here, not generation (test_jwk's): each RSA key
     * generated would take seconds under valgrind. */
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    return cmocka_run_group_tests(tests, setup, teardown);
}
