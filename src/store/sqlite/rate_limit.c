/* rate_limit.c - SQLite statements of the named queries in store/queries/rate_limit.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_rate_limit[] = {
    {TSR_Q_COUNT, NULL},
};
