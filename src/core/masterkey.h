/*
 * masterkey.h - the master key that encrypts private signing keys and API
 * signing secrets at rest (AES-256-GCM), and sealing under it.
 *
 * The key comes from TESSERA_MASTER_KEY (64 hex characters) or from
 * {data-dir}/master.key (32 random bytes, hex, mode 0600), generated on the
 * first start only: when the database already holds keys and neither
 * source is present, start-up is refused.
 */
#ifndef TSR_CORE_MASTERKEY_H
#define TSR_CORE_MASTERKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/settings.h"

#define TSR_MASTER_KEY_LEN 32

/*
 * Loads the master key into key.  may_create allows generating
 * master.key when neither source exists.  *created (may be NULL) tells
 * whether it was generated.  Returns 0, or TSR_EMASTERKEY / TSR_EIO with
 * one line in err.
 */
int tsr_masterkey_load(const char *data_dir, tsr_getenv_fn getenv_fn, bool may_create,
                       uint8_t key[TSR_MASTER_KEY_LEN], bool *created, char *err, size_t errlen);

/*
 * Encrypts len bytes under key, binding them to context (authenticated,
 * not encrypted: e.g. "signing-key:<tenant>:<kid>").  *out is a new
 * base64url string of nonce | ciphertext | tag (caller frees).
 */
int tsr_seal(const uint8_t key[TSR_MASTER_KEY_LEN], const char *context, const uint8_t *data,
             size_t len, char **out);

/*
 * Decrypts what tsr_seal wrote.  *out is a new buffer of *outlen bytes plus
 * a NUL (caller wipes and frees).  Returns 0, TSR_EFORMAT or TSR_EMASTERKEY
 * (wrong key or tampered data).
 */
int tsr_unseal(const uint8_t key[TSR_MASTER_KEY_LEN], const char *context, const char *sealed,
               uint8_t **out, size_t *outlen);

#endif
