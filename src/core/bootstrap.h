/*
 * bootstrap.h - the first start: the default tenant, its signing keys, the
 * Management API, and one machine-to-machine client allowed to call it.
 */
#ifndef TSR_CORE_BOOTSTRAP_H
#define TSR_CORE_BOOTSTRAP_H

#include <stdint.h>
#include <stdio.h>

#include "core/masterkey.h"
#include "store/store.h"

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
