/*
 * GET /v2/logout (Auth0) and GET|POST /oidc/logout (OpenID Connect
 * RP-initiated logout).  The return URL is checked before anything
 * happens: a URL that is not an allowed logout URL gets an error page and
 * the session stays; never an open redirect.  /oidc/logout without an
 * id_token_hint of the session's user asks the person first.
 */
#include <stdlib.h>
#include <string.h>

#include "authn/authn.h"
#include "core/client.h"
#include "core/event.h"
#include "core/refresh_token.h"
#include "core/session.h"
#include "core/tenant_jwt.h"
#include "http/browser.h"
#include "http/response.h"
#include "jose/jose.h"
#include "page/page.h"
#include "util/err.h"
#include "util/strbuf.h"

/* Ends the session (and the refresh tokens issued in it), recording "slo". */
static void end_session(struct tsr_req *req, const char *client_id)
{
    struct tsr_session ended;
    if (tsr_browser_session_end(req, &ended) == 0 && ended.sid != NULL) {
        tsr_refresh_token_revoke_session(req->store, req->tenant->t.id, ended.sid);
        struct tsr_event e = {.type = "slo",
                              .description = "User logged out",
                              .client_id = client_id,
                              .user_id = ended.user_id};
        tsr_event_record(tsr_req_who(req), &e);
    }
    tsr_session_cleanup(&ended);
}

static void redirect_to(struct tsr_req *req, const char *url, const char *state)
{
    struct tsr_strbuf b = {0};
    tsr_strbuf_append(&b, url);
    if (state != NULL && state[0] != '\0') {
        tsr_strbuf_append(&b, strchr(url, '?') ? "&state=" : "?state=");
        tsr_strbuf_append_urlenc(&b, state);
    }
    char *location = tsr_strbuf_take(&b, NULL);
    if (location == NULL) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        return;
    }
    tsr_resp_redirect(req, location);
    free(location);
}

static void logged_out_page(struct tsr_req *req)
{
    tsr_login_error_page(req, 200, "You are logged out",
                         "You have been logged out. You can close this window.");
}

static void not_allowed_page(struct tsr_req *req)
{
    tsr_login_error_page(req, 400, "Logout URL not allowed",
                         "The URL to return to after logout is not in the application's "
                         "Allowed Logout URLs (or the tenant's). Add it there, or fix the URL "
                         "the application sends.");
}

void tsr_authn_logout(struct tsr_req *req)
{
    struct tsr_client client = {0};
    const char *client_id = tsr_req_query(req, "client_id");
    const char *return_to = tsr_req_query(req, "returnTo");
    bool have_client = client_id != NULL && client_id[0] != '\0';
    if (have_client && tsr_client_get(req->store, req->tenant->t.id, client_id, &client) != 0) {
        tsr_login_error_page(req, 400, "Unknown application",
                             "The application that sent you here is not registered.");
        return;
    }
    if (return_to != NULL && return_to[0] != '\0') {
        bool allowed = (have_client && tsr_strlist_contains(&client.allowed_logout_urls, return_to)) ||
                       tsr_strlist_contains(&req->tenant->t.allowed_logout_urls, return_to);
        if (!allowed) {
            not_allowed_page(req);
            goto out;
        }
    }
    end_session(req, client_id);
    if (return_to != NULL && return_to[0] != '\0')
        redirect_to(req, return_to, NULL);
    else if (have_client && client.allowed_logout_urls.n > 0)
        redirect_to(req, client.allowed_logout_urls.v[0], NULL);
    else
        logged_out_page(req);
out:
    tsr_client_cleanup(&client);
}

/*
 * The client (aud) and user (sub) an id_token_hint was issued to: signed
 * by this tenant (any live key, expiry ignored as OpenID allows).
 */
static bool read_hint(struct tsr_req *req, const char *hint, char *client_id, char *sub, size_t len)
{
    tsr_jws *jws = NULL;
    if (tsr_tenant_jwt_verify(req->tenant, hint, &jws) != 0)
        return false;
    const json_t *payload = tsr_jws_payload(jws);
    const char *aud = json_string_value(json_object_get(payload, "aud"));
    const char *who = json_string_value(json_object_get(payload, "sub"));
    bool ok = aud != NULL && strlen(aud) < len && who != NULL && strlen(who) < len;
    if (ok) {
        strcpy(client_id, aud);
        strcpy(sub, who);
    }
    tsr_jws_free(jws);
    return ok;
}

/*
 * Whether the request may end the session without asking: a confirmation
 * form (POST with the CSRF token) or an id_token_hint of the session's own
 * user.  No session: there is nothing to end, so nothing to ask.
 */
static bool may_end_without_asking(struct tsr_req *req, bool confirmed, const char *hinted_sub)
{
    if (confirmed)
        return true;
    struct tsr_session s = {0};
    int rc = tsr_browser_session_current(req, &s);
    bool ok = rc == TSR_ENOTFOUND ||
              (rc == 0 && hinted_sub[0] != '\0' && strcmp(s.user_id, hinted_sub) == 0);
    tsr_session_cleanup(&s);
    return ok;
}

/*
 * RP-initiated logout on parameters p (query of a GET, form of a POST).
 * post_logout_redirect_uri must be one of the client's logout URLs, else
 * nothing happens.  A request that does not prove it comes from the
 * session's own application (no id_token_hint of its user) gets a page
 * asking the person to confirm (OpenID RP-Initiated Logout 1.0, section
 * 2); the page's POST carries a CSRF token and then ends the session.
 */
static void oidc_logout(struct tsr_req *req, const struct tsr_params *p, bool post)
{
    struct tsr_client client = {0};
    char hinted[128] = "", hinted_sub[128] = "";
    const char *hint = tsr_params_get(p, "id_token_hint");
    const char *param_client = tsr_params_get(p, "client_id");
    const char *post_logout = tsr_params_get(p, "post_logout_redirect_uri");
    const char *state = tsr_params_get(p, "state");
    const char *csrf = post ? tsr_params_get(p, "csrf") : NULL;
    if (hint != NULL && hint[0] != '\0' &&
        !read_hint(req, hint, hinted, hinted_sub, sizeof hinted)) {
        tsr_login_error_page(req, 400, "Invalid logout request",
                             "The id_token_hint was not issued by this server.");
        return;
    }
    if (hinted[0] != '\0' && param_client != NULL && param_client[0] != '\0' &&
        strcmp(hinted, param_client) != 0) {
        tsr_login_error_page(req, 400, "Invalid logout request",
                             "client_id does not match the id_token_hint.");
        return;
    }
    if (csrf != NULL && !tsr_login_csrf_ok(req, csrf)) {
        tsr_login_error_page(req, 403, "Logout expired",
                             "This logout form expired or was tampered with. Go back to the "
                             "application and log out again.");
        return;
    }
    const char *client_id = hinted[0] ? hinted : param_client;
    bool have_client = client_id != NULL && client_id[0] != '\0' &&
                       tsr_client_get(req->store, req->tenant->t.id, client_id, &client) == 0;
    bool have_return = post_logout != NULL && post_logout[0] != '\0';
    if (have_return &&
        !(have_client && tsr_strlist_contains(&client.allowed_logout_urls, post_logout))) {
        not_allowed_page(req);
        goto out;
    }
    if (!may_end_without_asking(req, csrf != NULL, hinted_sub)) {
        struct tsr_logout_form f = {
            .client_name = have_client ? client.name : NULL,
            .client_id = have_client ? client.client_id : NULL,
            .post_logout_redirect_uri = have_return ? post_logout : NULL,
            .state = state,
        };
        tsr_login_logout_confirm(req, &f);
        goto out;
    }
    end_session(req, have_client ? client.client_id : NULL);
    if (have_return)
        redirect_to(req, post_logout, state);
    else
        logged_out_page(req);
out:
    tsr_client_cleanup(&client);
}

void tsr_authn_oidc_logout(struct tsr_req *req)
{
    struct tsr_params p = {0};
    bool post = strcmp(req->method, "POST") == 0;
    if (tsr_req_query_or_form(req, &p) != 0)
        tsr_login_error_page(req, 400, "Invalid logout request",
                             "The logout request could not be read: a parameter is repeated, "
                             "too long or badly encoded.");
    else
        oidc_logout(req, &p, post);
    tsr_params_cleanup(&p);
}
