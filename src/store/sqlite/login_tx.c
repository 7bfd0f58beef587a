/* login_tx.c - SQLite statements of the named queries in store/queries/login_tx.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_login_tx[] = {
    {TSR_Q_LOGIN_TX_INSERT, "INSERT INTO login_transactions (tenant_id, id, browser, csrf, params, "
                            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_LOGIN_TX_GET, "SELECT browser, csrf, params, user_id, expires_at FROM "
                         "login_transactions WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_LOGIN_TX_SET_USER,
     "UPDATE login_transactions SET user_id = ? WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_LOGIN_TX_DELETE_EXPIRED,
     "DELETE FROM login_transactions WHERE tenant_id = ? AND expires_at <= ?"},
    {TSR_Q_LOGIN_TX_DELETE, "DELETE FROM login_transactions WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_COUNT, NULL},
};
