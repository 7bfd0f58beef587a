/*
 * tenant_doc_records.c - a document's applications and APIs written
 * through the patches the Management API uses (core/client_update.h,
 * core/api_update.h), with the same checks and the same side effects: a
 * new application is enabled on every connection, a switch to a public
 * client revokes its refresh tokens, the secret follows the method.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api_update.h"
#include "core/client_update.h"
#include "core/connection.h"
#include "core/refresh_token.h"
#include "core/tenant_doc_read.h"
#include "util/clock.h"
#include "util/err.h"

bool tsr_doc_fail(const struct tsr_doc_rd *rd, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(rd->err, rd->errlen, "%s: %s", rd->where, msg);
    return false;
}

bool tsr_doc_refused(const struct tsr_doc_rd *rd, const struct tsr_refusal *why)
{
    if (why->field[0] != '\0')
        return tsr_doc_fail(rd, "%s: %s", why->field, why->message);
    return tsr_doc_fail(rd, "%s", why->message);
}

static const char *type_name(const json_t *v)
{
    static const char *const names[] = {"mapping", "list", "string", "integer",
                                        "number",  "true", "false",  "null"};
    return names[json_typeof(v)];
}

bool tsr_doc_str(const struct tsr_doc_rd *rd, const json_t *o, const char *key, size_t min,
                 size_t max, const char **out)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL)
        return true;
    if (!json_is_string(v))
        return tsr_doc_fail(rd, "%s: a string is expected, not a %s", key, type_name(v));
    struct tsr_refusal why;
    if (tsr_patch_check_string(key, json_string_value(v), json_string_length(v), min, max, &why) !=
        0)
        return tsr_doc_refused(rd, &why);
    *out = json_string_value(v);
    return true;
}

bool tsr_doc_bool(const struct tsr_doc_rd *rd, const json_t *o, const char *key,
                  enum tsr_patch_bool *out)
{
    const json_t *v = json_object_get(o, key);
    *out = TSR_PATCH_UNSET;
    if (v == NULL)
        return true;
    if (!json_is_boolean(v))
        return tsr_doc_fail(rd, "%s: true or false is expected, not a %s", key, type_name(v));
    *out = json_is_true(v) ? TSR_PATCH_TRUE : TSR_PATCH_FALSE;
    return true;
}

bool tsr_doc_int(const struct tsr_doc_rd *rd, const json_t *o, const char *key, int64_t min,
                 int64_t max, bool *has, int64_t *out)
{
    const json_t *v = json_object_get(o, key);
    *has = false;
    if (v == NULL)
        return true;
    if (!json_is_integer(v))
        return tsr_doc_fail(rd, "%s: an integer is expected, not a %s", key, type_name(v));
    int64_t n = json_integer_value(v);
    if (n < min || n > max)
        return tsr_doc_fail(rd, "%s: must be %lld to %lld", key, (long long)min, (long long)max);
    *has = true;
    *out = n;
    return true;
}

bool tsr_doc_strlist(const struct tsr_doc_rd *rd, const json_t *o, const char *key, size_t maxn,
                     size_t maxlen, struct tsr_strlist *out, bool *has)
{
    const json_t *v = json_object_get(o, key);
    *has = false;
    tsr_strlist_cleanup(out);
    if (v == NULL)
        return true;
    if (!json_is_array(v))
        return tsr_doc_fail(rd, "%s: a list is expected, not a %s", key, type_name(v));
    if (json_array_size(v) > maxn)
        return tsr_doc_fail(rd, "%s: at most %zu items", key, maxn);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        struct tsr_refusal why;
        char what[64];
        snprintf(what, sizeof what, "%.40s[%zu]", key, i);
        if (!json_is_string(item))
            return tsr_doc_fail(rd, "%s: a string is expected, not a %s", what, type_name(item));
        if (tsr_patch_check_string(what, json_string_value(item), json_string_length(item), 1,
                                   maxlen, &why) != 0)
            return tsr_doc_refused(rd, &why);
        if (tsr_strlist_push(out, json_string_value(item)) != 0)
            return tsr_doc_fail(rd, "out of memory");
    }
    struct tsr_refusal why;
    if (tsr_patch_check_unique(key, (const char *const *)out->v, out->n, &why) != 0)
        return tsr_doc_refused(rd, &why);
    *has = true;
    return true;
}

/* ---- APIs ---- */

struct api_body {
    struct tsr_api_patch p;
    const char *given[16];
    struct tsr_api_scope *scopes;
    size_t nscopes;
};

static bool read_scopes(const struct tsr_doc_rd *rd, const json_t *item, struct api_body *b)
{
    const json_t *v = json_object_get(item, "scopes");
    if (v == NULL)
        return true;
    if (!json_is_array(v) || json_array_size(v) > TSR_API_SCOPES_MAX)
        return tsr_doc_fail(rd, "scopes: a list of at most %d scopes is expected",
                            TSR_API_SCOPES_MAX);
    b->scopes = calloc(json_array_size(v) + 1, sizeof *b->scopes);
    if (b->scopes == NULL)
        return tsr_doc_fail(rd, "out of memory");
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s)
    {
        const char *value = NULL, *desc = NULL;
        char where[64];
        snprintf(where, sizeof where, "scopes[%zu]", i);
        if (!json_is_object(s))
            return tsr_doc_fail(rd, "%s: a mapping with value and description is expected", where);
        if (!tsr_doc_str(rd, s, "value", 1, TSR_API_SCOPE_VALUE_MAX, &value) ||
            !tsr_doc_str(rd, s, "description", 0, TSR_API_SCOPE_DESCRIPTION_MAX, &desc))
            return false;
        if (value == NULL)
            return tsr_doc_fail(rd, "%s.value is missing", where);
        b->scopes[i].value = (char *)value;
        b->scopes[i].description = (char *)(desc ? desc : "");
    }
    b->nscopes = json_array_size(v);
    b->p.has_scopes = true;
    b->p.scopes = b->scopes;
    b->p.nscopes = b->nscopes;
    return true;
}

static bool read_api(const struct tsr_doc_rd *rd, const json_t *item, bool creating,
                     struct api_body *b)
{
    struct tsr_api_patch *p = &b->p;
    const char *ignored = NULL;
    if (!tsr_doc_str(rd, item, "name", 1, TSR_API_NAME_MAX, &p->name) ||
        !tsr_doc_str(rd, item, "identifier", 1, TSR_API_IDENTIFIER_MAX, &ignored) ||
        !tsr_doc_str(rd, item, "signing_alg", 1, 16, &p->signing_alg) ||
        !tsr_doc_str(rd, item, "token_dialect", 1, 64, &p->token_dialect) ||
        !tsr_doc_int(rd, item, "token_lifetime", INT64_MIN, INT64_MAX, &p->has_token_lifetime,
                     &p->token_lifetime) ||
        !tsr_doc_int(rd, item, "token_lifetime_for_web", INT64_MIN, INT64_MAX,
                     &p->has_token_lifetime_for_web, &p->token_lifetime_for_web) ||
        !tsr_doc_bool(rd, item, "allow_offline_access", &p->allow_offline_access) ||
        !tsr_doc_bool(rd, item, "skip_consent_for_verifiable_first_party_clients",
                      &p->skip_consent_for_verifiable_first_party_clients) ||
        !tsr_doc_bool(rd, item, "enforce_policies", &p->enforce_policies) ||
        !read_scopes(rd, item, b))
        return false;
    /* The identifier names the record; it is given only when creating (it never changes). */
    if (creating) {
        p->has_identifier = true;
        p->identifier = ignored;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)item, key, v)
    {
        if (b->p.ngiven == sizeof b->given / sizeof b->given[0])
            break;
        if ((creating || strcmp(key, "identifier") != 0) && strcmp(key, "signing_secret") != 0)
            b->given[b->p.ngiven++] = key;
    }
    p->given = b->given;
    return true;
}

int tsr_doc_put_api(const struct tsr_doc_apply_ctx *x, const struct tsr_doc_rd *rd,
                    const json_t *item, const char *id)
{
    struct api_body b;
    struct tsr_api a = {0};
    struct tsr_refusal why;
    bool creating = id == NULL;
    int rc;
    memset(&b, 0, sizeof b);
    tsr_refusal_clear(&why);
    if (!read_api(rd, item, creating, &b)) {
        rc = TSR_EINVAL;
        goto done;
    }
    rc = creating ? tsr_api_init_new(&a, x->tenant_id) : tsr_api_get(x->st, x->tenant_id, id, &a);
    if (rc == 0 && !creating)
        rc = tsr_api_patch_permitted(&a, &b.p, &why);
    if (rc == 0)
        rc = tsr_api_apply_patch(&a, &b.p, creating, x->master_key, &why);
    if (rc == TSR_EINVAL) {
        tsr_doc_refused(rd, &why);
        goto done;
    }
    if (rc == 0) {
        a.updated_at = tsr_clock_now();
        rc = creating ? tsr_api_insert(x->st, &a) : tsr_api_update(x->st, &a);
        if (rc == TSR_ECONFLICT) {
            tsr_doc_fail(rd, "an API with this identifier exists");
            rc = TSR_EINVAL;
        }
    }
done:
    free(b.scopes);
    tsr_api_cleanup(&a);
    return rc;
}

/* ---- applications ---- */

static bool read_list(const struct tsr_doc_rd *rd, const json_t *item, const char *key, size_t maxn,
                      size_t maxlen, struct tsr_strlist *l, const struct tsr_strlist **out)
{
    bool has = false;
    if (!tsr_doc_strlist(rd, item, key, maxn, maxlen, l, &has))
        return false;
    *out = has ? l : NULL;
    return true;
}

static bool read_metadata(const struct tsr_doc_rd *rd, const json_t *item,
                          struct tsr_client_body *b)
{
    struct tsr_refusal why;
    const json_t *v = json_object_get(item, "client_metadata");
    if (v == NULL)
        return true;
    if (!json_is_object(v))
        return tsr_doc_fail(rd, "client_metadata: a mapping is expected, not a %s", type_name(v));
    if (tsr_client_metadata_check(v, &why) != 0)
        return tsr_doc_refused(rd, &why);
    b->metadata = json_dumps(v, JSON_COMPACT);
    if (b->metadata == NULL)
        return tsr_doc_fail(rd, "out of memory");
    b->p.client_metadata = b->metadata;
    return true;
}

static bool read_nested(const struct tsr_doc_rd *rd, const json_t *item, struct tsr_client_body *b)
{
    const json_t *jwt = json_object_get(item, "jwt_configuration");
    const json_t *rt = json_object_get(item, "refresh_token");
    struct tsr_client_rt_patch *r = &b->p.refresh_token;
    if ((jwt != NULL && !json_is_object(jwt)) || (rt != NULL && !json_is_object(rt)))
        return tsr_doc_fail(rd, "jwt_configuration and refresh_token must be mappings");
    return tsr_doc_str(rd, jwt, "alg", 1, 16, &b->p.jwt_alg) &&
           tsr_doc_int(rd, jwt, "lifetime_in_seconds", INT64_MIN, INT64_MAX, &b->p.has_jwt_lifetime,
                       &b->p.jwt_lifetime_in_seconds) &&
           tsr_doc_str(rd, rt, "rotation_type", 1, 32, &r->rotation_type) &&
           tsr_doc_str(rd, rt, "expiration_type", 1, 32, &r->expiration_type) &&
           tsr_doc_int(rd, rt, "leeway", INT64_MIN, INT64_MAX, &r->has_leeway, &r->leeway) &&
           tsr_doc_int(rd, rt, "token_lifetime", INT64_MIN, INT64_MAX, &r->has_token_lifetime,
                       &r->token_lifetime) &&
           tsr_doc_int(rd, rt, "idle_token_lifetime", INT64_MIN, INT64_MAX,
                       &r->has_idle_token_lifetime, &r->idle_token_lifetime) &&
           tsr_doc_bool(rd, rt, "infinite_token_lifetime", &r->infinite_token_lifetime) &&
           tsr_doc_bool(rd, rt, "infinite_idle_token_lifetime", &r->infinite_idle_token_lifetime);
}

static bool read_client(const struct tsr_doc_rd *rd, const json_t *item, struct tsr_client_body *b)
{
    struct tsr_client_patch *p = &b->p;
    tsr_client_patch_init(p);
    return tsr_doc_str(rd, item, "name", 1, TSR_CLIENT_NAME_MAX, &p->name) &&
           tsr_doc_str(rd, item, "description", 0, TSR_CLIENT_DESCRIPTION_MAX, &p->description) &&
           tsr_doc_str(rd, item, "app_type", 0, 32, &p->app_type) &&
           tsr_doc_str(rd, item, "logo_uri", 0, TSR_CLIENT_URL_MAX, &p->logo_uri) &&
           tsr_doc_bool(rd, item, "is_first_party", &p->is_first_party) &&
           tsr_doc_bool(rd, item, "oidc_conformant", &p->oidc_conformant) &&
           tsr_doc_bool(rd, item, "allow_implicit_access_tokens",
                        &p->allow_implicit_access_tokens) &&
           tsr_doc_str(rd, item, "token_endpoint_auth_method", 1, 32,
                       &p->token_endpoint_auth_method) &&
           read_list(rd, item, "callbacks", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX, &b->callbacks,
                     &p->callbacks) &&
           read_list(rd, item, "allowed_logout_urls", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX,
                     &b->logout_urls, &p->allowed_logout_urls) &&
           read_list(rd, item, "allowed_origins", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX,
                     &b->origins, &p->allowed_origins) &&
           read_list(rd, item, "web_origins", TSR_CLIENT_URLS_MAX, TSR_CLIENT_URL_MAX,
                     &b->web_origins, &p->web_origins) &&
           read_list(rd, item, "grant_types", TSR_CLIENT_GRANT_TYPES_MAX, TSR_CLIENT_GRANT_TYPE_MAX,
                     &b->grant_types, &p->grant_types) &&
           read_metadata(rd, item, b) && read_nested(rd, item, b);
}

/* Inserts a new client enabled on every connection, as POST /api/v2/clients does. */
static int insert_client(const struct tsr_doc_apply_ctx *x, const struct tsr_client *c,
                         bool have_databases)
{
    int rc = tsr_client_insert(x->st, c);
    /* A document's databases name their clients themselves; without them, every connection. */
    if (rc == 0 && !have_databases)
        rc = tsr_connection_enable_client(x->st, c->tenant_id, c->client_id);
    return rc;
}

int tsr_doc_put_client(const struct tsr_doc_apply_ctx *x, const struct tsr_doc_rd *rd,
                       const json_t *item, const char *id, bool have_databases)
{
    struct tsr_client_body b;
    struct tsr_client c = {0};
    struct tsr_refusal why;
    bool creating = id == NULL;
    char old_method[32] = "";
    int rc;
    memset(&b, 0, sizeof b);
    tsr_refusal_clear(&why);
    if (!read_client(rd, item, &b)) {
        rc = TSR_EINVAL;
        goto done;
    }
    rc = creating ? tsr_client_init_new(&c, x->tenant_id)
                  : tsr_client_get(x->st, x->tenant_id, id, &c);
    if (rc == 0 && !creating) {
        snprintf(old_method, sizeof old_method, "%s", c.token_endpoint_auth_method);
        rc = tsr_client_may_change(&c, &why);
    }
    if (rc == 0)
        rc = tsr_client_apply_patch(&c, &b.p, creating, &why);
    if (rc == 0)
        rc = tsr_client_check(&c, &why);
    if (rc == TSR_EINVAL) {
        tsr_doc_refused(rd, &why);
        goto done;
    }
    if (rc == 0)
        rc = tsr_client_settle_secret(&c);
    if (rc != 0)
        goto done;
    c.updated_at = tsr_clock_now();
    if (creating) {
        rc = insert_client(x, &c, have_databases);
    } else {
        rc = tsr_client_update(x->st, &c);
        if (rc == 0 && tsr_client_method_change_revokes(old_method, c.token_endpoint_auth_method))
            rc = tsr_refresh_token_revoke_client(x->st, c.tenant_id, c.client_id);
    }
done:
    tsr_client_body_cleanup(&b);
    tsr_client_cleanup(&c);
    return rc;
}
