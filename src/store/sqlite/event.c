/* event.c - SQLite statements of the named queries in store/queries/event.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_event[] = {
    {TSR_Q_COUNT, NULL},
};
