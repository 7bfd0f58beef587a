/*
 * signing_keys.c - /api/v2/keys/signing: the tenant's signing keys of
 * every alg, their rotation (each alg's next becomes current, a new next is
 * made) and the revocation of rotated-out keys.  The JWKS follows at once: the tenant snapshot is
 * rebuilt here and other nodes see the generation change.
 */
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/key_cert.h"
#include "core/keys.h"
#include "core/tenant_set.h"
#include "core/user.h"
#include "http/response.h"
#include "mgmt/mgmt.h"
#include "mgmt/tenant_admin.h"
#include "util/err.h"
#include "util/secure.h"

static void set_time(json_t *o, const char *name, int64_t t)
{
    if (t != 0) {
        char iso[32];
        tsr_iso8601(t, iso);
        json_object_set_new(o, name, json_string(iso));
    }
}

/* The certificate of key kid (made afresh; see core/key_cert.h), CN the tenant's host. */
static int make_cert(struct tsr_req *req, const char *kid, int64_t created_at,
                     struct tsr_key_cert *cert)
{
    char host[256], prefix[256];
    uint8_t *pem = NULL;
    size_t len = 0;
    if (tsr_issuer_split(req->tenant->t.issuer, host, sizeof host, prefix, sizeof prefix) != 0)
        return TSR_EINVAL;
    int rc = tsr_keys_private_pem(req->store, req->tenant->t.id, req->app->master_key, kid, &pem,
                                  &len);
    if (rc == 0)
        rc = tsr_key_cert_make(pem, len, kid, host, created_at, cert);
    if (pem != NULL) {
        tsr_wipe(pem, len);
        free(pem);
    }
    return rc;
}

/* RSA keys (RS256, PS256) have a certificate; EC and Ed25519 keys have none (key_cert.h). */
static bool has_cert(const struct tsr_key_info *k)
{
    return strcmp(k->alg, "RS256") == 0 || strcmp(k->alg, "PS256") == 0;
}

/* cert, pkcs7 and fingerprint of an RSA key's certificate into o. */
static int add_cert(struct tsr_req *req, const struct tsr_key_info *k, json_t *o)
{
    struct tsr_key_cert cert;
    int rc = make_cert(req, k->kid, k->created_at, &cert);
    if (rc != 0)
        return rc;
    if (json_object_set_new(o, "cert", json_string(cert.cert)) != 0 ||
        json_object_set_new(o, "pkcs7", json_string(cert.pkcs7)) != 0 ||
        json_object_set_new(o, "fingerprint", json_string(cert.fingerprint)) != 0)
        rc = TSR_ENOMEM;
    tsr_key_cert_cleanup(&cert);
    return rc;
}

/*
 * Auth0's shape; kid and thumbprint are the RFC 7638 thumbprint.  Keys of
 * algs Auth0 lacks (ES256, EdDSA) carry no cert, pkcs7 or fingerprint.
 * NULL with *rc set when the certificate cannot be made.
 */
static json_t *key_json(struct tsr_req *req, const struct tsr_key_info *k, int *rc)
{
    json_t *o = json_pack("{s:s}", "kid", k->kid);
    *rc = o == NULL ? TSR_ENOMEM : 0;
    if (*rc == 0 && has_cert(k))
        *rc = add_cert(req, k, o);
    if (*rc == 0) {
        json_t *rest = json_pack("{s:s, s:b, s:b, s:b, s:b}", "thumbprint", k->kid, "current",
                                 strcmp(k->state, "current") == 0, "next",
                                 strcmp(k->state, "next") == 0, "previous",
                                 strcmp(k->state, "previous") == 0, "revoked",
                                 strcmp(k->state, "revoked") == 0);
        if (rest == NULL || json_object_update(o, rest) != 0)
            *rc = TSR_ENOMEM;
        json_decref(rest);
    }
    if (*rc != 0) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "alg", json_string(k->alg));
    json_object_set_new(o, "jwk", json_loads(k->public_jwk, 0, NULL));
    set_time(o, "current_since", k->current_since);
    set_time(o, "current_until", k->current_until);
    set_time(o, "revoked_at", k->revoked_at);
    return o;
}

/* The stored key kid, or NULL (not found) within list. */
static const struct tsr_key_info *find_key(const struct tsr_key_info *list, size_t n,
                                           const char *kid)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].kid, kid) == 0)
            return &list[i];
    return NULL;
}

/*
 * Sends key kid: the whole key, or {cert, kid} as Auth0 answers rotate and
 * revoke.  404 when there is no such key.
 */
static void send_key(struct tsr_req *req, unsigned status, const char *kid, bool whole)
{
    struct tsr_key_info *list = NULL;
    size_t n = 0;
    json_t *o = NULL;
    int rc = tsr_keys_list(req->store, req->tenant->t.id, &list, &n);
    if (rc != 0)
        goto out;
    const struct tsr_key_info *k = find_key(list, n, kid);
    if (k == NULL) {
        tsr_resp_mgmt_error(req, 404, "inexistent_signing_key", "Signing key not found");
        goto out;
    }
    if ((o = key_json(req, k, &rc)) == NULL)
        goto out;
    if (!whole) {
        json_t *cert = json_object_get(o, "cert");
        json_t *short_form = cert ? json_pack("{s:O, s:s}", "cert", cert, "kid", k->kid)
                                  : json_pack("{s:s}", "kid", k->kid);
        json_decref(o);
        if ((o = short_form) == NULL)
            rc = TSR_ENOMEM;
    }
out:
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, "signing key");
    else if (o != NULL)
        tsr_resp_json(req, status, o);
    tsr_key_info_list_free(list, n);
}

/*
 * Rebuilds the tenant's snapshot so the JWKS and the signing key change for
 * the next request here, and moves its generation so other nodes follow.
 */
static void publish(struct tsr_req *req)
{
    tsr_catalog_changed(req->app, req->store, req->tenant->t.id);
}

void tsr_mgmt_keys_list(struct tsr_req *req)
{
    struct tsr_key_info *list = NULL;
    size_t n = 0;
    int rc = tsr_keys_list(req->store, req->tenant->t.id, &list, &n);
    json_t *items = rc == 0 ? json_array() : NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *k = key_json(req, &list[i], &rc);
        if (k != NULL)
            tsr_mgmt_items_add(&items, k);
    }
    tsr_key_info_list_free(list, n);
    if (rc != 0) {
        json_decref(items);
        tsr_mgmt_send_store_error(req, rc, "signing key");
        return;
    }
    tsr_resp_json(req, 200, items);
}

void tsr_mgmt_keys_get(struct tsr_req *req)
{
    send_key(req, 200, tsr_req_param(req, 0), true);
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
    send_key(req, 201, kid, false);
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
    send_key(req, 200, kid, false);
}
