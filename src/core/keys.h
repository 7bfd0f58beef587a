/*
 * keys.h - a tenant's signing keys.
 *
 * Each tenant has a current key (signs) and a next key (published in the
 * JWKS ahead of rotation, so verifiers already know it); rotated-out keys
 * stay as 'previous' until revoked.  Private keys are stored sealed under
 * the master key.  A tsr_keyring is the decrypted, immutable in-memory view
 * of one tenant's keys.
 */
#ifndef TSR_CORE_KEYS_H
#define TSR_CORE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "core/masterkey.h"
#include "jose/jose.h"
#include "store/store.h"

struct tsr_keyring;

/*
 * Generates and stores the current and next RS256 keys of a tenant that has
 * none.  Returns 0, TSR_ECRYPTO or TSR_ESTORE.
 */
int tsr_keys_create_initial(tsr_store *st, const char *tenant_id,
                            const uint8_t master_key[TSR_MASTER_KEY_LEN]);

/* Number of stored keys of a tenant (any state). */
int tsr_keys_count(tsr_store *st, const char *tenant_id, int64_t *out);

/*
 * Loads and decrypts a tenant's non-revoked keys.  Returns 0,
 * TSR_EMASTERKEY (the master key does not open them), TSR_ENOTFOUND (no
 * current key) or TSR_ESTORE.
 */
int tsr_keyring_load(tsr_store *st, const char *tenant_id,
                     const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_keyring **out);

void tsr_keyring_free(struct tsr_keyring *ring);

/* The key that signs (borrowed). */
const tsr_jwk *tsr_keyring_current(const struct tsr_keyring *ring);

/* A key by kid, any non-revoked state (borrowed), or NULL. */
const tsr_jwk *tsr_keyring_find(const struct tsr_keyring *ring, const char *kid);

/* The JWKS document {"keys":[current, next, previous...]} as new JSON text (caller frees). */
char *tsr_keyring_jwks_text(const struct tsr_keyring *ring);

#endif
