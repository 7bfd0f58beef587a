#include "authn/cors.h"

#include <stdbool.h>

#include "core/catalog.h"
#include "http/response.h"

/* From the tenant's catalog: the CORS answer costs no SQL. */
static bool origin_allowed(struct tsr_req *req, const char *origin)
{
    return tsr_catalog_origin_allowed(req->tenant->catalog, origin);
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
