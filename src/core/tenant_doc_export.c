/*
 * tenant_doc_export.c - a tenant's records as a Deploy CLI document
 * (tenant_doc.h).  Each section is sorted by its key, so that two exports
 * of the same tenant are the same text and a diff in version control
 * shows only what changed.  Never a secret: secret hashes, sealed signing
 * secrets and keys are not read into the document at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/grant.h"
#include "core/role.h"
#include "core/tenant.h"
#include "core/tenant_doc.h"
#include "core/tenant_doc_sections.h"
#include "util/err.h"

#define HOUR 3600

static const char *str(const char *s)
{
    return s != NULL ? s : "";
}

/* Sets key to s unless s is empty (Deploy CLI documents leave unset strings out). */
static int set_str_nonempty(json_t *o, const char *key, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return 0;
    return json_object_set_new(o, key, json_string(s)) == 0 ? 0 : TSR_ENOMEM;
}

static int set(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v) == 0 ? 0 : TSR_ENOMEM;
}

static json_t *hours(int64_t seconds)
{
    if (seconds % HOUR == 0)
        return json_integer(seconds / HOUR);
    return json_real((double)seconds / HOUR);
}

int tsr_doc_tenant_json(tsr_store *st, const char *tenant_id, json_t **out)
{
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    int rc = tsr_tenant_list(st, &list, &n);
    if (rc != 0)
        return rc;
    rc = TSR_ENOTFOUND;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].id, tenant_id) != 0)
            continue;
        const struct tsr_tenant *t = &list[i];
        json_t *o = json_object();
        rc = o ? 0 : TSR_ENOMEM;
        if (rc == 0)
            rc = set(o, "friendly_name", json_string(str(t->friendly_name)));
        if (rc == 0)
            rc = set_str_nonempty(o, "default_audience", t->default_audience);
        if (rc == 0)
            rc = set_str_nonempty(o, "default_directory", t->default_directory);
        if (rc == 0)
            rc = set(o, "session_lifetime", hours(t->session_lifetime));
        if (rc == 0)
            rc = set(o, "idle_session_lifetime", hours(t->idle_session_lifetime));
        if (rc == 0)
            rc = set(o, "allowed_logout_urls", tsr_strlist_to_json(&t->allowed_logout_urls));
        if (rc != 0)
            json_decref(o);
        else
            *out = o;
        break;
    }
    tsr_tenant_list_free(list, n);
    return rc;
}

json_t *tsr_doc_client_json(const struct tsr_client *c)
{
    json_t *o = json_object(), *meta = NULL;
    if (o == NULL)
        return NULL;
    if (c->client_metadata != NULL && c->client_metadata[0] != '\0')
        meta = json_loads(c->client_metadata, 0, NULL);
    const struct tsr_client_rt *rt = &c->refresh_token;
    int rc = set(o, "name", json_string(str(c->name)));
    if (rc == 0)
        rc = set_str_nonempty(o, "description", c->description);
    if (rc == 0)
        rc = set_str_nonempty(o, "app_type", c->app_type);
    if (rc == 0)
        rc = set_str_nonempty(o, "logo_uri", c->logo_uri);
    if (rc == 0)
        rc = set(o, "is_first_party", json_boolean(c->is_first_party));
    if (rc == 0)
        rc = set(o, "oidc_conformant", json_boolean(c->oidc_conformant));
    if (rc == 0)
        rc = set(o, "allow_implicit_access_tokens", json_boolean(c->allow_implicit_access_tokens));
    if (rc == 0)
        rc = set(o, "token_endpoint_auth_method", json_string(str(c->token_endpoint_auth_method)));
    if (rc == 0)
        rc = set(o, "grant_types", tsr_strlist_to_json(&c->grant_types));
    if (rc == 0)
        rc = set(o, "callbacks", tsr_strlist_to_json(&c->callbacks));
    if (rc == 0)
        rc = set(o, "allowed_origins", tsr_strlist_to_json(&c->allowed_origins));
    if (rc == 0)
        rc = set(o, "web_origins", tsr_strlist_to_json(&c->web_origins));
    if (rc == 0)
        rc = set(o, "allowed_logout_urls", tsr_strlist_to_json(&c->allowed_logout_urls));
    if (rc == 0 && json_is_object(meta) && json_object_size(meta) > 0) {
        rc = set(o, "client_metadata", meta);
        meta = NULL;
    }
    if (rc == 0)
        rc = set(o, "jwt_configuration",
                 json_pack("{s:s, s:I}", "alg", "RS256", "lifetime_in_seconds",
                           (json_int_t)c->jwt_lifetime_in_seconds));
    if (rc == 0)
        rc = set(o, "refresh_token",
                 json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:b}", "rotation_type",
                           str(rt->rotation_type), "expiration_type", str(rt->expiration_type),
                           "leeway", (json_int_t)rt->leeway, "token_lifetime",
                           (json_int_t)rt->token_lifetime, "idle_token_lifetime",
                           (json_int_t)rt->idle_token_lifetime, "infinite_token_lifetime",
                           rt->infinite_token_lifetime, "infinite_idle_token_lifetime",
                           rt->infinite_idle_token_lifetime));
    json_decref(meta);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tsr_doc_api_json(const struct tsr_api *a)
{
    json_t *scopes = json_array();
    for (size_t i = 0; scopes != NULL && i < a->nscopes; i++) {
        json_t *s = json_pack("{s:s, s:s}", "value", str(a->scopes[i].value), "description",
                              str(a->scopes[i].description));
        if (s == NULL || json_array_append_new(scopes, s) != 0) {
            json_decref(scopes);
            return NULL;
        }
    }
    if (scopes == NULL)
        return NULL;
    return json_pack("{s:s, s:s, s:o, s:s, s:I, s:I, s:b, s:b, s:b, s:s}", "name", str(a->name),
                     "identifier", str(a->identifier), "scopes", scopes, "signing_alg",
                     str(a->signing_alg), "token_lifetime", (json_int_t)a->token_lifetime,
                     "token_lifetime_for_web", (json_int_t)a->token_lifetime_for_web,
                     "allow_offline_access", a->allow_offline_access,
                     "skip_consent_for_verifiable_first_party_clients",
                     a->skip_consent_for_verifiable_first_party_clients, "enforce_policies",
                     a->enforce_policies, "token_dialect", str(a->token_dialect));
}

/* The names of the client ids in ids (an id of no client is left out). */
static json_t *client_names(const struct tsr_strlist *ids, const struct tsr_doc_index *ix)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < ids->n; i++) {
        const char *name = tsr_doc_index_client_name(ix, ids->v[i]);
        if (name != NULL && json_array_append_new(arr, json_string(name)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

json_t *tsr_doc_connection_json(const struct tsr_connection *c, const struct tsr_doc_index *ix)
{
    json_t *enabled = client_names(&c->enabled_clients, ix);
    if (enabled == NULL)
        return NULL;
    tsr_doc_sort_strings(enabled);
    json_t *o = json_pack("{s:s, s:s, s:o, s:{s:s, s:{s:I}, s:b, s:b, s:b}}", "name", str(c->name),
                          "strategy", str(c->strategy), "enabled_clients", enabled, "options",
                          "passwordPolicy", str(c->password_policy), "password_complexity_options",
                          "min_length", (json_int_t)c->password_min_length, "requires_username",
                          c->requires_username, "disable_signup", c->disable_signup,
                          "brute_force_protection", c->brute_force_protection);
    if (o != NULL && set_str_nonempty(o, "display_name", c->display_name) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tsr_doc_grant_json(const struct tsr_grant *g, const char *client_name)
{
    json_t *scope = tsr_strlist_to_json(&g->scope);
    if (scope == NULL)
        return NULL;
    tsr_doc_sort_strings(scope);
    return json_pack("{s:s, s:s, s:o}", "client_id", client_name, "audience", str(g->audience),
                     "scope", scope);
}

json_t *tsr_doc_role_json(tsr_store *st, const struct tsr_role *r)
{
    struct tsr_permission *perms = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (tsr_role_permissions(st, r->tenant_id, r->id, 0, TSR_DOC_SECTION_MAX, &perms, &n, &total) !=
        0)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *p = json_pack("{s:s, s:s}", "permission_name", str(perms[i].permission),
                              "resource_server_identifier", str(perms[i].audience));
        if (p == NULL || json_array_append_new(arr, p) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    tsr_permission_list_free(perms, n);
    if (arr == NULL)
        return NULL;
    json_t *o = json_pack("{s:s, s:o}", "name", str(r->name), "permissions", arr);
    if (o != NULL && set_str_nonempty(o, "description", r->description) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int tsr_tenant_doc_export(tsr_store *st, const char *tenant_id, json_t **out, char *err,
                          size_t errlen)
{
    struct tsr_doc_index ix;
    json_t *doc = json_object(), *t = NULL;
    *out = NULL;
    if (doc == NULL)
        return TSR_ENOMEM;
    int rc = tsr_doc_tenant_json(st, tenant_id, &t);
    if (rc == 0)
        rc = set(doc, "tenant", t);
    if (rc != 0) {
        json_decref(doc);
        return rc;
    }
    if ((rc = tsr_doc_index_load(st, tenant_id, &ix)) != 0) {
        json_decref(doc);
        return rc;
    }
    if (ix.dup[0] != '\0') {
        snprintf(
            err, errlen,
            "two records have the same name (%s): a document could not tell them apart; rename one",
            ix.dup);
        rc = TSR_ECONFLICT;
    }
    /* The Deploy CLI's order of sections. */
    static const size_t order[TSR_DOC_NSECTIONS] = {TSR_DOC_CLIENTS, TSR_DOC_DATABASES,
                                                    TSR_DOC_APIS, TSR_DOC_GRANTS, TSR_DOC_ROLES};
    for (size_t k = 0; k < TSR_DOC_NSECTIONS && rc == 0; k++) {
        size_t s = order[k];
        json_t *arr = tsr_doc_index_section(&ix, s);
        if (arr == NULL)
            rc = TSR_ENOMEM;
        else
            rc = set(doc, tsr_doc_sections[s].name, arr);
    }
    tsr_doc_index_cleanup(&ix);
    if (rc != 0) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}
