/* mail_queue.c - SQLite statements of the named queries in store/queries/mail_queue.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_mail_queue[] = {
    {TSR_Q_MAIL_QUEUE_INSERT, "INSERT INTO mail_queue (id, kind, recipient, message, attempts, "
                              "next_attempt_at, created_at) SELECT ?, ?, ?, ?, 0, ?, ? "
                              "WHERE (SELECT count(*) FROM mail_queue) < ?"},
    {TSR_Q_MAIL_QUEUE_DUE, "SELECT id, recipient, message, attempts, next_attempt_at, kind "
                           "FROM mail_queue WHERE next_attempt_at <= ? "
                           "ORDER BY next_attempt_at LIMIT 1"},
    {TSR_Q_MAIL_QUEUE_NEXT_AT, "SELECT min(next_attempt_at) FROM mail_queue"},
    {TSR_Q_MAIL_QUEUE_DELETE, "DELETE FROM mail_queue WHERE id = ?"},
    {TSR_Q_MAIL_QUEUE_RESCHEDULE,
     "UPDATE mail_queue SET attempts = ?, next_attempt_at = ? WHERE id = ?"},
    {TSR_Q_MAIL_QUEUE_CLAIM, "UPDATE mail_queue SET next_attempt_at = ? "
                             "WHERE id = ? AND next_attempt_at = ?"},
    {TSR_Q_COUNT, NULL},
};
