/*
 * client_json.c - reading a client from a Management API body (property
 * table, types and sizes, URLs) into a patch that core/client_update.c
 * applies, and writing the client back as Auth0's JSON.
 */
#include "mgmt/client_json.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/client_update.h"
#include "http/response.h"
#include "mgmt/patch_read.h"
#include "mgmt/refusal.h"
#include "util/err.h"

/*
 * The ignored properties are Auth0 settings that Deploy CLI exports carry
 * (SSO, cross-origin authentication, custom login pages, add-ons, native
 * social login, mobile settings, organizations, refresh token policy).
 * Tessera has no such features yet, so they are accepted and dropped;
 * rejecting them would make every exported tenant fail to import.
 */
const struct tsr_mgmt_prop tsr_mgmt_client_props[] = {
    {"name", "The name of the client", false},
    {"description", "Free text description of the purpose of the Client", false},
    {"app_type", "The type of application this client represents", false},
    {"logo_uri", "The URL of the client logo (recommended size: 150x150)", false},
    {"is_first_party", "Whether this client a first party client or not", false},
    {"oidc_conformant", "Whether this client will conform to strict OIDC specifications", false},
    {"allow_implicit_access_tokens",
     "Whether /authorize may send this client an access token in the front channel "
     "(response_type token; RFC 9700 retires it)",
     false},
    {"callbacks",
     "A set of URLs that are valid to call back from Auth0 when authenticating "
     "users",
     false},
    {"allowed_origins", "A set of URLs that represents valid origins for CORS", false},
    {"web_origins",
     "A set of URLs that represents valid web origins for use with web message "
     "response mode",
     false},
    {"allowed_logout_urls",
     "A set of URLs that are valid to redirect to after logout from "
     "Auth0",
     false},
    {"grant_types", "A set of grant types that the client is authorized to use", false},
    {"token_endpoint_auth_method",
     "Defines the requested authentication method for the token "
     "endpoint",
     false},
    {"client_metadata", "Metadata associated with the client", false},
    {"jwt_configuration", "An object that holds settings related to how JWTs are created", false},
    {"sso", NULL, true},
    {"sso_disabled", NULL, true},
    {"cross_origin_authentication", NULL, true},
    {"cross_origin_auth", NULL, true},
    {"cross_origin_loc", NULL, true},
    {"custom_login_page_on", NULL, true},
    {"custom_login_page", NULL, true},
    {"custom_login_page_preview", NULL, true},
    {"form_template", NULL, true},
    {"is_heroku_app", NULL, true},
    {"initiate_login_uri", NULL, true},
    {"native_social_login", NULL, true},
    {"mobile", NULL, true},
    {"addons", NULL, true},
    {"client_aliases", NULL, true},
    {"allowed_clients", NULL, true},
    {"callback_url_template", NULL, true},
    {"organization_usage", NULL, true},
    {"organization_require_behavior", NULL, true},
    {"refresh_token", "Refresh token configuration", false},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop rt_props[] = {
    {"rotation_type", "Refresh token rotation type", false},
    {"expiration_type", "Refresh token expiration type", false},
    {"leeway",
     "Period in seconds where the previous refresh token can be exchanged without "
     "triggering breach detection",
     false},
    {"token_lifetime", "Period (in seconds) for which refresh tokens will remain valid", false},
    {"idle_token_lifetime",
     "Period (in seconds) for which refresh tokens will remain valid without use", false},
    {"infinite_token_lifetime", "Prevents tokens from having a set lifetime when true", false},
    {"infinite_idle_token_lifetime", "Prevents tokens from expiring without use when true", false},
    /* Organization refresh token policies: no organizations in Tessera yet. */
    {"policies", NULL, true},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop jwt_props[] = {
    {"alg", "Algorithm used to sign JWTs", false},
    {"lifetime_in_seconds", "Number of seconds the JWT will be valid for (affects exp claim)",
     false},
    /* Read-only in Auth0 exports; secrets are never base64-encoded here. */
    {"secret_encoded", NULL, true},
    {"scopes", NULL, true},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_nested client_nested[] = {
    {"refresh_token", rt_props},
    {"jwt_configuration", jwt_props},
    {NULL, NULL},
};

static const char *str(const char *s)
{
    return s ? s : "";
}

static bool oom(struct tsr_mgmt_reader *rd)
{
    if (!rd->failed)
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
    rd->failed = true;
    return false;
}

/* ---- reading: the body as a patch (types, lengths, list sizes; the rules are core's) ---- */

/* A list of strings, when present: *out then points at dst. */
static bool read_list(struct tsr_mgmt_reader *rd, const char *name, size_t max_items,
                      size_t max_len, struct tsr_strlist *dst, const struct tsr_strlist **out)
{
    if (!tsr_mgmt_read_strlist(rd, name, max_items, max_len, NULL, dst))
        return false;
    if (json_object_get(rd->body, name) != NULL)
        *out = dst;
    return true;
}

static bool read_lists(struct tsr_mgmt_reader *rd, struct tsr_client_body *b)
{
    struct tsr_client_patch *p = &b->p;
    return read_list(rd, "callbacks", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX, &b->callbacks,
                     &p->callbacks) &&
           read_list(rd, "allowed_logout_urls", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX,
                     &b->logout_urls, &p->allowed_logout_urls) &&
           read_list(rd, "allowed_origins", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX, &b->origins,
                     &p->allowed_origins) &&
           read_list(rd, "web_origins", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX, &b->web_origins,
                     &p->web_origins) &&
           read_list(rd, "grant_types", TSR_CLIENT_GRANT_TYPES_MAX, TSR_CLIENT_GRANT_TYPE_MAX,
                     &b->grant_types, &p->grant_types);
}

static bool read_metadata(struct tsr_mgmt_reader *rd, struct tsr_client_body *b)
{
    const json_t *obj = tsr_mgmt_get(rd, "client_metadata", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_refusal why;
    int rc = tsr_client_metadata_check(obj, &why);
    if (rc != 0)
        return tsr_mgmt_fail(rd, why.field, "%s", why.message);
    b->metadata = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (b->metadata == NULL)
        return oom(rd);
    b->p.client_metadata = b->metadata;
    return true;
}

static bool read_jwt_configuration(struct tsr_mgmt_reader *rd, struct tsr_client_body *b)
{
    const json_t *obj = tsr_mgmt_get(rd, "jwt_configuration", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_mgmt_reader sub;
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, jwt_props, "jwt_configuration") &&
              tsr_patch_read_typed_str(&sub, "alg", &b->p.jwt_alg) &&
              tsr_patch_read_int(&sub, "lifetime_in_seconds", &b->p.has_jwt_lifetime,
                                 &b->p.jwt_lifetime_in_seconds);
    rd->failed = sub.failed;
    return ok;
}

static bool read_refresh_token(struct tsr_mgmt_reader *rd, struct tsr_client_body *b)
{
    const json_t *obj = tsr_mgmt_get(rd, "refresh_token", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_client_rt_patch *rt = &b->p.refresh_token;
    struct tsr_mgmt_reader sub;
    bool ok =
        tsr_mgmt_reader_start(&sub, rd->req, obj, rt_props, "refresh_token") &&
        tsr_patch_read_typed_str(&sub, "rotation_type", &rt->rotation_type) &&
        tsr_patch_read_typed_str(&sub, "expiration_type", &rt->expiration_type) &&
        tsr_patch_read_int(&sub, "leeway", &rt->has_leeway, &rt->leeway) &&
        tsr_patch_read_int(&sub, "token_lifetime", &rt->has_token_lifetime, &rt->token_lifetime) &&
        tsr_patch_read_int(&sub, "idle_token_lifetime", &rt->has_idle_token_lifetime,
                           &rt->idle_token_lifetime) &&
        tsr_patch_read_flag(&sub, "infinite_token_lifetime", &rt->infinite_token_lifetime) &&
        tsr_patch_read_flag(&sub, "infinite_idle_token_lifetime",
                            &rt->infinite_idle_token_lifetime);
    rd->failed = sub.failed;
    return ok;
}

static bool read_body(struct tsr_mgmt_reader *rd, struct tsr_client_body *b)
{
    struct tsr_client_patch *p = &b->p;
    tsr_client_patch_init(p);
    return tsr_patch_read_str(rd, "name", 1, TSR_CLIENT_NAME_MAX, &p->name) &&
           tsr_patch_read_str(rd, "description", 0, TSR_CLIENT_DESCRIPTION_MAX, &p->description) &&
           tsr_patch_read_typed_str(rd, "app_type", &p->app_type) &&
           tsr_patch_read_str(rd, "logo_uri", 0, TSR_CLIENT_URL_MAX, &p->logo_uri) &&
           tsr_patch_read_flag(rd, "is_first_party", &p->is_first_party) &&
           tsr_patch_read_flag(rd, "oidc_conformant", &p->oidc_conformant) &&
           tsr_patch_read_flag(rd, "allow_implicit_access_tokens",
                               &p->allow_implicit_access_tokens) &&
           tsr_patch_read_typed_str(rd, "token_endpoint_auth_method",
                                    &p->token_endpoint_auth_method) &&
           read_lists(rd, b) && read_metadata(rd, b) && read_jwt_configuration(rd, b) &&
           read_refresh_token(rd, b);
}

static bool refused(struct tsr_mgmt_reader *rd, int rc, const struct tsr_refusal *why)
{
    tsr_mgmt_send_refusal(rd->req, rc, why, tsr_mgmt_client_props, client_nested);
    rd->failed = true;
    return false;
}

bool tsr_mgmt_client_apply(struct tsr_mgmt_reader *rd, struct tsr_client *c, bool creating)
{
    struct tsr_client_body b = {0};
    struct tsr_refusal why;
    bool ok = read_body(rd, &b);
    int rc = ok ? tsr_client_apply_patch(c, &b.p, creating, &why) : 0;
    if (ok && rc != 0)
        ok = refused(rd, rc, &why);
    if (ok && (rc = tsr_client_check(c, &why)) != 0)
        ok = refused(rd, rc, &why);
    tsr_client_body_cleanup(&b);
    return ok;
}

static json_t *metadata_json(const char *text)
{
    json_t *m = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_object(m))
        return m;
    json_decref(m);
    return json_object();
}

/* The Auth0 settings Tessera does not implement, at the values it behaves as. */
static int add_fixed(json_t *o)
{
    int rc = 0;
    rc |= json_object_set_new(o, "global", json_false());
    rc |= json_object_set_new(o, "sso_disabled", json_false());
    rc |= json_object_set_new(o, "cross_origin_authentication", json_false());
    rc |= json_object_set_new(o, "custom_login_page_on", json_true());
    rc |= json_object_set_new(o, "callback_url_template", json_false());
    rc |= json_object_set_new(o, "client_aliases", json_array());
    rc |= json_object_set_new(o, "allowed_clients", json_array());
    return rc;
}

static int add_optional(json_t *o, const struct tsr_client *c, const char *secret)
{
    int rc = 0;
    if (c->app_type && c->app_type[0])
        rc |= json_object_set_new(o, "app_type", json_string(c->app_type));
    if (c->is_system)
        rc |= json_object_set_new(o, "is_system", json_true());
    if (secret != NULL)
        rc |= json_object_set_new(o, "client_secret", json_string(secret));
    return rc;
}

json_t *tsr_mgmt_client_json(const struct tsr_req *req, const struct tsr_client *c,
                             const char *secret)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:s, s:o,"
        " s:{s:s, s:I, s:b}}",
        "client_id", str(c->client_id), "tenant", str(req->tenant->t.name), "name", str(c->name),
        "description", str(c->description), "logo_uri", str(c->logo_uri), "is_first_party",
        c->is_first_party, "oidc_conformant", c->oidc_conformant, "allow_implicit_access_tokens",
        c->allow_implicit_access_tokens, "callbacks", tsr_strlist_to_json(&c->callbacks),
        "allowed_origins", tsr_strlist_to_json(&c->allowed_origins), "web_origins",
        tsr_strlist_to_json(&c->web_origins), "allowed_logout_urls",
        tsr_strlist_to_json(&c->allowed_logout_urls), "grant_types",
        tsr_strlist_to_json(&c->grant_types), "token_endpoint_auth_method",
        str(c->token_endpoint_auth_method), "client_metadata", metadata_json(c->client_metadata),
        "jwt_configuration", "alg", "RS256", "lifetime_in_seconds",
        (json_int_t)c->jwt_lifetime_in_seconds, "secret_encoded", 0);
    if (o == NULL)
        return NULL;
    const struct tsr_client_rt *rt = &c->refresh_token;
    json_t *rtj = json_pack(
        "{s:s, s:s, s:I, s:I, s:I, s:b, s:b}", "rotation_type", str(rt->rotation_type),
        "expiration_type", str(rt->expiration_type), "leeway", (json_int_t)rt->leeway,
        "token_lifetime", (json_int_t)rt->token_lifetime, "idle_token_lifetime",
        (json_int_t)rt->idle_token_lifetime, "infinite_token_lifetime", rt->infinite_token_lifetime,
        "infinite_idle_token_lifetime", rt->infinite_idle_token_lifetime);
    if (rtj == NULL || json_object_set_new(o, "refresh_token", rtj) != 0 ||
        add_optional(o, c, secret) != 0 || add_fixed(o) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
