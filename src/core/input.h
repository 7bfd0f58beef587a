/*
 * input.h - checks of what the login pages accept from forms and show
 * from the tenant's settings, and the password policy in words.  Pure
 * functions (no request, no store), unit-tested in test_render.c.
 */
#ifndef TSR_CORE_INPUT_H
#define TSR_CORE_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/connection.h"

/* Longest email address or username accepted from a form (RFC 5321 path limit + margin). */
#define TSR_LOGIN_IDENTIFIER_MAX 320
/* Longest username a signup accepts. */
#define TSR_LOGIN_USERNAME_MAX 128

/* True when s is a "#rrggbb" colour (the only form used in the pages' CSS). */
bool tsr_page_color_ok(const char *s);

/* True when s is an https URL without spaces, quotes or control characters. */
bool tsr_page_https_url_ok(const char *s);

/* True for an email address or username a login form accepts (1..320 bytes, no controls). */
bool tsr_page_identifier_ok(const char *s);

/* True for a plausible email address: one '@' with text on both sides, no spaces or controls. */
bool tsr_page_email_ok(const char *s);

/* A sentence describing c's password policy for the people choosing one. */
void tsr_page_policy_text(const struct tsr_connection *c, char *out, size_t outsz);

/*
 * Writes the CSP source expression that matches url's origin into out:
 * "scheme://host[:port]" for hierarchical URLs, "scheme:" for others
 * (native apps' custom schemes).  Returns false (out "") for a URL with
 * user info, characters outside the host grammar, or no room; the caller
 * then adds nothing.
 */
bool tsr_page_csp_source(const char *url, char *out, size_t outsz);

/* Room for the one extra form-action source a page allows (its callback's origin). */
#define TSR_PAGE_FORM_TARGET_MAX 300

/*
 * Why a URL tsr_url_problem (util/url_check.h) accepted still cannot be
 * where a login page's form ends (a callback, a ticket's result_url), or
 * NULL: the pages allow that origin through CSP form-action
 * (tsr_page_csp_source, whose host grammar has no '_'), else browsers
 * would block the redirect.
 */
const char *tsr_page_form_target_problem(const char *url);

#endif
