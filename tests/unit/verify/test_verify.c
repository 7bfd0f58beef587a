/*
 * test_verify.c - libtessera-verify against a JWKS server started in
 * process (libmicrohttpd on 127.0.0.1, port 0) that serves discovery, a
 * JWKS the test controls (fetches counted, keys switchable, able to go
 * down) and RFC 7662 introspection.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "jose/jose.h"
#include "tessera/verify.h"
#include "util/b64url.h"

#include "json_reply.h"
#include "rsa_keys.h"

#define AUD "https://api.tessera.test/"

/* ---- the in-process issuer --------------------------------------------- */

struct issuer {
    struct MHD_Daemon *d;
    unsigned port;
    char url[64];
    pthread_mutex_t lock;
    char *jwks;             /* served at /jwks */
    char *discovery_issuer; /* NULL: url */
    unsigned long jwks_fetches;
    unsigned long discovery_fetches;
};

struct post {
    char body[4096];
    size_t len;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             const char *cache)
{
    return json_reply(c, status, body, strlen(body), "Cache-Control", cache);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    (void)version;
    struct issuer *is = cls;
    if (strcmp(method, "POST") == 0) {
        struct post *p = *con_cls;
        if (p == NULL) {
            *con_cls = p = calloc(1, sizeof *p);
            return p != NULL ? MHD_YES : MHD_NO;
        }
        if (*size != 0) {
            size_t n = *size < sizeof p->body - 1 - p->len ? *size : sizeof p->body - 1 - p->len;
            memcpy(p->body + p->len, data, n);
            p->len += n;
            *size = 0;
            return MHD_YES;
        }
        enum MHD_Result ret;
        if (strcmp(url, "/oauth/introspect") != 0 ||
            strstr(p->body, "client_id=api-client") == NULL ||
            strstr(p->body, "client_secret=s3cret%20value") == NULL) {
            ret = reply(c, 401, "{\"error\":\"invalid_client\"}", NULL);
        } else if (strstr(p->body, "token=opaque-active") != NULL) {
            char body[512];
            snprintf(body, sizeof body,
                     "{\"active\":true,\"sub\":\"auth0|7\",\"scope\":\"read:x\","
                     "\"client_id\":\"c1\",\"exp\":%lld,\"aud\":\"%s\",\"iss\":\"%s\"}",
                     (long long)time(NULL) + 600, AUD, is->url);
            ret = reply(c, 200, body, NULL);
        } else if (strstr(p->body, "token=opaque-refresh") != NULL) {
            ret = reply(c, 200,
                        "{\"active\":true,\"sub\":\"auth0|7\",\"token_type\":\"refresh_token\"}",
                        NULL);
        } else {
            ret = reply(c, 200, "{\"active\":false}", NULL);
        }
        free(p);
        *con_cls = NULL;
        return ret;
    }
    pthread_mutex_lock(&is->lock);
    enum MHD_Result ret;
    if (strcmp(url, "/.well-known/openid-configuration") == 0) {
        is->discovery_fetches++;
        char body[512];
        snprintf(body, sizeof body,
                 "{\"issuer\":\"%s\",\"jwks_uri\":\"%sjwks\",\"introspection_endpoint\":"
                 "\"%soauth/introspect\"}",
                 is->discovery_issuer != NULL ? is->discovery_issuer : is->url, is->url, is->url);
        ret = reply(c, 200, body, NULL);
    } else if (strcmp(url, "/jwks") == 0) {
        is->jwks_fetches++;
        ret = reply(c, 200, is->jwks != NULL ? is->jwks : "{\"keys\":[]}", "public, max-age=600");
    } else {
        ret = reply(c, 404, "{}", NULL);
    }
    pthread_mutex_unlock(&is->lock);
    return ret;
}

static void issuer_start(struct issuer *is)
{
    is->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, is,
                             MHD_OPTION_END);
    assert_non_null(is->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(is->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    is->port = info->port;
    snprintf(is->url, sizeof is->url, "http://127.0.0.1:%u/", is->port);
}

static void issuer_down(struct issuer *is)
{
    if (is->d != NULL)
        MHD_stop_daemon(is->d);
    is->d = NULL;
}

/* Publishes the public halves of keys (NULL-terminated) as the JWKS. */
static void issuer_publish(struct issuer *is, tsr_jwk *const *keys)
{
    json_t *arr = json_array();
    for (size_t i = 0; keys[i] != NULL; i++) {
        json_t *j = NULL;
        assert_int_equal(tsr_jwk_to_public_json(keys[i], &j), 0);
        json_array_append_new(arr, j);
    }
    json_t *doc = json_pack("{s:o}", "keys", arr);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    pthread_mutex_lock(&is->lock);
    free(is->jwks);
    is->jwks = text;
    pthread_mutex_unlock(&is->lock);
}

static unsigned long issuer_jwks_fetches(struct issuer *is)
{
    pthread_mutex_lock(&is->lock);
    unsigned long n = is->jwks_fetches;
    pthread_mutex_unlock(&is->lock);
    return n;
}

/* ---- fixture -------------------------------------------------------------- */

struct fx {
    struct issuer is;
    tsr_jwk *rsa, *rsa2, *ec, *ed, *ps;
};

static tsr_jwk *group_keys[5];

static int group_setup(void **state)
{
    (void)state;
    const enum tsr_jws_alg algs[] = {TSR_ALG_RS256, TSR_ALG_RS256, TSR_ALG_ES256, TSR_ALG_EDDSA,
                                     TSR_ALG_PS256};
    for (size_t i = 0; i < 5; i++)
        if (tsr_jwk_generate(algs[i], &group_keys[i]) != 0)
            return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < 5; i++)
        tsr_jwk_free(group_keys[i]);
    return 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    pthread_mutex_init(&f->is.lock, NULL);
    f->rsa = group_keys[0];
    f->rsa2 = group_keys[1];
    f->ec = group_keys[2];
    f->ed = group_keys[3];
    f->ps = group_keys[4];
    issuer_start(&f->is);
    tsr_jwk *pub[] = {f->rsa, f->ec, f->ed, f->ps, NULL};
    issuer_publish(&f->is, pub);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    issuer_down(&f->is);
    free(f->is.jwks);
    free(f->is.discovery_issuer);
    pthread_mutex_destroy(&f->is.lock);
    free(f);
    return 0;
}

static tessera_verifier *verifier(struct fx *f, const char *const *algs, long interval)
{
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = f->is.url;
    o.audience = AUD;
    o.algorithms = algs;
    o.jwks_refetch_interval = interval;
    tessera_verifier *v = NULL;
    char why[256];
    int rc = tessera_verifier_new(&o, &v, why, sizeof why);
    if (rc != TESSERA_OK)
        fail_msg("tessera_verifier_new: %s: %s", tessera_errname(rc), why);
    return v;
}

static json_t *good_claims(struct fx *f)
{
    long long now = (long long)time(NULL);
    json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:[s,s], s:s}", "iss", f->is.url, "sub",
                          "auth0|42", "aud", AUD, "iat", now, "exp", now + 600, "scope",
                          "openid read:x write:x", "permissions", "read:x", "delete:x",
                          "https://tessera.test/tenant", "acme");
    assert_non_null(c);
    return c;
}

static char *sign(const tsr_jwk *key, const char *typ, json_t *claims)
{
    char *tok = NULL;
    assert_int_equal(tsr_jwt_sign(key, typ, claims, &tok), 0);
    json_decref(claims);
    return tok;
}

/* Verifies tok; expects rc, and when want_detail is set, that detail contains it. */
static void expect(tessera_verifier *v, const char *tok, int want, const char *want_detail)
{
    tessera_claims *c = (tessera_claims *)1;
    char why[300];
    int rc = tessera_verify(v, tok, &c, why, sizeof why);
    if (rc != want)
        fail_msg("expected %s, got %s: %s", tessera_errname(want), tessera_errname(rc), why);
    if (want_detail != NULL && strstr(why, want_detail) == NULL)
        fail_msg("detail \"%s\" lacks \"%s\"", why, want_detail);
    if (rc == TESSERA_OK)
        assert_non_null(c);
    else
        assert_null(c);
    tessera_claims_free(c);
}

/* "b64(header).b64(payload).sig" from JSON texts. */
static char *raw_token(const char *header, const char *payload, const char *sig)
{
    char *h = tsr_b64url_encode_alloc((const uint8_t *)header, strlen(header));
    char *p = tsr_b64url_encode_alloc((const uint8_t *)payload, strlen(payload));
    size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
    char *t = malloc(n);
    assert_non_null(t);
    snprintf(t, n, "%s.%s.%s", h, p, sig);
    free(h);
    free(p);
    return t;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_valid_token_and_claims(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 60);
    char *tok = sign(f->rsa, NULL, good_claims(f));
    tessera_claims *c = NULL;
    char why[200];
    assert_int_equal(tessera_verify(v, tok, &c, why, sizeof why), TESSERA_OK);
    assert_string_equal(why, "valid");
    assert_string_equal(tessera_claims_sub(c), "auth0|42");
    assert_string_equal(tessera_claims_scope(c), "openid read:x write:x");
    assert_true(tessera_claims_has_scope(c, "read:x"));
    assert_false(tessera_claims_has_scope(c, "read"));
    assert_false(tessera_claims_has_scope(c, ""));
    assert_int_equal(tessera_claims_permission_count(c), 2);
    assert_string_equal(tessera_claims_permission(c, 1), "delete:x");
    assert_null(tessera_claims_permission(c, 2));
    assert_string_equal(
        json_string_value(json_object_get(tessera_claims_json(c), "https://tessera.test/tenant")),
        "acme");
    assert_string_equal(json_string_value(json_object_get(tessera_claims_header(c), "alg")),
                        "RS256");
    tessera_claims_free(c);
    assert_int_equal(f->is.discovery_fetches, 1);
    assert_int_equal(issuer_jwks_fetches(&f->is), 1);
    free(tok);
    tessera_verifier_free(v);
}

static void test_every_asymmetric_alg(void **state)
{
    struct fx *f = *state;
    const char *algs[] = {"RS256", "PS256", "ES256", "EdDSA", NULL};
    tessera_verifier *v = verifier(f, algs, 60);
    tsr_jwk *keys[] = {f->rsa, f->ps, f->ec, f->ed};
    for (size_t i = 0; i < 4; i++) {
        char *tok = sign(keys[i], NULL, good_claims(f));
        expect(v, tok, TESSERA_OK, NULL);
        free(tok);
    }
    tessera_verifier_free(v);
    /* The default list is RS256 only. */
    v = verifier(f, NULL, 60);
    char *tok = sign(f->ec, NULL, good_claims(f));
    expect(v, tok, TESSERA_EALG, "alg ES256 is not allowed");
    free(tok);
    tessera_verifier_free(v);
}

static void test_expired_and_not_yet_valid(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 60);
    long long now = (long long)time(NULL);
    json_t *c = good_claims(f);
    json_object_set_new(c, "exp", json_integer(now - 180));
    char *tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_EEXPIRED, "expired 3 min ago"); /* 180..239 s: "3 min" */
    free(tok);

    /* Within the leeway: still valid. */
    c = good_claims(f);
    json_object_set_new(c, "exp", json_integer(now - 30));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);

    c = good_claims(f);
    json_object_set_new(c, "nbf", json_integer(now + 1200));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_ENOTYET, " min from now (nbf)");
    free(tok);

    c = good_claims(f);
    json_object_set_new(c, "iat", json_integer(now + 3600));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_ENOTYET, "in the future (iat)");
    free(tok);

    c = good_claims(f);
    json_object_del(c, "exp");
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_ECLAIM, "exp is missing");
    free(tok);

    c = good_claims(f);
    json_object_set_new(c, "exp", json_string("tomorrow"));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_ECLAIM, "exp is not a number");
    free(tok);
    tessera_verifier_free(v);
}

static void test_issuer_and_audience(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 60);
    json_t *c = good_claims(f);
    json_object_set_new(c, "iss", json_string("https://evil.test/"));
    char *tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_EISSUER, "iss is https://evil.test/ not http://127.0.0.1:");
    free(tok);

    /* The trailing slash is significant. */
    c = good_claims(f);
    char noslash[64];
    snprintf(noslash, sizeof noslash, "%.*s", (int)strlen(f->is.url) - 1, f->is.url);
    json_object_set_new(c, "iss", json_string(noslash));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_EISSUER, NULL);
    free(tok);

    c = good_claims(f);
    json_object_set_new(c, "aud", json_string("https://other.test/"));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_EAUDIENCE, "aud is https://other.test/ not " AUD);
    free(tok);

    c = good_claims(f);
    json_object_set_new(c, "aud", json_pack("[s,s]", AUD, "https://x.test/userinfo"));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);

    c = good_claims(f);
    json_object_set_new(c, "aud", json_pack("[s,s]", "a", "b"));
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_EAUDIENCE, "aud is [\"a\",\"b\"], which does not contain " AUD);
    free(tok);

    c = good_claims(f);
    json_object_del(c, "aud");
    tok = sign(f->rsa, NULL, c);
    expect(v, tok, TESSERA_EAUDIENCE, "aud is missing");
    free(tok);
    tessera_verifier_free(v);
}

/* The payload of good_claims as JSON text (caller frees). */
static char *good_payload(struct fx *f)
{
    json_t *c = good_claims(f);
    char *text = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    return text;
}

static void test_alg_none_and_confusion(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 60);
    char *payload = good_payload(f);
    char header[256];
    snprintf(header, sizeof header, "{\"alg\":\"none\",\"kid\":\"%s\"}", tsr_jwk_kid(f->rsa));
    char *tok = raw_token(header, payload, "");
    expect(v, tok, TESSERA_EALG, "alg none is not allowed");
    free(tok);

    /* HS256 with the RSA public key (its JWK bytes) as the HMAC secret. */
    json_t *pub = NULL;
    assert_int_equal(tsr_jwk_to_public_json(f->rsa, &pub), 0);
    char *pubtext = json_dumps(pub, JSON_COMPACT);
    json_decref(pub);
    tsr_jwk *forged = NULL;
    assert_int_equal(tsr_jwk_from_secret((const uint8_t *)pubtext, strlen(pubtext),
                                         tsr_jwk_kid(f->rsa), &forged),
                     0);
    tok = sign(forged, NULL, good_claims(f));
    expect(v, tok, TESSERA_EALG, "alg HS256 is not allowed");
    tessera_verifier_free(v);

    /* Even with HS256 allowed (own secret), the RSA key is never an HMAC key. */
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = f->is.url;
    o.audience = AUD;
    const char *algs[] = {"RS256", "HS256", NULL};
    o.algorithms = algs;
    o.hs256_secret = (const unsigned char *)"0123456789abcdef0123456789abcdef";
    o.hs256_secret_len = 32;
    assert_int_equal(tessera_verifier_new(&o, &v, NULL, 0), TESSERA_OK);
    expect(v, tok, TESSERA_ESIGNATURE, NULL);
    free(tok);
    /* A token made with the configured secret verifies. */
    tsr_jwk *hs = NULL;
    assert_int_equal(tsr_jwk_from_secret(o.hs256_secret, 32, NULL, &hs), 0);
    tok = sign(hs, NULL, good_claims(f));
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);
    /* An RS256 header on a token whose kid names an RSA key but whose alg is PS256. */
    snprintf(header, sizeof header, "{\"alg\":\"RS256\",\"kid\":\"%s\"}", tsr_jwk_kid(f->ps));
    tok = raw_token(header, payload, "AAAA");
    expect(v, tok, TESSERA_EALG, "does not match key");
    free(tok);
    tsr_jwk_free(hs);
    tsr_jwk_free(forged);
    free(pubtext);
    free(payload);
    tessera_verifier_free(v);
}

static void test_typ(void **state)
{
    struct fx *f = *state;
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = f->is.url;
    o.audience = AUD;
    o.required_typ = "at+jwt";
    tessera_verifier *v = NULL;
    assert_int_equal(tessera_verifier_new(&o, &v, NULL, 0), TESSERA_OK);
    char *tok = sign(f->rsa, NULL, good_claims(f));
    expect(v, tok, TESSERA_ETYP, "typ is JWT not at+jwt");
    free(tok);
    tok = sign(f->rsa, "at+jwt", good_claims(f));
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);
    tok = sign(f->rsa, "application/AT+JWT", good_claims(f));
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);
    tessera_verifier_free(v);
}

static void test_rotation_refetch(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 1);
    assert_int_equal(issuer_jwks_fetches(&f->is), 1);
    /* The issuer rotates to rsa2 and drops rsa. */
    tsr_jwk *next[] = {f->rsa2, NULL};
    issuer_publish(&f->is, next);
    char *tok = sign(f->rsa2, NULL, good_claims(f));
    sleep(2); /* past the 1 s refetch interval since the first fetch */
    expect(v, tok, TESSERA_OK, NULL);
    assert_int_equal(issuer_jwks_fetches(&f->is), 2);
    assert_int_equal(tessera_verifier_jwks_fetches(v), 2);
    /* The old key is gone after the refetch. */
    char *old = sign(f->rsa, NULL, good_claims(f));
    expect(v, old, TESSERA_EKID, "unknown kid");
    free(old);
    free(tok);
    tessera_verifier_free(v);
}

static void test_forged_kids_no_fetch_storm(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 60);
    unsigned long before = issuer_jwks_fetches(&f->is);
    char *payload = good_payload(f);
    for (int i = 0; i < 100; i++) {
        char header[128];
        snprintf(header, sizeof header, "{\"alg\":\"RS256\",\"kid\":\"forged-%d\"}", i);
        char *tok = raw_token(header, payload, "AAAA");
        char want[32];
        snprintf(want, sizeof want, "unknown kid forged-%d", i);
        expect(v, tok, TESSERA_EKID, want);
        free(tok);
    }
    assert_true(issuer_jwks_fetches(&f->is) - before <= 1);
    tessera_verifier_free(v);

    /* With a 1 s interval: after it passes, a burst still costs at most one fetch. */
    v = verifier(f, NULL, 1);
    sleep(2);
    before = issuer_jwks_fetches(&f->is);
    for (int i = 0; i < 100; i++) {
        char header[128];
        snprintf(header, sizeof header, "{\"alg\":\"RS256\",\"kid\":\"x%d\"}", i);
        char *tok = raw_token(header, payload, "AAAA");
        expect(v, tok, TESSERA_EKID, NULL);
        free(tok);
    }
    unsigned long during = issuer_jwks_fetches(&f->is) - before;
    assert_true(during >= 1);
    assert_true(during <= 2); /* one for the burst, one more only if it outlasted 1 s */
    free(payload);
    tessera_verifier_free(v);
}

static void test_jwks_down_keeps_keys(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 0);
    char *tok = sign(f->rsa, NULL, good_claims(f));
    expect(v, tok, TESSERA_OK, NULL);
    issuer_down(&f->is);
    expect(v, tok, TESSERA_OK, NULL);
    /* An unknown kid tries a refetch, which fails; the cached keys stay. */
    char *other = sign(f->rsa2, NULL, good_claims(f));
    expect(v, other, TESSERA_EKID, "JWKS refresh failed");
    expect(v, tok, TESSERA_OK, NULL);
    char why[200];
    assert_int_equal(tessera_verifier_refresh(v, why, sizeof why), TESSERA_EUNAVAILABLE);
    expect(v, tok, TESSERA_OK, NULL);
    free(other);
    free(tok);
    tessera_verifier_free(v);
}

static void test_issuer_unreachable(void **state)
{
    struct fx *f = *state;
    char url[64];
    snprintf(url, sizeof url, "%s", f->is.url);
    issuer_down(&f->is);
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = url;
    o.audience = AUD;
    o.jwks_refetch_interval = 0;
    o.http_timeout_ms = 2000;
    tessera_verifier *v = NULL;
    char why[256];
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_OK);
    assert_non_null(strstr(why, "keys not fetched yet"));
    char *tok = sign(f->rsa, NULL, good_claims(f));
    expect(v, tok, TESSERA_EUNAVAILABLE, "no signing keys yet");
    free(tok);
    tessera_verifier_free(v);
}

static void test_discovery_issuer_mismatch(void **state)
{
    struct fx *f = *state;
    f->is.discovery_issuer = strdup("https://impostor.test/");
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = f->is.url;
    o.audience = AUD;
    tessera_verifier *v = NULL;
    char why[256];
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_ECONFIG);
    assert_null(v);
    assert_non_null(strstr(why, "names issuer https://impostor.test/"));
}

static void test_malformed_corpus(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 60);
    char *payload = good_payload(f);
    char kidh[128];
    snprintf(kidh, sizeof kidh, "{\"alg\":\"RS256\",\"kid\":\"%s\"}", tsr_jwk_kid(f->rsa));

    expect(v, "", TESSERA_ENOTOKEN, NULL);
    expect(v, "opaque-random-value", TESSERA_EOPAQUE, "not a JWT");
    expect(v, "a.b", TESSERA_EMALFORMED, "this has 2");
    expect(v, "a.b.c.d", TESSERA_EMALFORMED, "this has 4");
    expect(v, "..", TESSERA_EMALFORMED, NULL);
    expect(v, "!!!.???.***", TESSERA_EMALFORMED, NULL);
    expect(v, "eyJhbGciOiJSUzI1NiJ9=.e30.AAAA", TESSERA_EMALFORMED, NULL); /* padding */

    char *t = raw_token("not json", payload, "AAAA");
    expect(v, t, TESSERA_EMALFORMED, "not base64url JSON");
    free(t);
    t = raw_token(kidh, "[1,2,3]", "AAAA");
    expect(v, t, TESSERA_EMALFORMED, NULL);
    free(t);
    t = raw_token("{\"alg\":\"RS256\",\"alg\":\"none\"}", payload, "AAAA");
    expect(v, t, TESSERA_EMALFORMED, NULL); /* duplicate member */
    free(t);
    t = raw_token("{\"alg\":\"RS512\"}", payload, "AAAA");
    expect(v, t, TESSERA_EMALFORMED, NULL);
    free(t);
    t = raw_token("{\"typ\":\"JWT\"}", payload, "AAAA");
    expect(v, t, TESSERA_EMALFORMED, NULL); /* no alg */
    free(t);
    t = raw_token(kidh, payload, "!!");
    expect(v, t, TESSERA_EMALFORMED, NULL);
    free(t);

    /* A huge header. */
    size_t big = 20000;
    char *hh = malloc(big + 64);
    assert_non_null(hh);
    int n = snprintf(hh, big + 64, "{\"alg\":\"RS256\",\"x\":\"");
    memset(hh + n, 'a', big);
    strcpy(hh + n + big, "\"}");
    t = raw_token(hh, payload, "AAAA");
    expect(v, t, TESSERA_ETOOBIG, "more than");
    free(t);
    free(hh);

    /* Well formed, signature wrong (payload swapped after signing). */
    char *good = sign(f->rsa, NULL, good_claims(f));
    json_t *c = good_claims(f);
    json_object_set_new(c, "sub", json_string("admin"));
    char *other = sign(f->rsa, NULL, c);
    /*
     * Offsets, not strchr() pointers: GCC 12 at -O3 sees the tokens come
     * back through the address of sign()'s local and calls such pointers
     * dangling (-Wdangling-pointer, a false positive).
     */
    size_t dot1 = strcspn(good, "."), odot1 = strcspn(other, ".");
    assert_int_equal(good[dot1], '.');
    assert_int_equal(other[odot1], '.');
    size_t dot2 = dot1 + 1 + strcspn(good + dot1 + 1, ".");
    size_t odot2 = odot1 + 1 + strcspn(other + odot1 + 1, ".");
    assert_int_equal(good[dot2], '.');
    assert_int_equal(other[odot2], '.');
    char *mixed = malloc(strlen(good) + strlen(other) + 1);
    assert_non_null(mixed);
    /* good's header, other's payload, good's signature. */
    sprintf(mixed, "%.*s%.*s%s", (int)dot1, good, (int)(odot2 - odot1), other + odot1, good + dot2);
    expect(v, mixed, TESSERA_ESIGNATURE, "signature does not verify");
    free(mixed);
    free(other);
    free(good);
    free(payload);
    tessera_verifier_free(v);
}

static void test_scope_and_permission_helpers(void **state)
{
    struct fx *f = *state;
    tessera_verifier *v = verifier(f, NULL, 60);
    char *tok = sign(f->rsa, NULL, good_claims(f));
    tessera_claims *c = NULL;
    assert_int_equal(tessera_verify(v, tok, &c, NULL, 0), TESSERA_OK);
    char why[200];
    const char *rw[] = {"read:x", "write:x", NULL};
    const char *rd[] = {"read:x", "delete:y", NULL};
    const char *none[] = {"admin", "root", NULL};
    assert_int_equal(tessera_require_scopes(c, TESSERA_MATCH_ALL, rw, why, sizeof why), 0);
    assert_int_equal(tessera_require_scopes(c, TESSERA_MATCH_ALL, rd, why, sizeof why),
                     TESSERA_ESCOPE);
    assert_string_equal(why, "scope delete:y is required");
    assert_int_equal(tessera_require_scopes(c, TESSERA_MATCH_ANY, rd, why, sizeof why), 0);
    assert_int_equal(tessera_require_scopes(c, TESSERA_MATCH_ANY, none, why, sizeof why),
                     TESSERA_ESCOPE);
    assert_string_equal(why, "one scope of admin, root is required");

    const char *perms[] = {"read:x", "delete:x", NULL};
    const char *perms2[] = {"read:x", "write:x", NULL};
    assert_int_equal(tessera_require_permissions(c, TESSERA_MATCH_ALL, perms, why, sizeof why), 0);
    assert_int_equal(tessera_require_permissions(c, TESSERA_MATCH_ALL, perms2, why, sizeof why),
                     TESSERA_ESCOPE);
    assert_string_equal(why, "permission write:x is required");
    assert_int_equal(tessera_require_permissions(c, TESSERA_MATCH_ANY, perms2, why, sizeof why), 0);
    assert_int_equal(tessera_require_permissions(c, TESSERA_MATCH_ANY, none, why, sizeof why),
                     TESSERA_ESCOPE);

    char hdr[256];
    assert_true(tessera_www_authenticate(TESSERA_ESCOPE, "api", why, hdr, sizeof hdr) > 0);
    assert_string_equal(hdr, "Bearer realm=\"api\", error=\"insufficient_scope\", "
                             "error_description=\"one permission of admin, root is required\"");
    tessera_claims_free(c);
    free(tok);
    tessera_verifier_free(v);
}

static void test_introspection(void **state)
{
    struct fx *f = *state;
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = f->is.url;
    o.audience = AUD;
    o.introspection_client_id = "api-client";
    o.introspection_client_secret = "s3cret value";
    tessera_verifier *v = NULL;
    assert_int_equal(tessera_verifier_new(&o, &v, NULL, 0), TESSERA_OK);
    tessera_claims *c = NULL;
    char why[200];
    assert_int_equal(tessera_verify(v, "opaque-active", &c, why, sizeof why), TESSERA_OK);
    assert_string_equal(tessera_claims_sub(c), "auth0|7");
    assert_true(tessera_claims_has_scope(c, "read:x"));
    assert_null(tessera_claims_header(c));
    tessera_claims_free(c);
    expect(v, "opaque-revoked", TESSERA_EINACTIVE, "not active");
    expect(v, "opaque-refresh", TESSERA_ETYP, "token_type is refresh_token, not an access token");
    /* JWTs still verify locally. */
    char *tok = sign(f->rsa, NULL, good_claims(f));
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);
    tessera_verifier_free(v);
}

struct worker {
    tessera_verifier *v;
    const char *tok;
    int failures;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 50; i++) {
        tessera_claims *c = NULL;
        if (tessera_verify(w->v, w->tok, &c, NULL, 0) != TESSERA_OK)
            w->failures++;
        tessera_claims_free(c);
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct fx *f = *state;
    const char *algs[] = {"ES256", "RS256", NULL};
    tessera_verifier *v = verifier(f, algs, 0);
    char *toks[2] = {sign(f->ec, NULL, good_claims(f)), sign(f->rsa, NULL, good_claims(f))};
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){v, toks[i % 2], 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    free(toks[0]);
    free(toks[1]);
    tessera_verifier_free(v);
}

/* Replaces the cached key set while workers hold references to it. */
static void *refresh_work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 20; i++)
        if (tessera_verifier_refresh(w->v, NULL, 0) != TESSERA_OK)
            w->failures++;
    return NULL;
}

/*
 * Key sets swapped by refreshes (refetch interval 0) while other threads
 * verify: each verification keeps the set it took, the last holder frees it
 * (ASan and valgrind see a use after free or a leak otherwise).
 */
static void test_threads_during_refresh(void **state)
{
    struct fx *f = *state;
    const char *algs[] = {"ES256", "RS256", NULL};
    tessera_verifier *v = verifier(f, algs, 0);
    char *toks[2] = {sign(f->ec, NULL, good_claims(f)), sign(f->rsa, NULL, good_claims(f))};
    unsigned long before = tessera_verifier_jwks_fetches(v);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){v, toks[i % 2], 0};
        assert_int_equal(pthread_create(&t[i], NULL, i == 3 ? refresh_work : work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    assert_int_equal(tessera_verifier_jwks_fetches(v), before + 20);
    free(toks[0]);
    free(toks[1]);
    tessera_verifier_free(v);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_valid_token_and_claims),
        T(test_every_asymmetric_alg),
        T(test_expired_and_not_yet_valid),
        T(test_issuer_and_audience),
        T(test_alg_none_and_confusion),
        T(test_typ),
        T(test_rotation_refetch),
        T(test_forged_kids_no_fetch_storm),
        T(test_jwks_down_keeps_keys),
        T(test_issuer_unreachable),
        T(test_discovery_issuer_mismatch),
        T(test_malformed_corpus),
        T(test_scope_and_permission_helpers),
        T(test_introspection),
        T(test_threads),
        T(test_threads_during_refresh),
    };
    /* Verification is the subject, not generation (test_jwk's): each RSA key
     * generated would take seconds under valgrind. */
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
