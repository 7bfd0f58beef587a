/*
 * tenant_doc_sections.c - the sections of a tenant document and the
 * tenant's records keyed as a document keys them (tenant_doc_sections.h).
 */
#include "core/tenant_doc_sections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tenant_doc.h"
#include "util/err.h"

static const char *const api_known[] = {"name",
                                        "identifier",
                                        "scopes",
                                        "signing_alg",
                                        "token_lifetime",
                                        "token_lifetime_for_web",
                                        "allow_offline_access",
                                        "skip_consent_for_verifiable_first_party_clients",
                                        "enforce_policies",
                                        "token_dialect",
                                        NULL};
static const char *const client_known[] = {"name",
                                           "description",
                                           "app_type",
                                           "logo_uri",
                                           "is_first_party",
                                           "oidc_conformant",
                                           "allow_implicit_access_tokens",
                                           "token_endpoint_auth_method",
                                           "grant_types",
                                           "callbacks",
                                           "allowed_origins",
                                           "web_origins",
                                           "allowed_logout_urls",
                                           "client_metadata",
                                           "jwt_configuration",
                                           "refresh_token",
                                           NULL};
static const char *const client_nested[] = {"jwt_configuration", "refresh_token", NULL};
static const char *const database_known[] = {
    "name", "strategy", "display_name", "enabled_clients", "options", NULL};
static const char *const database_nested[] = {"options", NULL};
static const char *const grant_known[] = {"client_id", "audience", "scope", NULL};
static const char *const role_known[] = {"name", "description", "permissions", NULL};
static const char *const none[] = {NULL};

const struct tsr_doc_section tsr_doc_sections[TSR_DOC_NSECTIONS] = {
    [TSR_DOC_APIS] = {"resourceServers", api_known, none},
    [TSR_DOC_CLIENTS] = {"clients", client_known, client_nested},
    [TSR_DOC_DATABASES] = {"databases", database_known, database_nested},
    [TSR_DOC_GRANTS] = {"clientGrants", grant_known, none},
    [TSR_DOC_ROLES] = {"roles", role_known, none},
};

const char *const tsr_doc_tenant_known[] = {"friendly_name",
                                            "default_audience",
                                            "default_directory",
                                            "session_lifetime",
                                            "idle_session_lifetime",
                                            "allowed_logout_urls",
                                            NULL};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static json_t **sorted(json_t *arr, size_t *n)
{
    *n = json_array_size(arr);
    json_t **v = calloc(*n ? *n : 1, sizeof *v);
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

void tsr_doc_sort_strings(json_t *arr)
{
    size_t n;
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (!json_is_string(json_array_get(arr, i)))
            return;
    json_t **v = sorted(arr, &n);
    if (v == NULL)
        return;
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

char *tsr_doc_item_key(size_t section, const json_t *item)
{
    const char *a, *b = NULL;
    char *key = NULL;
    switch (section) {
    case TSR_DOC_APIS:
        a = json_string_value(json_object_get(item, "identifier"));
        break;
    case TSR_DOC_GRANTS:
        a = json_string_value(json_object_get(item, "client_id"));
        b = json_string_value(json_object_get(item, "audience"));
        if (a == NULL || b == NULL)
            return NULL;
        break;
    default:
        a = json_string_value(json_object_get(item, "name"));
        break;
    }
    if (a == NULL || a[0] == '\0')
        return NULL;
    if (b == NULL)
        return strdup(a);
    size_t len = strlen(a) + strlen(b) + 5;
    key = malloc(len);
    if (key != NULL)
        snprintf(key, len, "%s -> %s", a, b);
    return key;
}

bool tsr_doc_index_is_management(const struct tsr_doc_index *ix, const char *name)
{
    return name != NULL && json_object_get(ix->management, name) != NULL;
}

const char *tsr_doc_index_client_name(const struct tsr_doc_index *ix, const char *client_id)
{
    for (size_t i = 0; i < ix->nclients; i++)
        if (strcmp(ix->clients[i].client_id, client_id) == 0)
            return ix->clients[i].is_system || tsr_doc_index_is_management(ix, ix->clients[i].name)
                       ? NULL
                       : ix->clients[i].name;
    return NULL;
}

/* Adds item under its key with id; notes a second record with the same key. */
static int add(struct tsr_doc_index *ix, size_t s, json_t *item, const char *id)
{
    if (item == NULL)
        return TSR_ENOMEM;
    char *key = tsr_doc_item_key(s, item);
    int rc = 0;
    if (key == NULL) {
        json_decref(item);
        return 0; /* a record without a name has no place in a document */
    }
    if (json_object_get(ix->items[s], key) != NULL) {
        if (ix->dup[0] == '\0')
            snprintf(ix->dup, sizeof ix->dup, "%s: %.200s", tsr_doc_sections[s].name, key);
        json_decref(item);
    } else if (json_object_set_new(ix->items[s], key, item) != 0 ||
               json_object_set_new(ix->ids[s], key, json_string(id)) != 0) {
        rc = TSR_ENOMEM;
    }
    free(key);
    return rc;
}

/* Fills ix->management: the applications granted the Management API, by name. */
static int index_management(struct tsr_doc_index *ix)
{
    json_t *ids = ix->management_ids;
    int rc = 0;
    for (size_t i = 0; rc == 0 && ix->system_api != NULL && i < ix->ngrants; i++)
        if (strcmp(ix->grants[i].audience, ix->system_api) == 0 &&
            json_object_set_new(ids, ix->grants[i].client_id, json_true()) != 0)
            rc = TSR_ENOMEM;
    for (size_t i = 0; rc == 0 && i < ix->nclients; i++) {
        const struct tsr_client *c = &ix->clients[i];
        if (!c->is_system && json_object_get(ids, c->client_id) != NULL &&
            json_object_get(ix->management, c->name) == NULL &&
            json_object_set_new(ix->management, c->name, json_string(c->client_id)) != 0)
            rc = TSR_ENOMEM;
    }
    return rc;
}

static int load_records(tsr_store *st, const char *tenant_id, struct tsr_doc_index *ix)
{
    size_t skipped = 0;
    int64_t total = 0;
    int rc = tsr_client_list_tenant(st, tenant_id, &ix->clients, &ix->nclients, &skipped);
    if (rc == 0)
        rc = tsr_api_list_tenant(st, tenant_id, &ix->apis, &ix->napis, &skipped);
    if (rc == 0)
        rc = tsr_grant_list_tenant(st, tenant_id, &ix->grants, &ix->ngrants, &skipped);
    if (rc == 0)
        rc = tsr_connection_list(st, tenant_id, NULL, NULL, 0, TSR_DOC_SECTION_MAX, &ix->conns,
                                 &ix->nconns, &total);
    if (rc == 0)
        rc = tsr_role_list(st, tenant_id, NULL, 0, TSR_DOC_SECTION_MAX, &ix->roles, &ix->nroles,
                           &total);
    return rc;
}

int tsr_doc_index_load(tsr_store *st, const char *tenant_id, struct tsr_doc_index *ix)
{
    memset(ix, 0, sizeof *ix);
    ix->tenant_id = tenant_id;
    for (size_t s = 0; s < TSR_DOC_NSECTIONS; s++) {
        ix->items[s] = json_object();
        ix->ids[s] = json_object();
        if (ix->items[s] == NULL || ix->ids[s] == NULL) {
            tsr_doc_index_cleanup(ix);
            return TSR_ENOMEM;
        }
    }
    ix->management = json_object();
    ix->management_ids = json_object();
    int rc = ix->management && ix->management_ids ? load_records(st, tenant_id, ix) : TSR_ENOMEM;
    for (size_t i = 0; rc == 0 && i < ix->napis; i++) {
        if (ix->apis[i].is_system) {
            free(ix->system_api);
            ix->system_api = strdup(ix->apis[i].identifier);
            rc = ix->system_api ? 0 : TSR_ENOMEM;
        } else {
            rc = add(ix, TSR_DOC_APIS, tsr_doc_api_json(&ix->apis[i]), ix->apis[i].id);
        }
    }
    if (rc == 0)
        rc = index_management(ix);
    for (size_t i = 0; rc == 0 && i < ix->nclients; i++) {
        const struct tsr_client *c = &ix->clients[i];
        if (c->is_system || tsr_doc_index_is_management(ix, c->name)) {
            if (!c->is_system && json_object_get(ix->management_ids, c->client_id) == NULL &&
                ix->dup[0] == '\0')
                snprintf(ix->dup, sizeof ix->dup,
                         "clients: %.200s, also an application granted "
                         "the Management API",
                         c->name);
            continue;
        }
        rc = add(ix, TSR_DOC_CLIENTS, tsr_doc_client_json(c), c->client_id);
    }
    for (size_t i = 0; rc == 0 && i < ix->nconns; i++)
        rc =
            add(ix, TSR_DOC_DATABASES, tsr_doc_connection_json(&ix->conns[i], ix), ix->conns[i].id);
    for (size_t i = 0; rc == 0 && i < ix->ngrants; i++) {
        const struct tsr_grant *g = &ix->grants[i];
        const char *name = tsr_doc_index_client_name(ix, g->client_id);
        if (name == NULL || (ix->system_api && strcmp(g->audience, ix->system_api) == 0))
            continue; /* the Management API's own access is no part of a document */
        rc = add(ix, TSR_DOC_GRANTS, tsr_doc_grant_json(g, name), g->id);
    }
    for (size_t i = 0; rc == 0 && i < ix->nroles; i++)
        rc = add(ix, TSR_DOC_ROLES, tsr_doc_role_json(st, &ix->roles[i]), ix->roles[i].id);
    if (rc != 0)
        tsr_doc_index_cleanup(ix);
    return rc;
}

void tsr_doc_index_cleanup(struct tsr_doc_index *ix)
{
    tsr_client_list_free(ix->clients, ix->nclients);
    tsr_api_list_free(ix->apis, ix->napis);
    tsr_connection_list_free(ix->conns, ix->nconns);
    tsr_grant_list_free(ix->grants, ix->ngrants);
    tsr_role_list_free(ix->roles, ix->nroles);
    free(ix->system_api);
    json_decref(ix->management);
    json_decref(ix->management_ids);
    for (size_t s = 0; s < TSR_DOC_NSECTIONS; s++) {
        json_decref(ix->items[s]);
        json_decref(ix->ids[s]);
    }
    memset(ix, 0, sizeof *ix);
}

json_t *tsr_doc_index_section(const struct tsr_doc_index *ix, size_t section)
{
    json_t *keys = json_array(), *out = json_array();
    const char *key;
    json_t *item;
    size_t n = 0;
    json_t **v = NULL;
    if (keys == NULL || out == NULL)
        goto fail;
    json_object_foreach(ix->items[section], key,
                        item) if (json_array_append_new(keys, json_string(key)) != 0) goto fail;
    if ((v = sorted(keys, &n)) == NULL)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (json_array_append(out, json_object_get(ix->items[section], json_string_value(v[i]))) !=
            0)
            goto fail;
    for (size_t i = 0; i < n; i++)
        json_decref(v[i]);
    free(v);
    json_decref(keys);
    return out;
fail:
    if (v != NULL) {
        for (size_t i = 0; i < n; i++)
            json_decref(v[i]);
        free(v);
    }
    json_decref(keys);
    json_decref(out);
    return NULL;
}
