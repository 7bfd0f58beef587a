/* rbac.c - SQLite statements of the named queries in store/queries/rbac.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_rbac[] = {
    {TSR_Q_COUNT, NULL},
};
