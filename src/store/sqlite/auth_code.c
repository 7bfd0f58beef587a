/* auth_code.c - SQLite statements of the named queries in store/queries/auth_code.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_auth_code[] = {
    {TSR_Q_AUTH_CODE_INSERT,
     "INSERT INTO authorization_codes (tenant_id, code, client_id, user_id, "
     "sid, redirect_uri, scope, audience, nonce, code_challenge, "
     "code_challenge_method, auth_time, created_at, expires_at) VALUES "
     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_AUTH_CODE_GET, "SELECT code, client_id, user_id, sid, redirect_uri, scope, audience, "
                          "nonce, code_challenge, code_challenge_method, auth_time, expires_at, "
                          "used_at FROM authorization_codes WHERE tenant_id = ? AND code = ?"},
    {TSR_Q_AUTH_CODE_MARK_USED,
     "UPDATE authorization_codes SET used_at = ? WHERE tenant_id = ? AND "
     "code = ? AND used_at IS NULL"},
    {TSR_Q_COUNT, NULL},
};
