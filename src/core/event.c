#include "core/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event_writer.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/*
 * Records e: queued for the event log's writer while one runs
 * (core/event_writer.h), else inserted at once.  Inside the caller's
 * transaction it is inserted at once too, so it commits or rolls back with
 * the change it describes (and a full queue never waits on a writer that
 * waits on this transaction's lock).  Returns the store's result.
 */
static int insert(tsr_store *st, const char *tenant_id, const char *ip, const char *ua,
                  const struct tsr_event *e)
{
    char id[40], rnd[9];
    int64_t ms = tsr_clock_now_ms();
    /* Zero-padded milliseconds first: ids sort by time, the random tail keeps them unique. */
    if (tsr_random_alnum(rnd, 8) != 0)
        strcpy(rnd, "00000000");
    snprintf(id, sizeof id, "%016lld%s", (long long)ms, rnd);
    char *details = e->details ? json_dumps(e->details, JSON_COMPACT) : NULL;
    struct tsr_event r = *e;
    r.tenant_id = tenant_id;
    r.id = id;
    r.date = ms;
    r.ip = ip;
    r.user_agent = ua;
    r.details_text = details ? details : "{}";
    const char **text[] = {&r.description, &r.client_id,  &r.client_name,  &r.user_id,
                           &r.user_name,   &r.connection, &r.connection_id};
    for (size_t i = 0; i < sizeof text / sizeof *text; i++)
        *text[i] = or_empty(*text[i]);
    int rc = TSR_ENOTFOUND;
    if (e->type != NULL && !tsr_store_in_transaction(st))
        rc = tsr_event_writer_enqueue(&r);
    if (rc != 0)
        rc = tsr_event_row_insert(st, &r);
    free(details);
    return rc;
}

void tsr_event_record(const struct tsr_who *w, const struct tsr_event *e)
{
    char ua[257];
    snprintf(ua, sizeof ua, "%s", or_empty(w->user_agent));
    if (insert(w->store, w->tenant->t.id, or_empty(w->ip), ua, e) != 0)
        tsr_log(TSR_LOG_WARN, "event not recorded",
                json_pack("{s:s, s:s, s:s}", "request_id", w->request_id, "type", e->type, "store",
                          tsr_store_errmsg(w->store)));
}

void tsr_event_insert(tsr_store *st, const char *tenant_id, const char *ip, const char *user_agent,
                      const struct tsr_event *e)
{
    if (insert(st, tenant_id, or_empty(ip), or_empty(user_agent), e) != 0)
        tsr_log(TSR_LOG_WARN, "event not recorded",
                json_pack("{s:s, s:s}", "type", e->type, "store", tsr_store_errmsg(st)));
}
