/*
 * login.h - Universal Login: the server-rendered pages a person sees
 * (login, signup, password reset, email verification, consent, error),
 * one file each in src/login/.  Pages work without JavaScript, escape
 * every value they show, carry a CSRF token in every form, and are never
 * framed.
 */
#ifndef TSR_LOGIN_LOGIN_H
#define TSR_LOGIN_LOGIN_H

#include <stdbool.h>

#include "http/request.h"

/*
 * Sends an HTML error page (tenant-branded) with status, a short title and
 * a sentence saying what happened and what to do.  Used where no
 * redirect_uri may be trusted (e.g. an unregistered redirect_uri).
 */
void tsr_login_error_page(struct tsr_req *req, unsigned status, const char *title,
                          const char *message);

/* What the logout confirmation form carries to POST /oidc/logout (borrowed; NULL: none). */
struct tsr_logout_form {
    const char *client_name;              /* shown */
    const char *client_id;                /* validated client, or NULL */
    const char *post_logout_redirect_uri; /* already matched against the client's logout URLs */
    const char *state;
};

/*
 * Sends the page asking the person to confirm a logout: a POST form to
 * "logout" (relative, so /oidc/logout under any issuer path) with f's
 * fields and a csrf field holding the tsr_csrf double-submit token.
 */
void tsr_login_logout_confirm(struct tsr_req *req, const struct tsr_logout_form *f);

/* True when a form's csrf value equals the browser's tsr_csrf cookie (constant time). */
bool tsr_login_csrf_ok(struct tsr_req *req, const char *form_value);

/*
 * The page handlers (routes.c).  Every page lives under the tenant's
 * path at /u/...; forms post back to the same page with a relative
 * action, so an issuer with a path prefix works.
 *
 *   GET/POST /u/login?state=H                login (fields state, csrf, username, password)
 *   GET/POST /u/signup?state=H               signup (state, csrf, email, [username], password)
 *   GET/POST /u/reset-password/request[?state=H]  ask for a reset link (state?, csrf, email)
 *   GET/POST /u/reset-password?ticket=T      choose a new password
 *                                            (ticket, csrf, password, password_confirm)
 *   GET/POST /u/email-verification?ticket=T  confirm an email address (ticket, csrf);
 *                                            the GET only shows the button
 *   GET/POST /u/consent?state=H              consent (state, csrf, decision=accept|deny)
 *
 * tsr_authorize_resume sends the browser to {issuer}u/consent?state=H
 * (303) when consent is missing; the consent page needs the
 * transaction's user to be set and the browser's session to be that
 * user's.  /authorize sends people to {issuer}u/login?state=H, or to
 * u/signup?state=H when screen_hint=signup.
 */
void tsr_login_page_get(struct tsr_req *req);
void tsr_login_page_post(struct tsr_req *req);
void tsr_login_signup_get(struct tsr_req *req);
void tsr_login_signup_post(struct tsr_req *req);
void tsr_login_reset_request_get(struct tsr_req *req);
void tsr_login_reset_request_post(struct tsr_req *req);
void tsr_login_reset_get(struct tsr_req *req);
void tsr_login_reset_post(struct tsr_req *req);
void tsr_login_verify_email_get(struct tsr_req *req);
void tsr_login_verify_email_post(struct tsr_req *req);
void tsr_login_consent_get(struct tsr_req *req);
void tsr_login_consent_post(struct tsr_req *req);

#endif
