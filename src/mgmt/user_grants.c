/*
 * user_grants.c - /api/v2/grants: the consents people gave to
 * applications.  Deleting one makes the next login ask again.
 */
#include "core/consent.h"
#include "http/response.h"
#include "mgmt/mgmt.h"
#include "util/err.h"

static json_t *consent_json(const struct tsr_consent *c)
{
    /* Auth0 spells the client member "clientID" here. */
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", c->id, "clientID", c->client_id,
                     "user_id", c->user_id, "audience", c->audience, "scope",
                     tsr_strlist_to_json(&c->scope));
}

void tsr_mgmt_user_grants_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_consent *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p))
        return;
    int rc = tsr_consent_list(req->store, req->tenant->t.id, tsr_req_query(req, "user_id"),
                              tsr_req_query(req, "client_id"), tsr_req_query(req, "audience"),
                              p.page * p.per_page, p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "grant");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, consent_json(&list[i]));
    tsr_consent_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "grants", items, total);
}

void tsr_mgmt_user_grants_delete(struct tsr_req *req)
{
    int rc = tsr_consent_delete(req->store, req->tenant->t.id, tsr_req_param(req, 0));
    if (rc == TSR_ENOTFOUND)
        tsr_resp_mgmt_error(req, 404, "inexistent_grant", "The grant does not exist");
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, "grant");
    else
        tsr_resp_empty(req, 204);
}

/* DELETE /grants?user_id=...: every consent of that user, as Auth0 offers. */
void tsr_mgmt_user_grants_delete_by_user(struct tsr_req *req)
{
    const char *user_id = tsr_req_query(req, "user_id");
    if (user_id == NULL || user_id[0] == '\0') {
        tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                            "Query validation error: 'Missing required property: user_id'.");
        return;
    }
    int rc = tsr_consent_delete_user(req->store, req->tenant->t.id, user_id);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, "grant");
    else
        tsr_resp_empty(req, 204);
}
