/* client.c - SQLite statements of the named queries in store/queries/client.def. */
#include "store/sqlite/queries.h"

#define CLIENT_FILTER                                                                              \
    " FROM clients WHERE tenant_id = ? AND "                                                       \
    "(? = 0 OR app_type IN (?, ?, ?, ?)) AND (? < 0 OR is_first_party = ?)"
#define CLIENT_COLUMNS                                                                             \
    "tenant_id, client_id, name, description, app_type, logo_uri, is_first_party, "                \
    "oidc_conformant, is_system, secret_hash, token_endpoint_auth_method, grant_types, "           \
    "callbacks, allowed_origins, web_origins, allowed_logout_urls, client_metadata, "              \
    "jwt_lifetime_in_seconds, created_at, updated_at, rt_rotation_type, rt_expiration_type, "      \
    "rt_leeway, rt_token_lifetime, rt_idle_token_lifetime, rt_infinite_token_lifetime, "           \
    "rt_infinite_idle_token_lifetime, allow_implicit_access_tokens"

const struct tsr_sq_query tsr_sq_client[] = {
    {TSR_Q_CLIENT_GET,
     "SELECT " CLIENT_COLUMNS " FROM clients WHERE tenant_id = ? AND client_id = ?"},
    {TSR_Q_CLIENT_INSERT, "INSERT INTO clients (" CLIENT_COLUMNS
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_CLIENT_UPDATE,
     "UPDATE clients SET name = ?, description = ?, app_type = ?, logo_uri = ?, "
     "is_first_party = ?, oidc_conformant = ?, secret_hash = ?, "
     "token_endpoint_auth_method = ?, grant_types = ?, callbacks = ?, "
     "allowed_origins = ?, web_origins = ?, allowed_logout_urls = ?, client_metadata = ?, "
     "jwt_lifetime_in_seconds = ?, updated_at = ?, rt_rotation_type = ?, "
     "rt_expiration_type = ?, rt_leeway = ?, rt_token_lifetime = ?, "
     "rt_idle_token_lifetime = ?, rt_infinite_token_lifetime = ?, "
     "rt_infinite_idle_token_lifetime = ?, allow_implicit_access_tokens = ? WHERE tenant_id = ? AND client_id = ?"},
    {TSR_Q_CLIENT_DELETE, "DELETE FROM clients WHERE tenant_id = ? AND client_id = ?"},
    {TSR_Q_CLIENT_COUNT, "SELECT count(*)" CLIENT_FILTER},
    {TSR_Q_CLIENT_LIST,
     "SELECT " CLIENT_COLUMNS CLIENT_FILTER " ORDER BY created_at, client_id LIMIT ? OFFSET ?"},
    {TSR_Q_CLIENT_ORIGINS_CLEAR,
     "DELETE FROM client_origins WHERE tenant_id = ? AND client_id = ?"},
    {TSR_Q_CLIENT_ORIGINS_ADD,
     "INSERT INTO client_origins (tenant_id, client_id, origin) SELECT ?1, ?2, ?3 "
     "WHERE NOT EXISTS (SELECT 1 FROM client_origins "
     "WHERE tenant_id = ?1 AND client_id = ?2 AND origin = ?3)"},
    {TSR_Q_CLIENT_LIST_TENANT, "SELECT " CLIENT_COLUMNS " FROM clients WHERE tenant_id = ?"},
    {TSR_Q_CLIENT_ORIGINS_TENANT,
     "SELECT DISTINCT origin FROM client_origins WHERE tenant_id = ?"},
    {TSR_Q_COUNT, NULL},
};
