/*
 * page.c - plumbing shared by the Universal Login pages (see page.h).
 *
 * Divisions: rate limits; forms and handles; loading a login transaction;
 * events and the logged-in person; ticket links.  Branding, sending, the
 * error page and the CSRF cookie are page/page.c's.
 */
#include "login/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authn/authorize.h"
#include "core/app.h"
#include "core/catalog.h"
#include "core/event.h"
#include "core/input.h"
#include "core/rate_limit.h"
#include "core/session.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/browser.h"
#include "http/response.h"
#include "login/login.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

/* ---- rate limits ---- */

void tsr_page_retry_after(struct tsr_req *req, int64_t seconds)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)seconds);
    tsr_resp_header(req, "Retry-After", v);
}

bool tsr_page_rate_ok(struct tsr_req *req, enum tsr_rate_class cls)
{
    int64_t wait = 0;
    int rc = tsr_rate_limit_request(tsr_req_who(req), cls, &wait);
    if (rc == 0)
        return true;
    if (rc != TSR_EBUSY) {
        tsr_page_server_error(req, "rate limit", rc);
        return false;
    }
    tsr_page_retry_after(req, wait);
    tsr_login_error_page(req, 429, "Too many requests", TSR_LOGIN_MSG_TOO_MANY);
    return false;
}

/* ---- forms and handles ---- */

bool tsr_page_form(struct tsr_req *req, struct tsr_params *form)
{
    memset(form, 0, sizeof *form);
    if (!tsr_req_is_content_type(req, "application/x-www-form-urlencoded")) {
        tsr_login_error_page(req, 415, "The form could not be read",
                             "The form was not sent as a web form. Go back and try again.");
        return false;
    }
    char err[256];
    if (tsr_params_parse_form(form, req->body ? req->body : "", req->body_len, err,
                              sizeof err) != 0) {
        tsr_login_error_page(req, 400, "The form could not be read",
                             "The form could not be read. Go back and try again.");
        return false;
    }
    return true;
}

const char *tsr_page_handle(struct tsr_req *req, const struct tsr_params *form, const char *name,
                            bool *sent)
{
    *sent = false;
    const char *f = form ? tsr_params_get(form, name) : NULL;
    const char *q = tsr_req_query(req, name);
    if (f != NULL && q != NULL && strcmp(f, q) != 0) {
        tsr_login_error_page(req, 403, "Login expired", TSR_LOGIN_MSG_TAMPERED);
        *sent = true;
        return NULL;
    }
    const char *v = f != NULL ? f : q;
    if (v == NULL || v[0] == '\0' || strlen(v) > TSR_LOGIN_HANDLE_MAX)
        return NULL;
    return v;
}

/* ---- login transactions ---- */

void tsr_page_flow_cleanup(struct tsr_page_flow *f)
{
    tsr_login_tx_cleanup(&f->tx);
    tsr_connection_cleanup(&f->conn);
}

bool tsr_page_flow_load(struct tsr_req *req, const char *state, struct tsr_page_flow *f)
{
    memset(f, 0, sizeof *f);
    const char *tid = req->tenant->t.id;
    int rc = TSR_ENOTFOUND;
    if (state != NULL)
        rc = tsr_browser_login_tx_load(req, state, &f->tx);
    if (rc == TSR_ENOTFOUND) {
        tsr_login_error_page(req, 400, "Login expired", TSR_LOGIN_MSG_EXPIRED);
        goto fail;
    }
    if (rc != 0) {
        tsr_page_server_error(req, "load login transaction", rc);
        goto fail;
    }
    f->client = tsr_catalog_client(req->tenant->catalog, f->tx.ar.client_id);
    if (f->client == NULL) {
        tsr_login_error_page(req, 400, "Application not found",
                             "The application you are logging in to no longer exists.");
        goto fail;
    }
    const char *name = f->tx.ar.connection != NULL && f->tx.ar.connection[0] != '\0'
                           ? f->tx.ar.connection
                           : TSR_DEFAULT_CONNECTION;
    rc = tsr_connection_get_by_name(req->store, tid, name, &f->conn);
    if (rc != 0 && rc != TSR_ENOTFOUND) {
        tsr_page_server_error(req, "load connection", rc);
        goto fail;
    }
    if (rc == TSR_ENOTFOUND || strcmp(f->conn.strategy ? f->conn.strategy : "", "auth0") != 0 ||
        !tsr_connection_enabled_for(&f->conn, f->client->client_id)) {
        tsr_login_error_page(req, 400, "Login is not available",
                             "This application is not set up to log people in with this "
                             "connection. Contact the application's support.");
        goto fail;
    }
    return true;
fail:
    tsr_page_flow_cleanup(f);
    return false;
}

/* ---- events and the logged-in person ---- */

void tsr_page_flow_event(struct tsr_req *req, const struct tsr_page_flow *f, const char *type,
                   const char *description, const char *user_id, const char *user_name)
{
    struct tsr_event e = {
        .type = type,
        .description = description,
        .client_id = f->client->client_id,
        .client_name = f->client->name,
        .user_id = user_id,
        .user_name = user_name,
        .connection = f->conn.name,
        .connection_id = f->conn.id,
    };
    tsr_event_record(tsr_req_who(req), &e);
}

/* What the event log names a user by: the email, else the username. */
const char *tsr_page_user_name(const struct tsr_user *u)
{
    if (u->email != NULL && u->email[0] != '\0')
        return u->email;
    return u->username ? u->username : "";
}

/* The person is known: record, start the session, continue /authorize. */
void tsr_page_flow_logged_in(struct tsr_req *req, struct tsr_page_flow *f, struct tsr_user *u)
{
    char ip[64];
    tsr_req_client_ip(req, ip);
    int rc = tsr_user_record_login(req->store, u, ip);
    if (rc != 0) {
        tsr_page_server_error(req, "record login", rc);
        return;
    }
    tsr_page_flow_event(req, f, "s", "Successful login", u->user_id, tsr_page_user_name(u));
    struct tsr_session s = {0};
    if ((rc = tsr_browser_session_start(req, u->user_id, &s)) != 0) {
        tsr_page_server_error(req, "start session", rc);
        return;
    }
    if ((rc = tsr_login_tx_set_user(tsr_req_who(req), &f->tx, u->user_id)) != 0) {
        tsr_session_cleanup(&s);
        tsr_page_server_error(req, "set transaction user", rc);
        return;
    }
    tsr_authorize_resume(req, &f->tx, &s);
    tsr_session_cleanup(&s);
}

/* ---- ticket links ---- */

void tsr_page_ticket_cleanup(struct tsr_page_ticket *pt)
{
    tsr_ticket_cleanup(&pt->t);
    tsr_user_cleanup(&pt->user);
    tsr_connection_cleanup(&pt->conn);
}

int tsr_page_ticket_load(struct tsr_req *req, const struct tsr_params *form,
                         enum tsr_ticket_kind kind, struct tsr_page_ticket *pt)
{
    memset(pt, 0, sizeof *pt);
    bool sent;
    const char *tid = req->tenant->t.id;
    pt->handle = tsr_page_handle(req, form, "ticket", &sent);
    if (sent)
        return TSR_EINVAL;
    int rc = TSR_ENOTFOUND;
    if (pt->handle != NULL)
        rc = tsr_ticket_find(req->store, tid, kind, pt->handle, &pt->t);
    if (rc == 0)
        rc = tsr_user_get(req->store, tid, pt->t.user_id, &pt->user);
    if (rc == 0)
        rc = tsr_connection_get(req->store, tid, pt->user.connection_id, &pt->conn);
    if (rc != 0)
        tsr_page_ticket_cleanup(pt);
    return rc;
}

void tsr_login_send_result(struct tsr_req *req, const char *result_url, bool success,
                           const char *message, const char *email)
{
    char *url = tsr_ticket_result_url(result_url, success, message, email);
    if (url == NULL) {
        tsr_page_server_error(req, "result url", TSR_ENOMEM);
        return;
    }
    tsr_resp_redirect(req, url);
    free(url);
}
