/*
 * url_check.h - the rule a registered URL follows (a redirect, an origin,
 * a logo), and why one is refused, in the Management API's words.  The
 * Management API (mgmt/common.h) and `tessera config apply`
 * (core/tenant_doc.h) both check with it.
 */
#ifndef TSR_UTIL_URL_CHECK_H
#define TSR_UTIL_URL_CHECK_H

/* Which URLs a check accepts. */
enum tsr_url_kind {
    TSR_URL_REDIRECT,        /* https, or http on a loopback host */
    TSR_URL_REDIRECT_NATIVE, /* the same or a private-use scheme (com.example.app:/cb) */
    TSR_URL_ORIGIN,          /* scheme://host[:port] only */
    TSR_URL_HTTPS,           /* https only (logo_uri) */
};

/*
 * Why url is not acceptable as kind, or NULL when it is (a static
 * string).  Never accepted: relative URLs, fragments, user information,
 * whitespace or control characters, hosts of other characters than
 * letters, digits, '-', '.' and '_', and the javascript:, data:, vbscript:
 * and file: schemes.
 */
const char *tsr_url_problem(const char *url, enum tsr_url_kind kind);

#endif
