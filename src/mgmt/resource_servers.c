/*
 * resource_servers.c - /api/v2/resource-servers: the tenant's APIs.
 *
 * The system API (the Management API itself) is listed and readable like
 * any other, but only its token lifetimes may change and it cannot be
 * deleted.
 */
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/api_update.h"
#include "core/app.h"
#include "core/catalog.h"
#include "core/keys.h"
#include "core/masterkey.h"
#include "core/tenant_set.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/etag.h"
#include "mgmt/mgmt.h"
#include "mgmt/patch_read.h"
#include "mgmt/refusal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define WHAT "resource_server"
#define IDENTIFIERS_MAX 10 /* Auth0's limit on ?identifiers= */

/*
 * The ignored properties are Auth0 settings carried by Deploy CLI exports
 * (token verification location, custom options, consent policy, rich
 * authorization requests, token encryption, DPoP/mTLS binding) that
 * Tessera does not implement; accepting them keeps imports working.
 */
static const struct tsr_mgmt_prop api_props[] = {
    {"identifier", "The identifier of the resource server", false},
    {"name",
     "The name of the resource server. Must contain at least one character. Does not "
     "allow '<' or '>'",
     false},
    {"scopes", "The scopes of the resource server", false},
    {"signing_alg", "The algorithm used to sign tokens", false},
    {"signing_secret", "The secret used to sign tokens when using symmetric algorithms", false},
    {"token_lifetime",
     "The amount of time (in seconds) that the token will be valid after "
     "being issued",
     false},
    {"token_lifetime_for_web",
     "The amount of time (in seconds) that the token will be valid "
     "after being issued from browser based flows",
     false},
    {"allow_offline_access", "Allows issuance of refresh tokens for this entity", false},
    {"skip_consent_for_verifiable_first_party_clients",
     "Flag this entity as capable of skipping consent", false},
    {"enforce_policies", "Enables the enforcement of the authorization policies", false},
    {"token_dialect", "The dialect for the access token", false},
    {"verificationLocation", NULL, true},
    {"options", NULL, true},
    {"client", NULL, true},
    {"consent_policy", NULL, true},
    {"authorization_details", NULL, true},
    {"token_encryption", NULL, true},
    {"proof_of_possession", NULL, true},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop scope_props[] = {
    {"value", "The scope name. Use the format <action>:<resource>", false},
    {"description", "The description of the scope", false},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_nested api_nested[] = {
    {"scopes", scope_props},
    {NULL, NULL},
};

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

/* ---- reading: the body as a patch (types and string lengths; the rules are core's) ---- */

/* A body read into a patch; strings are borrowed from the body. */
struct api_body {
    struct tsr_api_patch p;
    const char **names;           /* the body's property names */
    struct tsr_api_scope *scopes; /* the array only; strings borrowed */
};

static void api_body_cleanup(struct api_body *b)
{
    free(b->names);
    free(b->scopes);
}

static bool oom(struct tsr_mgmt_reader *rd)
{
    if (!rd->failed)
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
    rd->failed = true;
    return false;
}

/* Which properties the body holds, and its identifier if it is a string. */
static bool read_given(struct tsr_mgmt_reader *rd, struct api_body *b)
{
    size_t n = json_object_size(rd->body);
    b->names = n ? calloc(n, sizeof *b->names) : NULL;
    if (n > 0 && b->names == NULL)
        return oom(rd);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)rd->body, key, v)
        b->names[b->p.ngiven++] = key;
    b->p.given = b->names;
    const json_t *id = json_object_get(rd->body, "identifier");
    b->p.has_identifier = id != NULL;
    b->p.identifier = json_string_value(id);
    return true;
}

/* Reads scopes[i] into *out (strings borrowed from the body). */
static bool read_scope(struct tsr_mgmt_reader *rd, const json_t *arr, size_t i,
                       struct tsr_api_scope *out)
{
    char path[32];
    snprintf(path, sizeof path, "scopes[%zu]", i);
    const json_t *item = json_array_get(arr, i);
    if (!json_is_object(item))
        return tsr_mgmt_fail(rd, path, "Expected type object but found type %s",
                             tsr_mgmt_type_name(item));
    struct tsr_mgmt_reader sub;
    const char *value = NULL, *description = NULL;
    bool ok =
        tsr_mgmt_reader_start(&sub, rd->req, item, scope_props, path) &&
        tsr_mgmt_require(&sub, "value") &&
        tsr_patch_read_str(&sub, "value", 1, TSR_API_SCOPE_VALUE_MAX, &value) &&
        tsr_patch_read_str(&sub, "description", 0, TSR_API_SCOPE_DESCRIPTION_MAX, &description);
    out->value = (char *)value;
    out->description = (char *)description;
    rd->failed = sub.failed;
    return ok;
}

static bool read_scopes(struct tsr_mgmt_reader *rd, struct api_body *b)
{
    const json_t *arr = tsr_mgmt_get(rd, "scopes", JSON_ARRAY);
    if (arr == NULL)
        return !rd->failed;
    size_t n = json_array_size(arr);
    if (n > TSR_API_SCOPES_MAX)
        return tsr_mgmt_fail(rd, "scopes", "Array is too long (%zu), maximum %d", n,
                             TSR_API_SCOPES_MAX);
    b->scopes = n ? calloc(n, sizeof *b->scopes) : NULL;
    if (n > 0 && b->scopes == NULL)
        return oom(rd);
    for (size_t i = 0; i < n; i++)
        if (!read_scope(rd, arr, i, &b->scopes[i]))
            return false;
    b->p.has_scopes = true;
    b->p.scopes = b->scopes;
    b->p.nscopes = n;
    return true;
}

/* What both create and PATCH may give (identifier excepted), in Auth0's order. */
static bool read_settings(struct tsr_mgmt_reader *rd, struct api_body *b)
{
    struct tsr_api_patch *p = &b->p;
    p->allow_offline_access = p->skip_consent_for_verifiable_first_party_clients =
        p->enforce_policies = TSR_PATCH_UNSET;
    return tsr_patch_read_str(rd, "name", 1, TSR_API_NAME_MAX, &p->name) && read_scopes(rd, b) &&
           tsr_patch_read_typed_str(rd, "signing_alg", &p->signing_alg) &&
           tsr_patch_read_int(rd, "token_lifetime", &p->has_token_lifetime, &p->token_lifetime) &&
           tsr_patch_read_int(rd, "token_lifetime_for_web", &p->has_token_lifetime_for_web,
                    &p->token_lifetime_for_web) &&
           tsr_patch_read_flag(rd, "allow_offline_access", &p->allow_offline_access) &&
           tsr_patch_read_flag(rd, "skip_consent_for_verifiable_first_party_clients",
                     &p->skip_consent_for_verifiable_first_party_clients) &&
           tsr_patch_read_flag(rd, "enforce_policies", &p->enforce_policies) &&
           tsr_patch_read_typed_str(rd, "token_dialect", &p->token_dialect) &&
           tsr_patch_read_typed_str(rd, "signing_secret", &p->signing_secret);
}

/* Applies b to a (core's rules); on refusal sends the error and returns false. */
static bool apply(struct tsr_mgmt_reader *rd, struct tsr_api *a, const struct api_body *b,
                  bool creating)
{
    struct tsr_refusal why;
    int rc = tsr_api_apply_patch(a, &b->p, creating, rd->req->app->master_key, &why);
    if (rc == 0)
        return true;
    tsr_mgmt_send_refusal(rd->req, rc, &why, api_props, api_nested);
    rd->failed = true;
    return false;
}

/* ---- writing ---- */

static json_t *scopes_json(const struct tsr_api *a)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < a->nscopes; i++) {
        const char *d = a->scopes[i].description;
        if (json_array_append_new(arr, json_pack("{s:s, s:s}", "value", a->scopes[i].value,
                                                 "description", d ? d : "")) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* Auth0 shows an HS256 API's secret to readers of the API; so does Tessera. */
static int add_secret(json_t *o, const struct tsr_req *req, const struct tsr_api *a)
{
    if (strcmp(a->signing_alg, "HS256") != 0)
        return 0;
    uint8_t *raw = NULL;
    size_t len = 0;
    int rc = tsr_api_open_signing_secret(a, req->app->master_key, &raw, &len);
    if (rc != 0)
        return rc;
    rc = json_object_set_new(o, "signing_secret", json_stringn((const char *)raw, len)) == 0
             ? 0
             : TSR_ENOMEM;
    tsr_wipe(raw, len);
    free(raw);
    return rc;
}

static json_t *api_json(const struct tsr_req *req, const struct tsr_api *a)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:b, s:o, s:s, s:I, s:I, s:b, s:b, s:b, s:s}", "id", a->id, "name",
        a->name, "identifier", a->identifier, "is_system", a->is_system, "scopes", scopes_json(a),
        "signing_alg", a->signing_alg, "token_lifetime", (json_int_t)a->token_lifetime,
        "token_lifetime_for_web", (json_int_t)a->token_lifetime_for_web, "allow_offline_access",
        a->allow_offline_access, "skip_consent_for_verifiable_first_party_clients",
        a->skip_consent_for_verifiable_first_party_clients, "enforce_policies", a->enforce_policies,
        "token_dialect", a->token_dialect);
    if (o != NULL && add_secret(o, req, a) != 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* ---- handlers ---- */

/*
 * Writes a (new or changed) and, when it signs with an alg the tenant has
 * no key of yet (PS256, ES256, EdDSA), that alg's current and next keys in
 * the same transaction.  The caller's tsr_catalog_changed then touches the
 * tenant and rebuilds the snapshot, so the JWKS lists new keys and the
 * API's first token is signed with them.
 */
static int write_with_keys(struct tsr_req *req, const struct tsr_api *a, bool creating)
{
    bool own = false, new_keys = false;
    int rc = tsr_store_begin_own(req->store, &own);
    if (rc == 0)
        rc = creating ? tsr_api_insert(req->store, a) : tsr_api_update(req->store, a);
    if (rc == 0)
        rc = tsr_keys_ensure_alg(req->store, tenant_id(req), req->app->master_key,
                                 a->signing_alg, &new_keys);
    return tsr_store_finish_own(req->store, own, rc);
}

/* {id} is the API's id or, as Auth0 allows, its identifier (audience). */
static bool load(struct tsr_req *req, struct tsr_api *a)
{
    const char *id = tsr_req_param(req, 0);
    int rc = tsr_api_get(req->store, tenant_id(req), id, a);
    if (rc == TSR_ENOTFOUND)
        rc = tsr_api_get_by_identifier(req->store, tenant_id(req), id, a);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == 0;
}

/* Loads the API and compares it with If-Match (etag.h), answering 404, 412 or 500. */
static bool load_matching(struct tsr_req *req, const struct tsr_mgmt_precond *pc, struct tsr_api *a)
{
    if (!load(req, a))
        return false;
    if (pc->if_match == NULL)
        return true;
    json_t *current = api_json(req, a);
    bool ok = tsr_mgmt_precond_check(req, pc, current);
    json_decref(current);
    return ok;
}

void tsr_mgmt_apis_list(struct tsr_req *req)
{
    struct tsr_mgmt_paging p;
    struct tsr_strlist identifiers = {0};
    struct tsr_api *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p) ||
        !tsr_mgmt_query_list(req, "identifiers",
                             "An optional filter on the resource server identifier. Must be URL "
                             "encoded and may be specified multiple times (max 10).",
                             IDENTIFIERS_MAX, &identifiers))
        goto out;
    int rc = tsr_api_list(req->store, tenant_id(req), &identifiers, p.page * p.per_page,
                          p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, api_json(req, &list[i]));
    tsr_api_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "resource_servers", items, total);
out:
    tsr_strlist_cleanup(&identifiers);
}

void tsr_mgmt_apis_get(struct tsr_req *req)
{
    struct tsr_api a = {0};
    if (load(req, &a))
        tsr_mgmt_send_tagged(req, 200, api_json(req, &a), false);
    tsr_api_cleanup(&a);
}

void tsr_mgmt_apis_create(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_api a = {0};
    struct api_body b = {0};
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, api_props, NULL) ||
        !tsr_mgmt_require(&rd, "identifier"))
        goto out;
    int rc = tsr_api_init_new(&a, tenant_id(req));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    if (!read_given(&rd, &b) ||
        !tsr_patch_read_str(&rd, "identifier", 1, TSR_API_IDENTIFIER_MAX, &b.p.identifier) ||
        !read_settings(&rd, &b) || !apply(&rd, &a, &b, true))
        goto out;
    rc = write_with_keys(req, &a, true);
    if (rc == TSR_ECONFLICT)
        tsr_resp_mgmt_error(req, 409, "conflict",
                            "A resource server with the same identifier already exists");
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else {
        tsr_catalog_changed(req->app, req->store, tenant_id(req));
        tsr_resp_json(req, 201, api_json(req, &a));
    }
out:
    api_body_cleanup(&b);
    tsr_api_cleanup(&a);
    json_decref(body);
}

void tsr_mgmt_apis_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_mgmt_precond pc = {0};
    struct tsr_api a = {0};
    struct api_body b = {0};
    struct tsr_refusal why;
    json_t *before = NULL;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, api_props, NULL) ||
        !tsr_mgmt_precond_begin(req, &pc) || !load_matching(req, &pc, &a) || !read_given(&rd, &b))
        goto out;
    /* What may change at all (the system API, the identifier) comes before the values. */
    int rc = tsr_api_patch_permitted(&a, &b.p, &why);
    if (rc != 0) {
        tsr_mgmt_send_refusal(req, rc, &why, api_props, api_nested);
        goto out;
    }
    before = api_json(req, &a);
    if (!read_settings(&rd, &b) || !apply(&rd, &a, &b, false))
        goto out;
    /* A PATCH that changes nothing writes nothing (a repeated Deploy CLI import). */
    bool same = tsr_mgmt_unchanged(before, api_json(req, &a));
    if (!same)
        a.updated_at = tsr_clock_now();
    rc = tsr_mgmt_precond_end(req, &pc, same ? 0 : write_with_keys(req, &a, false));
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else {
        if (!same)
            tsr_catalog_changed(req->app, req->store, tenant_id(req));
        tsr_mgmt_send_tagged(req, 200, api_json(req, &a), false);
    }
out:
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what an early exit left open */
    json_decref(before);
    api_body_cleanup(&b);
    tsr_api_cleanup(&a);
    json_decref(body);
}

void tsr_mgmt_apis_delete(struct tsr_req *req)
{
    struct tsr_mgmt_precond pc = {0};
    struct tsr_api a = {0};
    if (!tsr_mgmt_precond_begin(req, &pc) || !load_matching(req, &pc, &a))
        goto out;
    if (a.is_system) {
        tsr_mgmt_send_forbidden(req, "The system API cannot be deleted");
        goto out;
    }
    int rc = tsr_mgmt_precond_end(req, &pc, tsr_api_delete(req->store, tenant_id(req), a.id));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
    } else {
        tsr_catalog_changed(req->app, req->store, tenant_id(req));
        tsr_resp_empty(req, 204);
    }
out:
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what an early exit left open */
    tsr_api_cleanup(&a);
}
