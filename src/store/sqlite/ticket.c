/* ticket.c - SQLite statements of the named queries in store/queries/ticket.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_ticket[] = {
    {TSR_Q_TICKET_PURGE, "DELETE FROM password_tickets WHERE tenant_id = ? AND expires_at < ?"},
    {TSR_Q_TICKET_INSERT,
     "INSERT INTO password_tickets (tenant_id, ticket, user_id, result_url, created_at, "
     "expires_at, kind, email, client_id, mark_email_verified, include_email) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_TICKET_FIND,
     "SELECT user_id, email, result_url, client_id, mark_email_verified, include_email, "
     "used_at IS NOT NULL, expires_at <= ? FROM password_tickets WHERE tenant_id = ? AND "
     "ticket = ? AND kind = ?"},
    {TSR_Q_TICKET_CONSUME,
     "UPDATE password_tickets SET used_at = ? WHERE tenant_id = ? AND ticket = ? AND kind = ? "
     "AND used_at IS NULL AND expires_at > ?"},
    {TSR_Q_TICKET_DELETE, "DELETE FROM password_tickets WHERE tenant_id = ? AND ticket = ?"},
    {TSR_Q_TICKET_VERIFY_EMAIL,
     "UPDATE users SET email_verified = 1, updated_at = ? WHERE tenant_id = ? AND user_id = ? "
     "AND email = ? AND email <> ''"},
    {TSR_Q_COUNT, NULL},
};
