/*
 * client_authn.h - who is calling the token, revocation or introspection
 * endpoint: the decision of client authentication over the credentials a
 * handler parsed from the request.  A client authenticates with its
 * registered token_endpoint_auth_method only: client_secret_basic (the
 * Authorization header), client_secret_post (client_secret in the body)
 * or none (client_id alone, public clients).
 */
#ifndef TSR_CORE_CLIENT_AUTHN_H
#define TSR_CORE_CLIENT_AUTHN_H

#include <stdbool.h>

#include "core/catalog.h"
#include "core/client.h"
#include "store/store.h"

/* The credentials presented, as parsed; every member borrowed, NULL when absent. */
struct tsr_client_creds {
    const char *basic_id;     /* from Authorization: Basic (decoded) */
    const char *basic_secret; /* idem; non-NULL whenever basic_id is */
    const char *body_id;      /* client_id in the body */
    const char *body_secret;  /* client_secret in the body */
};

enum tsr_client_authn_verdict {
    TSR_CLIENT_AUTHN_OK,
    TSR_CLIENT_AUTHN_TWO_METHODS,  /* header and body secret, or two different ids */
    TSR_CLIENT_AUTHN_NO_CLIENT_ID, /* no client_id anywhere */
    TSR_CLIENT_AUTHN_FAILED,       /* unknown client, or missing or wrong secret: one answer */
    TSR_CLIENT_AUTHN_WRONG_METHOD, /* right secret, not the registered method */
};

/*
 * The client_id the caller claims (Basic first, then the body), borrowed
 * from c, or NULL.  For logs: it is not authenticated.
 */
const char *tsr_client_creds_id(const struct tsr_client_creds *c);

/*
 * Authenticates a caller presenting creds against the tenant's catalog (no
 * SQL, no allocation) and returns the verdict.  On TSR_CLIENT_AUTHN_OK,
 * and on TSR_CLIENT_AUTHN_WRONG_METHOD (whose answer names the registered
 * method), *out is the client, borrowed from cat; otherwise NULL.  A
 * confidential client's secret is checked (in constant time) before its
 * method, so only a caller who holds the secret learns how the client must
 * present it; anyone else gets the verdict an unknown client_id gets.
 */
enum tsr_client_authn_verdict tsr_client_authn_catalog(const struct tsr_catalog *cat,
                                                       const struct tsr_client_creds *creds,
                                                       const struct tsr_client **out);

#endif
