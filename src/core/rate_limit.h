/*
 * rate_limit.h - request rates per client address and per tenant for the
 * endpoints a stranger can call to try passwords, create accounts or send
 * mail (the classes of config/limits.h), counted in the database so that
 * every node agrees.  A window starts at the first request it counts and
 * lasts the rate's seconds.
 */
#ifndef TSR_CORE_RATE_LIMIT_H
#define TSR_CORE_RATE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/limits.h"
#include "core/who.h"
#include "store/store.h"

/*
 * Counts one request in bucket (of tenant_id) against rate at time now.
 * *over is true when this request is beyond the rate, and then
 * *retry_after holds the seconds until the window ends (at least 1).  A
 * rate of count 0 counts nothing.  Returns 0 or the store's error.
 */
int tsr_rate_hit(tsr_store *st, const char *tenant_id, const char *bucket,
                 const struct tsr_rate *rate, int64_t now, bool *over, int64_t *retry_after);

/*
 * The bucket of an address: "CLASS ip ADDR", where an IPv6 address counts
 * by its /64 (one subscriber's usual allocation).  out has cap bytes.
 */
void tsr_rate_ip_bucket(const char *cls, const char *ip, char *out, size_t cap);

/*
 * Counts the request against its class's per-address and per-tenant rates
 * (the tenant's limits: tsr_limits_ip_rate for the address).  Returns 0 when it may go on; TSR_EBUSY when a
 * rate is exceeded, with the seconds to wait in *retry_after; or the
 * store's error (the caller refuses: a limit that cannot be counted does
 * not let the request through).
 */
int tsr_rate_limit_request(const struct tsr_who *w, enum tsr_rate_class cls, int64_t *retry_after);

/*
 * Counts one mail of kind ("reset", "locked": each kind counts apart) that
 * a stranger made Tessera send to the account user_id, against l's
 * reset_per_account rate (the tenant's), at time now: however many addresses
 * ask, one person gets at most that many of a kind per window.  Returns 0
 * when the mail may go; TSR_EBUSY when the account had its share; or the
 * store's error (the caller does not send: a mail that cannot be counted
 * is not sent).
 */
int tsr_rate_limit_recipient(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                             const char *kind, const char *user_id, int64_t now);

#endif
