/* refresh_token.c - SQLite statements of the named queries in store/queries/refresh_token.def. */
#include "store/sqlite/queries.h"

#define REVOKE(table, column)                                                                      \
    "UPDATE " table " SET revoked_at = ? WHERE tenant_id = ? AND " column " = ? AND "              \
    "revoked_at IS NULL"

const struct tsr_sq_query tsr_sq_refresh_token[] = {
    /* expires_at 0 is a token that never expires: NULL in the row. */
    {TSR_Q_REFRESH_TOKEN_INSERT,
     "INSERT INTO refresh_tokens (tenant_id, token, family_id, client_id, user_id, sid, scope, "
     "audience, auth_time, created_at, last_used_at, expires_at) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))"},
    {TSR_Q_REFRESH_TOKEN_FIND,
     "SELECT token, family_id, client_id, user_id, sid, scope, audience, auth_time, created_at, "
     "last_used_at, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE tenant_id = ? "
     "AND token = ?"},
    {TSR_Q_REFRESH_TOKEN_ROTATE,
     "UPDATE refresh_tokens SET rotated_at = ?, last_used_at = ? WHERE tenant_id = ? AND "
     "token = ? AND rotated_at IS NULL"},
    {TSR_Q_REFRESH_TOKEN_TOUCH,
     "UPDATE refresh_tokens SET last_used_at = ? WHERE tenant_id = ? AND token = ?"},
    {TSR_Q_REFRESH_TOKEN_REVOKE_FAMILY, REVOKE("refresh_tokens", "family_id")},
    {TSR_Q_REFRESH_TOKEN_REVOKE_FAMILY_ACCESS, REVOKE("access_tokens", "family_id")},
    {TSR_Q_REFRESH_TOKEN_REVOKE_CLIENT, REVOKE("refresh_tokens", "client_id")},
    {TSR_Q_REFRESH_TOKEN_REVOKE_CLIENT_ACCESS, REVOKE("access_tokens", "client_id")},
    {TSR_Q_REFRESH_TOKEN_REVOKE_USER, REVOKE("refresh_tokens", "user_id")},
    {TSR_Q_REFRESH_TOKEN_REVOKE_USER_ACCESS, REVOKE("access_tokens", "user_id")},
    {TSR_Q_REFRESH_TOKEN_REVOKE_SESSION, REVOKE("refresh_tokens", "sid")},
    {TSR_Q_COUNT, NULL},
};
