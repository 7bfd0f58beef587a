/*
 * dbconnections.h - Auth0's database connection endpoints of the
 * Authentication API: sign-up and password reset requests, called by
 * auth0.js, auth0-spa-js's companions and node-auth0's AuthenticationClient.
 */
#ifndef TSR_AUTHN_DBCONNECTIONS_H
#define TSR_AUTHN_DBCONNECTIONS_H

#include "http/request.h"

/*
 * POST /dbconnections/signup {client_id, email, password, connection,
 * username?, given_name?, family_name?, name?, nickname?, picture?,
 * user_metadata?}: 200 {_id, email, email_verified, ...}; 400 in Auth0's
 * {name, code, description, statusCode} shape.
 */
void tsr_authn_signup(struct tsr_req *req);

/*
 * POST /dbconnections/change_password {client_id, email, connection}:
 * always 200 "We've just sent you an email to reset your password." when
 * the request is well formed, whether or not the account exists.
 */
void tsr_authn_change_password(struct tsr_req *req);

#endif
