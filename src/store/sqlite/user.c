/* user.c - SQLite statements of the named queries in store/queries/user.def. */
#include "store/sqlite/queries.h"

#define USER_COLUMNS                                                                               \
    "tenant_id, user_id, connection_id, email, email_verified, username, name, nickname, "         \
    "given_name, family_name, picture, user_metadata, app_metadata, blocked, password_hash, "      \
    "last_login, last_ip, logins_count, last_password_reset, created_at, updated_at"
#define SELECT_USER "SELECT " USER_COLUMNS " FROM users WHERE "

/*
 * A search's filter: every condition is bound twice, NULL (or -1) when the
 * filter leaves it out.  The parameters are typed at prepare time (s: text,
 * i: integer), so "? IS NULL" tests a text value here as in any dialect.
 */
#define FILTER                                                                                     \
    "tenant_id = ? AND (? IS NULL OR email = ?) AND (? IS NULL OR "                                \
    "lower(coalesce(email, '')) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' OR "          \
    "lower(nickname) LIKE ? ESCAPE '\\' OR lower(coalesce(username, '')) LIKE ? ESCAPE '\\') "     \
    "AND (? IS NULL OR lower(coalesce(email, '')) LIKE ? ESCAPE '\\') "                            \
    "AND (? IS NULL OR lower(name) LIKE ? ESCAPE '\\') "                                           \
    "AND (? IS NULL OR lower(nickname) LIKE ? ESCAPE '\\') "                                       \
    "AND (? IS NULL OR lower(coalesce(username, '')) LIKE ? ESCAPE '\\') "                         \
    "AND (? < 0 OR email_verified = ?) AND (? < 0 OR blocked = ?) "                                \
    "AND (? IS NULL OR connection_id IN (SELECT id FROM connections WHERE "                        \
    "connections.tenant_id = users.tenant_id AND connections.name = ?))"

/* Rows without the sort column come last either way; user_id breaks ties. */
#define SEARCH(col, dir)                                                                           \
    SELECT_USER FILTER " ORDER BY " col " IS NULL, " col " " dir ", user_id " dir                  \
                       " LIMIT ? OFFSET ?"
#define SEARCHES(name, col)                                                                        \
    {TSR_Q_USER_SEARCH_BY_##name##_ASC, SEARCH(#col, "ASC")},                                      \
        {TSR_Q_USER_SEARCH_BY_##name##_DESC, SEARCH(#col, "DESC")}

const struct tsr_sq_query tsr_sq_user[] = {
    {TSR_Q_USER_GET, SELECT_USER "tenant_id = ? AND user_id = ?"},
    {TSR_Q_USER_FIND_USERNAME, SELECT_USER "tenant_id = ? AND connection_id = ? AND username = ?"},
    {TSR_Q_USER_FIND_EMAIL, SELECT_USER "tenant_id = ? AND connection_id = ? AND email = ?"},
    /* Times that never happened are 0 in the record and NULL in the row (NULLIF). */
    {TSR_Q_USER_INSERT,
     "INSERT INTO users (" USER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
     "NULLIF(?, 0), ?, ?, NULLIF(?, 0), ?, ?)"},
    {TSR_Q_USER_UPDATE,
     "UPDATE users SET email = ?, email_verified = ?, username = ?, name = ?, nickname = ?, "
     "given_name = ?, family_name = ?, picture = ?, user_metadata = ?, app_metadata = ?, "
     "blocked = ?, password_hash = ?, last_login = NULLIF(?, 0), last_ip = ?, "
     "logins_count = ?, last_password_reset = NULLIF(?, 0), updated_at = ? "
     "WHERE tenant_id = ? AND user_id = ?"},
    {TSR_Q_USER_DELETE, "DELETE FROM users WHERE tenant_id = ? AND user_id = ?"},
    {TSR_Q_USER_END_SESSIONS, "DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?"},
    {TSR_Q_USER_RECORD_LOGIN,
     "UPDATE users SET last_login = ?, last_ip = ?, logins_count = logins_count + 1, "
     "updated_at = ? WHERE tenant_id = ? AND user_id = ?"},
    {TSR_Q_USER_SEARCH_COUNT, "SELECT count(*) FROM users WHERE " FILTER},
    SEARCHES(CREATED_AT, created_at),
    SEARCHES(UPDATED_AT, updated_at),
    SEARCHES(LAST_LOGIN, last_login),
    SEARCHES(LOGINS_COUNT, logins_count),
    SEARCHES(EMAIL, email),
    SEARCHES(NAME, name),
    SEARCHES(NICKNAME, nickname),
    SEARCHES(USERNAME, username),
    SEARCHES(USER_ID, user_id),
    {TSR_Q_COUNT, NULL},
};
