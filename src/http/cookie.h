/*
 * cookie.h - reading the Cookie header and writing Set-Cookie.
 */
#ifndef TSR_HTTP_COOKIE_H
#define TSR_HTTP_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

/* Longest cookie value read. */
#define TSR_COOKIE_MAX_VALUE 512

/* True when s holds only RFC 6265 cookie-octets (printable ASCII without space, '"', ',', ';', '\\'). */
bool tsr_cookie_value_ok(const char *s);

/*
 * Copies the value of cookie name from the request into out (outsz bytes).
 * Returns 0, TSR_ENOTFOUND, or TSR_EFORMAT (too long, repeated, or not a
 * cookie-octet value).
 */
int tsr_cookie_get(struct tsr_req *req, const char *name, char *out, size_t outsz);

/*
 * Adds a Set-Cookie header: HttpOnly, SameSite=Lax, Path = the tenant's
 * path prefix, Secure when the tenant's issuer is https.  max_age < 0
 * makes a session cookie, 0 deletes it.
 */
void tsr_cookie_set(struct tsr_req *req, const char *name, const char *value, int64_t max_age);

#endif
