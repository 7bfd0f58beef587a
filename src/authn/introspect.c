/*
 * POST /oauth/introspect - token introspection (RFC 7662) for confidential
 * clients: the slower path for APIs that choose to accept opaque tokens.
 * JWT access tokens can be verified locally with the JWKS instead.
 * Anything unknown, expired, revoked or rotated is {"active": false}, and
 * so is any token the caller may not see (core/introspection.h: its own
 * tokens, and JWT access tokens of the APIs it holds a client grant for;
 * never an ID token); the answer never says which.
 */
#include <stdlib.h>
#include <string.h>

#include "authn/authn.h"
#include "authn/client_auth.h"
#include "core/catalog.h"
#include "core/introspection.h"
#include "core/opaque_token.h"
#include "core/refresh_token.h"
#include "core/tenant_jwt.h"
#include "http/response.h"
#include "jose/jose.h"
#include "util/clock.h"

static json_t *inactive(void)
{
    return json_pack("{s:b}", "active", 0);
}

/* The most aud entries looked at: Tessera issues one API and userinfo. */
#define AUD_MAX 8

/*
 * Whether the JWT is an access token for an API of the tenant (aud names
 * one; an ID token's aud is a client_id) and whether the caller holds a
 * client grant for one of those APIs.
 */
static void jwt_audiences(struct tsr_req *req, const json_t *aud, const char *caller, bool *for_api,
                          bool *serves)
{
    const struct tsr_catalog *cat = req->tenant->catalog;
    *for_api = *serves = false;
    size_t n = json_is_array(aud) ? json_array_size(aud) : 1;
    for (size_t i = 0; i < n && i < AUD_MAX; i++) {
        const char *id = json_string_value(json_is_array(aud) ? json_array_get(aud, i) : aud);
        if (id == NULL || tsr_catalog_api(cat, id) == NULL)
            continue;
        *for_api = true;
        if (tsr_catalog_grant(cat, caller, id) != NULL)
            *serves = true;
    }
}

/* A JWT access token this tenant signed, still valid, that the caller may see: its claims. */
static json_t *introspect_jwt(struct tsr_req *req, const struct tsr_client *caller,
                              const char *token)
{
    tsr_jws *jws = NULL;
    json_t *out = NULL;
    if (tsr_tenant_jwt_verify(req->tenant, token, &jws) != 0)
        return inactive();
    const json_t *c = tsr_jws_payload(jws);
    const json_t *azp = json_object_get(c, "azp");
    if (!json_is_string(azp))
        azp = json_object_get(c, "client_id");
    bool for_api = false, serves = false;
    if (tsr_jwt_unexpired(c, tsr_clock_now()))
        jwt_audiences(req, json_object_get(c, "aud"), caller->client_id, &for_api, &serves);
    if (tsr_introspection_visible(for_api ? TSR_TOKEN_JWT_ACCESS : TSR_TOKEN_JWT_OTHER,
                                  caller->client_id, json_string_value(azp), serves)) {
        out = json_deep_copy(c);
        if (out != NULL) {
            json_object_set_new(out, "active", json_true());
            json_object_set_new(out, "token_type", json_string("access_token"));
            if (json_is_string(azp) && json_object_get(out, "client_id") == NULL)
                json_object_set(out, "client_id", (json_t *)azp);
        }
    }
    tsr_jws_free(jws);
    return out ? out : inactive();
}

static json_t *introspect_opaque(struct tsr_req *req, const struct tsr_client *caller,
                                 const char *token)
{
    const char *tid = req->tenant->t.id;
    struct tsr_opaque_token at;
    if (tsr_opaque_token_find(req->store, tid, token, &at) == 0) {
        json_t *out = NULL;
        if (tsr_introspection_visible(TSR_TOKEN_OPAQUE_ACCESS, caller->client_id, at.client_id,
                                      false))
            out = json_pack("{s:b, s:s, s:s, s:s, s:I, s:s, s:s}", "active", 1, "scope", at.scope,
                            "client_id", at.client_id, "sub", at.user_id, "exp",
                            (json_int_t)at.expires_at, "iss", req->tenant->t.issuer, "token_type",
                            "access_token");
        tsr_opaque_token_cleanup(&at);
        return out ? out : inactive();
    }
    struct tsr_refresh_token rt;
    if (tsr_refresh_token_find(req->store, tid, token, &rt) != 0)
        return inactive();
    bool live =
        rt.revoked_at == 0 && rt.rotated_at == 0 &&
        (rt.expires_at == 0 || rt.expires_at > tsr_clock_now()) &&
        tsr_introspection_visible(TSR_TOKEN_REFRESH, caller->client_id, rt.client_id, false);
    json_t *out = live ? json_pack("{s:b, s:s, s:s, s:s, s:I, s:s, s:s}", "active", 1, "scope",
                                   rt.scope, "client_id", rt.client_id, "sub", rt.user_id, "iat",
                                   (json_int_t)rt.created_at, "iss", req->tenant->t.issuer,
                                   "token_type", "refresh_token")
                       : NULL;
    if (out != NULL && rt.expires_at != 0)
        json_object_set_new(out, "exp", json_integer(rt.expires_at));
    tsr_refresh_token_cleanup(&rt);
    return out ? out : inactive();
}

void tsr_authn_introspect(struct tsr_req *req)
{
    struct tsr_params p = {0};
    const struct tsr_client *client = NULL; /* the tenant catalog's */
    if (!tsr_authn_read_params(req, &p))
        return;
    const char *token = tsr_params_get(&p, "token");
    if (!tsr_client_auth(req, &p, &client))
        goto out;
    if (tsr_client_is_public(client)) {
        tsr_client_auth_refuse(req, "Token introspection is for confidential clients (APIs "
                                    "with a client secret)");
        goto out;
    }
    if (token == NULL || token[0] == '\0') {
        tsr_resp_oauth_error(req, 400, "invalid_request", "Missing required parameter: token");
        goto out;
    }
    tsr_resp_json(req, 200,
                  strchr(token, '.') ? introspect_jwt(req, client, token)
                                     : introspect_opaque(req, client, token));
out:
    tsr_params_cleanup(&p);
}
