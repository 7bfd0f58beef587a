/*
 * login.c - the login page, GET and POST /u/login?state=H.
 *
 * Unknown users and wrong passwords get the same page and message; the
 * event log tells them apart ("fu", "fp").  A successful login records
 * the login, starts a new session (replacing the browser's old one) and
 * continues the /authorize transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "authn/authorize.h"
#include "core/event.h"
#include "core/lockout.h"
#include "core/password.h"
#include "core/session.h"
#include "core/throttle.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/response.h"
#include "login/login.h"
#include "login/page.h"
#include "util/clock.h"
#include "util/err.h"

/* Sends the login form with status, with an optional error sentence. */
static void show_status(struct tsr_req *req, unsigned status, const struct tsr_page_flow *f,
                        const char *username, const char *error)
{
    struct tsr_page p;
    tsr_page_init(&p, req, "Log in");
    tsr_page_allow_form_target(&p, f->tx.ar.redirect_uri);
    tsr_tpl_set(&p.ctx, "client_name", f->client->name);
    tsr_tpl_set(&p.ctx, "state", f->tx.handle);
    tsr_tpl_set(&p.ctx, "csrf", f->tx.csrf);
    tsr_tpl_set(&p.ctx, "username", username);
    tsr_tpl_set(&p.ctx, "username_label",
                f->conn.requires_username ? "Email or username" : "Email address");
    tsr_tpl_set(&p.ctx, "requires_username", f->conn.requires_username ? "1" : "");
    tsr_tpl_set(&p.ctx, "signup_allowed", f->conn.disable_signup ? "" : "1");
    tsr_tpl_set(&p.ctx, "error", error);
    tsr_page_send(req, status, "login", &p);
}

static void show(struct tsr_req *req, const struct tsr_page_flow *f, const char *username,
                 const char *error)
{
    show_status(req, 200, f, username, error);
}

/*
 * The account's throttle (core/throttle.h): reserves this attempt and
 * returns true when it may go on; otherwise the form is sent with 429 and
 * Retry-After (or a 500 when the throttle cannot be read).  account
 * receives the account the name belongs to ("" when the connection does
 * not protect against brute force).
 */
static bool account_may_try(struct tsr_req *req, const struct tsr_page_flow *f, const char *ident,
                            const char *ip, char account[TSR_THROTTLE_ACCOUNT_MAX])
{
    int64_t wait = 0;
    account[0] = '\0';
    if (!f->conn.brute_force_protection)
        return true;
    int rc = tsr_throttle_account(req->store, &f->conn, ident, ip, account);
    if (rc == 0)
        rc = tsr_throttle_reserve(req->store, &req->tenant->limits, req->tenant->t.id, account,
                                  tsr_clock_now(), &wait);
    if (rc != 0) {
        tsr_page_server_error(req, "login throttle", rc);
        return false;
    }
    if (wait == 0)
        return true;
    tsr_page_flow_event(req, f, "limit_wc", "Blocked: too many failed logins of the account", NULL,
                        ident);
    tsr_page_retry_after(req, wait);
    show_status(req, 429, f, ident, TSR_LOGIN_MSG_THROTTLED);
    return false;
}

/*
 * The per-address lockout (core/lockout.h): true when this address may try
 * the name; otherwise the form is sent (or a 500 when the lockout cannot
 * be read: it fails closed).
 */
static bool address_may_try(struct tsr_req *req, const struct tsr_page_flow *f, const char *ident,
                            const char *ip)
{
    bool locked = false;
    if (!f->conn.brute_force_protection)
        return true;
    int rc =
        tsr_lockout_check(req->store, &req->tenant->limits, req->tenant->t.id, ident, ip, &locked);
    if (rc != 0) {
        tsr_page_server_error(req, "login lockout", rc);
        return false;
    }
    if (!locked)
        return true;
    tsr_page_flow_event(req, f, "limit_wc", "Blocked: too many failed logins", NULL, ident);
    show(req, f, ident, TSR_LOGIN_MSG_LOCKED);
    return false;
}

void tsr_login_page_get(struct tsr_req *req)
{
    bool sent;
    const char *state = tsr_page_handle(req, NULL, "state", &sent);
    struct tsr_page_flow f;
    if (sent || !tsr_page_flow_load(req, state, &f))
        return;
    const char *hint = f.tx.ar.login_hint;
    show(req, &f, hint != NULL && tsr_page_identifier_ok(hint) ? hint : "", NULL);
    tsr_page_flow_cleanup(&f);
}

void tsr_login_page_post(struct tsr_req *req)
{
    struct tsr_params form;
    char account[TSR_THROTTLE_ACCOUNT_MAX];
    if (!tsr_page_rate_ok(req, TSR_RATE_LOGIN) || !tsr_page_form(req, &form))
        return;
    bool sent;
    const char *state = tsr_page_handle(req, &form, "state", &sent);
    struct tsr_page_flow f;
    if (sent || !tsr_page_flow_load(req, state, &f)) {
        tsr_params_cleanup(&form);
        return;
    }
    struct tsr_user u = {0};
    const char *ident = tsr_params_get(&form, "username");
    const char *password = tsr_params_get(&form, "password");
    if (!tsr_login_tx_csrf_ok(&f.tx, tsr_params_get(&form, "csrf"))) {
        tsr_login_error_page(req, 403, "Login expired", TSR_LOGIN_MSG_TAMPERED);
        goto out;
    }
    if (ident == NULL || ident[0] == '\0' || password == NULL || password[0] == '\0') {
        show(req, &f, ident && tsr_page_identifier_ok(ident) ? ident : "",
             f.conn.requires_username ? "Enter your email or username and your password."
                                      : "Enter your email address and your password.");
        goto out;
    }
    if (!tsr_page_identifier_ok(ident) || strlen(password) > TSR_PASSWORD_MAX) {
        /* No account can match: same answer as a wrong password, without hashing. */
        tsr_page_flow_event(req, &f, "f", TSR_LOGIN_MSG_WRONG, NULL, "");
        show(req, &f, "", TSR_LOGIN_MSG_WRONG);
        goto out;
    }
    char ip[64];
    tsr_req_client_ip(req, ip);
    if (!address_may_try(req, &f, ident, ip) || !account_may_try(req, &f, ident, ip, account))
        goto out;
    enum tsr_login_result result = TSR_LOGIN_UNKNOWN_USER;
    int rc = tsr_user_authenticate(req->store, &f.conn, ident, password, &u, &result);
    if (rc != 0) {
        tsr_page_server_error(req, "authenticate", rc);
        goto out;
    }
    switch (result) {
    case TSR_LOGIN_OK:
        if (account[0] != '\0')
            (void)tsr_throttle_clear_user(req->store, req->tenant->t.id, u.user_id);
        tsr_page_flow_logged_in(req, &f, &u);
        break;
    case TSR_LOGIN_BLOCKED:
        tsr_page_flow_event(req, &f, "f", "user is blocked", u.user_id, ident);
        show(req, &f, ident, TSR_LOGIN_MSG_BLOCKED);
        break;
    case TSR_LOGIN_WRONG_PASSWORD:
        tsr_page_flow_event(req, &f, "fp", TSR_LOGIN_MSG_WRONG, NULL, ident);
        tsr_ticket_send_lock_notice(tsr_req_who(req), &f.conn, ident, ip);
        show(req, &f, ident, TSR_LOGIN_MSG_WRONG);
        break;
    case TSR_LOGIN_UNKNOWN_USER:
    default:
        tsr_page_flow_event(req, &f, "fu", TSR_LOGIN_MSG_WRONG, NULL, ident);
        /* Finds nothing to lock; run so that the work does not differ from a wrong password. */
        tsr_ticket_send_lock_notice(tsr_req_who(req), &f.conn, ident, ip);
        show(req, &f, ident, TSR_LOGIN_MSG_WRONG);
        break;
    }
out:
    tsr_user_cleanup(&u);
    tsr_page_flow_cleanup(&f);
    tsr_params_cleanup(&form);
}
