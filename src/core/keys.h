/*
 * keys.h - a tenant's signing keys.
 *
 * Each tenant has a current key (signs) and a next key (published in the
 * JWKS ahead of rotation, so verifiers already know it) for RS256 (ID
 * tokens, and access tokens by default), and the same pair for each of
 * PS256, ES256 and EdDSA once an API signs with it.  Every key is pinned to
 * one alg (lib/jose): RS256 and PS256 keys are both RSA, yet never shared.
 * Rotated-out keys stay as 'previous' until revoked.  Private keys are stored sealed under
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

/* True for the algs signed with a tenant key (RS256, PS256, ES256, EdDSA); HS256 is not. */
bool tsr_keys_alg_is_tenant_key(enum tsr_jws_alg alg);

/*
 * Makes sure the tenant has keys of alg (an API's signing_alg): when it has
 * no current key of it, a current and a next key are made, inside the
 * caller's transaction if one is open.  HS256 and RS256 need nothing new
 * (RS256 keys exist from the start).  *created tells whether keys were
 * made.  Returns 0, TSR_EINVAL (unknown alg), TSR_ECRYPTO or TSR_ESTORE.
 */
int tsr_keys_ensure_alg(tsr_store *st, const char *tenant_id,
                        const uint8_t master_key[TSR_MASTER_KEY_LEN], const char *alg,
                        bool *created);

/* Number of stored keys of a tenant (any state). */
int tsr_keys_count(tsr_store *st, const char *tenant_id, int64_t *out);

/*
 * Loads and decrypts a tenant's non-revoked keys.  With cn (the tenant's
 * host; may be NULL) the JWKS entries of RSA keys carry x5c and x5t, their
 * self-signed certificate with that CN.  Returns 0, TSR_EMASTERKEY (the
 * master key does not open them), TSR_ENOTFOUND (no current key),
 * TSR_ECRYPTO or TSR_ESTORE.
 */
int tsr_keyring_load(tsr_store *st, const char *tenant_id, const char *cn,
                     const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_keyring **out);

void tsr_keyring_free(struct tsr_keyring *ring);

/* The RS256 key that signs (borrowed): ID tokens and RS256 access tokens. */
const tsr_jwk *tsr_keyring_current(const struct tsr_keyring *ring);

/* The key that signs alg (borrowed), or NULL when the tenant has none of it (HS256: never). */
const tsr_jwk *tsr_keyring_current_for(const struct tsr_keyring *ring, enum tsr_jws_alg alg);

/* A key by kid, any non-revoked state (borrowed), or NULL. */
const tsr_jwk *tsr_keyring_find(const struct tsr_keyring *ring, const char *kid);

/*
 * The JWKS document {"keys":[current..., next..., previous...]}, every alg,
 * as new JSON text (caller frees).
 */
char *tsr_keyring_jwks_text(const struct tsr_keyring *ring);

/* A stored key as the Management API shows it (no private part). */
struct tsr_key_info {
    char *kid;
    char *alg;
    char *state; /* current, next, previous, revoked */
    char *public_jwk; /* JSON text */
    int64_t created_at;
    int64_t current_since; /* 0: never current */
    int64_t current_until; /* 0: still current or never */
    int64_t revoked_at;    /* 0: not revoked */
};

void tsr_key_info_list_free(struct tsr_key_info *list, size_t n);

/* Every key of a tenant (revoked ones too): current, next, then previous by age. */
int tsr_keys_list(tsr_store *st, const char *tenant_id, struct tsr_key_info **out, size_t *n);

/*
 * The unsealed private key (PEM) of one of a tenant's keys, revoked ones
 * too: *pem is a new buffer of *len bytes plus a NUL (caller wipes and
 * frees).  Returns 0, TSR_ENOTFOUND, TSR_EMASTERKEY or TSR_ESTORE.
 */
int tsr_keys_private_pem(tsr_store *st, const char *tenant_id,
                         const uint8_t master_key[TSR_MASTER_KEY_LEN], const char *kid,
                         uint8_t **pem, size_t *len);

/*
 * Rotation of every alg the tenant has: each alg's current key becomes
 * previous, its next key current, and a new next key is made, all in one
 * transaction.  *new_current receives the RS256 kid now signing (caller
 * frees).
 */
int tsr_keys_rotate(tsr_store *st, const char *tenant_id,
                    const uint8_t master_key[TSR_MASTER_KEY_LEN], char **new_current);

/*
 * Revokes a previous key: it leaves the JWKS and tokens it signed stop
 * verifying.  Returns 0, TSR_ENOTFOUND, or TSR_EINVAL when the key is not
 * a previous one (current and next keys cannot be revoked).
 */
int tsr_keys_revoke(tsr_store *st, const char *tenant_id, const char *kid);

#endif
