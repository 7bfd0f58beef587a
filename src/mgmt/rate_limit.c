#include "mgmt/rate_limit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/response.h"

/* A fixed table: clients that share a slot share a window, which only makes the limit stricter. */
#define SLOTS 256

struct window {
    char client_id[64];
    int64_t second;
    unsigned count;
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
    int64_t now = tsr_now();
    unsigned used;
    pthread_mutex_lock(&windows_lock);
    struct window *w = &windows[slot_of(client_id)];
    if (w->second != now || strncmp(w->client_id, client_id, sizeof w->client_id) != 0) {
        snprintf(w->client_id, sizeof w->client_id, "%s", client_id);
        w->second = now;
        w->count = 0;
    }
    used = ++w->count;
    pthread_mutex_unlock(&windows_lock);

    char limit[16], remaining[16], reset[24];
    snprintf(limit, sizeof limit, "%d", TSR_MGMT_RATE_LIMIT);
    snprintf(remaining, sizeof remaining, "%u",
             used >= TSR_MGMT_RATE_LIMIT ? 0 : TSR_MGMT_RATE_LIMIT - used);
    snprintf(reset, sizeof reset, "%lld", (long long)now + 1);
    tsr_resp_header(req, "X-RateLimit-Limit", limit);
    tsr_resp_header(req, "X-RateLimit-Remaining", remaining);
    tsr_resp_header(req, "X-RateLimit-Reset", reset);
    if (used <= TSR_MGMT_RATE_LIMIT)
        return true;
    tsr_resp_header(req, "Retry-After", "1");
    tsr_resp_mgmt_error(req, 429, "too_many_requests",
                        "Global limit has been reached: at most %d requests per second",
                        TSR_MGMT_RATE_LIMIT);
    return false;
}
