/*
 * verify.c - verifier options, construction, and the checks a token goes
 * through: size, form, alg, kid, signature, iss, aud, exp/nbf/iat, typ
 * (RFC 8725, RFC 9068 section 4).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"
#include "util/err.h"
#include "util/secure.h"

TESSERA_API void tessera_verify_options_init(tessera_verify_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->leeway = 60;
    o->jwks_refetch_interval = 60;
    o->http_timeout_ms = 5000;
}

static bool is_http_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

static int dup_opt(const char *s, char **out)
{
    *out = NULL;
    if (s == NULL)
        return TESSERA_OK;
    return (*out = strdup(s)) != NULL ? TESSERA_OK : TESSERA_ENOMEM;
}

/* Checks and copies the algorithm list. */
static int set_algs(tessera_verifier *v, const tessera_verify_options *o, char *detail,
                    size_t detaillen)
{
    static const char *const defaults[] = {"RS256", NULL};
    const char *const *names = o->algorithms != NULL ? o->algorithms : defaults;
    for (size_t i = 0; names[i] != NULL; i++) {
        enum tsr_jws_alg a;
        if (v->nalgs == TSV_MAX_ALGS) {
            tsv_detail(detail, detaillen, "too many algorithms");
            return TESSERA_ECONFIG;
        }
        if (strcmp(names[i], "none") == 0) {
            tsv_detail(detail, detaillen, "alg none is never allowed");
            return TESSERA_ECONFIG;
        }
        if (tsr_jws_alg_parse(names[i], &a) != 0) {
            char shown[40];
            tsv_printable(names[i], shown, sizeof shown, 32);
            tsv_detail(detail, detaillen,
                       "unknown algorithm %s (known: RS256, PS256, ES256, EdDSA, HS256)", shown);
            return TESSERA_ECONFIG;
        }
        if (a == TSR_ALG_HS256 && o->hs256_secret == NULL) {
            tsv_detail(detail, detaillen, "HS256 needs hs256_secret");
            return TESSERA_ECONFIG;
        }
        v->algs[v->nalgs++] = a;
    }
    if (v->nalgs == 0) {
        tsv_detail(detail, detaillen, "the algorithm list is empty");
        return TESSERA_ECONFIG;
    }
    return TESSERA_OK;
}

TESSERA_API int tessera_verifier_new(const tessera_verify_options *o, tessera_verifier **out,
                                     char *detail, size_t detaillen)
{
    tsv_detail(detail, detaillen, "ok");
    if (out == NULL || o == NULL)
        return TESSERA_EINVAL;
    *out = NULL;
    if (o->issuer == NULL || !is_http_url(o->issuer) || strlen(o->issuer) > 2048) {
        tsv_detail(detail, detaillen, "issuer must be an http(s) URL such as https://host/");
        return TESSERA_ECONFIG;
    }
    enum tsv_transport tr;
    int trc = tsv_transport_check("issuer", o->issuer, o->allow_insecure_http, &tr, detail,
                                  detaillen);
    if (trc != TESSERA_OK)
        return trc;
    if (o->audience == NULL || o->audience[0] == '\0') {
        tsv_detail(detail, detaillen, "audience is required");
        return TESSERA_ECONFIG;
    }
    if (o->leeway < 0 || o->leeway > 3600 || o->jwks_refetch_interval < 0 ||
        o->http_timeout_ms <= 0) {
        tsv_detail(detail, detaillen,
                   "leeway must be 0..3600 s, the refetch interval >= 0, the timeout > 0");
        return TESSERA_ECONFIG;
    }
    if ((o->introspection_client_id == NULL) != (o->introspection_client_secret == NULL)) {
        tsv_detail(detail, detaillen, "introspection needs both a client id and a secret");
        return TESSERA_ECONFIG;
    }

    int rc = TESSERA_ENOMEM;
    tessera_verifier *v = calloc(1, sizeof *v);
    if (v == NULL)
        return TESSERA_ENOMEM;
    v->magic = TSV_MAGIC;
    pthread_mutex_init(&v->lock, NULL);
    pthread_mutex_init(&v->fetch_lock, NULL);
    v->leeway = o->leeway;
    v->refetch_interval = o->jwks_refetch_interval;
    v->timeout_ms = o->http_timeout_ms;
    v->allow_insecure_http = o->allow_insecure_http;
    size_t ilen = strlen(o->issuer);
    bool slash = o->issuer[ilen - 1] == '/';
    static const char wk[] = ".well-known/openid-configuration";
    static const char intro[] = "oauth/introspect";
    if (dup_opt(o->issuer, &v->issuer) != 0 || dup_opt(o->audience, &v->audience) != 0 ||
        dup_opt(o->required_typ, &v->typ) != 0 ||
        dup_opt(o->introspection_client_id, &v->client_id) != 0 ||
        dup_opt(o->introspection_client_secret, &v->client_secret) != 0 ||
        (v->discovery_url = malloc(ilen + sizeof wk + 1)) == NULL ||
        (v->introspection_uri = malloc(ilen + sizeof intro + 1)) == NULL)
        goto out;
    snprintf(v->discovery_url, ilen + sizeof wk + 1, "%s%s%s", o->issuer, slash ? "" : "/", wk);
    snprintf(v->introspection_uri, ilen + sizeof intro + 1, "%s%s%s", o->issuer,
             slash ? "" : "/", intro);
    if ((rc = set_algs(v, o, detail, detaillen)) != TESSERA_OK)
        goto out;
    if (o->hs256_secret != NULL &&
        tsr_jwk_from_secret(o->hs256_secret, o->hs256_secret_len, "hs256", &v->hs_key) != 0) {
        tsv_detail(detail, detaillen, "the HS256 secret must be at least 32 bytes");
        rc = TESSERA_ECONFIG;
        goto out;
    }

    /* Eager first fetch: a wrong issuer shows now; an unreachable one is retried later. */
    char why[256] = "";
    bool limited = false;
    rc = tsv_keys_refetch(v, 0, &limited, why, sizeof why);
    if (rc == TESSERA_ECONFIG || rc == TESSERA_ENOMEM) {
        tsv_detail(detail, detaillen, "%s", why);
        goto out;
    }
    if (rc != TESSERA_OK)
        tsv_detail(detail, detaillen, "created; keys not fetched yet: %s", why);
    rc = TESSERA_OK;
    *out = v;
    v = NULL;
out:
    tessera_verifier_free(v);
    return rc;
}

TESSERA_API void tessera_verifier_free(tessera_verifier *v)
{
    if (v == NULL)
        return;
    v->magic = 0;
    free(v->issuer);
    free(v->audience);
    free(v->typ);
    free(v->discovery_url);
    free(v->client_id);
    if (v->client_secret != NULL)
        tsr_wipe_free_str(v->client_secret);
    tsr_jwk_free(v->hs_key);
    free(v->jwks_uri);
    free(v->introspection_uri);
    tsv_keyset_free(v->keys);
    pthread_mutex_destroy(&v->lock);
    pthread_mutex_destroy(&v->fetch_lock);
    free(v);
}

TESSERA_API int tessera_bearer_token(const char *h, const char **token, size_t *len)
{
    if (token == NULL || len == NULL)
        return TESSERA_EINVAL;
    *token = NULL;
    *len = 0;
    if (h == NULL || h[0] == '\0')
        return TESSERA_ENOTOKEN;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return TESSERA_EREQUEST;
    const char *t = h + 7;
    while (*t == ' ')
        t++;
    size_t n = strcspn(t, " \t\r\n");
    /* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
    if (n == 0 || t[n] != '\0' || strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789-._~+/=") != n)
        return TESSERA_EREQUEST;
    *token = t;
    *len = n;
    return TESSERA_OK;
}

/* ---- claim checks -------------------------------------------------------- */

/* A NumericDate member: -1 absent, -2 not a number, else 0 with *out set. */
static int numeric_date(const json_t *payload, const char *name, long long *out)
{
    const json_t *n = json_object_get(payload, name);
    if (n == NULL)
        return -1;
    if (!json_is_number(n))
        return -2;
    double d = json_number_value(n);
    if (!isfinite(d) || d < 0 || d > 1e12)
        return -2;
    *out = (long long)d;
    return 0;
}

int tsv_check_times(const tessera_verifier *v, const json_t *payload, bool exp_required,
                    char *detail, size_t detaillen)
{
    long long now = (long long)time(NULL);
    long long t = 0;
    char d[32];
    int r = numeric_date(payload, "exp", &t);
    if (r == -2 || (r == -1 && exp_required)) {
        tsv_detail(detail, detaillen, r == -1 ? "exp is missing" : "exp is not a number");
        return TESSERA_ECLAIM;
    }
    if (r == 0 && now >= t + v->leeway) {
        tsv_duration(now - t, d, sizeof d);
        tsv_detail(detail, detaillen, "expired %s ago", d);
        return TESSERA_EEXPIRED;
    }
    if ((r = numeric_date(payload, "nbf", &t)) == -2) {
        tsv_detail(detail, detaillen, "nbf is not a number");
        return TESSERA_ECLAIM;
    }
    if (r == 0 && t > now + v->leeway) {
        tsv_duration(t - now, d, sizeof d);
        tsv_detail(detail, detaillen, "not valid before %s from now (nbf)", d);
        return TESSERA_ENOTYET;
    }
    if ((r = numeric_date(payload, "iat", &t)) == -2) {
        tsv_detail(detail, detaillen, "iat is not a number");
        return TESSERA_ECLAIM;
    }
    if (r == 0 && t > now + v->leeway) {
        tsv_duration(t - now, d, sizeof d);
        tsv_detail(detail, detaillen, "issued %s in the future (iat)", d);
        return TESSERA_ENOTYET;
    }
    return TESSERA_OK;
}

int tsv_check_aud(const tessera_verifier *v, const json_t *payload, bool required, char *detail,
                  size_t detaillen)
{
    const json_t *aud = json_object_get(payload, "aud");
    char shown[96];
    if (aud == NULL) {
        if (!required)
            return TESSERA_OK;
        tsv_detail(detail, detaillen, "aud is missing, expected %s", v->audience);
        return TESSERA_EAUDIENCE;
    }
    if (json_is_string(aud)) {
        if (strcmp(json_string_value(aud), v->audience) == 0)
            return TESSERA_OK;
        tsv_printable(json_string_value(aud), shown, sizeof shown, 80);
        tsv_detail(detail, detaillen, "aud is %s not %s", shown, v->audience);
        return TESSERA_EAUDIENCE;
    }
    if (json_is_array(aud)) {
        size_t i;
        const json_t *a;
        json_array_foreach(aud, i, a)
        {
            if (json_is_string(a) && strcmp(json_string_value(a), v->audience) == 0)
                return TESSERA_OK;
        }
        char *text = json_dumps(aud, JSON_COMPACT);
        tsv_printable(text, shown, sizeof shown, 80);
        free(text);
        tsv_detail(detail, detaillen, "aud is %s, which does not contain %s", shown, v->audience);
        return TESSERA_EAUDIENCE;
    }
    tsv_detail(detail, detaillen, "aud is neither a string nor an array");
    return TESSERA_ECLAIM;
}

static int check_typ(const tessera_verifier *v, const tsr_jws *jws, char *detail,
                     size_t detaillen)
{
    if (v->typ == NULL)
        return TESSERA_OK;
    const char *typ = tsr_jws_typ(jws);
    const char *t = typ;
    if (t != NULL && strncasecmp(t, "application/", 12) == 0)
        t += 12;
    if (t != NULL && strcasecmp(t, v->typ) == 0)
        return TESSERA_OK;
    char shown[64];
    tsv_printable(typ != NULL ? typ : "(none)", shown, sizeof shown, 48);
    tsv_detail(detail, detaillen, "typ is %s not %s", shown, v->typ);
    return TESSERA_ETYP;
}

static bool alg_allowed(const tessera_verifier *v, enum tsr_jws_alg a)
{
    for (size_t i = 0; i < v->nalgs; i++)
        if (v->algs[i] == a)
            return true;
    return false;
}

/* The key for the token: HS256 secret, or a JWKS key by kid (or by alg when no kid). */
static const tsr_jwk *find_key(const tessera_verifier *v, const struct tsv_keyset *ks,
                               const tsr_jws *jws)
{
    const char *kid = tsr_jws_kid(jws);
    if (tsr_jws_alg(jws) == TSR_ALG_HS256)
        return v->hs_key;
    if (ks == NULL)
        return NULL;
    for (size_t i = 0; i < ks->n; i++) {
        if (kid != NULL ? strcmp(tsr_jwk_kid(ks->keys[i]), kid) == 0
                        : tsr_jwk_alg(ks->keys[i]) == tsr_jws_alg(jws))
            return ks->keys[i];
    }
    return NULL;
}

/*
 * Reads the payload of a lazily parsed JWS into a new claims object: the
 * scanner when it can, else jansson (which alone decides that the payload
 * is malformed: TSR_EFORMAT).
 */
static int read_payload(const tessera_verifier *v, const tsr_jws *jws, tessera_claims **out)
{
    size_t plen = 0;
    const char *praw = tsr_jws_payload_bytes(jws, &plen);
    tessera_claims *c = calloc(1, sizeof *c + plen + 1);
    if (c == NULL)
        return TSR_ENOMEM;
    c->is_jwt = true;
    c->scanned = tsv_scan_payload(praw, plen, v->audience, &c->scan, c->scratch, plen + 1);
    if (!c->scanned && (c->payload = tsv_parse_object(praw, plen)) == NULL) {
        free(c);
        return TSR_EFORMAT;
    }
    *out = c;
    return 0;
}

/* Form and alg checks that need no key. */
static int check_form(const tessera_verifier *v, const char *token, size_t len, tsr_jws **jws,
                      tessera_claims **claims, char *detail, size_t detaillen)
{
    int rc = tsr_jws_parse_lazy(token, len, jws);
    if (rc == 0)
        rc = read_payload(v, *jws, claims);
    if (rc == TSR_ETOOBIG) {
        tsv_detail(detail, detaillen, "token is %zu bytes, more than %d", len, TSR_JWS_MAX_LEN);
        return TESSERA_ETOOBIG;
    }
    if (rc == TSR_ENOMEM)
        return TESSERA_ENOMEM;
    if (rc != 0) {
        size_t dots = 0;
        for (size_t i = 0; i < len; i++)
            dots += token[i] == '.';
        if (dots != 2)
            tsv_detail(detail, detaillen, "a JWT has 3 parts separated by dots, this has %zu",
                       dots + 1);
        else
            tsv_detail(detail, detaillen,
                       "malformed JWT: a part is not base64url JSON, or alg is unknown or crit is "
                       "present");
        return TESSERA_EMALFORMED;
    }
    enum tsr_jws_alg alg = tsr_jws_alg(*jws);
    if (alg == TSR_ALG_NONE) {
        tsv_detail(detail, detaillen, "alg none is not allowed");
        return TESSERA_EALG;
    }
    if (!alg_allowed(v, alg)) {
        tsv_detail(detail, detaillen, "alg %s is not allowed", tsr_jws_alg_name(alg));
        return TESSERA_EALG;
    }
    return TESSERA_OK;
}

static int check_signature(tessera_verifier *v, const tsr_jws *jws, char *detail,
                           size_t detaillen)
{
    unsigned long gen = 0;
    struct tsv_keyset *ks = tsv_keys_acquire(v, &gen);
    const tsr_jwk *key = find_key(v, ks, jws);
    int rc = TESSERA_OK;
    char why[200] = "";
    bool limited = false;
    if (key == NULL && tsr_jws_alg(jws) != TSR_ALG_HS256) {
        /* Unknown kid: maybe the issuer rotated.  Refetch, rate-limited. */
        tsv_keys_release(v, ks);
        ks = NULL;
        rc = tsv_keys_refetch(v, gen, &limited, why, sizeof why);
        ks = tsv_keys_acquire(v, &gen);
        key = find_key(v, ks, jws);
    }
    /* The kid for detail text; made only when a check fails. */
    char kid[80] = "";
    if (key == NULL || (rc = tsr_jws_verify(jws, key)) != 0)
        tsv_printable(tsr_jws_kid(jws) != NULL ? tsr_jws_kid(jws) : "(none)", kid, sizeof kid,
                      64);
    if (key == NULL) {
        if (ks == NULL) {
            /* A rate-limited request says why the last fetch failed, not just "later". */
            char last[sizeof v->last_error] = "";
            if (why[0] == '\0')
                tsv_keys_last_error(v, last, sizeof last);
            tsv_detail(detail, detaillen, "no signing keys yet from %s: %s%s", v->issuer,
                       why[0] ? why : last[0] ? "fetch rate-limited; the last one failed: "
                                              : "fetch rate-limited",
                       why[0] ? "" : last);
            rc = TESSERA_EUNAVAILABLE;
        } else {
            if (rc != TESSERA_OK)
                tsv_detail(detail, detaillen, "unknown kid %s (JWKS refresh failed: %s)", kid, why);
            else
                tsv_detail(detail, detaillen, "unknown kid %s", kid);
            rc = TESSERA_EKID;
        }
        goto out;
    }
    if (rc == TSR_EALG) {
        tsv_detail(detail, detaillen, "alg %s does not match key %s (%s)",
                   tsr_jws_alg_name(tsr_jws_alg(jws)), kid, tsr_jws_alg_name(tsr_jwk_alg(key)));
        rc = TESSERA_EALG;
    } else if (rc != 0) {
        tsv_detail(detail, detaillen, "signature does not verify with key %s", kid);
        rc = TESSERA_ESIGNATURE;
    }
out:
    tsv_keys_release(v, ks);
    return rc;
}

/* A NumericDate the scanner read passes where numeric_date's value would. */
static bool date_fast_ok(const struct tsv_date *d, bool required, long long now, long leeway,
                         bool is_exp)
{
    if (d->kind == TSV_DATE_ABSENT)
        return !required;
    if (d->kind != TSV_DATE_INT || d->value < 0 || d->value > 1000000000000LL)
        return false;
    return is_exp ? now < d->value + leeway : d->value <= now + leeway;
}

/*
 * The claim checks on what the scanner read.  True only when check_claims
 * would pass too; any failure is left to check_claims on the jansson tree,
 * which says exactly why.
 */
static bool claims_fast_ok(const tessera_verifier *v, const tsr_jws *jws, const struct tsv_scan *s)
{
    if (s->iss == NULL || strcmp(s->iss, v->issuer) != 0 || s->aud != TSV_AUD_MATCH)
        return false;
    long long now = (long long)time(NULL);
    return date_fast_ok(&s->exp, true, now, v->leeway, true) &&
           date_fast_ok(&s->nbf, false, now, v->leeway, false) &&
           date_fast_ok(&s->iat, false, now, v->leeway, false) &&
           check_typ(v, jws, NULL, 0) == TESSERA_OK;
}

static int check_claims(const tessera_verifier *v, const tsr_jws *jws, tessera_claims *c,
                        char *detail, size_t detaillen)
{
    if (c->payload == NULL) {
        if (c->scanned && claims_fast_ok(v, jws, &c->scan))
            return TESSERA_OK;
        size_t plen = 0;
        const char *praw = tsr_jws_payload_bytes(jws, &plen);
        /* The scanner said the bytes are an object jansson reads: only memory can fail. */
        if ((c->payload = tsv_parse_object(praw, plen)) == NULL)
            return TESSERA_ENOMEM;
    }
    const json_t *p = c->payload;
    const char *iss = json_string_value(json_object_get(p, "iss"));
    if (iss == NULL || strcmp(iss, v->issuer) != 0) {
        char shown[96];
        tsv_printable(iss != NULL ? iss : "(missing)", shown, sizeof shown, 80);
        tsv_detail(detail, detaillen, "iss is %s not %s", shown, v->issuer);
        return TESSERA_EISSUER;
    }
    int rc = tsv_check_aud(v, p, true, detail, detaillen);
    if (rc == TESSERA_OK)
        rc = tsv_check_times(v, p, true, detail, detaillen);
    if (rc == TESSERA_OK)
        rc = check_typ(v, jws, detail, detaillen);
    return rc;
}

TESSERA_API int tessera_verify(tessera_verifier *v, const char *token, tessera_claims **claims,
                               char *detail, size_t detaillen)
{
    tsv_detail(detail, detaillen, "valid");
    if (claims == NULL)
        return TESSERA_EINVAL;
    *claims = NULL;
    if (v == NULL || v->magic != TSV_MAGIC)
        return TESSERA_EINVAL;
    if (token == NULL || token[0] == '\0') {
        tsv_detail(detail, detaillen, "no token");
        return TESSERA_ENOTOKEN;
    }
    size_t len = strnlen(token, TSR_JWS_MAX_LEN + 1);
    if (len > TSR_JWS_MAX_LEN) {
        tsv_detail(detail, detaillen, "token is more than %d bytes", TSR_JWS_MAX_LEN);
        return TESSERA_ETOOBIG;
    }
    if (memchr(token, '.', len) == NULL) {
        if (v->client_id != NULL)
            return tsv_introspect(v, token, len, claims, detail, detaillen);
        tsv_detail(detail, detaillen,
                   "not a JWT: an opaque token (was the token requested without an audience?)");
        return TESSERA_EOPAQUE;
    }

    tsr_jws *jws = NULL;
    tessera_claims *c = NULL;
    int rc = check_form(v, token, len, &jws, &c, detail, detaillen);
    if (rc == TESSERA_OK)
        rc = check_signature(v, jws, detail, detaillen);
    if (rc == TESSERA_OK)
        rc = check_claims(v, jws, c, detail, detaillen);
    if (rc == TESSERA_OK) {
        /* The claims keep the token's bytes; JSON trees are made when asked for (claims.c). */
        c->jws = jws;
        jws = NULL;
        *claims = c;
        c = NULL;
    }
    tessera_claims_free(c);
    tsr_jws_free(jws);
    return rc;
}
