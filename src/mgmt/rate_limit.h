/*
 * rate_limit.h - Management API rate limits per client, with Auth0's
 * headers (X-RateLimit-Limit, -Remaining, -Reset) on every authorised
 * response and 429 + Retry-After beyond the limit, which node-auth0 retries.
 * Counted per node in one-second windows: a guard against runaway scripts,
 * not a quota.
 */
#ifndef TSR_MGMT_RATE_LIMIT_H
#define TSR_MGMT_RATE_LIMIT_H

#include <stdbool.h>

#include "http/request.h"

/*
 * Counts one request of client_id, adds the headers, and sends 429 and
 * returns false when the client is over the limit.
 */
bool tsr_mgmt_rate_limit(struct tsr_req *req, const char *client_id);

#endif
