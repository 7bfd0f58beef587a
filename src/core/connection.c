/*
 * connection.c - database connections of a tenant, as stored, and the
 * default connection every tenant gets.
 *
 * Contents: the rules of a name and strategy; records and rows; enabled
 * clients as stored; get, insert, update, delete, list; enabled clients
 * (per connection and across all of a tenant's connections); the default
 * connection.
 *
 * A connection's enabled clients are rows of their own, in the order the
 * list was set; a connection and its list are written in one transaction.
 */
#include "core/connection.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "core/update_refusal.h"
#include "core/user.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define CONNECTION_ID_RANDOM 16

const char *const tsr_connection_password_policies[] = {"none", "low",       "fair",
                                                        "good", "excellent", NULL};

int tsr_connection_name_check(const char *name, struct tsr_refusal *why)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!isalnum(ch) && ch != '-' && ch != '_' && ch != ' ')
            return tsr_refuse(why, TSR_REFUSED_VALUE, "name",
                              "String does not match pattern: ^[A-Za-z0-9_\\- ]+$ "
                              "(letters, digits, '-', '_' and spaces)");
    }
    if (n == 0 || name[0] == ' ' || name[n - 1] == ' ')
        return tsr_refuse(why, TSR_REFUSED_VALUE, "name",
                          "The name must not start or end with a space");
    return 0;
}

int tsr_connection_strategy_check(const char *strategy, struct tsr_refusal *why)
{
    if (strcmp(strategy, "auth0") == 0)
        return 0;
    return tsr_refuse(why, TSR_REFUSED_REQUEST, "strategy",
                      "Strategy %.64s is not supported yet; only auth0 (database connections) is",
                      strategy);
}

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
    c->created_at = tsr_stmt_int64(q, 10);
    c->updated_at = tsr_stmt_int64(q, 11);
    if (!c->tenant_id || !c->id || !c->name || !c->strategy || !c->display_name ||
        !c->password_policy) {
        tsr_connection_cleanup(c);
        return TSR_ENOMEM;
    }
    return 0;
}

static void cleanup_cb(void *record)
{
    tsr_connection_cleanup(record);
}

/* ---- enabled clients as stored ---- */

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

/* Collects the client_id column of q's rows into *out (emptied first). */
static int collect_ids(tsr_stmt *q, struct tsr_strlist *out)
{
    char **ids = NULL;
    size_t n = 0;
    int rc = tsr_rows_collect(q, sizeof *ids, read_client_id, free_client_id, (void **)&ids, &n);
    if (rc != 0)
        return rc;
    tsr_strlist_cleanup(out);
    /* The strings move into the list as they are. */
    out->v = ids;
    out->n = n;
    return 0;
}

/* Reads c's enabled clients, in their order. */
static int read_clients(tsr_store *st, struct tsr_connection *c)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_CONNECTION_CLIENTS, c->tenant_id, c->id);
    if (rc == 0)
        rc = collect_ids(q, &c->enabled_clients);
    tsr_stmt_finalize(q);
    return rc;
}

/* Replaces c's stored list of enabled clients with c->enabled_clients. */
static int write_clients(tsr_store *st, const struct tsr_connection *c)
{
    int rc = tsr_store_q_run(st, NULL, TSR_Q_CONNECTION_CLIENTS_CLEAR, c->tenant_id, c->id);
    for (size_t i = 0; rc == 0 && i < c->enabled_clients.n; i++)
        rc = tsr_store_q_run(st, NULL, TSR_Q_CONNECTION_CLIENTS_ADD, c->tenant_id, c->id,
                             (int64_t)i, c->enabled_clients.v[i]);
    return rc;
}

/* ---- get, insert, update, delete, list ---- */

/* Runs a one-row query q (parameters tenant_id, key) and reads the list of the row. */
static int get_one(tsr_store *st, enum tsr_query_id q, const char *tenant_id, const char *key,
                   struct tsr_connection *out)
{
    int rc = tsr_rows_one(st, read_row, out, q, tenant_id, key);
    if (rc == 0 && (rc = read_clients(st, out)) != 0)
        tsr_connection_cleanup(out);
    return rc;
}

int tsr_connection_get(tsr_store *st, const char *tenant_id, const char *id,
                       struct tsr_connection *out)
{
    return get_one(st, TSR_Q_CONNECTION_GET, tenant_id, id, out);
}

int tsr_connection_get_by_name(tsr_store *st, const char *tenant_id, const char *name,
                               struct tsr_connection *out)
{
    return get_one(st, TSR_Q_CONNECTION_GET_BY_NAME, tenant_id, name, out);
}

int tsr_connection_insert(tsr_store *st, const struct tsr_connection *c)
{
    bool own = false;
    int rc = tsr_store_begin_own(st, &own);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_CONNECTION_INSERT, c->tenant_id, c->id, c->name,
                             c->strategy, c->display_name, c->password_policy,
                             c->password_min_length, (int64_t)c->requires_username,
                             (int64_t)c->disable_signup, (int64_t)c->brute_force_protection,
                             c->created_at, c->updated_at);
    if (rc == 0)
        rc = write_clients(st, c);
    return tsr_store_finish_own(st, own, rc);
}

/* Name and strategy are immutable (as in Auth0), so they are not written. */
int tsr_connection_update(tsr_store *st, const struct tsr_connection *c)
{
    bool own = false;
    int rc = tsr_store_begin_own(st, &own);
    if (rc == 0)
        rc = tsr_rows_change(st, TSR_Q_CONNECTION_UPDATE, c->display_name, c->password_policy,
                             c->password_min_length, (int64_t)c->requires_username,
                             (int64_t)c->disable_signup, (int64_t)c->brute_force_protection,
                             c->updated_at, c->tenant_id, c->id);
    if (rc == 0)
        rc = write_clients(st, c);
    return tsr_store_finish_own(st, own, rc);
}

int tsr_connection_delete(tsr_store *st, const char *tenant_id, const char *id)
{
    return tsr_rows_change(st, TSR_Q_CONNECTION_DELETE, tenant_id, id);
}

/*
 * The strategies there are (the Management API creates no other).  A filter
 * binds each one it names into a slot of its own and NULL into the others,
 * so the statements have a fixed number of parameters; a name outside this
 * set could match no connection and is left out.
 */
static const char *const strategies_known[TSR_CONNECTION_STRATEGY_SLOTS] = {"auth0"};

struct strategy_filter {
    int64_t on; /* 0: any strategy */
    const char *slot[TSR_CONNECTION_STRATEGY_SLOTS];
};

static void strategy_filter(const struct tsr_strlist *strategies, struct strategy_filter *f)
{
    memset(f, 0, sizeof *f);
    f->on = strategies != NULL && strategies->n > 0;
    for (size_t i = 0; f->on && i < TSR_CONNECTION_STRATEGY_SLOTS; i++)
        f->slot[i] = tsr_strlist_contains(strategies, strategies_known[i]) ? strategies_known[i]
                                                                            : NULL;
}

/* Reads the enabled clients of each of the n connections in list. */
static int read_all_clients(tsr_store *st, struct tsr_connection *list, size_t n)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = read_clients(st, &list[i]);
    return rc;
}

/* Collects q's connections with their lists into *out; frees all on failure. */
static int collect(tsr_store *st, tsr_stmt *q, struct tsr_connection **out, size_t *n)
{
    int rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    if (rc == 0 && (rc = read_all_clients(st, *out, *n)) != 0) {
        tsr_connection_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int tsr_connection_list(tsr_store *st, const char *tenant_id, const struct tsr_strlist *strategies,
                        const char *name, int64_t offset, int64_t limit,
                        struct tsr_connection **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    const char *nm = name ? name : "";
    struct strategy_filter f;
    strategy_filter(strategies, &f);
    int rc = 0;
    tsr_stmt *q = NULL;
    if (total != NULL && (rc = tsr_rows_count(st, total, TSR_Q_CONNECTION_COUNT, tenant_id, f.on,
                                              f.slot[0], nm, nm)) != 0)
        return rc;
    rc = tsr_store_q(st, &q, TSR_Q_CONNECTION_LIST, tenant_id, f.on, f.slot[0], nm, nm, limit,
                     offset);
    return rc != 0 ? rc : collect(st, q, out, n);
}

int tsr_connection_list_after(tsr_store *st, const char *tenant_id,
                              const struct tsr_strlist *strategies, const char *name,
                              const char *after, int64_t limit, struct tsr_connection **out,
                              size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *nm = name ? name : "";
    struct strategy_filter f;
    strategy_filter(strategies, &f);
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_CONNECTION_LIST_AFTER, tenant_id, f.on, f.slot[0], nm, nm,
                         after ? after : "", limit);
    return rc != 0 ? rc : collect(st, q, out, n);
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

/* Writes only the list (and updated_at), so a concurrent PATCH of other fields is not undone. */
static int store_enabled_clients(tsr_store *st, const struct tsr_connection *c)
{
    bool own = false;
    int rc = tsr_store_begin_own(st, &own);
    if (rc == 0)
        rc = write_clients(st, c);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_CONNECTION_TOUCH, tsr_clock_now(), c->tenant_id,
                             c->id);
    return tsr_store_finish_own(st, own, rc);
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

static int all_client_ids(tsr_store *st, const char *tenant_id, struct tsr_strlist *out)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_CONNECTION_CLIENT_IDS, tenant_id);
    if (rc == 0)
        rc = collect_ids(q, out);
    tsr_stmt_finalize(q);
    return rc;
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
