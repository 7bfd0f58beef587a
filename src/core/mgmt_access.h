/*
 * mgmt_access.h - who may hold which Management API scope, and what a
 * Management API token may still do when it is used.
 *
 * The Management API ({issuer}api/v2/) is not an API like the others: a
 * person's token for it carries only the current-user scopes (which reach
 * the person's own /api/v2/users/{id} record) and the Management scopes
 * assigned to them or to one of their roles; a client's token carries what
 * its client grant allows.  Both are checked again at every request against
 * the grant or the assignments as they are then, so a deleted or narrowed
 * client grant, a removed permission, a deleted or blocked user stop an
 * earlier token at once.
 */
#ifndef TSR_CORE_MGMT_ACCESS_H
#define TSR_CORE_MGMT_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strlist.h"

/* Auth0's current-user scopes (read:current_user, update:current_user_metadata, ...). */
bool tsr_mgmt_is_current_user_scope(const char *scope);

/*
 * Whether a person may hold a Management API scope: the current-user scopes
 * always, any other only when held (their permissions on the Management
 * API, direct or through roles) names it.
 */
bool tsr_mgmt_person_may_hold(const char *scope, const struct tsr_strlist *held);

/*
 * Whether a token's subject (sub) names a client rather than a person: the
 * client credentials grant issues "{client_id}@clients", and people's ids
 * never take that form.
 */
bool tsr_mgmt_is_client_subject(const char *sub, const char *client_id);

/*
 * The token's scopes (claimed) still in force, into an empty out: for a
 * person, those they may hold now (allowed: their permissions); for a
 * client, those its client grant holds now (allowed: the grant's scopes;
 * current-user scopes mean nothing without a person and are dropped).
 * Returns 0 or TSR_ENOMEM.
 */
int tsr_mgmt_scopes_in_force(const struct tsr_strlist *claimed, const struct tsr_strlist *allowed,
                             bool person, struct tsr_strlist *out);

/*
 * Whether scopes in force satisfy a route that asks for any of required
 * (space-separated).  A current-user scope counts only when self: the
 * route's user ({id}) is the person the token is for.
 */
bool tsr_mgmt_scope_allows(const struct tsr_strlist *in_force, const char *required, bool self);

/*
 * Whether a PATCH /api/v2/users/{id} may change the member key: anything
 * with update:users; app_metadata with update:users_app_metadata;
 * user_metadata of one's own record (self) with update: or
 * create:current_user_metadata.
 */
bool tsr_mgmt_user_member_allowed(const struct tsr_strlist *in_force, bool self, const char *key);

/* The OpenID Connect scopes (openid, profile, email, offline_access): no API's scopes. */
bool tsr_mgmt_is_oidc_scope(const char *scope);

/*
 * What a person may be given of asked (into an empty out) for the
 * Management API now: the OpenID scopes, the current-user scopes, and the
 * Management scopes in held (their permissions).  Both /authorize (before
 * consent is asked or recorded) and the token endpoint narrow with it, so a
 * consent never names a scope the person did not hold when it was given.
 * Returns 0 or TSR_ENOMEM.
 */
int tsr_mgmt_person_scopes(const struct tsr_strlist *asked, const struct tsr_strlist *held,
                           struct tsr_strlist *out);

/*
 * Whether a person's Management API token stands only as long as the
 * person's stored consent to its application: for third-party
 * applications, which always ask for it.  (First-party applications get
 * tokens without consent: the password grant, and /authorize where the
 * API skips consent for them.)
 */
bool tsr_mgmt_consent_binds(bool client_is_first_party);

/* Drops from scopes those not in consented (in place). */
void tsr_mgmt_keep_consented(struct tsr_strlist *scopes, const struct tsr_strlist *consented);

/*
 * Whether a client may still use a client-credentials token: it still
 * lists the client_credentials grant type and is still confidential
 * (token_endpoint_auth_method is not "none"), as the token endpoint
 * requires to issue one.
 */
bool tsr_mgmt_client_grant_stands(const struct tsr_strlist *grant_types,
                                  const char *token_endpoint_auth_method);

/*
 * The Management API rate-limit key of a token, into out (len >= 64): a
 * client's token counts against its client (azp); a person's against the
 * person within the application (azp and a digest of sub), so one person
 * cannot use up the limit of everyone else signed in to the same app.
 * Returns 0, TSR_EINVAL (out too small) or TSR_ECRYPTO.
 */
int tsr_mgmt_rate_key(const char *azp, const char *sub, bool person, char *out, size_t len);

#endif
