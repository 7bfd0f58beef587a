/*
 * lockout.h - brute-force protection of database connections (RFC 6819
 * section 4.4.3.6): after lockout-attempts wrong passwords for one
 * account from one IP address (an IPv6 address: its /64) within lockout-window seconds
 * (config/limits.h; 10 in 900 by default), and no
 * successful login since, that address may not log in to that account
 * until the window has passed, or until the name's blocks are released (an
 * event "ublkdu": DELETE /api/v2/user-blocks, or the account's password set
 * by the reset page or the Management API).  Counted from the event log,
 * so every node sharing the database agrees.  The tenant's brute-force
 * protection settings (config/limits.h) switch it: off, no "block" shield
 * (nothing refused; the notice still goes), and an allowlist of networks
 * never locked out.
 */
#ifndef TSR_CORE_LOCKOUT_H
#define TSR_CORE_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/limits.h"
#include "core/who.h"
#include "store/store.h"

/*
 * *locked: identifier (email or username, any case) is locked for ip's
 * network.  Returns 0 or the store's error, or TSR_EBUSY when the event
 * log's writer, racing the count, did not write this node's queued
 * failures in time (core/event_writer.h); then refuse the login: a
 * lockout that cannot be read fails closed.  The count is of failures
 * already recorded, after the password hash, this node's still queued for
 * the writer included (read from its queue, not waited for): requests in
 * flight at once from one address are not all counted, which the account
 * throttle (core/throttle.h), reserved before the hash, bounds.
 */
int tsr_lockout_check(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                      const char *identifier, const char *ip, bool *locked);

/*
 * True when the wrong password just recorded is the one that locked
 * identifier for ip (exactly lockout-attempts now), so the account's
 * owner is told once per lock.
 */
bool tsr_lockout_just_locked(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                             const char *identifier, const char *ip);

/* One address locked out of a name, and the connection the attempts named. */
struct tsr_lockout_block {
    char *ip;
    char *connection;
};

/* The addresses locked out of identifier now, in order.  Returns 0 or the store's error. */
int tsr_lockout_blocks(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                       const char *identifier, struct tsr_lockout_block **out, size_t *n);
void tsr_lockout_blocks_free(struct tsr_lockout_block *list, size_t n);

struct tsr_user;

/*
 * Releases every brute-force block of a user (user_id, or NULL for names
 * no account has) and of its login names: the account throttle of each,
 * and one "ublkdu" event per name (description why), which ends the
 * lockout's count.  For DELETE /api/v2/user-blocks and a new password.
 * Returns 0 or the store's error.
 */
int tsr_lockout_release(const struct tsr_who *w, const char *user_id, const char *const *names,
                        size_t n, const char *why);

/* The same for a user and its login names (email and username, when set). */
int tsr_lockout_release_user(const struct tsr_who *w, const struct tsr_user *u, const char *why);

#endif
