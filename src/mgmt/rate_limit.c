#include "mgmt/rate_limit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/response.h"
#include "util/clock.h"

/*
 * A fixed table: a client that takes the slot of another starts a new
 * window there, so two busy clients in one slot are limited loosely; the
 * table bounds the memory whatever the number of clients.
 */
#define SLOTS 256

struct window {
    char client_id[64];
    int64_t ends; /* the window started at the client's first request and ends here */
    uint32_t count;
};

static struct window windows[SLOTS];
static pthread_mutex_t windows_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned slot_of(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a: spreads client ids over the slots */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SLOTS;
}

bool tsr_mgmt_rate_limit(struct tsr_req *req, const char *client_id)
{
    const struct tsr_rate *rate = &req->tenant->limits.mgmt_per_client;
    if (rate->count == 0)
        return true;
    int64_t now = tsr_clock_now();
    int64_t ends;
    unsigned used;
    pthread_mutex_lock(&windows_lock);
    struct window *w = &windows[slot_of(client_id)];
    if (w->ends <= now || strncmp(w->client_id, client_id, sizeof w->client_id) != 0) {
        snprintf(w->client_id, sizeof w->client_id, "%s", client_id);
        w->ends = now + rate->seconds;
        w->count = 0;
    }
    if (w->count < UINT32_MAX)
        w->count++;
    used = w->count;
    ends = w->ends;
    pthread_mutex_unlock(&windows_lock);

    char limit[16], remaining[16], reset[24], retry[24];
    snprintf(limit, sizeof limit, "%u", rate->count);
    snprintf(remaining, sizeof remaining, "%u", used >= rate->count ? 0 : rate->count - used);
    snprintf(reset, sizeof reset, "%lld", (long long)ends);
    tsr_resp_header(req, "X-RateLimit-Limit", limit);
    tsr_resp_header(req, "X-RateLimit-Remaining", remaining);
    tsr_resp_header(req, "X-RateLimit-Reset", reset);
    if (used <= rate->count)
        return true;
    snprintf(retry, sizeof retry, "%lld", (long long)(ends - now > 0 ? ends - now : 1));
    tsr_resp_header(req, "Retry-After", retry);
    tsr_resp_mgmt_error(req, 429, "too_many_requests",
                        "Global limit has been reached: at most %u requests per %u seconds",
                        rate->count, rate->seconds);
    return false;
}
