/*
 * app.h - the running server's shared, read-mostly state: settings, the
 * master key, the tenants with their keyrings, and a database handle per
 * worker thread.
 */
#ifndef TSR_CORE_APP_H
#define TSR_CORE_APP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/settings.h"
#include "core/masterkey.h"
#include "core/tenant.h"
#include "store/store.h"

/* A tenant with what serving it needs in memory. */
struct tsr_tenant_ctx {
    struct tsr_tenant t;
    char host[256];       /* from the issuer: host[:port], lowercased */
    char prefix[256];     /* from the issuer: "/" or "/prefix/" */
    char *mgmt_audience;  /* issuer + "api/v2/" */
    struct tsr_keyring *keys;
    char *jwks_json;      /* the JWKS document, served as is */
    char *discovery_json; /* the discovery document, served as is */
};

struct tsr_app {
    struct tsr_settings settings;
    uint8_t master_key[TSR_MASTER_KEY_LEN];
    char db_location[TSR_SETTINGS_MAX_PATH + 16];
    struct tsr_tenant_ctx *tenants;
    size_t ntenants;
    atomic_int inflight; /* requests being handled, for graceful shutdown */
};

/*
 * Opens the data directory: creates it (0700) when missing, opens the
 * database, applies migrations, loads or creates the master key, bootstraps
 * the default tenant on first start (printing the bootstrap credentials to
 * out, may be NULL) and loads every tenant with its keys.  On failure
 * writes one line into err and returns a negative code.
 */
int tsr_app_open(struct tsr_app *app, const struct tsr_settings *s, tsr_getenv_fn getenv_fn,
                 FILE *out, char *err, size_t errlen);

/* Releases everything tsr_app_open took, wiping the master key. */
void tsr_app_close(struct tsr_app *app);

/*
 * The calling thread's database handle, opened on first use and closed
 * when the thread exits.  NULL when the database cannot be opened.
 */
tsr_store *tsr_app_store(struct tsr_app *app);

/* Closes the calling thread's handle now (for the main thread at exit). */
void tsr_app_store_release(void);

/*
 * Finds the tenant serving a request for host (the Host header, may be
 * NULL) and path; *rest receives the path inside the tenant (starting
 * with '/').  A host no tenant claims falls back to the default tenant.
 * Returns NULL when no tenant serves the path.
 */
struct tsr_tenant_ctx *tsr_app_tenant_for(struct tsr_app *app, const char *host, const char *path,
                                          const char **rest);

#endif
