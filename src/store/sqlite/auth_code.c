/* auth_code.c - SQLite statements of the named queries in store/queries/auth_code.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_auth_code[] = {
    {TSR_Q_COUNT, NULL},
};
