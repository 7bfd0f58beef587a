/*
 * token_user.h - the token endpoint's grants that act for a person.
 * Each takes the parsed parameters and the authenticated client, and sends
 * the response.
 */
#ifndef TSR_AUTHN_TOKEN_USER_H
#define TSR_AUTHN_TOKEN_USER_H

#include "core/client.h"
#include "http/params.h"
#include "http/request.h"

void tsr_token_authorization_code(struct tsr_req *req, const struct tsr_params *p,
                                  const struct tsr_client *client);
void tsr_token_refresh(struct tsr_req *req, const struct tsr_params *p,
                       const struct tsr_client *client);

/* grant_type is "password" or Auth0's password-realm grant. */
void tsr_token_password(struct tsr_req *req, const struct tsr_params *p,
                        const struct tsr_client *client, const char *grant_type);

#endif
