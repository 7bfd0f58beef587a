/* refresh_token.c - SQLite statements of the named queries in store/queries/refresh_token.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_refresh_token[] = {
    {TSR_Q_COUNT, NULL},
};
