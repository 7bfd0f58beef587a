/* tenant_set.c - SQLite statements of the named queries in store/queries/tenant_set.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_tenant_set[] = {
    {TSR_Q_TENANT_SET_GENERATION, "SELECT COALESCE(sum(generation), 0) + count(*) FROM tenants"},
    {TSR_Q_TENANT_SET_TOUCH,
     "UPDATE tenants SET generation = generation + 1, updated_at = ? WHERE id = ?"},
    {TSR_Q_TENANT_SET_KEYS_STATE,
     "SELECT COALESCE(group_concat(k, ','), '') FROM (SELECT kid || ':' || alg || ':' || state "
     "|| ':' || COALESCE(current_since, '') || ':' || COALESCE(current_until, '') || ':' || "
     "COALESCE(revoked_at, '') AS k FROM signing_keys WHERE tenant_id = ? ORDER BY kid)"},
    {TSR_Q_COUNT, NULL},
};
