#include "core/discovery.h"

#include <jansson.h>
#include <stdio.h>

/* One endpoint URL under the issuer. */
static json_t *url(const char *issuer, const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", issuer, path);
    return json_string(buf);
}

char *tsr_discovery_document(const char *issuer)
{
    /*
     * Only endpoints and features that exist are listed.  ID tokens are
     * RS256; HS256 is listed beside it as before, because
     * express-oauth2-jwt-bearer given issuerBaseURL accepts exactly these
     * algs, for access tokens too, and HS256 APIs rely on it.
     */
    json_t *doc = json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "issuer", issuer, "authorization_endpoint",
        url(issuer, "authorize"), "token_endpoint", url(issuer, "oauth/token"), "userinfo_endpoint",
        url(issuer, "userinfo"), "jwks_uri", url(issuer, ".well-known/jwks.json"),
        "revocation_endpoint", url(issuer, "oauth/revoke"), "end_session_endpoint",
        url(issuer, "oidc/logout"), "introspection_endpoint", url(issuer, "oauth/introspect"));
    if (doc == NULL)
        return NULL;
    json_t *rest = json_pack(
        "{s:[s,s,s,s], s:[s,s,s], s:[s,s,s,s], s:[s], s:[s,s,s,s,s,s], s:[s,s,s], s:[s,s], s:[s], "
        "s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s], s:b, s:b, s:b, s:b}",
        "scopes_supported", "openid", "profile", "email", "offline_access",
        "response_types_supported", "code", "id_token", "code id_token", "response_modes_supported",
        "query", "fragment", "form_post", "web_message", "code_challenge_methods_supported", "S256",
        "grant_types_supported", "authorization_code", "implicit", "refresh_token",
        "client_credentials", "password", "http://auth0.com/oauth/grant-type/password-realm",
        "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post",
        "none", "id_token_signing_alg_values_supported", "HS256", "RS256",
        "subject_types_supported", "public", "claims_supported", "aud", "auth_time", "email",
        "email_verified", "exp", "family_name", "given_name", "iat", "iss", "name", "nickname",
        "nonce", "picture", "sid", "sub", "authorization_response_iss_parameter_supported", 1,
        "request_parameter_supported", 0, "request_uri_parameter_supported", 0,
        "claims_parameter_supported", 0);
    json_object_update(doc, rest);
    json_decref(rest);
    /*
     * Tessera's own member (not in OpenID Connect Discovery): the algs an
     * API's access tokens may be signed with, each API using one of them.
     */
    json_object_set_new(doc, "access_token_signing_alg_values_supported",
                        json_pack("[s,s,s,s,s]", "RS256", "PS256", "ES256", "EdDSA", "HS256"));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return text;
}
