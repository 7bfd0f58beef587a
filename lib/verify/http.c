/*
 * http.c - the library's only network code: bounded GET and form POST over
 * libcurl.  Every URL passes the transport rule (transport.c) first; TLS
 * peer and host verification always on, TLS 1.2 at least; no redirects; a
 * timeout; at most TSV_HTTP_MAX_BODY bytes read; Cache-Control max-age
 * picked out.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"
#include "util/secure.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int64_t tsv_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

curl_socket_t tsv_http_open_loopback(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct tsv_http_sink *s = arg;
    if (purpose != CURLSOCKTYPE_IPCXN || !tsv_sockaddr_is_loopback(&addr->addr)) {
        s->not_loopback = true;
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

size_t tsv_http_sink_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct tsv_http_sink *s = arg;
    size_t n = size * nmemb;
    if (n > s->max - s->len) {
        s->too_big = true;
        return 0;
    }
    char *nb = realloc(s->buf, s->len + n + 1);
    if (nb == NULL)
        return 0;
    memcpy(nb + s->len, data, n);
    s->len += n;
    nb[s->len] = '\0';
    s->buf = nb;
    return n;
}

/* Picks max-age out of a Cache-Control header line; no-store/no-cache count as 0. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct tsv_http_sink *s = arg;
    size_t n = size * nmemb;
    static const char name[] = "cache-control:";
    if (n <= sizeof name - 1 || strncasecmp(data, name, sizeof name - 1) != 0)
        return n;
    char line[256];
    size_t l = n < sizeof line - 1 ? n : sizeof line - 1;
    for (size_t i = 0; i < l; i++)
        line[i] = (char)tolower((unsigned char)data[i]);
    line[l] = '\0';
    if (strstr(line, "no-store") != NULL || strstr(line, "no-cache") != NULL) {
        s->max_age = 0;
        return n;
    }
    const char *m = strstr(line, "max-age=");
    if (m != NULL) {
        char *end = NULL;
        long v = strtol(m + 8, &end, 10);
        if (end != m + 8 && v >= 0)
            s->max_age = v;
    }
    return n;
}

static int perform(CURL *c, const char *url, enum tsv_transport tr, long timeout_ms,
                   struct tsv_http_result *res, char *detail, size_t detaillen)
{
    struct tsv_http_sink s = {.max = TSV_HTTP_MAX_BODY, .max_age = -1};
    char shown[128];
    tsv_printable(url, shown, sizeof shown, 100);
    curl_easy_setopt(c, CURLOPT_URL, url);
    /* Only the scheme the transport rule allowed; a redirect is never followed. */
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, tr == TSV_TRANSPORT_TLS ? "https" : "http");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (tr == TSV_TRANSPORT_LOOPBACK) {
        /* A proxy would carry it off the machine (and reach its own loopback, not ours). */
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, tsv_http_open_loopback);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &s);
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)TSV_HTTP_MAX_BODY);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tsv_http_sink_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "libtessera-verify/" TSR_VERSION);
    CURLcode cc = curl_easy_perform(c);
    int rc = TESSERA_OK;
    if (s.not_loopback && cc != CURLE_OK) {
        tsv_detail(detail, detaillen,
                   "%s: refused to connect to an address that is not loopback (plain http is "
                   "only allowed to this machine)",
                   shown);
        rc = TESSERA_EUNAVAILABLE;
    } else if (s.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        tsv_detail(detail, detaillen, "%s answered more than %d bytes", shown, TSV_HTTP_MAX_BODY);
        rc = TESSERA_EUNAVAILABLE;
    } else if (cc != CURLE_OK) {
        tsv_detail(detail, detaillen, "%s: %s", shown, curl_easy_strerror(cc));
        rc = TESSERA_EUNAVAILABLE;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
        res->body = s.buf;
        res->len = s.len;
        res->max_age = s.max_age;
        s.buf = NULL;
        if (res->body == NULL && (res->body = calloc(1, 1)) == NULL)
            rc = TESSERA_ENOMEM;
    }
    free(s.buf);
    return rc;
}

/* Initialises libcurl once and checks url; *tr says how to fetch it. */
static int start(const tessera_verifier *v, const char *what, const char *url,
                 enum tsv_transport *tr, char *detail, size_t detaillen)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return TESSERA_EUNAVAILABLE;
    return tsv_transport_check(what, url, v->allow_insecure_http, tr, detail, detaillen);
}

int tsv_http_get(const tessera_verifier *v, const char *what, const char *url,
                 struct tsv_http_result *res, char *detail, size_t detaillen)
{
    memset(res, 0, sizeof *res);
    enum tsv_transport tr;
    int rc = start(v, what, url, &tr, detail, detaillen);
    if (rc != TESSERA_OK)
        return rc;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return TESSERA_ENOMEM;
    rc = perform(c, url, tr, v->timeout_ms, res, detail, detaillen);
    curl_easy_cleanup(c);
    return rc;
}

int tsv_http_post_form(const tessera_verifier *v, const char *what, const char *url,
                       const char *const *fields, struct tsv_http_result *res, char *detail,
                       size_t detaillen)
{
    memset(res, 0, sizeof *res);
    enum tsv_transport tr;
    int rc = start(v, what, url, &tr, detail, detaillen);
    if (rc != TESSERA_OK)
        return rc;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return TESSERA_ENOMEM;
    /* name=value&... with both sides percent-encoded; wiped after use (it holds secrets). */
    rc = TESSERA_ENOMEM;
    char *form = NULL;
    size_t flen = 0;
    for (size_t i = 0; fields[i] != NULL && fields[i + 1] != NULL; i += 2) {
        char *k = curl_easy_escape(c, fields[i], 0);
        char *val = curl_easy_escape(c, fields[i + 1], 0);
        size_t need = (k ? strlen(k) : 0) + (val ? strlen(val) : 0) + 3;
        char *nf = (k && val) ? realloc(form, flen + need) : NULL;
        if (nf != NULL) {
            form = nf;
            flen += (size_t)snprintf(form + flen, need, "%s%s=%s", flen ? "&" : "", k, val);
        }
        if (val != NULL)
            tsr_wipe(val, strlen(val));
        curl_free(k);
        curl_free(val);
        if (nf == NULL)
            goto out;
    }
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form != NULL ? form : "");
    rc = perform(c, url, tr, v->timeout_ms, res, detail, detaillen);
out:
    curl_easy_cleanup(c);
    if (form != NULL)
        tsr_wipe_free_str(form);
    return rc;
}

void tsv_http_result_cleanup(struct tsv_http_result *res)
{
    if (res == NULL)
        return;
    free(res->body);
    memset(res, 0, sizeof *res);
}
