/* connection.c - SQLite statements of the named queries in store/queries/connection.def. */
#include "store/sqlite/queries.h"

#define CONNECTION_COLUMNS                                                                         \
    "tenant_id, id, name, strategy, display_name, password_policy, password_min_length, "          \
    "requires_username, disable_signup, brute_force_protection, created_at, updated_at"

/* Strategy: a flag, then one slot per strategy there is; name: '' for any, bound twice. */
#define CONNECTION_FILTER                                                                          \
    " FROM connections WHERE tenant_id = ? AND (? = 0 OR strategy IN (?)) AND "                    \
    "(? = '' OR name = ?)"

const struct tsr_sq_query tsr_sq_connection[] = {
    {TSR_Q_CONNECTION_GET,
     "SELECT " CONNECTION_COLUMNS " FROM connections WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_CONNECTION_GET_BY_NAME,
     "SELECT " CONNECTION_COLUMNS " FROM connections WHERE tenant_id = ? AND name = ?"},
    {TSR_Q_CONNECTION_INSERT, "INSERT INTO connections (" CONNECTION_COLUMNS
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_CONNECTION_UPDATE, "UPDATE connections SET display_name = ?, password_policy = ?, "
                              "password_min_length = ?, requires_username = ?, disable_signup = ?, "
                              "brute_force_protection = ?, updated_at = ? "
                              "WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_CONNECTION_DELETE, "DELETE FROM connections WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_CONNECTION_COUNT, "SELECT count(*)" CONNECTION_FILTER},
    {TSR_Q_CONNECTION_LIST,
     "SELECT " CONNECTION_COLUMNS CONNECTION_FILTER " ORDER BY created_at, id LIMIT ? OFFSET ?"},
    {TSR_Q_CONNECTION_LIST_AFTER,
     "SELECT " CONNECTION_COLUMNS CONNECTION_FILTER " AND id > ? ORDER BY id LIMIT ?"},
    {TSR_Q_CONNECTION_TOUCH,
     "UPDATE connections SET updated_at = ? WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_CONNECTION_CLIENTS, "SELECT client_id FROM connection_clients WHERE tenant_id = ? AND "
                               "connection_id = ? ORDER BY position"},
    {TSR_Q_CONNECTION_CLIENTS_CLEAR,
     "DELETE FROM connection_clients WHERE tenant_id = ? AND connection_id = ?"},
    {TSR_Q_CONNECTION_CLIENTS_ADD, "INSERT INTO connection_clients (tenant_id, connection_id, "
                                   "position, client_id) VALUES (?, ?, ?, ?)"},
    {TSR_Q_CONNECTION_CLIENT_IDS,
     "SELECT client_id FROM clients WHERE tenant_id = ? ORDER BY created_at, client_id"},
    {TSR_Q_CONNECTION_COUNT_ALL, "SELECT count(*) FROM connections WHERE tenant_id = ?"},
    {TSR_Q_COUNT, NULL},
};
