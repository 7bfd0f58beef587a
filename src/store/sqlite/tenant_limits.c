/* tenant_limits.c - SQLite statements of the named queries in store/queries/tenant_limits.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_tenant_limits[] = {
    {TSR_Q_TENANT_LIMITS_LOAD, "SELECT name, value FROM tenant_limits WHERE tenant_id = ?"},
    {TSR_Q_TENANT_LIMITS_DELETE, "DELETE FROM tenant_limits WHERE tenant_id = ? AND name = ?"},
    {TSR_Q_TENANT_LIMITS_PUT,
     "INSERT INTO tenant_limits (tenant_id, name, value) VALUES (?, ?, ?) "
     "ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value"},
    {TSR_Q_COUNT, NULL},
};
