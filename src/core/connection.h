/*
 * connection.h - connections: where users come from.  Only the database
 * strategy ("auth0": email or username and password kept by Tessera) exists
 * now.  Each tenant has "Username-Password-Authentication" from the start.
 */
#ifndef TSR_CORE_CONNECTION_H
#define TSR_CORE_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strlist.h"

#define TSR_DEFAULT_CONNECTION "Username-Password-Authentication"

/* How many strategies there are (a list filter names at most these). */
#define TSR_CONNECTION_STRATEGY_SLOTS 1

struct tsr_refusal;

/* Lengths in characters, as the Management API's schema limits them. */
#define TSR_CONNECTION_NAME_MAX 128
#define TSR_CONNECTION_DISPLAY_NAME_MAX 128
#define TSR_CONNECTION_ENABLED_CLIENTS_MAX 1000
/* options.password_complexity_options.min_length: 1 to this. */
#define TSR_CONNECTION_MIN_LENGTH_MAX 128

/* options.passwordPolicy: Auth0's levels, NULL-terminated. */
extern const char *const tsr_connection_password_policies[];

/*
 * The rules of a connection's name and strategy, which POST
 * /api/v2/connections and `tessera config apply` share: letters, digits,
 * '-', '_' and inner spaces; the auth0 (database) strategy.  Each returns
 * 0, or TSR_EINVAL with why in the Management API's words
 * (core/update_refusal.h).
 */
int tsr_connection_name_check(const char *name, struct tsr_refusal *why);
int tsr_connection_strategy_check(const char *strategy, struct tsr_refusal *why);

struct tsr_connection {
    char *tenant_id;
    char *id; /* con_ + 16 characters */
    char *name;
    char *strategy; /* "auth0" */
    char *display_name;
    char *password_policy; /* none, low, fair, good, excellent (Auth0's levels) */
    int64_t password_min_length;
    bool requires_username;
    bool disable_signup;
    bool brute_force_protection;
    struct tsr_strlist enabled_clients;
    int64_t created_at;
    int64_t updated_at;
};

void tsr_connection_cleanup(struct tsr_connection *c);

/* Fills c with the defaults of a new database connection (fresh id, timestamps). */
int tsr_connection_init_new(struct tsr_connection *c, const char *tenant_id);

int tsr_connection_get(tsr_store *st, const char *tenant_id, const char *id,
                       struct tsr_connection *out);
int tsr_connection_get_by_name(tsr_store *st, const char *tenant_id, const char *name,
                               struct tsr_connection *out);
int tsr_connection_insert(tsr_store *st, const struct tsr_connection *c);
int tsr_connection_update(tsr_store *st, const struct tsr_connection *c);
int tsr_connection_delete(tsr_store *st, const char *tenant_id, const char *id);

/*
 * Lists connections ordered by creation; strategies (NULL or empty) and name
 * (NULL) filter.
 */
int tsr_connection_list(tsr_store *st, const char *tenant_id, const struct tsr_strlist *strategies,
                        const char *name, int64_t offset, int64_t limit,
                        struct tsr_connection **out, size_t *n, int64_t *total);
/*
 * Checkpoint paging: at most limit connections (same filters) whose id
 * sorts after after (NULL or "": from the first), in id order.
 */
int tsr_connection_list_after(tsr_store *st, const char *tenant_id,
                              const struct tsr_strlist *strategies, const char *name,
                              const char *after, int64_t limit, struct tsr_connection **out,
                              size_t *n);
void tsr_connection_list_free(struct tsr_connection *list, size_t n);

/* True when client_id may log users in through c. */
bool tsr_connection_enabled_for(const struct tsr_connection *c, const char *client_id);

/*
 * True when a login through c may answer an authorization request of
 * client_id that names the connection wanted ("" or NULL: any): c is
 * enabled for the client and, when one is named, c is that connection.
 * Single sign-on reuses a session only when its user's connection passes.
 */
bool tsr_connection_serves(const struct tsr_connection *c, const char *client_id,
                           const char *wanted);

struct tsr_user;

/*
 * True when u may be signed in to client_id now: not blocked, and the
 * connection u belongs to serves the client (tsr_connection_serves with
 * wanted).  Single sign-on and every refresh ask it, so that blocking a
 * person or disabling their connection for an app ends what an earlier
 * login gave that app.  Any failure to read says no.
 */
bool tsr_connection_user_serves(tsr_store *st, const char *tenant_id, const struct tsr_user *u,
                                const char *client_id, const char *wanted);

/*
 * Creates TSR_DEFAULT_CONNECTION for a tenant that has no connection yet,
 * enabled for every client of the tenant.  Returns 0 (also when it
 * exists) or the store's error.
 */
int tsr_connection_ensure_default(tsr_store *st, const char *tenant_id);

/*
 * Adds client_id to the enabled_clients of every connection of the
 * tenant (new applications can use every connection, as in Auth0), or
 * removes it from all of them.
 */
int tsr_connection_enable_client(tsr_store *st, const char *tenant_id, const char *client_id);
int tsr_connection_disable_client(tsr_store *st, const char *tenant_id, const char *client_id);

#endif
