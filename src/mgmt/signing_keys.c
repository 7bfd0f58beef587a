/*
 * signing_keys.c - /api/v2/keys/signing: the tenant's signing keys, their
 * rotation (next becomes current, a new next is made) and the revocation
 * of rotated-out keys.  The JWKS follows at once: the tenant snapshot is
 * rebuilt here and other nodes see the generation change.
 */
#include <stdlib.h>
#include <string.h>

#include "core/keys.h"
#include "core/tenant_set.h"
#include "core/user.h"
#include "http/response.h"
#include "mgmt/mgmt.h"
#include "mgmt/tenant_admin.h"
#include "util/err.h"

static void set_time(json_t *o, const char *name, int64_t t)
{
    if (t != 0) {
        char iso[32];
        tsr_iso8601(t, iso);
        json_object_set_new(o, name, json_string(iso));
    }
}

/* Auth0's shape; kid and thumbprint are the RFC 7638 thumbprint.  No X.509 cert is kept. */
static json_t *key_json(const struct tsr_key_info *k)
{
    json_t *o = json_pack("{s:s, s:s, s:b, s:b, s:b, s:b}", "kid", k->kid, "thumbprint", k->kid,
                          "current", strcmp(k->state, "current") == 0, "next",
                          strcmp(k->state, "next") == 0, "previous",
                          strcmp(k->state, "previous") == 0, "revoked",
                          strcmp(k->state, "revoked") == 0);
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "alg", json_string(k->alg));
    json_object_set_new(o, "jwk", json_loads(k->public_jwk, 0, NULL));
    set_time(o, "current_since", k->current_since);
    set_time(o, "current_until", k->current_until);
    set_time(o, "revoked_at", k->revoked_at);
    return o;
}

/* Rebuilds the snapshot so the JWKS and the signing key change for the next request. */
static void publish(struct tsr_req *req)
{
    tsr_tenant_touch(req->store, req->tenant->t.id);
    tsr_app_reload(req->app, req->store);
}

void tsr_mgmt_keys_list(struct tsr_req *req)
{
    struct tsr_key_info *list = NULL;
    size_t n = 0;
    int rc = tsr_keys_list(req->store, req->tenant->t.id, &list, &n);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "signing key");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, key_json(&list[i]));
    tsr_key_info_list_free(list, n);
    tsr_resp_json(req, 200, items);
}

void tsr_mgmt_keys_get(struct tsr_req *req)
{
    struct tsr_key_info *list = NULL;
    size_t n = 0;
    const char *kid = tsr_req_param(req, 0);
    int rc = tsr_keys_list(req->store, req->tenant->t.id, &list, &n);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "signing key");
        return;
    }
    size_t i = 0;
    while (i < n && strcmp(list[i].kid, kid) != 0)
        i++;
    if (i == n)
        tsr_resp_mgmt_error(req, 404, "inexistent_signing_key", "Signing key not found");
    else
        tsr_resp_json(req, 200, key_json(&list[i]));
    tsr_key_info_list_free(list, n);
}

void tsr_mgmt_keys_rotate(struct tsr_req *req)
{
    char *kid = NULL;
    int rc = tsr_keys_rotate(req->store, req->tenant->t.id, req->app->master_key, &kid);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "signing key");
        return;
    }
    publish(req);
    tsr_resp_json(req, 201, json_pack("{s:s}", "kid", kid));
    free(kid);
}

void tsr_mgmt_keys_revoke(struct tsr_req *req)
{
    const char *kid = tsr_req_param(req, 0);
    int rc = tsr_keys_revoke(req->store, req->tenant->t.id, kid);
    if (rc == TSR_EINVAL) {
        tsr_resp_mgmt_error(req, 400, "invalid_key_state",
                            "Only a previous (rotated out) signing key can be revoked");
        return;
    }
    if (rc == TSR_ENOTFOUND) {
        tsr_resp_mgmt_error(req, 404, "inexistent_signing_key", "Signing key not found");
        return;
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "signing key");
        return;
    }
    publish(req);
    tsr_resp_json(req, 200, json_pack("{s:s}", "kid", kid));
}
