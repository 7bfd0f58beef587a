/*
 * tenant_set.h - the tenants a node serves, as one immutable, reference-
 * counted snapshot: each tenant with its keyring, JWKS and discovery
 * documents.  A request holds the snapshot it started with; a change to a
 * tenant, its keys or the records of its catalog (clients, APIs, grants)
 * builds a new snapshot and swaps it in (app.h), and the old one is freed
 * when its last request ends.
 */
#ifndef TSR_CORE_TENANT_SET_H
#define TSR_CORE_TENANT_SET_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "config/limits.h"
#include "core/catalog.h"
#include "core/masterkey.h"
#include "core/tenant.h"
#include "store/store.h"

/* A tenant's keyring and JWKS, shared by consecutive snapshots while its keys stay the same. */
struct tsr_tenant_keys;

/* A tenant with what serving it needs in memory. */
struct tsr_tenant_ctx {
    struct tsr_tenant t;
    char host[256];       /* from the issuer: host[:port], lowercased */
    char prefix[256];     /* from the issuer: "/" or "/prefix/" */
    char *mgmt_audience;  /* issuer + "api/v2/" */
    struct tsr_keyring *keys; /* borrowed from shared_keys */
    char *jwks_json;      /* the JWKS document, served as is; borrowed from shared_keys */
    struct tsr_tenant_keys *shared_keys; /* holds keys and jwks_json (one reference) */
    char *discovery_json; /* the discovery document, served as is */
    struct tsr_limits limits; /* the server's, with the tenant's own values (core/tenant_limits.h) */
    struct tsr_catalog *catalog; /* clients, APIs, grants, origins (core/catalog.h) */
    /*
     * Set when the database holds a change to this tenant that this
     * snapshot lacks and the reload meant to bring it failed: until a
     * reload succeeds (a new snapshot starts clear), requests that read
     * the catalog answer 503 rather than use records that may be revoked
     * (core/app.h).  Checked on every request: a load, no SQL.
     */
    atomic_bool stale;
    atomic_bool untouched;    /* the change did not move the generation: reloads touch it */
    atomic_llong retry_at_ms; /* monotonic ms before which no request retries the reload */
};

struct tsr_tenant_set {
    atomic_int refs;
    int64_t generation; /* tsr_tenant_set_generation when loaded */
    size_t n;
    struct tsr_tenant_ctx *tenants;
};

/*
 * Loads every tenant with its keys (opened with master_key) and its limits
 * (its own values over server's) into a new set holding one reference.  On
 * failure writes one line into err.
 */
int tsr_tenant_set_load(tsr_store *st, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                        const struct tsr_limits *server, struct tsr_tenant_set **out, char *err,
                        size_t errlen);

/*
 * The same, taking over from prev (may be NULL) the keyring and JWKS of
 * each tenant whose signing keys and issuer host have not changed since
 * prev loaded them: opening and certifying keys is most of a load's work,
 * and a write to a client, API or grant reloads the whole set.
 */
int tsr_tenant_set_reload(tsr_store *st, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                          const struct tsr_limits *server, const struct tsr_tenant_set *prev,
                          struct tsr_tenant_set **out, char *err, size_t errlen);

/* Takes one more reference. */
void tsr_tenant_set_hold(struct tsr_tenant_set *set);

/* Drops one reference; the last one frees the set.  NULL is a no-op. */
void tsr_tenant_set_release(struct tsr_tenant_set *set);

/*
 * The tenant serving host (the Host header, may be NULL) and path: exact
 * host first, longest issuer path prefix; a host no tenant claims falls
 * back to the default tenant.  *rest receives the path inside the tenant.
 * NULL when no tenant serves the path.
 */
struct tsr_tenant_ctx *tsr_tenant_set_find(struct tsr_tenant_set *set, const char *host,
                                           const char *path, const char **rest);

/*
 * A number that changes whenever any tenant or its keys change (the sum of
 * the tenants' generation counters and their count).
 */
int tsr_tenant_set_generation(tsr_store *st, int64_t *out);

/* Marks a tenant changed (its generation + 1) so every node reloads it. */
int tsr_tenant_touch(tsr_store *st, const char *tenant_id);

#endif
