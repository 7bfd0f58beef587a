/* grant.c - SQLite statements of the named queries in store/queries/grant.def. */
#include "store/sqlite/queries.h"

#define GRANT_FILTER                                                                               \
    " FROM client_grants WHERE tenant_id = ? AND (? IS NULL OR audience = ?) AND "                 \
    "(? IS NULL OR client_id = ?)"
#define GRANT_COLUMNS "tenant_id, id, client_id, audience, scope, created_at, updated_at"

const struct tsr_sq_query tsr_sq_grant[] = {
    {TSR_Q_GRANT_GET, "SELECT " GRANT_COLUMNS " FROM client_grants WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_GRANT_GET_BY_PAIR, "SELECT " GRANT_COLUMNS " FROM client_grants WHERE tenant_id = ? AND "
                              "client_id = ? AND audience = ?"},
    {TSR_Q_GRANT_INSERT,
     "INSERT INTO client_grants (" GRANT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_GRANT_UPDATE_SCOPE,
     "UPDATE client_grants SET scope = ?, updated_at = ? WHERE tenant_id = ? "
     "AND id = ?"},
    {TSR_Q_GRANT_DELETE, "DELETE FROM client_grants WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_GRANT_COUNT, "SELECT count(*)" GRANT_FILTER},
    {TSR_Q_GRANT_LIST,
     "SELECT " GRANT_COLUMNS GRANT_FILTER " ORDER BY created_at, id LIMIT ? OFFSET ?"},
    {TSR_Q_GRANT_LIST_AFTER,
     "SELECT " GRANT_COLUMNS GRANT_FILTER " AND id > ? ORDER BY id LIMIT ?"},
    {TSR_Q_GRANT_LIST_TENANT, "SELECT " GRANT_COLUMNS " FROM client_grants WHERE tenant_id = ?"},
    {TSR_Q_COUNT, NULL},
};
