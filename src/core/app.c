#include "core/app.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "authn/authn.h"
#include "core/bootstrap.h"
#include "core/connection.h"
#include "core/keys.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

/* One database handle per thread, closed by the key's destructor when the thread ends. */
static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;
static const char *store_location; /* set once by tsr_app_open, before threads start */

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
    if (store_location == NULL || tsr_store_open(store_location, &st) != 0) {
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

static void tenant_ctx_cleanup(struct tsr_tenant_ctx *c)
{
    tsr_tenant_cleanup(&c->t);
    free(c->mgmt_audience);
    tsr_keyring_free(c->keys);
    free(c->jwks_json);
    free(c->discovery_json);
    memset(c, 0, sizeof *c);
}

static int load_tenant(tsr_store *st, struct tsr_app *app, struct tsr_tenant_ctx *c, char *err,
                       size_t errlen)
{
    size_t len = strlen(c->t.issuer) + sizeof "api/v2/";
    if (tsr_issuer_split(c->t.issuer, c->host, sizeof c->host, c->prefix, sizeof c->prefix) != 0) {
        snprintf(err, errlen, "tenant %s: the issuer %s is not a valid URL", c->t.id, c->t.issuer);
        return TSR_EINVAL;
    }
    c->mgmt_audience = malloc(len);
    if (c->mgmt_audience == NULL)
        return TSR_ENOMEM;
    snprintf(c->mgmt_audience, len, "%sapi/v2/", c->t.issuer);
    int rc = tsr_keyring_load(st, c->t.id, app->master_key, &c->keys);
    if (rc == TSR_EMASTERKEY) {
        snprintf(err, errlen,
                 "master key wrong: it does not decrypt the signing keys of tenant %s; start "
                 "with the TESSERA_MASTER_KEY or master.key these keys were created with",
                 c->t.issuer);
        return rc;
    }
    if (rc != 0) {
        snprintf(err, errlen, "tenant %s: cannot load its signing keys: %s", c->t.issuer,
                 tsr_strerror(rc));
        return rc;
    }
    c->jwks_json = tsr_keyring_jwks_text(c->keys);
    c->discovery_json = tsr_discovery_document(c->t.issuer);
    return c->jwks_json && c->discovery_json ? 0 : TSR_ENOMEM;
}

static int load_tenants(tsr_store *st, struct tsr_app *app, char *err, size_t errlen)
{
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    int rc = tsr_tenant_list(st, &list, &n);
    if (rc != 0) {
        snprintf(err, errlen, "cannot read tenants: %s", tsr_store_errmsg(st));
        return rc;
    }
    app->tenants = calloc(n ? n : 1, sizeof *app->tenants);
    if (app->tenants == NULL) {
        tsr_tenant_list_free(list, n);
        return TSR_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        app->tenants[i].t = list[i]; /* takes the strings */
    app->ntenants = n;
    free(list);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = load_tenant(st, app, &app->tenants[i], err, errlen);
    return rc;
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
    err[0] = '\0';
    app->settings = *s;
    int64_t ntenants = 0, nkeys = 0;
    int rc = open_data_dir(s->data_dir, err, errlen);
    if (rc != 0)
        return rc;
    snprintf(app->db_location, sizeof app->db_location, "%s/tessera.db", s->data_dir);
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
    if ((rc = tsr_store_query(st, &q,
                              "SELECT (SELECT count(*) FROM tenants), "
                              "(SELECT count(*) FROM signing_keys)",
                              "")) == 0 &&
        tsr_stmt_step(q) == TSR_STORE_ROW) {
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
    if ((rc = load_tenants(st, app, err, errlen)) != 0)
        return rc;
    /* Databases from before connections existed get their default connection here. */
    for (size_t i = 0; i < app->ntenants; i++) {
        if ((rc = tsr_connection_ensure_default(st, app->tenants[i].t.id)) != 0) {
            snprintf(err, errlen, "tenant %s: cannot create its default connection: %s",
                     app->tenants[i].t.issuer, tsr_store_errmsg(st));
            return rc;
        }
    }
    return 0;
}

void tsr_app_close(struct tsr_app *app)
{
    for (size_t i = 0; i < app->ntenants; i++)
        tenant_ctx_cleanup(&app->tenants[i]);
    free(app->tenants);
    app->tenants = NULL;
    app->ntenants = 0;
    tsr_wipe(app->master_key, sizeof app->master_key);
    tsr_app_store_release();
}

static bool host_equal(const char *a, const char *b)
{
    return a != NULL && strcasecmp(a, b) == 0;
}

static bool has_prefix(const char *path, const char *prefix, const char **rest)
{
    size_t plen = strlen(prefix);
    /* "/dev/" serves "/dev/..." and also "/dev" itself is not a route. */
    if (strncmp(path, prefix, plen) != 0)
        return false;
    *rest = path + plen - 1; /* keep the leading '/' */
    return true;
}

struct tsr_tenant_ctx *tsr_app_tenant_for(struct tsr_app *app, const char *host, const char *path,
                                          const char **rest)
{
    struct tsr_tenant_ctx *best = NULL;
    size_t best_len = 0;
    const char *best_rest = NULL;
    /* Exact host first, longest path prefix wins. */
    for (int pass = 0; pass < 2 && best == NULL; pass++) {
        for (size_t i = 0; i < app->ntenants; i++) {
            struct tsr_tenant_ctx *c = &app->tenants[i];
            const char *r;
            if (pass == 0 ? !host_equal(host, c->host) : !c->t.is_default)
                continue;
            size_t plen = strlen(c->prefix);
            if (plen > best_len && has_prefix(path, c->prefix, &r)) {
                best = c;
                best_len = plen;
                best_rest = r;
            }
        }
    }
    *rest = best_rest;
    return best;
}
