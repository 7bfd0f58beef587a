/*
 * role.h - roles of a tenant: named sets of permissions (API scopes) that
 * users are assigned.  A user holds the permissions given directly
 * (core/rbac.h) and those of every role assigned to them.  Deleting a role,
 * a user or an API removes what refers to it.
 */
#ifndef TSR_CORE_ROLE_H
#define TSR_CORE_ROLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rbac.h"
#include "store/store.h"

#define TSR_ROLE_NAME_MAX 100
#define TSR_ROLE_DESCRIPTION_MAX 140

struct tsr_role {
    char *tenant_id;
    char *id; /* rol_ + 16 characters */
    char *name;
    char *description;
    int64_t created_at;
    int64_t updated_at;
};

void tsr_role_cleanup(struct tsr_role *r);
void tsr_role_list_free(struct tsr_role *list, size_t n);

/* Fills r with a new role (fresh id, empty name and description, timestamps now). */
int tsr_role_init_new(struct tsr_role *r, const char *tenant_id);

/* Returns 0, TSR_ENOTFOUND or the store's error. */
int tsr_role_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_role *out);

/* TSR_ECONFLICT when the name is taken in the tenant. */
int tsr_role_insert(tsr_store *st, const struct tsr_role *r);

/* Saves name and description (updated_at now).  TSR_ENOTFOUND, TSR_ECONFLICT. */
int tsr_role_update(tsr_store *st, struct tsr_role *r);

/* Deletes the role, its permissions and its assignments.  TSR_ENOTFOUND. */
int tsr_role_delete(tsr_store *st, const char *tenant_id, const char *id);

/*
 * Lists roles ordered by name; name_filter (NULL or "" for all) keeps the
 * names that contain it, ignoring ASCII case.
 */
int tsr_role_list(tsr_store *st, const char *tenant_id, const char *name_filter, int64_t offset,
                  int64_t limit, struct tsr_role **out, size_t *n, int64_t *total);

/* Adds a permission to a role (no error when it holds it already). */
int tsr_role_permission_add(tsr_store *st, const char *tenant_id, const char *role_id,
                            const char *audience, const char *permission);

/* Removes a permission from a role (no error when it does not hold it). */
int tsr_role_permission_remove(tsr_store *st, const char *tenant_id, const char *role_id,
                               const char *audience, const char *permission);

/* The role's permissions ordered by API then name, paged. */
int tsr_role_permissions(tsr_store *st, const char *tenant_id, const char *role_id,
                         int64_t offset, int64_t limit, struct tsr_permission **out, size_t *n,
                         int64_t *total);

/* Assigns a role to a user (no error when assigned already). */
int tsr_role_assign(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *role_id);

/* Takes a role from a user (no error when not assigned). */
int tsr_role_unassign(tsr_store *st, const char *tenant_id, const char *user_id,
                      const char *role_id);

/*
 * The ids of the role's users ordered by user_id, into an empty list:
 * those after after_user_id (NULL: from the start), skipping offset,
 * at most limit.  *total (may be NULL) receives how many users hold it.
 */
int tsr_role_users(tsr_store *st, const char *tenant_id, const char *role_id,
                   const char *after_user_id, int64_t offset, int64_t limit,
                   struct tsr_strlist *out, int64_t *total);

/* The roles assigned to a user ordered by name, paged. */
int tsr_role_user_roles(tsr_store *st, const char *tenant_id, const char *user_id,
                        int64_t offset, int64_t limit, struct tsr_role **out, size_t *n,
                        int64_t *total);

#endif
