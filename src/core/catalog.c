#include "core/catalog.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

/* Each table sorted by its key (byte order, as SQLite's = compares), searched with bsearch. */
struct tsr_catalog {
    atomic_int refs;            /* snapshots of an unchanged tenant share its catalog */
    struct tsr_client *clients; /* by client_id */
    size_t nclients;
    struct tsr_api *apis; /* by identifier */
    size_t napis;
    struct tsr_grant *grants; /* by client_id, then audience */
    size_t ngrants;
    struct tsr_strlist origins; /* lowered, sorted */
};

static int client_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tsr_client *)a)->client_id,
                  ((const struct tsr_client *)b)->client_id);
}

static int api_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tsr_api *)a)->identifier, ((const struct tsr_api *)b)->identifier);
}

static int grant_cmp(const void *a, const void *b)
{
    const struct tsr_grant *x = a, *y = b;
    int c = strcmp(x->client_id, y->client_id);
    return c != 0 ? c : strcmp(x->audience, y->audience);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tsr_catalog *tsr_catalog_hold(struct tsr_catalog *cat)
{
    atomic_fetch_add(&cat->refs, 1);
    return cat;
}

void tsr_catalog_free(struct tsr_catalog *cat)
{
    if (cat == NULL || atomic_fetch_sub(&cat->refs, 1) != 1)
        return;
    tsr_client_list_free(cat->clients, cat->nclients);
    tsr_api_list_free(cat->apis, cat->napis);
    tsr_grant_list_free(cat->grants, cat->ngrants);
    tsr_strlist_cleanup(&cat->origins);
    free(cat);
}

int tsr_catalog_load(tsr_store *st, const char *tenant_id, struct tsr_catalog **out)
{
    *out = NULL;
    struct tsr_catalog *cat = calloc(1, sizeof *cat);
    if (cat == NULL)
        return TSR_ENOMEM;
    atomic_init(&cat->refs, 1);
    /*
     * A record the store holds but cannot be read is left out (that client,
     * API or grant is refused, as its own SQL read was) and logged: failing
     * the load would keep every tenant on its previous catalog, deleted
     * clients and grants included, for as long as the row stays.
     */
    size_t bad[3] = {0, 0, 0};
    int rc = tsr_client_list_tenant(st, tenant_id, &cat->clients, &cat->nclients, &bad[0]);
    if (rc == 0)
        rc = tsr_api_list_tenant(st, tenant_id, &cat->apis, &cat->napis, &bad[1]);
    if (rc == 0)
        rc = tsr_grant_list_tenant(st, tenant_id, &cat->grants, &cat->ngrants, &bad[2]);
    if (rc == 0 && bad[0] + bad[1] + bad[2] > 0)
        tsr_log(TSR_LOG_ERROR, "unreadable records left out of the tenant catalog",
                json_pack("{s:s, s:I, s:I, s:I}", "tenant", tenant_id, "clients",
                          (json_int_t)bad[0], "apis", (json_int_t)bad[1], "grants",
                          (json_int_t)bad[2]));
    if (rc == 0)
        rc = tsr_client_origins_tenant(st, tenant_id, &cat->origins);
    if (rc != 0) {
        tsr_catalog_free(cat);
        return rc;
    }
    if (cat->nclients > 1)
        qsort(cat->clients, cat->nclients, sizeof *cat->clients, client_cmp);
    if (cat->napis > 1)
        qsort(cat->apis, cat->napis, sizeof *cat->apis, api_cmp);
    if (cat->ngrants > 1)
        qsort(cat->grants, cat->ngrants, sizeof *cat->grants, grant_cmp);
    if (cat->origins.n > 1)
        qsort(cat->origins.v, cat->origins.n, sizeof *cat->origins.v, str_cmp);
    *out = cat;
    return 0;
}

const struct tsr_client *tsr_catalog_client(const struct tsr_catalog *cat, const char *client_id)
{
    if (cat == NULL || client_id == NULL || cat->nclients == 0)
        return NULL;
    struct tsr_client key = {.client_id = (char *)client_id};
    return bsearch(&key, cat->clients, cat->nclients, sizeof *cat->clients, client_cmp);
}

const struct tsr_api *tsr_catalog_api(const struct tsr_catalog *cat, const char *identifier)
{
    if (cat == NULL || identifier == NULL || cat->napis == 0)
        return NULL;
    struct tsr_api key = {.identifier = (char *)identifier};
    return bsearch(&key, cat->apis, cat->napis, sizeof *cat->apis, api_cmp);
}

const struct tsr_grant *tsr_catalog_grant(const struct tsr_catalog *cat, const char *client_id,
                                          const char *audience)
{
    if (cat == NULL || client_id == NULL || audience == NULL || cat->ngrants == 0)
        return NULL;
    struct tsr_grant key = {.client_id = (char *)client_id, .audience = (char *)audience};
    return bsearch(&key, cat->grants, cat->ngrants, sizeof *cat->grants, grant_cmp);
}

bool tsr_catalog_origin_allowed(const struct tsr_catalog *cat, const char *origin)
{
    char key[TSR_CLIENT_ORIGIN_MAX + 1];
    if (cat == NULL || cat->origins.n == 0 || !tsr_client_origin_lookup_key(origin, key))
        return false;
    const char *k = key;
    return bsearch(&k, cat->origins.v, cat->origins.n, sizeof *cat->origins.v, str_cmp) != NULL;
}

struct tsr_catalog_counts tsr_catalog_count(const struct tsr_catalog *cat)
{
    struct tsr_catalog_counts c = {0};
    if (cat != NULL)
        c = (struct tsr_catalog_counts){cat->nclients, cat->napis, cat->ngrants, cat->origins.n};
    return c;
}
