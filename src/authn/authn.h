/*
 * authn.h - Authentication API handlers (one file each in src/authn/).
 */
#ifndef TSR_AUTHN_AUTHN_H
#define TSR_AUTHN_AUTHN_H

#include <stdbool.h>

#include "http/params.h"
#include "http/request.h"
#include "http/router.h"

void tsr_authn_healthz(struct tsr_req *req);
void tsr_authn_discovery(struct tsr_req *req);
void tsr_authn_jwks(struct tsr_req *req);
void tsr_authn_token(struct tsr_req *req);
void tsr_authn_userinfo(struct tsr_req *req);
void tsr_authn_revoke(struct tsr_req *req);
void tsr_authn_introspect(struct tsr_req *req); /* POST /oauth/introspect (RFC 7662) */
void tsr_authn_logout(struct tsr_req *req);      /* GET /v2/logout */
void tsr_authn_oidc_logout(struct tsr_req *req); /* GET|POST /oidc/logout */

/*
 * Reads a form or JSON body into p (zeroed by the caller).  Sends 400
 * invalid_request and returns false for another content type or a body
 * that cannot be parsed.
 */
bool tsr_authn_read_params(struct tsr_req *req, struct tsr_params *p);


/* The Authentication API's routes, ended by an entry whose method is NULL. */
extern const struct tsr_route tsr_authn_routes[];

#endif
