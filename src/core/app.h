/*
 * app.h - the running server's shared, read-mostly state: settings, the
 * master key, the tenants with their keyrings, and a database handle per
 * worker thread.
 */
#ifndef TSR_CORE_APP_H
#define TSR_CORE_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/settings.h"
#include "core/masterkey.h"
#include "core/tenant.h"
#include "core/tenant_set.h"
#include "store/store.h"

struct tsr_mail_worker;
struct tsr_event_writer;

struct tsr_app {
    struct tsr_settings settings;
    uint8_t master_key[TSR_MASTER_KEY_LEN];
    char db_location[TSR_SETTINGS_MAX_PATH + 16];
    pthread_mutex_t lock;          /* guards tenants (the pointer, not the set) */
    pthread_mutex_t reload_lock;   /* one reload at a time, held across load and swap */
    struct tsr_tenant_set *tenants; /* the current snapshot; the app holds one reference */
    atomic_llong checked_at;       /* monotonic second of the last generation compare */
    atomic_int inflight;           /* requests being handled, for graceful shutdown */
    struct tsr_mail_worker *mail_worker; /* NULL: no worker (queued mail waits for one) */
    struct tsr_event_writer *event_writer; /* NULL: events are inserted at once */
    int datadir_lock; /* fd holding the data dir's shared lock (core/datadir.h), or -1 */
};

/*
 * Opens the data directory: creates it (0700) when missing, takes its
 * shared lock until tsr_app_close (refused while a restore runs: see
 * core/datadir.h), opens the database, applies migrations, loads or
 * creates the master key, bootstraps the default tenant on first start
 * (printing the bootstrap credentials to out, may be NULL) and loads every
 * tenant with its keys.  On failure writes one line into err and returns a
 * negative code.
 */
int tsr_app_open(struct tsr_app *app, const struct tsr_settings *s, tsr_getenv_fn getenv_fn,
                 FILE *out, char *err, size_t errlen);

/*
 * Starts the event log's writer thread (core/event_writer.h) for `tessera
 * serve`; the other commands insert their events at once.  Returns 0 or a
 * negative code with one line in err.
 */
int tsr_app_start_event_writer(struct tsr_app *app, char *err, size_t errlen);

/*
 * Releases everything tsr_app_open took, wiping the master key; first
 * writes the events still queued and stops the writer.  Call it after the
 * threads that record events (requests, the mail worker) are done.
 */
void tsr_app_close(struct tsr_app *app);

/*
 * The calling thread's database handle, opened on first use and closed
 * when the thread exits.  NULL when the database cannot be opened.
 */
tsr_store *tsr_app_store(struct tsr_app *app);

/* Closes the calling thread's handle now (for the main thread at exit). */
void tsr_app_store_release(void);

/* The current tenant snapshot with one more reference (release with tsr_tenant_set_release). */
struct tsr_tenant_set *tsr_app_acquire(struct tsr_app *app);

/*
 * Rebuilds the snapshot from the database and swaps it in, after a change
 * to a tenant, its keys or its catalog (the change also calls
 * tsr_tenant_touch so other nodes follow).  Reloads run one at a time, so
 * a write committed before this call is in the snapshot when it returns:
 * an older load never replaces a newer one.  On failure the old snapshot
 * stays with every tenant marked stale (tsr_tenant_ctx.stale: which one
 * changed is not known), so requests that need the catalog fail closed
 * until a reload succeeds.
 */
int tsr_app_reload(struct tsr_app *app, tsr_store *st);

/* The same after a change to tenant_id alone: a failure marks that tenant stale. */
int tsr_app_reload_tenant(struct tsr_app *app, tsr_store *st, const char *tenant_id);

/*
 * Marks tenant_id stale in the current snapshot without a reload: after a
 * committed change whose tsr_tenant_touch failed, so no reload (of this
 * node, which keeps a catalog whose generation did not move, or another)
 * would load it.  Every reload first touches the tenants so marked, and
 * fails while it cannot.
 */
void tsr_app_mark_untouched(struct tsr_app *app, const char *tenant_id);

/* The retry interval of a stale tenant's reload, per tenant. */
#define TSR_APP_STALE_RETRY_MS 100

/*
 * For a request that found tenant (in its snapshot set) stale: a newer
 * snapshot, with one reference, when one is current already or a reload
 * now succeeds; else NULL (the tenant stays stale).  The reload is tried
 * at most once per TSR_APP_STALE_RETRY_MS per tenant; requests in between
 * get NULL at once.
 */
struct tsr_tenant_set *tsr_app_retry_stale(struct tsr_app *app, tsr_store *st,
                                           const struct tsr_tenant_set *set,
                                           struct tsr_tenant_ctx *tenant);

/*
 * At most once a second, compares the database's tenant generation with
 * the snapshot's and reloads when another node changed something (a
 * failure marks every tenant stale, as tsr_app_reload does).
 */
void tsr_app_refresh_if_changed(struct tsr_app *app, tsr_store *st);

#endif
