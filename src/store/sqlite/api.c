/* api.c - SQLite statements of the named queries in store/queries/api.def. */
#include "store/sqlite/queries.h"

#define API_FILTER                                                                                 \
    " FROM resource_servers WHERE tenant_id = ? AND "                                              \
    "(? = 0 OR identifier IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))"
#define API_COLUMNS                                                                                \
    "tenant_id, id, identifier, name, is_system, signing_alg, signing_secret, token_lifetime, "    \
    "token_lifetime_for_web, allow_offline_access, "                                               \
    "skip_consent_for_verifiable_first_party_clients, enforce_policies, token_dialect, scopes, "   \
    "created_at, updated_at"

const struct tsr_sq_query tsr_sq_api[] = {
    {TSR_Q_API_GET, "SELECT " API_COLUMNS " FROM resource_servers WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_API_GET_BY_IDENTIFIER,
     "SELECT " API_COLUMNS " FROM resource_servers WHERE tenant_id = ? AND identifier = ?"},
    {TSR_Q_API_INSERT, "INSERT INTO resource_servers (" API_COLUMNS
                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_API_UPDATE, "UPDATE resource_servers SET name = ?, signing_alg = ?, "
                       "signing_secret = ?, token_lifetime = ?, token_lifetime_for_web = ?, "
                       "allow_offline_access = ?, "
                       "skip_consent_for_verifiable_first_party_clients = ?, "
                       "enforce_policies = ?, token_dialect = ?, scopes = ?, updated_at = ? "
                       "WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_API_DELETE, "DELETE FROM resource_servers WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_API_COUNT, "SELECT count(*)" API_FILTER},
    {TSR_Q_API_LIST,
     "SELECT " API_COLUMNS API_FILTER " ORDER BY is_system DESC, created_at, id LIMIT ? OFFSET ?"},
    {TSR_Q_API_LIST_TENANT, "SELECT " API_COLUMNS " FROM resource_servers WHERE tenant_id = ?"},
    {TSR_Q_COUNT, NULL},
};
