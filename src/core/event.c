#include "core/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/queries.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/secure.h"

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Inserts e; returns the store's result. */
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
    int rc = tsr_store_q_run(st, NULL, TSR_Q_EVENT_INSERT, tenant_id, id, ms, e->type,
                             or_empty(e->description), or_empty(e->client_id),
                             or_empty(e->client_name), ip, ua, or_empty(e->user_id),
                             or_empty(e->user_name), or_empty(e->connection),
                             or_empty(e->connection_id), details ? details : "{}");
    free(details);
    return rc;
}

void tsr_event_record(const struct tsr_who *w, const struct tsr_event *e)
{
    char ua[257];
    snprintf(ua, sizeof ua, "%s", or_empty(w->user_agent));
    if (insert(w->store, w->tenant->t.id, or_empty(w->ip), ua, e) != 0)
        tsr_log(TSR_LOG_WARN, "event not recorded",
                json_pack("{s:s, s:s, s:s}", "request_id", w->request_id, "type", e->type,
                          "store", tsr_store_errmsg(w->store)));
}

void tsr_event_insert(tsr_store *st, const char *tenant_id, const char *ip, const char *user_agent,
                      const struct tsr_event *e)
{
    if (insert(st, tenant_id, or_empty(ip), or_empty(user_agent), e) != 0)
        tsr_log(TSR_LOG_WARN, "event not recorded",
                json_pack("{s:s, s:s}", "type", e->type, "store", tsr_store_errmsg(st)));
}
