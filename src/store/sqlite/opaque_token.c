/* opaque_token.c - SQLite statements of the named queries in store/queries/opaque_token.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_opaque_token[] = {
    {TSR_Q_OPAQUE_TOKEN_INSERT,
     "INSERT INTO access_tokens (tenant_id, token, family_id, client_id, user_id, scope, "
     "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_OPAQUE_TOKEN_FIND,
     "SELECT client_id, user_id, scope, expires_at FROM access_tokens WHERE tenant_id = ? AND "
     "token = ? AND revoked_at IS NULL AND expires_at > ?"},
    {TSR_Q_COUNT, NULL},
};
