/*
 * internal.h - libtessera-verify's private structures (tsv_* prefix).
 *
 * Divisions: errors.c (the error table, detail text, WWW-Authenticate),
 * http.c (bounded libcurl GET/POST), transport.c (which URLs may be
 * contacted, and how), jwks_cache.c (discovery and the shared key cache),
 * verify.c (token checks, options, bearer header), scan.c (the one-pass
 * claims reader), introspect.c (RFC 7662 client), claims.c (accessors and
 * helpers).
 */
#ifndef TSV_INTERNAL_H
#define TSV_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include "jose/jose.h"
#include "tessera/verify.h"
#include "verify/net.h"

#define TSV_MAGIC 0x74737631u /* "tsv1" */
#define TSV_MAX_ALGS 8
/* Largest discovery, JWKS or introspection answer read. */
#define TSV_HTTP_MAX_BODY (256 * 1024)
/* Most keys taken from one JWKS. */
#define TSV_MAX_KEYS 64
/* Bounds and default of the JWKS cache lifetime (Cache-Control max-age). */
#define TSV_MAX_AGE_MIN 60
#define TSV_MAX_AGE_MAX 86400
#define TSV_MAX_AGE_DEFAULT 300
/* Largest opaque token sent to introspection. */
#define TSV_OPAQUE_MAX_LEN 4096

/* An immutable set of keys shared by readers; freed when the last reference goes. */
struct tsv_keyset {
    /* Taken under the verifier's lock (so the set is not swapped out first), dropped without. */
    _Atomic unsigned refs;
    size_t n;
    tsr_jwk *keys[TSV_MAX_KEYS];
};

struct tessera_verifier {
    uint32_t magic;
    /* Configuration: read-only after tessera_verifier_new. */
    char *issuer;
    char *audience;
    char *typ;
    char *discovery_url;
    char *client_id;
    char *client_secret;
    enum tsr_jws_alg algs[TSV_MAX_ALGS];
    size_t nalgs;
    long leeway;
    long refetch_interval;
    long timeout_ms;
    bool allow_insecure_http;
    tsr_jwk *hs_key; /* HS256 shared secret or NULL */

    /* fetch_lock makes fetches single-flight; it is never taken while lock is held. */
    pthread_mutex_t fetch_lock;
    /* lock guards everything below; held only for pointer and counter updates. */
    pthread_mutex_t lock;
    char *jwks_uri;          /* from discovery */
    char *introspection_uri; /* from discovery, or {issuer}oauth/introspect */
    struct tsv_keyset *keys; /* NULL until the first JWKS arrives */
    int64_t expires;         /* monotonic seconds at which keys go stale */
    int64_t last_attempt;    /* monotonic seconds of the last fetch attempt */
    unsigned long attempts;  /* fetch attempts: a generation number */
    unsigned long jwks_fetches;
    char last_error[256]; /* why the last fetch failed, "" after a success */
};

/* scan.c: what the one-pass scanner read of a payload. */
#define TSV_SCAN_MAX_MEMBERS 32
enum tsv_aud { TSV_AUD_ABSENT = 0, TSV_AUD_MATCH, TSV_AUD_OTHER };
enum tsv_date_kind { TSV_DATE_ABSENT = 0, TSV_DATE_INT, TSV_DATE_OTHER };
struct tsv_date {
    enum tsv_date_kind kind;
    long long value; /* TSV_DATE_INT only */
};
struct tsv_scan {
    /* Unescaped, NUL-terminated, in the scratch buffer; NULL when absent or not a string. */
    const char *iss;
    const char *sub;
    const char *scope;
    enum tsv_aud aud; /* a string equal to the audience, or an array holding one: MATCH */
    struct tsv_date exp, nbf, iat;
};
/*
 * Scans a payload in one bounded pass.  True ("fast") only when jansson
 * would read text as an object with exactly these values; false means
 * "ask jansson", never "invalid".  scratch holds at least len + 1 bytes and
 * must outlive the strings in out.
 */
bool tsv_scan_payload(const char *text, size_t len, const char *audience, struct tsv_scan *out,
                      char *scratch, size_t scratchlen);
/* json_loadb as tsr_jws_parse does it (duplicates refused); NULL unless an object. */
json_t *tsv_parse_object(const char *text, size_t len);

struct tessera_claims {
    json_t *payload; /* the introspection answer; for a JWT made when first asked for */
    tsr_jws *jws;    /* a JWT's header and payload bytes; NULL for introspection */
    bool is_jwt;
    bool scanned;        /* scan holds the payload's sub and scope */
    struct tsv_scan scan;
    char scratch[]; /* the scan's strings */
};

/* errors.c: writes printf-style text into detail (NULL or 0 length: nothing). */
void tsv_detail(char *detail, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies s into out (outsz bytes) keeping printable ASCII, at most max characters, "..." when cut. */
void tsv_printable(const char *s, char *out, size_t outsz, size_t max);
/* "3 min", "45 s", "2 h", "4 days": a duration for detail text. */
void tsv_duration(long long seconds, char *out, size_t outsz);

/* http.c: a GET or form POST with caps; *body is NUL-terminated, caller frees. */
struct tsv_http_result {
    long status;
    char *body;
    size_t len;
    long max_age; /* -1 when Cache-Control had none */
};
/* Both check url with tsv_transport_check first (what names it) and refuse it when it fails. */
int tsv_http_get(const tessera_verifier *v, const char *what, const char *url,
                 struct tsv_http_result *res, char *detail, size_t detaillen);
int tsv_http_post_form(const tessera_verifier *v, const char *what, const char *url,
                       const char *const *fields, struct tsv_http_result *res, char *detail,
                       size_t detaillen);
void tsv_http_result_cleanup(struct tsv_http_result *res);

int64_t tsv_monotonic(void);

/* jwks_cache.c */
/* A referenced keyset (refreshing when stale), or NULL; release with tsv_keys_release. */
struct tsv_keyset *tsv_keys_acquire(tessera_verifier *v, unsigned long *generation);
void tsv_keys_release(tessera_verifier *v, struct tsv_keyset *ks);
/*
 * Fetches discovery (when needed) and the JWKS unless another thread did
 * since generation, or the last attempt is younger than the refetch
 * interval (then TESSERA_EKID with rate_limited set).  Returns TESSERA_OK,
 * TESSERA_EUNAVAILABLE or TESSERA_ECONFIG.
 */
int tsv_keys_refetch(tessera_verifier *v, unsigned long generation, bool *rate_limited,
                     char *detail, size_t detaillen);
void tsv_keyset_free(struct tsv_keyset *ks);
/* Copies why the last fetch failed ("" when it did not) into buf. */
void tsv_keys_last_error(tessera_verifier *v, char *buf, size_t len);

/* introspect.c */
int tsv_introspect(tessera_verifier *v, const char *token, size_t len, tessera_claims **out,
                   char *detail, size_t detaillen);
/* verify.c: aud/exp checks shared with introspection. */
int tsv_check_times(const tessera_verifier *v, const json_t *payload, bool exp_required,
                    char *detail, size_t detaillen);
int tsv_check_aud(const tessera_verifier *v, const json_t *payload, bool required, char *detail,
                  size_t detaillen);

#endif
