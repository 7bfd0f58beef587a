#include "core/app.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/bootstrap.h"
#include "core/connection.h"
#include "core/datadir.h"
#include "core/event_writer.h"
#include "store/queries.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

/* One database handle per thread, closed by the key's destructor when the thread ends. */
static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;
static const char *store_location; /* set once by tsr_app_open, before threads start */
/*
 * The handle tsr_app_open read the database with, for the next thread that
 * needs one (the mail worker, at once): one open and schema parse fewer at
 * start, and no handle left idle on the thread that only waits for a signal.
 */
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static tsr_store *spare_store;

static void close_thread_store(void *p)
{
    tsr_store_close(p);
}

static void make_store_key(void)
{
    pthread_key_create(&store_key, close_thread_store);
}

tsr_store *tsr_app_store(struct tsr_app *app)
{
    (void)app;
    pthread_once(&store_key_once, make_store_key);
    tsr_store *st = pthread_getspecific(store_key);
    if (st != NULL)
        return st;
    pthread_mutex_lock(&spare_lock);
    st = spare_store;
    spare_store = NULL;
    pthread_mutex_unlock(&spare_lock);
    if (st == NULL && (store_location == NULL || tsr_store_open(store_location, &st) != 0)) {
        tsr_log(TSR_LOG_ERROR, "cannot open the database", NULL);
        return NULL;
    }
    pthread_setspecific(store_key, st);
    return st;
}

void tsr_app_store_release(void)
{
    pthread_once(&store_key_once, make_store_key);
    tsr_store *st = pthread_getspecific(store_key);
    if (st != NULL) {
        pthread_setspecific(store_key, NULL);
        tsr_store_close(st);
    }
}

/* This thread's handle becomes the spare; SQLite's multi-thread mode lets another thread use it next. */
static void store_hand_over(void)
{
    tsr_store *st = pthread_getspecific(store_key);
    if (st == NULL)
        return;
    pthread_setspecific(store_key, NULL);
    pthread_mutex_lock(&spare_lock);
    tsr_store *old = spare_store;
    spare_store = st;
    pthread_mutex_unlock(&spare_lock);
    tsr_store_close(old);
}

static void store_drop_spare(void)
{
    pthread_mutex_lock(&spare_lock);
    tsr_store *st = spare_store;
    spare_store = NULL;
    pthread_mutex_unlock(&spare_lock);
    tsr_store_close(st);
}

/* A once-a-second throttle, not a timestamp: it must not follow the wall or test clock. */
static long long mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

/* The stale-tenant retry's clock: monotonic too. */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_data_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "--data-dir: cannot create %s: %s", dir, strerror(errno));
        return TSR_EIO;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "--data-dir: %s is not a directory", dir);
        return TSR_EIO;
    }
    return 0;
}

int tsr_app_open(struct tsr_app *app, const struct tsr_settings *s, tsr_getenv_fn getenv_fn,
                 FILE *out, char *err, size_t errlen)
{
    memset(app, 0, sizeof *app);
    app->datadir_lock = -1;
    err[0] = '\0';
    app->settings = *s;
    int64_t ntenants = 0, nkeys = 0;
    long holder = 0;
    char why[512];
    int rc = open_data_dir(s->data_dir, err, errlen);
    if (rc != 0)
        return rc;
    rc = tsr_datadir_lock(s->data_dir, TSR_DATADIR_SHARED, &app->datadir_lock, &holder, why,
                          sizeof why);
    if (rc == TSR_EBUSY && holder > 0)
        snprintf(err, errlen, "--data-dir: %s is being restored (pid %ld); start when it is done",
                 s->data_dir, holder);
    else if (rc == TSR_EBUSY)
        snprintf(err, errlen, "--data-dir: %s is being restored; start when it is done",
                 s->data_dir);
    else if (rc != 0)
        snprintf(err, errlen, "--data-dir: %s", why);
    if (rc != 0)
        return rc;
    snprintf(app->db_location, sizeof app->db_location, "%s/tessera.db", s->data_dir);
    store_drop_spare(); /* a handle left by an earlier app of this process is not this one's */
    store_location = app->db_location;
    tsr_store *st = tsr_app_store(app);
    if (st == NULL) {
        snprintf(err, errlen, "--data-dir: cannot open the database %s", app->db_location);
        return TSR_ESTORE;
    }
    int applied = 0;
    if ((rc = tsr_store_migrate(st, &applied)) != 0) {
        snprintf(err, errlen, "database %s: migrations failed: %s", app->db_location,
                 tsr_store_errmsg(st));
        return rc;
    }
    if (applied > 0)
        tsr_log(TSR_LOG_INFO, "database migrated",
                json_pack("{s:i, s:i}", "applied", applied, "version", tsr_store_schema_latest()));
    tsr_stmt *q = NULL;
    if ((rc = tsr_store_q(st, &q, TSR_Q_APP_COUNTS)) == 0 && tsr_stmt_step(q) == TSR_STORE_ROW) {
        ntenants = tsr_stmt_int64(q, 0);
        nkeys = tsr_stmt_int64(q, 1);
    } else {
        rc = TSR_ESTORE;
    }
    tsr_stmt_finalize(q);
    if (rc != 0) {
        snprintf(err, errlen, "database %s: %s", app->db_location, tsr_store_errmsg(st));
        return rc;
    }
    /* A new master key only for a database that holds nothing sealed under an old one. */
    if ((rc = tsr_masterkey_load(s->data_dir, getenv_fn, nkeys == 0, app->master_key, NULL, err,
                                 errlen)) != 0)
        return rc;
    if (ntenants == 0 && (rc = tsr_bootstrap(st, s->public_url, s->data_dir, app->master_key, out,
                                             err, errlen)) != 0)
        return rc;
    if ((rc = tsr_tenant_set_load(st, app->master_key, &s->limits, &app->tenants, err,
                                   errlen)) != 0)
        return rc;
    pthread_mutex_init(&app->lock, NULL);
    pthread_mutex_init(&app->reload_lock, NULL);
    atomic_store(&app->checked_at, mono_seconds());
    /* Databases from before connections existed get their default connection here. */
    for (size_t i = 0; i < app->tenants->n; i++) {
        if ((rc = tsr_connection_ensure_default(st, app->tenants->tenants[i].t.id)) != 0) {
            snprintf(err, errlen, "tenant %s: cannot create its default connection: %s",
                     app->tenants->tenants[i].t.issuer, tsr_store_errmsg(st));
            return rc;
        }
    }
    store_hand_over();
    return 0;
}

int tsr_app_start_event_writer(struct tsr_app *app, char *err, size_t errlen)
{
    return tsr_event_writer_start(app->db_location, NULL, &app->event_writer, err, errlen);
}

void tsr_app_close(struct tsr_app *app)
{
    /* The queued events reach the database before its handles and lock go. */
    tsr_event_writer_stop(app->event_writer);
    app->event_writer = NULL;
    if (app->tenants != NULL) {
        tsr_tenant_set_release(app->tenants);
        pthread_mutex_destroy(&app->lock);
        pthread_mutex_destroy(&app->reload_lock);
    }
    app->tenants = NULL;
    tsr_wipe(app->master_key, sizeof app->master_key);
    tsr_app_store_release();
    store_drop_spare();
    /* After the database handles: the lock outlives every use of the file. */
    tsr_datadir_unlock(app->datadir_lock);
    app->datadir_lock = -1;
}

struct tsr_tenant_set *tsr_app_acquire(struct tsr_app *app)
{
    pthread_mutex_lock(&app->lock);
    struct tsr_tenant_set *set = app->tenants;
    tsr_tenant_set_hold(set);
    pthread_mutex_unlock(&app->lock);
    return set;
}

/*
 * A reload after a committed change failed: prev (still the current
 * snapshot, as reload_lock is held) lacks it, for tenant_id or, NULL, any
 * tenant.  Marked under reload_lock, the mark cannot land on a snapshot an
 * unmarked successor has already replaced.
 */
static void mark_stale(struct tsr_tenant_set *prev, const char *tenant_id, bool untouched)
{
    for (size_t i = 0; i < prev->n; i++) {
        if (tenant_id != NULL && strcmp(prev->tenants[i].t.id, tenant_id) != 0)
            continue;
        if (untouched)
            atomic_store(&prev->tenants[i].untouched, true);
        atomic_store(&prev->tenants[i].stale, true);
    }
}

/*
 * Touches every tenant of prev whose change could not be touched: until
 * then its generation hides the change, and a reload would keep its
 * catalog (and clear its mark) without it.
 */
static int touch_untouched(tsr_store *st, const struct tsr_tenant_set *prev, char *err,
                           size_t errlen)
{
    for (size_t i = 0; i < prev->n; i++) {
        if (!atomic_load(&prev->tenants[i].untouched))
            continue;
        int rc = tsr_tenant_touch(st, prev->tenants[i].t.id);
        if (rc != 0) {
            snprintf(err, errlen, "cannot mark tenant %s changed: %s", prev->tenants[i].t.issuer,
                     tsr_store_errmsg(st));
            return rc;
        }
    }
    return 0;
}

/* Reloads; on failure marks tenant_id (NULL: every tenant) stale. */
static int reload(struct tsr_app *app, tsr_store *st, const char *tenant_id)
{
    char err[512] = "";
    struct tsr_tenant_set *fresh = NULL;
    /* Held across load and swap: two reloads in parallel could swap the older load in last. */
    pthread_mutex_lock(&app->reload_lock);
    struct tsr_tenant_set *prev = tsr_app_acquire(app); /* its unchanged keyrings are reused */
    int rc = touch_untouched(st, prev, err, sizeof err);
    if (rc == 0)
        rc = tsr_tenant_set_reload(st, app->master_key, &app->settings.limits, prev, &fresh, err,
                                   sizeof err);
    if (rc != 0) {
        mark_stale(prev, tenant_id, false);
        tsr_tenant_set_release(prev);
        pthread_mutex_unlock(&app->reload_lock);
        tsr_log(TSR_LOG_ERROR,
                "tenant reload failed; requests that need the changed tenant's clients, APIs "
                "or grants answer 503 until a reload succeeds",
                json_pack("{s:s, s:s}", "tenant", tenant_id ? tenant_id : "(all)", "error", err));
        return rc;
    }
    tsr_tenant_set_release(prev);
    pthread_mutex_lock(&app->lock);
    struct tsr_tenant_set *old = app->tenants;
    app->tenants = fresh;
    pthread_mutex_unlock(&app->lock);
    pthread_mutex_unlock(&app->reload_lock);
    tsr_tenant_set_release(old); /* freed when its last request ends */
    return 0;
}

int tsr_app_reload(struct tsr_app *app, tsr_store *st)
{
    return reload(app, st, NULL);
}

int tsr_app_reload_tenant(struct tsr_app *app, tsr_store *st, const char *tenant_id)
{
    return reload(app, st, tenant_id);
}

/* Under reload_lock, like a failed reload's marks: the next reload sees them. */
void tsr_app_mark_untouched(struct tsr_app *app, const char *tenant_id)
{
    pthread_mutex_lock(&app->reload_lock);
    struct tsr_tenant_set *cur = tsr_app_acquire(app);
    mark_stale(cur, tenant_id, true);
    tsr_tenant_set_release(cur);
    pthread_mutex_unlock(&app->reload_lock);
}

struct tsr_tenant_set *tsr_app_retry_stale(struct tsr_app *app, tsr_store *st,
                                           const struct tsr_tenant_set *set,
                                           struct tsr_tenant_ctx *tenant)
{
    /* Another request's reload may have replaced the snapshot already. */
    struct tsr_tenant_set *cur = tsr_app_acquire(app);
    if (cur != set)
        return cur;
    tsr_tenant_set_release(cur);
    long long now = mono_ms(), at = atomic_load(&tenant->retry_at_ms);
    /* One request per interval tries; the others answer at once. */
    if (now < at ||
        !atomic_compare_exchange_strong(&tenant->retry_at_ms, &at, now + TSR_APP_STALE_RETRY_MS))
        return NULL;
    if (reload(app, st, tenant->t.id) != 0)
        return NULL;
    return tsr_app_acquire(app);
}

void tsr_app_refresh_if_changed(struct tsr_app *app, tsr_store *st)
{
    long long now = mono_seconds(), last = atomic_load(&app->checked_at);
    /* One thread per second does the check; the others go on with the snapshot they have. */
    if (now == last || !atomic_compare_exchange_strong(&app->checked_at, &last, now))
        return;
    int64_t generation = 0;
    struct tsr_tenant_set *set = tsr_app_acquire(app);
    bool changed = tsr_tenant_set_generation(st, &generation) == 0 && generation != set->generation;
    /*
     * A change whose touch failed moved no generation: only a reload (which
     * touches it first) lets other nodes see it, so the check retries it
     * too, not only a request to that tenant here.
     */
    for (size_t i = 0; !changed && i < set->n; i++)
        changed = atomic_load(&set->tenants[i].untouched);
    tsr_tenant_set_release(set);
    if (changed)
        tsr_app_reload(app, st);
}
