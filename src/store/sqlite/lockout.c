/* lockout.c - SQLite statements of the named queries in store/queries/lockout.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_lockout[] = {
    {TSR_Q_COUNT, NULL},
};
