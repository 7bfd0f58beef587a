/*
 * jwks_cache.c - discovery and the verifier's shared JWKS cache.
 *
 * Readers take a reference to an immutable key set under a short mutex
 * (one lock per verification while the keys are fresh; the reference is
 * dropped with an atomic decrement), so verification never waits for the
 * network unless it must.  Fetches are
 * single-flight (fetch_lock) and happen without the state lock held:
 *  - a stale set (Cache-Control max-age, bounded 60 s .. 24 h) is
 *    refreshed by the one thread that notices first; others keep using the
 *    stale keys meanwhile;
 *  - an unknown kid refetches at most once per refetch interval, counted
 *    from the last attempt, so forged kids cannot cause a fetch storm;
 *  - a failed fetch keeps the keys already cached, and so does a JWKS
 *    without one usable signature key (an issuer never publishes none).
 * Discovery's jwks_uri and introspection_endpoint pass the same transport
 * rule as the issuer (transport.c): a loopback issuer cannot send the
 * verifier to plain http elsewhere.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void tsv_keyset_free(struct tsv_keyset *ks)
{
    if (ks == NULL)
        return;
    for (size_t i = 0; i < ks->n; i++)
        tsr_jwk_free(ks->keys[i]);
    free(ks);
}

void tsv_keys_release(tessera_verifier *v, struct tsv_keyset *ks)
{
    (void)v;
    if (ks == NULL)
        return;
    /* acq_rel: the thread that frees sees every other reader's use of the keys. */
    if (atomic_fetch_sub_explicit(&ks->refs, 1, memory_order_acq_rel) == 1)
        tsv_keyset_free(ks);
}

/* Parses a JWKS; keys that are not signature keys Tessera understands are skipped. */
static int parse_jwks(const char *body, size_t len, struct tsv_keyset **out, char *detail,
                      size_t detaillen)
{
    *out = NULL;
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *keys = json_object_get(doc, "keys");
    if (!json_is_array(keys)) {
        json_decref(doc);
        tsv_detail(detail, detaillen, "the JWKS is not a JSON object with a keys array");
        return TESSERA_EUNAVAILABLE;
    }
    struct tsv_keyset *ks = calloc(1, sizeof *ks);
    if (ks == NULL) {
        json_decref(doc);
        return TESSERA_ENOMEM;
    }
    atomic_init(&ks->refs, 1);
    size_t i;
    const json_t *jwk;
    json_array_foreach(keys, i, jwk)
    {
        if (ks->n == TSV_MAX_KEYS)
            break;
        const char *use = json_string_value(json_object_get(jwk, "use"));
        if (use != NULL && strcmp(use, "sig") != 0)
            continue;
        tsr_jwk *k = NULL;
        if (tsr_jwk_from_json(jwk, TSR_ALG_NONE, &k) == 0)
            ks->keys[ks->n++] = k;
    }
    json_decref(doc);
    if (ks->n == 0) {
        tsv_keyset_free(ks);
        tsv_detail(detail, detaillen, "the JWKS has no signature key this verifier can use");
        return TESSERA_EUNAVAILABLE;
    }
    *out = ks;
    return TESSERA_OK;
}

static long clamp_max_age(long max_age)
{
    if (max_age < 0)
        return TSV_MAX_AGE_DEFAULT;
    if (max_age < TSV_MAX_AGE_MIN)
        return TSV_MAX_AGE_MIN;
    return max_age > TSV_MAX_AGE_MAX ? TSV_MAX_AGE_MAX : max_age;
}

/* Reads the discovery document; sets jwks_uri and introspection_uri. */
static int discover(tessera_verifier *v, char *detail, size_t detaillen)
{
    struct tsv_http_result r;
    int rc = tsv_http_get(v, "discovery", v->discovery_url, &r, detail, detaillen);
    if (rc != TESSERA_OK)
        return rc;
    json_error_t jerr;
    json_t *doc = NULL;
    char *jwks = NULL;
    char *intro = NULL;
    if (r.status != 200) {
        tsv_detail(detail, detaillen, "discovery answered HTTP %ld", r.status);
        rc = TESSERA_EUNAVAILABLE;
        goto out;
    }
    doc = json_loadb(r.body, r.len, JSON_REJECT_DUPLICATES, &jerr);
    const char *iss = json_string_value(json_object_get(doc, "issuer"));
    const char *uri = json_string_value(json_object_get(doc, "jwks_uri"));
    const char *ep = json_string_value(json_object_get(doc, "introspection_endpoint"));
    if (!json_is_object(doc)) {
        tsv_detail(detail, detaillen, "the discovery document is not a JSON object");
        rc = TESSERA_EUNAVAILABLE;
        goto out;
    }
    if (iss == NULL || strcmp(iss, v->issuer) != 0) {
        char shown[96];
        tsv_printable(iss != NULL ? iss : "(none)", shown, sizeof shown, 80);
        tsv_detail(detail, detaillen, "the discovery document names issuer %s, not %s", shown,
                   v->issuer);
        rc = TESSERA_ECONFIG;
        goto out;
    }
    if (uri == NULL || (strncmp(uri, "https://", 8) != 0 && strncmp(uri, "http://", 7) != 0)) {
        tsv_detail(detail, detaillen, "the discovery document has no http(s) jwks_uri");
        rc = TESSERA_ECONFIG;
        goto out;
    }
    enum tsv_transport tr;
    if ((rc = tsv_transport_check("the discovery document's jwks_uri", uri,
                                  v->allow_insecure_http, &tr, detail, detaillen)) != TESSERA_OK)
        goto out;
    /* The introspection endpoint matters only to a verifier that introspects. */
    if (ep != NULL && v->client_id != NULL &&
        (rc = tsv_transport_check("the discovery document's introspection_endpoint", ep,
                                  v->allow_insecure_http, &tr, detail, detaillen)) != TESSERA_OK)
        goto out;
    rc = TESSERA_ENOMEM;
    if ((jwks = strdup(uri)) == NULL)
        goto out;
    if (ep != NULL && v->client_id != NULL && (intro = strdup(ep)) == NULL)
        goto out;
    pthread_mutex_lock(&v->lock);
    free(v->jwks_uri);
    v->jwks_uri = jwks;
    jwks = NULL;
    if (intro != NULL) {
        free(v->introspection_uri);
        v->introspection_uri = intro;
        intro = NULL;
    }
    pthread_mutex_unlock(&v->lock);
    rc = TESSERA_OK;
out:
    free(jwks);
    free(intro);
    json_decref(doc);
    tsv_http_result_cleanup(&r);
    return rc;
}

/* One fetch of discovery (if needed) and the JWKS; the caller holds fetch_lock. */
static int fetch(tessera_verifier *v, char *detail, size_t detaillen)
{
    pthread_mutex_lock(&v->lock);
    bool known = v->jwks_uri != NULL;
    pthread_mutex_unlock(&v->lock);
    int rc;
    if (!known && (rc = discover(v, detail, detaillen)) != TESSERA_OK)
        return rc;
    /* jwks_uri only changes under fetch_lock, which we hold. */
    struct tsv_http_result r;
    pthread_mutex_lock(&v->lock);
    v->jwks_fetches++;
    pthread_mutex_unlock(&v->lock);
    if ((rc = tsv_http_get(v, "jwks_uri", v->jwks_uri, &r, detail, detaillen)) != TESSERA_OK)
        return rc;
    struct tsv_keyset *ks = NULL;
    if (r.status != 200) {
        tsv_detail(detail, detaillen, "the JWKS endpoint answered HTTP %ld", r.status);
        rc = TESSERA_EUNAVAILABLE;
    } else {
        rc = parse_jwks(r.body, r.len, &ks, detail, detaillen);
    }
    if (rc == TESSERA_OK) {
        pthread_mutex_lock(&v->lock);
        struct tsv_keyset *old = v->keys;
        v->keys = ks;
        v->expires = tsv_monotonic() + clamp_max_age(r.max_age);
        pthread_mutex_unlock(&v->lock);
        tsv_keys_release(v, old);
    }
    tsv_http_result_cleanup(&r);
    return rc;
}

/* fetch(), remembering why it failed for later requests' detail text. */
static int fetch_noted(tessera_verifier *v, char *detail, size_t detaillen)
{
    char why[sizeof v->last_error] = "";
    int rc = fetch(v, why, sizeof why);
    pthread_mutex_lock(&v->lock);
    snprintf(v->last_error, sizeof v->last_error, "%s", rc == TESSERA_OK ? "" : why);
    pthread_mutex_unlock(&v->lock);
    if (rc != TESSERA_OK)
        tsv_detail(detail, detaillen, "%s", why);
    return rc;
}

void tsv_keys_last_error(tessera_verifier *v, char *buf, size_t len)
{
    pthread_mutex_lock(&v->lock);
    snprintf(buf, len, "%s", v->last_error);
    pthread_mutex_unlock(&v->lock);
}

/* Records an attempt; the caller holds lock. */
static void note_attempt(tessera_verifier *v, int64_t now)
{
    v->last_attempt = now;
    v->attempts++;
}

struct tsv_keyset *tsv_keys_acquire(tessera_verifier *v, unsigned long *generation)
{
    int64_t now = tsv_monotonic();
    pthread_mutex_lock(&v->lock);
    bool stale = v->keys != NULL && now >= v->expires;
    if (!stale) {
        /* The common case: fresh keys (or none yet), one lock round trip. */
        struct tsv_keyset *ks = v->keys;
        if (ks != NULL)
            atomic_fetch_add_explicit(&ks->refs, 1, memory_order_relaxed);
        *generation = v->attempts;
        pthread_mutex_unlock(&v->lock);
        return ks;
    }
    pthread_mutex_unlock(&v->lock);

    /* Stale keys: one thread refreshes, the rest go on with what is cached. */
    if (stale && pthread_mutex_trylock(&v->fetch_lock) == 0) {
        pthread_mutex_lock(&v->lock);
        bool still = now >= v->expires;
        if (still) {
            note_attempt(v, now);
            /* On failure, try again after one refetch interval, not on every request. */
            v->expires = now + (v->refetch_interval > 0 ? v->refetch_interval : 1);
        }
        pthread_mutex_unlock(&v->lock);
        if (still)
            (void)fetch_noted(v, NULL, 0);
        pthread_mutex_unlock(&v->fetch_lock);
    }

    pthread_mutex_lock(&v->lock);
    struct tsv_keyset *ks = v->keys;
    if (ks != NULL)
        atomic_fetch_add_explicit(&ks->refs, 1, memory_order_relaxed);
    *generation = v->attempts;
    pthread_mutex_unlock(&v->lock);
    return ks;
}

int tsv_keys_refetch(tessera_verifier *v, unsigned long generation, bool *rate_limited,
                     char *detail, size_t detaillen)
{
    *rate_limited = false;
    pthread_mutex_lock(&v->fetch_lock);
    pthread_mutex_lock(&v->lock);
    if (v->attempts != generation) {
        /* Another thread fetched while we waited: use its result. */
        pthread_mutex_unlock(&v->lock);
        pthread_mutex_unlock(&v->fetch_lock);
        return TESSERA_OK;
    }
    int64_t now = tsv_monotonic();
    if (v->attempts > 0 && now - v->last_attempt < v->refetch_interval) {
        pthread_mutex_unlock(&v->lock);
        pthread_mutex_unlock(&v->fetch_lock);
        *rate_limited = true;
        return TESSERA_OK;
    }
    note_attempt(v, now);
    pthread_mutex_unlock(&v->lock);
    int rc = fetch_noted(v, detail, detaillen);
    pthread_mutex_unlock(&v->fetch_lock);
    return rc;
}

TESSERA_API int tessera_verifier_refresh(tessera_verifier *v, char *detail, size_t detaillen)
{
    tsv_detail(detail, detaillen, "ok");
    if (v == NULL || v->magic != TSV_MAGIC)
        return TESSERA_EINVAL;
    pthread_mutex_lock(&v->lock);
    unsigned long gen = v->attempts;
    pthread_mutex_unlock(&v->lock);
    bool limited = false;
    int rc = tsv_keys_refetch(v, gen, &limited, detail, detaillen);
    if (rc == TESSERA_OK && limited)
        tsv_detail(detail, detaillen, "the last fetch is younger than the refetch interval");
    return rc;
}

TESSERA_API unsigned long tessera_verifier_jwks_fetches(const tessera_verifier *v)
{
    if (v == NULL || v->magic != TSV_MAGIC)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&v->lock);
    unsigned long n = v->jwks_fetches;
    pthread_mutex_unlock((pthread_mutex_t *)&v->lock);
    return n;
}
