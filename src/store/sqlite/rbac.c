/* rbac.c - SQLite statements of the named queries in store/queries/rbac.def. */
#include "store/sqlite/queries.h"

/* What a user holds, directly or through a role: tenant_id, user_id twice. */
#define HELD                                                                                       \
    "SELECT audience, permission FROM user_permissions WHERE tenant_id = ? AND user_id = ? "       \
    "UNION SELECT rp.audience, rp.permission FROM user_roles ur JOIN role_permissions rp ON "      \
    "rp.tenant_id = ur.tenant_id AND rp.role_id = ur.role_id WHERE ur.tenant_id = ? AND "          \
    "ur.user_id = ?"

const struct tsr_sq_query tsr_sq_rbac[] = {
    {TSR_Q_RBAC_USER_PERMISSIONS,
     "SELECT permission FROM user_permissions WHERE tenant_id = ? AND user_id = ? AND "
     "audience = ? UNION SELECT rp.permission FROM user_roles ur JOIN role_permissions rp ON "
     "rp.tenant_id = ur.tenant_id AND rp.role_id = ur.role_id WHERE ur.tenant_id = ? AND "
     "ur.user_id = ? AND rp.audience = ? ORDER BY 1"},
    {TSR_Q_RBAC_HELD_COUNT, "SELECT count(*) FROM (" HELD ") AS held"},
    {TSR_Q_RBAC_HELD_LIST, HELD " ORDER BY 1, 2 LIMIT ? OFFSET ?"},
    {TSR_Q_RBAC_GRANT,
     "INSERT INTO user_permissions (tenant_id, user_id, audience, permission, created_at) "
     "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"},
    {TSR_Q_RBAC_REVOKE,
     "DELETE FROM user_permissions WHERE tenant_id = ? AND user_id = ? AND audience = ? AND "
     "permission = ?"},
    {TSR_Q_RBAC_SOURCES,
     "SELECT NULL, NULL, 0 FROM user_permissions WHERE tenant_id = ? AND user_id = ? AND "
     "audience = ? AND permission = ? UNION ALL SELECT r.id, r.name, 1 FROM user_roles ur "
     "JOIN role_permissions rp ON rp.tenant_id = ur.tenant_id AND rp.role_id = ur.role_id "
     "JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id WHERE ur.tenant_id = ? "
     "AND ur.user_id = ? AND rp.audience = ? AND rp.permission = ? ORDER BY 3, 2, 1"},
    {TSR_Q_COUNT, NULL},
};
