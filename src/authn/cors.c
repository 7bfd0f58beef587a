#include "authn/cors.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/rows.h"
#include "http/response.h"
#include "util/strbuf.h"

/* scheme://host[:port] with nothing that could break out of a LIKE pattern or a JSON string. */
static bool plausible_origin(const char *o)
{
    size_t len = strlen(o);
    const char *host = strstr(o, "://");
    if (len > 256 || host == NULL || (strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0))
        return false;
    host += 3;
    if (*host == '\0')
        return false;
    /* '%' and '_' are LIKE wildcards; quotes and backslashes would leave the JSON string. */
    for (const char *c = host; *c; c++)
        if (*c <= ' ' || *c == '"' || *c == '\\' || *c == '%' || *c == '_' || *c == '/')
            return false;
    return true;
}

static bool origin_allowed(struct tsr_req *req, const char *origin)
{
    if (!plausible_origin(origin))
        return false;
    struct tsr_strbuf b = {0};
    tsr_strbuf_append(&b, "%\"");
    tsr_strbuf_append(&b, origin);
    tsr_strbuf_append(&b, "\"%");
    char *pattern = tsr_strbuf_take(&b, NULL);
    int64_t n = 0;
    /* The lists are JSON arrays of strings: the quoted origin matches one item exactly. */
    int rc = pattern ? tsr_rows_count(req->store, &n,
                                      "SELECT count(*) FROM clients WHERE tenant_id = ? AND "
                                      "(web_origins LIKE ? OR allowed_origins LIKE ?)",
                                      "sss", req->tenant->t.id, pattern, pattern)
                     : -1;
    free(pattern);
    return rc == 0 && n > 0;
}

void tsr_cors_allow(struct tsr_req *req)
{
    const char *origin = tsr_req_header(req, "Origin");
    if (origin == NULL || !origin_allowed(req, origin))
        return;
    tsr_resp_header(req, "Access-Control-Allow-Origin", origin);
    tsr_resp_header(req, "Vary", "Origin");
}

void tsr_authn_preflight(struct tsr_req *req)
{
    const char *origin = tsr_req_header(req, "Origin");
    if (origin == NULL || !origin_allowed(req, origin)) {
        tsr_resp_oauth_error(req, 403, "access_denied",
                             "Origin not allowed: add it to an application's Allowed Origins "
                             "(CORS) or Allowed Web Origins");
        return;
    }
    tsr_resp_header(req, "Access-Control-Allow-Origin", origin);
    tsr_resp_header(req, "Vary", "Origin");
    tsr_resp_header(req, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    /* auth0-spa-js sends Auth0-Client on every call. */
    tsr_resp_header(req, "Access-Control-Allow-Headers",
                    "Authorization, Content-Type, Auth0-Client, DPoP");
    tsr_resp_header(req, "Access-Control-Max-Age", "600");
    tsr_resp_empty(req, 204);
}
