/* consent.c - SQLite statements of the named queries in store/queries/consent.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_consent[] = {
    {TSR_Q_COUNT, NULL},
};
