/* grant.c - SQLite statements of the named queries in store/queries/grant.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_grant[] = {
    {TSR_Q_COUNT, NULL},
};
