/* rate_limit.c - SQLite statements of the named queries in store/queries/rate_limit.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_rate_limit[] = {
    /* One statement counts the hit or starts a new window once the last one ended. */
    {TSR_Q_RATE_LIMIT_HIT,
     "INSERT INTO rate_counters (tenant_id, bucket, started_at, expires_at, hits) "
     "VALUES (?, ?, ?, ?, 1) ON CONFLICT (tenant_id, bucket) DO UPDATE SET "
     "hits = CASE WHEN rate_counters.expires_at <= excluded.started_at THEN 1 "
     "ELSE rate_counters.hits + 1 END, "
     "started_at = CASE WHEN rate_counters.expires_at <= excluded.started_at "
     "THEN excluded.started_at ELSE rate_counters.started_at END, "
     "expires_at = CASE WHEN rate_counters.expires_at <= excluded.started_at "
     "THEN excluded.expires_at ELSE rate_counters.expires_at END "
     "RETURNING hits, expires_at"},
    {TSR_Q_RATE_LIMIT_PURGE, "DELETE FROM rate_counters WHERE expires_at < ?"},
    {TSR_Q_COUNT, NULL},
};
