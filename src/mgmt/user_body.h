/*
 * user_body.h - reading a user from a Management API body (create and
 * PATCH), with Auth0's rules: required properties per connection, the
 * connection's password policy, metadata merged at the top level on PATCH.
 */
#ifndef TSR_MGMT_USER_BODY_H
#define TSR_MGMT_USER_BODY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/connection.h"
#include "core/user.h"
#include "http/request.h"

/*
 * Reads a new user: finds the connection named by the body into *c and
 * fills *u (password hashed, Auth0's profile defaults); *verify_email says
 * whether to mail a verification link (the body's verify_email, by default
 * when the email is not verified).  On a bad body sends 400 and returns
 * false; *c and *u are then to be cleaned up.
 */
bool tsr_mgmt_user_read_new(struct tsr_req *req, const json_t *body, struct tsr_connection *c,
                            struct tsr_user *u, bool *verify_email);

/*
 * Applies a PATCH body to *u of connection *c.  A new email is unverified
 * unless the body says otherwise; a new password sets
 * last_password_reset.  On a bad body sends 400 and returns false.
 */
bool tsr_mgmt_user_read_patch(struct tsr_req *req, const json_t *body,
                              const struct tsr_connection *c, struct tsr_user *u);

/*
 * Whether the token's scopes in force may change every member of the body
 * (core/mgmt_access.h: update:users anything, update:users_app_metadata
 * app_metadata, a person's current-user metadata scopes their own
 * user_metadata): sends 403 insufficient_scope and returns false otherwise.
 */
bool tsr_mgmt_user_patch_allowed(struct tsr_req *req, const json_t *body);

#endif
