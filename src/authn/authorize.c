/*
 * GET|POST /authorize - the authorization endpoint: the code flow with
 * PKCE, and the OpenID Connect implicit (id_token) and hybrid
 * (code id_token) flows of server-rendered web apps.
 * The decisions are core/authorize_policy.c's; this file reads the
 * request, loads the client and session, and answers each verdict.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authn/authorize_response.h"
#include "authn/user_tokens.h"
#include "core/auth_code.h"
#include "core/authorize_policy.h"
#include "core/catalog.h"
#include "core/client.h"
#include "core/consent.h"
#include "core/response_type.h"
#include "core/user.h"
#include "http/browser.h"
#include "http/response.h"
#include "page/page.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"
#include "util/strbuf.h"

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

/* Sends the error page of a verdict that refuses before the redirect_uri is trusted. */
static void send_page(struct tsr_req *req, const struct tsr_authz_verdict *v)
{
    tsr_login_error_page(req, 400, v->error, v->description);
}

/*
 * The client and its redirect_uri (tsr_authz_check_client); on failure
 * sends the error page.
 */
static bool check_client_and_redirect(struct tsr_req *req, struct tsr_authz_request *ar,
                                      const struct tsr_client **client)
{
    struct tsr_authz_verdict v;
    *client =
        ar->client_id[0] != '\0' ? tsr_catalog_client(req->tenant->catalog, ar->client_id) : NULL;
    if (tsr_authz_check_client(*client, ar, &v))
        return true;
    send_page(req, &v);
    return false;
}

static void send_error(struct tsr_req *req, const struct tsr_authz_request *ar, const char *error,
                       const char *description)
{
    struct tsr_authz_result r = {.error = error, .error_description = description};
    tsr_authorize_respond(req, ar, &r);
}

/* Stores the authorization code of the request into *code; false after sending the error. */
static bool create_code(struct tsr_req *req, const struct tsr_authz_request *ar,
                        const struct tsr_session *s, char **code)
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
    if (tsr_auth_code_create(req->store, req->tenant->t.id, &c, code) != 0) {
        send_error(req, ar, "server_error", "Cannot issue the authorization code");
        return false;
    }
    return true;
}

/*
 * The ID token and access token the response type asks for besides the
 * code (implicit and hybrid flows); false after sending the error.
 */
static bool front_tokens(struct tsr_req *req, const struct tsr_authz_request *ar,
                         const struct tsr_session *s, unsigned rt, const char *code,
                         struct tsr_front_tokens *out)
{
    const struct tsr_client *client = tsr_catalog_client(req->tenant->catalog, ar->client_id);
    struct tsr_user u = {0};
    char family[33];
    int rc = client == NULL ? TSR_ENOTFOUND
                            : tsr_user_get(req->store, req->tenant->t.id, s->user_id, &u);
    if (rc == 0)
        rc = tsr_random_alnum(family, 32);
    if (rc == 0) {
        struct tsr_user_grant g = {
            .client = client,
            .user = &u,
            .scope = ar->scope,
            .audience = ar->audience,
            .nonce = ar->nonce,
            .sid = s->sid,
            .auth_time = s->auth_time,
            .family_id = family,
        };
        rc = tsr_user_tokens_front(req, &g, rt, code, out);
    }
    if (rc == TSR_ENOTFOUND)
        send_error(req, ar, "access_denied",
                   "The application, user or API of this request no longer exists");
    else if (rc != 0)
        send_error(req, ar, "server_error", "Cannot issue the tokens");
    tsr_user_cleanup(&u);
    return rc == 0;
}

/* Issues what the response type asks for to a person with a session, and sends it. */
static void issue_response(struct tsr_req *req, const struct tsr_authz_request *ar,
                           const struct tsr_session *s)
{
    unsigned rt = tsr_response_type_parse(ar->response_type);
    struct tsr_front_tokens ft = {0};
    char *code = NULL;
    if ((rt & TSR_RT_CODE) != 0 && !create_code(req, ar, s, &code))
        return;
    if (tsr_response_type_front_channel(rt) && !front_tokens(req, ar, s, rt, code, &ft)) {
        tsr_wipe_free_str(code);
        return;
    }
    struct tsr_authz_result r = {
        .code = code,
        .id_token = ft.id_token,
        .access_token = ft.access_token,
        .scope = ft.scope,
        .expires_in = ft.expires_in,
    };
    tsr_authorize_respond(req, ar, &r);
    tsr_front_tokens_cleanup(&ft);
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
    struct tsr_authz_verdict v;
    /* Consent is asked for, compared with and recorded for what the person may be given now. */
    if (tsr_user_tokens_person_scope(req, ar->audience, s->user_id, &ar->scope) != 0) {
        send_error(req, ar, "server_error", "Cannot read the user's permissions");
        return;
    }
    tsr_authz_with_session(req->store, req->tenant->catalog, req->tenant->t.id, client, ar,
                           s->user_id, &v);
    if (v.next == TSR_AUTHZ_ISSUE_CODE) {
        if (tx != NULL)
            tsr_login_tx_finish(tsr_req_who(req), tx);
        issue_response(req, ar, s);
        return;
    }
    if (v.next != TSR_AUTHZ_CONSENT_PAGE) {
        send_error(req, ar, v.error, v.description);
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

/* The session's user, if the session may answer this request (tsr_authz_session_usable). */
static bool usable_session(struct tsr_req *req, const struct tsr_client *client,
                           const struct tsr_authz_request *ar, struct tsr_session *s)
{
    if (tsr_browser_session_current(req, s) != 0)
        return false;
    bool ok = tsr_authz_session_usable(req->store, req->tenant->t.id, client->client_id, ar,
                                       s->user_id, s->auth_time, tsr_clock_now());
    if (!ok)
        tsr_session_cleanup(s);
    return ok;
}

/*
 * The checks after the redirect_uri is trusted: the request, its audience
 * (then its scope narrowed to that API) and its connection.  On failure v
 * holds the OAuth error for the redirect_uri.
 */
static bool check_after_redirect(struct tsr_req *req, const struct tsr_client *client,
                                 struct tsr_authz_request *ar, struct tsr_authz_verdict *v)
{
    const char *tid = req->tenant->t.id;
    if (!tsr_authz_check_request(client, ar, v) ||
        !tsr_authz_resolve_audience(req->tenant->catalog, req->tenant->t.default_audience, ar, v))
        return false;
    char *scope = NULL;
    if (tsr_user_tokens_scope(req, client, ar->audience, ar->scope, &scope) != 0) {
        v->next = TSR_AUTHZ_ERROR;
        v->error = "server_error";
        snprintf(v->description, sizeof v->description, "Cannot read the API");
        return false;
    }
    free(ar->scope);
    ar->scope = scope;
    return tsr_authz_check_connection(req->store, tid, client, ar, v);
}

static void authorize(struct tsr_req *req, struct tsr_authz_request *ar)
{
    const struct tsr_client *client = NULL;
    struct tsr_session s = {0};
    struct tsr_authz_verdict v;
    char *handle = NULL;
    if (!check_client_and_redirect(req, ar, &client))
        goto out;
    if (!tsr_authz_check_web_origin(client, ar, &v)) {
        send_page(req, &v);
        goto out;
    }
    if (!check_after_redirect(req, client, ar, &v)) {
        send_error(req, ar, v.error, v.description);
        goto out;
    }
    if (tsr_authz_may_reuse_session(ar) && usable_session(req, client, ar, &s)) {
        continue_with_session(req, client, ar, &s, NULL);
        goto out;
    }
    tsr_authz_without_session(ar, &v);
    if (v.next == TSR_AUTHZ_ERROR) {
        send_error(req, ar, v.error, v.description);
        goto out;
    }
    if (tsr_browser_login_tx_create(req, ar, &handle) != 0) {
        send_error(req, ar, "server_error", "Cannot start the login");
        goto out;
    }
    redirect_to_page(req, v.next == TSR_AUTHZ_SIGNUP_PAGE ? "signup" : "login", handle);
out:
    free(handle);
    tsr_session_cleanup(&s);
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
            const struct tsr_client *client = NULL;
            if (check_client_and_redirect(req, &ar, &client))
                send_error(req, &ar,
                           tsr_params_get(&p, "request") ? "request_not_supported"
                                                         : "request_uri_not_supported",
                           "Request objects are not supported");
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

/* The client of a transaction, as the tenant has it now; NULL after sending the error page. */
static const struct tsr_client *tx_client(struct tsr_req *req, const struct tsr_login_tx *tx)
{
    const struct tsr_client *client = tsr_catalog_client(req->tenant->catalog, tx->ar.client_id);
    if (client == NULL)
        tsr_login_error_page(req, 400, "Unknown application",
                             "The application of this login no longer exists.");
    return client;
}

/*
 * The transaction's request checked again against its client as the tenant
 * has it now: a callback, web origin, grant type or
 * allow_implicit_access_tokens taken away while the person was on the
 * login or consent page is not honoured when the login comes back.  NULL
 * after sending the error (a page while the redirect_uri is not trusted).
 */
static const struct tsr_client *tx_client_still_allows(struct tsr_req *req, struct tsr_login_tx *tx)
{
    struct tsr_authz_verdict v;
    const struct tsr_client *client = tx_client(req, tx);
    if (client == NULL)
        return NULL;
    if (!tsr_authz_check_client(client, &tx->ar, &v) ||
        !tsr_authz_check_web_origin(client, &tx->ar, &v)) {
        tsr_login_tx_finish(tsr_req_who(req), tx);
        send_page(req, &v);
        return NULL;
    }
    if (!tsr_authz_check_request(client, &tx->ar, &v)) {
        tsr_authorize_fail(req, tx, v.error, v.description);
        return NULL;
    }
    return client;
}

void tsr_authorize_resume(struct tsr_req *req, struct tsr_login_tx *tx, const struct tsr_session *s)
{
    const struct tsr_client *client = tx_client_still_allows(req, tx);
    if (client != NULL)
        continue_with_session(req, client, &tx->ar, s, tx);
}

void tsr_authorize_consented(struct tsr_req *req, struct tsr_login_tx *tx,
                             const struct tsr_session *s)
{
    if (tx_client_still_allows(req, tx) == NULL)
        return;
    if (!tsr_authz_user_may_sign_in(req->store, req->tenant->t.id, tx->ar.client_id, &tx->ar,
                                    s->user_id)) {
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
    issue_response(req, &tx->ar, s);
}

void tsr_authorize_fail(struct tsr_req *req, struct tsr_login_tx *tx, const char *error,
                        const char *description)
{
    tsr_login_tx_finish(tsr_req_who(req), tx);
    send_error(req, &tx->ar, error, description);
}
