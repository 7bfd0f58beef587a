/* tenant.c - SQLite statements of the named queries in store/queries/tenant.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_tenant[] = {
    {TSR_Q_COUNT, NULL},
};
