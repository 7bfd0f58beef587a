/* session.c - SQLite statements of the named queries in store/queries/session.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_session[] = {
    {TSR_Q_SESSION_DELETE, "DELETE FROM sessions WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_SESSION_INSERT,
     "INSERT INTO sessions (tenant_id, id, sid, user_id, auth_time, created_at, last_seen_at, "
     "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_SESSION_GET,
     "SELECT sid, user_id, auth_time, created_at, expires_at, last_seen_at FROM sessions "
     "WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_SESSION_TOUCH, "UPDATE sessions SET last_seen_at = ? WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_COUNT, NULL},
};
