/*
 * connection.c - database connections of a tenant, as stored, and the
 * default connection every tenant gets.
 *
 * Contents: records and rows; get, insert, update, delete, list; enabled
 * clients (per connection and across all of a tenant's connections); the
 * default connection.
 */
#include "core/connection.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "core/user.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define CONNECTION_ID_RANDOM 16

void tsr_connection_cleanup(struct tsr_connection *c)
{
    free(c->tenant_id);
    free(c->id);
    free(c->name);
    free(c->strategy);
    free(c->display_name);
    free(c->password_policy);
    tsr_strlist_cleanup(&c->enabled_clients);
    memset(c, 0, sizeof *c);
}

int tsr_connection_init_new(struct tsr_connection *c, const char *tenant_id)
{
    char id[4 + CONNECTION_ID_RANDOM + 1] = "con_";
    memset(c, 0, sizeof *c);
    if (tsr_random_alnum(id + 4, CONNECTION_ID_RANDOM) != 0)
        return TSR_ECRYPTO;
    c->tenant_id = strdup(tenant_id);
    c->id = strdup(id);
    c->name = strdup("");
    c->strategy = strdup("auth0");
    c->display_name = strdup("");
    c->password_policy = strdup("good");
    c->password_min_length = 8;
    c->brute_force_protection = true;
    c->created_at = c->updated_at = tsr_clock_now();
    if (!c->tenant_id || !c->id || !c->name || !c->strategy || !c->display_name ||
        !c->password_policy) {
        tsr_connection_cleanup(c);
        return TSR_ENOMEM;
    }
    return 0;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_connection *c = record;
    memset(c, 0, sizeof *c);
    c->tenant_id = tsr_stmt_text_dup(q, 0);
    c->id = tsr_stmt_text_dup(q, 1);
    c->name = tsr_stmt_text_dup(q, 2);
    c->strategy = tsr_stmt_text_dup(q, 3);
    c->display_name = tsr_stmt_text_dup(q, 4);
    c->password_policy = tsr_stmt_text_dup(q, 5);
    c->password_min_length = tsr_stmt_int64(q, 6);
    c->requires_username = tsr_stmt_int64(q, 7) != 0;
    c->disable_signup = tsr_stmt_int64(q, 8) != 0;
    c->brute_force_protection = tsr_stmt_int64(q, 9) != 0;
    c->created_at = tsr_stmt_int64(q, 11);
    c->updated_at = tsr_stmt_int64(q, 12);
    int rc = 0;
    if (!c->tenant_id || !c->id || !c->name || !c->strategy || !c->display_name ||
        !c->password_policy)
        rc = TSR_ENOMEM;
    if (rc == 0)
        rc = tsr_strlist_from_text(&c->enabled_clients, tsr_stmt_text(q, 10));
    if (rc != 0)
        tsr_connection_cleanup(c);
    return rc == TSR_EFORMAT ? TSR_ESTORE : rc;
}

static void cleanup_cb(void *record)
{
    tsr_connection_cleanup(record);
}

int tsr_connection_get(tsr_store *st, const char *tenant_id, const char *id,
                       struct tsr_connection *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_CONNECTION_GET, tenant_id, id);
}

int tsr_connection_get_by_name(tsr_store *st, const char *tenant_id, const char *name,
                               struct tsr_connection *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_CONNECTION_GET_BY_NAME, tenant_id, name);
}

int tsr_connection_insert(tsr_store *st, const struct tsr_connection *c)
{
    char *clients = tsr_strlist_to_text(&c->enabled_clients);
    if (clients == NULL)
        return TSR_ENOMEM;
    int rc =
        tsr_store_q_run(st, NULL, TSR_Q_CONNECTION_INSERT, c->tenant_id, c->id, c->name,
                        c->strategy, c->display_name, c->password_policy, c->password_min_length,
                        (int64_t)c->requires_username, (int64_t)c->disable_signup,
                        (int64_t)c->brute_force_protection, clients, c->created_at, c->updated_at);
    free(clients);
    return rc;
}

/* Name and strategy are immutable (as in Auth0), so they are not written. */
int tsr_connection_update(tsr_store *st, const struct tsr_connection *c)
{
    char *clients = tsr_strlist_to_text(&c->enabled_clients);
    if (clients == NULL)
        return TSR_ENOMEM;
    int rc = tsr_rows_change(st, TSR_Q_CONNECTION_UPDATE, c->display_name, c->password_policy,
                             c->password_min_length, (int64_t)c->requires_username,
                             (int64_t)c->disable_signup, (int64_t)c->brute_force_protection,
                             clients, c->updated_at, c->tenant_id, c->id);
    free(clients);
    return rc;
}

int tsr_connection_delete(tsr_store *st, const char *tenant_id, const char *id)
{
    return tsr_rows_change(st, TSR_Q_CONNECTION_DELETE, tenant_id, id);
}

/* Filters are bound as '' for "any" so the SQL stays one constant text on every backend. */
/* strategy IN the JSON array bound twice (NULL: any); name = the text bound twice ('': any). */

/* The strategies filter as JSON text in *out (NULL for any).  Returns 0 or TSR_ENOMEM. */
static int strategies_text(const struct tsr_strlist *strategies, char **out)
{
    *out = NULL;
    if (strategies == NULL || strategies->n == 0)
        return 0;
    *out = tsr_strlist_to_text(strategies);
    return *out ? 0 : TSR_ENOMEM;
}

int tsr_connection_list(tsr_store *st, const char *tenant_id, const struct tsr_strlist *strategies,
                        const char *name, int64_t offset, int64_t limit,
                        struct tsr_connection **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    const char *nm = name ? name : "";
    char *s = NULL;
    int rc = strategies_text(strategies, &s);
    tsr_stmt *q = NULL;
    if (rc != 0 || (total != NULL && (rc = tsr_rows_count(st, total, TSR_Q_CONNECTION_COUNT,
                                                          tenant_id, s, s, nm, nm)) != 0))
        goto out;
    rc = tsr_store_q(st, &q, TSR_Q_CONNECTION_LIST, tenant_id, s, s, nm, nm, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
out:
    free(s);
    return rc;
}

int tsr_connection_list_after(tsr_store *st, const char *tenant_id,
                              const struct tsr_strlist *strategies, const char *name,
                              const char *after, int64_t limit, struct tsr_connection **out,
                              size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *nm = name ? name : "";
    char *s = NULL;
    int rc = strategies_text(strategies, &s);
    tsr_stmt *q = NULL;
    if (rc != 0)
        return rc;
    rc = tsr_store_q(st, &q, TSR_Q_CONNECTION_LIST_AFTER, tenant_id, s, s, nm, nm,
                     after ? after : "", limit);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    free(s);
    return rc;
}

void tsr_connection_list_free(struct tsr_connection *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}

bool tsr_connection_enabled_for(const struct tsr_connection *c, const char *client_id)
{
    return client_id != NULL && tsr_strlist_contains(&c->enabled_clients, client_id);
}

bool tsr_connection_serves(const struct tsr_connection *c, const char *client_id,
                           const char *wanted)
{
    if (!tsr_connection_enabled_for(c, client_id))
        return false;
    return wanted == NULL || wanted[0] == '\0' || (c->name != NULL && strcmp(c->name, wanted) == 0);
}

bool tsr_connection_user_serves(tsr_store *st, const char *tenant_id, const struct tsr_user *u,
                                const char *client_id, const char *wanted)
{
    struct tsr_connection c = {0};
    if (u->blocked || u->connection_id == NULL ||
        tsr_connection_get(st, tenant_id, u->connection_id, &c) != 0)
        return false;
    bool ok = tsr_connection_serves(&c, client_id, wanted);
    tsr_connection_cleanup(&c);
    return ok;
}

/* Every connection of a tenant (a tenant has a handful, so no paging). */
static int list_all(tsr_store *st, const char *tenant_id, struct tsr_connection **out, size_t *n)
{
    return tsr_connection_list(st, tenant_id, NULL, NULL, 0, INT64_MAX, out, n, NULL);
}

/* Writes only enabled_clients, so a concurrent PATCH of other fields is not undone. */
static int store_enabled_clients(tsr_store *st, const struct tsr_connection *c)
{
    char *clients = tsr_strlist_to_text(&c->enabled_clients);
    if (clients == NULL)
        return TSR_ENOMEM;
    int rc = tsr_store_q_run(st, NULL, TSR_Q_CONNECTION_SET_CLIENTS, clients, tsr_clock_now(),
                             c->tenant_id, c->id);
    free(clients);
    return rc;
}

/* Removes every copy of client_id from l; *removed says whether there was one. */
static void strlist_remove(struct tsr_strlist *l, const char *s, bool *removed)
{
    size_t kept = 0;
    *removed = false;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], s) == 0) {
            free(l->v[i]);
            *removed = true;
        } else {
            l->v[kept++] = l->v[i];
        }
    }
    l->n = kept;
}

int tsr_connection_enable_client(tsr_store *st, const char *tenant_id, const char *client_id)
{
    struct tsr_connection *list = NULL;
    size_t n = 0;
    int rc = list_all(st, tenant_id, &list, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (tsr_strlist_contains(&list[i].enabled_clients, client_id))
            continue;
        rc = tsr_strlist_push(&list[i].enabled_clients, client_id);
        if (rc == 0)
            rc = store_enabled_clients(st, &list[i]);
    }
    tsr_connection_list_free(list, n);
    return rc;
}

int tsr_connection_disable_client(tsr_store *st, const char *tenant_id, const char *client_id)
{
    struct tsr_connection *list = NULL;
    size_t n = 0;
    int rc = list_all(st, tenant_id, &list, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool removed;
        strlist_remove(&list[i].enabled_clients, client_id, &removed);
        if (removed)
            rc = store_enabled_clients(st, &list[i]);
    }
    tsr_connection_list_free(list, n);
    return rc;
}

/* ---- the default connection ---- */

static int read_client_id(tsr_stmt *q, void *record)
{
    char **id = record;
    *id = tsr_stmt_text_dup(q, 0);
    return *id ? 0 : TSR_ENOMEM;
}

static void free_client_id(void *record)
{
    free(*(char **)record);
}

static int all_client_ids(tsr_store *st, const char *tenant_id, struct tsr_strlist *out)
{
    tsr_stmt *q = NULL;
    char **ids = NULL;
    size_t n = 0;
    int rc = tsr_store_q(st, &q, TSR_Q_CONNECTION_CLIENT_IDS, tenant_id);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof *ids, read_client_id, free_client_id, (void **)&ids, &n);
    tsr_stmt_finalize(q);
    if (rc != 0)
        return rc;
    /* The strings move into the list as they are. */
    out->v = ids;
    out->n = n;
    return 0;
}

int tsr_connection_ensure_default(tsr_store *st, const char *tenant_id)
{
    struct tsr_connection c = {0};
    int64_t count = 0;
    int rc = tsr_rows_count(st, &count, TSR_Q_CONNECTION_COUNT_ALL, tenant_id);
    if (rc != 0 || count > 0)
        return rc;
    if ((rc = tsr_connection_init_new(&c, tenant_id)) != 0)
        return rc;
    free(c.name);
    c.name = strdup(TSR_DEFAULT_CONNECTION);
    if (c.name == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0)
        rc = all_client_ids(st, tenant_id, &c.enabled_clients);
    if (rc == 0)
        rc = tsr_connection_insert(st, &c);
    /* Another node created it between the count and the insert: that is the goal. */
    if (rc == TSR_ECONFLICT)
        rc = 0;
    tsr_connection_cleanup(&c);
    return rc;
}
