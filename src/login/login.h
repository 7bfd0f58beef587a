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
#include "http/router.h"
#include "page/page.h"

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

/* The Universal Login pages' routes, ended by an entry whose method is NULL. */
extern const struct tsr_route tsr_login_routes[];

#endif
