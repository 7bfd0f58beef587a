/*
 * rbac.h - permissions of users on APIs.  A permission is one of the API's
 * scopes, given to a user directly (roles come later).  For an API with
 * enforce_policies, a person's access token carries only the requested
 * scopes they hold; with the access_token_authz dialect it also lists
 * them all in `permissions`.
 */
#ifndef TSR_CORE_RBAC_H
#define TSR_CORE_RBAC_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strlist.h"

struct tsr_permission {
    char *audience; /* the API's identifier */
    char *permission;
};

void tsr_permission_list_free(struct tsr_permission *list, size_t n);

/* The user's permissions on audience, into an empty list. */
int tsr_rbac_user_permissions(tsr_store *st, const char *tenant_id, const char *user_id,
                              const char *audience, struct tsr_strlist *out);

/* Every permission of the user, ordered by API then name, paged. */
int tsr_rbac_list(tsr_store *st, const char *tenant_id, const char *user_id, int64_t offset,
                  int64_t limit, struct tsr_permission **out, size_t *n, int64_t *total);

/* Gives a permission (no error when the user holds it already). */
int tsr_rbac_grant(tsr_store *st, const char *tenant_id, const char *user_id,
                   const char *audience, const char *permission);

/* Takes a permission away (no error when the user does not hold it). */
int tsr_rbac_revoke(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *audience, const char *permission);

#endif
