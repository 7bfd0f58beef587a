/*
 * client_update.c - the rules of a client's settings (see
 * client_update.h), in the order Auth0 checks a body: name, app_type,
 * method, lists, JWT settings, refresh token settings, then the defaults
 * of a new client.
 */
#include "core/client_update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/input.h"
#include "util/err.h"
#include "util/secure.h"
#include "util/url_check.h"

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

static const char *str(const char *s)
{
    return s ? s : "";
}

/* Replaces *dst with a copy of src, when given. */
static int set_list(struct tsr_strlist *dst, const struct tsr_strlist *src)
{
    if (src == NULL)
        return 0;
    struct tsr_strlist copy = {0};
    for (size_t i = 0; i < src->n; i++)
        if (tsr_strlist_push(&copy, src->v[i]) != 0) {
            tsr_strlist_cleanup(&copy);
            return TSR_ENOMEM;
        }
    tsr_strlist_cleanup(dst);
    *dst = copy;
    return 0;
}

static int set_int(int64_t *dst, const char *field, bool has, int64_t v, int64_t min, int64_t max,
                   struct tsr_refusal *why)
{
    if (!has)
        return 0;
    int rc = tsr_patch_check_range(field, v, min, max, why);
    if (rc == 0)
        *dst = v;
    return rc;
}

int tsr_client_metadata_check(const json_t *obj, struct tsr_refusal *why)
{
    const char *key;
    json_t *v;
    if (json_object_size(obj) > TSR_CLIENT_METADATA_KEYS_MAX)
        return tsr_refuse(why, TSR_REFUSED_VALUE, "client_metadata",
                          "Too many properties defined (%zu), maximum %d", json_object_size(obj),
                          TSR_CLIENT_METADATA_KEYS_MAX);
    json_object_foreach((json_t *)obj, key, v)
    {
        char field[sizeof why->field];
        snprintf(field, sizeof field, "client_metadata.%.40s", key);
        if (strlen(key) == 0 || strlen(key) > TSR_CLIENT_METADATA_MAX)
            return tsr_refuse(why, TSR_REFUSED_VALUE, "client_metadata",
                              "Property names must have 1 to %d characters",
                              TSR_CLIENT_METADATA_MAX);
        if (!json_is_string(v))
            return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                              "Expected type string but found type %s", tsr_patch_type_name(v));
        int rc = tsr_patch_check_string(field, json_string_value(v), json_string_length(v), 0,
                                        TSR_CLIENT_METADATA_MAX, why);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void tsr_client_body_cleanup(struct tsr_client_body *b)
{
    tsr_strlist_cleanup(&b->callbacks);
    tsr_strlist_cleanup(&b->logout_urls);
    tsr_strlist_cleanup(&b->origins);
    tsr_strlist_cleanup(&b->web_origins);
    tsr_strlist_cleanup(&b->grant_types);
    free(b->metadata);
    b->metadata = NULL;
}

void tsr_client_patch_init(struct tsr_client_patch *p)
{
    memset(p, 0, sizeof *p);
    p->is_first_party = p->oidc_conformant = p->allow_implicit_access_tokens = TSR_PATCH_UNSET;
    p->refresh_token.infinite_token_lifetime = TSR_PATCH_UNSET;
    p->refresh_token.infinite_idle_token_lifetime = TSR_PATCH_UNSET;
}

int tsr_client_may_change(const struct tsr_client *c, struct tsr_refusal *why)
{
    tsr_refusal_clear(why);
    if (c->is_system)
        return tsr_refuse(why, TSR_REFUSED_FORBIDDEN, NULL, "The system client cannot be modified");
    return 0;
}

int tsr_client_may_delete(const struct tsr_client *c, struct tsr_refusal *why)
{
    tsr_refusal_clear(why);
    if (c->is_system)
        return tsr_refuse(why, TSR_REFUSED_FORBIDDEN, NULL, "The system client cannot be deleted");
    return 0;
}

int tsr_client_may_rotate_secret(const struct tsr_client *c, struct tsr_refusal *why)
{
    int rc = tsr_client_may_change(c, why);
    if (rc == 0 && tsr_client_is_public(c))
        rc = tsr_refuse(why, TSR_REFUSED_REQUEST, NULL,
                        "The client does not use a secret (token_endpoint_auth_method is none)");
    return rc;
}

/* Fields of a new client a patch may leave out, set before applying it. */
static int set_base(struct tsr_client *c)
{
    c->is_first_party = true;
    c->oidc_conformant = true;
    c->is_system = false;
    c->jwt_lifetime_in_seconds = TSR_CLIENT_JWT_LIFETIME_DEFAULT;
    tsr_strlist_cleanup(&c->callbacks);
    tsr_strlist_cleanup(&c->allowed_origins);
    tsr_strlist_cleanup(&c->web_origins);
    tsr_strlist_cleanup(&c->allowed_logout_urls);
    int rc = tsr_patch_set_str(&c->description, "");
    if (rc == 0)
        rc = tsr_patch_set_str(&c->logo_uri, "");
    if (rc == 0)
        rc = tsr_patch_set_str(&c->client_metadata, "{}");
    if (rc == 0 && c->app_type == NULL)
        rc = tsr_patch_set_str(&c->app_type, "");
    if (rc == 0)
        rc = tsr_patch_set_str(&c->secret_hash, "");
    return rc;
}

/*
 * Auth0's dashboard gives a new SPA rotating refresh tokens that expire
 * (30 days absolute, 15 days idle): a browser is where a stolen token is
 * likeliest, and rotation with reuse detection limits what it is worth.
 */
static int set_spa_refresh_defaults(struct tsr_client *c)
{
    struct tsr_client_rt *rt = &c->refresh_token;
    int rc = tsr_patch_set_str(&rt->rotation_type, "rotating");
    if (rc == 0)
        rc = tsr_patch_set_str(&rt->expiration_type, "expiring");
    rt->leeway = 0;
    rt->token_lifetime = 2592000;
    rt->idle_token_lifetime = 1296000;
    rt->infinite_token_lifetime = false;
    rt->infinite_idle_token_lifetime = false;
    return rc;
}

static bool public_type(const char *app_type)
{
    return strcmp(app_type, "spa") == 0 || strcmp(app_type, "native") == 0;
}

/* Defaults of a new client that depend on what the patch chose. */
static int set_defaults(const struct tsr_client_patch *p, struct tsr_client *c)
{
    const char *type = str(c->app_type);
    int rc = 0;
    if (p->token_endpoint_auth_method == NULL)
        rc = tsr_patch_set_str(&c->token_endpoint_auth_method,
                               public_type(type) ? "none" : "client_secret_post");
    if (rc != 0 || p->grant_types != NULL)
        return rc;
    tsr_strlist_cleanup(&c->grant_types);
    if (strcmp(type, "non_interactive") == 0)
        return tsr_strlist_push(&c->grant_types, "client_credentials");
    static const char *const interactive[] = {"authorization_code", "implicit", "refresh_token"};
    for (size_t i = 0; i < 3 && rc == 0; i++)
        rc = tsr_strlist_push(&c->grant_types, interactive[i]);
    /* A public client cannot authenticate, so it never gets client_credentials. */
    if (rc == 0 && !public_type(type) && strcmp(str(c->token_endpoint_auth_method), "none") != 0)
        rc = tsr_strlist_push(&c->grant_types, "client_credentials");
    return rc;
}

static int apply_strings(struct tsr_client *c, const struct tsr_client_patch *p,
                         struct tsr_refusal *why)
{
    int rc = 0;
    if (p->name != NULL && strpbrk(p->name, "<>") != NULL)
        return tsr_refuse(why, TSR_REFUSED_VALUE, "name",
                          "String does not match pattern: ^[^<>]+$");
    if (p->name != NULL)
        rc = tsr_patch_set_str(&c->name, p->name);
    if (rc == 0 && p->description != NULL)
        rc = tsr_patch_set_str(&c->description, p->description);
    if (rc == 0)
        rc = tsr_patch_set_enum(&c->app_type, "app_type", p->app_type, app_types, why);
    if (rc == 0 && p->logo_uri != NULL)
        rc = tsr_patch_set_str(&c->logo_uri, p->logo_uri);
    if (rc != 0)
        return rc;
    tsr_patch_set_bool(&c->is_first_party, p->is_first_party);
    tsr_patch_set_bool(&c->oidc_conformant, p->oidc_conformant);
    tsr_patch_set_bool(&c->allow_implicit_access_tokens, p->allow_implicit_access_tokens);
    return tsr_patch_set_enum(&c->token_endpoint_auth_method, "token_endpoint_auth_method",
                              p->token_endpoint_auth_method, auth_methods, why);
}

static int apply_lists(struct tsr_client *c, const struct tsr_client_patch *p,
                       struct tsr_refusal *why)
{
    for (size_t i = 0; p->grant_types != NULL && i < p->grant_types->n; i++) {
        if (tsr_patch_one_of(p->grant_types->v[i], grant_types))
            continue;
        char field[48];
        snprintf(field, sizeof field, "grant_types[%zu]", i);
        return tsr_refuse(why, TSR_REFUSED_VALUE, field, "No enum match for: \"%.100s\"",
                          p->grant_types->v[i]);
    }
    int rc = set_list(&c->callbacks, p->callbacks);
    if (rc == 0)
        rc = set_list(&c->allowed_logout_urls, p->allowed_logout_urls);
    if (rc == 0)
        rc = set_list(&c->allowed_origins, p->allowed_origins);
    if (rc == 0)
        rc = set_list(&c->web_origins, p->web_origins);
    if (rc == 0)
        rc = set_list(&c->grant_types, p->grant_types);
    if (rc == 0 && p->client_metadata != NULL)
        rc = tsr_patch_set_str(&c->client_metadata, p->client_metadata);
    return rc;
}

static int apply_jwt(struct tsr_client *c, const struct tsr_client_patch *p,
                     struct tsr_refusal *why)
{
    if (p->jwt_alg != NULL && !tsr_patch_one_of(p->jwt_alg, jwt_algs))
        return tsr_refuse(why, TSR_REFUSED_VALUE, "jwt_configuration.alg",
                          "No enum match for: \"%.100s\"", p->jwt_alg);
    return set_int(&c->jwt_lifetime_in_seconds, "jwt_configuration.lifetime_in_seconds",
                   p->has_jwt_lifetime, p->jwt_lifetime_in_seconds, 1, TSR_CLIENT_JWT_LIFETIME_MAX,
                   why);
}

static int apply_refresh_token(struct tsr_client *c, const struct tsr_client_rt_patch *p,
                               struct tsr_refusal *why)
{
    struct tsr_client_rt *rt = &c->refresh_token;
    int rc = tsr_patch_set_enum(&rt->rotation_type, "refresh_token.rotation_type", p->rotation_type,
                                rotation_types, why);
    if (rc == 0)
        rc = tsr_patch_set_enum(&rt->expiration_type, "refresh_token.expiration_type",
                                p->expiration_type, expiration_types, why);
    if (rc == 0)
        rc = set_int(&rt->leeway, "refresh_token.leeway", p->has_leeway, p->leeway, 0,
                     TSR_CLIENT_RT_LEEWAY_MAX, why);
    if (rc == 0)
        rc = set_int(&rt->token_lifetime, "refresh_token.token_lifetime", p->has_token_lifetime,
                     p->token_lifetime, 1, TSR_CLIENT_RT_LIFETIME_MAX, why);
    if (rc == 0)
        rc = set_int(&rt->idle_token_lifetime, "refresh_token.idle_token_lifetime",
                     p->has_idle_token_lifetime, p->idle_token_lifetime, 1,
                     TSR_CLIENT_RT_LIFETIME_MAX, why);
    if (rc != 0)
        return rc;
    tsr_patch_set_bool(&rt->infinite_token_lifetime, p->infinite_token_lifetime);
    tsr_patch_set_bool(&rt->infinite_idle_token_lifetime, p->infinite_idle_token_lifetime);
    return 0;
}

int tsr_client_apply_patch(struct tsr_client *c, const struct tsr_client_patch *p, bool creating,
                           struct tsr_refusal *why)
{
    tsr_refusal_clear(why);
    int rc = creating ? set_base(c) : 0;
    if (rc == 0)
        rc = apply_strings(c, p, why);
    if (rc == 0)
        rc = apply_lists(c, p, why);
    if (rc == 0)
        rc = apply_jwt(c, p, why);
    if (rc == 0 && creating && strcmp(str(c->app_type), "spa") == 0)
        rc = set_spa_refresh_defaults(c);
    if (rc == 0)
        rc = apply_refresh_token(c, &p->refresh_token, why);
    if (rc == 0 && creating)
        rc = set_defaults(p, c);
    return rc;
}

/* Each URL of l acceptable as kind, and, for form targets, by the login pages. */
static int check_urls(const char *name, const struct tsr_strlist *l, enum tsr_url_kind kind,
                      bool form_targets, struct tsr_refusal *why)
{
    for (int pass = 0; pass < (form_targets ? 2 : 1); pass++)
        for (size_t i = 0; i < l->n; i++) {
            const char *url = l->v[i];
            const char *problem =
                pass == 0 ? tsr_url_problem(url, kind) : tsr_page_form_target_problem(url);
            char field[64];
            snprintf(field, sizeof field, "%.40s[%zu]", name, i);
            if (problem != NULL)
                return tsr_refuse(why, TSR_REFUSED_VALUE, field, "%s: %.300s", problem, url);
        }
    return 0;
}

int tsr_client_check(const struct tsr_client *c, struct tsr_refusal *why)
{
    tsr_refusal_clear(why);
    enum tsr_url_kind redirect =
        strcmp(str(c->app_type), "native") == 0 ? TSR_URL_REDIRECT_NATIVE : TSR_URL_REDIRECT;
    const char *logo = str(c->logo_uri);
    const char *problem = logo[0] ? tsr_url_problem(logo, TSR_URL_HTTPS) : NULL;
    int rc = check_urls("callbacks", &c->callbacks, redirect, true, why);
    if (rc == 0)
        rc = check_urls("allowed_logout_urls", &c->allowed_logout_urls, redirect, false, why);
    if (rc == 0)
        rc = check_urls("allowed_origins", &c->allowed_origins, TSR_URL_ORIGIN, false, why);
    if (rc == 0)
        rc = check_urls("web_origins", &c->web_origins, TSR_URL_ORIGIN, false, why);
    if (rc == 0 && problem != NULL)
        rc = tsr_refuse(why, TSR_REFUSED_VALUE, "logo_uri", "%s", problem);
    if (rc != 0)
        return rc;
    if (strcmp(str(c->token_endpoint_auth_method), "none") == 0 &&
        tsr_strlist_contains(&c->grant_types, "client_credentials"))
        return tsr_refuse(why, TSR_REFUSED_VALUE, "grant_types",
                          "client_credentials needs a client secret: set "
                          "token_endpoint_auth_method to client_secret_post or "
                          "client_secret_basic");
    return 0;
}

int tsr_client_settle_secret(struct tsr_client *c)
{
    if (tsr_client_is_public(c))
        return tsr_patch_set_str(&c->secret_hash, "");
    if (c->secret_hash != NULL && c->secret_hash[0] != '\0')
        return 0;
    char *unused = NULL;
    int rc = tsr_client_new_secret(c, &unused);
    tsr_wipe_free_str(unused);
    return rc;
}
