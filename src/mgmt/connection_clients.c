/*
 * connection_clients.c - /api/v2/connections/{id}/clients: the clients a
 * connection is enabled for, as Auth0 lists and changes them apart from the
 * connection (the Deploy CLI reads and writes enabled clients only here).
 *
 *   GET   ?take=N&from=...  {"clients":[{"client_id":"..."}], "next"?}: take
 *                           (1..100, 50) client ids after the cursor from,
 *                           by client id, so a cursor stays valid whatever
 *                           is enabled or disabled meanwhile
 *   PATCH [{"client_id":"...","status":true|false}, ...] (at most 50) -> 204;
 *         a change that changes nothing writes nothing.  The read, the
 *         checks and the write are one transaction, so two PATCHes at once
 *         never lose one another's change.
 */
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/connection.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/clock.h"
#include "util/err.h"

#define WHAT "connection"
#define PATCH_MAX 50 /* Auth0's limit per request */
#define ENABLED_CLIENTS_MAX 1000

static bool load(struct tsr_req *req, struct tsr_connection *c)
{
    int rc = tsr_connection_get(req->store, req->tenant->t.id, tsr_req_param(req, 0), c);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == 0;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void tsr_mgmt_connection_clients_get(struct tsr_req *req)
{
    int64_t take = 0;
    struct tsr_connection c = {0};
    if (!tsr_mgmt_take_read(req, &take) || !load(req, &c))
        goto out;
    const char *from = tsr_req_query(req, "from");
    char **ids = c.enabled_clients.v;
    size_t n = c.enabled_clients.n, start = 0, sent = 0;
    if (n > 0)
        qsort(ids, n, sizeof *ids, by_id);
    while (from != NULL && start < n && strcmp(ids[start], from) <= 0)
        start++;
    json_t *items = json_array();
    for (size_t i = start; items != NULL && i < n && sent < (size_t)take; i++, sent++)
        tsr_mgmt_items_add(&items, json_pack("{s:s}", "client_id", ids[i]));
    if (items == NULL) {
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
        goto out;
    }
    tsr_mgmt_send_checkpoint(req, "clients", items,
                             start + sent < n ? ids[start + sent - 1] : NULL);
out:
    tsr_connection_cleanup(&c);
}

static void bad(struct tsr_req *req, size_t i, const char *what)
{
    tsr_resp_mgmt_error(req, 400, "invalid_body",
                        "Payload validation error: '%s' on property [%zu].", what, i);
}

/* Removes s from l when present; true when it was. */
static bool strlist_remove(struct tsr_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], s) == 0) {
            free(l->v[i]);
            memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof l->v[0]);
            l->n--;
            return true;
        }
    }
    return false;
}

/* Checks every item first, so a refused body changes nothing. */
static bool check_items(struct tsr_req *req, const json_t *arr, const char *tenant)
{
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        const char *id = json_string_value(json_object_get(it, "client_id"));
        if (!json_is_object(it) || id == NULL || strlen(id) == 0 || strlen(id) > 64) {
            bad(req, i, "Missing required property: client_id");
            return false;
        }
        if (!json_is_boolean(json_object_get(it, "status"))) {
            bad(req, i, "Missing required property: status");
            return false;
        }
        if (json_object_size(it) != 2) {
            bad(req, i, "Additional properties not allowed");
            return false;
        }
        struct tsr_client cl = {0};
        int rc = tsr_client_get(req->store, tenant, id, &cl);
        tsr_client_cleanup(&cl);
        if (rc == TSR_ENOTFOUND) {
            tsr_resp_mgmt_error(req, 404, "inexistent_client", "The client %.64s does not exist",
                                id);
            return false;
        }
        if (rc != 0) {
            tsr_mgmt_send_store_error(req, rc, WHAT);
            return false;
        }
    }
    return true;
}

void tsr_mgmt_connection_clients_update(struct tsr_req *req)
{
    struct tsr_connection c = {0};
    json_t *arr = NULL;
    bool began = false;
    if (!tsr_req_is_content_type(req, "application/json")) {
        tsr_resp_mgmt_error(req, 400, "invalid_body", "Content-Type must be application/json");
        return;
    }
    arr = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > PATCH_MAX) {
        tsr_resp_mgmt_error(req, 400, "invalid_body",
                            "Payload validation error: the body must be an array of 1 to %d "
                            "{client_id, status} objects",
                            PATCH_MAX);
        goto out;
    }
    int rc = tsr_store_begin(req->store);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    began = true;
    if (!load(req, &c) || !check_items(req, arr, c.tenant_id))
        goto out;
    bool changed = false;
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        const char *id = json_string_value(json_object_get(it, "client_id"));
        bool on = json_is_true(json_object_get(it, "status"));
        if (!on)
            changed |= strlist_remove(&c.enabled_clients, id);
        else if (!tsr_strlist_contains(&c.enabled_clients, id)) {
            if (c.enabled_clients.n >= ENABLED_CLIENTS_MAX) {
                bad(req, i, "Too many enabled clients");
                goto out;
            }
            if ((rc = tsr_strlist_push(&c.enabled_clients, id)) != 0)
                break;
            changed = true;
        }
    }
    if (rc == 0 && changed) {
        c.updated_at = tsr_clock_now();
        rc = tsr_connection_update(req->store, &c);
    }
    rc = tsr_store_finish(req->store, rc);
    began = false;
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else
        tsr_resp_empty(req, 204);
out:
    if (began)
        tsr_store_rollback(req->store); /* a refusal writes nothing */
    tsr_connection_cleanup(&c);
    json_decref(arr);
}
