/*
 * tenant_doc_plan.c - what applying a tenant document would change
 * (tenant_doc.h): each record the document gives is compared with the
 * tenant's, property by property, and only on what the document gives.
 * Lists that are sets (a grant's scopes, a connection's clients, a role's
 * permissions) compare in any order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tenant_doc.h"
#include "core/tenant_doc_sections.h"
#include "util/err.h"

/* Nested objects: the keys Tessera keeps of each. */
static const char *const jwt_keys[] = {"alg", "lifetime_in_seconds", NULL};
static const char *const rt_keys[] = {"rotation_type",
                                      "expiration_type",
                                      "leeway",
                                      "token_lifetime",
                                      "idle_token_lifetime",
                                      "infinite_token_lifetime",
                                      "infinite_idle_token_lifetime",
                                      NULL};
static const char *const options_keys[] = {"passwordPolicy",         "password_complexity_options",
                                           "requires_username",      "disable_signup",
                                           "brute_force_protection", NULL};
static const char *const set_lists[] = {"enabled_clients", "scope", NULL};

static bool one_of(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static const char *const *nested_keys(const char *prop)
{
    if (strcmp(prop, "jwt_configuration") == 0)
        return jwt_keys;
    if (strcmp(prop, "refresh_token") == 0)
        return rt_keys;
    return options_keys;
}

void tsr_doc_plan_cleanup(struct tsr_doc_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].name);
        tsr_strlist_cleanup(&p->v[i].fields);
    }
    free(p->v);
    tsr_strlist_cleanup(&p->ignored);
    memset(p, 0, sizeof *p);
}

size_t tsr_doc_plan_changes(const struct tsr_doc_plan *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->v[i].op != TSR_DOC_EXTRA;
    return n;
}

static struct tsr_doc_change *plan_add(struct tsr_doc_plan *p, enum tsr_doc_op op,
                                       const char *section, const char *name, const json_t *item)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct tsr_doc_change *v = realloc(p->v, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        p->v = v;
        p->cap = cap;
    }
    struct tsr_doc_change *c = &p->v[p->n];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    if (c->name == NULL)
        return NULL;
    c->op = op;
    c->section = section;
    c->item = item;
    p->n++;
    return c;
}

static int ignore(struct tsr_doc_plan *p, const char *where, const char *prop)
{
    char buf[400];
    snprintf(buf, sizeof buf, "%s.%s", where, prop);
    return tsr_strlist_push(&p->ignored, buf);
}

/* A set-like list as sorted strings (objects as their compact JSON), a new array. */
static json_t *as_set(const json_t *v)
{
    json_t *out = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char *s = json_is_string(item)
                      ? strdup(json_string_value(item))
                      : json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (s == NULL || json_array_append_new(out, json_string(s)) != 0) {
            free(s);
            json_decref(out);
            return NULL;
        }
        free(s);
    }
    tsr_doc_sort_strings(out);
    return out;
}

static bool same(const char *prop, const json_t *want, const json_t *have)
{
    /* An export leaves empty strings and mappings out. */
    if (have == NULL)
        return (json_is_string(want) && json_string_length(want) == 0) ||
               (json_is_object(want) && json_object_size(want) == 0);
    if (json_is_array(want) && json_is_array(have) &&
        (one_of(prop, set_lists) || strcmp(prop, "permissions") == 0)) {
        json_t *a = as_set(want), *b = as_set(have);
        bool eq = a != NULL && b != NULL && json_equal(a, b);
        json_decref(a);
        json_decref(b);
        return eq;
    }
    if (json_is_number(want) && json_is_number(have))
        return json_number_value(want) == json_number_value(have);
    return json_equal(want, have);
}

/* Compares item with have (NULL: a new record), filling c->fields and the ignored properties. */
static int compare(struct tsr_doc_plan *p, const char *where, const char *const *known,
                   const char *const *nested, const json_t *item, const json_t *have,
                   struct tsr_strlist *fields)
{
    const char *prop;
    json_t *want;
    int rc = 0;
    json_object_foreach((json_t *)item, prop, want)
    {
        if (!one_of(prop, known)) {
            rc = ignore(p, where, prop);
        } else if (one_of(prop, nested) && json_is_object(want)) {
            const char *const *keys = nested_keys(prop);
            const json_t *hv = have ? json_object_get(have, prop) : NULL;
            const char *sub;
            json_t *sv;
            json_object_foreach(want, sub, sv)
            {
                char name[200];
                snprintf(name, sizeof name, "%s.%s", prop, sub);
                if (!one_of(sub, keys)) {
                    rc = ignore(p, where, name);
                } else if (have != NULL) {
                    json_t *h = json_object_get(hv, sub);
                    if (strcmp(sub, "password_complexity_options") == 0 && json_is_object(sv)) {
                        json_t *ml = json_object_get(sv, "min_length");
                        if (ml != NULL && !same(sub, ml, json_object_get(h, "min_length")))
                            rc = tsr_strlist_push(fields,
                                                  "options.password_complexity_options.min_length");
                    } else if (!same(sub, sv, h)) {
                        rc = tsr_strlist_push(fields, name);
                    }
                }
                if (rc != 0)
                    return rc;
            }
        } else if (have != NULL && !same(prop, want, json_object_get(have, prop))) {
            rc = tsr_strlist_push(fields, prop);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int plan_tenant(tsr_store *st, const char *tenant_id, const json_t *t,
                       struct tsr_doc_plan *p, char *err, size_t errlen)
{
    static const char *const no_nested[] = {NULL};
    json_t *have = NULL;
    struct tsr_strlist fields = {0};
    if (!json_is_object(t)) {
        snprintf(err, errlen, "tenant: must be a mapping");
        return TSR_EINVAL;
    }
    int rc = tsr_doc_tenant_json(st, tenant_id, &have);
    if (rc == 0)
        rc = compare(p, "tenant", tsr_doc_tenant_known, no_nested, t, have, &fields);
    if (rc == 0 && fields.n > 0) {
        struct tsr_doc_change *c = plan_add(p, TSR_DOC_UPDATE, "tenant", "tenant", t);
        if (c == NULL)
            rc = TSR_ENOMEM;
        else
            c->fields = fields, fields = (struct tsr_strlist){0};
    }
    tsr_strlist_cleanup(&fields);
    json_decref(have);
    return rc;
}

/*
 * True when item is an application, or a grant of one, granted the
 * Management API: those hold the tenant's Management credentials, which a
 * document never creates, changes nor deletes.  The Deploy CLI's exports
 * list such applications (the Bootstrap Management Client), so they are
 * noted and skipped rather than refused; *rc is set on failure.
 */
static bool names_management(const struct tsr_doc_index *ix, size_t s, const json_t *item,
                             const char *where, struct tsr_doc_plan *p, int *rc)
{
    const char *name = NULL;
    if (s == TSR_DOC_CLIENTS || s == TSR_DOC_GRANTS)
        name =
            json_string_value(json_object_get(item, s == TSR_DOC_CLIENTS ? "name" : "client_id"));
    if (!tsr_doc_index_is_management(ix, name))
        return false;
    char note[400];
    snprintf(note, sizeof note, "%s: granted the Management API, left as it is", where);
    *rc = tsr_strlist_push(&p->ignored, note);
    return true;
}

/*
 * Leaves applications granted the Management API out of a connection's
 * enabled_clients (the Deploy CLI's exports name the Bootstrap Management
 * Client there): whether they are enabled stays as it is, so they are no
 * drift.  Edits the document's own item, which the plan then refers to.
 */
static void drop_management_names(const struct tsr_doc_index *ix, json_t *item)
{
    json_t *names = json_object_get(item, "enabled_clients");
    for (size_t i = json_array_size(names); i-- > 0;)
        if (tsr_doc_index_is_management(ix, json_string_value(json_array_get(names, i))))
            json_array_remove(names, i);
}

static int plan_section(const struct tsr_doc_index *ix, size_t s, const json_t *arr,
                        bool allow_delete, struct tsr_doc_plan *p, char *err, size_t errlen)
{
    const struct tsr_doc_section *sec = &tsr_doc_sections[s];
    json_t *seen = json_object();
    size_t i;
    json_t *item;
    int rc = 0;
    if (seen == NULL)
        return TSR_ENOMEM;
    if (!json_is_array(arr) || json_array_size(arr) > TSR_DOC_SECTION_MAX) {
        snprintf(err, errlen, "%s: must be a list of at most %d records", sec->name,
                 TSR_DOC_SECTION_MAX);
        rc = TSR_EINVAL;
        goto done;
    }
    json_array_foreach(arr, i, item)
    {
        char *key = json_is_object(item) ? tsr_doc_item_key(s, item) : NULL;
        if (key == NULL) {
            snprintf(err, errlen, "%s[%zu]: must be a mapping with its %s", sec->name, i,
                     s == TSR_DOC_APIS     ? "identifier"
                     : s == TSR_DOC_GRANTS ? "client_id and audience"
                                           : "name");
            rc = TSR_EINVAL;
            goto done;
        }
        if (json_object_get(seen, key) != NULL) {
            snprintf(err, errlen, "%s: \"%.200s\" is given twice", sec->name, key);
            free(key);
            rc = TSR_EINVAL;
            goto done;
        }
        json_object_set_new(seen, key, json_true());
        char where[300];
        snprintf(where, sizeof where, "%s[%.200s]", sec->name, key);
        if (names_management(ix, s, item, where, p, &rc)) {
            free(key);
            if (rc != 0)
                goto done;
            continue;
        }
        if (s == TSR_DOC_DATABASES)
            drop_management_names(ix, item);
        const json_t *have = json_object_get(ix->items[s], key);
        struct tsr_strlist fields = {0};
        rc = compare(p, where, sec->known, sec->nested, item, have, &fields);
        if (rc == 0 && (have == NULL || fields.n > 0)) {
            struct tsr_doc_change *c =
                plan_add(p, have ? TSR_DOC_UPDATE : TSR_DOC_CREATE, sec->name, key, item);
            if (c == NULL)
                rc = TSR_ENOMEM;
            else
                c->fields = fields, fields = (struct tsr_strlist){0};
        }
        tsr_strlist_cleanup(&fields);
        free(key);
        if (rc != 0)
            goto done;
    }
    const char *key;
    json_t *have;
    json_object_foreach(ix->items[s], key, have)
    {
        if (json_object_get(seen, key) != NULL)
            continue;
        if (plan_add(p, allow_delete ? TSR_DOC_DELETE : TSR_DOC_EXTRA, sec->name, key, NULL) ==
            NULL) {
            rc = TSR_ENOMEM;
            goto done;
        }
    }
done:
    json_decref(seen);
    return rc;
}

static bool deleted(const struct tsr_doc_plan *p, size_t section, const char *key)
{
    for (size_t i = 0; key != NULL && i < p->n; i++)
        if (p->v[i].op == TSR_DOC_DELETE &&
            strcmp(p->v[i].section, tsr_doc_sections[section].name) == 0 &&
            strcmp(p->v[i].name, key) == 0)
            return true;
    return false;
}

/*
 * Refuses a document that keeps a record referring to one it deletes: a
 * grant of a deleted application or to a deleted API, a role's permission
 * of a deleted API, a connection enabling a deleted application.
 */
static int refers_to_deleted(const struct tsr_doc_plan *p, const json_t *doc, char *err,
                             size_t errlen)
{
    size_t i, k;
    json_t *item, *v;
    json_array_foreach(json_object_get(doc, "clientGrants"), i, item)
    {
        const char *client = json_string_value(json_object_get(item, "client_id"));
        const char *aud = json_string_value(json_object_get(item, "audience"));
        if (deleted(p, TSR_DOC_CLIENTS, client) || deleted(p, TSR_DOC_APIS, aud)) {
            snprintf(err, errlen,
                     "clientGrants[%.200s -> %.200s]: refers to %s[%.200s], which "
                     "the document deletes",
                     client, aud, deleted(p, TSR_DOC_APIS, aud) ? "resourceServers" : "clients",
                     deleted(p, TSR_DOC_APIS, aud) ? aud : client);
            return TSR_EINVAL;
        }
    }
    json_array_foreach(json_object_get(doc, "roles"), i, item)
    {
        json_array_foreach(json_object_get(item, "permissions"), k, v)
        {
            const char *aud = json_string_value(json_object_get(v, "resource_server_identifier"));
            if (deleted(p, TSR_DOC_APIS, aud)) {
                snprintf(err, errlen,
                         "roles[%.200s]: refers to resourceServers[%.200s], which the document "
                         "deletes",
                         json_string_value(json_object_get(item, "name")), aud);
                return TSR_EINVAL;
            }
        }
    }
    json_array_foreach(json_object_get(doc, "databases"), i, item)
    {
        json_array_foreach(json_object_get(item, "enabled_clients"), k, v)
        {
            if (deleted(p, TSR_DOC_CLIENTS, json_string_value(v))) {
                snprintf(err, errlen,
                         "databases[%.200s]: refers to clients[%.200s], which the document "
                         "deletes",
                         json_string_value(json_object_get(item, "name")), json_string_value(v));
                return TSR_EINVAL;
            }
        }
    }
    return 0;
}

/*
 * Moves the deletions before every other change, what refers to a record
 * (roles, grants) before what it refers to (connections, applications,
 * APIs): a deletion never finds a record already removed with another, and
 * a kept record that refers to a deleted one is refused as it would be
 * through the Management API.  The other changes keep their order.
 */
static int deletions_first(struct tsr_doc_plan *p)
{
    struct tsr_doc_change *v = malloc((p->n ? p->n : 1) * sizeof *v);
    size_t n = 0;
    if (v == NULL)
        return TSR_ENOMEM;
    for (size_t s = TSR_DOC_NSECTIONS; s > 0; s--)
        for (size_t i = 0; i < p->n; i++)
            if (p->v[i].op == TSR_DOC_DELETE &&
                strcmp(p->v[i].section, tsr_doc_sections[s - 1].name) == 0)
                v[n++] = p->v[i];
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].op != TSR_DOC_DELETE)
            v[n++] = p->v[i];
    free(p->v);
    p->v = v;
    p->cap = p->n ? p->n : 1;
    return 0;
}

int tsr_tenant_doc_plan(tsr_store *st, const char *tenant_id, const json_t *doc, bool allow_delete,
                        struct tsr_doc_plan *plan, char *err, size_t errlen)
{
    struct tsr_doc_index ix;
    const char *key;
    json_t *v;
    memset(plan, 0, sizeof *plan);
    if (!json_is_object(doc)) {
        snprintf(err, errlen, "the document must be a mapping of sections (tenant, clients, ...)");
        return TSR_EINVAL;
    }
    int rc = tsr_doc_index_load(st, tenant_id, &ix);
    if (rc != 0)
        return rc;
    if (ix.dup[0] != '\0') {
        snprintf(err, errlen, "two records of the tenant have the same name (%s): rename one first",
                 ix.dup);
        rc = TSR_EINVAL;
        goto done;
    }
    json_object_foreach((json_t *)doc, key, v)
    {
        bool known = strcmp(key, "tenant") == 0;
        for (size_t s = 0; s < TSR_DOC_NSECTIONS; s++)
            known = known || strcmp(key, tsr_doc_sections[s].name) == 0;
        if (!known && (rc = tsr_strlist_push(&plan->ignored, key)) != 0)
            goto done;
    }
    for (size_t s = 0; s < TSR_DOC_NSECTIONS; s++) {
        v = json_object_get(doc, tsr_doc_sections[s].name);
        if (s == TSR_DOC_DATABASES)
            plan->databases_given = v != NULL && !json_is_null(v);
        if (v != NULL && !json_is_null(v) &&
            (rc = plan_section(&ix, s, v, allow_delete, plan, err, errlen)) != 0)
            goto done;
    }
    if ((rc = refers_to_deleted(plan, doc, err, errlen)) != 0 || (rc = deletions_first(plan)) != 0)
        goto done;
    /* The tenant's settings last: they may name an API or connection the document creates. */
    v = json_object_get(doc, "tenant");
    if (v != NULL && (rc = plan_tenant(st, tenant_id, v, plan, err, errlen)) != 0)
        goto done;
done:
    tsr_doc_index_cleanup(&ix);
    if (rc != 0)
        tsr_doc_plan_cleanup(plan);
    return rc;
}
