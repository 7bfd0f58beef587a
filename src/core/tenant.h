/*
 * tenant.h - tenants: each an isolated issuer with its own keys, clients,
 * APIs and grants.  A request finds its tenant by the issuer URL's host and
 * path prefix (tsr_tenants_match).
 */
#ifndef TSR_CORE_TENANT_H
#define TSR_CORE_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strlist.h"

struct tsr_keyring;

#define TSR_TENANT_ID_LEN 32

struct tsr_tenant {
    char *id;
    char *name;   /* the handle of `tessera tenants` and --tenant: set at creation, never changed */
    char *issuer; /* scheme://host[:port]/[prefix/] with the trailing slash */
    char *friendly_name;
    char *default_audience;  /* "" when none */
    char *default_directory; /* connection of the password grant, "" when none */
    bool is_default;
    int64_t session_lifetime;      /* seconds a login session lasts at most */
    int64_t idle_session_lifetime; /* seconds a session lasts without use */
    struct tsr_strlist allowed_logout_urls;
    char *logo_url;      /* branding of the login pages; "" for none */
    char *primary_color; /* "#rrggbb" */
    int64_t created_at;
    int64_t generation; /* moves on every change to the tenant or the records of its catalog */
};

void tsr_tenant_cleanup(struct tsr_tenant *t);

/* Loads every tenant.  *out is a new array of *n tenants (free with tsr_tenant_list_free). */
int tsr_tenant_list(tsr_store *st, struct tsr_tenant **out, size_t *n);
void tsr_tenant_list_free(struct tsr_tenant *list, size_t n);

/*
 * Inserts a tenant with a fresh id (written to t->id, which must be NULL);
 * without t->name the id is its name.
 * Returns 0, TSR_ECONFLICT (issuer or name taken) or TSR_ESTORE.
 */
int tsr_tenant_insert(tsr_store *st, struct tsr_tenant *t);

/*
 * Writes the settings of t (friendly_name, default_audience,
 * default_directory, session lifetimes, allowed_logout_urls, logo_url,
 * primary_color) over the stored tenant.  Returns 0, TSR_ENOTFOUND or the
 * store's error.
 */
int tsr_tenant_update_settings(tsr_store *st, const struct tsr_tenant *t);

/*
 * Deletes the tenant id with every record of it (the schema's ON DELETE
 * CASCADE), in one transaction.  The default tenant is never deleted.  The
 * sum of generations (tsr_tenant_set_generation) still grows, so every
 * node notices.  Returns 0, TSR_ENOTFOUND (no such tenant, or the default)
 * or the store's error.
 */
int tsr_tenant_delete(tsr_store *st, const char *id);

/*
 * The "host[:port]" and "/prefix/" parts of an issuer URL, borrowed into
 * the caller's buffers.  Returns 0 or TSR_EINVAL.
 */
int tsr_issuer_split(const char *issuer, char *host, size_t hostsz, char *prefix, size_t prefixsz);

/*
 * Why a new tenant cannot have issuer beside the tenants of list, or NULL
 * when it can: another tenant has the same host and path (whatever the
 * scheme: requests are routed by host and path alone), or, on the same
 * host, its path lies inside another tenant's path other than "/" or around
 * one (one of them would take the other's routes).
 */
const char *tsr_tenant_issuer_clash(const struct tsr_tenant *list, size_t n, const char *issuer);

#endif
