/*
 * rbac.h - permissions of users on APIs.  A permission is one of the API's
 * scopes, given to a user directly or through the roles assigned to them
 * (core/role.h).  For an API with enforce_policies, a person's access
 * token carries only the requested scopes they hold; with the
 * access_token_authz dialect it also lists them all in `permissions`.
 */
#ifndef TSR_CORE_RBAC_H
#define TSR_CORE_RBAC_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strlist.h"

struct tsr_api;
struct tsr_refusal;

/*
 * The rule the Management API's permission bodies (of a user, of a role)
 * and `tessera config apply` share: a permission is one of the scopes the
 * API a defines.  Returns 0, or TSR_EINVAL with why about "permissions".
 */
int tsr_rbac_permission_check(const struct tsr_api *a, const char *name, struct tsr_refusal *why);

struct tsr_permission {
    char *audience; /* the API's identifier */
    char *permission;
};

void tsr_permission_list_free(struct tsr_permission *list, size_t n);

/* Row reader and cleanup of (audience, permission) rows, for tsr_rows_collect. */
int tsr_permission_read(tsr_stmt *q, void *record);
void tsr_permission_cleanup(void *record);

/*
 * The user's permissions on audience, direct and through roles, distinct
 * and sorted, into an empty list.
 */
int tsr_rbac_user_permissions(tsr_store *st, const char *tenant_id, const char *user_id,
                              const char *audience, struct tsr_strlist *out);

/*
 * Every permission of the user (direct and through roles, distinct),
 * ordered by API then name, paged.
 */
int tsr_rbac_list(tsr_store *st, const char *tenant_id, const char *user_id, int64_t offset,
                  int64_t limit, struct tsr_permission **out, size_t *n, int64_t *total);

/* Where a user's permission comes from: role_id NULL for a direct grant. */
struct tsr_permission_source {
    char *role_id;
    char *role_name;
};

void tsr_permission_source_list_free(struct tsr_permission_source *list, size_t n);

/*
 * The sources of one permission of the user: the direct grant first (if
 * any), then the roles holding it ordered by name.
 */
int tsr_rbac_sources(tsr_store *st, const char *tenant_id, const char *user_id,
                     const char *audience, const char *permission,
                     struct tsr_permission_source **out, size_t *n);

/* Gives a permission (no error when the user holds it already). */
int tsr_rbac_grant(tsr_store *st, const char *tenant_id, const char *user_id,
                   const char *audience, const char *permission);

/* Takes a permission away (no error when the user does not hold it). */
int tsr_rbac_revoke(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *audience, const char *permission);

#endif
