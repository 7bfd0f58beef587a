/*
 * roles.c - /api/v2/roles: create, list, read, update and delete roles,
 * the permissions (API scopes) a role holds, and the users it is assigned
 * to, in Auth0's shapes.  Changing a list of permissions or users is all
 * or nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "core/role.h"
#include "core/user.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/etag.h"
#include "mgmt/mgmt.h"
#include "util/err.h"

#define WHAT "role"
#define MAX_USERS 1000
#define USER_ID_MAX 256

static const struct tsr_mgmt_prop role_props[] = {
    {"name", "Name of the role.", false},
    {"description", "Description of the role.", false},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop users_props[] = {
    {"users", "user_id's of the users to assign the role to.", false},
    {NULL, NULL, false},
};

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

static json_t *role_json(const struct tsr_role *r)
{
    return json_pack("{s:s, s:s, s:s}", "id", r->id, "name", r->name, "description",
                     r->description);
}

/* Loads the role named by the path; sends 404 inexistent_role (or 500) otherwise. */
static bool load(struct tsr_req *req, struct tsr_role *r)
{
    int rc = tsr_role_get(req->store, tenant_id(req), tsr_req_param(req, 0), r);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == 0;
}

static bool role_exists(struct tsr_req *req)
{
    struct tsr_role r;
    if (!load(req, &r))
        return false;
    tsr_role_cleanup(&r);
    return true;
}

static void send_saved(struct tsr_req *req, int rc, const struct tsr_role *r)
{
    if (rc == TSR_ECONFLICT)
        tsr_resp_mgmt_error(req, 409, "conflict", "A role with the name %.100s already exists",
                            r->name);
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else
        tsr_resp_json(req, 200, role_json(r));
}

/* Compares the loaded role with If-Match (etag.h), answering 412 or 500. */
static bool matching(struct tsr_req *req, const struct tsr_mgmt_precond *pc,
                     const struct tsr_role *r)
{
    if (pc->if_match == NULL)
        return true;
    json_t *current = role_json(r);
    bool ok = tsr_mgmt_precond_check(req, pc, current);
    json_decref(current);
    return ok;
}

/* Reads name and description into r; sends 400 and returns false on a bad body. */
static bool read_role(struct tsr_req *req, const json_t *body, struct tsr_role *r, bool create)
{
    struct tsr_mgmt_reader rd;
    return tsr_mgmt_reader_start(&rd, req, body, role_props, NULL) &&
           (!create || tsr_mgmt_require(&rd, "name")) &&
           tsr_mgmt_read_string(&rd, "name", 1, TSR_ROLE_NAME_MAX, &r->name) &&
           tsr_mgmt_read_string(&rd, "description", 0, TSR_ROLE_DESCRIPTION_MAX,
                                &r->description);
}

void tsr_mgmt_roles_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_role *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p))
        return;
    int rc = tsr_role_list(req->store, tenant_id(req), tsr_req_query(req, "name_filter"),
                           p.page * p.per_page, p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, role_json(&list[i]));
    tsr_role_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "roles", items, total);
}

void tsr_mgmt_roles_create(struct tsr_req *req)
{
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    struct tsr_role r;
    int rc = tsr_role_init_new(&r, tenant_id(req));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
    } else {
        if (read_role(req, body, &r, true))
            send_saved(req, tsr_role_insert(req->store, &r), &r);
        tsr_role_cleanup(&r);
    }
    json_decref(body);
}

void tsr_mgmt_roles_get(struct tsr_req *req)
{
    struct tsr_role r;
    if (!load(req, &r))
        return;
    tsr_mgmt_send_tagged(req, 200, role_json(&r), true);
    tsr_role_cleanup(&r);
}

void tsr_mgmt_roles_update(struct tsr_req *req)
{
    struct tsr_mgmt_precond pc = {0};
    struct tsr_role r;
    if (!tsr_mgmt_precond_begin(req, &pc))
        return;
    if (!load(req, &r)) {
        tsr_mgmt_precond_end(req, &pc, TSR_ENOTFOUND);
        return;
    }
    json_t *before = role_json(&r);
    json_t *body = tsr_mgmt_body(req);
    if (body != NULL && matching(req, &pc, &r) && read_role(req, body, &r, false)) {
        /* A PATCH that changes nothing writes nothing (a repeated Deploy CLI import). */
        bool same = tsr_mgmt_unchanged(before, role_json(&r));
        int rc = tsr_mgmt_precond_end(req, &pc, same ? 0 : tsr_role_update(req->store, &r));
        if (rc == 0)
            tsr_mgmt_send_tagged(req, 200, role_json(&r), false);
        else
            send_saved(req, rc, &r);
    }
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what a refusal left open */
    json_decref(before);
    json_decref(body);
    tsr_role_cleanup(&r);
}

void tsr_mgmt_roles_delete(struct tsr_req *req)
{
    struct tsr_mgmt_precond pc = {0};
    struct tsr_role r;
    if (!tsr_mgmt_precond_begin(req, &pc))
        return;
    if (pc.if_match != NULL) {
        if (!load(req, &r)) {
            tsr_mgmt_precond_end(req, &pc, TSR_ENOTFOUND);
            return;
        }
        bool ok = matching(req, &pc, &r);
        tsr_role_cleanup(&r);
        if (!ok) {
            tsr_mgmt_precond_end(req, &pc, TSR_EINVAL);
            return;
        }
    }
    int rc = tsr_mgmt_precond_end(
        req, &pc, tsr_role_delete(req->store, tenant_id(req), tsr_req_param(req, 0)));
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else
        tsr_resp_empty(req, 200);
}

/* ---- permissions ---- */

void tsr_mgmt_role_permissions_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_permission *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p) || !role_exists(req))
        return;
    int rc = tsr_role_permissions(req->store, tenant_id(req), tsr_req_param(req, 0),
                                  p.page * p.per_page, p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "permission");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items,
                           tsr_mgmt_permission_json(req, list[i].audience, list[i].permission));
    tsr_permission_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "permissions", items, total);
}

void tsr_mgmt_role_permissions_add(struct tsr_req *req)
{
    if (role_exists(req))
        tsr_mgmt_permissions_apply(req, tsr_req_param(req, 0), tsr_role_permission_add, 201);
}

void tsr_mgmt_role_permissions_remove(struct tsr_req *req)
{
    if (role_exists(req))
        tsr_mgmt_permissions_apply(req, tsr_req_param(req, 0), tsr_role_permission_remove, 200);
}

/* ---- users ---- */

/* {user_id, email, picture, name} of a role member (NULL when out of memory or gone). */
static json_t *member_json(struct tsr_req *req, const char *user_id)
{
    struct tsr_user u;
    if (tsr_user_get(req->store, tenant_id(req), user_id, &u) != 0)
        return NULL;
    json_t *o = json_pack("{s:s, s:s, s:s}", "user_id", u.user_id, "picture",
                          u.picture ? u.picture : "", "name", u.name ? u.name : "");
    if (o != NULL && u.email != NULL && json_object_set_new(o, "email", json_string(u.email)) != 0) {
        json_decref(o);
        o = NULL;
    }
    tsr_user_cleanup(&u);
    return o;
}

static json_t *members_json(struct tsr_req *req, const struct tsr_strlist *ids, size_t n)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < ids->n; i++)
        tsr_mgmt_items_add(&items, member_json(req, ids->v[i]));
    return items;
}

/* from/take: {next?, users} where next is the cursor of the following page. */
static void list_members_checkpoint(struct tsr_req *req)
{
    int64_t take;
    if (!tsr_mgmt_take_read(req, &take))
        return;
    struct tsr_strlist ids = {0};
    const char *from = tsr_req_query(req, "from");
    int rc = tsr_role_users(req->store, tenant_id(req), tsr_req_param(req, 0),
                            from && *from ? from : NULL, 0, take + 1, &ids, NULL);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        return;
    }
    json_t *items = members_json(req, &ids, (size_t)take);
    tsr_mgmt_send_checkpoint(req, "users", items, ids.n > (size_t)take ? ids.v[take - 1] : NULL);
    tsr_strlist_cleanup(&ids);
}

void tsr_mgmt_role_users_list(struct tsr_req *req)
{
    if (!role_exists(req))
        return;
    if (tsr_mgmt_is_checkpoint(req)) {
        list_members_checkpoint(req);
        return;
    }
    struct tsr_mgmt_paging p;
    if (!tsr_mgmt_paging_read(req, &p))
        return;
    struct tsr_strlist ids = {0};
    int64_t total = 0;
    int rc = tsr_role_users(req->store, tenant_id(req), tsr_req_param(req, 0), NULL,
                            p.page * p.per_page, p.per_page, &ids, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        return;
    }
    json_t *items = members_json(req, &ids, ids.n);
    tsr_strlist_cleanup(&ids);
    tsr_mgmt_send_list(req, &p, "users", items, total);
}

void tsr_mgmt_role_users_assign(struct tsr_req *req)
{
    if (!role_exists(req))
        return;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    struct tsr_mgmt_reader rd;
    struct tsr_strlist ids = {0};
    const char *tid = tenant_id(req), *role_id = tsr_req_param(req, 0);
    if (!tsr_mgmt_reader_start(&rd, req, body, users_props, NULL) ||
        !tsr_mgmt_read_ids(&rd, "users", MAX_USERS, USER_ID_MAX, &ids))
        goto done;
    for (size_t i = 0; i < ids.n; i++) {
        struct tsr_user u;
        int rc = tsr_user_get(req->store, tid, ids.v[i], &u);
        if (rc == 0) {
            tsr_user_cleanup(&u);
            continue;
        }
        if (rc == TSR_ENOTFOUND)
            tsr_resp_mgmt_error(req, 404, "inexistent_user", "The user %.256s does not exist.",
                                ids.v[i]);
        else
            tsr_mgmt_send_store_error(req, rc, "user");
        goto done;
    }
    int rc = tsr_store_begin(req->store);
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        rc = tsr_role_assign(req->store, tid, ids.v[i], role_id);
    if ((rc = tsr_store_finish(req->store, rc)) != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
    } else {
        tsr_resp_empty(req, 200);
    }
done:
    tsr_strlist_cleanup(&ids);
    json_decref(body);
}
