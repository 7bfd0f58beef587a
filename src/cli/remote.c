/*
 * remote.c - credentials, the Management API token and HTTP calls for the
 * CLI's remote commands (libcurl).
 */
#include "cli/remote.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "tessera/verify.h"
#include "verify/net.h"
#include "curldl/curldl.h"
#include "util/clock.h"
#include "util/secure.h"
#include "util/strbuf.h"

#define MAX_BODY (16u << 20)
#define TIMEOUT_MS 30000L

const struct tsr_cli_opt tsr_cli_remote_opts[] = {
    {"url", "URL", "the server's base URL (TESSERA_URL; default: the issuer in the data dir)", 0},
    {"client-id", "ID", "a client allowed to call the Management API (TESSERA_CLIENT_ID)", 0},
    {"client-secret-file", "FILE",
     "file holding its secret (or the secret in TESSERA_CLIENT_SECRET)", 0},
    {"data-dir", "DIR", "where bootstrap-client.json is, without --client-id (./data)", 0},
    {"tenant", "NAME", "use bootstrap-client-NAME.json there: a tenant of tessera tenants create",
     0},
    {"ca-file", "FILE", "PEM certificates to trust for https (TESSERA_CA_FILE)", 0},
    {"allow-insecure-http", NULL, "allow plain http to a host that is not loopback", 0},
    {"json", NULL, "print the server's JSON instead of a table", 0},
    {NULL, NULL, NULL, 0},
};

struct tsr_remote {
    const struct tsr_cli_args *a;
    CURL *curl;
    bool loopback;   /* http to a loopback host: loopback sockets only */
    char *url;       /* base, ends in '/' */
    char *ca_file;   /* NULL: the system's */
    char *token;     /* the Management API access token (wiped on close) */
    time_t token_expires; /* when the token expires by its expires_in (0: unknown) */
    char *etag;           /* where the next call stores the answer's ETag, or NULL */
    size_t etag_size;
};

/* Set by a command that stops on a signal (logs tail): a transfer in progress gives up. */
static volatile sig_atomic_t *abort_flag;

void tsr_remote_abort_on(volatile sig_atomic_t *flag)
{
    abort_flag = flag;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return abort_flag != NULL && *abort_flag;
}

/* Keeps the ETag header of an answer in r->etag (a longer one than fits is dropped). */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    tsr_remote *r = arg;
    size_t len = size * n;
    static const char name[] = "etag:";
    if (len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        const char *v = data + sizeof name - 1, *end = data + len;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
            end--;
        if ((size_t)(end - v) < r->etag_size) {
            memcpy(r->etag, v, (size_t)(end - v));
            r->etag[end - v] = '\0';
        }
    }
    return len;
}

/*
 * One request.  Returns 0 with *status and the body in *s, or
 * TSR_CLI_UNREACHABLE after printing why the server could not be reached.
 */
static int perform(tsr_remote *r, const char *method, const char *url, struct curl_slist *headers,
                   const char *body, long *status, struct tsv_http_sink *s)
{
    CURL *c = r->curl;
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (r->ca_file != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
    if (r->loopback) {
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, tsv_http_open_loopback);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, s);
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tessera-cli/" TSR_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tsv_http_sink_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    if (r->etag != NULL) {
        r->etag[0] = '\0';
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    }
    CURLcode cc = curl_easy_perform(c);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        return TSR_CLI_UNREACHABLE; /* a stop was asked for: nothing to report */
    if (cc != CURLE_OK) {
        const char *why = s->not_loopback ? "the host is not a loopback address"
                          : s->too_big    ? "the answer is too large"
                          : cerr[0] != '\0' ? cerr
                                            : curl_easy_strerror(cc);
        return tsr_cli_fail_with(r->a, TSR_CLI_UNREACHABLE, "cannot reach %s: %s", r->url, why);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return 0;
}

void tsr_remote_error_line(long status, const json_t *body, char *out, size_t outlen)
{
    const char *msg = json_string_value(json_object_get(body, "message"));
    const char *code = json_string_value(json_object_get(body, "errorCode"));
    if (msg == NULL) /* the Authentication API's shape */
        msg = json_string_value(json_object_get(body, "error_description"));
    if (code == NULL)
        code = json_string_value(json_object_get(body, "error"));
    if (msg == NULL)
        msg = "the server gave no message";
    snprintf(out, outlen, "%s (%ld%s%s)", msg, status, code != NULL ? " " : "",
             code != NULL ? code : "");
}

static json_t *parse_body(const struct tsv_http_sink *s)
{
    if (s->buf == NULL || s->len == 0)
        return NULL;
    return json_loadb(s->buf, s->len, 0, NULL);
}

/* "Authorization: Basic base64(urlenc(id):urlenc(secret))" (RFC 6749 section 2.3.1); wiped. */
static char *basic_header(const char *id, const char *secret)
{
    struct tsr_strbuf b = {0};
    tsr_strbuf_append_urlenc(&b, id);
    tsr_strbuf_append(&b, ":");
    tsr_strbuf_append_urlenc(&b, secret);
    size_t len = 0;
    char *pair = tsr_strbuf_take(&b, NULL);
    if (pair == NULL)
        return NULL;
    len = strlen(pair);
    size_t cap = sizeof "Authorization: Basic " + 4 * ((len + 2) / 3);
    char *h = malloc(cap);
    if (h != NULL) {
        memcpy(h, "Authorization: Basic ", sizeof "Authorization: Basic " - 1);
        EVP_EncodeBlock((unsigned char *)h + sizeof "Authorization: Basic " - 1,
                        (const unsigned char *)pair, (int)len);
    }
    tsr_wipe_free_str(pair);
    return h;
}

int tsr_remote_post_form(tsr_remote *r, const char *path, const char *const *fields,
                         long *status, json_t **reply)
{
    return tsr_remote_post_form_basic(r, path, fields, NULL, NULL, status, reply);
}

int tsr_remote_post_form_basic(tsr_remote *r, const char *path, const char *const *fields,
                               const char *basic_id, const char *basic_secret, long *status,
                               json_t **reply)
{
    struct tsr_strbuf form = {0}, url = {0};
    struct tsv_http_sink s = {.max = MAX_BODY};
    struct curl_slist *h = NULL;
    char *authz = NULL;
    int rc = TSR_CLI_FAILED;
    *reply = NULL;
    if (basic_id != NULL && (authz = basic_header(basic_id, basic_secret)) == NULL)
        return tsr_cli_fail(r->a, "out of memory");
    for (size_t i = 0; fields[i] != NULL && fields[i + 1] != NULL; i += 2) {
        if (i > 0)
            tsr_strbuf_append(&form, "&");
        tsr_strbuf_append_urlenc(&form, fields[i]);
        tsr_strbuf_append(&form, "=");
        tsr_strbuf_append_urlenc(&form, fields[i + 1]);
    }
    tsr_strbuf_append(&url, r->url);
    tsr_strbuf_append(&url, path);
    char *body = tsr_strbuf_take(&form, NULL);
    char *full = tsr_strbuf_take(&url, NULL);
    h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
    h = h != NULL ? curl_slist_append(h, "Accept: application/json") : NULL;
    if (h != NULL && authz != NULL)
        h = curl_slist_append(h, authz);
    if (body == NULL || full == NULL || h == NULL) {
        rc = tsr_cli_fail(r->a, "out of memory");
        goto out;
    }
    if ((rc = perform(r, "POST", full, h, body, status, &s)) != 0)
        goto out;
    *reply = parse_body(&s);
out:
    if (body != NULL)
        tsr_wipe_free_str(body);
    if (authz != NULL)
        tsr_wipe_free_str(authz);
    free(full);
    if (s.buf != NULL)
        tsr_wipe(s.buf, s.len);
    free(s.buf);
    curl_slist_free_all(h);
    return rc;
}

/* What a call does besides the request: its If-Match, and what it tells about a refusal. */
struct call_opts {
    bool quiet;           /* no line for a refusal */
    const char *if_match; /* NULL: none */
    bool *stale;          /* set when the server answered 412; that refusal prints no line */
};

static int call(tsr_remote *r, const char *method, const char *path, const json_t *body,
                json_t **reply, const struct call_opts *o);

int tsr_remote_call(tsr_remote *r, const char *method, const char *path, const json_t *body,
                    json_t **reply)
{
    const struct call_opts o = {.quiet = false};
    return call(r, method, path, body, reply, &o);
}

int tsr_remote_call_quiet(tsr_remote *r, const char *method, const char *path,
                          const json_t *body, json_t **reply)
{
    const struct call_opts o = {.quiet = true};
    return call(r, method, path, body, reply, &o);
}

int tsr_remote_call_cond(tsr_remote *r, const char *method, const char *path, const json_t *body,
                         const char *if_match, json_t **reply, char *etag, size_t etag_size,
                         bool *stale)
{
    const struct call_opts o = {.if_match = if_match, .stale = stale};
    *stale = false;
    if (etag_size > 0)
        etag[0] = '\0';
    r->etag = etag_size > 0 ? etag : NULL;
    r->etag_size = etag_size;
    int rc = call(r, method, path, body, reply, &o);
    r->etag = NULL;
    r->etag_size = 0;
    return rc;
}

static int call(tsr_remote *r, const char *method, const char *path, const json_t *body,
                json_t **reply, const struct call_opts *o)
{
    struct tsr_strbuf url = {0}, auth = {0}, cond = {0};
    struct tsv_http_sink s = {.max = MAX_BODY};
    struct curl_slist *h = NULL;
    char *text = NULL, *full = NULL, *authz = NULL, *if_match = NULL;
    long status = 0;
    int rc = TSR_CLI_FAILED;
    if (reply != NULL)
        *reply = NULL;
    tsr_strbuf_append(&url, r->url);
    tsr_strbuf_append(&url, "api/v2/");
    tsr_strbuf_append(&url, path);
    tsr_strbuf_append(&auth, "Authorization: Bearer ");
    tsr_strbuf_append(&auth, r->token);
    full = tsr_strbuf_take(&url, NULL);
    authz = tsr_strbuf_take(&auth, NULL);
    if (body != NULL)
        text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    h = curl_slist_append(h, "Accept: application/json");
    if (h != NULL && body != NULL)
        h = curl_slist_append(h, "Content-Type: application/json");
    if (h != NULL && authz != NULL)
        h = curl_slist_append(h, authz);
    if (o->if_match != NULL) {
        tsr_strbuf_append(&cond, "If-Match: ");
        tsr_strbuf_append(&cond, o->if_match);
        if_match = tsr_strbuf_take(&cond, NULL);
        if (h != NULL && if_match != NULL)
            h = curl_slist_append(h, if_match);
    }
    if (full == NULL || authz == NULL || h == NULL || (body != NULL && text == NULL) ||
        (o->if_match != NULL && if_match == NULL)) {
        rc = tsr_cli_fail(r->a, "out of memory");
        goto out;
    }
    if ((rc = perform(r, method, full, h, text, &status, &s)) != 0)
        goto out;
    json_t *j = parse_body(&s);
    if (status >= 200 && status < 300) {
        if (s.len > 0 && j == NULL) {
            rc = tsr_cli_fail(r->a, "the server's answer is not JSON (%ld)", status);
        } else {
            rc = 0;
            if (reply != NULL) {
                *reply = j;
                j = NULL;
            }
        }
    } else {
        char line[512];
        tsr_remote_error_line(status, j, line, sizeof line);
        rc = status == 401 ? TSR_CLI_UNREACHABLE : TSR_CLI_FAILED;
        if (status == 412 && o->stale != NULL)
            *o->stale = true;
        else if (!o->quiet)
            tsr_cli_fail_with(r->a, rc, "%s", line);
    }
    json_decref(j);
out:
    free(full);
    free(if_match);
    if (authz != NULL)
        tsr_wipe_free_str(authz);
    if (text != NULL) /* a body may carry a password */
        tsr_wipe_free_str(text);
    free(s.buf);
    curl_slist_free_all(h);
    return rc;
}

int tsr_remote_list(tsr_remote *r, const char *path, uint64_t number, json_t **items)
{
    json_t *all = json_array();
    int rc = 0;
    *items = NULL;
    if (all == NULL)
        return tsr_cli_fail(r->a, "out of memory");
    if (number > TSR_REMOTE_LIST_MAX)
        number = TSR_REMOTE_LIST_MAX;
    for (uint64_t page = 0; rc == 0 && json_array_size(all) < number; page++) {
        uint64_t want = number - json_array_size(all);
        uint64_t per_page = want < 100 ? want : 100;
        char q[96];
        json_t *reply = NULL;
        /* A page beyond the first is asked at the full size, so its offset is page * 100. */
        if (page > 0)
            per_page = 100;
        snprintf(q, sizeof q, "%spage=%llu&per_page=%llu", strchr(path, '?') ? "&" : "?",
                 (unsigned long long)page, (unsigned long long)per_page);
        struct tsr_strbuf b = {0};
        tsr_strbuf_append(&b, path);
        tsr_strbuf_append(&b, q);
        char *full = tsr_strbuf_take(&b, NULL);
        if (full == NULL) {
            rc = tsr_cli_fail(r->a, "out of memory");
            break;
        }
        rc = tsr_remote_call(r, "GET", full, NULL, &reply);
        free(full);
        if (rc != 0)
            break;
        if (!json_is_array(reply)) {
            json_decref(reply);
            rc = tsr_cli_fail(r->a, "the server's answer is not a list");
            break;
        }
        size_t i, got = json_array_size(reply);
        json_t *item;
        json_array_foreach(reply, i, item) {
            if (json_array_size(all) < number)
                json_array_append(all, item);
        }
        json_decref(reply);
        if (got < per_page)
            break;
    }
    if (rc != 0) {
        json_decref(all);
        return rc;
    }
    *items = all;
    return 0;
}

char *tsr_remote_path(const char *prefix, const char *id, const char *suffix)
{
    struct tsr_strbuf b = {0};
    tsr_strbuf_append(&b, prefix);
    /* "." and ".." stay one segment (an id, unknown to the server), never a step up the path. */
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        for (const char *p = id; *p != '\0'; p++)
            tsr_strbuf_append(&b, "%2E");
    else
        tsr_strbuf_append_urlenc(&b, id);
    tsr_strbuf_append(&b, suffix);
    return tsr_strbuf_take(&b, NULL);
}

time_t tsr_remote_token_expires(const tsr_remote *r)
{
    return r->token_expires;
}

const char *tsr_remote_url(const tsr_remote *r)
{
    return r->url;
}

static const char *opt_or_env(const struct tsr_cli_args *a, const char *opt, const char *env)
{
    const char *v = tsr_cli_opt(a, opt);
    if (v == NULL) {
        v = getenv(env);
        if (v != NULL && v[0] == '\0')
            v = NULL;
    }
    return v;
}

/* Copies the base URL, adding the final '/'. */
static char *base_url(const char *url)
{
    size_t len = strlen(url);
    char *u = malloc(len + 2);
    if (u != NULL) {
        memcpy(u, url, len + 1);
        if (len == 0 || u[len - 1] != '/')
            memcpy(u + len, "/", 2);
    }
    return u;
}

struct creds {
    char *url;
    char *client_id;
    char *secret;   /* wiped */
    char *audience; /* NULL: {url}api/v2/ */
};

static void creds_cleanup(struct creds *c)
{
    free(c->url);
    free(c->client_id);
    if (c->secret != NULL)
        tsr_wipe_free_str(c->secret);
    free(c->audience);
}

static char *dup_member(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v != NULL ? strdup(v) : NULL;
}

/* Fills c from the flags and environment, else from {data-dir}/bootstrap-client.json. */
static int resolve_creds(const struct tsr_cli_args *a, struct creds *c)
{
    int rc = 0;
    const char *url = opt_or_env(a, "url", "TESSERA_URL");
    const char *id = opt_or_env(a, "client-id", "TESSERA_CLIENT_ID");
    if (id != NULL) {
        const char *file = tsr_cli_opt(a, "client-secret-file");
        const char *env = getenv("TESSERA_CLIENT_SECRET");
        if (file != NULL) {
            if ((c->secret = tsr_cli_read_secret(a, "client-secret-file", file, &rc)) == NULL)
                return rc;
        } else if (env != NULL && env[0] != '\0') {
            c->secret = strdup(env);
        } else {
            return tsr_cli_usage(a, "--client-id needs the client's secret: set "
                                    "TESSERA_CLIENT_SECRET or pass --client-secret-file");
        }
        if (url == NULL)
            return tsr_cli_usage(a, "--client-id needs the server: pass --url or set TESSERA_URL");
        c->client_id = strdup(id);
        c->url = base_url(url);
        if (c->secret == NULL || c->client_id == NULL || c->url == NULL)
            return tsr_cli_fail(a, "out of memory");
        return 0;
    }
    const char *dir = opt_or_env(a, "data-dir", "TESSERA_DATA_DIR");
    char path[4096];
    json_error_t jerr;
    const char *tenant = tsr_cli_opt(a, "tenant");
    if (tenant != NULL && (tenant[0] == '\0' || strlen(tenant) > 63 ||
                           strspn(tenant, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(tenant)))
        return tsr_cli_usage(a, "--tenant takes a tenant's name (tessera tenants list)");
    if (tenant != NULL && strcmp(tenant, "default") != 0)
        snprintf(path, sizeof path, "%s/bootstrap-client-%s.json", dir != NULL ? dir : "./data",
                 tenant);
    else
        snprintf(path, sizeof path, "%s/bootstrap-client.json", dir != NULL ? dir : "./data");
    json_t *j = json_load_file(path, 0, &jerr);
    if (j == NULL)
        return tsr_cli_fail_with(a, TSR_CLI_UNREACHABLE,
                                 "no credentials: cannot read %s (%s); pass --data-dir, or "
                                 "--url and --client-id with TESSERA_CLIENT_SECRET",
                                 path, jerr.text);
    c->client_id = dup_member(j, "client_id");
    c->secret = dup_member(j, "client_secret");
    c->audience = dup_member(j, "audience");
    const char *issuer = json_string_value(json_object_get(j, "issuer"));
    c->url = base_url(url != NULL ? url : issuer != NULL ? issuer : "");
    const char *s = json_string_value(json_object_get(j, "client_secret"));
    if (s != NULL) /* jansson keeps its own copy; wipe it before freeing */
        tsr_wipe((void *)s, strlen(s));
    json_decref(j);
    if (c->client_id == NULL || c->secret == NULL || c->url == NULL || c->url[1] == '\0')
        return tsr_cli_fail_with(a, TSR_CLI_UNREACHABLE,
                                 "%s lacks client_id, client_secret or issuer", path);
    return 0;
}

static int get_token(tsr_remote *r, const struct creds *c)
{
    char audience[4096];
    long status = 0;
    json_t *reply = NULL;
    snprintf(audience, sizeof audience, "%s", c->audience);
    const char *fields[] = {"grant_type", "client_credentials", "client_id", c->client_id,
                            "client_secret", c->secret, "audience", audience, NULL};
    int rc = tsr_remote_post_form(r, "oauth/token", fields, &status, &reply);
    if (rc != 0)
        goto out;
    const char *tok = json_string_value(json_object_get(reply, "access_token"));
    if (status != 200 || tok == NULL) {
        char line[512];
        tsr_remote_error_line(status, reply, line, sizeof line);
        rc = tsr_cli_fail_with(r->a, TSR_CLI_UNREACHABLE,
                               "cannot get a Management API token from %s: %s", r->url, line);
        goto out;
    }
    if ((r->token = strdup(tok)) == NULL)
        rc = tsr_cli_fail(r->a, "out of memory");
    json_int_t life = json_integer_value(json_object_get(reply, "expires_in"));
    r->token_expires = life > 0 ? tsr_clock_now() + (time_t)life : 0;
    tsr_wipe((void *)tok, strlen(tok));
out:
    json_decref(reply);
    return rc;
}

int tsr_remote_open(const struct tsr_cli_args *a, tsr_remote **out)
{
    struct creds c = {0};
    char detail[512];
    enum tsv_transport tr;
    *out = NULL;
    int rc = resolve_creds(a, &c);
    if (rc != 0)
        goto fail;
    /* libcurl is loaded here, not at the binary's start (src/curldl); its absence is said as such. */
    const char *why = tsr_curldl_error();
    if (why != NULL) {
        rc = tsr_cli_fail(a, "cannot load libcurl, which the remote commands need (install libcurl4): %s", why);
        goto fail;
    }
    if (c.audience == NULL) {
        size_t n = strlen(c.url) + sizeof "api/v2/";
        if ((c.audience = malloc(n)) == NULL) {
            rc = tsr_cli_fail(a, "out of memory");
            goto fail;
        }
        snprintf(c.audience, n, "%sapi/v2/", c.url);
    }
    if (tsv_transport_check("the server URL", c.url, tsr_cli_has(a, "allow-insecure-http"), &tr,
                            detail, sizeof detail) != TESSERA_OK) {
        rc = tsr_cli_usage(a, "%s", detail);
        goto fail;
    }
    tsr_remote *r = calloc(1, sizeof *r);
    if (r == NULL) {
        rc = tsr_cli_fail(a, "out of memory");
        goto fail;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        free(r);
        rc = tsr_cli_fail(a, "cannot initialise libcurl");
        goto fail;
    }
    r->a = a;
    r->loopback = tr == TSV_TRANSPORT_LOOPBACK;
    r->url = c.url;
    c.url = NULL;
    const char *ca = opt_or_env(a, "ca-file", "TESSERA_CA_FILE");
    if ((ca != NULL && (r->ca_file = strdup(ca)) == NULL) || (r->curl = curl_easy_init()) == NULL) {
        tsr_remote_close(r);
        rc = tsr_cli_fail(a, "out of memory");
        goto fail;
    }
    if ((rc = get_token(r, &c)) != 0) {
        tsr_remote_close(r);
        goto fail;
    }
    creds_cleanup(&c);
    *out = r;
    return 0;
fail:
    creds_cleanup(&c);
    return rc;
}

void tsr_remote_close(tsr_remote *r)
{
    if (r == NULL)
        return;
    if (r->curl != NULL)
        curl_easy_cleanup(r->curl);
    if (r->token != NULL)
        tsr_wipe_free_str(r->token);
    free(r->url);
    free(r->ca_file);
    free(r);
    curl_global_cleanup();
}
