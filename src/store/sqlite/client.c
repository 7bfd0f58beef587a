/* client.c - SQLite statements of the named queries in store/queries/client.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_client[] = {
    {TSR_Q_COUNT, NULL},
};
