/* mail_queue.c - SQLite statements of the named queries in store/queries/mail_queue.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_mail_queue[] = {
    {TSR_Q_COUNT, NULL},
};
