#include "core/rate_limit.h"

#include <stdio.h>
#include <string.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/ipnet.h"
#include "util/log.h"

static const char *const class_names[TSR_RATE_CLASSES] = {
    [TSR_RATE_LOGIN] = "login",
    [TSR_RATE_SIGNUP] = "signup",
    [TSR_RATE_RESET] = "reset",
};

/* All SET expressions read the row as it was, so a window that ended starts afresh. */
struct hit {
    int64_t hits;
    int64_t expires_at;
};

static int read_hit(tsr_stmt *q, void *record)
{
    struct hit *h = record;
    h->hits = tsr_stmt_int64(q, 0);
    h->expires_at = tsr_stmt_int64(q, 1);
    return 0;
}

int tsr_rate_hit(tsr_store *st, const char *tenant_id, const char *bucket,
                 const struct tsr_rate *rate, int64_t now, bool *over, int64_t *retry_after)
{
    *over = false;
    *retry_after = 0;
    if (rate->count == 0)
        return 0;
    struct hit h = {0};
    int rc = tsr_rows_one(st, read_hit, &h, TSR_Q_RATE_LIMIT_HIT, tenant_id, bucket, now,
                          now + (int64_t)rate->seconds);
    if (rc != 0)
        return rc;
    if (h.hits == 1) {
        /* A new window: a good moment to drop every counter whose window has ended. */
        (void)tsr_store_q_run(st, NULL, TSR_Q_RATE_LIMIT_PURGE, now);
    }
    if (h.hits > (int64_t)rate->count) {
        *over = true;
        *retry_after = h.expires_at - now > 0 ? h.expires_at - now : 1;
    }
    return 0;
}

void tsr_rate_ip_bucket(const char *cls, const char *ip, char *out, size_t cap)
{
    char net[TSR_IP_NET_MAX];
    tsr_ip_net(ip, net, sizeof net);
    snprintf(out, cap, "%s ip %s", cls, net);
}

int tsr_rate_limit_request(const struct tsr_who *w, enum tsr_rate_class cls, int64_t *retry_after)
{
    const struct tsr_limits *l = &w->tenant->limits;
    const char *tid = w->tenant->t.id;
    int64_t now = tsr_clock_now();
    char ip[64], bucket[128];
    struct tsr_cidr addr;
    bool over = false;
    *retry_after = 0;
    snprintf(ip, sizeof ip, "%s", w->ip != NULL ? w->ip : "");
    tsr_rate_ip_bucket(class_names[cls], ip, bucket, sizeof bucket);
    struct tsr_rate per_ip =
        tsr_limits_ip_rate(l, cls, tsr_cidr_parse_addr(ip, &addr) == 0 ? &addr : NULL);
    int rc = tsr_rate_hit(w->store, tid, bucket, &per_ip, now, &over, retry_after);
    if (rc == 0 && !over) {
        snprintf(bucket, sizeof bucket, "%s tenant", class_names[cls]);
        rc = tsr_rate_hit(w->store, tid, bucket, &l->per_tenant[cls], now, &over, retry_after);
    }
    if (rc != 0) {
        tsr_log(TSR_LOG_ERROR, "rate limit not counted",
                json_pack("{s:s, s:s}", "request_id", w->request_id, "store",
                          tsr_store_errmsg(w->store)));
        return rc;
    }
    if (over)
        tsr_log(TSR_LOG_WARN, "rate limit exceeded",
                json_pack("{s:s, s:s, s:s}", "request_id", w->request_id, "class",
                          class_names[cls], "ip", ip));
    return over ? TSR_EBUSY : 0;
}

int tsr_rate_limit_recipient(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                             const char *kind, const char *user_id, int64_t now)
{
    char bucket[320];
    bool over = false;
    int64_t retry_after = 0;
    int n = snprintf(bucket, sizeof bucket, "%s mail user %s", kind, user_id);
    if (n < 0 || (size_t)n >= sizeof bucket) /* a cut name could count for another account */
        return TSR_EINVAL;
    int rc = tsr_rate_hit(st, tenant_id, bucket, &l->reset_per_account, now, &over, &retry_after);
    if (rc != 0)
        return rc;
    return over ? TSR_EBUSY : 0;
}
