/* role.c - SQLite statements of the named queries in store/queries/role.def. */
#include "store/sqlite/queries.h"

#define ROLE_COLUMNS "tenant_id, id, name, description, created_at, updated_at"

const struct tsr_sq_query tsr_sq_role[] = {
    {TSR_Q_ROLE_GET, "SELECT " ROLE_COLUMNS " FROM roles WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_ROLE_INSERT, "INSERT INTO roles (" ROLE_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)"},
    {TSR_Q_ROLE_UPDATE,
     "UPDATE roles SET name = ?, description = ?, updated_at = ? WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_ROLE_DELETE, "DELETE FROM roles WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_ROLE_LIST_COUNT,
     "SELECT count(*) FROM roles WHERE tenant_id = ? AND lower(name) LIKE lower(?) ESCAPE '\\'"},
    {TSR_Q_ROLE_LIST,
     "SELECT " ROLE_COLUMNS " FROM roles WHERE tenant_id = ? AND lower(name) LIKE lower(?) "
     "ESCAPE '\\' ORDER BY name, id LIMIT ? OFFSET ?"},
    {TSR_Q_ROLE_PERMISSION_ADD,
     "INSERT INTO role_permissions (tenant_id, role_id, audience, permission, created_at) "
     "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"},
    {TSR_Q_ROLE_PERMISSION_REMOVE,
     "DELETE FROM role_permissions WHERE tenant_id = ? AND role_id = ? AND audience = ? AND "
     "permission = ?"},
    {TSR_Q_ROLE_PERMISSIONS_COUNT,
     "SELECT count(*) FROM role_permissions WHERE tenant_id = ? AND role_id = ?"},
    {TSR_Q_ROLE_PERMISSIONS,
     "SELECT audience, permission FROM role_permissions WHERE tenant_id = ? AND role_id = ? "
     "ORDER BY audience, permission LIMIT ? OFFSET ?"},
    {TSR_Q_ROLE_ASSIGN,
     "INSERT INTO user_roles (tenant_id, user_id, role_id, created_at) VALUES (?, ?, ?, ?) "
     "ON CONFLICT DO NOTHING"},
    {TSR_Q_ROLE_UNASSIGN,
     "DELETE FROM user_roles WHERE tenant_id = ? AND user_id = ? AND role_id = ?"},
    {TSR_Q_ROLE_USERS_COUNT, "SELECT count(*) FROM user_roles WHERE tenant_id = ? AND role_id = ?"},
    {TSR_Q_ROLE_USERS,
     "SELECT user_id FROM user_roles WHERE tenant_id = ? AND role_id = ? AND user_id > ? "
     "ORDER BY user_id LIMIT ? OFFSET ?"},
    {TSR_Q_ROLE_USER_ROLES_COUNT,
     "SELECT count(*) FROM user_roles WHERE tenant_id = ? AND user_id = ?"},
    {TSR_Q_ROLE_USER_ROLES,
     "SELECT r.tenant_id, r.id, r.name, r.description, r.created_at, r.updated_at FROM "
     "user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id WHERE "
     "ur.tenant_id = ? AND ur.user_id = ? ORDER BY r.name, r.id LIMIT ? OFFSET ?"},
    {TSR_Q_COUNT, NULL},
};
