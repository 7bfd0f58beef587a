/*
 * Bearer-token authorization of Management API requests: a JWT that this
 * tenant signed for {issuer}api/v2/, still valid, carrying one of the
 * endpoint's scopes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tenant_jwt.h"
#include "mgmt/rate_limit.h"
#include "http/response.h"
#include "jose/jose.h"
#include "http/router.h"
#include "mgmt/mgmt.h"
#include "util/strlist.h"

static bool unauthorized(struct tsr_req *req, const char *message)
{
    tsr_resp_header(req, "WWW-Authenticate", "Bearer realm=\"Management API\", "
                                             "error=\"invalid_token\"");
    tsr_resp_mgmt_error(req, 401, "invalid_token", "%s", message);
    return false;
}

/* True when the token's scope claim holds any of the space-separated required scopes. */
static bool has_any_scope(const json_t *scope_claim, const char *required)
{
    struct tsr_strlist held = {0}, need = {0};
    bool found = false;
    if (!json_is_string(scope_claim) ||
        tsr_strlist_split(&held, json_string_value(scope_claim)) != 0 ||
        tsr_strlist_split(&need, required) != 0)
        goto out;
    for (size_t i = 0; !found && i < need.n; i++)
        found = tsr_strlist_contains(&held, need.v[i]);
out:
    tsr_strlist_cleanup(&held);
    tsr_strlist_cleanup(&need);
    return found;
}

static bool check_claims(struct tsr_req *req, const json_t *claims, const char *scopes)
{
    const json_t *exp = json_object_get(claims, "exp");
    const json_t *nbf = json_object_get(claims, "nbf");
    const json_t *aud = json_object_get(claims, "aud");
    int64_t now = tsr_now();
    if (!tsr_jwt_aud_has(aud, req->tenant->mgmt_audience)) {
        char msg[700];
        snprintf(msg, sizeof msg, "Bad audience: %.600s",
                 json_is_string(aud) ? json_string_value(aud) : "(not a string)");
        return unauthorized(req, msg);
    }
    if (!json_is_integer(exp))
        return unauthorized(req, "Invalid token");
    if (json_integer_value(exp) <= now)
        return unauthorized(req, "Expired token received for JSON Web Token validation");
    if (nbf != NULL && (!json_is_integer(nbf) || json_integer_value(nbf) > now))
        return unauthorized(req, "Invalid token");
    if (!has_any_scope(json_object_get(claims, "scope"), scopes)) {
        char list[512];
        snprintf(list, sizeof list, "%s", scopes);
        for (char *c = list; *c; c++)
            if (*c == ' ')
                *c = ',';
        tsr_resp_mgmt_error(req, 403, "insufficient_scope",
                            "Insufficient scope, expected any of: %s", list);
        return false;
    }
    return true;
}

bool tsr_mgmt_authorize(struct tsr_req *req, const char *scopes)
{
    const char *header = tsr_req_header(req, "Authorization");
    if (header == NULL || header[0] == '\0') {
        tsr_resp_header(req, "WWW-Authenticate", "Bearer realm=\"Management API\"");
        tsr_resp_mgmt_error(req, 401, NULL, "Missing authentication");
        return false;
    }
    if (strncasecmp(header, "Bearer ", 7) != 0)
        return unauthorized(req, "Bad HTTP authentication header format");
    const char *token = header + 7;
    while (*token == ' ')
        token++;
    tsr_jws *jws = NULL;
    if (tsr_tenant_jwt_verify(req->tenant, token, &jws) != 0)
        return unauthorized(req, "Invalid token");
    const json_t *claims = tsr_jws_payload(jws);
    const char *azp = json_string_value(json_object_get(claims, "azp"));
    bool ok = check_claims(req, claims, scopes) && tsr_mgmt_rate_limit(req, azp ? azp : "");
    tsr_jws_free(jws);
    return ok;
}
