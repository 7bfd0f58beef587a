#include <stdio.h>

#include "authn/authn.h"
#include "http/response.h"

char *tsr_discovery_document(const char *issuer)
{
    char token[1024], jwks[1024];
    snprintf(token, sizeof token, "%soauth/token", issuer);
    snprintf(jwks, sizeof jwks, "%s.well-known/jwks.json", issuer);
    /*
     * Only endpoints and features that exist are listed.  The signing
     * algorithms are every algorithm Tessera signs tokens with, because
     * verifiers such as express-oauth2-jwt-bearer accept exactly these.
     */
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:[s], s:[s, s], s:[s, s], s:[s]}", "issuer", issuer,
        "token_endpoint", token, "jwks_uri", jwks, "grant_types_supported", "client_credentials",
        "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post",
        "id_token_signing_alg_values_supported", "HS256", "RS256", "subject_types_supported",
        "public");
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    return text;
}

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
