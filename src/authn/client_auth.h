/*
 * client_auth.h - who is calling the token endpoint: client_secret_basic
 * (Authorization: Basic) or client_secret_post (client_id and
 * client_secret in the body), never both.
 */
#ifndef TSR_AUTHN_CLIENT_AUTH_H
#define TSR_AUTHN_CLIENT_AUTH_H

#include <stdbool.h>

#include "core/client.h"
#include "http/params.h"
#include "http/request.h"

/*
 * Authenticates the calling client against the tenant's catalog (no SQL);
 * *out is the client, borrowed from the snapshot the request holds
 * (req->tenant), NULL on failure.  On failure
 * sends the OAuth error (400 invalid_request or 401 invalid_client) and
 * returns false.  Clients whose method is "none" authenticate with
 * client_id alone and have no secret.
 */
bool tsr_client_auth(struct tsr_req *req, const struct tsr_params *p,
                     const struct tsr_client **out);

/*
 * Sends 401 invalid_client with the Basic challenge, which RFC 6749
 * section 5.2 requires when the client tried the Authorization header.
 */
void tsr_client_auth_refuse(struct tsr_req *req, const char *description);

/* The base64 of "Basic ..." is at most this long; buf of the parse below holds its decoding. */
#define TSR_BASIC_MAX 2048

/*
 * Splits an Authorization value "Basic base64(id:secret)" into the decoded
 * id and secret (RFC 6749 section 2.3.1: both form-encoded before base64),
 * both decoded into buf (TSR_BASIC_MAX bytes, usually on the caller's
 * stack), which the caller wipes after use.  Returns 0 or TSR_EFORMAT
 * (*id and *secret NULL).
 */
int tsr_basic_credentials_parse(const char *header, char buf[TSR_BASIC_MAX], char **id,
                                char **secret);

#endif
