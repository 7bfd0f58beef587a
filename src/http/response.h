/*
 * response.h - setting a handler's response.  Every response gets the
 * security headers in server.c; errors are shaped here, in one place:
 *   Authentication API  {"error", "error_description"}
 *   Management API      {"statusCode", "error", "message", "errorCode"}
 */
#ifndef TSR_HTTP_RESPONSE_H
#define TSR_HTTP_RESPONSE_H

#include <jansson.h>

#include "http/request.h"

/* Sends body (reference stolen) as JSON with status.  On encoding failure sends 500. */
void tsr_resp_json(struct tsr_req *req, unsigned status, json_t *body);

/* Sends JSON text from malloc, len bytes, taking it (NULL sends a 500 with no body). */
void tsr_resp_json_owned(struct tsr_req *req, unsigned status, char *text, size_t len);

/* Sends a pre-rendered JSON text (copied). */
void tsr_resp_json_text(struct tsr_req *req, unsigned status, const char *text);

/* Sends html (copied) as text/html; charset=utf-8 with status.  On no memory sends an empty 500. */
void tsr_resp_html(struct tsr_req *req, unsigned status, const char *html);

/* Sends an empty body. */
void tsr_resp_empty(struct tsr_req *req, unsigned status);

/*
 * Redirects to url: 303 after a POST (the browser follows with GET, never
 * re-posting credentials: RFC 9700 section 4.12), 302 otherwise.
 */
void tsr_resp_redirect(struct tsr_req *req, const char *url);

/* Adds a response header (both copied).  Silently ignored past TSR_RESP_MAX_HEADERS. */
void tsr_resp_header(struct tsr_req *req, const char *name, const char *value);

/* {"error": error, "error_description": printf(fmt, ...)} */
void tsr_resp_oauth_error(struct tsr_req *req, unsigned status, const char *error,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* {"statusCode", "error": reason phrase, "message": printf(fmt, ...), "errorCode"} */
void tsr_resp_mgmt_error(struct tsr_req *req, unsigned status, const char *error_code,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The reason phrase for a status ("Not Found"). */
const char *tsr_http_reason(unsigned status);

/* Releases the response parts (used by the server when a request ends). */
void tsr_resp_cleanup(struct tsr_req *req);

#endif
