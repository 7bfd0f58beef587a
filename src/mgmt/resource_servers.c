/*
 * resource_servers.c - /api/v2/resource-servers: the tenant's APIs.
 *
 * The system API (the Management API itself) is listed and readable like
 * any other, but only its token lifetimes may change and it cannot be
 * deleted.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/app.h"
#include "core/masterkey.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define WHAT "resource_server"
#define IDENTIFIER_MAX_CHARS 600
#define NAME_MAX_CHARS 255
#define SCOPES_MAX 1000
#define SCOPE_VALUE_MAX_CHARS 280
#define SCOPE_DESCRIPTION_MAX_CHARS 500
#define LIFETIME_MAX 2592000
#define SECRET_MIN_CHARS 32
#define SECRET_MAX_CHARS 1024
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

static const char *const signing_algs[] = {"RS256", "HS256", NULL};
static const char *const dialects[] = {"access_token", "access_token_authz", "rfc9068_profile",
                                       "rfc9068_profile_authz", NULL};

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

static bool oom(struct tsr_mgmt_reader *rd)
{
    if (!rd->failed)
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
    rd->failed = true;
    return false;
}

static bool has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s))
            return true;
    return false;
}

/* ---- reading ---- */

static void free_scope_list(struct tsr_api_scope *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].value);
        free(list[i].description);
    }
    free(list);
}

/* Reads scopes[i] into *out (strings owned by *out). */
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
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, item, scope_props, path) &&
              tsr_mgmt_require(&sub, "value") &&
              tsr_mgmt_read_string(&sub, "value", 1, SCOPE_VALUE_MAX_CHARS, &out->value) &&
              tsr_mgmt_read_string(&sub, "description", 0, SCOPE_DESCRIPTION_MAX_CHARS,
                                   &out->description);
    if (ok && has_space(out->value))
        ok = tsr_mgmt_fail(&sub, "value", "String must not contain whitespace");
    for (size_t j = 0; ok && j < i; j++) {
        const char *prev = json_string_value(json_object_get(json_array_get(arr, j), "value"));
        if (strcmp(prev, out->value) == 0)
            ok = tsr_mgmt_fail(&sub, "value", "Duplicate scope value: %.280s", out->value);
    }
    rd->failed = sub.failed;
    return ok;
}

static bool read_scopes(struct tsr_mgmt_reader *rd, struct tsr_api *a)
{
    const json_t *arr = tsr_mgmt_get(rd, "scopes", JSON_ARRAY);
    if (arr == NULL)
        return !rd->failed;
    size_t n = json_array_size(arr);
    if (n > SCOPES_MAX)
        return tsr_mgmt_fail(rd, "scopes", "Array is too long (%zu), maximum %d", n, SCOPES_MAX);
    struct tsr_api_scope *list = n ? calloc(n, sizeof *list) : NULL;
    if (n > 0 && list == NULL)
        return oom(rd);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = read_scope(rd, arr, i, &list[i]);
    if (ok && tsr_api_set_scopes(a, list, n) != 0)
        ok = oom(rd);
    free_scope_list(list, n);
    return ok;
}

static bool read_lifetimes(struct tsr_mgmt_reader *rd, struct tsr_api *a)
{
    if (!tsr_mgmt_read_int(rd, "token_lifetime", 1, LIFETIME_MAX, &a->token_lifetime) ||
        !tsr_mgmt_read_int(rd, "token_lifetime_for_web", 1, LIFETIME_MAX,
                           &a->token_lifetime_for_web))
        return false;
    if (a->token_lifetime_for_web <= a->token_lifetime)
        return true;
    /* Browser tokens never outlive the others: clamp unless asked for explicitly. */
    if (tsr_mgmt_has(rd, "token_lifetime_for_web"))
        return tsr_mgmt_fail(rd, "token_lifetime_for_web",
                             "Value %lld is greater than maximum %lld (token_lifetime)",
                             (long long)a->token_lifetime_for_web, (long long)a->token_lifetime);
    a->token_lifetime_for_web = a->token_lifetime;
    return true;
}

/* What both create and PATCH may change (identifier excepted). */
static bool read_settings(struct tsr_mgmt_reader *rd, struct tsr_api *a)
{
    if (!tsr_mgmt_read_string(rd, "name", 1, NAME_MAX_CHARS, &a->name))
        return false;
    if (tsr_mgmt_has(rd, "name") && strpbrk(a->name, "<>") != NULL)
        return tsr_mgmt_fail(rd, "name", "String does not match pattern: ^[^<>]+$");
    return read_scopes(rd, a) &&
           tsr_mgmt_read_enum(rd, "signing_alg", signing_algs, &a->signing_alg) &&
           read_lifetimes(rd, a) &&
           tsr_mgmt_read_bool(rd, "allow_offline_access", &a->allow_offline_access) &&
           tsr_mgmt_read_bool(rd, "skip_consent_for_verifiable_first_party_clients",
                              &a->skip_consent_for_verifiable_first_party_clients) &&
           tsr_mgmt_read_bool(rd, "enforce_policies", &a->enforce_policies) &&
           tsr_mgmt_read_enum(rd, "token_dialect", dialects, &a->token_dialect);
}

/*
 * Seals a signing secret given in the body.  As with Auth0, the HMAC key is
 * the secret text's bytes, so it must be long enough for HS256 (RFC 8725
 * section 3.5) and printable, to survive copying between systems.
 */
static bool seal_given_secret(struct tsr_mgmt_reader *rd, struct tsr_api *a, const json_t *v)
{
    if (!tsr_mgmt_check_string(rd, "signing_secret", v, SECRET_MIN_CHARS, SECRET_MAX_CHARS))
        return false;
    const char *text = json_string_value(v);
    for (const char *c = text; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            return tsr_mgmt_fail(rd, "signing_secret",
                                 "Expected printable ASCII characters without spaces");
    return tsr_api_set_signing_secret(a, rd->req->app->master_key, (const uint8_t *)text,
                                      strlen(text)) == 0 ||
           oom(rd);
}

/* Makes the stored secret match the algorithm: HS256 holds one, others none. */
static bool settle_secret(struct tsr_mgmt_reader *rd, struct tsr_api *a)
{
    const json_t *given = json_object_get(rd->body, "signing_secret");
    bool hs256 = strcmp(a->signing_alg, "HS256") == 0;
    if (given != NULL && !hs256)
        return tsr_mgmt_fail(rd, "signing_secret", "A signing secret needs signing_alg HS256");
    if (given != NULL)
        return seal_given_secret(rd, a, given);
    if (hs256 && a->signing_secret[0] != '\0')
        return true;
    if (hs256)
        return tsr_api_new_signing_secret(a, rd->req->app->master_key, NULL) == 0 || oom(rd);
    char *empty = strdup("");
    if (empty == NULL)
        return oom(rd);
    free(a->signing_secret);
    a->signing_secret = empty;
    return true;
}

static bool read_identifier(struct tsr_mgmt_reader *rd, struct tsr_api *a)
{
    if (!tsr_mgmt_read_string(rd, "identifier", 1, IDENTIFIER_MAX_CHARS, &a->identifier))
        return false;
    if (has_space(a->identifier))
        return tsr_mgmt_fail(rd, "identifier", "String must not contain whitespace");
    return true;
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
        tsr_resp_json(req, 200, api_json(req, &a));
    tsr_api_cleanup(&a);
}

void tsr_mgmt_apis_create(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_api a = {0};
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
    if (!read_identifier(&rd, &a))
        goto out;
    char *name = strdup(a.identifier);
    if (name == NULL) {
        oom(&rd);
        goto out;
    }
    free(a.name);
    a.name = name;
    if (!read_settings(&rd, &a) || !settle_secret(&rd, &a))
        goto out;
    rc = tsr_api_insert(req->store, &a);
    if (rc == TSR_ECONFLICT)
        tsr_resp_mgmt_error(req, 409, "conflict",
                            "A resource server with the same identifier already exists");
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else
        tsr_resp_json(req, 201, api_json(req, &a));
out:
    tsr_api_cleanup(&a);
    json_decref(body);
}

/* The system API: only its token lifetimes may change. */
static bool system_patch_allowed(struct tsr_req *req, const json_t *body)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "token_lifetime") != 0 && strcmp(key, "token_lifetime_for_web") != 0) {
            tsr_mgmt_send_forbidden(req, "Only token_lifetime and token_lifetime_for_web of "
                                         "the system API can be changed");
            return false;
        }
    }
    return true;
}

/* The identifier is immutable: Auth0 answers as if it were unknown. */
static bool identifier_unchanged(struct tsr_mgmt_reader *rd, const struct tsr_api *a)
{
    const json_t *v = json_object_get(rd->body, "identifier");
    if (v == NULL || (json_is_string(v) && strcmp(json_string_value(v), a->identifier) == 0))
        return true;
    rd->failed = true;
    tsr_resp_mgmt_error(rd->req, 400, "invalid_body",
                        "Payload validation error: 'Additional properties not allowed: "
                        "identifier'.");
    return false;
}

void tsr_mgmt_apis_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_api a = {0};
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, api_props, NULL) || !load(req, &a))
        goto out;
    if (a.is_system && !system_patch_allowed(req, body))
        goto out;
    if (!identifier_unchanged(&rd, &a) || !read_settings(&rd, &a) || !settle_secret(&rd, &a))
        goto out;
    a.updated_at = tsr_clock_now();
    int rc = tsr_api_update(req->store, &a);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else
        tsr_resp_json(req, 200, api_json(req, &a));
out:
    tsr_api_cleanup(&a);
    json_decref(body);
}

void tsr_mgmt_apis_delete(struct tsr_req *req)
{
    struct tsr_api a = {0};
    if (!load(req, &a))
        goto out;
    if (a.is_system) {
        tsr_mgmt_send_forbidden(req, "The system API cannot be deleted");
        goto out;
    }
    int rc = tsr_api_delete(req->store, tenant_id(req), a.id);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    else
        tsr_resp_empty(req, 204);
out:
    tsr_api_cleanup(&a);
}
