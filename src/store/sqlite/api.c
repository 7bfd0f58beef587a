/* api.c - SQLite statements of the named queries in store/queries/api.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_api[] = {
    {TSR_Q_COUNT, NULL},
};
