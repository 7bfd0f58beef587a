/* app.c - SQLite statements of the named queries in store/queries/app.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_app[] = {
    {TSR_Q_APP_COUNTS, "SELECT (SELECT count(*) FROM tenants), "
                       "(SELECT count(*) FROM signing_keys)"},
    {TSR_Q_COUNT, NULL},
};
