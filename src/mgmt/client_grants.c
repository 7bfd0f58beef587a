/*
 * client_grants.c - /api/v2/client-grants: which client may get tokens for
 * which API through client credentials, and with which of the API's scopes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/app.h"
#include "core/catalog.h"
#include "core/client.h"
#include "core/grant.h"
#include "core/update_refusal.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/clock.h"
#include "util/err.h"

#define WHAT "client_grant"

/*
 * organization_usage and allow_any_organization are Auth0 organization
 * settings that Deploy CLI exports carry; Tessera has no organizations
 * yet, so they are accepted and dropped.
 */
static const struct tsr_mgmt_prop create_props[] = {
    {"client_id", "ID of the client", false},
    {"audience", "The audience (API identifier) of this client grant", false},
    {"scope", "Scopes allowed for this client grant", false},
    {"organization_usage", NULL, true},
    {"allow_any_organization", NULL, true},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop update_props[] = {
    {"scope", "Scopes allowed for this client grant", false},
    {"organization_usage", NULL, true},
    {"allow_any_organization", NULL, true},
    {NULL, NULL, false},
};

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

static json_t *grant_json(const struct tsr_grant *g)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "id", g->id, "client_id", g->client_id, "audience",
                     g->audience, "scope", tsr_strlist_to_json(&g->scope));
}

/* Every scope must be one the API defines (core/grant.h). */
static bool check_scopes(struct tsr_mgmt_reader *rd, const struct tsr_api *a,
                         const struct tsr_strlist *scope)
{
    struct tsr_refusal why;
    if (tsr_grant_scopes_check(a, scope, &why) != 0)
        return tsr_mgmt_fail(rd, why.field, "%s", why.message);
    return true;
}

/* Loads the API a grant names; 404 in Auth0's words when there is none. */
static bool load_api(struct tsr_req *req, const char *audience, struct tsr_api *a)
{
    int rc = tsr_api_get_by_identifier(req->store, tenant_id(req), audience, a);
    if (rc == TSR_ENOTFOUND)
        tsr_resp_mgmt_error(req, 404, "inexistent_resource_server",
                            "No resource server found for audience %.600s", audience);
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == 0;
}

static bool client_exists(struct tsr_req *req, const char *client_id)
{
    struct tsr_client c = {0};
    int rc = tsr_client_get(req->store, tenant_id(req), client_id, &c);
    tsr_client_cleanup(&c);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, "client");
    return rc == 0;
}

static void send_duplicate(struct tsr_req *req)
{
    tsr_resp_mgmt_error(req, 409, "conflict",
                        "A client grant for this client and audience already exists");
}

/* No grant for the pair yet (else answers 409 or 500). */
static bool pair_free(struct tsr_req *req, const struct tsr_grant *g)
{
    struct tsr_grant old = {0};
    int rc = tsr_grant_find(req->store, tenant_id(req), g->client_id, g->audience, &old);
    tsr_grant_cleanup(&old);
    if (rc == 0)
        send_duplicate(req);
    else if (rc != TSR_ENOTFOUND)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == TSR_ENOTFOUND;
}

static bool read_create(struct tsr_mgmt_reader *rd, struct tsr_grant *g)
{
    return tsr_mgmt_require(rd, "client_id") && tsr_mgmt_require(rd, "audience") &&
           tsr_mgmt_require(rd, "scope") &&
           tsr_mgmt_read_string(rd, "client_id", 1, TSR_GRANT_CLIENT_ID_MAX, &g->client_id) &&
           tsr_mgmt_read_string(rd, "audience", 1, TSR_GRANT_AUDIENCE_MAX, &g->audience) &&
           tsr_mgmt_read_strlist(rd, "scope", TSR_GRANT_SCOPES_MAX, TSR_GRANT_SCOPE_MAX, NULL,
                                 &g->scope);
}

void tsr_mgmt_grants_create(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_grant g = {0};
    struct tsr_api a = {0};
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, create_props, NULL))
        goto out;
    int rc = tsr_grant_init_new(&g, tenant_id(req));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    if (!read_create(&rd, &g) || !client_exists(req, g.client_id) ||
        !load_api(req, g.audience, &a) || !check_scopes(&rd, &a, &g.scope) || !pair_free(req, &g))
        goto out;
    rc = tsr_grant_insert(req->store, &g);
    if (rc == TSR_ECONFLICT)
        send_duplicate(req);
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else {
        tsr_catalog_changed(req->app, req->store, tenant_id(req));
        tsr_resp_json(req, 201, grant_json(&g));
    }
out:
    tsr_api_cleanup(&a);
    tsr_grant_cleanup(&g);
    json_decref(body);
}

/* from/take: take of the grants after from, as {client_grants, next?}. */
static void list_checkpoint(struct tsr_req *req)
{
    int64_t take;
    if (!tsr_mgmt_take_read(req, &take))
        return;
    struct tsr_grant *list = NULL;
    size_t n = 0;
    int rc = tsr_grant_list_after(req->store, tenant_id(req), tsr_req_query(req, "audience"),
                                  tsr_req_query(req, "client_id"), tsr_req_query(req, "from"),
                                  take + 1, &list, &n);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)take; i++)
        tsr_mgmt_items_add(&items, grant_json(&list[i]));
    tsr_mgmt_send_checkpoint(req, "client_grants", items,
                             n > (size_t)take ? list[take - 1].id : NULL);
    tsr_grant_list_free(list, n);
}

void tsr_mgmt_grants_list(struct tsr_req *req)
{
    if (tsr_mgmt_is_checkpoint(req)) {
        list_checkpoint(req);
        return;
    }
    struct tsr_mgmt_paging p;
    struct tsr_grant *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p))
        return;
    int rc = tsr_grant_list(req->store, tenant_id(req), tsr_req_query(req, "audience"),
                            tsr_req_query(req, "client_id"), p.page * p.per_page, p.per_page, &list,
                            &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, grant_json(&list[i]));
    tsr_grant_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "client_grants", items, total);
}

static bool load(struct tsr_req *req, struct tsr_grant *g)
{
    int rc = tsr_grant_get(req->store, tenant_id(req), tsr_req_param(req, 0), g);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == 0;
}

void tsr_mgmt_grants_get(struct tsr_req *req)
{
    struct tsr_grant g = {0};
    if (load(req, &g))
        tsr_mgmt_send_item(req, grant_json(&g));
    tsr_grant_cleanup(&g);
}

void tsr_mgmt_grants_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_grant g = {0};
    struct tsr_api a = {0};
    json_t *before = NULL;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, update_props, NULL) || !load(req, &g))
        goto out;
    before = grant_json(&g);
    /* Only new scopes are checked: an API may have dropped one the grant still holds. */
    if (tsr_mgmt_has(&rd, "scope") &&
        (!tsr_mgmt_read_strlist(&rd, "scope", TSR_GRANT_SCOPES_MAX, TSR_GRANT_SCOPE_MAX, NULL,
                                &g.scope) ||
         !load_api(req, g.audience, &a) || !check_scopes(&rd, &a, &g.scope)))
        goto out;
    /* A PATCH that changes nothing writes nothing (a repeated Deploy CLI import). */
    bool same = tsr_mgmt_unchanged(before, grant_json(&g));
    if (!same)
        g.updated_at = tsr_clock_now();
    int rc = same ? 0 : tsr_grant_update(req->store, &g);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else {
        if (!same)
            tsr_catalog_changed(req->app, req->store, tenant_id(req));
        tsr_resp_json(req, 200, grant_json(&g));
    }
out:
    json_decref(before);
    tsr_api_cleanup(&a);
    tsr_grant_cleanup(&g);
    json_decref(body);
}

void tsr_mgmt_grants_delete(struct tsr_req *req)
{
    int rc = tsr_grant_delete(req->store, tenant_id(req), tsr_req_param(req, 0));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
    } else {
        tsr_catalog_changed(req->app, req->store, tenant_id(req));
        tsr_resp_empty(req, 204);
    }
}
