/* connection.c - SQLite statements of the named queries in store/queries/connection.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_connection[] = {
    {TSR_Q_COUNT, NULL},
};
