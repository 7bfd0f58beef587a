/*
 * tenant_doc_sections.h - internal to tenant_doc*.c: the sections of a
 * tenant document, the properties each keeps, and the tenant's current
 * records indexed by their document keys.
 */
#ifndef TSR_CORE_TENANT_DOC_SECTIONS_H
#define TSR_CORE_TENANT_DOC_SECTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/grant.h"
#include "core/role.h"
#include "store/store.h"

/* The record sections, in the order they are applied (what refers to others comes after them). */
enum {
    TSR_DOC_APIS,
    TSR_DOC_CLIENTS,
    TSR_DOC_DATABASES,
    TSR_DOC_GRANTS,
    TSR_DOC_ROLES,
    TSR_DOC_NSECTIONS
};

struct tsr_doc_section {
    const char *name;          /* the Deploy CLI's key: "clients" */
    const char *const *known;  /* the properties Tessera keeps, NULL-terminated */
    const char *const *nested; /* those that are objects compared key by key */
};

extern const struct tsr_doc_section tsr_doc_sections[TSR_DOC_NSECTIONS];

/* Properties of the tenant section. */
extern const char *const tsr_doc_tenant_known[];

/*
 * The tenant's records, each section keyed.  The Management API's own are left
 * out: the system application and API, the grants to that API and the
 * applications they grant it to.
 */
struct tsr_doc_index {
    const char *tenant_id;
    struct tsr_client *clients;
    size_t nclients;
    struct tsr_api *apis;
    size_t napis;
    struct tsr_connection *conns;
    size_t nconns;
    struct tsr_grant *grants;
    size_t ngrants;
    struct tsr_role *roles;
    size_t nroles;
    char *system_api;                 /* the Management API's identifier */
    json_t *management;               /* name -> client_id of each application granted the
                                         Management API (its credentials, not configuration) */
    json_t *management_ids;           /* client_id -> true of those */
    json_t *items[TSR_DOC_NSECTIONS]; /* key -> the record as a document item */
    json_t *ids[TSR_DOC_NSECTIONS];   /* key -> the record's id */
    char dup[300];                    /* "clients: App" when two records share a key */
};

/* Loads the index.  Returns 0, TSR_ENOMEM or the store's error. */
int tsr_doc_index_load(tsr_store *st, const char *tenant_id, struct tsr_doc_index *ix);
void tsr_doc_index_cleanup(struct tsr_doc_index *ix);

/* The section's items as an array sorted by key (a new reference), or NULL. */
json_t *tsr_doc_index_section(const struct tsr_doc_index *ix, size_t section);

/*
 * True when name is an application granted the Management API (the Bootstrap
 * Management Client and its like): a document may not name it, as it holds
 * the tenant's Management credentials; tessera config never changes it.
 */
bool tsr_doc_index_is_management(const struct tsr_doc_index *ix, const char *name);
/* The name of client_id, NULL for no client of the index (the Management API's clients left out).
 */
const char *tsr_doc_index_client_name(const struct tsr_doc_index *ix, const char *client_id);

/* The key of a document item of section (a new string), NULL when it has none. */
char *tsr_doc_item_key(size_t section, const json_t *item);

/* Sorts an array of strings in place. */
void tsr_doc_sort_strings(json_t *arr);

/* The tenant section of tenant_id.  Returns 0, TSR_ENOTFOUND or the store's error. */
int tsr_doc_tenant_json(tsr_store *st, const char *tenant_id, json_t **out);

json_t *tsr_doc_client_json(const struct tsr_client *c);
json_t *tsr_doc_api_json(const struct tsr_api *a);
json_t *tsr_doc_connection_json(const struct tsr_connection *c, const struct tsr_doc_index *ix);
json_t *tsr_doc_grant_json(const struct tsr_grant *g, const char *client_name);
json_t *tsr_doc_role_json(tsr_store *st, const struct tsr_role *r);

#endif
