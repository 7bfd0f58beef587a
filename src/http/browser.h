/*
 * browser.h - the cookies that tie a browser to core's session and login
 * transaction (core/session.h, core/login_tx.h): reading them from the
 * request and setting them on the response, around the core calls.
 */
#ifndef TSR_HTTP_BROWSER_H
#define TSR_HTTP_BROWSER_H

#include "core/login_tx.h"
#include "core/session.h"
#include "http/request.h"

#define TSR_SESSION_COOKIE "tsr_session"
#define TSR_LOGIN_TX_COOKIE "tsr_tx"

/* tsr_session_start with the request's session cookie; sets the new one. */
int tsr_browser_session_start(struct tsr_req *req, const char *user_id, struct tsr_session *out);

/* tsr_session_current of the request's session cookie. */
int tsr_browser_session_current(struct tsr_req *req, struct tsr_session *out);

/* Ends the request's session (tsr_session_end) and clears its cookie; no session is fine. */
int tsr_browser_session_end(struct tsr_req *req, struct tsr_session *ended);

/* tsr_login_tx_create bound to the request's tsr_tx cookie, set when the browser had none. */
int tsr_browser_login_tx_create(struct tsr_req *req, const struct tsr_authz_request *ar,
                                char **handle_out);

/* tsr_login_tx_load for the request's tsr_tx cookie. */
int tsr_browser_login_tx_load(struct tsr_req *req, const char *handle, struct tsr_login_tx *out);

#endif
