/*
 * request.h - one HTTP request as handlers see it, and its response.
 *
 * The server fills a tsr_req, the router picks the handler, the handler
 * reads the request through these accessors and sets the response with the
 * tsr_resp_* functions (response.h).  Everything a request owns is freed
 * when it completes.
 */
#ifndef TSR_HTTP_REQUEST_H
#define TSR_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/app.h"
#include "core/who.h"
#include "http/params.h"
#include "store/store.h"
#include "util/strlist.h"

#define TSR_BODY_MAX (1024 * 1024)
#define TSR_ROUTE_MAX_PARAMS 4
#define TSR_RESP_MAX_HEADERS 16
#define TSR_XFF_MAX 2048 /* of X-Forwarded-For, the right end is read */

struct sockaddr;

/* The values of a request the connection holds. */
enum tsr_req_kind {
    TSR_REQ_HEADER,
    TSR_REQ_QUERY, /* query arguments, decoded */
    TSR_REQ_COOKIE,
};

/* A walk's callback: false stops the walk. */
typedef bool (*tsr_req_value_fn)(void *cls, const char *key, const char *value);

/*
 * Where a request's values come from: the server's connection
 * (server/server.c, libmicrohttpd).  The request model itself never names
 * the HTTP library.
 */
struct tsr_req_source {
    /* The first value of name (case-insensitive for headers), or NULL.  Borrowed. */
    const char *(*lookup)(void *conn, enum tsr_req_kind kind, const char *name);
    /* Calls fn for every value of kind, in the order received, until it returns false. */
    void (*each)(void *conn, enum tsr_req_kind kind, tsr_req_value_fn fn, void *cls);
    /* The socket peer's address, or NULL when unknown. */
    const struct sockaddr *(*peer)(void *conn);
    /* True when the connection is TLS. */
    bool (*tls)(void *conn);
};

struct tsr_header {
    char *name;
    char *value;
};

struct tsr_req {
    void *conn;                          /* the server's connection, for source */
    const struct tsr_req_source *source; /* NULL: a request without a connection */
    struct tsr_app *app;
    struct tsr_tenant_set *tenants; /* the snapshot this request holds a reference to */
    struct tsr_tenant_ctx *tenant;  /* NULL until routed; inside tenants */
    tsr_store *store;              /* the worker thread's handle */
    const char *method;            /* "GET", ... */
    const char *url;               /* the path as received (decoded by libmicrohttpd) */
    const char *path;              /* the path inside the tenant */
    const char *route;             /* the route pattern, for logs */
    const char *route_params[TSR_ROUTE_MAX_PARAMS];
    char *route_param_buf;         /* storage for route_params */
    char request_id[24];
    char fwd_host[256]; /* tsr_req_effective_host's copy of X-Forwarded-Host */
    char client_ip[64]; /* tsr_req_client_ip's answer, once computed ("" before) */
    struct timespec started;
    struct tsr_who who; /* tsr_req_who's answer */

    char *body; /* NUL-terminated */
    size_t body_len;
    size_t body_cap;
    size_t body_seen; /* bytes received, kept and dropped */
    bool body_too_big;

    /*
     * Management API: the bearer token's scopes still in force
     * (tsr_mgmt_authorize), and whether the route's user ({id}) is the
     * person the token is for.
     */
    struct tsr_strlist mgmt_scopes;
    bool mgmt_self;

    /* What the token endpoint identified, for the log line (never secrets). */
    char log_client_id[64];

    bool frame_ok;   /* the response may be framed (web_message); CSP says by whom */
    unsigned status; /* 0 until a response is set */
    char *resp_body;
    size_t resp_len;
    const char *resp_type;
    struct tsr_header resp_headers[TSR_RESP_MAX_HEADERS];
    size_t resp_nheaders;
    /* Where response header names and values are copied while they fit; longer ones take the heap. */
    char resp_header_buf[512];
    size_t resp_header_used;
};

/* A value of the request (tsr_req_source's lookup), or NULL.  Borrowed. */
const char *tsr_req_value(struct tsr_req *req, enum tsr_req_kind kind, const char *name);

/* A request header (case-insensitive name), or NULL.  Borrowed. */
const char *tsr_req_header(struct tsr_req *req, const char *name);

/* A query-string argument, or NULL.  Borrowed. */
const char *tsr_req_query(struct tsr_req *req, const char *name);

/*
 * Every value of a query-string argument that may repeat (?a=x&a=y), in
 * order, appended to out (empty when absent).  Returns 0, TSR_ETOOBIG
 * beyond max values or TSR_ENOMEM.
 */
int tsr_req_query_all(struct tsr_req *req, const char *name, size_t max, struct tsr_strlist *out);

/*
 * Copies every query-string argument into p (zeroed by the caller).  A
 * repeated name or too many arguments is TSR_EFORMAT / TSR_ETOOBIG with a
 * message in err.
 */
int tsr_req_query_params(struct tsr_req *req, struct tsr_params *p, char *err, size_t errlen);

/*
 * The parameters of a request that OpenID lets come either way (the
 * authorization and logout requests): the query of a GET, the
 * application/x-www-form-urlencoded body of a POST, into p (zeroed by the
 * caller).  Returns 0, or TSR_EFORMAT / TSR_ETOOBIG for a repeated, too
 * long or badly encoded parameter or another body type.
 */
int tsr_req_query_or_form(struct tsr_req *req, struct tsr_params *p);

/* The i-th ':name' segment of the matched route, or NULL. */
const char *tsr_req_param(struct tsr_req *req, size_t i);

/*
 * True when the Content-Type's media type (before any ';') equals
 * type, case-insensitively.
 */
bool tsr_req_is_content_type(struct tsr_req *req, const char *type);

/*
 * Parses the body as a JSON object (application/json required; duplicate
 * members rejected).  On error returns TSR_EFORMAT and writes a message
 * for the client into err.
 */
int tsr_req_json_body(struct tsr_req *req, json_t **out, char *err, size_t errlen);

/*
 * The host the client asked for, for finding the tenant: the first
 * X-Forwarded-Host value when --trust-proxy is on, the connection comes
 * from a trusted proxy (--trusted-proxies) and the header is there,
 * else the Host header (NULL when neither).  Without --trust-proxy the
 * forwarded headers are ignored (RFC 9700 section 4.13).  Borrowed, or
 * kept in req.
 */
const char *tsr_req_effective_host(struct tsr_req *req);

/*
 * "https" or "http": the first X-Forwarded-Proto value when --trust-proxy
 * is on, the connection comes from a trusted proxy and it names one of
 * these, else the scheme of the connection.
 */
const char *tsr_req_effective_proto(struct tsr_req *req);

/*
 * The client's IP address as text into out (64 bytes); "" when unknown.
 * Without --trust-proxy, or when the connection does not come from a
 * trusted proxy, it is the connection's peer and X-Forwarded-For is
 * ignored.  Otherwise it is the nearest X-Forwarded-For hop outside the
 * trusted networks, walking from the right (hops the client wrote itself
 * lie left of it and never count).  IPv4-mapped IPv6 shows as IPv4.
 */
void tsr_req_client_ip(struct tsr_req *req, char out[64]);

/*
 * The request as core sees it (tenant, store, client address, User-Agent,
 * request id), valid as long as the request; pass it to core functions.
 */
const struct tsr_who *tsr_req_who(struct tsr_req *req);

#endif
