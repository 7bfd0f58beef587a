/*
 * users.c - /api/v2/users and /api/v2/users-by-email: list and search,
 * create, read, update and delete database users in Auth0's JSON shape.
 * Reading a user body is in user_body.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/connection.h"
#include "core/lockout.h"
#include "core/mail.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/etag.h"
#include "mgmt/mgmt.h"
#include "mgmt/user_body.h"
#include "mgmt/user_query.h"
#include "util/clock.h"
#include "util/err.h"

/* Auth0 lets a search page through its first 1000 results only. */
#define SEARCH_WINDOW 1000
#define BY_EMAIL_MAX 100

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

/* The tenant's connections, to name each user's connection in its identities. */
struct conn_names {
    struct tsr_connection *list;
    size_t n;
};

static int conn_names_load(struct tsr_req *req, struct conn_names *cn)
{
    return tsr_connection_list(req->store, tenant_id(req), NULL, NULL, 0, INT64_MAX, &cn->list,
                               &cn->n, NULL);
}

static const char *conn_name(const struct conn_names *cn, const char *id)
{
    for (size_t i = 0; i < cn->n; i++)
        if (strcmp(cn->list[i].id, id) == 0)
            return cn->list[i].name;
    return "";
}

/* The users as a JSON array (NULL when out of memory or the connections cannot be read). */
static json_t *users_json(struct tsr_req *req, const struct tsr_user *users, size_t n)
{
    struct conn_names cn = {0};
    if (conn_names_load(req, &cn) != 0)
        return NULL;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items,
                           tsr_user_to_json(&users[i], conn_name(&cn, users[i].connection_id)));
    tsr_connection_list_free(cn.list, cn.n);
    return items;
}

/* user_id:... is a lookup by key: zero or one result. */
static void list_by_id(struct tsr_req *req, const struct tsr_mgmt_paging *p, const char *id)
{
    struct tsr_user u = {0};
    int rc = tsr_user_get(req->store, tenant_id(req), id, &u);
    if (rc != 0 && rc != TSR_ENOTFOUND) {
        tsr_mgmt_send_store_error(req, rc, "user");
        return;
    }
    size_t n = (rc == 0 && p->page == 0) ? 1 : 0;
    tsr_mgmt_send_list(req, p, "users", users_json(req, &u, n), rc == 0 ? 1 : 0);
    tsr_user_cleanup(&u);
}

void tsr_mgmt_users_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_mgmt_user_query uq = {0};
    struct tsr_user *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p) || !tsr_mgmt_user_query_read(req, &uq))
        goto out;
    if (p.page * p.per_page + p.per_page > SEARCH_WINDOW) {
        tsr_resp_mgmt_error(req, 400, "invalid_paging",
                            "You can only page through the first %d records.", SEARCH_WINDOW);
        goto out;
    }
    if (uq.user_id != NULL) {
        list_by_id(req, &p, uq.user_id);
        goto out;
    }
    int rc = tsr_user_search(req->store, tenant_id(req), &uq.filter, uq.sort, uq.ascending,
                             p.page * p.per_page, p.per_page, &list, &n, &total);
    if (rc == TSR_EINVAL) {
        tsr_mgmt_query_error(req, "q", "Query in Lucene query string syntax",
                             "A value is too long");
        goto out;
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        goto out;
    }
    json_t *items = users_json(req, list, n);
    tsr_user_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "users", items, total);
out:
    tsr_mgmt_user_query_cleanup(&uq);
}

/* Auth0 stores emails lowercased, so the match ignores case. */
void tsr_mgmt_users_by_email(struct tsr_req *req)
{
    const char *email = tsr_req_query(req, "email");
    struct tsr_user *list = NULL;
    size_t n = 0;
    if (email == NULL || email[0] == '\0') {
        tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                            "Query validation error: 'Missing required property: email'.");
        return;
    }
    if (strlen(email) > TSR_MAIL_ADDRESS_MAX) {
        tsr_resp_json(req, 200, json_array());
        return;
    }
    int rc =
        tsr_user_list(req->store, tenant_id(req), email, NULL, 0, BY_EMAIL_MAX, &list, &n, NULL);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        return;
    }
    tsr_resp_json(req, 200, users_json(req, list, n));
    tsr_user_list_free(list, n);
}

static void send_user(struct tsr_req *req, unsigned status, const struct tsr_user *u,
                      const char *connection_name)
{
    tsr_resp_json(req, status, tsr_user_to_json(u, connection_name));
}

/* Compares the loaded user with If-Match (etag.h), answering 412 or 500. */
static bool matching(struct tsr_req *req, const struct tsr_mgmt_precond *pc,
                     const struct tsr_user *u, const struct tsr_connection *c)
{
    if (pc->if_match == NULL)
        return true;
    json_t *current = tsr_user_to_json(u, c->name);
    bool ok = tsr_mgmt_precond_check(req, pc, current);
    json_decref(current);
    return ok;
}

static void send_user_missing(struct tsr_req *req)
{
    tsr_resp_mgmt_error(req, 404, "inexistent_user", "The user does not exist.");
}

bool tsr_mgmt_user_exists(struct tsr_req *req)
{
    struct tsr_user u;
    int rc = tsr_user_get(req->store, tenant_id(req), tsr_req_param(req, 0), &u);
    if (rc == 0)
        tsr_user_cleanup(&u);
    else if (rc == TSR_ENOTFOUND)
        send_user_missing(req);
    else
        tsr_mgmt_send_store_error(req, rc, "user");
    return rc == 0;
}

static bool load(struct tsr_req *req, struct tsr_user *u, struct tsr_connection *c)
{
    int rc = tsr_user_get(req->store, tenant_id(req), tsr_req_param(req, 0), u);
    if (rc == 0)
        rc = tsr_connection_get(req->store, tenant_id(req), u->connection_id, c);
    if (rc == TSR_ENOTFOUND)
        send_user_missing(req);
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, "user");
    return rc == 0;
}

/* fields / include_fields select members, as in Auth0. */
void tsr_mgmt_users_get(struct tsr_req *req)
{
    struct tsr_user u = {0};
    struct tsr_connection c = {0};
    if (!tsr_mgmt_fields_check(req)) /* a bad query answers 400 whatever the id */
        return;
    if (load(req, &u, &c))
        tsr_mgmt_send_tagged(req, 200, tsr_user_to_json(&u, c.name), true);
    tsr_user_cleanup(&u);
    tsr_connection_cleanup(&c);
}

void tsr_mgmt_users_create(struct tsr_req *req)
{
    struct tsr_user u = {0};
    struct tsr_connection c = {0};
    bool verify_email = false;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_user_read_new(req, body, &c, &u, &verify_email))
        goto out;
    int rc = tsr_user_insert(req->store, &u);
    if (rc == TSR_ECONFLICT) {
        tsr_resp_mgmt_error(req, 409, "auth0_idp_error", "The user already exists.");
        goto out;
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        goto out;
    }
    if (verify_email)
        tsr_ticket_send_welcome(tsr_req_who(req), &u, NULL);
    send_user(req, 201, &u, c.name);
out:
    tsr_user_cleanup(&u);
    tsr_connection_cleanup(&c);
    json_decref(body);
}

/*
 * Writes the change and, for a user who just got blocked or whose password
 * was set, ends their sessions and revokes their tokens (as the reset page
 * does), as one transaction; a new password also releases the account's
 * brute-force blocks (core/lockout.h), which its owner cannot otherwise
 * end while someone keeps guessing.
 */
static int store_update(struct tsr_req *req, const struct tsr_user *u, bool end_sessions,
                        bool password_set)
{
    bool own = false;
    int rc = tsr_store_begin_own(req->store, &own); /* an If-Match write's transaction is open */
    if (rc != 0)
        return rc;
    rc = tsr_user_update(req->store, u);
    if (rc == 0 && end_sessions)
        rc = tsr_user_end_sessions(req->store, u->tenant_id, u->user_id);
    if (rc == 0 && password_set)
        rc = tsr_lockout_release_user(tsr_req_who(req), u, "User block released by a new password");
    return tsr_store_finish_own(req->store, own, rc);
}

/*
 * Checks a PATCH body with a new password and hashes the password, before
 * any transaction: argon2id takes a good part of a second, which an
 * If-Match write must not spend holding the database's write lock.  *rest
 * is the body without the password, to read again inside the transaction;
 * *hash its hash.  Sends the answer and returns false on a refusal.
 */
static bool hash_first(struct tsr_req *req, const json_t *body, json_t **rest, char **hash)
{
    struct tsr_user u = {0};
    struct tsr_connection c = {0};
    bool ok = load(req, &u, &c) && tsr_mgmt_user_read_patch(req, body, &c, &u);
    if (ok) {
        *hash = u.password_hash;
        u.password_hash = NULL;
        *rest = json_deep_copy(body);
        ok = *rest != NULL && json_object_del(*rest, "password") == 0;
        if (!ok)
            tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
    }
    tsr_user_cleanup(&u);
    tsr_connection_cleanup(&c);
    return ok;
}

void tsr_mgmt_users_update(struct tsr_req *req)
{
    struct tsr_mgmt_precond pc = {0};
    struct tsr_user u = {0};
    struct tsr_connection c = {0};
    json_t *rest = NULL;
    char *hash = NULL;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    bool password_set = json_object_get(body, "password") != NULL;
    if (!tsr_mgmt_user_patch_allowed(req, body) ||
        (password_set && !hash_first(req, body, &rest, &hash)) ||
        !tsr_mgmt_precond_begin(req, &pc) || !load(req, &u, &c) || !matching(req, &pc, &u, &c))
        goto out;
    bool was_blocked = u.blocked;
    if (!tsr_mgmt_user_read_patch(req, rest != NULL ? rest : body, &c, &u))
        goto out;
    if (hash != NULL) {
        free(u.password_hash);
        u.password_hash = hash;
        hash = NULL;
    }
    u.updated_at = tsr_clock_now();
    int rc = tsr_mgmt_precond_end(
        req, &pc, store_update(req, &u, (u.blocked && !was_blocked) || password_set, password_set));
    if (rc == TSR_ECONFLICT) {
        tsr_resp_mgmt_error(req, 409, "auth0_idp_error", "The user already exists.");
        goto out;
    }
    if (rc == TSR_ENOTFOUND) {
        send_user_missing(req);
        goto out;
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        goto out;
    }
    tsr_mgmt_send_tagged(req, 200, tsr_user_to_json(&u, c.name), false);
out:
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what an early exit left open */
    tsr_user_cleanup(&u);
    tsr_connection_cleanup(&c);
    free(hash);
    json_decref(rest);
    json_decref(body);
}

/*
 * Sessions, tokens and consents go by cascade.  Deleting a user that does
 * not exist also answers 204, as Auth0 does: the result is the same.
 */
void tsr_mgmt_users_delete(struct tsr_req *req)
{
    struct tsr_mgmt_precond pc = {0};
    struct tsr_user u = {0};
    struct tsr_connection c = {0};
    if (!tsr_mgmt_precond_begin(req, &pc))
        return;
    if (pc.if_match != NULL) {
        /* With If-Match a missing user is a 404, not Auth0's quiet 204: the tag matches nothing. */
        bool ok = load(req, &u, &c) && matching(req, &pc, &u, &c);
        tsr_user_cleanup(&u);
        tsr_connection_cleanup(&c);
        if (!ok) {
            tsr_mgmt_precond_end(req, &pc, TSR_EINVAL);
            return;
        }
    }
    int rc = tsr_mgmt_precond_end(
        req, &pc, tsr_user_delete(req->store, tenant_id(req), tsr_req_param(req, 0)));
    if (rc != 0 && rc != TSR_ENOTFOUND)
        tsr_mgmt_send_store_error(req, rc, "user");
    else
        tsr_resp_empty(req, 204);
}
