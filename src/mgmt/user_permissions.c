/*
 * user_permissions.c - /api/v2/users/{id}/permissions: the permissions
 * (API scopes) a user holds, each with its sources (given directly, or
 * through roles).  Adding or removing a list (direct grants only) is all or
 * nothing.  Also the permission shapes and body reader roles.c shares.
 */
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/rbac.h"
#include "core/update_refusal.h"
#include "core/user.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/err.h"

#define MAX_PERMISSIONS 100

static const struct tsr_mgmt_prop body_props[] = {
    {"permissions", "List of permissions to add or remove", false},
    {NULL, NULL, false},
};

json_t *tsr_mgmt_permission_json(struct tsr_req *req, const char *audience,
                                 const char *permission)
{
    struct tsr_api api;
    const char *description = "", *api_name = "";
    bool have_api = tsr_api_get_by_identifier(req->store, req->tenant->t.id, audience, &api) == 0;
    for (size_t i = 0; have_api && i < api.nscopes; i++)
        if (strcmp(api.scopes[i].value, permission) == 0)
            description = api.scopes[i].description;
    if (have_api)
        api_name = api.name;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "permission_name", permission, "description",
                          description, "resource_server_name", api_name,
                          "resource_server_identifier", audience);
    if (have_api)
        tsr_api_cleanup(&api);
    return o;
}

/* A user's permission with its sources (NULL when out of memory or on a storage error). */
static json_t *user_permission_json(struct tsr_req *req, const struct tsr_permission *p)
{
    struct tsr_permission_source *src = NULL;
    size_t n = 0;
    if (tsr_rbac_sources(req->store, req->tenant->t.id, tsr_req_param(req, 0), p->audience,
                         p->permission, &src, &n) != 0)
        return NULL;
    json_t *o = tsr_mgmt_permission_json(req, p->audience, p->permission);
    json_t *sources = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *s = src[i].role_id == NULL
                        ? json_pack("{s:s, s:s, s:s}", "source_id", "", "source_name", "",
                                    "source_type", "DIRECT")
                        : json_pack("{s:s, s:s, s:s}", "source_id", src[i].role_id,
                                    "source_name", src[i].role_name, "source_type", "ROLE");
        tsr_mgmt_items_add(&sources, s);
    }
    tsr_permission_source_list_free(src, n);
    if (o == NULL || sources == NULL || json_object_set_new(o, "sources", sources) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void tsr_mgmt_user_permissions_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_permission *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p) || !tsr_mgmt_user_exists(req))
        return;
    int rc = tsr_rbac_list(req->store, req->tenant->t.id, tsr_req_param(req, 0),
                           p.page * p.per_page, p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "permission");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, user_permission_json(req, &list[i]));
    tsr_permission_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "permissions", items, total);
}

json_t *tsr_mgmt_permissions_body(struct tsr_req *req, const json_t **items)
{
    struct tsr_mgmt_reader rd;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return NULL;
    if (!tsr_mgmt_reader_start(&rd, req, body, body_props, NULL) ||
        !tsr_mgmt_require(&rd, "permissions"))
        goto bad;
    const json_t *list = tsr_mgmt_get(&rd, "permissions", JSON_ARRAY);
    if (list == NULL)
        goto bad;
    if (json_array_size(list) == 0 || json_array_size(list) > MAX_PERMISSIONS) {
        tsr_mgmt_fail(&rd, "permissions", "Array must hold 1 to %d items", MAX_PERMISSIONS);
        goto bad;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        const char *aud = json_string_value(json_object_get(item, "resource_server_identifier"));
        const char *name = json_string_value(json_object_get(item, "permission_name"));
        struct tsr_api api;
        if (aud == NULL || name == NULL) {
            tsr_mgmt_fail(&rd, "permissions",
                          "Item %zu needs resource_server_identifier and permission_name", i);
            goto bad;
        }
        if (tsr_api_get_by_identifier(req->store, req->tenant->t.id, aud, &api) != 0) {
            tsr_resp_mgmt_error(req, 404, "inexistent_resource_server",
                                "No resource server found for identifier %.300s", aud);
            goto bad;
        }
        struct tsr_refusal why;
        int rc = tsr_rbac_permission_check(&api, name, &why);
        tsr_api_cleanup(&api);
        if (rc != 0) {
            tsr_mgmt_fail(&rd, why.field, "%s", why.message);
            goto bad;
        }
    }
    *items = list;
    return body;
bad:
    json_decref(body);
    return NULL;
}

void tsr_mgmt_permissions_apply(struct tsr_req *req, const char *holder,
                                tsr_mgmt_permission_step step, unsigned ok_status)
{
    const json_t *items = NULL;
    json_t *body = tsr_mgmt_permissions_body(req, &items);
    if (body == NULL)
        return;
    const char *tid = req->tenant->t.id;
    int rc = tsr_store_begin(req->store);
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item) {
        if (rc != 0)
            break;
        rc = step(req->store, tid, holder,
                  json_string_value(json_object_get(item, "resource_server_identifier")),
                  json_string_value(json_object_get(item, "permission_name")));
    }
    if ((rc = tsr_store_finish(req->store, rc)) != 0)
        tsr_mgmt_send_store_error(req, rc, "permission");
    else
        tsr_resp_empty(req, ok_status);
    json_decref(body);
}

void tsr_mgmt_user_permissions_add(struct tsr_req *req)
{
    if (tsr_mgmt_user_exists(req))
        tsr_mgmt_permissions_apply(req, tsr_req_param(req, 0), tsr_rbac_grant, 201);
}

void tsr_mgmt_user_permissions_remove(struct tsr_req *req)
{
    if (tsr_mgmt_user_exists(req))
        tsr_mgmt_permissions_apply(req, tsr_req_param(req, 0), tsr_rbac_revoke, 204);
}
