/*
 * bootstrap.h - the first start: the default tenant, its signing keys, the
 * Management API, and one machine-to-machine client allowed to call it.
 */
#ifndef TSR_CORE_BOOTSTRAP_H
#define TSR_CORE_BOOTSTRAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/masterkey.h"
#include "store/store.h"

/* The default tenant's credentials file in the data directory. */
#define TSR_BOOTSTRAP_FILE "bootstrap-client.json"
/* Another tenant's, a printf format taking its name (tessera tenants create). */
#define TSR_BOOTSTRAP_TENANT_FILE "bootstrap-client-%s.json"

/* What a new tenant is made from. */
struct tsr_tenant_new {
    const char *issuer;     /* normalised (tsr_cfg_parse_public_url): ends in '/' */
    const char *name;       /* friendly_name */
    bool is_default;
    const char *creds_path; /* the credentials file to create (0600, never overwritten) */
};

/*
 * Creates a tenant in one transaction with everything the default tenant
 * gets: signing keys, the Management API, a machine-to-machine client
 * granted all of its scopes, and the default database connection.  Writes
 * the client's credentials (client_id, client_secret, issuer, audience,
 * token_endpoint) to spec->creds_path and, on success, the same plus
 * tenant_id and tenant_name to *creds (free with tsr_wipe_creds).  *tenant_id (may be NULL)
 * receives the new id (caller frees).  Returns 0, TSR_ECONFLICT (the issuer
 * is taken) or another negative code, with one line in err.
 */
int tsr_tenant_create(tsr_store *st, const struct tsr_tenant_new *spec,
                      const uint8_t master_key[TSR_MASTER_KEY_LEN], json_t **creds,
                      char **tenant_id, char *err, size_t errlen);

/* Wipes the client_secret of a credentials object, then frees it. */
void tsr_wipe_creds(json_t *creds);

/*
 * Creates the default tenant for issuer in one transaction, and writes the
 * client's credentials to {data_dir}/bootstrap-client.json (0600, never
 * overwritten) and to out (may be NULL).  Returns 0 or a negative code
 * with one line in err.
 */
int tsr_bootstrap(tsr_store *st, const char *issuer, const char *data_dir,
                  const uint8_t master_key[TSR_MASTER_KEY_LEN], FILE *out, char *err,
                  size_t errlen);

/* Auth0's Management API scope names, NULL-terminated pairs {value, description}. */
extern const char *const tsr_mgmt_scopes[][2];

#endif
