#include "authn/authn.h"
#include "http/response.h"

void tsr_authn_discovery(struct tsr_req *req)
{
    tsr_resp_header(req, "Cache-Control", "public, max-age=3600");
    tsr_resp_header(req, "Access-Control-Allow-Origin", "*");
    tsr_resp_json_text(req, 200, req->tenant->discovery_json);
}

void tsr_authn_jwks(struct tsr_req *req)
{
    /* Next keys are published ahead of rotation, so ten minutes of caching is safe. */
    tsr_resp_header(req, "Cache-Control", "public, max-age=600, stale-while-revalidate=60");
    tsr_resp_header(req, "Access-Control-Allow-Origin", "*");
    tsr_resp_json_text(req, 200, req->tenant->jwks_json);
}
