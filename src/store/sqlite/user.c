/* user.c - SQLite statements of the named queries in store/queries/user.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_user[] = {
    {TSR_Q_COUNT, NULL},
};
