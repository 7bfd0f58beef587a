/* keys.c - SQLite statements of the named queries in store/queries/keys.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_keys[] = {
    {TSR_Q_COUNT, NULL},
};
