/*
 * lockout.h - brute-force protection of database connections (RFC 6819
 * section 4.4.3.6): after TSR_LOCKOUT_ATTEMPTS wrong passwords for one
 * account from one IP address within TSR_LOCKOUT_WINDOW seconds, and no
 * successful login since, that address may not log in to that account
 * until the window has passed.  Counted from the event log, so every node
 * sharing the database agrees.
 */
#ifndef TSR_CORE_LOCKOUT_H
#define TSR_CORE_LOCKOUT_H

#include <stdbool.h>

#include "store/store.h"

#define TSR_LOCKOUT_ATTEMPTS 10
#define TSR_LOCKOUT_WINDOW 900

/* True when identifier (email or username, any case) is locked for ip. */
bool tsr_lockout_active(tsr_store *st, const char *tenant_id, const char *identifier,
                        const char *ip);

/*
 * True when the wrong password just recorded is the one that locked
 * identifier for ip (exactly TSR_LOCKOUT_ATTEMPTS now), so the account's
 * owner is told once per lock.
 */
bool tsr_lockout_just_locked(tsr_store *st, const char *tenant_id, const char *identifier,
                             const char *ip);

#endif
