/* logs.c - SQLite statements of the named queries in store/queries/logs.def. */
#include "store/sqlite/queries.h"

#define COLUMNS                                                                                    \
    "SELECT id, date, type, description, client_id, client_name, ip, user_agent, user_id, "        \
    "user_name, connection, connection_id, details FROM events "

/*
 * Every variant keeps one placeholder per filter, used ("type = ?") or
 * not ("? IS NULL", bound NULL), so all bind alike while an absent filter
 * does not hide the index (events_by_type, _by_user, _by_client) of a
 * present one behind an OR.
 */
#define WHERE(t, u, c)                                                                             \
    "WHERE tenant_id = ? AND " t " AND " u " AND " c " AND date >= ? AND date <= ?"
#define T "type = ?"
#define U "user_id = ?"
#define C "client_id = ?"
#define NO "? IS NULL"
#define COUNT(t, u, c) "SELECT count(*) FROM events " WHERE(t, u, c)
#define LIST(t, u, c, dir) COLUMNS WHERE(t, u, c) " ORDER BY id " dir " LIMIT ? OFFSET ?"
#define LISTS(name, t, u, c)                                                                       \
    {TSR_Q_LOGS_LIST##name##_ASC, LIST(t, u, c, "ASC")},                                           \
        {TSR_Q_LOGS_LIST##name##_DESC, LIST(t, u, c, "DESC")}

const struct tsr_sq_query tsr_sq_logs[] = {
    {TSR_Q_LOGS_COUNT, COUNT(NO, NO, NO)},
    {TSR_Q_LOGS_COUNT_T, COUNT(T, NO, NO)},
    {TSR_Q_LOGS_COUNT_U, COUNT(NO, U, NO)},
    {TSR_Q_LOGS_COUNT_TU, COUNT(T, U, NO)},
    {TSR_Q_LOGS_COUNT_C, COUNT(NO, NO, C)},
    {TSR_Q_LOGS_COUNT_TC, COUNT(T, NO, C)},
    {TSR_Q_LOGS_COUNT_UC, COUNT(NO, U, C)},
    {TSR_Q_LOGS_COUNT_TUC, COUNT(T, U, C)},
    LISTS(, NO, NO, NO),
    LISTS(_T, T, NO, NO),
    LISTS(_U, NO, U, NO),
    LISTS(_TU, T, U, NO),
    LISTS(_C, NO, NO, C),
    LISTS(_TC, T, NO, C),
    LISTS(_UC, NO, U, C),
    LISTS(_TUC, T, U, C),
    {TSR_Q_LOGS_AFTER, COLUMNS "WHERE tenant_id = ? AND id > ? ORDER BY id ASC LIMIT ?"},
    {TSR_Q_LOGS_GET, COLUMNS "WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_LOGS_PURGE, "DELETE FROM events WHERE tenant_id = ? AND date < ?"},
    {TSR_Q_COUNT, NULL},
};
