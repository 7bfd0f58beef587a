/*
 * tenant_keys.h - a tenant's keyring and JWKS document as a snapshot holds
 * them, reference-counted so that consecutive snapshots share them while
 * the tenant's signing keys stay the same.  Opening the sealed keys and
 * certifying them (x5c) is most of a reload's work, and a write to any
 * client, API or grant reloads the snapshot.
 */
#ifndef TSR_CORE_TENANT_KEYS_H
#define TSR_CORE_TENANT_KEYS_H

#include <stdint.h>

#include "core/keys.h"
#include "core/masterkey.h"
#include "store/store.h"

struct tsr_tenant_keys;

/*
 * The keyring of tenant_id certified for host: prev's (one more reference)
 * when prev (may be NULL) was loaded for the same host and the stored keys
 * are as they were then, else a new load.  Returns 0, TSR_EMASTERKEY, the
 * keyring's or the store's error.
 */
int tsr_tenant_keys_get(tsr_store *st, const char *tenant_id, const char *host,
                        const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_tenant_keys *prev,
                        struct tsr_tenant_keys **out);

/* Drops one reference; the last frees the keyring.  NULL is a no-op. */
void tsr_tenant_keys_release(struct tsr_tenant_keys *k);

/* The keyring and the JWKS text, valid while a reference is held. */
struct tsr_keyring *tsr_tenant_keys_ring(const struct tsr_tenant_keys *k);
char *tsr_tenant_keys_jwks(const struct tsr_tenant_keys *k);

#endif
