/*
 * tessera-example-api: the quickstart API of an SPA, in C, on libmicrohttpd.
 *
 *   GET /api/public          no token needed
 *   GET /api/private         any valid access token for this API
 *   GET /api/private-scoped  a valid access token with the read:messages scope
 *
 * Access tokens are checked locally by libtessera-verify (signature with the
 * issuer's JWKS, iss, aud, exp): no call to Tessera per request.  Errors are
 * JSON {error, error_description} with an RFC 6750 WWW-Authenticate header.
 * CORS answers one allowed origin (the SPA's), preflight included.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* strndup, getaddrinfo, sigwait */
#endif
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/verify.h>

#define SCOPE "read:messages"

struct config {
    const char *listen; /* HOST:PORT */
    const char *issuer;
    const char *audience;
    const char *allowed_origin; /* NULL: no CORS headers */
    bool allow_insecure_http;   /* http:// issuer on a host that is not loopback */
};

struct app {
    struct config cfg;
    tessera_verifier *verifier;
};

/* Adds the CORS headers when the request comes from the allowed origin. */
static void add_cors(const struct app *app, struct MHD_Connection *conn, struct MHD_Response *r)
{
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    MHD_add_response_header(r, "Vary", "Origin");
    if (app->cfg.allowed_origin == NULL || origin == NULL ||
        strcmp(origin, app->cfg.allowed_origin) != 0)
        return;
    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "WWW-Authenticate");
}

/* Sends body (taken; may be NULL only on allocation failure) as JSON. */
static enum MHD_Result send_json(const struct app *app, struct MHD_Connection *conn,
                                 unsigned status, json_t *body, const char *www_authenticate)
{
    enum MHD_Result ret = MHD_NO;
    struct MHD_Response *r = NULL;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (text == NULL)
        goto out;
    r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(text);
        goto out;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (www_authenticate != NULL)
        MHD_add_response_header(r, "WWW-Authenticate", www_authenticate);
    add_cors(app, conn, r);
    ret = MHD_queue_response(conn, status, r);
out:
    if (r != NULL)
        MHD_destroy_response(r);
    json_decref(body);
    return ret;
}

static enum MHD_Result send_error(const struct app *app, struct MHD_Connection *conn,
                                  unsigned status, const char *error, const char *description)
{
    return send_json(app, conn, status,
                     json_pack("{s:s, s:s}", "error", error, "error_description", description),
                     NULL);
}

/* Answers a failed check: the library's status, WWW-Authenticate and error. */
static enum MHD_Result send_auth_error(const struct app *app, struct MHD_Connection *conn,
                                       int rc, const char *detail)
{
    char www[512];
    const char *error = tessera_error_oauth(rc);
    int status = tessera_error_http_status(rc);
    if (error[0] == '\0')
        error = status == 401 ? "unauthorized" : status == 503 ? "temporarily_unavailable"
                                                                : "server_error";
    const char *description = detail[0] != '\0' ? detail : tessera_strerror(rc);
    /* No token at all: a bare challenge (RFC 6750 section 3.1).  A failure of
     * the server's (5xx) is not the client's: no challenge. */
    bool challenge = status < 500;
    bool explain = tessera_error_oauth(rc)[0] != '\0';
    int n = tessera_www_authenticate(rc, "api", explain ? description : NULL, www, sizeof www);
    return send_json(app, conn, (unsigned)status,
                     json_pack("{s:s, s:s}", "error", error, "error_description", description),
                     challenge && n >= 0 ? www : NULL);
}

/*
 * Checks the bearer token of the request, and the scope when scope is not
 * NULL.  Returns TESSERA_OK with *claims set, or an error code with detail.
 */
static int authorize(const struct app *app, struct MHD_Connection *conn, const char *scope,
                     tessera_claims **claims, char *detail, size_t detaillen)
{
    const char *header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char *token = NULL;
    size_t len = 0;
    char *copy = NULL;
    *claims = NULL;
    detail[0] = '\0';
    int rc = tessera_bearer_token(header, &token, &len);
    if (rc != TESSERA_OK)
        goto out;
    copy = strndup(token, len);
    if (copy == NULL) {
        rc = TESSERA_ENOMEM;
        goto out;
    }
    rc = tessera_verify(app->verifier, copy, claims, detail, detaillen);
    if (rc != TESSERA_OK || scope == NULL)
        goto out;
    const char *const needed[] = {scope, NULL};
    rc = tessera_require_scopes(*claims, TESSERA_MATCH_ALL, needed, detail, detaillen);
out:
    if (rc != TESSERA_OK) {
        tessera_claims_free(*claims);
        *claims = NULL;
    }
    free(copy);
    return rc;
}

static enum MHD_Result preflight(const struct app *app, struct MHD_Connection *conn)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    add_cors(app, conn, r);
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "Authorization");
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)version;
    (void)upload_data;
    const struct app *app = cls;
    if (*req_cls == NULL) { /* headers only so far: wait for the end of the request */
        *req_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* these routes take no body: ignore it */
        *upload_data_size = 0;
        return MHD_YES;
    }

    const char *scope = NULL;
    if (strcmp(url, "/api/public") == 0) {
    } else if (strcmp(url, "/api/private") == 0) {
    } else if (strcmp(url, "/api/private-scoped") == 0) {
        scope = SCOPE;
    } else {
        return send_error(app, conn, MHD_HTTP_NOT_FOUND, "not_found", "No such route.");
    }
    if (strcmp(method, "OPTIONS") == 0)
        return preflight(app, conn);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_error(app, conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                          "Only GET is allowed here.");

    if (strcmp(url, "/api/public") == 0)
        return send_json(app, conn, MHD_HTTP_OK,
                         json_pack("{s:s}", "message",
                                   "Hello from a public endpoint! You don't need to be "
                                   "authenticated to see this."),
                         NULL);

    char detail[256];
    tessera_claims *claims = NULL;
    int rc = authorize(app, conn, scope, &claims, detail, sizeof detail);
    if (rc != TESSERA_OK) {
        fprintf(stderr, "%s %s: %d %s (%s)\n", method, url, tessera_error_http_status(rc),
                tessera_errname(rc), detail);
        return send_auth_error(app, conn, rc, detail);
    }
    const char *sub = tessera_claims_sub(claims);
    const char *granted = tessera_claims_scope(claims);
    json_t *body = json_pack("{s:s, s:s?, s:s?}", "message",
                             scope ? "Hello from a private endpoint! You need to be authenticated "
                                     "and have a scope of read:messages to see this."
                                   : "Hello from a private endpoint! You need to be "
                                     "authenticated to see this.",
                             "sub", sub, "scope", granted);
    tessera_claims_free(claims);
    return send_json(app, conn, MHD_HTTP_OK, body, NULL);
}

static void usage(FILE *f)
{
    fputs("usage: tessera-example-api [--listen HOST:PORT] --issuer URL --audience ID\n"
          "                           [--allowed-origin ORIGIN] [--allow-insecure-http]\n"
          "  --listen          API_LISTEN          default 127.0.0.1:3001\n"
          "  --issuer          API_ISSUER          Tessera's issuer, e.g. http://localhost:8080/\n"
          "  --audience        API_AUDIENCE        this API's identifier\n"
          "  --allowed-origin  API_ALLOWED_ORIGIN  the SPA's origin for CORS\n"
          "  --allow-insecure-http  API_ALLOW_INSECURE_HTTP=1  accept an http:// issuer\n"
          "                    that is not on this machine (loopback http needs no flag)\n",
          f);
}

/* Flags win over environment variables.  Returns 0, 1 (bad usage) or 2 (--help). */
static int parse_args(int argc, char **argv, struct config *cfg)
{
    cfg->listen = getenv("API_LISTEN") ? getenv("API_LISTEN") : "127.0.0.1:3001";
    cfg->issuer = getenv("API_ISSUER");
    cfg->audience = getenv("API_AUDIENCE");
    cfg->allowed_origin = getenv("API_ALLOWED_ORIGIN");
    const char *insecure = getenv("API_ALLOW_INSECURE_HTTP");
    cfg->allow_insecure_http = insecure != NULL && strcmp(insecure, "1") == 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--allow-insecure-http") == 0) {
            cfg->allow_insecure_http = true;
            continue;
        }
        const char **slot = strcmp(argv[i], "--listen") == 0           ? &cfg->listen
                            : strcmp(argv[i], "--issuer") == 0         ? &cfg->issuer
                            : strcmp(argv[i], "--audience") == 0       ? &cfg->audience
                            : strcmp(argv[i], "--allowed-origin") == 0 ? &cfg->allowed_origin
                                                                       : NULL;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 2;
        if (slot == NULL || i + 1 >= argc) {
            fprintf(stderr, "tessera-example-api: %s %s\n", argv[i],
                    slot ? "needs a value" : "is not an option");
            return 1;
        }
        *slot = argv[++i];
    }
    if (cfg->issuer == NULL || cfg->audience == NULL) {
        fputs("tessera-example-api: --issuer and --audience are required\n", stderr);
        return 1;
    }
    if (cfg->allowed_origin != NULL && cfg->allowed_origin[0] == '\0')
        cfg->allowed_origin = NULL;
    return 0;
}

/* Resolves HOST:PORT ("[::1]:3001" for IPv6) into *ai. */
static int resolve_listen(const char *listen, struct addrinfo **ai)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    size_t hlen = colon ? (size_t)(colon - listen) : 0;
    if (colon == NULL || hlen == 0 || hlen >= sizeof host || colon[1] == '\0')
        return EAI_NONAME;
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    if (host[0] == '[' && host[hlen - 1] == ']') {
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    return getaddrinfo(host, colon + 1, &hints, ai);
}

int main(int argc, char **argv)
{
    int status = 1;
    struct app app = {0};
    struct addrinfo *ai = NULL;
    struct MHD_Daemon *daemon = NULL;
    char detail[256] = "";

    int pa = parse_args(argc, argv, &app.cfg);
    if (pa != 0) {
        usage(pa == 2 ? stdout : stderr);
        return pa == 2 ? 0 : 2;
    }
    int gai = resolve_listen(app.cfg.listen, &ai);
    if (gai != 0) {
        fprintf(stderr, "tessera-example-api: --listen %s: %s\n", app.cfg.listen,
                gai_strerror(gai));
        goto out;
    }

    tessera_verify_options opts;
    tessera_verify_options_init(&opts);
    opts.issuer = app.cfg.issuer;
    opts.audience = app.cfg.audience;
    opts.allow_insecure_http = app.cfg.allow_insecure_http;
    int rc = tessera_verifier_new(&opts, &app.verifier, detail, sizeof detail);
    if (rc != TESSERA_OK) {
        fprintf(stderr, "tessera-example-api: %s: %s\n", tessera_strerror(rc), detail);
        goto out;
    }

    /* SIGINT and SIGTERM are taken by sigwait below; the server's threads,
     * started after this, inherit the blocked mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &app, MHD_OPTION_SOCK_ADDR,
                              ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, 4u,
                              MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "tessera-example-api: cannot listen on %s (%s)\n", app.cfg.listen,
                errno ? strerror(errno) : "address in use?");
        goto out;
    }
    printf("Example API on http://%s/api/{public,private,private-scoped}\n"
           "  issuer %s, audience %s, CORS origin %s\n",
           app.cfg.listen, app.cfg.issuer, app.cfg.audience,
           app.cfg.allowed_origin ? app.cfg.allowed_origin : "(none)");
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    status = 0;
out:
    if (daemon != NULL)
        MHD_stop_daemon(daemon);
    tessera_verifier_free(app.verifier);
    if (ai != NULL)
        freeaddrinfo(ai);
    return status;
}
