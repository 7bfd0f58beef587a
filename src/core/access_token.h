/*
 * access_token.h - issuing JWT access tokens for an API (an audience).
 *
 * The token is signed with the API's algorithm: RS256 with the tenant's
 * current key, HS256 with the API's own secret.  Its lifetime and claim
 * set (token dialect) come from the API's settings.
 */
#ifndef TSR_CORE_ACCESS_TOKEN_H
#define TSR_CORE_ACCESS_TOKEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/api.h"
#include "core/app.h"
#include "util/jsonw.h"
#include "util/strlist.h"

struct tsr_access_token_claims {
    const char *sub;
    const char *azp;                 /* the client */
    const char *gty;                 /* grant type claim, NULL for none */
    const struct tsr_strlist *scope; /* granted scopes */
    const struct tsr_strlist *permissions; /* for *_authz dialects; NULL: the scopes */
    int64_t lifetime;                /* seconds */
    const char *userinfo_aud;        /* {issuer}userinfo when openid was granted, else NULL */
};

/* True for the RFC 9068 dialects (rfc9068_profile, rfc9068_profile_authz): typ at+jwt. */
bool tsr_access_token_is_rfc9068(const struct tsr_api *api);

/* True for the *_authz dialects, whose tokens list the permissions claim. */
bool tsr_access_token_has_permissions(const struct tsr_api *api);

/*
 * The claims of an access token for api issued by issuer at now, in the
 * API's token dialect: Auth0's (azp, gty) or RFC 9068's (client_id, jti),
 * with `permissions` for the *_authz dialects (c->permissions, else the
 * scopes).  Returns a new object (caller decrefs) or NULL (no memory).
 */
json_t *tsr_access_token_claims_json(const char *issuer, const struct tsr_api *api,
                                     const struct tsr_access_token_claims *c, int64_t now,
                                     const char *jti);

/*
 * The same claims, in the same order, written as compact JSON text into w:
 * byte for byte the json_dumps(JSON_COMPACT) of tsr_access_token_claims_json.
 * Returns false (w then holds nothing usable) when a value needs escaping
 * or memory ran out: the caller then takes the jansson path.
 */
bool tsr_access_token_claims_text(struct tsr_jsonw *w, const char *issuer,
                                  const struct tsr_api *api,
                                  const struct tsr_access_token_claims *c, int64_t now,
                                  const char *jti);

/*
 * Signs an access token for api with its signing_alg: HS256 with the API's
 * secret, the others with the tenant's current key of that alg.  *jwt is a
 * new string (caller frees).  Returns 0, TSR_EINVAL (the API's algorithm
 * is not usable, or the tenant has no key of it), TSR_ECRYPTO or
 * TSR_ENOMEM.
 */
int tsr_access_token_issue(const struct tsr_app *app, const struct tsr_tenant_ctx *tenant,
                           const struct tsr_api *api, const struct tsr_access_token_claims *c,
                           char **jwt);

#endif
