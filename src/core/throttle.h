/*
 * throttle.h - the per-account login throttle: after
 * account-throttle-failures consecutive failed logins of one account, from
 * any addresses, each further attempt must wait an exponentially growing
 * delay (config/limits.h), answered with 429 and Retry-After before the
 * password is looked at.  The account is the user, whichever of its names
 * (email or username) was typed; a name no account has is throttled by the
 * name, alike, so the answers do not tell which names exist.  A success,
 * a new password, or a release of the user's blocks (DELETE
 * /api/v2/user-blocks) starts the count again.  Counted in the database, so every node agrees.
 */
#ifndef TSR_CORE_THROTTLE_H
#define TSR_CORE_THROTTLE_H

#include <stdint.h>

#include "config/limits.h"
#include "core/connection.h"
#include "store/store.h"

#define TSR_THROTTLE_ACCOUNT_MAX 340

/*
 * The account a login from ip names, into out (TSR_THROTTLE_ACCOUNT_MAX
 * bytes): the user_id of the connection's user with that email or
 * username, else "?" and the name lowercased.  From the network (an IPv6
 * /64) of the user's last successful login it is "USER_ID NET" instead, a
 * count of its own: as Auth0 blocks a (user, address) pair, guesses from
 * elsewhere do not slow the owner down at the address they last logged in
 * from.  Returns 0 or the store's error.
 */
int tsr_throttle_account(tsr_store *st, const struct tsr_connection *c, const char *identifier,
                         const char *ip, char *out);

/*
 * The account of a name no user has: "?" and the name lowercased
 * (TSR_THROTTLE_ACCOUNT_MAX bytes).
 */
void tsr_throttle_name_account(const char *name, char *out);

/*
 * The seconds account must still wait at time now (0: it may try).
 * Returns 0 or the store's error.
 */
int tsr_throttle_wait(tsr_store *st, const char *tenant_id, const char *account, int64_t now,
                      int64_t *wait);

/*
 * Reserves one login attempt of account at time now, before its password
 * is looked at: counted as a failure at once, in one statement, so that
 * concurrent attempts cannot all pass; a success then forgets it
 * (tsr_throttle_clear).  *wait is 0 when the attempt may go on, else the
 * seconds the account must still wait (nothing counted).  Returns 0 or the
 * store's error.
 */
int tsr_throttle_reserve(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                         const char *account, int64_t now, int64_t *wait);

/*
 * Forgets account's failures (a success, or its blocks released).
 * Returns 0 or the store's error.
 */
int tsr_throttle_clear(tsr_store *st, const char *tenant_id, const char *account);

/*
 * Forgets every count of a user: its account and its last login network's.
 * Returns 0 or the store's error.
 */
int tsr_throttle_clear_user(tsr_store *st, const char *tenant_id, const char *user_id);

#endif
