/*
 * The token endpoint's grants that act for a person: authorization_code
 * (with PKCE), refresh_token (rotation and reuse detection) and the
 * password grants (only for clients that enable them).
 */
#include "authn/token_user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authn/user_tokens.h"
#include "core/auth_code.h"
#include "core/connection.h"
#include "core/event.h"
#include "core/lockout.h"
#include "core/rate_limit.h"
#include "core/refresh_token.h"
#include "core/scope.h"
#include "core/throttle.h"
#include "core/ticket.h"
#include "core/token_policy.h"
#include "core/user.h"
#include "http/response.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

static void event(struct tsr_req *req, const char *type, const struct tsr_client *client,
                  const char *user_id, const char *description)
{
    struct tsr_event e = {.type = type,
                          .description = description,
                          .client_id = client->client_id,
                          .client_name = client->name,
                          .user_id = user_id};
    tsr_event_record(tsr_req_who(req), &e);
}

static bool grant_allowed(struct tsr_req *req, const struct tsr_client *client,
                          const char *grant_type)
{
    if (tsr_token_grant_allowed(client, grant_type))
        return true;
    tsr_resp_oauth_error(req, 400, "unauthorized_client",
                         "Grant type '%.100s' not allowed for the client.", grant_type);
    return false;
}

/* Loads the person tokens are for; blocked people get Auth0's "user is blocked". */
static bool load_user(struct tsr_req *req, const char *user_id, struct tsr_user *u,
                      const char *invalid_grant_text)
{
    enum tsr_subject_verdict v;
    if (tsr_token_subject(req->store, req->tenant->t.id, user_id, u, &v) != 0)
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot read the user");
    else if (v == TSR_SUBJECT_BLOCKED)
        tsr_resp_oauth_error(req, 401, "unauthorized", "user is blocked");
    else if (v == TSR_SUBJECT_GONE)
        tsr_resp_oauth_error(req, 400, "invalid_grant", "%s", invalid_grant_text);
    else
        return true;
    return false;
}

/* The event and the answer for a presentation that issues nothing. */
static void code_refused(struct tsr_req *req, const struct tsr_client *client,
                         const struct tsr_auth_code *code, enum tsr_code_verdict v)
{
    const char *what = "Invalid authorization code";
    if (v == TSR_CODE_WRONG_REDIRECT)
        what = "redirect_uri must be the one sent to /authorize";
    else if (v == TSR_CODE_WRONG_VERIFIER)
        what = "Failed to verify code verifier";
    /* A code of another client is not this client's business: no user in its log. */
    event(req, "feacft", client, v == TSR_CODE_WRONG_CLIENT ? NULL : code->user_id,
          v == TSR_CODE_REPLAYED ? "Authorization code reused" : what);
    tsr_resp_oauth_error(req, 400, "invalid_grant", "%s", what);
}

void tsr_token_authorization_code(struct tsr_req *req, const struct tsr_params *p,
                                  const struct tsr_client *client)
{
    struct tsr_auth_code code = {0};
    struct tsr_user user = {0};
    const char *tid = req->tenant->t.id;
    if (!grant_allowed(req, client, "authorization_code"))
        return;
    const char *value = tsr_params_get(p, "code");
    if (value == NULL || value[0] == '\0') {
        tsr_resp_oauth_error(req, 400, "invalid_request", "Missing required parameter: code");
        return;
    }
    enum tsr_code_verdict v;
    int rc = tsr_code_redeem(req->store, tid, value, client->client_id,
                             tsr_params_get(p, "redirect_uri"), tsr_params_get(p, "code_verifier"),
                             tsr_clock_now(), &code, &v);
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot redeem the code");
        goto out;
    }
    if (v == TSR_CODE_UNKNOWN) {
        tsr_resp_oauth_error(req, 400, "invalid_grant", "Invalid authorization code");
        goto out;
    }
    if (v != TSR_CODE_OK) {
        code_refused(req, client, &code, v);
        goto out;
    }
    if (!load_user(req, code.user_id, &user, "Invalid authorization code"))
        goto out;
    struct tsr_user_grant g = {
        .client = client,
        .user = &user,
        .scope = code.scope,
        .audience = code.audience,
        .nonce = code.nonce,
        .sid = code.sid,
        .auth_time = code.auth_time,
        .family_id = code.hash,
        .issue_refresh = tsr_scope_has(code.scope, "offline_access"),
        .rt_expires_at = -1,
    };
    if (tsr_user_tokens_send(req, &g))
        event(req, "seacft", client, user.user_id, "Authorization Code for Access Token");
out:
    tsr_user_cleanup(&user);
    tsr_auth_code_cleanup(&code);
}

static const char unknown_rt[] = "Unknown or invalid refresh token.";

void tsr_token_refresh(struct tsr_req *req, const struct tsr_params *p,
                       const struct tsr_client *client)
{
    struct tsr_refresh_token t = {0};
    struct tsr_user user = {0};
    char *scope = NULL;
    const char *tid = req->tenant->t.id;
    if (!grant_allowed(req, client, "refresh_token"))
        return;
    const char *value = tsr_params_get(p, "refresh_token");
    if (value == NULL || value[0] == '\0') {
        tsr_resp_oauth_error(req, 400, "invalid_request",
                             "Missing required parameter: refresh_token");
        return;
    }
    enum tsr_rt_verdict v;
    int rc = tsr_rt_present(req->store, tid, client, value, tsr_clock_now(), &t, &v);
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot read the refresh token");
        goto out;
    }
    if (v == TSR_RT_REUSED) {
        /* A rotated token came back: someone holds a copy.  The whole family went. */
        event(req, "ferrt", client, t.user_id, "Reuse of a rotated refresh token detected");
        tsr_resp_oauth_error(req, 400, "invalid_grant", "%s", unknown_rt);
        goto out;
    }
    if (v != TSR_RT_OK) {
        if (v != TSR_RT_UNKNOWN)
            event(req, "fertft", client, t.user_id, unknown_rt);
        tsr_resp_oauth_error(req, 400, "invalid_grant", "%s", unknown_rt);
        goto out;
    }
    if (!load_user(req, t.user_id, &user, unknown_rt))
        goto out;
    if (!tsr_connection_user_serves(req->store, tid, &user, client->client_id, NULL)) {
        event(req, "fertft", client, t.user_id, "The user's connection is not enabled for the client");
        tsr_resp_oauth_error(req, 400, "invalid_grant", "%s", unknown_rt);
        goto out;
    }
    rc = tsr_scope_narrow(tsr_params_get(p, "scope"), t.scope, &scope);
    if (rc == TSR_EINVAL) {
        tsr_resp_oauth_error(req, 400, "invalid_scope",
                             "The scope may only narrow the refresh token's scope");
        goto out;
    }
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        goto out;
    }
    /* The refreshed ID token has no nonce; the new refresh token keeps the family's scope. */
    struct tsr_user_grant g = {
        .client = client,
        .user = &user,
        .scope = scope,
        .audience = t.audience,
        .nonce = "",
        .sid = t.sid,
        .auth_time = t.auth_time,
        .family_id = t.family_id,
        .issue_refresh = tsr_rt_rotating(client),
        .rt_expires_at = t.expires_at,
    };
    rc = tsr_rt_spend(req->store, tid, client, &t, scope, &g.refresh_token);
    if (rc == TSR_ENOTFOUND) { /* a concurrent refresh rotated it first */
        tsr_resp_oauth_error(req, 400, "invalid_grant", "%s", unknown_rt);
        goto out;
    }
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot spend the refresh token");
        goto out;
    }
    if (tsr_user_tokens_send(req, &g))
        event(req, "sertft", client, user.user_id, "Refresh Token for Access Token");
out:
    free(scope);
    tsr_user_cleanup(&user);
    tsr_refresh_token_cleanup(&t);
}

/* The connection of a password grant: realm, else the tenant's default directory. */
static bool password_connection(struct tsr_req *req, const struct tsr_params *p,
                                const struct tsr_client *client, struct tsr_connection *c)
{
    const char *name = NULL;
    enum tsr_pw_conn_verdict v;
    if (tsr_password_connection(req->store, req->tenant->t.id, req->tenant->t.default_directory,
                                tsr_params_get(p, "realm"), client->client_id, c, &name,
                                &v) != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot read the connection");
        return false;
    }
    switch (v) {
    case TSR_PW_CONN_OK:
        return true;
    case TSR_PW_CONN_NO_DEFAULT:
        tsr_resp_oauth_error(req, 500, "server_error",
                             "Authorization server not configured with default connection.");
        break;
    case TSR_PW_CONN_UNKNOWN_REALM:
        tsr_resp_oauth_error(req, 400, "invalid_request", "Unknown realm: %.128s", name);
        break;
    case TSR_PW_CONN_NOT_ENABLED:
        tsr_resp_oauth_error(req, 400, "invalid_request",
                             "The connection is not enabled for this application");
        break;
    }
    return false;
}

static void retry_after(struct tsr_req *req, int64_t seconds)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)seconds);
    tsr_resp_header(req, "Retry-After", v);
}

/* Counts the request against the login rates of its address and tenant; false once answered. */
static bool rate_ok(struct tsr_req *req)
{
    int64_t wait = 0;
    int rc = tsr_rate_limit_request(tsr_req_who(req), TSR_RATE_LOGIN, &wait);
    if (rc == 0)
        return true;
    if (rc == TSR_EBUSY) {
        retry_after(req, wait);
        tsr_resp_oauth_error(req, 429, "too_many_requests",
                             "Too many login attempts from this address; retry later.");
    } else {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot count the request");
    }
    return false;
}

/*
 * The brute-force checks before the password is looked at: this address
 * locked out of this name (core/lockout.h), then the account slowed down
 * whatever the address, where the attempt is reserved (core/throttle.h),
 * so nothing needs writing after the hash but events.  Either failing to
 * read refuses the login.  false once answered.
 */
static bool attempts_ok(struct tsr_req *req, const struct tsr_client *client,
                        const char *username, const char *ip, const char *account)
{
    const struct tsr_limits *l = &req->tenant->limits;
    int64_t wait = 0;
    bool locked = false;
    if (tsr_lockout_check(req->store, l, req->tenant->t.id, username, ip, &locked) != 0 ||
        (!locked && tsr_throttle_reserve(req->store, l, req->tenant->t.id, account, tsr_clock_now(),
                                         &wait) != 0)) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot check the password");
        return false;
    }
    if (locked) {
        /* The lock ends at the latest one window after the failure that set it. */
        event(req, "limit_wc", client, NULL, "Blocked: too many failed logins");
        retry_after(req, l->lockout_window);
    } else if (wait > 0) {
        event(req, "limit_wc", client, NULL, "Blocked: too many failed logins of the account");
        retry_after(req, wait);
    } else {
        return true;
    }
    tsr_resp_oauth_error(req, 429, "too_many_attempts",
                         "Your account has been blocked after multiple consecutive login "
                         "attempts.");
    return false;
}

void tsr_token_password(struct tsr_req *req, const struct tsr_params *p,
                        const struct tsr_client *client, const char *grant_type)
{
    struct tsr_connection c = {0};
    struct tsr_user user = {0};
    enum tsr_login_result result;
    char *scope = NULL;
    char account[TSR_THROTTLE_ACCOUNT_MAX] = "";
    if (!rate_ok(req) || !grant_allowed(req, client, grant_type) ||
        !password_connection(req, p, client, &c))
        return;
    const char *username = tsr_params_get(p, "username");
    const char *password = tsr_params_get(p, "password");
    if (username == NULL || password == NULL) {
        tsr_resp_oauth_error(req, 400, "invalid_request",
                             "Missing required parameters: username and password");
        goto out;
    }
    char ip[64];
    tsr_req_client_ip(req, ip);
    if (c.brute_force_protection) {
        if (tsr_throttle_account(req->store, &c, username, ip, account) != 0) {
            tsr_resp_oauth_error(req, 500, "server_error", "Cannot check the password");
            goto out;
        }
        if (!attempts_ok(req, client, username, ip, account))
            goto out;
    }
    int rc = tsr_user_authenticate(req->store, &c, username, password, &user, &result);
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot check the password");
        goto out;
    }
    if (result == TSR_LOGIN_BLOCKED) {
        event(req, "fepft", client, user.user_id, "user is blocked");
        tsr_resp_oauth_error(req, 401, "unauthorized", "user is blocked");
        goto out;
    }
    if (result != TSR_LOGIN_OK) {
        /*
         * "fp" with the name typed feeds the brute-force count, as on the login
         * page.  An unknown name gets "fu" and the same lockout check (which
         * finds nothing), so the work, like the answer, does not say which.
         */
        struct tsr_event e = {.type = result == TSR_LOGIN_WRONG_PASSWORD ? "fp" : "fu",
                              .description = "Wrong email or password.",
                              .client_id = client->client_id, .client_name = client->name,
                              .user_name = username, .connection = c.name, .connection_id = c.id};
        tsr_event_record(tsr_req_who(req), &e);
        tsr_ticket_send_lock_notice(tsr_req_who(req), &c, username, ip);
        e.type = "fepft"; /* the name typed, as "fp" has it, whether or not an account has it */
        tsr_event_record(tsr_req_who(req), &e);
        tsr_resp_oauth_error(req, 400, "invalid_grant", "Wrong email or password.");
        goto out;
    }
    if (account[0] != '\0')
        (void)tsr_throttle_clear_user(req->store, req->tenant->t.id, user.user_id);
    tsr_user_record_login(req->store, &user, ip);
    struct tsr_event ok = {.type = "s", .description = "Successful login",
                           .client_id = client->client_id, .client_name = client->name,
                           .user_id = user.user_id, .user_name = username,
                           .connection = c.name, .connection_id = c.id};
    tsr_event_record(tsr_req_who(req), &ok);
    const char *audience = tsr_params_get(p, "audience");
    if (audience == NULL || audience[0] == '\0')
        audience = req->tenant->t.default_audience;
    rc = tsr_user_tokens_scope(req, client, audience, tsr_params_get(p, "scope"), &scope);
    if (rc == TSR_ENOTFOUND) {
        tsr_resp_oauth_error(req, 403, "access_denied", "Service not found: %.600s", audience);
        goto out;
    }
    char family[33];
    if (scope == NULL || tsr_random_alnum(family, 32) != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        goto out;
    }
    struct tsr_user_grant g = {
        .client = client,
        .user = &user,
        .scope = scope,
        .audience = audience,
        .nonce = "",
        .sid = "",
        .auth_time = tsr_clock_now(),
        .family_id = family,
        .issue_refresh = tsr_scope_has(scope, "offline_access"),
        .rt_expires_at = -1,
    };
    if (tsr_user_tokens_send(req, &g))
        event(req, "sepft", client, user.user_id, "Password for Access Token");
out:
    free(scope);
    tsr_user_cleanup(&user);
    tsr_connection_cleanup(&c);
}
