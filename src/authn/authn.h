/*
 * authn.h - Authentication API handlers (one file each in src/authn/).
 */
#ifndef TSR_AUTHN_AUTHN_H
#define TSR_AUTHN_AUTHN_H

#include "http/request.h"

void tsr_authn_healthz(struct tsr_req *req);
void tsr_authn_discovery(struct tsr_req *req);
void tsr_authn_jwks(struct tsr_req *req);
void tsr_authn_token(struct tsr_req *req);

/*
 * Builds the discovery document of a tenant as JSON text (caller frees);
 * computed once at start-up.
 */
char *tsr_discovery_document(const char *issuer);

#endif
