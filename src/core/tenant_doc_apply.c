/*
 * tenant_doc_apply.c - carries out a document's plan in one transaction
 * (tenant_doc.h): the tenant's settings, connections, client grants,
 * roles and deletions here; applications and APIs in
 * tenant_doc_records.c.  Names in the document (clients of a connection
 * or grant) are looked up after the applications are written, so a
 * document may create an application and grant it access at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/client_update.h"
#include "core/grant.h"
#include "core/rbac.h"
#include "core/tenant.h"
#include "core/tenant_doc_read.h"
#include "core/tenant_rules.h"
#include "core/tenant_set.h"
#include "util/clock.h"
#include "util/err.h"

struct run {
    struct tsr_doc_apply_ctx x;
    const struct tsr_doc_plan *plan;
    json_t *client_ids; /* name -> client_id, loaded once the applications are written */
    json_t *management; /* name -> client_id of the applications granted the Management API */
    bool have_databases;
};

/* Loads r->management (tenant_doc_sections.h): a document never names one of those. */
static int load_management(struct run *r)
{
    struct tsr_doc_index ix;
    int rc = tsr_doc_index_load(r->x.st, r->x.tenant_id, &ix);
    if (rc != 0)
        return rc;
    r->management = json_incref(ix.management);
    tsr_doc_index_cleanup(&ix);
    return 0;
}

/* Refuses name when it is an application granted the Management API. */
static bool not_management(struct run *r, const struct tsr_doc_rd *rd, const char *name)
{
    if (name == NULL || json_object_get(r->management, name) == NULL)
        return true;
    return tsr_doc_fail(rd,
                        "\"%.200s\" is granted the Management API: it holds the tenant's "
                        "Management credentials, which a document leaves out",
                        name);
}

/* name -> client_id of every application (the Management API's left out). */
static int load_client_ids(struct run *r)
{
    struct tsr_client *list = NULL;
    size_t n = 0, skipped = 0;
    json_decref(r->client_ids);
    r->client_ids = json_object();
    if (r->client_ids == NULL)
        return TSR_ENOMEM;
    int rc = tsr_client_list_tenant(r->x.st, r->x.tenant_id, &list, &n, &skipped);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!list[i].is_system && json_object_get(r->management, list[i].name) == NULL &&
            json_object_set_new(r->client_ids, list[i].name, json_string(list[i].client_id)) != 0)
            rc = TSR_ENOMEM;
    tsr_client_list_free(list, n);
    return rc;
}

static const char *client_id_of(struct run *r, const char *name)
{
    return json_string_value(json_object_get(r->client_ids, name));
}

/* ---- tenant ---- */

/* A lifetime in hours, as PATCH /api/v2/tenants/settings reads it (core/tenant_rules.h). */
static bool read_hours(const struct tsr_doc_rd *rd, const json_t *t, const char *key,
                       int64_t *seconds)
{
    struct tsr_refusal why;
    const json_t *v = json_object_get(t, key);
    if (v == NULL)
        return true;
    if (!json_is_number(v))
        return tsr_doc_fail(rd, "%s: a number of hours is expected", key);
    if (tsr_tenant_hours(key, json_number_value(v), seconds, &why) != 0)
        return tsr_doc_refused(rd, &why);
    return true;
}

static int put_tenant(struct run *r, const struct tsr_doc_rd *rd, const json_t *t)
{
    struct tsr_tenant *list = NULL, *ten = NULL;
    struct tsr_refusal why;
    size_t n = 0;
    const char *name = NULL, *aud = NULL, *dir = NULL;
    struct tsr_strlist urls = {0};
    bool has_urls = false;
    int rc = tsr_tenant_list(r->x.st, &list, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (strcmp(list[i].id, r->x.tenant_id) == 0)
            ten = &list[i];
    if (rc == 0 && ten == NULL)
        rc = TSR_ENOTFOUND;
    if (rc != 0)
        goto done;
    if (!tsr_doc_str(rd, t, "friendly_name", 1, TSR_TENANT_FRIENDLY_NAME_MAX, &name) ||
        !tsr_doc_str(rd, t, "default_audience", 0, TSR_TENANT_AUDIENCE_MAX, &aud) ||
        !tsr_doc_str(rd, t, "default_directory", 0, TSR_CONNECTION_NAME_MAX, &dir) ||
        !read_hours(rd, t, "session_lifetime", &ten->session_lifetime) ||
        !read_hours(rd, t, "idle_session_lifetime", &ten->idle_session_lifetime) ||
        !tsr_doc_strlist(rd, t, "allowed_logout_urls", TSR_TENANT_LOGOUT_URLS_MAX,
                         TSR_TENANT_URL_MAX, &urls, &has_urls)) {
        rc = TSR_EINVAL;
        goto done;
    }
    if ((name && (rc = tsr_patch_set_str(&ten->friendly_name, name)) != 0) ||
        (aud && (rc = tsr_patch_set_str(&ten->default_audience, aud)) != 0) ||
        (dir && (rc = tsr_patch_set_str(&ten->default_directory, dir)) != 0))
        goto done;
    if (has_urls) {
        tsr_strlist_cleanup(&ten->allowed_logout_urls);
        ten->allowed_logout_urls = urls;
        urls = (struct tsr_strlist){0};
    }
    /* What PATCH /api/v2/tenants/settings refuses, an apply refuses. */
    rc = tsr_tenant_settings_check(ten, &why);
    if (rc == 0)
        rc = tsr_tenant_references_check(r->x.st, ten, &why);
    if (rc == TSR_EINVAL)
        tsr_doc_refused(rd, &why);
    if (rc == 0)
        rc = tsr_tenant_update_settings(r->x.st, ten);
done:
    tsr_strlist_cleanup(&urls);
    tsr_tenant_list_free(list, n);
    return rc;
}

/* ---- databases (connections) ---- */

static bool read_options(const struct tsr_doc_rd *rd, const json_t *o, struct tsr_connection *c)
{
    struct tsr_refusal why;
    const char *policy = NULL;
    enum tsr_patch_bool b;
    bool has = false;
    int64_t min = 0;
    if (o == NULL)
        return true;
    if (!json_is_object(o))
        return tsr_doc_fail(rd, "options: a mapping is expected");
    /* null is a connection without a policy level, as POST /api/v2/connections reads it. */
    if (json_is_null(json_object_get(o, "passwordPolicy")))
        policy = "none";
    else if (!tsr_doc_str(rd, o, "passwordPolicy", 1, 16, &policy))
        return false;
    int rc = tsr_patch_set_enum(&c->password_policy, "options.passwordPolicy", policy,
                                tsr_connection_password_policies, &why);
    if (rc == TSR_EINVAL)
        return tsr_doc_refused(rd, &why);
    if (rc != 0)
        return tsr_doc_fail(rd, "out of memory");
    const json_t *pc = json_object_get(o, "password_complexity_options");
    if (pc != NULL && !json_is_object(pc))
        return tsr_doc_fail(rd, "options.password_complexity_options: a mapping is expected");
    if (!tsr_doc_int(rd, pc, "min_length", 1, TSR_CONNECTION_MIN_LENGTH_MAX, &has, &min))
        return false;
    if (has)
        c->password_min_length = min;
    if (!tsr_doc_bool(rd, o, "requires_username", &b))
        return false;
    tsr_patch_set_bool(&c->requires_username, b);
    if (!tsr_doc_bool(rd, o, "disable_signup", &b))
        return false;
    tsr_patch_set_bool(&c->disable_signup, b);
    if (!tsr_doc_bool(rd, o, "brute_force_protection", &b))
        return false;
    tsr_patch_set_bool(&c->brute_force_protection, b);
    return true;
}

/* The connection's clients become those item names, keeping the system client where it was. */
static bool read_enabled(struct run *r, const struct tsr_doc_rd *rd, const json_t *item,
                         struct tsr_connection *c)
{
    struct tsr_strlist names = {0}, ids = {0};
    bool has = false, ok = tsr_doc_strlist(rd, item, "enabled_clients",
                                           TSR_CONNECTION_ENABLED_CLIENTS_MAX, 255, &names, &has);
    for (size_t i = 0; ok && has && i < names.n; i++) {
        const char *id = client_id_of(r, names.v[i]);
        if (json_object_get(r->management, names.v[i]) != NULL)
            continue; /* stays enabled or not as it is: a document never changes those */
        if (id == NULL)
            ok =
                tsr_doc_fail(rd, "enabled_clients: no application is named \"%.200s\"", names.v[i]);
        else if (!tsr_strlist_contains(&ids, id) && tsr_strlist_push(&ids, id) != 0)
            ok = tsr_doc_fail(rd, "out of memory");
    }
    for (size_t i = 0; ok && has && i < c->enabled_clients.n; i++) {
        const char *id = c->enabled_clients.v[i];
        bool named = false;
        const char *key;
        json_t *v;
        json_object_foreach(r->client_ids, key, v) named =
            named || strcmp(json_string_value(v), id) == 0;
        if (!named && !tsr_strlist_contains(&ids, id) && tsr_strlist_push(&ids, id) != 0)
            ok = tsr_doc_fail(rd, "out of memory");
    }
    if (ok && has) {
        tsr_strlist_cleanup(&c->enabled_clients);
        c->enabled_clients = ids;
        ids = (struct tsr_strlist){0};
    }
    tsr_strlist_cleanup(&names);
    tsr_strlist_cleanup(&ids);
    return ok;
}

static int put_database(struct run *r, const struct tsr_doc_rd *rd, const json_t *item,
                        const char *id)
{
    struct tsr_connection c = {0};
    struct tsr_refusal why;
    const char *name = NULL, *strategy = NULL, *display = NULL;
    int rc = id ? tsr_connection_get(r->x.st, r->x.tenant_id, id, &c)
                : tsr_connection_init_new(&c, r->x.tenant_id);
    if (rc != 0)
        goto done;
    if (!tsr_doc_str(rd, item, "name", 1, TSR_CONNECTION_NAME_MAX, &name) ||
        !tsr_doc_str(rd, item, "strategy", 1, 64, &strategy) ||
        !tsr_doc_str(rd, item, "display_name", 0, TSR_CONNECTION_DISPLAY_NAME_MAX, &display)) {
        rc = TSR_EINVAL;
        goto done;
    }
    /* The rules POST /api/v2/connections applies (core/connection.h). */
    if ((rc = tsr_connection_name_check(name, &why)) != 0 ||
        (strategy != NULL && (rc = tsr_connection_strategy_check(strategy, &why)) != 0)) {
        tsr_doc_refused(rd, &why);
        goto done;
    }
    if ((rc = tsr_patch_set_str(&c.name, name)) != 0 ||
        (display && (rc = tsr_patch_set_str(&c.display_name, display)) != 0))
        goto done;
    if (!read_options(rd, json_object_get(item, "options"), &c) || !read_enabled(r, rd, item, &c)) {
        rc = TSR_EINVAL;
        goto done;
    }
    c.updated_at = tsr_clock_now();
    rc = id ? tsr_connection_update(r->x.st, &c) : tsr_connection_insert(r->x.st, &c);
    if (rc == TSR_ECONFLICT) {
        tsr_doc_fail(rd, "a connection with the same name exists");
        rc = TSR_EINVAL;
    }
done:
    tsr_connection_cleanup(&c);
    return rc;
}

/* ---- client grants ---- */

/*
 * The API audience names, outside the document's reach when it is the
 * Management API's own; each scope (a grant's) or the one permission (a
 * role's) must be one it defines, as the Management API checks
 * (core/grant.h, core/rbac.h).
 */
static int check_scopes(struct run *r, const struct tsr_doc_rd *rd, const char *audience,
                        const struct tsr_strlist *scopes, const char *permission)
{
    struct tsr_api a = {0};
    struct tsr_refusal why;
    int rc = tsr_api_get_by_identifier(r->x.st, r->x.tenant_id, audience, &a);
    if (rc == TSR_ENOTFOUND) {
        tsr_doc_fail(rd, "no API has the identifier %.200s", audience);
        rc = TSR_EINVAL;
    }
    if (rc == 0 && a.is_system) {
        tsr_doc_fail(rd, "the Management API's own grants are not part of a document");
        rc = TSR_EINVAL;
    }
    if (rc == 0 && (rc = permission ? tsr_rbac_permission_check(&a, permission, &why)
                                    : tsr_grant_scopes_check(&a, scopes, &why)) == TSR_EINVAL)
        tsr_doc_refused(rd, &why);
    tsr_api_cleanup(&a);
    return rc;
}

static int put_grant(struct run *r, const struct tsr_doc_rd *rd, const json_t *item, const char *id)
{
    struct tsr_grant g = {0};
    struct tsr_strlist scope = {0};
    const char *client = NULL, *audience = NULL;
    bool has = false;
    int rc = 0;
    if (!tsr_doc_str(rd, item, "client_id", 1, TSR_GRANT_CLIENT_ID_MAX, &client) ||
        !tsr_doc_str(rd, item, "audience", 1, TSR_GRANT_AUDIENCE_MAX, &audience) ||
        !tsr_doc_strlist(rd, item, "scope", TSR_GRANT_SCOPES_MAX, TSR_GRANT_SCOPE_MAX, &scope,
                         &has)) {
        rc = TSR_EINVAL;
        goto done;
    }
    const char *client_id = client_id_of(r, client);
    if (!not_management(r, rd, client)) {
        rc = TSR_EINVAL;
        goto done;
    }
    if (client_id == NULL) {
        tsr_doc_fail(rd, "client_id: no application is named \"%.200s\"", client);
        rc = TSR_EINVAL;
        goto done;
    }
    if ((rc = check_scopes(r, rd, audience, &scope, NULL)) != 0)
        goto done;
    rc = id ? tsr_grant_get(r->x.st, r->x.tenant_id, id, &g)
            : tsr_grant_init_new(&g, r->x.tenant_id);
    if (rc == 0 && id == NULL &&
        ((rc = tsr_patch_set_str(&g.client_id, client_id)) != 0 ||
         (rc = tsr_patch_set_str(&g.audience, audience)) != 0))
        goto done;
    if (rc != 0)
        goto done;
    if (has) {
        tsr_strlist_cleanup(&g.scope);
        g.scope = scope;
        scope = (struct tsr_strlist){0};
    }
    g.updated_at = tsr_clock_now();
    rc = id ? tsr_grant_update(r->x.st, &g) : tsr_grant_insert(r->x.st, &g);
done:
    tsr_strlist_cleanup(&scope);
    tsr_grant_cleanup(&g);
    return rc;
}

/* ---- roles ---- */

static int set_permissions(struct run *r, const struct tsr_doc_rd *rd, const char *role_id,
                           const json_t *perms)
{
    struct tsr_permission *have = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = 0;
    if (perms == NULL)
        return 0;
    if (!json_is_array(perms) || json_array_size(perms) > 1000) {
        tsr_doc_fail(rd, "permissions: a list of at most 1000 is expected");
        return TSR_EINVAL;
    }
    size_t i;
    json_t *p;
    json_array_foreach(perms, i, p)
    {
        const char *name = NULL, *aud = NULL;
        if (!json_is_object(p) || !tsr_doc_str(rd, p, "permission_name", 1, 280, &name) ||
            !tsr_doc_str(rd, p, "resource_server_identifier", 1, 600, &aud) || name == NULL ||
            aud == NULL) {
            if (rd->err[0] == '\0')
                tsr_doc_fail(rd,
                             "permissions[%zu]: permission_name and "
                             "resource_server_identifier are expected",
                             i);
            return TSR_EINVAL;
        }
        rc = check_scopes(r, rd, aud, NULL, name);
        if (rc == 0)
            rc = tsr_role_permission_add(r->x.st, r->x.tenant_id, role_id, aud, name);
        if (rc != 0)
            return rc;
    }
    rc = tsr_role_permissions(r->x.st, r->x.tenant_id, role_id, 0, 100000, &have, &n, &total);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        bool wanted = false;
        json_array_foreach(perms, i, p) wanted =
            wanted || (strcmp(json_string_value(json_object_get(p, "permission_name")),
                              have[k].permission) == 0 &&
                       strcmp(json_string_value(json_object_get(p, "resource_server_identifier")),
                              have[k].audience) == 0);
        if (!wanted)
            rc = tsr_role_permission_remove(r->x.st, r->x.tenant_id, role_id, have[k].audience,
                                            have[k].permission);
    }
    tsr_permission_list_free(have, n);
    return rc;
}

static int put_role(struct run *r, const struct tsr_doc_rd *rd, const json_t *item, const char *id)
{
    struct tsr_role role = {0};
    const char *name = NULL, *desc = NULL;
    int rc = id ? tsr_role_get(r->x.st, r->x.tenant_id, id, &role)
                : tsr_role_init_new(&role, r->x.tenant_id);
    if (rc != 0)
        goto done;
    if (!tsr_doc_str(rd, item, "name", 1, TSR_ROLE_NAME_MAX, &name) ||
        !tsr_doc_str(rd, item, "description", 0, TSR_ROLE_DESCRIPTION_MAX, &desc)) {
        rc = TSR_EINVAL;
        goto done;
    }
    if ((rc = tsr_patch_set_str(&role.name, name)) != 0 ||
        (desc && (rc = tsr_patch_set_str(&role.description, desc)) != 0))
        goto done;
    rc = id ? tsr_role_update(r->x.st, &role) : tsr_role_insert(r->x.st, &role);
    if (rc == 0)
        rc = set_permissions(r, rd, role.id, json_object_get(item, "permissions"));
done:
    tsr_role_cleanup(&role);
    return rc;
}

/* ---- the plan ---- */

/* The id of a record of section by its document key, read fresh (earlier steps may have written).
 */
static int record_id(struct run *r, const char *section, const char *key, char **out)
{
    struct tsr_doc_index ix;
    *out = NULL;
    int rc = tsr_doc_index_load(r->x.st, r->x.tenant_id, &ix);
    if (rc != 0)
        return rc;
    for (size_t s = 0; s < TSR_DOC_NSECTIONS; s++)
        if (strcmp(tsr_doc_sections[s].name, section) == 0) {
            const char *id = json_string_value(json_object_get(ix.ids[s], key));
            if (id != NULL && (*out = strdup(id)) == NULL)
                rc = TSR_ENOMEM;
        }
    tsr_doc_index_cleanup(&ix);
    return rc;
}

static int delete_record(struct run *r, const struct tsr_doc_rd *rd, const char *section,
                         const char *id)
{
    const char *t = r->x.tenant_id;
    if (strcmp(section, "clients") == 0) {
        struct tsr_client c = {0};
        struct tsr_refusal why;
        int rc = tsr_client_get(r->x.st, t, id, &c);
        if (rc == 0 && (rc = tsr_client_may_delete(&c, &why)) == TSR_EINVAL)
            tsr_doc_refused(rd, &why);
        tsr_client_cleanup(&c);
        return rc != 0 ? rc : tsr_client_delete(r->x.st, t, id);
    }
    if (strcmp(section, "resourceServers") == 0)
        return tsr_api_delete(r->x.st, t, id);
    if (strcmp(section, "databases") == 0)
        return tsr_connection_delete(r->x.st, t, id);
    if (strcmp(section, "clientGrants") == 0)
        return tsr_grant_delete(r->x.st, t, id);
    return tsr_role_delete(r->x.st, t, id);
}

static int apply_change(struct run *r, const struct tsr_doc_change *c, char *err, size_t errlen)
{
    char where[300];
    char *id = NULL;
    snprintf(where, sizeof where, "%s[%.200s]", c->section, c->name);
    struct tsr_doc_rd rd = {strcmp(c->section, "tenant") == 0 ? "tenant" : where, err, errlen};
    int rc = 0;
    if (c->op == TSR_DOC_EXTRA)
        return 0;
    if (strcmp(c->section, "tenant") == 0)
        return put_tenant(r, &rd, c->item);
    if (strcmp(c->section, "clients") == 0 && !not_management(r, &rd, c->name))
        return TSR_EINVAL;
    if (c->op != TSR_DOC_CREATE && (rc = record_id(r, c->section, c->name, &id)) != 0)
        return rc;
    if (c->op != TSR_DOC_CREATE && id == NULL) {
        tsr_doc_fail(&rd, "changed meanwhile; run it again");
        return TSR_EINVAL;
    }
    const char *s = c->section;
    if (c->op == TSR_DOC_DELETE)
        rc = delete_record(r, &rd, s, id);
    else if (strcmp(s, "resourceServers") == 0)
        rc = tsr_doc_put_api(&r->x, &rd, c->item, id);
    else if (strcmp(s, "clients") == 0)
        rc = tsr_doc_put_client(&r->x, &rd, c->item, id, r->have_databases);
    else if (strcmp(s, "databases") == 0)
        rc = put_database(r, &rd, c->item, id);
    else if (strcmp(s, "clientGrants") == 0)
        rc = put_grant(r, &rd, c->item, id);
    else
        rc = put_role(r, &rd, c->item, id);
    free(id);
    if (rc != 0 && rc != TSR_EINVAL && err[0] == '\0')
        snprintf(err, errlen, "%s: %s", where, tsr_strerror(rc));
    return rc;
}

int tsr_tenant_doc_apply(tsr_store *st, const char *tenant_id,
                         const uint8_t master_key[TSR_MASTER_KEY_LEN],
                         const struct tsr_doc_plan *plan, bool dry_run, char *err, size_t errlen)
{
    struct run r = {{st, tenant_id, master_key}, plan, NULL, NULL, false};
    err[0] = '\0';
    r.have_databases = plan->databases_given;
    int rc = tsr_store_begin(st);
    if (rc != 0)
        return rc;
    rc = load_management(&r);
    bool ids_loaded = false;
    for (size_t i = 0; rc == 0 && i < plan->n; i++) {
        const char *s = plan->v[i].section;
        /* Names of applications resolve after every application is written. */
        if (!ids_loaded && (strcmp(s, "databases") == 0 || strcmp(s, "clientGrants") == 0 ||
                            strcmp(s, "roles") == 0)) {
            rc = load_client_ids(&r);
            ids_loaded = true;
        }
        if (rc == 0)
            rc = apply_change(&r, &plan->v[i], err, errlen);
    }
    if (rc == 0 && tsr_doc_plan_changes(plan) > 0)
        rc = tsr_tenant_touch(st, tenant_id);
    json_decref(r.client_ids);
    json_decref(r.management);
    if (dry_run || rc != 0) {
        tsr_store_rollback(st);
        return rc;
    }
    return tsr_store_finish(st, rc);
}
