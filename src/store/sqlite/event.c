/* event.c - SQLite statements of the named queries in store/queries/event.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_event[] = {
    {TSR_Q_EVENT_INSERT,
     "INSERT INTO events (tenant_id, id, date, type, description, client_id, "
     "client_name, ip, user_agent, user_id, user_name, connection, "
     "connection_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_COUNT, NULL},
};
