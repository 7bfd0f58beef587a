/*
 * user_roles.c - /api/v2/users/{id}/roles: the roles assigned to a user.
 * Assigning or removing a list is all or nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "core/role.h"
#include "core/user.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/err.h"

#define MAX_ROLES 100
#define ROLE_ID_MAX 64

static const struct tsr_mgmt_prop body_props[] = {
    {"roles", "List of roles IDs to associated with the user.", false},
    {NULL, NULL, false},
};

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

void tsr_mgmt_user_roles_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_role *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p) || !tsr_mgmt_user_exists(req))
        return;
    int rc = tsr_role_user_roles(req->store, tenant_id(req), tsr_req_param(req, 0),
                                 p.page * p.per_page, p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "role");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, json_pack("{s:s, s:s, s:s}", "id", list[i].id, "name",
                                             list[i].name, "description", list[i].description));
    tsr_role_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "roles", items, total);
}

/* Assigns (add = true) or removes every listed role in one transaction. */
static void change(struct tsr_req *req, bool add)
{
    if (!tsr_mgmt_user_exists(req))
        return;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    struct tsr_mgmt_reader rd;
    struct tsr_strlist ids = {0};
    const char *tid = tenant_id(req), *user_id = tsr_req_param(req, 0);
    if (!tsr_mgmt_reader_start(&rd, req, body, body_props, NULL) ||
        !tsr_mgmt_read_ids(&rd, "roles", MAX_ROLES, ROLE_ID_MAX, &ids))
        goto done;
    for (size_t i = 0; i < ids.n; i++) {
        struct tsr_role r;
        int rc = tsr_role_get(req->store, tid, ids.v[i], &r);
        if (rc == 0) {
            tsr_role_cleanup(&r);
            continue;
        }
        if (rc == TSR_ENOTFOUND)
            tsr_resp_mgmt_error(req, 404, "inexistent_role", "The role %.64s does not exist.",
                                ids.v[i]);
        else
            tsr_mgmt_send_store_error(req, rc, "role");
        goto done;
    }
    int rc = tsr_store_begin(req->store);
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        rc = add ? tsr_role_assign(req->store, tid, user_id, ids.v[i])
                 : tsr_role_unassign(req->store, tid, user_id, ids.v[i]);
    if ((rc = tsr_store_finish(req->store, rc)) != 0) {
        tsr_mgmt_send_store_error(req, rc, "role");
    } else {
        tsr_resp_empty(req, 204);
    }
done:
    tsr_strlist_cleanup(&ids);
    json_decref(body);
}

void tsr_mgmt_user_roles_assign(struct tsr_req *req)
{
    change(req, true);
}

void tsr_mgmt_user_roles_remove(struct tsr_req *req)
{
    change(req, false);
}
