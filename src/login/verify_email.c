/*
 * verify_email.c - confirming an email address with a verification link
 * (GET/POST /u/email-verification?ticket=T).
 *
 * Opening the link shows a page with one button; the address is verified
 * when that form is posted, not on the GET.  Mail scanners and link
 * previews fetch links before the person does: verifying on GET would let
 * them use up the single-use ticket, and the person would then meet a
 * "link already used" page.  The form carries the double-submit CSRF
 * token of the pages without a login transaction.
 *
 * A link that cannot be used (unknown, used, expired, or made for an
 * address the account no longer has) shows an error page saying which;
 * when the ticket is known and has a result_url, the browser goes there
 * instead with success=false and the same sentence, as Auth0 does.
 */
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/cookie.h"
#include "login/login.h"
#include "login/page.h"
#include "util/err.h"
#include "util/secure.h"

#define MSG_UNKNOWN                                                                                \
    "This email verification link is not valid. Check that you opened the whole link from "        \
    "the email."
#define MSG_USED                                                                                   \
    "This email verification link was already used. If your email is not verified yet, ask "       \
    "the application for a new link."
#define MSG_EXPIRED "This email verification link has expired. Ask the application for a new one."
#define MSG_CHANGED                                                                                \
    "This link was for an email address your account no longer uses. Ask the application for "     \
    "a new link."

static void record(struct tsr_req *req, const struct tsr_page_ticket *v, const char *type,
                   const char *description)
{
    struct tsr_event e = {
        .type = type,
        .description = description,
        .client_id = v->t.client_id,
        .user_id = v->t.user_id,
        .user_name = v->user.email ? v->user.email : v->t.email,
        .connection = v->conn.name,
        .connection_id = v->conn.id,
    };
    tsr_event_record(tsr_req_who(req), &e);
}

/* The failure answer of a known ticket: event fv, then result_url or the error page. */
static void refuse(struct tsr_req *req, const struct tsr_page_ticket *v, const char *message)
{
    record(req, v, "fv", message);
    if (v->t.result_url[0] != '\0')
        tsr_login_send_result(req, v->t.result_url, false, message, NULL);
    else
        tsr_login_error_page(req, 400, "Link not valid", message);
}

/* True when the user's address is still the one the ticket was made for. */
static bool same_email(const struct tsr_page_ticket *v)
{
    return v->user.email != NULL && v->t.email[0] != '\0' && strcmp(v->user.email, v->t.email) == 0;
}

/* Loads the live ticket, its user and connection; otherwise answers and returns false. */
static bool verify_load(struct tsr_req *req, const struct tsr_params *form,
                        struct tsr_page_ticket *v)
{
    int rc = tsr_page_ticket_load(req, form, TSR_TICKET_EMAIL, v);
    if (rc == TSR_EINVAL)
        return false;
    if (rc == TSR_ENOTFOUND) /* unknown to us: no user to name, nothing to record */
        tsr_login_error_page(req, 400, "Link not valid", MSG_UNKNOWN);
    else if (rc != 0)
        tsr_page_server_error(req, "load ticket", rc);
    else if (v->t.state == TSR_TICKET_USED)
        refuse(req, v, MSG_USED);
    else if (v->t.state == TSR_TICKET_EXPIRED)
        refuse(req, v, MSG_EXPIRED);
    else if (!same_email(v))
        refuse(req, v, MSG_CHANGED);
    else
        return true;
    if (rc == 0)
        tsr_page_ticket_cleanup(v);
    return false;
}

void tsr_login_verify_email_get(struct tsr_req *req)
{
    struct tsr_page_ticket v;
    if (!verify_load(req, NULL, &v))
        return;
    char csrf[64];
    int rc = tsr_page_csrf_token(req, csrf);
    if (rc != 0) {
        tsr_page_server_error(req, "csrf token", rc);
        tsr_page_ticket_cleanup(&v);
        return;
    }
    struct tsr_page p;
    tsr_page_init(&p, req, "Verify your email");
    tsr_page_allow_form_target(&p, v.t.result_url);
    tsr_tpl_set(&p.ctx, "ticket", v.handle);
    tsr_tpl_set(&p.ctx, "csrf", csrf);
    tsr_tpl_set(&p.ctx, "email", v.user.email);
    tsr_page_send(req, 200, "verify_email", &p);
    tsr_wipe(csrf, sizeof csrf);
    tsr_page_ticket_cleanup(&v);
}

void tsr_login_verify_email_post(struct tsr_req *req)
{
    struct tsr_params form;
    if (!tsr_page_form(req, &form))
        return;
    struct tsr_page_ticket v;
    if (!verify_load(req, &form, &v)) {
        tsr_params_cleanup(&form);
        return;
    }
    if (!tsr_page_csrf_cookie_ok(req, tsr_params_get(&form, "csrf"))) {
        tsr_login_error_page(req, 403, "Form expired",
                             "This form expired or was tampered with. Open the link from the "
                             "email again.");
        goto out;
    }
    int rc = tsr_ticket_verify_email(req->store, req->tenant->t.id, v.handle);
    if (rc == TSR_ENOTFOUND) { /* used meanwhile by another submission */
        refuse(req, &v, MSG_USED);
        goto out;
    }
    if (rc == TSR_ECONFLICT) {
        refuse(req, &v, MSG_CHANGED);
        goto out;
    }
    if (rc != 0) {
        tsr_page_server_error(req, "verify email", rc);
        goto out;
    }
    record(req, &v, "sv", "Email verified");
    tsr_cookie_set(req, TSR_LOGIN_CSRF_COOKIE, "", 0);
    if (v.t.result_url[0] != '\0') {
        tsr_login_send_result(req, v.t.result_url, true, TSR_LOGIN_MSG_EMAIL_VERIFIED,
                              v.t.include_email ? v.user.email : NULL);
        goto out;
    }
    struct tsr_page p;
    tsr_page_init(&p, req, "Email verified");
    tsr_tpl_set(&p.ctx, "message", TSR_LOGIN_MSG_EMAIL_VERIFIED);
    tsr_page_send(req, 200, "verify_email_done", &p);
out:
    tsr_page_ticket_cleanup(&v);
    tsr_params_cleanup(&form);
}
