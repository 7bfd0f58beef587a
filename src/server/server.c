#include "server/server.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/request.h"
#include "http/response.h"
#include "server/conn_guard.h"
#include "server/connection.h"
#include "server/router.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/secure.h"

/* Beyond the 1 MiB limit, this much more is read and dropped so the client sees the 413. */
#define DISCARD_MAX (16 * 1024 * 1024)

/* PEM files larger than this are refused (a long chain is a few KiB). */
#define TLS_FILE_MAX (1024 * 1024)

/* TLS 1.2 and 1.3 only, the server's cipher order. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"

/* A connection that stays silent this long is closed (any state). */
#define IDLE_TIMEOUT_S 30u

/* File descriptors kept for everything but client connections (database, logs, outbound). */
#define FD_RESERVE 64u

/* Lines a second libmicrohttpd may write to the log (see mhd_log). */
#define LOG_BURST 20u

/* How often deadlines are checked, and how often cuts are summed up in the log. */
#define SWEEP_MS 250
#define CUT_LOG_MS 10000
/* A fresh connection's first round trips (TCP, TLS, the request): see conn_guard.h. */
#define EVICT_GRACE_MS 1000

/* Written on a plain HTTP connection cut for being slow; a TLS one is just closed. */
static const char BODY_408[] =
    "{\"error\":\"request_timeout\",\"error_description\":\"The request did not arrive in time\"}";

struct tsr_server {
    struct MHD_Daemon *daemon;
    struct tsr_app *app;
    /* libmicrohttpd keeps these pointers, so they live until the daemon stops. */
    char *tls_cert;
    char *tls_key;
    size_t tls_key_len;
    bool tls;
    char resp_408[320]; /* the whole 408 response, built at start */
    size_t resp_408_len;
    tsr_conn_guard *guard;
    /* The sweeper: checks deadlines every SWEEP_MS until stopping is set. */
    pthread_t sweeper;
    bool sweeper_started;
    pthread_mutex_t sweep_lock;
    pthread_cond_t sweep_cond;
    bool stopping;
    /* mhd_log's budget: lines written in the current second, and lines dropped. */
    pthread_mutex_t log_lock;
    uint64_t log_window;
    unsigned log_lines;
    uint64_t log_dropped;
};

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static struct tsr_req *req_new(struct tsr_app *app, struct MHD_Connection *conn, const char *url,
                               const char *method)
{
    struct tsr_req *req = calloc(1, sizeof *req);
    if (req == NULL)
        return NULL;
    req->conn = conn;
    req->source = &tsr_mhd_source;
    req->app = app;
    req->url = url;
    req->path = url;
    req->method = method;
    clock_gettime(CLOCK_MONOTONIC, &req->started);
    if (tsr_random_alnum(req->request_id, 16) != 0)
        strcpy(req->request_id, "unknown");
    return req;
}

static void req_free(struct tsr_req *req)
{
    if (req->body != NULL) {
        /* Bodies carry client secrets. */
        tsr_wipe(req->body, req->body_len);
        free(req->body);
    }
    free(req->route_param_buf);
    tsr_strlist_cleanup(&req->mgmt_scopes);
    tsr_resp_cleanup(req);
    tsr_tenant_set_release(req->tenants);
    free(req);
}

/* Appends upload data to the body, up to TSR_BODY_MAX; past it, counts and drops. */
static void take_upload(struct tsr_req *req, const char *data, size_t len)
{
    req->body_seen += len;
    if (req->body_too_big || req->body_len + len > TSR_BODY_MAX) {
        req->body_too_big = true;
        return;
    }
    if (req->body_len + len + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < req->body_len + len + 1)
            cap *= 2;
        char *grown = realloc(req->body, cap);
        if (grown == NULL) {
            req->body_too_big = true;
            return;
        }
        req->body = grown;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, len);
    req->body_len += len;
    req->body[req->body_len] = '\0';
}

static void error_response(struct tsr_req *req, unsigned status, const char *code,
                           const char *msg)
{
    if (req->path != NULL && tsr_router_is_mgmt_path(req->path))
        tsr_resp_mgmt_error(req, status, code, "%s", msg);
    else
        tsr_resp_oauth_error(req, status, code, "%s", msg);
}

/*
 * The request's tenant missed a change its reload could not load: retry
 * (core/app.h); on success the request moves to the new snapshot.
 */
static void refresh_stale(struct tsr_req *req, const char *host, const char **rest)
{
    struct tsr_tenant_set *fresh =
        tsr_app_retry_stale(req->app, req->store, req->tenants, req->tenant);
    if (fresh == NULL)
        return;
    tsr_tenant_set_release(req->tenants);
    req->tenants = fresh;
    req->tenant = tsr_tenant_set_find(fresh, host, req->url, rest);
}

static void handle(struct tsr_req *req)
{
    const char *host = tsr_req_effective_host(req);
    const char *rest = NULL;
    req->store = tsr_app_store(req->app);
    if (req->store == NULL) {
        error_response(req, 503, "temporarily_unavailable", "The database is not available");
        return;
    }
    tsr_app_refresh_if_changed(req->app, req->store);
    /* The request keeps this snapshot to its end, whatever reloads meanwhile. */
    req->tenants = tsr_app_acquire(req->app);
    req->tenant = tsr_tenant_set_find(req->tenants, host, req->url, &rest);
    if (req->tenant != NULL && atomic_load(&req->tenant->stale))
        refresh_stale(req, host, &rest);
    if (req->tenant == NULL) {
        error_response(req, 404, "not_found", "No tenant is served at this address");
        return;
    }
    req->path = rest;
    /* Fail closed: a revoked client or grant must not keep working from the old snapshot. */
    if (atomic_load(&req->tenant->stale) && tsr_router_needs_catalog(rest)) {
        tsr_resp_header(req, "Retry-After", "1");
        error_response(req, 503, "temporarily_unavailable",
                       "The server cannot load this tenant's current configuration; try again");
        return;
    }
    if (req->body_too_big) {
        error_response(req, 413, "invalid_request", "The request body is larger than 1 MiB");
        return;
    }
    tsr_router_dispatch(req);
    if (req->status == 0)
        error_response(req, 500, "server_error", "The request produced no response");
}

static bool has_header(const struct tsr_req *req, const char *name)
{
    for (size_t i = 0; i < req->resp_nheaders; i++)
        if (strcasecmp(req->resp_headers[i].name, name) == 0)
            return true;
    return false;
}

static enum MHD_Result send_response(struct tsr_req *req)
{
    /* The body (from malloc) is handed over, not copied: libmicrohttpd frees it when sent. */
    struct MHD_Response *resp =
        req->resp_body != NULL
            ? MHD_create_response_from_buffer(req->resp_len, req->resp_body, MHD_RESPMEM_MUST_FREE)
            : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    req->resp_body = NULL;
    if (req->resp_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->resp_type);
    for (size_t i = 0; i < req->resp_nheaders; i++)
        MHD_add_response_header(resp, req->resp_headers[i].name, req->resp_headers[i].value);
    if (!has_header(req, "Cache-Control"))
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (!req->frame_ok && !has_header(req, "X-Frame-Options"))
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (!has_header(req, "Content-Security-Policy"))
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
    if (strncmp(req->app->settings.public_url, "https://", 8) == 0)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    if (req->body_too_big)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The connection's guard entry (NULL when it is not guarded). */
static struct tsr_conn *conn_entry(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

/* Whether a body follows the header: a non-zero Content-Length, or any Transfer-Encoding. */
static bool expects_body(struct MHD_Connection *conn)
{
    if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) !=
        NULL)
        return true;
    const char *len =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return len != NULL && len[strspn(len, " 0")] != '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    struct tsr_server *srv = cls;
    struct tsr_app *app = srv->app;
    struct tsr_req *req = *con_cls;
    if (req == NULL) {
        req = req_new(app, conn, url, method);
        if (req == NULL)
            return MHD_NO;
        atomic_fetch_add(&app->inflight, 1);
        *con_cls = req;
        tsr_conn_guard_header_done(srv->guard, conn_entry(conn), expects_body(conn), now_ms());
        return MHD_YES;
    }
    if (*upload_size > 0) {
        tsr_conn_guard_body_bytes(srv->guard, conn_entry(conn), *upload_size);
        take_upload(req, upload_data, *upload_size);
        *upload_size = 0;
        /* Past the discard budget, answer now; the connection is closed after it. */
        if (!req->body_too_big || req->body_seen < TSR_BODY_MAX + DISCARD_MAX)
            return MHD_YES;
    }
    tsr_conn_guard_busy(srv->guard, conn_entry(conn));
    if (req->status == 0)
        handle(req);
    return send_response(req);
}

/* The request's log line written without jansson, as the json_pack below would write it. */
static bool log_direct(const struct tsr_req *req, enum tsr_log_level level,
                       enum MHD_RequestTerminationCode toe)
{
    char buf[1024];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_obj_open(&w);
    tsr_jsonw_key(&w, "request_id");
    tsr_jsonw_str(&w, req->request_id);
    tsr_jsonw_key(&w, "tenant");
    tsr_jsonw_str(&w, req->tenant ? req->tenant->t.id : "");
    tsr_jsonw_key(&w, "method");
    tsr_jsonw_str(&w, req->method);
    tsr_jsonw_key(&w, "route");
    tsr_jsonw_str(&w, req->route ? req->route : "unmatched");
    tsr_jsonw_key(&w, "status");
    tsr_jsonw_int(&w, (int)req->status);
    tsr_jsonw_key(&w, "latency_ms");
    tsr_jsonw_real(&w, ms_since(&req->started), 6);
    if (req->log_client_id[0] != '\0') {
        tsr_jsonw_key(&w, "client_id");
        tsr_jsonw_str(&w, req->log_client_id);
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        tsr_jsonw_key(&w, "aborted");
        tsr_jsonw_bool(&w, true);
    }
    tsr_jsonw_obj_close(&w);
    size_t len;
    const char *text = tsr_jsonw_text(&w, &len);
    bool done = text != NULL && tsr_log_text(level, "request", text, len);
    tsr_jsonw_cleanup(&w);
    return done;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct tsr_server *srv = cls;
    struct tsr_app *app = srv->app;
    struct tsr_req *req = *con_cls;
    /* A kept-alive connection now waits for its next request. */
    tsr_conn_guard_request_done(srv->guard, conn_entry(conn), now_ms());
    if (req == NULL)
        return;
    *con_cls = NULL;
    enum tsr_log_level level = req->status >= 500 ? TSR_LOG_ERROR : TSR_LOG_INFO;
    if (!tsr_log_enabled(level)) {
        req_free(req);
        atomic_fetch_sub(&app->inflight, 1);
        return;
    }
    if (log_direct(req, level, toe)) {
        req_free(req);
        atomic_fetch_sub(&app->inflight, 1);
        return;
    }
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f}", "request_id", req->request_id,
                          "tenant", req->tenant ? req->tenant->t.id : "", "method", req->method,
                          "route", req->route ? req->route : "unmatched", "status",
                          (int)req->status, "latency_ms", ms_since(&req->started));
    if (f != NULL && req->log_client_id[0] != '\0')
        json_object_set_new(f, "client_id", json_string(req->log_client_id));
    if (f != NULL && toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        json_object_set_new(f, "aborted", json_true());
    tsr_log(level, "request", f);
    req_free(req);
    atomic_fetch_sub(&app->inflight, 1);
}

/* ---- slow clients: see conn_guard.h ---------------------------------------- */

/* Called under the guard's lock, so the socket is still open: the server closes it only after
 * on_connection(CLOSED) has taken the entry out. */
static void cut_connection(void *ctx, int fd, bool send_408)
{
    struct tsr_server *srv = ctx;
    /* Nothing else writes while a request is still arriving; a full buffer just drops it. */
    if (send_408 && !srv->tls)
        (void)send(fd, srv->resp_408, srv->resp_408_len, MSG_DONTWAIT | MSG_NOSIGNAL);
    /* The worker sees end-of-file and closes the connection as if the client had. */
    shutdown(fd, SHUT_RDWR);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct tsr_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context =
            ci != NULL ? tsr_conn_guard_open(srv->guard, ci->connect_fd, now_ms()) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        tsr_conn_guard_close(srv->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* Called once a request line is parsed; NULL leaves the request context for on_request. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)uri;
    struct tsr_server *srv = cls;
    tsr_conn_guard_request_line(srv->guard, conn_entry(conn));
    return NULL;
}

static void log_cuts(struct tsr_server *srv)
{
    struct tsr_conn_guard_stats st;
    tsr_conn_guard_take_stats(srv->guard, &st);
    if (st.header_timeouts + st.slow_bodies + st.evicted == 0)
        return;
    tsr_log(TSR_LOG_WARN, "slow clients cut",
            json_pack("{s:I, s:I, s:I}", "header_timeouts", (json_int_t)st.header_timeouts,
                      "slow_bodies", (json_int_t)st.slow_bodies, "evicted",
                      (json_int_t)st.evicted));
}

static void *sweeper_main(void *arg)
{
    struct tsr_server *srv = arg;
    uint64_t next_log = now_ms() + CUT_LOG_MS;
    pthread_mutex_lock(&srv->sweep_lock);
    while (!srv->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += SWEEP_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->sweep_cond, &srv->sweep_lock, &until);
        if (srv->stopping)
            break;
        pthread_mutex_unlock(&srv->sweep_lock);
        uint64_t now = now_ms();
        tsr_conn_guard_sweep(srv->guard, now);
        if (now >= next_log) {
            log_cuts(srv);
            next_log = now + CUT_LOG_MS;
        }
        pthread_mutex_lock(&srv->sweep_lock);
    }
    pthread_mutex_unlock(&srv->sweep_lock);
    log_cuts(srv);
    return NULL;
}

static int sweeper_start(struct tsr_server *srv)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return TSR_ENOMEM;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&srv->sweep_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        return TSR_ENOMEM;
    if (pthread_mutex_init(&srv->sweep_lock, NULL) != 0) {
        pthread_cond_destroy(&srv->sweep_cond);
        return TSR_ENOMEM;
    }
    if (pthread_create(&srv->sweeper, NULL, sweeper_main, srv) != 0) {
        pthread_mutex_destroy(&srv->sweep_lock);
        pthread_cond_destroy(&srv->sweep_cond);
        return TSR_ENOMEM;
    }
    srv->sweeper_started = true;
    return 0;
}

static void sweeper_stop(struct tsr_server *srv)
{
    if (!srv->sweeper_started)
        return;
    pthread_mutex_lock(&srv->sweep_lock);
    srv->stopping = true;
    pthread_cond_signal(&srv->sweep_cond);
    pthread_mutex_unlock(&srv->sweep_lock);
    pthread_join(srv->sweeper, NULL);
    pthread_mutex_destroy(&srv->sweep_lock);
    pthread_cond_destroy(&srv->sweep_cond);
    srv->sweeper_started = false;
}

/*
 * The connection table can only be as large as the descriptors the process may open: raises
 * the soft limit toward max_connections and returns the table size that fits (a full
 * descriptor table would stop accepting before the guard frees room).
 */
static unsigned fit_to_fd_limit(unsigned max_connections)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)max_connections + FD_RESERVE;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return max_connections;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        struct rlimit want = rl;
        want.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl = want;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return max_connections;
    unsigned fit = rl.rlim_cur > FD_RESERVE + 16 ? (unsigned)(rl.rlim_cur - FD_RESERVE) : 16;
    tsr_log(TSR_LOG_WARN, "settings",
            json_pack("{s:s, s:i, s:i}", "detail",
                      "--max-connections: the open-file limit (ulimit -n) is too low; the "
                      "connection table is smaller",
                      "max_connections", (int)max_connections, "effective", (int)fit));
    return fit;
}

/* Starts the guard and its sweeper for a table of max_connections. */
static int guard_start(struct tsr_server *srv, unsigned max_connections, unsigned threads)
{
    const struct tsr_settings *s = &srv->app->settings;
    /* Room for accepts that race the cuts, and for each worker's share of the table. */
    unsigned reserve = max_connections / 16 + threads;
    if (reserve > max_connections / 2)
        reserve = max_connections / 2;
    struct tsr_conn_guard_limits lim = {
        .max_connections = max_connections,
        .reserve = reserve,
        .header_ms = (uint64_t)s->header_timeout * 1000u,
        .body_min_rate = s->body_min_rate,
        .grace_ms = EVICT_GRACE_MS,
    };
    int n = snprintf(srv->resp_408, sizeof srv->resp_408,
                     "HTTP/1.1 408 Request Timeout\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n"
                     "Cache-Control: no-store\r\n"
                     "X-Content-Type-Options: nosniff\r\n"
                     "\r\n%s",
                     sizeof BODY_408 - 1, BODY_408);
    if (n < 0 || (size_t)n >= sizeof srv->resp_408)
        return TSR_EINVAL;
    srv->resp_408_len = (size_t)n;
    int rc = tsr_conn_guard_new(&lim, cut_connection, srv, &srv->guard);
    if (rc != 0)
        return rc;
    rc = sweeper_start(srv);
    if (rc != 0) {
        tsr_conn_guard_free(srv->guard);
        srv->guard = NULL;
    }
    return rc;
}

/*
 * libmicrohttpd logs a line for each refused or broken connection, which a flood of them would
 * turn into a flood of log lines: at most LOG_BURST a second are written, and the next one
 * written says how many were dropped.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct tsr_server *srv = cls;
    uint64_t dropped = 0;
    uint64_t now = now_ms();
    pthread_mutex_lock(&srv->log_lock);
    if (now - srv->log_window >= 1000) {
        srv->log_window = now;
        srv->log_lines = 0;
    }
    bool write = srv->log_lines < LOG_BURST;
    if (write) {
        srv->log_lines++;
        dropped = srv->log_dropped;
        srv->log_dropped = 0;
    } else {
        srv->log_dropped++;
    }
    pthread_mutex_unlock(&srv->log_lock);
    if (!write)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    json_t *f = json_pack("{s:s}", "detail", msg);
    if (f != NULL && dropped > 0)
        json_object_set_new(f, "dropped_before", json_integer((json_int_t)dropped));
    tsr_log(TSR_LOG_WARN, "http", f);
}

/* Reads a whole PEM file into a NUL-terminated buffer; NULL with err set on failure. */
static char *read_pem(const char *path, const char *who, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot read %s: %s", who, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    char *buf = NULL;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || st.st_size > TLS_FILE_MAX) {
        snprintf(err, errlen, "%s: %s is empty or larger than %d bytes", who, path, TLS_FILE_MAX);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", who);
        goto out;
    }
    *len = fread(buf, 1, (size_t)st.st_size, f);
    if (*len != (size_t)st.st_size) {
        snprintf(err, errlen, "%s: cannot read %s", who, path);
        tsr_wipe(buf, (size_t)st.st_size);
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[*len] = '\0';
out:
    fclose(f);
    return buf;
}

static void free_tls(struct tsr_server *srv)
{
    free(srv->tls_cert);
    if (srv->tls_key != NULL) {
        tsr_wipe(srv->tls_key, srv->tls_key_len);
        free(srv->tls_key);
    }
    srv->tls_cert = srv->tls_key = NULL;
}

/* Frees what the server holds once its daemon is stopped (or was never started). */
static void server_free(struct tsr_server *srv)
{
    sweeper_stop(srv);
    tsr_conn_guard_free(srv->guard);
    free_tls(srv);
    pthread_mutex_destroy(&srv->log_lock);
    free(srv);
}

int tsr_server_start(struct tsr_app *app, tsr_server **out, char *err, size_t errlen)
{
    *out = NULL;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port[8];
    snprintf(port, sizeof port, "%u", app->settings.listen_port);
    int gai = getaddrinfo(app->settings.listen_host, port, &hints, &ai);
    if (gai != 0) {
        snprintf(err, errlen, "--listen: cannot resolve %s: %s", app->settings.listen_host,
                 gai_strerror(gai));
        return TSR_EINVAL;
    }
    unsigned threads = app->settings.threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct tsr_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL || pthread_mutex_init(&srv->log_lock, NULL) != 0) {
        free(srv);
        freeaddrinfo(ai);
        return TSR_ENOMEM;
    }
    srv->app = app;
    bool tls = app->settings.tls_cert[0] != '\0';
    srv->tls = tls;
    if (tls) {
        size_t cert_len = 0;
        srv->tls_cert = read_pem(app->settings.tls_cert, "--tls-cert", &cert_len, err, errlen);
        if (srv->tls_cert != NULL)
            srv->tls_key =
                read_pem(app->settings.tls_key, "--tls-key", &srv->tls_key_len, err, errlen);
        if (srv->tls_key == NULL) {
            server_free(srv);
            freeaddrinfo(ai);
            return TSR_EINVAL;
        }
        flags |= MHD_USE_TLS;
    }
    unsigned max_connections = fit_to_fd_limit(app->settings.max_connections);
    if (guard_start(srv, max_connections, threads) != 0) {
        snprintf(err, errlen, "cannot start the connection guard: out of memory");
        server_free(srv);
        freeaddrinfo(ai);
        return TSR_ENOMEM;
    }
    /* Without TLS the HTTPS options are skipped: the list ends at the first MHD_OPTION_END. */
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, app->settings.max_connections_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_request_line, srv,
        tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, srv->tls_cert, MHD_OPTION_HTTPS_MEM_KEY,
        srv->tls_key, MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES, MHD_OPTION_END);
    int saved = errno;
    freeaddrinfo(ai);
    if (srv->daemon == NULL) {
        if (tls)
            snprintf(err, errlen,
                     "--tls-cert/--tls-key: cannot start HTTPS on %s:%u (is the key the "
                     "certificate's, unencrypted PEM? is the port free?)",
                     app->settings.listen_host, app->settings.listen_port);
        else
            snprintf(err, errlen, "--listen: cannot listen on %s:%u (%s)",
                     app->settings.listen_host, app->settings.listen_port,
                     saved ? strerror(saved) : "address in use?");
        server_free(srv);
        return TSR_EIO;
    }
    *out = srv;
    return 0;
}

void tsr_server_stop(tsr_server *srv, unsigned grace_ms)
{
    if (srv == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    /* Requests in flight, and those already sent on a connection not yet read, are answered. */
    for (unsigned waited = 0;
         waited < grace_ms && (atomic_load(&srv->app->inflight) > 0 ||
                               tsr_conn_guard_request_pending(srv->guard));
         waited += 10) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* The sweeper stops first: stopping the daemon closes every connection. */
    sweeper_stop(srv);
    MHD_stop_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    server_free(srv);
}
