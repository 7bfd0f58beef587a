/*
 * page.h - the frame of every HTML page Tessera sends: the tenant's
 * branding, rendering an embedded template (page/render.h) and sending it
 * with the pages' Content-Security-Policy, the error page, the
 * double-submit CSRF cookie and the logout confirmation page.  Below both
 * the Authentication API (src/authn) and the Universal Login pages
 * (src/login), which send these pages.
 *
 * Functions that "send" set the whole response; a handler returns right
 * after calling one of them.
 */
#ifndef TSR_PAGE_PAGE_H
#define TSR_PAGE_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/input.h"
#include "http/request.h"
#include "page/render.h"

/* The double-submit CSRF cookie of the forms without a login transaction. */
#define TSR_LOGIN_CSRF_COOKIE "tsr_csrf"

/* A page's template variables with the tenant's branding already set. */
struct tsr_page {
    struct tsr_tpl_ctx ctx;
    char color[8];      /* validated "#rrggbb" */
    char color_text[8]; /* readable text colour on it */
    char color_link[8]; /* link colour, readable on white */
    char form_target[TSR_PAGE_FORM_TARGET_MAX]; /* extra CSP form-action source, "" for none */
};

/*
 * Fills p with the tenant's branding (tenant_name, logo_url only when it
 * is an https URL, primary_color validated, primary_text, link_color) and title
 * (borrowed).
 */
void tsr_page_init(struct tsr_page *p, struct tsr_req *req, const char *title);

/*
 * Allows the page's forms to end at url's origin (CSP form-action), for
 * forms whose answer redirects there: browsers apply form-action to every
 * redirect that follows a form submission, so the login page must allow
 * the client's (validated) redirect_uri.  url NULL or unusable: nothing.
 */
void tsr_page_allow_form_target(struct tsr_page *p, const char *url);

/*
 * Renders the embedded template tpl with p's variables and sends it as
 * text/html with status and the login pages' Content-Security-Policy
 * (form-action 'self' plus the allowed form target) and Cache-Control:
 * no-store.  A render failure sends a plain 500 page.
 */
void tsr_page_send(struct tsr_req *req, unsigned status, const char *tpl, struct tsr_page *p);

/* Logs an internal failure (what, the error's name) and sends the 500 page. */
void tsr_page_server_error(struct tsr_req *req, const char *what, int rc);

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
 * The CSRF token of the forms without a login transaction: the value of
 * the tsr_csrf cookie when the browser has a well-formed one, else a new
 * random value set as that cookie.  out holds 64 bytes.  Returns 0 or
 * TSR_ECRYPTO.
 */
int tsr_page_csrf_token(struct tsr_req *req, char out[64]);

/* True when the form's csrf value equals the tsr_csrf cookie (constant time). */
bool tsr_page_csrf_cookie_ok(struct tsr_req *req, const char *form_value);

#endif
