/*
 * page.h - plumbing shared by the Universal Login pages (internal to
 * src/login/): form parsing, rate limits, loading a login transaction with
 * its client and connection, loading a ticket link.  The page frame
 * (branding, sending, error pages, the CSRF cookie) is page/page.h.
 *
 * Functions that "send" set the whole response; a handler returns right
 * after calling one of them.
 */
#ifndef TSR_LOGIN_PAGE_H
#define TSR_LOGIN_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/limits.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/input.h"
#include "core/login_tx.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/params.h"
#include "http/request.h"
#include "page/page.h"

/* Longest state handle, ticket or CSRF token read from a request. */
#define TSR_LOGIN_HANDLE_MAX 128

/* Sentences the end-to-end tests and people rely on. */
#define TSR_LOGIN_MSG_EXPIRED                                                                      \
    "This login link has expired. Go back to the application and sign in again."
#define TSR_LOGIN_MSG_TAMPERED                                                                     \
    "Your session for this login expired or the form was tampered with. Start the login again."
#define TSR_LOGIN_MSG_WRONG "Wrong email or password."
#define TSR_LOGIN_MSG_BLOCKED "Your account is blocked."
#define TSR_LOGIN_MSG_LOCKED                                                                       \
    "Too many wrong passwords for this account from your network. Try again later, or reset your " \
    "password."
/* Signup's answer when the account cannot be created: the same whether or not it exists. */
#define TSR_LOGIN_MSG_SIGNUP_FAILED "Invalid sign up. Check your details and try again, or log in."
#define TSR_LOGIN_MSG_THROTTLED                                                                    \
    "Too many failed logins for this account. Wait a while before trying again, or reset your "   \
    "password."
#define TSR_LOGIN_MSG_TOO_MANY                                                                     \
    "Too many requests from your network. Wait a while and try again."
#define TSR_LOGIN_MSG_RESET_SENT                                                                   \
    "If an account exists for this email, we sent a link to reset the password."
#define TSR_LOGIN_MSG_TICKET_INVALID                                                               \
    "This password reset link is invalid or has already been used."
#define TSR_LOGIN_MSG_PASSWORD_CHANGED "Your password was changed. You can now log in with it."
#define TSR_LOGIN_MSG_EMAIL_VERIFIED                                                               \
    "Your email was verified. You can continue using the application."

/*
 * Parses the request body as an HTML form into form (zeroed here).  On
 * failure sends a 400 page (or 415 when the body is not
 * application/x-www-form-urlencoded) and returns false.
 */
bool tsr_page_form(struct tsr_req *req, struct tsr_params *form);

/*
 * The value of name from the form, or else from the query string; NULL
 * when absent or longer than TSR_LOGIN_HANDLE_MAX.  When both carry it
 * and they differ, sends the 403 "tampered" page and sets *sent.
 */
const char *tsr_page_handle(struct tsr_req *req, const struct tsr_params *form, const char *name,
                            bool *sent);

/* A login transaction with what every page of it needs. */
struct tsr_page_flow {
    struct tsr_login_tx tx;
    const struct tsr_client *client; /* borrowed from the tenant's catalog (core/catalog.h) */
    struct tsr_connection conn;
};

/*
 * Loads the transaction named by state (tsr_login_tx_load), its client
 * and its connection (tx.ar.connection or TSR_DEFAULT_CONNECTION, which
 * must be a database connection enabled for the client).  On failure
 * sends the matching error page (400 expired, 400 unavailable, 500) and
 * returns false; f is cleaned either way when false.
 */
bool tsr_page_flow_load(struct tsr_req *req, const char *state, struct tsr_page_flow *f);
void tsr_page_flow_cleanup(struct tsr_page_flow *f);

/* Records an event of the flow's client and connection. */
void tsr_page_flow_event(struct tsr_req *req, const struct tsr_page_flow *f, const char *type,
                         const char *description, const char *user_id, const char *user_name);

/* What the event log names a user by: the email, else the username. */
const char *tsr_page_user_name(const struct tsr_user *u);

/*
 * The person is known (logged in or just signed up): records the login,
 * starts the session and continues /authorize, which sends the response.
 */
void tsr_page_flow_logged_in(struct tsr_req *req, struct tsr_page_flow *f, struct tsr_user *u);

/* A ticket link's page: the ticket the request names, its user and the user's connection. */
struct tsr_page_ticket {
    const char *handle; /* borrowed from the request */
    struct tsr_ticket t;
    struct tsr_user user;
    struct tsr_connection conn;
};

/*
 * Reads the ticket handle (form, else query; tsr_page_handle) and loads
 * the ticket of kind whatever its state, its user and connection into pt
 * (zeroed here, cleaned on failure).  Returns 0, TSR_ENOTFOUND (no handle,
 * unknown ticket) or the store's error; TSR_EINVAL when the handles of
 * form and query differ, after sending the "tampered" page.
 */
int tsr_page_ticket_load(struct tsr_req *req, const struct tsr_params *form,
                         enum tsr_ticket_kind kind, struct tsr_page_ticket *pt);
void tsr_page_ticket_cleanup(struct tsr_page_ticket *pt);

/*
 * Redirects to a ticket's result_url (set by a Management API caller,
 * never by the request) with success, message and, when not NULL, email
 * in its query (tsr_ticket_result_url).
 */
void tsr_login_send_result(struct tsr_req *req, const char *result_url, bool success,
                           const char *message, const char *email);

/* Sets Retry-After: seconds. */
void tsr_page_retry_after(struct tsr_req *req, int64_t seconds);

/*
 * Counts a form post against its class's rates per address and per tenant
 * (core/rate_limit.h).  Over a rate: sends a 429 page with Retry-After and
 * returns false; a store failure sends 500.
 */
bool tsr_page_rate_ok(struct tsr_req *req, enum tsr_rate_class cls);

#endif
