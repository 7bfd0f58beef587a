/*
 * logs.h - reading the tenant's event log (core/event.h writes it) the
 * way Auth0's Management API /logs does: a Lucene subset in q, offset
 * pages sorted by date, checkpoint reads after a log_id, and retention.
 *
 * Event ids start with the zero-padded millisecond time, so ordering by
 * id is ordering by date (ties broken by the random tail).
 */
#ifndef TSR_CORE_LOGS_H
#define TSR_CORE_LOGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Events older than this many days are deleted (docs/management-api.md). */
#define TSR_LOGS_RETENTION_DAYS 30
/* At most one retention pass per tenant and process in this many ms. */
#define TSR_LOGS_PURGE_INTERVAL_MS 60000
/* Longest q accepted. */
#define TSR_LOGS_Q_MAX 1024

/* One entry of the event log. */
struct tsr_log_entry {
    char *id;
    int64_t date; /* Unix ms */
    char *type;
    char *description;
    char *client_id;
    char *client_name;
    char *ip;
    char *user_agent;
    char *user_id;
    char *user_name;
    char *connection;
    char *connection_id;
    char *details; /* JSON object text */
};

/* The filters of a q; NULL members match anything.  date bounds in ms, inclusive. */
struct tsr_logs_filter {
    char *type;
    char *user_id;
    char *client_id;
    int64_t date_min; /* INT64_MIN: none */
    int64_t date_max; /* INT64_MAX: none */
};

/* A filter that matches everything. */
void tsr_logs_filter_init(struct tsr_logs_filter *f);
void tsr_logs_filter_cleanup(struct tsr_logs_filter *f);

/*
 * Parses q (NULL or empty: no filter) into f (initialized here).  The
 * accepted terms, joined by AND:
 *   type:s   type:"fp"   user_id:"auth0|..."   client_id:abc
 *   date:2026-11-27   date:[2026-11-01 TO 2026-11-30]   date:{A TO B}
 *   date:[2026-11-27T10:00:00Z TO *]
 * A field given twice is refused.  Returns 0, TSR_ENOMEM, or TSR_EINVAL
 * with why in err (naming the offending part); f is then cleaned up.
 */
int tsr_logs_parse_q(const char *q, struct tsr_logs_filter *f, char *err, size_t errlen);

/*
 * Parses an ISO 8601 date ("2026-11-27") or UTC date-time
 * ("2026-11-27T10:00[:00[.123]][Z]") into Unix ms.  *day is set when only
 * a date was given.  Returns false when s is not one.
 */
bool tsr_logs_parse_date(const char *s, int64_t *ms, bool *day);

/*
 * The entries matching f, newest first (ascending: oldest first), skipping
 * offset and returning at most limit; *total (may be NULL) receives the
 * number matching.  Free with tsr_logs_free.
 */
int tsr_logs_list(tsr_store *st, const char *tenant_id, const struct tsr_logs_filter *f,
                  bool ascending, int64_t offset, int64_t limit, struct tsr_log_entry **out,
                  size_t *n, int64_t *total);

/* At most take entries with an id greater than from (NULL: from the oldest), oldest first. */
int tsr_logs_after(tsr_store *st, const char *tenant_id, const char *from, int64_t take,
                   struct tsr_log_entry **out, size_t *n);

/* One entry by id: 0, TSR_ENOTFOUND or an error.  Clean up with tsr_log_entry_cleanup. */
int tsr_logs_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_log_entry *out);

void tsr_log_entry_cleanup(struct tsr_log_entry *e);
void tsr_logs_free(struct tsr_log_entry *list, size_t n);

/*
 * The entry as Auth0 shows it: log_id, date (ISO 8601 with ms), type,
 * details (object) and the other members when not empty.  NULL when out
 * of memory.
 */
json_t *tsr_log_entry_json(const struct tsr_log_entry *e);

/* ISO 8601 UTC with milliseconds of Unix ms ("2026-11-27T09:38:34.123Z"). */
void tsr_iso8601_ms(int64_t ms, char out[32]);

/* Deletes the tenant's events dated before now_ms - days; *deleted may be NULL. */
int tsr_logs_purge(tsr_store *st, const char *tenant_id, int64_t now_ms, int days,
                   int64_t *deleted);

/*
 * Runs tsr_logs_purge with TSR_LOGS_RETENTION_DAYS unless this process
 * already did for the tenant less than TSR_LOGS_PURGE_INTERVAL_MS before
 * now_ms.  Returns true when it ran (whether or not it deleted anything);
 * a failure is logged, never returned.  Thread-safe.
 */
bool tsr_logs_maybe_purge(tsr_store *st, const char *tenant_id, int64_t now_ms);

/* Forgets when each tenant was last purged (tests). */
void tsr_logs_purge_reset(void);

#endif
