#include "core/grant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/api.h"
#include "core/rows.h"
#include "core/update_refusal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

void tsr_grant_cleanup(struct tsr_grant *g)
{
    free(g->tenant_id);
    free(g->id);
    free(g->client_id);
    free(g->audience);
    tsr_strlist_cleanup(&g->scope);
    memset(g, 0, sizeof *g);
}

int tsr_grant_init_new(struct tsr_grant *g, const char *tenant_id)
{
    char id[4 + 16 + 1] = "cgr_";
    memset(g, 0, sizeof *g);
    if (tsr_random_alnum(id + 4, 16) != 0)
        return TSR_ECRYPTO;
    g->tenant_id = strdup(tenant_id);
    g->id = strdup(id);
    g->client_id = strdup("");
    g->audience = strdup("");
    g->created_at = g->updated_at = tsr_clock_now();
    if (!g->tenant_id || !g->id || !g->client_id || !g->audience) {
        tsr_grant_cleanup(g);
        return TSR_ENOMEM;
    }
    return 0;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_grant *g = record;
    memset(g, 0, sizeof *g);
    g->tenant_id = tsr_stmt_text_dup(q, 0);
    g->id = tsr_stmt_text_dup(q, 1);
    g->client_id = tsr_stmt_text_dup(q, 2);
    g->audience = tsr_stmt_text_dup(q, 3);
    g->created_at = tsr_stmt_int64(q, 5);
    g->updated_at = tsr_stmt_int64(q, 6);
    int rc = (!g->tenant_id || !g->id || !g->client_id || !g->audience) ? TSR_ENOMEM : 0;
    if (rc == 0)
        rc = tsr_strlist_from_text(&g->scope, tsr_stmt_text(q, 4));
    if (rc != 0)
        tsr_grant_cleanup(g);
    return rc == TSR_EFORMAT ? TSR_ESTORE : rc;
}

static void cleanup_cb(void *record)
{
    tsr_grant_cleanup(record);
}

int tsr_grant_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_grant *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_GRANT_GET, tenant_id, id);
}

int tsr_grant_find(tsr_store *st, const char *tenant_id, const char *client_id,
                   const char *audience, struct tsr_grant *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_GRANT_GET_BY_PAIR, tenant_id, client_id, audience);
}

int tsr_grant_insert(tsr_store *st, const struct tsr_grant *g)
{
    char *scope = tsr_strlist_to_text(&g->scope);
    if (scope == NULL)
        return TSR_ENOMEM;
    int rc = tsr_store_q_run(st, NULL, TSR_Q_GRANT_INSERT, g->tenant_id, g->id, g->client_id,
                             g->audience, scope, g->created_at, g->updated_at);
    free(scope);
    return rc;
}

int tsr_grant_update(tsr_store *st, const struct tsr_grant *g)
{
    char *scope = tsr_strlist_to_text(&g->scope);
    if (scope == NULL)
        return TSR_ENOMEM;
    int rc =
        tsr_rows_change(st, TSR_Q_GRANT_UPDATE_SCOPE, scope, tsr_clock_now(), g->tenant_id, g->id);
    free(scope);
    return rc;
}

int tsr_grant_delete(tsr_store *st, const char *tenant_id, const char *id)
{
    return tsr_rows_change(st, TSR_Q_GRANT_DELETE, tenant_id, id);
}

/* A NULL filter matches everything (each is bound twice: "? IS NULL OR col = ?"). */
int tsr_grant_list(tsr_store *st, const char *tenant_id, const char *audience,
                   const char *client_id, int64_t offset, int64_t limit, struct tsr_grant **out,
                   size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    int rc = 0;
    if (total != NULL && (rc = tsr_rows_count(st, total, TSR_Q_GRANT_COUNT, tenant_id, audience,
                                              audience, client_id, client_id)) != 0)
        return rc;
    tsr_stmt *q = NULL;
    rc = tsr_store_q(st, &q, TSR_Q_GRANT_LIST, tenant_id, audience, audience, client_id, client_id,
                     limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_grant_list_after(tsr_store *st, const char *tenant_id, const char *audience,
                         const char *client_id, const char *after, int64_t limit,
                         struct tsr_grant **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_GRANT_LIST_AFTER, tenant_id, audience, audience, client_id,
                         client_id, after ? after : "", limit);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_grant_list_tenant(tsr_store *st, const char *tenant_id, struct tsr_grant **out, size_t *n,
                          size_t *skipped)
{
    *out = NULL;
    *n = 0;
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_GRANT_LIST_TENANT, tenant_id);
    if (rc == 0)
        rc = tsr_rows_collect_skipping(q, sizeof **out, read_row, cleanup_cb, (void **)out, n,
                                       skipped);
    tsr_stmt_finalize(q);
    return rc;
}

void tsr_grant_list_free(struct tsr_grant *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}

int tsr_grant_scopes_check(const struct tsr_api *a, const struct tsr_strlist *scope,
                           struct tsr_refusal *why)
{
    for (size_t i = 0; i < scope->n; i++) {
        if (!tsr_api_has_scope(a, scope->v[i])) {
            char field[32];
            snprintf(field, sizeof field, "scope[%zu]", i);
            return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                              "Scope %.280s is not defined by the resource server", scope->v[i]);
        }
    }
    return 0;
}
