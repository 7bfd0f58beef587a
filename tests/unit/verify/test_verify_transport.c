/*
 * test_verify_transport.c - what libtessera-verify agrees to fetch and
 * how: plain http only to loopback unless allow_insecure_http, discovery
 * unable to send it elsewhere, no redirects, bounded answers, a JWKS that
 * empties under attack, and token headers (jwk, jku, x5u, crit) that never
 * choose the key.
 *
 * The issuer is libmicrohttpd on 127.0.0.1.  A name that is not loopback
 * (id.tessera.test) reaches it as a proxy (http_proxy), so no test
 * resolves a name or leaves the machine.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../../lib/verify/internal.h"
#include "util/b64url.h"
#include "jose/internal.h"
#include "jose/jose.h"
#include "tessera/verify.h"

#include "json_reply.h"

#define AUD "https://api.tessera.test/"
#define REMOTE "http://id.tessera.test/"

/* ---- the issuer ------------------------------------------------------------ */

struct issuer {
    struct MHD_Daemon *d;
    char loop[64]; /* http://127.0.0.1:PORT/ */
    pthread_mutex_t lock;
    char issuer[96];   /* the issuer discovery names */
    char jwks_uri[96]; /* the jwks_uri discovery names */
    char intro[96];    /* introspection_endpoint, "" for none */
    char *jwks;
    char *evil_jwks; /* served at /evil-jwks: the attacker's keys */
    bool huge;       /* /jwks answers more than the library reads */
    unsigned long requests, proxied, jwks_fetches, evil_fetches, redirect_target;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             size_t len, const char *location)
{
    return json_reply(c, status, body, len, "Location", location);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    (void)method, (void)version, (void)data, (void)size, (void)con_cls;
    struct issuer *is = cls;
    pthread_mutex_lock(&is->lock);
    is->requests++;
    /* A proxied request names the whole URL: keep its path. */
    if (strncmp(url, "http://", 7) == 0) {
        is->proxied++;
        const char *p = strchr(url + 7, '/');
        url = p != NULL ? p : "/";
    }
    char body[512];
    enum MHD_Result ret;
    if (strcmp(url, "/.well-known/openid-configuration") == 0) {
        int n =
            snprintf(body, sizeof body, "{\"issuer\":\"%s\",\"jwks_uri\":\"%s\"%s%s%s}", is->issuer,
                     is->jwks_uri, is->intro[0] ? ",\"introspection_endpoint\":\"" : "", is->intro,
                     is->intro[0] ? "\"" : "");
        ret = reply(c, 200, body, (size_t)n, NULL);
    } else if (strcmp(url, "/moved/.well-known/openid-configuration") == 0) {
        snprintf(body, sizeof body, "%smoved-target", is->loop);
        ret = reply(c, 302, "{}", 2, body);
    } else if (strcmp(url, "/moved-target") == 0) {
        is->redirect_target++;
        ret = reply(c, 200, "{}", 2, NULL);
    } else if (strcmp(url, "/jwks") == 0) {
        is->jwks_fetches++;
        if (is->huge) {
            /* Valid JSON, one padding member past TSV_HTTP_MAX_BODY. */
            size_t n = TSV_HTTP_MAX_BODY + 64;
            char *big = malloc(n + 1);
            int h = snprintf(big, n + 1, "{\"keys\":[],\"pad\":\"");
            memset(big + h, 'a', n - (size_t)h - 2);
            memcpy(big + n - 2, "\"}", 2);
            ret = reply(c, 200, big, n, NULL);
            free(big);
        } else {
            const char *j = is->jwks != NULL ? is->jwks : "{\"keys\":[]}";
            ret = reply(c, 200, j, strlen(j), NULL);
        }
    } else if (strcmp(url, "/evil-jwks") == 0) {
        is->evil_fetches++;
        ret = reply(c, 200, is->evil_jwks, strlen(is->evil_jwks), NULL);
    } else {
        ret = reply(c, 404, "{}", 2, NULL);
    }
    pthread_mutex_unlock(&is->lock);
    return ret;
}

/* A JWKS document holding the public halves of keys (NULL-terminated). */
static char *jwks_of(tsr_jwk *const *keys)
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
    return text;
}

/* Sets what discovery names: issuer and jwks_uri are prefixed by base. */
static void issuer_names(struct issuer *is, const char *iss, const char *jwks_uri,
                         const char *intro)
{
    pthread_mutex_lock(&is->lock);
    snprintf(is->issuer, sizeof is->issuer, "%s", iss);
    snprintf(is->jwks_uri, sizeof is->jwks_uri, "%s", jwks_uri);
    snprintf(is->intro, sizeof is->intro, "%s", intro != NULL ? intro : "");
    pthread_mutex_unlock(&is->lock);
}

static unsigned long counter(struct issuer *is, const unsigned long *field)
{
    pthread_mutex_lock(&is->lock);
    unsigned long n = *field;
    pthread_mutex_unlock(&is->lock);
    return n;
}

/* ---- fixture ------------------------------------------------------------------ */

struct fx {
    struct issuer is;
    tsr_jwk *key;      /* the issuer's */
    tsr_jwk *attacker; /* the attacker's, same alg */
    char proxy[64];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    pthread_mutex_init(&f->is.lock, NULL);
    assert_int_equal(tsr_jwk_generate(TSR_ALG_ES256, &f->key), 0);
    assert_int_equal(tsr_jwk_generate(TSR_ALG_ES256, &f->attacker), 0);
    tsr_jwk *mine[] = {f->key, NULL};
    tsr_jwk *theirs[] = {f->attacker, NULL};
    f->is.jwks = jwks_of(mine);
    f->is.evil_jwks = jwks_of(theirs);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    f->is.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, &f->is,
                               MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_END);
    assert_non_null(f->is.d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->is.d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    snprintf(f->is.loop, sizeof f->is.loop, "http://127.0.0.1:%u/", info->port);
    snprintf(f->proxy, sizeof f->proxy, "http://127.0.0.1:%u", info->port);
    char jwks[96];
    snprintf(jwks, sizeof jwks, "%sjwks", f->is.loop);
    issuer_names(&f->is, f->is.loop, jwks, NULL);
    /* Every name goes to this issuer, acting as the proxy. */
    setenv("http_proxy", f->proxy, 1);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    unsetenv("http_proxy");
    MHD_stop_daemon(f->is.d);
    free(f->is.jwks);
    free(f->is.evil_jwks);
    pthread_mutex_destroy(&f->is.lock);
    tsr_jwk_free(f->key);
    tsr_jwk_free(f->attacker);
    free(f);
    return 0;
}

static tessera_verify_options options(const char *issuer, bool insecure)
{
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = issuer;
    o.audience = AUD;
    static const char *const es[] = {"ES256", NULL};
    o.algorithms = es;
    o.jwks_refetch_interval = 0;
    o.http_timeout_ms = 5000;
    o.allow_insecure_http = insecure;
    return o;
}

/* A verifier that must be made; fails the test with the detail otherwise. */
static tessera_verifier *made(const tessera_verify_options *o)
{
    tessera_verifier *v = NULL;
    char why[300];
    int rc = tessera_verifier_new(o, &v, why, sizeof why);
    if (rc != TESSERA_OK)
        fail_msg("tessera_verifier_new: %s: %s", tessera_errname(rc), why);
    return v;
}

/* Expects tessera_verifier_new to refuse with rc and a detail containing want. */
static void refused(const tessera_verify_options *o, int rc_want, const char *want)
{
    tessera_verifier *v = (tessera_verifier *)1;
    char why[300] = "";
    int rc = tessera_verifier_new(o, &v, why, sizeof why);
    if (rc != rc_want)
        fail_msg("expected %s, got %s: %s", tessera_errname(rc_want), tessera_errname(rc), why);
    if (strstr(why, want) == NULL)
        fail_msg("detail \"%s\" lacks \"%s\"", why, want);
    assert_null(v);
}

static char *token(const tsr_jwk *key, const char *iss)
{
    long long now = (long long)time(NULL);
    json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", iss, "sub", "auth0|1", "aud", AUD,
                          "iat", now, "exp", now + 600);
    char *tok = NULL;
    assert_int_equal(tsr_jwt_sign(key, "at+jwt", c, &tok), 0);
    json_decref(c);
    return tok;
}

static void expect(tessera_verifier *v, const char *tok, int want, const char *want_detail)
{
    tessera_claims *c = NULL;
    char why[300];
    int rc = tessera_verify(v, tok, &c, why, sizeof why);
    if (rc != want)
        fail_msg("expected %s, got %s: %s", tessera_errname(want), tessera_errname(rc), why);
    if (want_detail != NULL && strstr(why, want_detail) == NULL)
        fail_msg("detail \"%s\" lacks \"%s\"", why, want_detail);
    tessera_claims_free(c);
}

/* ---- the transport rule --------------------------------------------------------- */

static void test_rule(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        bool insecure;
        int rc;
        enum tsv_transport tr;
    } cases[] = {
        {"https://id.example.com/", false, TESSERA_OK, TSV_TRANSPORT_TLS},
        {"http://127.0.0.1:8080/", false, TESSERA_OK, TSV_TRANSPORT_LOOPBACK},
        {"http://127.255.1.2/", false, TESSERA_OK, TSV_TRANSPORT_LOOPBACK},
        {"http://LocalHost:3000/x/", false, TESSERA_OK, TSV_TRANSPORT_LOOPBACK},
        {"http://[::1]:8080/", false, TESSERA_OK, TSV_TRANSPORT_LOOPBACK},
        {"http://id.example.com/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"http://id.example.com/", true, TESSERA_OK, TSV_TRANSPORT_INSECURE},
        {"HTTP://id.example.com/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        /* Look-alikes of loopback that are not. */
        {"http://127.0.0.1@evil.test/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"http://localhost.evil.test/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"http://127.0.0.1.evil.test/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"http://0.0.0.0:8080/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"http://128.0.0.1/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"http://[::2]/", false, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        /* Not http(s) at all, even with the opt-in. */
        {"ftp://127.0.0.1/", true, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"file:///etc/passwd", true, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
        {"not a url", true, TESSERA_ECONFIG, TSV_TRANSPORT_TLS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum tsv_transport tr = TSV_TRANSPORT_INSECURE;
        char why[300] = "";
        int rc =
            tsv_transport_check("issuer", cases[i].url, cases[i].insecure, &tr, why, sizeof why);
        if (rc != cases[i].rc || (rc == TESSERA_OK && tr != cases[i].tr))
            fail_msg("%s (insecure %d): rc %d transport %d: %s", cases[i].url, cases[i].insecure,
                     rc, (int)tr, why);
    }
}

static void test_loopback_addresses(void **state)
{
    (void)state;
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
    static const char *const yes4[] = {"127.0.0.1", "127.9.8.7"};
    static const char *const no4[] = {"0.0.0.0", "10.0.0.1", "126.255.255.255", "128.0.0.1"};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(inet_pton(AF_INET, yes4[i], &a4.sin_addr), 1);
        assert_true(tsv_sockaddr_is_loopback((struct sockaddr *)&a4));
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(inet_pton(AF_INET, no4[i], &a4.sin_addr), 1);
        assert_false(tsv_sockaddr_is_loopback((struct sockaddr *)&a4));
    }
    static const char *const yes6[] = {"::1", "::ffff:127.0.0.1"};
    static const char *const no6[] = {"::", "::2", "::ffff:10.0.0.1", "fe80::1"};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(inet_pton(AF_INET6, yes6[i], &a6.sin6_addr), 1);
        assert_true(tsv_sockaddr_is_loopback((struct sockaddr *)&a6));
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(inet_pton(AF_INET6, no6[i], &a6.sin6_addr), 1);
        assert_false(tsv_sockaddr_is_loopback((struct sockaddr *)&a6));
    }
    assert_false(tsv_sockaddr_is_loopback(NULL));
    assert_false(tsv_host_is_loopback(""));
    assert_false(tsv_host_is_loopback("[::1"));
    assert_false(tsv_host_is_loopback("localhost."));
}

/* ---- the issuer over http ----------------------------------------------------------- */

static void test_remote_http_issuer_needs_opt_in(void **state)
{
    struct fx *f = *state;
    issuer_names(&f->is, REMOTE, REMOTE "jwks", NULL);
    tessera_verify_options o = options(REMOTE, false);
    refused(&o, TESSERA_ECONFIG, "issuer " REMOTE " is plain http to a host that is not loopback");
    assert_int_equal(counter(&f->is, &f->is.requests), 0); /* refused before any request */

    o.allow_insecure_http = true;
    tessera_verifier *v = made(&o);
    assert_int_equal(counter(&f->is, &f->is.proxied), 2); /* discovery and JWKS */
    char *tok = token(f->key, REMOTE);
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);
    tessera_verifier_free(v);
}

static void test_loopback_issuer_needs_no_opt_in(void **state)
{
    struct fx *f = *state;
    /* http_proxy points at a port with nothing behind it: loopback never uses it. */
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    char url[64];
    const char *port = strrchr(f->is.loop, ':') + 1;
    snprintf(url, sizeof url, "http://localhost:%s", port);
    char jwks[96];
    snprintf(jwks, sizeof jwks, "%sjwks", url);
    issuer_names(&f->is, url, jwks, NULL);
    tessera_verify_options o = options(url, false);
    tessera_verifier *v = made(&o);
    char *tok = token(f->key, url);
    expect(v, tok, TESSERA_OK, NULL);
    assert_int_equal(counter(&f->is, &f->is.proxied), 0);
    free(tok);
    tessera_verifier_free(v);
}

static void test_discovery_cannot_send_jwks_to_http(void **state)
{
    struct fx *f = *state;
    /* A loopback issuer (or whoever answers for it) names a remote http JWKS. */
    issuer_names(&f->is, f->is.loop, REMOTE "jwks", NULL);
    tessera_verify_options o = options(f->is.loop, false);
    refused(&o, TESSERA_ECONFIG,
            "the discovery document's jwks_uri " REMOTE "jwks is plain http to a host that is "
            "not loopback");
    assert_int_equal(counter(&f->is, &f->is.jwks_fetches), 0);
    o.allow_insecure_http = true;
    tessera_verifier *v = made(&o);
    assert_int_equal(counter(&f->is, &f->is.proxied), 1);
    tessera_verifier_free(v);
}

static void test_discovery_cannot_send_introspection_to_http(void **state)
{
    struct fx *f = *state;
    char jwks[96];
    snprintf(jwks, sizeof jwks, "%sjwks", f->is.loop);
    issuer_names(&f->is, f->is.loop, jwks, REMOTE "oauth/introspect");
    tessera_verify_options o = options(f->is.loop, false);
    /* Not introspecting: the endpoint is never used, so it does not matter. */
    tessera_verifier *v = made(&o);
    tessera_verifier_free(v);
    /* Introspecting: the client secret would cross the network in clear. */
    o.introspection_client_id = "api";
    o.introspection_client_secret = "secret";
    refused(&o, TESSERA_ECONFIG,
            "the discovery document's introspection_endpoint " REMOTE "oauth/introspect is "
            "plain http");
}

static void test_redirects_not_followed(void **state)
{
    struct fx *f = *state;
    char iss[96];
    snprintf(iss, sizeof iss, "%smoved/", f->is.loop);
    tessera_verify_options o = options(iss, false);
    tessera_verifier *v = NULL;
    char why[300];
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_OK);
    if (strstr(why, "discovery answered HTTP 302") == NULL)
        fail_msg("detail: %s", why);
    assert_int_equal(counter(&f->is, &f->is.redirect_target), 0);
    tessera_verifier_free(v);
    /* Rate-limited requests meanwhile still say why there are no keys. */
    o.jwks_refetch_interval = 3600;
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_OK);
    char *tok = token(f->key, iss);
    expect(v, tok, TESSERA_EUNAVAILABLE,
           "fetch rate-limited; the last one failed: discovery answered HTTP 302");
    free(tok);
    tessera_verifier_free(v);
}

/* ---- the JWKS under attack ------------------------------------------------------------ */

static void test_oversized_jwks_keeps_keys(void **state)
{
    struct fx *f = *state;
    tessera_verify_options o = options(f->is.loop, false);
    tessera_verifier *v = made(&o);
    char *tok = token(f->key, f->is.loop);
    expect(v, tok, TESSERA_OK, NULL);
    char why[300];
    assert_int_equal(tessera_verifier_refresh(v, why, sizeof why), TESSERA_OK);
    assert_string_equal(why, "ok");
    pthread_mutex_lock(&f->is.lock);
    f->is.huge = true;
    pthread_mutex_unlock(&f->is.lock);
    assert_int_equal(tessera_verifier_refresh(v, why, sizeof why), TESSERA_EUNAVAILABLE);
    if (strstr(why, "answered more than 262144 bytes") == NULL)
        fail_msg("detail: %s", why);
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);
    tessera_verifier_free(v);
}

static void test_emptied_jwks_keeps_keys(void **state)
{
    struct fx *f = *state;
    tessera_verify_options o = options(f->is.loop, false);
    tessera_verifier *v = made(&o);
    char *tok = token(f->key, f->is.loop);
    expect(v, tok, TESSERA_OK, NULL);
    /* The JWKS now holds nothing usable (an oct key, an encryption key). */
    pthread_mutex_lock(&f->is.lock);
    free(f->is.jwks);
    f->is.jwks = strdup("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"},"
                        "{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}");
    pthread_mutex_unlock(&f->is.lock);
    char why[300];
    assert_int_equal(tessera_verifier_refresh(v, why, sizeof why), TESSERA_EUNAVAILABLE);
    if (strstr(why, "no signature key") == NULL)
        fail_msg("detail: %s", why);
    expect(v, tok, TESSERA_OK, NULL);
    free(tok);
    tessera_verifier_free(v);
}

/* ---- token headers never choose the key ------------------------------------------------- */

/* A token for the issuer's kid signed by signer; extra is JSON text added to the header. */
static char *forged(struct fx *f, const tsr_jwk *signer, const char *extra)
{
    long long now = (long long)time(NULL);
    char header[1024], payload[512];
    snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"kid\":\"%s\"%s}", tsr_jwk_kid(f->key),
             extra);
    snprintf(payload, sizeof payload,
             "{\"iss\":\"%s\",\"sub\":\"admin\",\"aud\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
             f->is.loop, AUD, now, now + 600);
    char *h = tsr_b64url_encode_alloc((const uint8_t *)header, strlen(header));
    char *p = tsr_b64url_encode_alloc((const uint8_t *)payload, strlen(payload));
    size_t n = strlen(h) + strlen(p) + 256;
    char *t = malloc(n);
    assert_non_null(t);
    int in = snprintf(t, n, "%s.%s", h, p);
    uint8_t *sig = NULL;
    size_t siglen = 0;
    assert_int_equal(tsr_jws_sign_bytes(signer, (const uint8_t *)t, (size_t)in, &sig, &siglen), 0);
    t[in] = '.';
    assert_int_equal(tsr_b64url_encode(sig, siglen, t + in + 1, n - (size_t)in - 1), 0);
    free(sig);
    free(h);
    free(p);
    return t;
}

static void test_header_keys_ignored(void **state)
{
    struct fx *f = *state;
    tessera_verify_options o = options(f->is.loop, false);
    tessera_verifier *v = made(&o);
    json_t *pub = NULL;
    assert_int_equal(tsr_jwk_to_public_json(f->attacker, &pub), 0);
    char *jwk = json_dumps(pub, JSON_COMPACT);
    json_decref(pub);
    char extra[900];
    const char *ev = f->is.loop;

    /* The same construction signed by the issuer verifies: only the key differs below. */
    snprintf(extra, sizeof extra, ",\"jku\":\"%sevil-jwks\"", ev);
    char *t = forged(f, f->key, extra);
    expect(v, t, TESSERA_OK, NULL);
    free(t);

    snprintf(extra, sizeof extra, ",\"jwk\":%s", jwk);
    t = forged(f, f->attacker, extra);
    expect(v, t, TESSERA_ESIGNATURE, NULL);
    free(t);
    snprintf(extra, sizeof extra, ",\"jku\":\"%sevil-jwks\"", ev);
    t = forged(f, f->attacker, extra);
    expect(v, t, TESSERA_ESIGNATURE, NULL);
    free(t);
    snprintf(extra, sizeof extra, ",\"x5u\":\"%sevil-jwks\"", ev);
    t = forged(f, f->attacker, extra);
    expect(v, t, TESSERA_ESIGNATURE, NULL);
    free(t);
    assert_int_equal(counter(&f->is, &f->is.evil_fetches), 0);
    /* crit, even naming something harmless, is an extension we do not understand. */
    t = forged(f, f->attacker, ",\"crit\":[\"exp\"],\"exp\":1");
    expect(v, t, TESSERA_EMALFORMED, "crit");
    free(t);
    t = forged(f, f->attacker, ",\"crit\":[]");
    expect(v, t, TESSERA_EMALFORMED, "crit");
    free(t);
    free(jwk);
    tessera_verifier_free(v);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_loopback_addresses),
        T(test_remote_http_issuer_needs_opt_in),
        T(test_loopback_issuer_needs_no_opt_in),
        T(test_discovery_cannot_send_jwks_to_http),
        T(test_discovery_cannot_send_introspection_to_http),
        T(test_redirects_not_followed),
        T(test_oversized_jwks_keeps_keys),
        T(test_emptied_jwks_keeps_keys),
        T(test_header_keys_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
