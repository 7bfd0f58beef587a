#include "http/request.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "util/err.h"

const char *tsr_req_header(struct tsr_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *tsr_req_query(struct tsr_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *tsr_req_param(struct tsr_req *req, size_t i)
{
    return i < TSR_ROUTE_MAX_PARAMS ? req->route_params[i] : NULL;
}

bool tsr_req_is_content_type(struct tsr_req *req, const char *type)
{
    const char *ct = tsr_req_header(req, "Content-Type");
    if (ct == NULL)
        return false;
    while (*ct == ' ')
        ct++;
    size_t len = strcspn(ct, "; ");
    return len == strlen(type) && strncasecmp(ct, type, len) == 0;
}

int tsr_req_json_body(struct tsr_req *req, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!tsr_req_is_content_type(req, "application/json")) {
        snprintf(err, errlen, "Content-Type must be application/json");
        return TSR_EFORMAT;
    }
    json_error_t jerr;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES,
                              &jerr);
    if (body == NULL) {
        snprintf(err, errlen, "Payload is not valid JSON: %s (line %d, column %d)", jerr.text,
                 jerr.line, jerr.column);
        return TSR_EFORMAT;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        snprintf(err, errlen, "Payload validation error: the body must be a JSON object");
        return TSR_EFORMAT;
    }
    *out = body;
    return 0;
}

void tsr_req_client_ip(struct tsr_req *req, char out[64])
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

int64_t tsr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}
