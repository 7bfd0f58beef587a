/*
 * reset.c - password reset: asking for a link (GET/POST
 * /u/reset-password/request[?state=H]) and choosing a new password with
 * it (GET/POST /u/reset-password?ticket=T).
 *
 * The request page answers the same whether or not an account exists, so
 * it cannot be used to find accounts.  With a login transaction its form
 * carries the transaction's CSRF token and its connection is the
 * transaction's; without one (opened directly) it uses the default
 * connection and the double-submit CSRF cookie, as the reset page does.
 *
 * A reset link is single use: the ticket is consumed before the new hash
 * is written, so two submissions cannot both succeed.  A changed password
 * ends every session of the user (their rows in sessions are deleted) and
 * revokes their refresh tokens: a reset often follows a compromise, and
 * Auth0 likewise ends the sessions.  A ticket made with
 * mark_email_as_verified also verifies the email, if it is still the one
 * the ticket was made for; one with a result_url ends there with
 * success=true&message=... (and email=... when the ticket asked for it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/lockout.h"
#include "core/password.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/cookie.h"
#include "http/response.h"
#include "login/login.h"
#include "login/page.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

/* ---- asking for a link ---- */

/* The request page's context: with a transaction (state) or standalone. */
struct request_ctx {
    bool has_flow;
    struct tsr_page_flow f;
    struct tsr_connection conn; /* standalone: the default connection */
    char csrf[64];
};

static const struct tsr_connection *request_conn(const struct request_ctx *r)
{
    return r->has_flow ? &r->f.conn : &r->conn;
}

static void request_cleanup(struct request_ctx *r)
{
    if (r->has_flow)
        tsr_page_flow_cleanup(&r->f);
    tsr_connection_cleanup(&r->conn);
    tsr_wipe(r->csrf, sizeof r->csrf);
}

/* Loads the context; on failure the error page is sent and false returned. */
static bool request_load(struct tsr_req *req, const struct tsr_params *form,
                         struct request_ctx *r)
{
    memset(r, 0, sizeof *r);
    bool sent;
    const char *state = tsr_page_handle(req, form, "state", &sent);
    if (sent)
        return false;
    if (state != NULL) {
        if (!tsr_page_flow_load(req, state, &r->f))
            return false;
        r->has_flow = true;
        snprintf(r->csrf, sizeof r->csrf, "%s", r->f.tx.csrf);
        return true;
    }
    int rc = tsr_connection_get_by_name(req->store, req->tenant->t.id, TSR_DEFAULT_CONNECTION,
                                        &r->conn);
    if (rc == TSR_ENOTFOUND) {
        tsr_login_error_page(req, 404, "Password reset is not available",
                             "This service has no password accounts.");
        return false;
    }
    if (rc != 0) {
        tsr_page_server_error(req, "load connection", rc);
        return false;
    }
    if (form == NULL && (rc = tsr_page_csrf_token(req, r->csrf)) != 0) {
        tsr_connection_cleanup(&r->conn);
        tsr_page_server_error(req, "csrf token", rc);
        return false;
    }
    return true;
}

static void request_show(struct tsr_req *req, const struct request_ctx *r, const char *email,
                         const char *error, const char *sent)
{
    struct tsr_page p;
    tsr_page_init(&p, req, "Reset your password");
    tsr_tpl_set(&p.ctx, "state", r->has_flow ? r->f.tx.handle : NULL);
    tsr_tpl_set(&p.ctx, "csrf", r->csrf);
    tsr_tpl_set(&p.ctx, "email", email);
    tsr_tpl_set(&p.ctx, "error", error);
    tsr_tpl_set(&p.ctx, "sent", sent);
    tsr_page_send(req, 200, "reset_request", &p);
}

void tsr_login_reset_request_get(struct tsr_req *req)
{
    struct request_ctx r;
    if (!request_load(req, NULL, &r))
        return;
    const char *hint = r.has_flow ? r.f.tx.ar.login_hint : NULL;
    request_show(req, &r, hint != NULL && tsr_page_email_ok(hint) ? hint : "", NULL, NULL);
    request_cleanup(&r);
}

/*
 * Queues the request for a reset link (the mail worker finds the account,
 * if there is one with an email address, mails its link and records scpr
 * or fcpr), so the page says the same and takes the same time in every
 * case.  A request that cannot be queued is only logged.
 */
static void send_link(struct tsr_req *req, const struct request_ctx *r, const char *email)
{
    int rc = tsr_ticket_queue_reset(tsr_req_who(req), request_conn(r), email,
                                    r->has_flow ? r->f.client->client_id : NULL,
                                    r->has_flow ? r->f.client->name : NULL);
    if (rc != 0)
        tsr_log(TSR_LOG_ERROR, "cannot queue a password reset request",
                json_pack("{s:s, s:s}", "request_id", req->request_id, "error", tsr_errname(rc)));
}

void tsr_login_reset_request_post(struct tsr_req *req)
{
    struct tsr_params form;
    if (!tsr_page_rate_ok(req, TSR_RATE_RESET) || !tsr_page_form(req, &form))
        return;
    struct request_ctx r;
    if (!request_load(req, &form, &r)) {
        tsr_params_cleanup(&form);
        return;
    }
    const char *csrf = tsr_params_get(&form, "csrf");
    bool csrf_ok = r.has_flow ? tsr_login_tx_csrf_ok(&r.f.tx, csrf)
                              : tsr_page_csrf_cookie_ok(req, csrf);
    const char *email = tsr_params_get(&form, "email");
    if (!csrf_ok) {
        tsr_login_error_page(req, 403, "Form expired",
                             r.has_flow ? TSR_LOGIN_MSG_TAMPERED
                                        : "This form expired or was tampered with. Open the "
                                          "page again and retry.");
    } else if (!tsr_page_email_ok(email)) {
        if (!r.has_flow && tsr_page_csrf_token(req, r.csrf) != 0)
            r.csrf[0] = '\0';
        request_show(req, &r, email && tsr_page_identifier_ok(email) ? email : "",
                     "Enter a valid email address.", NULL);
    } else {
        send_link(req, &r, email);
        request_show(req, &r, "", NULL, TSR_LOGIN_MSG_RESET_SENT);
    }
    request_cleanup(&r);
    tsr_params_cleanup(&form);
}

/* ---- choosing a new password ---- */

/* Finds the live ticket, its user and connection; on failure sends the page and returns false. */
static bool reset_load(struct tsr_req *req, const struct tsr_params *form,
                       struct tsr_page_ticket *r)
{
    int rc = tsr_page_ticket_load(req, form, TSR_TICKET_PASSWORD, r);
    if (rc == TSR_EINVAL)
        return false;
    if (rc == 0 && r->t.state != TSR_TICKET_LIVE) {
        tsr_page_ticket_cleanup(r);
        rc = TSR_ENOTFOUND;
    }
    if (rc == TSR_ENOTFOUND)
        tsr_login_error_page(req, 400, "Link not valid", TSR_LOGIN_MSG_TICKET_INVALID);
    else if (rc != 0)
        tsr_page_server_error(req, "load ticket", rc);
    return rc == 0;
}

static void reset_show(struct tsr_req *req, const struct tsr_page_ticket *r, const char *error)
{
    char csrf[64], policy[256];
    int rc = tsr_page_csrf_token(req, csrf);
    if (rc != 0) {
        tsr_page_server_error(req, "csrf token", rc);
        return;
    }
    tsr_page_policy_text(&r->conn, policy, sizeof policy);
    struct tsr_page p;
    tsr_page_init(&p, req, "Change your password");
    tsr_page_allow_form_target(&p, r->t.result_url);
    tsr_tpl_set(&p.ctx, "ticket", r->handle);
    tsr_tpl_set(&p.ctx, "csrf", csrf);
    tsr_tpl_set(&p.ctx, "email", r->user.email ? r->user.email : r->user.username);
    tsr_tpl_set(&p.ctx, "policy", policy);
    tsr_tpl_set(&p.ctx, "error", error);
    tsr_page_send(req, 200, "reset_password", &p);
    tsr_wipe(csrf, sizeof csrf);
}

void tsr_login_reset_get(struct tsr_req *req)
{
    struct tsr_page_ticket r;
    if (!reset_load(req, NULL, &r))
        return;
    reset_show(req, &r, NULL);
    tsr_page_ticket_cleanup(&r);
}

/*
 * mark_email_as_verified holds for the address the ticket was made for
 * only: a user who changed their email since has not proven the new one.
 */
static bool marks_email_verified(const struct tsr_page_ticket *r)
{
    return r->t.mark_email_verified && r->t.email[0] != '\0' && r->user.email != NULL &&
           strcmp(r->user.email, r->t.email) == 0;
}

/*
 * Consumes the ticket, then writes the new hash, ends the user's sessions
 * and releases its brute-force blocks.
 */
static int change_password(struct tsr_req *req, struct tsr_page_ticket *r, const char *password)
{
    char *hash = NULL;
    int rc = tsr_password_hash(password, &hash);
    if (rc != 0)
        return rc;
    rc = tsr_ticket_consume(req->store, req->tenant->t.id, TSR_TICKET_PASSWORD, r->handle);
    if (rc != 0) {
        tsr_wipe_free_str(hash);
        return rc;
    }
    if (marks_email_verified(r))
        r->user.email_verified = true;
    tsr_wipe_free_str(r->user.password_hash);
    r->user.password_hash = hash;
    r->user.last_password_reset = tsr_clock_now();
    r->user.updated_at = r->user.last_password_reset;
    if ((rc = tsr_user_update(req->store, &r->user)) != 0 ||
        (rc = tsr_user_end_sessions(req->store, req->tenant->t.id, r->user.user_id)) != 0)
        return rc;
    /* Whoever kept the account locked by guessing does not keep its owner out. */
    return tsr_lockout_release_user(tsr_req_who(req), &r->user,
                                    "User block released by a new password");
}

void tsr_login_reset_post(struct tsr_req *req)
{
    struct tsr_params form;
    if (!tsr_page_form(req, &form))
        return;
    struct tsr_page_ticket r;
    if (!reset_load(req, &form, &r)) {
        tsr_params_cleanup(&form);
        return;
    }
    const char *password = tsr_params_get(&form, "password");
    const char *confirm = tsr_params_get(&form, "password_confirm");
    char why[256];
    struct tsr_event e = {
        .type = "scp",
        .description = "Password changed with a reset link",
        .user_id = r.user.user_id,
        .user_name = r.user.email ? r.user.email : r.user.username,
        .connection = r.conn.name,
        .connection_id = r.conn.id,
    };
    if (!tsr_page_csrf_cookie_ok(req, tsr_params_get(&form, "csrf"))) {
        tsr_login_error_page(req, 403, "Form expired",
                             "This form expired or was tampered with. Open the link from the "
                             "email again.");
        goto out;
    }
    if (password == NULL || password[0] == '\0') {
        reset_show(req, &r, "Enter a new password.");
        goto out;
    }
    if (strlen(password) > TSR_PASSWORD_MAX) {
        reset_show(req, &r, "Use a password of at most 512 characters.");
        goto out;
    }
    if (confirm == NULL || !tsr_ct_streq(password, confirm)) {
        reset_show(req, &r, "The passwords do not match.");
        goto out;
    }
    if (!tsr_password_policy_ok(&r.conn, password, why, sizeof why)) {
        reset_show(req, &r, why);
        goto out;
    }
    int rc = change_password(req, &r, password);
    if (rc == TSR_ENOTFOUND) { /* consumed meanwhile by another submission */
        tsr_login_error_page(req, 400, "Link not valid", TSR_LOGIN_MSG_TICKET_INVALID);
        goto out;
    }
    if (rc != 0) {
        e.type = "fcp";
        e.description = tsr_strerror(rc);
        tsr_event_record(tsr_req_who(req), &e);
        tsr_page_server_error(req, "change password", rc);
        goto out;
    }
    tsr_event_record(tsr_req_who(req), &e);
    tsr_cookie_set(req, TSR_LOGIN_CSRF_COOKIE, "", 0);
    if (r.t.result_url[0] != '\0') {
        /* Set by the Management API caller (trusted), never by the request. */
        tsr_login_send_result(req, r.t.result_url, true, TSR_LOGIN_MSG_PASSWORD_CHANGED,
                              r.t.include_email ? r.user.email : NULL);
        goto out;
    }
    struct tsr_page p;
    tsr_page_init(&p, req, "Password changed");
    tsr_page_send(req, 200, "reset_done", &p);
out:
    tsr_page_ticket_cleanup(&r);
    tsr_params_cleanup(&form);
}
