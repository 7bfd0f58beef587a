#include "http/request.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "util/err.h"

const char *tsr_req_value(struct tsr_req *req, enum tsr_req_kind kind, const char *name)
{
    return req->source != NULL ? req->source->lookup(req->conn, kind, name) : NULL;
}

static void each_value(struct tsr_req *req, enum tsr_req_kind kind, tsr_req_value_fn fn, void *cls)
{
    if (req->source != NULL)
        req->source->each(req->conn, kind, fn, cls);
}

const char *tsr_req_header(struct tsr_req *req, const char *name)
{
    return tsr_req_value(req, TSR_REQ_HEADER, name);
}

const char *tsr_req_query(struct tsr_req *req, const char *name)
{
    return tsr_req_value(req, TSR_REQ_QUERY, name);
}

struct query_all {
    const char *name;
    size_t max;
    struct tsr_strlist *out;
    int rc;
};

static bool collect_named(void *cls, const char *key, const char *value)
{
    struct query_all *w = cls;
    if (strcmp(key, w->name) != 0)
        return true;
    if (w->out->n == w->max) {
        w->rc = TSR_ETOOBIG;
        return false;
    }
    w->rc = tsr_strlist_push(w->out, value ? value : "");
    return w->rc == 0;
}

int tsr_req_query_all(struct tsr_req *req, const char *name, size_t max, struct tsr_strlist *out)
{
    struct query_all w = {name, max, out, 0};
    each_value(req, TSR_REQ_QUERY, collect_named, &w);
    return w.rc;
}

struct query_walk {
    struct tsr_params *p;
    int rc;
    size_t need; /* bytes of every name and value with their NULs */
    size_t at;   /* where the next copy goes in p->block */
};

/* First pass: the room every name and value takes in one block. */
static bool measure_arg(void *cls, const char *key, const char *value)
{
    struct query_walk *w = cls;
    w->need += strlen(key) + 1 + (value != NULL ? strlen(value) : 0) + 1;
    return true;
}

/* A copy of s in the block while it has room (it has, after measure_arg), else on the heap. */
static char *copy_arg(struct query_walk *w, const char *s)
{
    size_t len = strlen(s) + 1;
    struct tsr_params *p = w->p;
    if (p->block != NULL && len <= p->block_len - w->at) {
        char *c = p->block + w->at;
        memcpy(c, s, len);
        w->at += len;
        return c;
    }
    return strdup(s);
}

static bool in_block(const struct tsr_params *p, const char *s)
{
    return p->block != NULL && s >= p->block && s < p->block + p->block_len;
}

static bool collect_arg(void *cls, const char *key, const char *value)
{
    struct query_walk *w = cls;
    if (w->rc != 0)
        return false;
    if (tsr_params_get(w->p, key) != NULL) {
        w->rc = TSR_EFORMAT;
        return false;
    }
    if (w->p->n == TSR_PARAMS_MAX || strlen(key) > TSR_PARAMS_MAX_NAME ||
        (value != NULL && strlen(value) > TSR_PARAMS_MAX_VALUE)) {
        w->rc = TSR_ETOOBIG;
        return false;
    }
    char *k = copy_arg(w, key), *v = k != NULL ? copy_arg(w, value ? value : "") : NULL;
    if (k == NULL || v == NULL) {
        if (k != NULL && !in_block(w->p, k))
            free(k);
        w->rc = TSR_ENOMEM;
        return false;
    }
    w->p->items[w->p->n].name = k;
    w->p->items[w->p->n].value = v;
    w->p->n++;
    return true;
}

int tsr_req_query_params(struct tsr_req *req, struct tsr_params *p, char *err, size_t errlen)
{
    struct query_walk w = {p, 0, 0, 0};
    /* One block for every name and value, when p has none yet; else copies one by one. */
    if (p->block == NULL) {
        each_value(req, TSR_REQ_QUERY, measure_arg, &w);
        if (w.need > 0 && (p->block = malloc(w.need)) != NULL)
            p->block_len = w.need;
    }
    each_value(req, TSR_REQ_QUERY, collect_arg, &w);
    if (w.rc == TSR_EFORMAT)
        snprintf(err, errlen, "a query parameter is repeated");
    else if (w.rc != 0)
        snprintf(err, errlen, "too many or too long query parameters");
    if (w.rc != 0)
        tsr_params_cleanup(p);
    return w.rc;
}

int tsr_req_query_or_form(struct tsr_req *req, struct tsr_params *p)
{
    char err[256];
    if (strcmp(req->method, "POST") != 0)
        return tsr_req_query_params(req, p, err, sizeof err);
    if (!tsr_req_is_content_type(req, "application/x-www-form-urlencoded"))
        return TSR_EFORMAT;
    return tsr_params_parse_form(p, req->body ? req->body : "", req->body_len, err, sizeof err);
}

const char *tsr_req_param(struct tsr_req *req, size_t i)
{
    return i < TSR_ROUTE_MAX_PARAMS ? req->route_params[i] : NULL;
}

bool tsr_req_is_content_type(struct tsr_req *req, const char *type)
{
    const char *ct = tsr_req_header(req, "Content-Type");
    if (ct == NULL)
        return false;
    while (*ct == ' ')
        ct++;
    size_t len = strcspn(ct, "; ");
    return len == strlen(type) && strncasecmp(ct, type, len) == 0;
}

int tsr_req_json_body(struct tsr_req *req, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!tsr_req_is_content_type(req, "application/json")) {
        snprintf(err, errlen, "Content-Type must be application/json");
        return TSR_EFORMAT;
    }
    json_error_t jerr;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES,
                              &jerr);
    if (body == NULL) {
        snprintf(err, errlen, "Payload is not valid JSON: %s (line %d, column %d)", jerr.text,
                 jerr.line, jerr.column);
        return TSR_EFORMAT;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        snprintf(err, errlen, "Payload validation error: the body must be a JSON object");
        return TSR_EFORMAT;
    }
    *out = body;
    return 0;
}

/* The socket peer's address, IPv4-mapped IPv6 shown as IPv4; false when unknown. */
static bool peer_address(struct tsr_req *req, struct tsr_cidr *out)
{
    const struct sockaddr *sa = req->source != NULL ? req->source->peer(req->conn) : NULL;
    if (sa == NULL)
        return false;
    char text[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
                  sizeof text);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
                  sizeof text);
    else
        return false;
    return tsr_cidr_parse_addr(text, out) == 0;
}

static void address_text(const struct tsr_cidr *a, char out[64])
{
    if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, out, 64) == NULL)
        out[0] = '\0';
}

/* True when --trust-proxy is on and the connection comes from a trusted proxy. */
static bool from_trusted_proxy(struct tsr_req *req)
{
    struct tsr_cidr peer;
    if (req->app == NULL || !req->app->settings.trust_proxy || !peer_address(req, &peer))
        return false;
    const struct tsr_limits *l = &req->app->settings.limits;
    return tsr_cidr_contains(l->proxies, l->nproxies, &peer);
}

/*
 * Every X-Forwarded-For header joined by commas in order.  Proxies append
 * on the right, so when the whole is longer than the buffer the right end
 * is kept and the cut item dropped: a client cannot push the hops its
 * proxies added out of reach by sending a long header.
 */
struct xff_walk {
    char list[TSR_XFF_MAX];
    size_t len;
    bool cut;
};

static void xff_append(struct xff_walk *w, const char *s, size_t n)
{
    if (n >= sizeof w->list) {
        s += n - (sizeof w->list - 1);
        n = sizeof w->list - 1;
        w->len = 0;
        w->cut = true;
    } else if (w->len + n >= sizeof w->list) {
        size_t drop = w->len + n - (sizeof w->list - 1);
        memmove(w->list, w->list + drop, w->len - drop);
        w->len -= drop;
        w->cut = true;
    }
    memcpy(w->list + w->len, s, n);
    w->len += n;
    w->list[w->len] = '\0';
}

static bool collect_xff(void *cls, const char *key, const char *value)
{
    struct xff_walk *w = cls;
    if (strcasecmp(key, "X-Forwarded-For") != 0 || value == NULL)
        return true;
    if (w->len > 0)
        xff_append(w, ",", 1);
    xff_append(w, value, strlen(value));
    return true;
}

/* The client behind the trusted peer, by X-Forwarded-For (config/limits.h). */
static void forwarded_client(struct tsr_req *req, const struct tsr_cidr *peer, char out[64])
{
    struct xff_walk w = {.len = 0};
    const struct tsr_limits *l = &req->app->settings.limits;
    struct tsr_cidr client;
    each_value(req, TSR_REQ_HEADER, collect_xff, &w);
    const char *list = w.list;
    size_t len = w.len;
    if (w.cut) { /* the leftmost item may be a piece of one: the walk must not reach it */
        size_t skip = strcspn(list, ",");
        skip = skip < len ? skip + 1 : len;
        list += skip;
        len -= skip;
    }
    tsr_cidr_forwarded_client(list, len, peer, l->proxies, l->nproxies, &client);
    address_text(&client, out);
}

void tsr_req_client_ip(struct tsr_req *req, char out[64])
{
    if (req->client_ip[0] != '\0') {
        memcpy(out, req->client_ip, sizeof req->client_ip);
        return;
    }
    out[0] = '\0';
    struct tsr_cidr peer;
    if (!peer_address(req, &peer))
        return;
    if (from_trusted_proxy(req))
        forwarded_client(req, &peer, out);
    else
        address_text(&peer, out);
    memcpy(req->client_ip, out, sizeof req->client_ip);
}

/* The first comma-separated item of a forwarded header, trimmed, into out; false if empty. */
static bool first_item(const char *v, char *out, size_t cap)
{
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strcspn(v, ",");
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, v, n);
    out[n] = '\0';
    return true;
}

const char *tsr_req_effective_host(struct tsr_req *req)
{
    if (from_trusted_proxy(req)) {
        const char *fwd = tsr_req_header(req, "X-Forwarded-Host");
        if (fwd != NULL && first_item(fwd, req->fwd_host, sizeof req->fwd_host))
            return req->fwd_host;
    }
    return tsr_req_header(req, "Host");
}

const char *tsr_req_effective_proto(struct tsr_req *req)
{
    if (from_trusted_proxy(req)) {
        const char *fwd = tsr_req_header(req, "X-Forwarded-Proto");
        char proto[8];
        if (fwd != NULL && first_item(fwd, proto, sizeof proto)) {
            if (strcasecmp(proto, "https") == 0)
                return "https";
            if (strcasecmp(proto, "http") == 0)
                return "http";
        }
    }
    return req->source != NULL && req->source->tls(req->conn) ? "https" : "http";
}

const struct tsr_who *tsr_req_who(struct tsr_req *req)
{
    char ip[64];
    tsr_req_client_ip(req, ip);
    const char *ua = tsr_req_header(req, "User-Agent");
    req->who = (struct tsr_who){
        .app = req->app,
        .tenant = req->tenant,
        .store = req->store,
        .request_id = req->request_id,
        .ip = req->client_ip,
        .user_agent = ua != NULL ? ua : "",
    };
    return &req->who;
}
