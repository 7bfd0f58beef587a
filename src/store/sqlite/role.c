/* role.c - SQLite statements of the named queries in store/queries/role.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_role[] = {
    {TSR_Q_COUNT, NULL},
};
