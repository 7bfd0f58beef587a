#include "core/tenant_set.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/discovery.h"
#include "core/keys.h"
#include "core/rows.h"
#include "core/tenant_keys.h"
#include "core/tenant_limits.h"
#include "util/clock.h"
#include "util/err.h"

static void tenant_ctx_cleanup(struct tsr_tenant_ctx *c)
{
    tsr_tenant_cleanup(&c->t);
    free(c->mgmt_audience);
    tsr_tenant_keys_release(c->shared_keys); /* keys and jwks_json are its */
    free(c->discovery_json);
    tsr_catalog_free(c->catalog);
    memset(c, 0, sizeof *c);
}

/* The tenant's limits: a stored value that does not parse stops the load (fail closed). */
static int load_limits(tsr_store *st, const struct tsr_limits *server, struct tsr_tenant_ctx *c,
                       char *err, size_t errlen)
{
    struct tsr_tenant_limits tl;
    char why[256];
    int rc = tsr_tenant_limits_load(st, c->t.id, &tl);
    if (rc != 0) {
        snprintf(err, errlen, "tenant %s: cannot read its limits: %s", c->t.issuer,
                 tsr_store_errmsg(st));
        return rc;
    }
    rc = tsr_tenant_limits_apply(&tl, server, &c->limits, why, sizeof why);
    if (rc != 0)
        snprintf(err, errlen, "tenant %s: its stored limit %s", c->t.issuer, why);
    tsr_tenant_limits_cleanup(&tl);
    return rc;
}

/* The tenant's keyring from prev (the same tenant in the previous set, may be NULL) when unchanged.
 */
static int load_keys(tsr_store *st, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                     const struct tsr_tenant_ctx *prev, struct tsr_tenant_ctx *c)
{
    int rc = tsr_tenant_keys_get(st, c->t.id, c->host, master_key, prev ? prev->shared_keys : NULL,
                                 &c->shared_keys);
    if (rc == 0) {
        c->keys = tsr_tenant_keys_ring(c->shared_keys);
        c->jwks_json = tsr_tenant_keys_jwks(c->shared_keys);
    }
    return rc;
}

static int load_tenant(tsr_store *st, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                       const struct tsr_limits *server, const struct tsr_tenant_ctx *prev,
                       struct tsr_tenant_ctx *c, char *err, size_t errlen)
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
    int rc = load_limits(st, server, c, err, errlen);
    if (rc != 0)
        return rc;
    rc = load_keys(st, master_key, prev, c);
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
    /*
     * Every write to a client, API or grant moves its tenant's generation
     * (tsr_catalog_changed), so a tenant whose generation is the one prev
     * was listed with keeps prev's catalog: a write reloads its own
     * tenant's records, not every tenant's.
     */
    if (prev != NULL && prev->catalog != NULL && prev->t.generation == c->t.generation)
        c->catalog = tsr_catalog_hold(prev->catalog);
    else
        rc = tsr_catalog_load(st, c->t.id, &c->catalog);
    if (rc != 0) {
        snprintf(err, errlen, "tenant %s: cannot load its clients, APIs and grants: %s",
                 c->t.issuer, tsr_store_errmsg(st));
        return rc;
    }
    c->discovery_json = tsr_discovery_document(c->t.issuer);
    return c->discovery_json ? 0 : TSR_ENOMEM;
}

static void set_free(struct tsr_tenant_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        tenant_ctx_cleanup(&set->tenants[i]);
    free(set->tenants);
    free(set);
}

/* The tenant id in prev (may be NULL), or NULL. */
static const struct tsr_tenant_ctx *same_tenant(const struct tsr_tenant_set *prev, const char *id)
{
    for (size_t i = 0; prev != NULL && i < prev->n; i++)
        if (strcmp(prev->tenants[i].t.id, id) == 0)
            return &prev->tenants[i];
    return NULL;
}

int tsr_tenant_set_load(tsr_store *st, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                        const struct tsr_limits *server, struct tsr_tenant_set **out, char *err,
                        size_t errlen)
{
    return tsr_tenant_set_reload(st, master_key, server, NULL, out, err, errlen);
}

int tsr_tenant_set_reload(tsr_store *st, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                          const struct tsr_limits *server, const struct tsr_tenant_set *prev,
                          struct tsr_tenant_set **out, char *err, size_t errlen)
{
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    *out = NULL;
    struct tsr_tenant_set *set = calloc(1, sizeof *set);
    if (set == NULL)
        return TSR_ENOMEM;
    atomic_init(&set->refs, 1);
    /* The generation is read first: a change during the load makes the next check reload. */
    int rc = tsr_tenant_set_generation(st, &set->generation);
    if (rc == 0)
        rc = tsr_tenant_list(st, &list, &n);
    if (rc != 0) {
        snprintf(err, errlen, "cannot read tenants: %s", tsr_store_errmsg(st));
        free(set);
        return rc;
    }
    set->tenants = calloc(n ? n : 1, sizeof *set->tenants);
    if (set->tenants == NULL) {
        tsr_tenant_list_free(list, n);
        free(set);
        return TSR_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        set->tenants[i].t = list[i]; /* takes the strings */
    set->n = n;
    free(list);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = load_tenant(st, master_key, server, same_tenant(prev, set->tenants[i].t.id),
                         &set->tenants[i], err, errlen);
    if (rc != 0) {
        set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

void tsr_tenant_set_hold(struct tsr_tenant_set *set)
{
    atomic_fetch_add(&set->refs, 1);
}

void tsr_tenant_set_release(struct tsr_tenant_set *set)
{
    if (set != NULL && atomic_fetch_sub(&set->refs, 1) == 1)
        set_free(set);
}

static bool host_equal(const char *a, const char *b)
{
    return a != NULL && strcasecmp(a, b) == 0;
}

static bool has_prefix(const char *path, const char *prefix, const char **rest)
{
    size_t plen = strlen(prefix);
    if (strncmp(path, prefix, plen) != 0)
        return false;
    *rest = path + plen - 1; /* keep the leading '/' */
    return true;
}

struct tsr_tenant_ctx *tsr_tenant_set_find(struct tsr_tenant_set *set, const char *host,
                                           const char *path, const char **rest)
{
    struct tsr_tenant_ctx *best = NULL;
    size_t best_len = 0;
    const char *best_rest = NULL;
    for (int pass = 0; pass < 2 && best == NULL; pass++) {
        for (size_t i = 0; i < set->n; i++) {
            struct tsr_tenant_ctx *c = &set->tenants[i];
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

int tsr_tenant_set_generation(tsr_store *st, int64_t *out)
{
    return tsr_rows_count(st, out, TSR_Q_TENANT_SET_GENERATION);
}

int tsr_tenant_touch(tsr_store *st, const char *tenant_id)
{
    return tsr_rows_change(st, TSR_Q_TENANT_SET_TOUCH, tsr_clock_now(), tenant_id);
}
