/*
 * user_blocks.c - /api/v2/user-blocks: the addresses brute-force
 * protection has locked out of a user's login names (core/lockout.h), and
 * releasing them.  By user (/user-blocks/{id}: the user's email and
 * username) or by a login name (?identifier=).  Blocks an administrator
 * set (PATCH /users/{id} blocked) are not these.
 */
#include <string.h>

#include "core/connection.h"
#include "core/lockout.h"
#include "core/user.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/err.h"

#define IDENTIFIER_MAX 320

/* The login names of a user: email and username, when set. */
struct names {
    const char *v[2];
    size_t n;
};

static void user_names(const struct tsr_user *u, struct names *out)
{
    out->n = 0;
    if (u->email != NULL && u->email[0] != '\0')
        out->v[out->n++] = u->email;
    if (u->username != NULL && u->username[0] != '\0')
        out->v[out->n++] = u->username;
}

/* Loads the user of the path and whether its connection enforces the lockout. */
static bool load_user(struct tsr_req *req, struct tsr_user *u, bool *protected)
{
    const char *tid = req->tenant->t.id;
    int rc = tsr_user_get(req->store, tid, tsr_req_param(req, 0), u);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        return false;
    }
    struct tsr_connection c = {0};
    *protected = tsr_connection_get(req->store, tid, u->connection_id, &c) == 0 &&
                 c.brute_force_protection;
    tsr_connection_cleanup(&c);
    return true;
}

/* The ?identifier= of the by-name forms; sends 400 and returns NULL when missing. */
static const char *identifier_arg(struct tsr_req *req)
{
    const char *id = tsr_req_query(req, "identifier");
    if (id != NULL && id[0] != '\0' && strlen(id) <= IDENTIFIER_MAX)
        return id;
    tsr_mgmt_query_error(req, "identifier",
                         "Should be any of a username, phone number, or email.",
                         "Missing required property: identifier");
    return NULL;
}

/* Sends {"blocked_for": [{identifier, ip, connection}]} for the names. */
static void send_blocks(struct tsr_req *req, const struct names *names)
{
    json_t *items = json_array();
    for (size_t i = 0; i < names->n && items != NULL; i++) {
        struct tsr_lockout_block *list = NULL;
        size_t n = 0;
        int rc = tsr_lockout_blocks(req->store, &req->tenant->limits, req->tenant->t.id,
                                    names->v[i], &list, &n);
        if (rc != 0) {
            json_decref(items);
            tsr_mgmt_send_store_error(req, rc, "user_block");
            return;
        }
        for (size_t j = 0; j < n; j++)
            tsr_mgmt_items_add(&items, json_pack("{s:s, s:s, s:s}", "identifier", names->v[i],
                                                 "ip", list[j].ip, "connection",
                                                 list[j].connection));
        tsr_lockout_blocks_free(list, n);
    }
    tsr_resp_json(req, 200, items ? json_pack("{s:o}", "blocked_for", items) : NULL);
}

/* Releases every block of the names and of the user (core/lockout.h). */
static void release(struct tsr_req *req, const struct names *names, const char *user_id)
{
    if (tsr_lockout_release(tsr_req_who(req), user_id, names->v, names->n,
                            "User block released") != 0) {
        tsr_resp_mgmt_error(req, 500, "internal_error", "Cannot release the blocks");
        return;
    }
    tsr_resp_empty(req, 204);
}

void tsr_mgmt_user_blocks_get(struct tsr_req *req)
{
    struct tsr_user u = {0};
    bool protected = false;
    if (load_user(req, &u, &protected)) {
        struct names names;
        user_names(&u, &names);
        if (!protected)
            names.n = 0; /* nothing is enforced on that connection */
        send_blocks(req, &names);
    }
    tsr_user_cleanup(&u);
}

void tsr_mgmt_user_blocks_delete(struct tsr_req *req)
{
    struct tsr_user u = {0};
    bool protected = false;
    if (load_user(req, &u, &protected)) {
        struct names names;
        user_names(&u, &names);
        release(req, &names, u.user_id);
    }
    tsr_user_cleanup(&u);
}

void tsr_mgmt_user_blocks_get_by_identifier(struct tsr_req *req)
{
    const char *id = identifier_arg(req);
    if (id != NULL) {
        struct names names = {{id}, 1};
        send_blocks(req, &names);
    }
}

void tsr_mgmt_user_blocks_delete_by_identifier(struct tsr_req *req)
{
    const char *id = identifier_arg(req);
    if (id != NULL) {
        struct names names = {{id}, 1};
        release(req, &names, NULL);
    }
}
