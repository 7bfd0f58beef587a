/* throttle.c - SQLite statements of the named queries in store/queries/throttle.def. */
#include "store/sqlite/queries.h"

/*
 * One attempt reserved in one statement, so that concurrent requests cannot
 * all pass a check made before the (slow) password hash: the count goes up
 * by one (or starts again at one once the last failure is forgotten) and
 * the block that follows it is written with it, unless the account is
 * blocked now, when the row is left alone and nothing is returned.  ?1
 * tenant, ?2 account, ?3 now, ?4 failures before a block, ?5 first delay,
 * ?6 longest delay; the delay doubles per failure past ?4 as
 * tsr_limits_throttle_delay() computes (shift bounded: ?5 is at most a
 * week, under 2^20).
 */
/* clang-format off */
#define DELAY(n) "(CASE WHEN " n " >= ?4 THEN min(?6, ?5 << min(" n " - ?4, 40)) ELSE 0 END)"
#define NEXT "(CASE WHEN login_failures.forget_at <= ?3 THEN 1 ELSE login_failures.failures + 1 END)"
#define RESERVE                                                                                    \
    "INSERT INTO login_failures (tenant_id, account, failures, blocked_until, forget_at) "         \
    "VALUES (?1, ?2, 1, ?3 + " DELAY("1") ", ?3 + " DELAY("1") " + ?6) "                           \
    "ON CONFLICT (tenant_id, account) DO UPDATE SET failures = " NEXT ", "                         \
    "blocked_until = ?3 + " DELAY(NEXT) ", forget_at = ?3 + " DELAY(NEXT) " + ?6 "                 \
    "WHERE login_failures.blocked_until <= ?3 RETURNING failures"
/* clang-format on */

const struct tsr_sq_query tsr_sq_throttle[] = {
    {TSR_Q_THROTTLE_WAIT,
     "SELECT blocked_until FROM login_failures WHERE tenant_id = ? AND account = ?"},
    {TSR_Q_THROTTLE_RESERVE, RESERVE},
    {TSR_Q_THROTTLE_PURGE, "DELETE FROM login_failures WHERE forget_at < ?"},
    {TSR_Q_THROTTLE_CLEAR, "DELETE FROM login_failures WHERE tenant_id = ? AND account = ?"},
    /* The account "USER_ID" and every "USER_ID NETWORK". */
    {TSR_Q_THROTTLE_CLEAR_USER,
     "DELETE FROM login_failures WHERE tenant_id = ?1 AND (account = ?2 OR "
     "substr(account, 1, length(?2) + 1) = ?2 || ' ')"},
    {TSR_Q_COUNT, NULL},
};
