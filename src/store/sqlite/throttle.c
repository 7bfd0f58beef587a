/* throttle.c - SQLite statements of the named queries in store/queries/throttle.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_throttle[] = {
    {TSR_Q_COUNT, NULL},
};
