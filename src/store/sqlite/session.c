/* session.c - SQLite statements of the named queries in store/queries/session.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_session[] = {
    {TSR_Q_COUNT, NULL},
};
