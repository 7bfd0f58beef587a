/* tenant.c - SQLite statements of the named queries in store/queries/tenant.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_tenant[] = {
    {TSR_Q_TENANT_LIST,
     "SELECT id, issuer, friendly_name, default_audience, is_default, created_at, "
     "session_lifetime, idle_session_lifetime, allowed_logout_urls, logo_url, primary_color, "
     "default_directory, generation, name FROM tenants ORDER BY is_default DESC, name, id"},
    {TSR_Q_TENANT_INSERT,
     "INSERT INTO tenants (id, name, issuer, friendly_name, default_audience, is_default, "
     "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_TENANT_UPDATE_SETTINGS,
     "UPDATE tenants SET friendly_name = ?, default_audience = ?, default_directory = ?, "
     "session_lifetime = ?, idle_session_lifetime = ?, allowed_logout_urls = ?, logo_url = ?, "
     "primary_color = ?, updated_at = ? WHERE id = ?"},
    {TSR_Q_TENANT_DELETE_ADVANCE,
     "UPDATE tenants SET generation = generation + COALESCE((SELECT generation + 2 FROM tenants "
     "WHERE id = ? AND is_default = 0), 0) WHERE is_default = 1"},
    {TSR_Q_TENANT_DELETE, "DELETE FROM tenants WHERE id = ? AND is_default = 0"},
    {TSR_Q_COUNT, NULL},
};
