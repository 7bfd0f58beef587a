#include "core/lockout.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "core/rows.h"
#include "util/err.h"

/*
 * The failed logins that count for a lock: wrong passwords ("fp") and
 * names no account has ("fu") alike, so that a lock does not tell which
 * names exist; in the window, after the last success ("s") of the same
 * name from the same address and after the last release of the name's
 * blocks ("ublkdu", from any address).
 */
#define COUNTED                                                                                    \
    " FROM events e WHERE e.tenant_id = ? AND e.type IN ('fp', 'fu') AND "                        \
    "lower(e.user_name) = lower(?) "                                                               \
    "AND e.date > ? AND e.date > COALESCE((SELECT max(s.date) FROM events s WHERE "               \
    "s.tenant_id = e.tenant_id AND s.type = 's' AND s.ip = e.ip AND "                              \
    "lower(s.user_name) = lower(e.user_name)), 0) AND e.date > COALESCE((SELECT max(u.date) "      \
    "FROM events u WHERE u.tenant_id = e.tenant_id AND u.type = 'ublkdu' AND "                     \
    "lower(u.user_name) = lower(e.user_name)), 0)"

static int64_t window_start(const struct tsr_limits *l)
{
    return ((int64_t)time(NULL) - (int64_t)l->lockout_window) * 1000;
}

static int64_t failures(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                        const char *identifier, const char *ip)
{
    int64_t n = 0;
    int rc = tsr_rows_count(st, &n, "SELECT count(*)" COUNTED " AND e.ip = ?", "ssis", tenant_id,
                            identifier, window_start(l), ip);
    /* A store failure does not lock anyone out; the password check still runs. */
    return rc == 0 ? n : 0;
}

bool tsr_lockout_active(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                        const char *identifier, const char *ip)
{
    return l->lockout_attempts > 0 &&
           failures(st, l, tenant_id, identifier, ip) >= (int64_t)l->lockout_attempts;
}

bool tsr_lockout_just_locked(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                             const char *identifier, const char *ip)
{
    return l->lockout_attempts > 0 &&
           failures(st, l, tenant_id, identifier, ip) == (int64_t)l->lockout_attempts;
}

static int read_block(tsr_stmt *q, void *record)
{
    struct tsr_lockout_block *b = record;
    b->ip = tsr_stmt_text_dup(q, 0);
    b->connection = tsr_stmt_text_dup(q, 1);
    return b->ip && b->connection ? 0 : TSR_ENOMEM;
}

static void block_cleanup(void *record)
{
    struct tsr_lockout_block *b = record;
    free(b->ip);
    free(b->connection);
}

int tsr_lockout_blocks(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                       const char *identifier, struct tsr_lockout_block **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (l->lockout_attempts == 0)
        return 0;
    tsr_stmt *q = NULL;
    int rc = tsr_store_query(st, &q,
                             "SELECT e.ip, max(e.connection)" COUNTED
                             " GROUP BY e.ip HAVING count(*) >= ? ORDER BY e.ip",
                             "ssii", tenant_id, identifier, window_start(l),
                             (int64_t)l->lockout_attempts);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_block, block_cleanup, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

void tsr_lockout_blocks_free(struct tsr_lockout_block *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, block_cleanup);
}
