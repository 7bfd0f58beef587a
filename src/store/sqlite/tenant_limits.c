/* tenant_limits.c - SQLite statements of the named queries in store/queries/tenant_limits.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_tenant_limits[] = {
    {TSR_Q_COUNT, NULL},
};
