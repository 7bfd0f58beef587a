/* lockout.c - SQLite statements of the named queries in store/queries/lockout.def. */
#include "store/sqlite/queries.h"

/* The failed logins that count for a lock (see core/lockout.c). */
#define COUNTED                                                                                    \
    " FROM events e WHERE e.tenant_id = ? AND e.type IN ('fp', 'fu') AND "                         \
    "lower(e.user_name) = lower(?) "                                                               \
    "AND e.date > ? AND e.date > COALESCE((SELECT max(s.date) FROM events s WHERE "                \
    "s.tenant_id = e.tenant_id AND s.type = 's' AND tsr_ip_net(s.ip) = tsr_ip_net(e.ip) AND "      \
    "lower(s.user_name) = lower(e.user_name)), 0) AND e.date > COALESCE((SELECT max(u.date) "      \
    "FROM events u WHERE u.tenant_id = e.tenant_id AND u.type = 'ublkdu' AND "                     \
    "lower(u.user_name) = lower(e.user_name)), 0)"

const struct tsr_sq_query tsr_sq_lockout[] = {
    {TSR_Q_LOCKOUT_COUNT_NET, "SELECT count(*)" COUNTED " AND tsr_ip_net(e.ip) = ?"},
    {TSR_Q_LOCKOUT_BLOCKED_NETS, "SELECT tsr_ip_net(e.ip) AS net, max(e.connection)" COUNTED
                                 " GROUP BY net HAVING count(*) >= ? ORDER BY net"},
    {TSR_Q_LOCKOUT_RESET_NET,
     "SELECT COALESCE(max(date), 0) FROM events WHERE tenant_id = ? AND lower(user_name) = "
     "lower(?) AND (type = 'ublkdu' OR (type = 's' AND tsr_ip_net(ip) = ?))"},
    {TSR_Q_COUNT, NULL},
};
