/*
 * catalog.h - one tenant's clients, APIs, client grants and CORS origins,
 * read from the database once and held in memory with the tenant snapshot
 * (core/tenant_set.h), so the requests that read them on every call
 * (client authentication, CORS, the client credentials decision) run no
 * SQL.  A catalog never changes once loaded: a write to any of these
 * records touches the tenant and reloads the snapshot (core/app.h), and
 * the next request sees the new catalog.
 *
 * Lookups return borrowed pointers into the catalog, valid while the
 * caller holds the snapshot it came from.  The catalog holds what the
 * store holds: client secrets as their hashes, HS256 API secrets sealed.
 */
#ifndef TSR_CORE_CATALOG_H
#define TSR_CORE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "core/client.h"
#include "core/grant.h"
#include "store/store.h"

struct tsr_catalog;
struct tsr_app;

/*
 * Loads every client, API, client grant and allowed origin of tenant_id
 * (four whole-table queries).  Returns 0, TSR_ENOMEM or the store's error
 * (*out NULL).
 */
int tsr_catalog_load(tsr_store *st, const char *tenant_id, struct tsr_catalog **out);

/* One more reference to cat (a new snapshot of a tenant whose records did not change). */
struct tsr_catalog *tsr_catalog_hold(struct tsr_catalog *cat);

/* Drops one reference; the last frees the catalog and everything in it.  NULL is a no-op. */
void tsr_catalog_free(struct tsr_catalog *cat);

/* The client client_id, or NULL. */
const struct tsr_client *tsr_catalog_client(const struct tsr_catalog *cat, const char *client_id);

/* The API whose identifier (the audience) is identifier, or NULL. */
const struct tsr_api *tsr_catalog_api(const struct tsr_catalog *cat, const char *identifier);

/* The grant of client_id for audience, or NULL. */
const struct tsr_grant *tsr_catalog_grant(const struct tsr_catalog *cat, const char *client_id,
                                          const char *audience);

/*
 * CORS: true when origin (scheme://host[:port], as a browser sends it; at
 * most 256 bytes) is listed (ASCII case ignored) in the allowed_origins or
 * web_origins of a client of the tenant.  Another shape is never allowed.
 */
bool tsr_catalog_origin_allowed(const struct tsr_catalog *cat, const char *origin);

/* How many clients, APIs, grants and origins the catalog holds (for logs and tests). */
struct tsr_catalog_counts {
    size_t clients, apis, grants, origins;
};
struct tsr_catalog_counts tsr_catalog_count(const struct tsr_catalog *cat);

/*
 * After a committed write to a client, API or client grant of tenant_id:
 * bumps the tenant's generation (other nodes reload within a second) and
 * reloads this node's snapshot, so the next request here sees the change.
 * A failure is logged and returned; a failed reload leaves the tenant
 * stale (core/app.h): its requests that need the catalog answer 503, each
 * retrying the reload at most every 100 ms, until one succeeds.
 */
int tsr_catalog_changed(struct tsr_app *app, tsr_store *st, const char *tenant_id);

#endif
