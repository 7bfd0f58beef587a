/* logs.c - SQLite statements of the named queries in store/queries/logs.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_logs[] = {
    {TSR_Q_COUNT, NULL},
};
