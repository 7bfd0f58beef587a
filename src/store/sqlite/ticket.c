/* ticket.c - SQLite statements of the named queries in store/queries/ticket.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_ticket[] = {
    {TSR_Q_COUNT, NULL},
};
