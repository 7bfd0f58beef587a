/*
 * client_json.c - reading a client from a Management API body (property
 * table, defaults, validation) and writing it back as Auth0's JSON.
 */
#include "mgmt/client_json.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "http/response.h"
#include "util/err.h"

#define NAME_MAX_CHARS 255
#define DESCRIPTION_MAX_CHARS 140
#define URL_MAX_CHARS 1024
#define URL_LIST_MAX 100
#define METADATA_MAX_KEYS 10
#define METADATA_MAX_CHARS 255
#define JWT_LIFETIME_MAX 2592000
#define JWT_LIFETIME_DEFAULT 36000

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
    {"leeway", "Period in seconds where the previous refresh token can be exchanged without "
               "triggering breach detection",
     false},
    {"token_lifetime", "Period (in seconds) for which refresh tokens will remain valid", false},
    {"idle_token_lifetime",
     "Period (in seconds) for which refresh tokens will remain valid without use", false},
    {"infinite_token_lifetime", "Prevents tokens from having a set lifetime when true", false},
    {"infinite_idle_token_lifetime",
     "Prevents tokens from expiring without use when true", false},
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

static const char *const app_types[] = {"native", "spa", "regular_web", "non_interactive", NULL};
static const char *const auth_methods[] = {"none", "client_secret_post", "client_secret_basic",
                                           NULL};
static const char *const grant_types[] = {"authorization_code",
                                          "implicit",
                                          "refresh_token",
                                          "client_credentials",
                                          "password",
                                          "http://auth0.com/oauth/grant-type/password-realm",
                                          NULL};
static const char *const jwt_algs[] = {"RS256", NULL};
static const char *const rotation_types[] = {"rotating", "non-rotating", NULL};
static const char *const expiration_types[] = {"expiring", "non-expiring", NULL};

/* Auth0's bounds: a lifetime of at most a year (365.25 days), a leeway of at most an hour. */
#define RT_LIFETIME_MAX 31557600
#define RT_LEEWAY_MAX 3600

static const char *str(const char *s)
{
    return s ? s : "";
}

static int set_str(char **dst, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return TSR_ENOMEM;
    free(*dst);
    *dst = copy;
    return 0;
}

static bool oom(struct tsr_mgmt_reader *rd)
{
    if (!rd->failed)
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
    rd->failed = true;
    return false;
}

static bool read_name(struct tsr_mgmt_reader *rd, struct tsr_client *c)
{
    if (!tsr_mgmt_read_string(rd, "name", 1, NAME_MAX_CHARS, &c->name))
        return false;
    if (tsr_mgmt_has(rd, "name") && strpbrk(c->name, "<>") != NULL)
        return tsr_mgmt_fail(rd, "name", "String does not match pattern: ^[^<>]+$");
    return true;
}

static bool read_metadata(struct tsr_mgmt_reader *rd, struct tsr_client *c)
{
    const json_t *obj = tsr_mgmt_get(rd, "client_metadata", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    if (json_object_size(obj) > METADATA_MAX_KEYS)
        return tsr_mgmt_fail(rd, "client_metadata",
                             "Too many properties defined (%zu), "
                             "maximum %d",
                             json_object_size(obj), METADATA_MAX_KEYS);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        char what[300];
        snprintf(what, sizeof what, "client_metadata.%.*s", 64, key);
        if (strlen(key) == 0 || strlen(key) > METADATA_MAX_CHARS)
            return tsr_mgmt_fail(rd, "client_metadata",
                                 "Property names must have 1 to %d "
                                 "characters",
                                 METADATA_MAX_CHARS);
        if (!tsr_mgmt_check_string(rd, what, v, 0, METADATA_MAX_CHARS))
            return false;
    }
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        return oom(rd);
    free(c->client_metadata);
    c->client_metadata = text;
    return true;
}

static bool read_jwt_configuration(struct tsr_mgmt_reader *rd, struct tsr_client *c)
{
    const json_t *obj = tsr_mgmt_get(rd, "jwt_configuration", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_mgmt_reader sub;
    char *alg = NULL;
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, jwt_props, "jwt_configuration") &&
              tsr_mgmt_read_enum(&sub, "alg", jwt_algs, &alg) &&
              tsr_mgmt_read_int(&sub, "lifetime_in_seconds", 1, JWT_LIFETIME_MAX,
                                &c->jwt_lifetime_in_seconds);
    free(alg);
    rd->failed = sub.failed;
    return ok;
}

/*
 * Auth0's dashboard gives a new SPA rotating refresh tokens that expire
 * (30 days absolute, 15 days idle): a browser is where a stolen token is
 * likeliest, and rotation with reuse detection limits what it is worth.
 */
static int set_spa_refresh_defaults(struct tsr_client *c)
{
    struct tsr_client_rt *rt = &c->refresh_token;
    int rc = set_str(&rt->rotation_type, "rotating");
    if (rc == 0)
        rc = set_str(&rt->expiration_type, "expiring");
    rt->leeway = 0;
    rt->token_lifetime = 2592000;
    rt->idle_token_lifetime = 1296000;
    rt->infinite_token_lifetime = false;
    rt->infinite_idle_token_lifetime = false;
    return rc;
}

static bool read_refresh_token(struct tsr_mgmt_reader *rd, struct tsr_client *c)
{
    const json_t *obj = tsr_mgmt_get(rd, "refresh_token", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_client_rt *rt = &c->refresh_token;
    struct tsr_mgmt_reader sub;
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, rt_props, "refresh_token") &&
              tsr_mgmt_read_enum(&sub, "rotation_type", rotation_types, &rt->rotation_type) &&
              tsr_mgmt_read_enum(&sub, "expiration_type", expiration_types,
                                 &rt->expiration_type) &&
              tsr_mgmt_read_int(&sub, "leeway", 0, RT_LEEWAY_MAX, &rt->leeway) &&
              tsr_mgmt_read_int(&sub, "token_lifetime", 1, RT_LIFETIME_MAX, &rt->token_lifetime) &&
              tsr_mgmt_read_int(&sub, "idle_token_lifetime", 1, RT_LIFETIME_MAX,
                                &rt->idle_token_lifetime) &&
              tsr_mgmt_read_bool(&sub, "infinite_token_lifetime", &rt->infinite_token_lifetime) &&
              tsr_mgmt_read_bool(&sub, "infinite_idle_token_lifetime",
                                 &rt->infinite_idle_token_lifetime);
    rd->failed = sub.failed;
    return ok;
}

static bool read_lists(struct tsr_mgmt_reader *rd, struct tsr_client *c)
{
    return tsr_mgmt_read_strlist(rd, "callbacks", URL_LIST_MAX, URL_MAX_CHARS, NULL,
                                 &c->callbacks) &&
           tsr_mgmt_read_strlist(rd, "allowed_logout_urls", URL_LIST_MAX, URL_MAX_CHARS, NULL,
                                 &c->allowed_logout_urls) &&
           tsr_mgmt_read_strlist(rd, "allowed_origins", URL_LIST_MAX, URL_MAX_CHARS, NULL,
                                 &c->allowed_origins) &&
           tsr_mgmt_read_strlist(rd, "web_origins", URL_LIST_MAX, URL_MAX_CHARS, NULL,
                                 &c->web_origins) &&
           tsr_mgmt_read_strlist(rd, "grant_types", 16, 100, grant_types, &c->grant_types);
}

static bool is_public(const char *app_type)
{
    return strcmp(app_type, "spa") == 0 || strcmp(app_type, "native") == 0;
}

/* Defaults of a new client that depend on what the body chose. */
static int set_defaults(const struct tsr_mgmt_reader *rd, struct tsr_client *c)
{
    const char *type = c->app_type ? c->app_type : "";
    int rc = 0;
    if (!tsr_mgmt_has(rd, "token_endpoint_auth_method"))
        rc = set_str(&c->token_endpoint_auth_method,
                     is_public(type) ? "none" : "client_secret_post");
    if (rc != 0 || tsr_mgmt_has(rd, "grant_types"))
        return rc;
    tsr_strlist_cleanup(&c->grant_types);
    if (strcmp(type, "non_interactive") == 0)
        return tsr_strlist_push(&c->grant_types, "client_credentials");
    static const char *const interactive[] = {"authorization_code", "implicit", "refresh_token"};
    for (size_t i = 0; i < 3 && rc == 0; i++)
        rc = tsr_strlist_push(&c->grant_types, interactive[i]);
    /* A public client cannot authenticate, so it never gets client_credentials. */
    if (rc == 0 && !is_public(type) && strcmp(str(c->token_endpoint_auth_method), "none") != 0)
        rc = tsr_strlist_push(&c->grant_types, "client_credentials");
    return rc;
}

/* Fields of a new client the body may leave out, set before reading it. */
static int set_base(struct tsr_client *c)
{
    c->is_first_party = true;
    c->oidc_conformant = true;
    c->is_system = false;
    c->jwt_lifetime_in_seconds = JWT_LIFETIME_DEFAULT;
    tsr_strlist_cleanup(&c->callbacks);
    tsr_strlist_cleanup(&c->allowed_origins);
    tsr_strlist_cleanup(&c->web_origins);
    tsr_strlist_cleanup(&c->allowed_logout_urls);
    int rc = set_str(&c->description, "");
    if (rc == 0)
        rc = set_str(&c->logo_uri, "");
    if (rc == 0)
        rc = set_str(&c->client_metadata, "{}");
    if (rc == 0 && c->app_type == NULL)
        rc = set_str(&c->app_type, "");
    if (rc == 0)
        rc = set_str(&c->secret_hash, "");
    return rc;
}

/* The record as a whole: checks that span properties. */
static bool check_client(struct tsr_mgmt_reader *rd, const struct tsr_client *c)
{
    enum tsr_mgmt_url_kind redirect =
        strcmp(str(c->app_type), "native") == 0 ? TSR_URL_REDIRECT_NATIVE : TSR_URL_REDIRECT;
    if (!tsr_mgmt_check_urls(rd, "callbacks", &c->callbacks, redirect) ||
        !tsr_mgmt_check_form_targets(rd, "callbacks", &c->callbacks) ||
        !tsr_mgmt_check_urls(rd, "allowed_logout_urls", &c->allowed_logout_urls, redirect) ||
        !tsr_mgmt_check_urls(rd, "allowed_origins", &c->allowed_origins, TSR_URL_ORIGIN) ||
        !tsr_mgmt_check_urls(rd, "web_origins", &c->web_origins, TSR_URL_ORIGIN))
        return false;
    const char *logo = str(c->logo_uri);
    const char *why = logo[0] ? tsr_mgmt_url_problem(logo, TSR_URL_HTTPS) : NULL;
    if (why != NULL)
        return tsr_mgmt_fail(rd, "logo_uri", "%s", why);
    if (strcmp(str(c->token_endpoint_auth_method), "none") == 0 &&
        tsr_strlist_contains(&c->grant_types, "client_credentials"))
        return tsr_mgmt_fail(rd, "grant_types",
                             "client_credentials needs a client secret: set "
                             "token_endpoint_auth_method to client_secret_post or "
                             "client_secret_basic");
    return true;
}

bool tsr_mgmt_client_apply(struct tsr_mgmt_reader *rd, struct tsr_client *c, bool creating)
{
    if (creating && set_base(c) != 0)
        return oom(rd);
    if (!read_name(rd, c) ||
        !tsr_mgmt_read_string(rd, "description", 0, DESCRIPTION_MAX_CHARS, &c->description) ||
        !tsr_mgmt_read_enum(rd, "app_type", app_types, &c->app_type) ||
        !tsr_mgmt_read_string(rd, "logo_uri", 0, URL_MAX_CHARS, &c->logo_uri) ||
        !tsr_mgmt_read_bool(rd, "is_first_party", &c->is_first_party) ||
        !tsr_mgmt_read_bool(rd, "oidc_conformant", &c->oidc_conformant) ||
        !tsr_mgmt_read_enum(rd, "token_endpoint_auth_method", auth_methods,
                            &c->token_endpoint_auth_method) ||
        !read_lists(rd, c) || !read_metadata(rd, c) || !read_jwt_configuration(rd, c))
        return false;
    if (creating && strcmp(str(c->app_type), "spa") == 0 && set_spa_refresh_defaults(c) != 0)
        return oom(rd);
    if (!read_refresh_token(rd, c))
        return false;
    if (creating && set_defaults(rd, c) != 0)
        return oom(rd);
    return check_client(rd, c);
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
        "{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:s, s:o,"
        " s:{s:s, s:I, s:b}}",
        "client_id", str(c->client_id), "tenant", str(req->tenant->t.friendly_name), "name",
        str(c->name), "description", str(c->description), "logo_uri", str(c->logo_uri),
        "is_first_party", c->is_first_party, "oidc_conformant", c->oidc_conformant, "callbacks",
        tsr_strlist_to_json(&c->callbacks), "allowed_origins",
        tsr_strlist_to_json(&c->allowed_origins), "web_origins",
        tsr_strlist_to_json(&c->web_origins), "allowed_logout_urls",
        tsr_strlist_to_json(&c->allowed_logout_urls), "grant_types",
        tsr_strlist_to_json(&c->grant_types), "token_endpoint_auth_method",
        str(c->token_endpoint_auth_method), "client_metadata", metadata_json(c->client_metadata),
        "jwt_configuration", "alg", "RS256", "lifetime_in_seconds",
        (json_int_t)c->jwt_lifetime_in_seconds, "secret_encoded", 0);
    if (o == NULL)
        return NULL;
    const struct tsr_client_rt *rt = &c->refresh_token;
    json_t *rtj = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:b}", "rotation_type",
                            str(rt->rotation_type), "expiration_type", str(rt->expiration_type),
                            "leeway", (json_int_t)rt->leeway, "token_lifetime",
                            (json_int_t)rt->token_lifetime, "idle_token_lifetime",
                            (json_int_t)rt->idle_token_lifetime, "infinite_token_lifetime",
                            rt->infinite_token_lifetime, "infinite_idle_token_lifetime",
                            rt->infinite_idle_token_lifetime);
    if (rtj == NULL || json_object_set_new(o, "refresh_token", rtj) != 0 ||
        add_optional(o, c, secret) != 0 || add_fixed(o) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
