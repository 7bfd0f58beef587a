/*
 * GET|POST /authorize - the authorization endpoint (code flow with PKCE).
 *
 * Order matters: the client and its redirect_uri are checked first, and
 * until both are known good every error is an HTML page, never a redirect
 * (RFC 6749 section 4.1.2.1, RFC 9700 section 4.11).  After that, errors go
 * back to the redirect_uri with state.  Then the session decides: a live
 * one answers at once (SSO, prompt=none), otherwise the login page takes
 * over through a login transaction and comes back in
 * tsr_authorize_resume.
 */
#include "authn/authorize.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authn/authorize_response.h"
#include "authn/user_tokens.h"
#include "core/api.h"
#include "core/auth_code.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/consent.h"
#include "core/user.h"
#include "http/browser.h"
#include "http/response.h"
#include "page/page.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"
#include "util/strbuf.h"

/* Longest state or nonce kept: auth0-spa-js sends 43 characters, conformance tests 64+. */
#define MAX_OPAQUE_PARAM 2048

static char *dup_param(const struct tsr_params *p, const char *name)
{
    const char *v = tsr_params_get(p, name);
    return strdup(v ? v : "");
}

/* Fills ar from the request's parameters (no validation yet). */
static int read_request(const struct tsr_params *p, struct tsr_authz_request *ar)
{
    ar->client_id = dup_param(p, "client_id");
    ar->redirect_uri = dup_param(p, "redirect_uri");
    ar->response_type = dup_param(p, "response_type");
    ar->response_mode = dup_param(p, "response_mode");
    ar->state = dup_param(p, "state");
    ar->nonce = dup_param(p, "nonce");
    ar->scope = dup_param(p, "scope");
    ar->audience = dup_param(p, "audience");
    ar->code_challenge = dup_param(p, "code_challenge");
    ar->code_challenge_method = dup_param(p, "code_challenge_method");
    ar->prompt = dup_param(p, "prompt");
    ar->connection = dup_param(p, "connection");
    ar->screen_hint = dup_param(p, "screen_hint");
    ar->login_hint = dup_param(p, "login_hint");
    ar->max_age = -1;
    const char *max_age = tsr_params_get(p, "max_age");
    if (max_age != NULL && max_age[0] != '\0') {
        char *end;
        errno = 0;
        long long v = strtoll(max_age, &end, 10);
        ar->max_age = (*end != '\0' || errno != 0 || v < 0) ? -2 : (int64_t)v;
    }
    if (!ar->client_id || !ar->redirect_uri || !ar->response_type || !ar->response_mode ||
        !ar->state || !ar->nonce || !ar->scope || !ar->audience || !ar->code_challenge ||
        !ar->code_challenge_method || !ar->prompt || !ar->connection || !ar->screen_hint ||
        !ar->login_hint)
        return TSR_ENOMEM;
    return 0;
}

/*
 * The client and its redirect_uri: exact string match against the
 * registered callbacks.  Without a redirect_uri, a client with exactly one
 * callback uses it.  On failure sends the error page.
 */
static bool check_client_and_redirect(struct tsr_req *req, struct tsr_authz_request *ar,
                                      struct tsr_client *client)
{
    if (ar->client_id[0] == '\0' ||
        tsr_client_get(req->store, req->tenant->t.id, ar->client_id, client) != 0) {
        tsr_login_error_page(req, 400, "Unknown application",
                             "The application that sent you here is not registered (unknown "
                             "client_id). Go back to the application and try again.");
        return false;
    }
    if (ar->redirect_uri[0] == '\0' && client->callbacks.n == 1) {
        char *only = strdup(client->callbacks.v[0]);
        if (only != NULL) {
            free(ar->redirect_uri);
            ar->redirect_uri = only;
        }
    }
    if (ar->redirect_uri[0] == '\0' || !tsr_strlist_contains(&client->callbacks, ar->redirect_uri)) {
        tsr_login_error_page(req, 400, "Callback URL mismatch",
                             "The redirect_uri of this request is not in the application's "
                             "Allowed Callback URLs. Add it to the application's callbacks, or "
                             "fix the URL the application sends.");
        return false;
    }
    return true;
}

/* The origin (scheme://host[:port]) of a URL into out; false when it has none. */
static bool url_origin(const char *url, char *out, size_t len)
{
    const char *p = strstr(url, "://");
    if (p == NULL)
        return false;
    size_t n = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
    if (n >= len)
        return false;
    memcpy(out, url, n);
    out[n] = '\0';
    return true;
}

/*
 * response_mode=web_message posts the answer to the redirect_uri's origin
 * from a page that origin may frame: that origin must be one of the
 * client's Allowed Web Origins, or nothing at all (not even an error) is
 * posted to it; it gets the error page, which no one may frame.
 */
static bool check_web_origin(struct tsr_req *req, const struct tsr_authz_request *ar,
                             const struct tsr_client *client)
{
    char origin[512];
    if (strcmp(ar->response_mode, "web_message") != 0 ||
        (url_origin(ar->redirect_uri, origin, sizeof origin) &&
         tsr_strlist_contains(&client->web_origins, origin)))
        return true;
    tsr_login_error_page(req, 400, "Origin not allowed",
                         "The application's address is not in its Allowed Web Origins, so the "
                         "answer cannot be sent to it. Add the origin to the application's "
                         "Allowed Web Origins.");
    return false;
}

struct authz_error {
    const char *error;
    char description[512];
};

__attribute__((format(printf, 3, 4))) static bool fail(struct authz_error *e, const char *error,
                                                      const char *fmt, ...)
{
    va_list ap;
    e->error = error;
    va_start(ap, fmt);
    vsnprintf(e->description, sizeof e->description, fmt, ap);
    va_end(ap);
    return false;
}

static bool prompt_has(const struct tsr_authz_request *ar, const char *word)
{
    struct tsr_strlist words = {0};
    bool found = tsr_strlist_split(&words, ar->prompt) == 0 && tsr_strlist_contains(&words, word);
    tsr_strlist_cleanup(&words);
    return found;
}

/* PKCE: S256 only; public clients must use it (RFC 9700 section 2.1.1). */
static bool check_pkce(const struct tsr_client *client, const struct tsr_authz_request *ar,
                       struct authz_error *e)
{
    const char *challenge = ar->code_challenge, *method = ar->code_challenge_method;
    if (challenge[0] == '\0') {
        if (method[0] != '\0')
            return fail(e, "invalid_request", "code_challenge_method without code_challenge");
        if (tsr_client_is_public(client))
            return fail(e, "invalid_request",
                        "Public clients must use PKCE: send code_challenge and "
                        "code_challenge_method=S256");
        return true;
    }
    if (strcmp(method, "S256") != 0)
        return fail(e, "invalid_request",
                    "code_challenge_method must be S256 (got '%.40s'); plain is not supported",
                    method[0] ? method : "plain");
    size_t len = strlen(challenge);
    if (len != 43 || strspn(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789-_") != len)
        return fail(e, "invalid_request",
                    "code_challenge must be the base64url SHA-256 of the verifier (43 characters)");
    return true;
}

/* Everything after the redirect_uri; on failure e says what goes back to it. */
static bool check_request(const struct tsr_client *client, struct tsr_authz_request *ar,
                          struct authz_error *e)
{
    const char *mode = ar->response_mode;
    if (mode[0] != '\0' && strcmp(mode, "query") != 0 && strcmp(mode, "fragment") != 0 &&
        strcmp(mode, "form_post") != 0 && strcmp(mode, "web_message") != 0) {
        fail(e, "invalid_request", "Unsupported response_mode: %.60s", mode);
        /* The error itself goes back in the default mode. */
        char *query = strdup("query");
        if (query != NULL) {
            free(ar->response_mode);
            ar->response_mode = query;
        }
        return false;
    }
    if (ar->response_type[0] == '\0')
        return fail(e, "invalid_request", "Missing required parameter: response_type");
    if (strcmp(ar->response_type, "code") != 0)
        return fail(e, "unsupported_response_type",
                    "Unsupported response type: %.60s (only code is offered)", ar->response_type);
    if (!tsr_strlist_contains(&client->grant_types, "authorization_code"))
        return fail(e, "unauthorized_client",
                    "Grant type 'authorization_code' not allowed for the client.");
    if (strlen(ar->state) > MAX_OPAQUE_PARAM || strlen(ar->nonce) > MAX_OPAQUE_PARAM)
        return fail(e, "invalid_request", "state and nonce may be at most 2048 characters");
    if (ar->max_age == -2)
        return fail(e, "invalid_request", "max_age must be a number of seconds");
    if (prompt_has(ar, "none") &&
        (prompt_has(ar, "login") || prompt_has(ar, "consent") || prompt_has(ar, "select_account")))
        return fail(e, "invalid_request", "prompt=none cannot be combined with other values");
    return check_pkce(client, ar, e);
}

/* The audience (or the tenant's default) must be an API; then the scope is narrowed to it. */
static bool check_audience(struct tsr_req *req, const struct tsr_client *client,
                           struct tsr_authz_request *ar, struct authz_error *e)
{
    if (ar->audience[0] == '\0' && req->tenant->t.default_audience[0] != '\0') {
        char *def = strdup(req->tenant->t.default_audience);
        if (def == NULL)
            return fail(e, "server_error", "Out of memory");
        free(ar->audience);
        ar->audience = def;
    }
    char *scope = NULL;
    int rc = tsr_user_tokens_scope(req, client, ar->audience, ar->scope, &scope);
    if (rc == TSR_ENOTFOUND)
        return fail(e, "access_denied", "Service not found: %.400s", ar->audience);
    if (rc != 0)
        return fail(e, "server_error", "Cannot read the API");
    free(ar->scope);
    ar->scope = scope;
    return true;
}

static bool check_connection(struct tsr_req *req, const struct tsr_client *client,
                             const struct tsr_authz_request *ar, struct authz_error *e)
{
    struct tsr_connection c;
    const char *name = ar->connection[0] ? ar->connection : TSR_DEFAULT_CONNECTION;
    int rc = tsr_connection_get_by_name(req->store, req->tenant->t.id, name, &c);
    if (rc != 0)
        return fail(e, "invalid_request", "Unknown connection: %.128s", name);
    bool enabled = tsr_connection_enabled_for(&c, client->client_id);
    tsr_connection_cleanup(&c);
    return enabled ||
           fail(e, "invalid_request", "The connection %.128s is not enabled for this application",
                name);
}

/*
 * Whether the person must consent: third-party applications always,
 * first-party ones only for APIs that do not skip consent or when the
 * redirect_uri is a loopback URL (any program can listen there, so it does
 * not show which application asks); remembered consent that covers the
 * request counts.
 */
static int consent_needed(struct tsr_req *req, const struct tsr_client *client,
                          const struct tsr_authz_request *ar, const char *user_id, bool *needed)
{
    *needed = prompt_has(ar, "consent");
    if (*needed)
        return 0;
    if (client->is_first_party) {
        if (ar->audience[0] == '\0')
            return 0;
        struct tsr_api api;
        int rc = tsr_api_get_by_identifier(req->store, req->tenant->t.id, ar->audience, &api);
        if (rc != 0)
            return rc;
        bool skip = tsr_consent_first_party_skips(
            api.skip_consent_for_verifiable_first_party_clients, ar->redirect_uri);
        tsr_api_cleanup(&api);
        if (skip)
            return 0;
    }
    struct tsr_strlist wanted = {0};
    bool covered = false;
    int rc = tsr_strlist_split(&wanted, ar->scope);
    if (rc == 0)
        rc = tsr_consent_covers(req->store, req->tenant->t.id, user_id, client->client_id,
                                ar->audience, &wanted, &covered);
    tsr_strlist_cleanup(&wanted);
    *needed = !covered;
    return rc;
}

static void send_error(struct tsr_req *req, const struct tsr_authz_request *ar,
                       const char *error, const char *description)
{
    struct tsr_authz_result r = {.error = error, .error_description = description};
    tsr_authorize_respond(req, ar, &r);
}

/* Issues the code for a person with a session and sends it to the client. */
static void issue_code(struct tsr_req *req, const struct tsr_authz_request *ar,
                       const struct tsr_session *s)
{
    struct tsr_auth_code c = {
        .client_id = ar->client_id,
        .user_id = s->user_id,
        .sid = s->sid,
        .redirect_uri = ar->redirect_uri,
        .scope = ar->scope,
        .audience = ar->audience,
        .nonce = ar->nonce,
        .code_challenge = ar->code_challenge,
        .code_challenge_method = ar->code_challenge_method,
        .auth_time = s->auth_time,
    };
    char *code = NULL;
    if (tsr_auth_code_create(req->store, req->tenant->t.id, &c, &code) != 0) {
        send_error(req, ar, "server_error", "Cannot issue the authorization code");
        return;
    }
    struct tsr_authz_result r = {.code = code};
    tsr_authorize_respond(req, ar, &r);
    tsr_wipe_free_str(code);
}

/* Sends the browser to a login page of the transaction (login, signup or consent). */
static void redirect_to_page(struct tsr_req *req, const char *page, const char *handle)
{
    struct tsr_strbuf b = {0};
    tsr_strbuf_append(&b, req->tenant->t.issuer);
    tsr_strbuf_append(&b, "u/");
    tsr_strbuf_append(&b, page);
    tsr_strbuf_append(&b, "?state=");
    tsr_strbuf_append_urlenc(&b, handle);
    char *url = tsr_strbuf_take(&b, NULL);
    if (url == NULL) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        return;
    }
    tsr_resp_redirect(req, url);
    free(url);
}

/* A person with a session: consent when needed, else the code. */
static void continue_with_session(struct tsr_req *req, const struct tsr_client *client,
                                  struct tsr_authz_request *ar, const struct tsr_session *s,
                                  struct tsr_login_tx *tx)
{
    bool needed = false;
    /* Consent is asked for, compared with and recorded for what the person may be given now. */
    if (tsr_user_tokens_person_scope(req, ar->audience, s->user_id, &ar->scope) != 0) {
        send_error(req, ar, "server_error", "Cannot read the user's permissions");
        return;
    }
    if (consent_needed(req, client, ar, s->user_id, &needed) != 0) {
        send_error(req, ar, "server_error", "Cannot read the consent");
        return;
    }
    if (!needed) {
        if (tx != NULL)
            tsr_login_tx_finish(tsr_req_who(req), tx);
        issue_code(req, ar, s);
        return;
    }
    if (prompt_has(ar, "none")) {
        send_error(req, ar, "consent_required", "Consent required");
        return;
    }
    char *handle = NULL;
    if (tx == NULL) {
        struct tsr_login_tx fresh = {0};
        if (tsr_browser_login_tx_create(req, ar, &handle) != 0 ||
            (fresh.handle = strdup(handle)) == NULL ||
            tsr_login_tx_set_user(tsr_req_who(req), &fresh, s->user_id) != 0) {
            tsr_login_tx_cleanup(&fresh);
            free(handle);
            send_error(req, ar, "server_error", "Cannot start the consent step");
            return;
        }
        tsr_login_tx_cleanup(&fresh);
    }
    redirect_to_page(req, "consent", tx ? tx->handle : handle);
    free(handle);
}

/*
 * Whether user_id may be signed in to this request's client now: the user
 * exists, is not blocked, and their connection serves the client (enabled
 * for it, and the one the request names, if any).  A session is only as
 * good as these: one made through another application's connection, of a
 * user blocked or deleted since, or of a connection disabled for the client
 * since, proves nothing here.  Any failure to read says no.
 */
static bool user_may_sign_in(struct tsr_req *req, const char *client_id,
                             const struct tsr_authz_request *ar, const char *user_id)
{
    const char *tid = req->tenant->t.id;
    struct tsr_user u = {0};
    if (user_id == NULL || tsr_user_get(req->store, tid, user_id, &u) != 0)
        return false;
    bool ok = tsr_connection_user_serves(req->store, tid, &u, client_id, ar->connection);
    tsr_user_cleanup(&u);
    return ok;
}

/*
 * The session's user, if the session may answer this request: live, the
 * user may sign in to the client (user_may_sign_in), and authenticated
 * recently enough for max_age (0 always asks for a new login, as
 * prompt=login does).
 */
static bool usable_session(struct tsr_req *req, const struct tsr_client *client,
                           const struct tsr_authz_request *ar, struct tsr_session *s)
{
    if (tsr_browser_session_current(req, s) != 0)
        return false;
    bool ok = user_may_sign_in(req, client->client_id, ar, s->user_id);
    if (ok && ar->max_age >= 0 &&
        (ar->max_age == 0 || tsr_clock_now() - s->auth_time > ar->max_age))
        ok = false;
    if (!ok)
        tsr_session_cleanup(s);
    return ok;
}

static void authorize(struct tsr_req *req, struct tsr_authz_request *ar)
{
    struct tsr_client client = {0};
    struct tsr_session s = {0};
    struct authz_error e = {0};
    char *handle = NULL;
    if (!check_client_and_redirect(req, ar, &client) || !check_web_origin(req, ar, &client))
        goto out;
    if (!check_request(&client, ar, &e) || !check_audience(req, &client, ar, &e) ||
        !check_connection(req, &client, ar, &e)) {
        send_error(req, ar, e.error, e.description);
        goto out;
    }
    bool live = !prompt_has(ar, "login") && usable_session(req, &client, ar, &s);
    if (live) {
        continue_with_session(req, &client, ar, &s, NULL);
        goto out;
    }
    if (prompt_has(ar, "none")) {
        send_error(req, ar, "login_required", "Login required");
        goto out;
    }
    if (tsr_browser_login_tx_create(req, ar, &handle) != 0) {
        send_error(req, ar, "server_error", "Cannot start the login");
        goto out;
    }
    redirect_to_page(req, strcmp(ar->screen_hint, "signup") == 0 ? "signup" : "login", handle);
out:
    free(handle);
    tsr_session_cleanup(&s);
    tsr_client_cleanup(&client);
}

void tsr_authn_authorize(struct tsr_req *req)
{
    struct tsr_params p = {0};
    struct tsr_authz_request ar = {0};
    if (tsr_req_query_or_form(req, &p) != 0) {
        /* Parameters that cannot be read cannot name a trusted redirect_uri. */
        tsr_login_error_page(req, 400, "Invalid request",
                             "The authorization request could not be read: a parameter is "
                             "repeated, too long or badly encoded.");
        goto out;
    }
    if (tsr_params_get(&p, "request") != NULL || tsr_params_get(&p, "request_uri") != NULL) {
        /* Silently ignoring a request object is a conformance failure: say it is not supported. */
        if (read_request(&p, &ar) == 0) {
            struct tsr_client client = {0};
            if (check_client_and_redirect(req, &ar, &client))
                send_error(req, &ar,
                           tsr_params_get(&p, "request") ? "request_not_supported"
                                                         : "request_uri_not_supported",
                           "Request objects are not supported");
            tsr_client_cleanup(&client);
        }
        goto out;
    }
    if (read_request(&p, &ar) != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        goto out;
    }
    authorize(req, &ar);
out:
    tsr_authz_request_cleanup(&ar);
    tsr_params_cleanup(&p);
}

/* Reloads the client of a transaction; on failure sends the error page. */
static bool tx_client(struct tsr_req *req, const struct tsr_login_tx *tx,
                      struct tsr_client *client)
{
    if (tsr_client_get(req->store, req->tenant->t.id, tx->ar.client_id, client) == 0)
        return true;
    tsr_login_error_page(req, 400, "Unknown application",
                         "The application of this login no longer exists.");
    return false;
}

void tsr_authorize_resume(struct tsr_req *req, struct tsr_login_tx *tx,
                          const struct tsr_session *s)
{
    struct tsr_client client;
    if (!tx_client(req, tx, &client))
        return;
    continue_with_session(req, &client, &tx->ar, s, tx);
    tsr_client_cleanup(&client);
}

void tsr_authorize_consented(struct tsr_req *req, struct tsr_login_tx *tx,
                             const struct tsr_session *s)
{
    if (!user_may_sign_in(req, tx->ar.client_id, &tx->ar, s->user_id)) {
        /* Blocked, deleted or moved off the client's connections since the login. */
        tsr_authorize_fail(req, tx, "access_denied",
                           "The user may not sign in to this application");
        return;
    }
    struct tsr_strlist scopes = {0};
    int rc = tsr_strlist_split(&scopes, tx->ar.scope);
    if (rc == 0)
        rc = tsr_consent_add(req->store, req->tenant->t.id, s->user_id, tx->ar.client_id,
                             tx->ar.audience, &scopes);
    tsr_strlist_cleanup(&scopes);
    if (rc != 0) {
        send_error(req, &tx->ar, "server_error", "Cannot record the consent");
        return;
    }
    tsr_login_tx_finish(tsr_req_who(req), tx);
    issue_code(req, &tx->ar, s);
}

void tsr_authorize_fail(struct tsr_req *req, struct tsr_login_tx *tx, const char *error,
                        const char *description)
{
    tsr_login_tx_finish(tsr_req_who(req), tx);
    send_error(req, &tx->ar, error, description);
}
