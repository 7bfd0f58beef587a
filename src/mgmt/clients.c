/*
 * clients.c - /api/v2/clients: list, create, read, update, delete and
 * rotate-secret.  Reading and writing the JSON is in client_json.c.
 *
 * A client secret is shown exactly twice in its life: in the answer to the
 * create or rotate-secret call that made it.  Only its hash is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/catalog.h"
#include "core/client.h"
#include "core/client_update.h"
#include "core/connection.h"
#include "core/refresh_token.h"
#include "http/response.h"
#include "mgmt/client_json.h"
#include "mgmt/common.h"
#include "mgmt/etag.h"
#include "mgmt/mgmt.h"
#include "mgmt/refusal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define WHAT "client"
#define APP_TYPES_MAX 20

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

static bool is_public(const struct tsr_client *c)
{
    return strcmp(c->token_endpoint_auth_method, "none") == 0;
}

/* Loads the client named by the route, answering 404 or 500 when it cannot. */
static bool load(struct tsr_req *req, struct tsr_client *c)
{
    int rc = tsr_client_get(req->store, tenant_id(req), tsr_req_param(req, 0), c);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == 0;
}

static void send_client(struct tsr_req *req, unsigned status, const struct tsr_client *c,
                        const char *secret)
{
    tsr_resp_json(req, status, tsr_mgmt_client_json(req, c, secret));
}

/* Loads the client and compares it with If-Match (etag.h), answering 404, 412 or 500. */
static bool load_matching(struct tsr_req *req, const struct tsr_mgmt_precond *pc,
                          struct tsr_client *c)
{
    if (!load(req, c))
        return false;
    if (pc->if_match == NULL)
        return true;
    json_t *current = tsr_mgmt_client_json(req, c, NULL);
    bool ok = tsr_mgmt_precond_check(req, pc, current);
    json_decref(current);
    return ok;
}

/*
 * The list filters Auth0 offers: app_type (a comma-separated list),
 * is_first_party, and is_global (Tessera has no global client, so true
 * keeps none).  Sends 400 and returns false on a bad value.
 */
static bool read_filter(struct tsr_req *req, struct tsr_client_filter *f,
                        struct tsr_strlist *types, bool *global)
{
    static const char *const bools[] = {"true", "false", NULL};
    const char *t = tsr_req_query(req, "app_type");
    const char *first = tsr_req_query(req, "is_first_party");
    const char *g = tsr_req_query(req, "is_global");
    const char *bad = (first && !tsr_mgmt_in(first, bools)) ? "is_first_party"
                      : (g && !tsr_mgmt_in(g, bools))       ? "is_global"
                                                            : NULL;
    if (bad != NULL) {
        tsr_mgmt_query_error(req, bad, "true or false",
                             "Expected type boolean but found type string");
        return false;
    }
    for (const char *p = t; p != NULL && *p;) {
        size_t len = strcspn(p, ",");
        char one[64];
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
        if (types->n >= APP_TYPES_MAX || tsr_strlist_push(types, one) != 0) {
            tsr_mgmt_query_error(req, "app_type",
                                 "Optional filter by a comma-separated list of application types",
                                 "Too many application types");
            return false;
        }
        p += len + (p[len] == ',');
    }
    f->app_types = types;
    f->is_first_party = first ? strcmp(first, "true") == 0 : -1;
    *global = g != NULL && strcmp(g, "true") == 0;
    return true;
}

void tsr_mgmt_clients_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_client_filter f;
    struct tsr_strlist types = {0};
    struct tsr_client *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    bool global = false;
    if (!tsr_mgmt_paging_read(req, &p) || !read_filter(req, &f, &types, &global))
        goto out;
    int rc = global ? 0
                    : tsr_client_list(req->store, tenant_id(req), &f, p.page * p.per_page,
                                      p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, tsr_mgmt_client_json(req, &list[i], NULL));
    tsr_client_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "clients", items, total);
out:
    tsr_strlist_cleanup(&types);
}

/* A new application may use every connection at once, as in Auth0. */
static int insert_enabled(struct tsr_req *req, const struct tsr_client *c)
{
    int rc = tsr_store_begin(req->store);
    if (rc != 0)
        return rc;
    rc = tsr_client_insert(req->store, c);
    if (rc == 0)
        rc = tsr_connection_enable_client(req->store, c->tenant_id, c->client_id);
    return tsr_store_finish(req->store, rc);
}

static int delete_disabled(struct tsr_req *req, const struct tsr_client *c)
{
    bool own = false;
    int rc = tsr_store_begin_own(req->store, &own); /* an If-Match write's transaction is open */
    if (rc != 0)
        return rc;
    rc = tsr_connection_disable_client(req->store, c->tenant_id, c->client_id);
    /* No foreign key ties tokens to clients: nothing of this client may outlive it. */
    if (rc == 0)
        rc = tsr_refresh_token_revoke_client(req->store, c->tenant_id, c->client_id);
    if (rc == 0)
        rc = tsr_client_delete(req->store, c->tenant_id, c->client_id);
    return tsr_store_finish_own(req->store, own, rc);
}

void tsr_mgmt_clients_create(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_client c = {0};
    char *secret = NULL;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, tsr_mgmt_client_props, NULL) ||
        !tsr_mgmt_require(&rd, "name"))
        goto out;
    int rc = tsr_client_init_new(&c, tenant_id(req));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    if (!tsr_mgmt_client_apply(&rd, &c, true))
        goto out;
    if (!is_public(&c) && (rc = tsr_client_new_secret(&c, &secret)) != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    if ((rc = insert_enabled(req, &c)) != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    tsr_catalog_changed(req->app, req->store, tenant_id(req));
    send_client(req, 201, &c, secret);
out:
    tsr_wipe_free_str(secret);
    tsr_client_cleanup(&c);
    json_decref(body);
}

/* fields / include_fields select members, as in Auth0 (the Deploy CLI and SDKs send them). */
void tsr_mgmt_clients_get(struct tsr_req *req)
{
    struct tsr_client c = {0};
    if (!tsr_mgmt_fields_check(req)) /* a bad query answers 400 whatever the id */
        return;
    if (load(req, &c))
        tsr_mgmt_send_tagged(req, 200, tsr_mgmt_client_json(req, &c, NULL), true);
    tsr_client_cleanup(&c);
}

/*
 * Writes the client and, when revoke is set, revokes the refresh tokens
 * issued to it, as one transaction (a new secret or a switch to a public
 * client leaves nothing issued under the old credentials alive).
 */
static int update_revoking(struct tsr_req *req, const struct tsr_client *c, bool revoke)
{
    bool own = false;
    int rc = tsr_store_begin_own(req->store, &own); /* an If-Match write's transaction is open */
    if (rc != 0)
        return rc;
    rc = tsr_client_update(req->store, c);
    if (rc == 0 && revoke)
        rc = tsr_refresh_token_revoke_client(req->store, c->tenant_id, c->client_id);
    return tsr_store_finish_own(req->store, own, rc);
}

void tsr_mgmt_clients_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_mgmt_precond pc = {0};
    struct tsr_client c = {0};
    json_t *before = NULL;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, tsr_mgmt_client_props, NULL) ||
        !tsr_mgmt_precond_begin(req, &pc) || !load_matching(req, &pc, &c))
        goto out;
    struct tsr_refusal why;
    int rc = tsr_client_may_change(&c, &why);
    if (rc != 0) {
        tsr_mgmt_send_refusal(req, rc, &why, tsr_mgmt_client_props, NULL);
        goto out;
    }
    char old_method[32];
    snprintf(old_method, sizeof old_method, "%s", c.token_endpoint_auth_method);
    before = tsr_mgmt_client_json(req, &c, NULL);
    if (!tsr_mgmt_client_apply(&rd, &c, false))
        goto out;
    rc = tsr_client_settle_secret(&c);
    /* A PATCH that changes nothing writes nothing (a repeated Deploy CLI import). */
    bool same = rc == 0 && tsr_mgmt_unchanged(before, tsr_mgmt_client_json(req, &c, NULL));
    if (!same)
        c.updated_at = tsr_clock_now();
    if (rc == 0 && !same)
        rc = update_revoking(
            req, &c, tsr_client_method_change_revokes(old_method, c.token_endpoint_auth_method));
    rc = tsr_mgmt_precond_end(req, &pc, rc);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    if (!same)
        tsr_catalog_changed(req->app, req->store, tenant_id(req));
    tsr_mgmt_send_tagged(req, 200, tsr_mgmt_client_json(req, &c, NULL), false);
out:
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what an early exit left open */
    json_decref(before);
    tsr_client_cleanup(&c);
    json_decref(body);
}

void tsr_mgmt_clients_delete(struct tsr_req *req)
{
    struct tsr_mgmt_precond pc = {0};
    struct tsr_client c = {0};
    if (!tsr_mgmt_precond_begin(req, &pc) || !load_matching(req, &pc, &c))
        goto out;
    struct tsr_refusal why;
    int rc = tsr_client_may_delete(&c, &why);
    if (rc != 0) {
        tsr_mgmt_send_refusal(req, rc, &why, tsr_mgmt_client_props, NULL);
        goto out;
    }
    rc = tsr_mgmt_precond_end(req, &pc, delete_disabled(req, &c));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
    } else {
        tsr_catalog_changed(req->app, req->store, tenant_id(req));
        tsr_resp_empty(req, 204);
    }
out:
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what an early exit left open */
    tsr_client_cleanup(&c);
}

void tsr_mgmt_clients_rotate_secret(struct tsr_req *req)
{
    struct tsr_client c = {0};
    char *secret = NULL;
    if (!load(req, &c))
        goto out;
    struct tsr_refusal why;
    int rc = tsr_client_may_rotate_secret(&c, &why);
    if (rc != 0) {
        tsr_mgmt_send_refusal(req, rc, &why, tsr_mgmt_client_props, NULL);
        goto out;
    }
    /* The update replaces the hash, so the old secret stops working with this write. */
    rc = tsr_client_new_secret(&c, &secret);
    c.updated_at = tsr_clock_now();
    if (rc == 0)
        rc = update_revoking(req, &c, true);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    tsr_catalog_changed(req->app, req->store, tenant_id(req));
    send_client(req, 200, &c, secret);
out:
    tsr_wipe_free_str(secret);
    tsr_client_cleanup(&c);
}
