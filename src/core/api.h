/*
 * api.h - APIs (resource servers) of a tenant: what a client names as its
 * `audience`, and the settings of the access tokens issued for it.
 */
#ifndef TSR_CORE_API_H
#define TSR_CORE_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/masterkey.h"
#include "store/store.h"
#include "util/strlist.h"

#define TSR_API_ID_LEN 24

struct tsr_api_scope {
    char *value;
    char *description;
};

struct tsr_api {
    char *tenant_id;
    char *id;
    char *identifier;
    char *name;
    bool is_system;
    char *signing_alg;    /* RS256, HS256, ... */
    char *signing_secret; /* sealed HS256 secret, "" otherwise */
    int64_t token_lifetime;
    int64_t token_lifetime_for_web;
    bool allow_offline_access;
    bool skip_consent_for_verifiable_first_party_clients;
    bool enforce_policies;
    char *token_dialect; /* access_token, access_token_authz, rfc9068_profile(_authz) */
    struct tsr_api_scope *scopes;
    size_t nscopes;
    int64_t created_at;
    int64_t updated_at;
};

void tsr_api_cleanup(struct tsr_api *a);

/* Fills a with the defaults of a new API (fresh id, timestamps now). */
int tsr_api_init_new(struct tsr_api *a, const char *tenant_id);

/* Replaces a's scopes with a copy of list. */
int tsr_api_set_scopes(struct tsr_api *a, const struct tsr_api_scope *list, size_t n);

/* True when the API defines scope value. */
bool tsr_api_has_scope(const struct tsr_api *a, const char *value);

/*
 * Generates a new HS256 signing secret (text: base64url of 32 random
 * bytes; the HMAC key is the text's bytes, as in Auth0), sealed into
 * a->signing_secret.  *plain_out (may be NULL) receives the text (caller
 * wipes and frees).
 */
int tsr_api_new_signing_secret(struct tsr_api *a, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                               char **plain_out);

/* Seals the given HS256 secret (its len bytes are the HMAC key) into a->signing_secret. */
int tsr_api_set_signing_secret(struct tsr_api *a, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                               const uint8_t *secret, size_t len);

/*
 * Opens a->signing_secret: *out receives the secret's bytes, NUL-terminated
 * (caller wipes and frees).
 */
int tsr_api_open_signing_secret(const struct tsr_api *a,
                                const uint8_t master_key[TSR_MASTER_KEY_LEN], uint8_t **out,
                                size_t *outlen);

int tsr_api_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_api *out);
int tsr_api_get_by_identifier(tsr_store *st, const char *tenant_id, const char *identifier,
                              struct tsr_api *out);
int tsr_api_insert(tsr_store *st, const struct tsr_api *a);
int tsr_api_update(tsr_store *st, const struct tsr_api *a);
int tsr_api_delete(tsr_store *st, const char *tenant_id, const char *id);
/* At most this many identifiers in a list filter (Auth0's limit too). */
#define TSR_API_FILTER_MAX 10

/* Lists APIs, the system API first; identifiers (NULL or empty: any; more
 * than TSR_API_FILTER_MAX: TSR_EINVAL) filters. */
int tsr_api_list(tsr_store *st, const char *tenant_id, const struct tsr_strlist *identifiers,
                 int64_t offset, int64_t limit, struct tsr_api **out, size_t *n, int64_t *total);
/* Every API of tenant_id, in no particular order (the catalog's load). */
int tsr_api_list_tenant(tsr_store *st, const char *tenant_id, struct tsr_api **out, size_t *n,
                        size_t *skipped);
void tsr_api_list_free(struct tsr_api *list, size_t n);

#endif
