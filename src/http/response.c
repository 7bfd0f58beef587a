#include "http/response.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_out.h"

static void set_body(struct tsr_req *req, unsigned status, char *body, size_t len,
                     const char *type)
{
    free(req->resp_body);
    req->status = status;
    req->resp_body = body;
    req->resp_len = len;
    req->resp_type = type;
}

void tsr_resp_json(struct tsr_req *req, unsigned status, json_t *body)
{
    size_t len = 0;
    char *text = body ? tsr_json_out(body, &len) : NULL;
    if (text == NULL && body != NULL) {
        text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
        len = text != NULL ? strlen(text) : 0;
    }
    json_decref(body);
    if (text == NULL) {
        static const char fallback[] =
            "{\"error\":\"server_error\",\"error_description\":\"Internal error\"}";
        text = strdup(fallback);
        len = text != NULL ? strlen(text) : 0;
        status = 500;
    }
    set_body(req, status, text, len, "application/json");
}

void tsr_resp_json_owned(struct tsr_req *req, unsigned status, char *text, size_t len)
{
    set_body(req, text ? status : 500, text, text ? len : 0, "application/json");
}

void tsr_resp_json_text(struct tsr_req *req, unsigned status, const char *text)
{
    char *copy = strdup(text);
    set_body(req, copy ? status : 500, copy, copy ? strlen(copy) : 0, "application/json");
}

void tsr_resp_html(struct tsr_req *req, unsigned status, const char *html)
{
    char *copy = strdup(html);
    set_body(req, copy ? status : 500, copy, copy ? strlen(copy) : 0,
             "text/html; charset=utf-8");
}

void tsr_resp_empty(struct tsr_req *req, unsigned status)
{
    set_body(req, status, NULL, 0, NULL);
}

void tsr_resp_redirect(struct tsr_req *req, const char *url)
{
    tsr_resp_header(req, "Location", url);
    tsr_resp_empty(req, strcmp(req->method, "POST") == 0 ? 303 : 302);
}

static bool in_header_buf(const struct tsr_req *req, const char *p)
{
    return p >= req->resp_header_buf && p < req->resp_header_buf + sizeof req->resp_header_buf;
}

/* A copy of s that lives as long as the request: in its header buffer while there is room. */
static char *keep(struct tsr_req *req, const char *s)
{
    size_t len = strlen(s) + 1;
    if (len <= sizeof req->resp_header_buf - req->resp_header_used) {
        char *p = req->resp_header_buf + req->resp_header_used;
        memcpy(p, s, len);
        req->resp_header_used += len;
        return p;
    }
    return strdup(s);
}

static void unkeep(struct tsr_req *req, char *p)
{
    if (p != NULL && !in_header_buf(req, p))
        free(p);
}

void tsr_resp_header(struct tsr_req *req, const char *name, const char *value)
{
    if (req->resp_nheaders == TSR_RESP_MAX_HEADERS)
        return;
    char *n = keep(req, name), *v = n != NULL ? keep(req, value) : NULL;
    if (n == NULL || v == NULL) {
        unkeep(req, n);
        return;
    }
    req->resp_headers[req->resp_nheaders].name = n;
    req->resp_headers[req->resp_nheaders].value = v;
    req->resp_nheaders++;
}

void tsr_resp_oauth_error(struct tsr_req *req, unsigned status, const char *error,
                          const char *fmt, ...)
{
    char desc[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    tsr_resp_json(req, status,
                  json_pack("{s:s, s:s}", "error", error, "error_description", desc));
}

void tsr_resp_mgmt_error(struct tsr_req *req, unsigned status, const char *error_code,
                         const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *body = json_pack("{s:i, s:s, s:s}", "statusCode", (int)status, "error",
                             tsr_http_reason(status), "message", msg);
    if (body != NULL && error_code != NULL)
        json_object_set_new(body, "errorCode", json_string(error_code));
    tsr_resp_json(req, status, body);
}

const char *tsr_http_reason(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

void tsr_resp_cleanup(struct tsr_req *req)
{
    free(req->resp_body);
    req->resp_body = NULL;
    for (size_t i = 0; i < req->resp_nheaders; i++) {
        unkeep(req, req->resp_headers[i].name);
        unkeep(req, req->resp_headers[i].value);
    }
    req->resp_nheaders = 0;
    req->resp_header_used = 0;
}
