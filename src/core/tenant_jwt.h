/*
 * tenant_jwt.h - checking a JWT this tenant issued (Management API tokens,
 * /userinfo and /oauth/introspect JWTs, id_token_hint at logout): signed by
 * one of the tenant's live keys with the key's own algorithm, and iss equal
 * to the tenant's issuer.  Each caller then checks the claims its use needs.
 */
#ifndef TSR_CORE_TENANT_JWT_H
#define TSR_CORE_TENANT_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/tenant_set.h"
#include "jose/jose.h"

/*
 * Parses and checks token.  On success *out is the parsed JWS (caller
 * frees with tsr_jws_free).  Returns 0, TSR_EFORMAT (not a compact JWS),
 * TSR_ESIGNATURE (no live key with its kid, wrong algorithm or signature)
 * or TSR_EINVAL (another issuer).
 */
int tsr_tenant_jwt_verify(const struct tsr_tenant_ctx *tenant, const char *token, tsr_jws **out);

/* True when aud, a string or an array of strings, holds want. */
bool tsr_jwt_aud_has(const json_t *aud, const char *want);

/* True when claims carry a numeric exp later than now. */
bool tsr_jwt_unexpired(const json_t *claims, int64_t now);

#endif
