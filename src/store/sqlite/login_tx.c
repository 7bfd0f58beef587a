/* login_tx.c - SQLite statements of the named queries in store/queries/login_tx.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_login_tx[] = {
    {TSR_Q_COUNT, NULL},
};
