/*
 * opaque_token.h - opaque access tokens: what a user's client gets when it
 * asks for no audience.  They are good only at /userinfo, stored as
 * SHA-256, and revocable with the family they were issued in.
 */
#ifndef TSR_CORE_OPAQUE_TOKEN_H
#define TSR_CORE_OPAQUE_TOKEN_H

#include <stdint.h>

#include "store/store.h"

#define TSR_OPAQUE_TOKEN_TTL 86400

struct tsr_opaque_token {
    char *client_id;
    char *user_id;
    char *scope;
    int64_t expires_at;
};

void tsr_opaque_token_cleanup(struct tsr_opaque_token *t);

/* Stores a new token; *secret_out receives it (caller wipes and frees). */
int tsr_opaque_token_create(tsr_store *st, const char *tenant_id, const char *family_id,
                            const char *client_id, const char *user_id, const char *scope,
                            char **secret_out);

/* Finds a live (unexpired, unrevoked) token.  Returns 0 or TSR_ENOTFOUND. */
int tsr_opaque_token_find(tsr_store *st, const char *tenant_id, const char *secret,
                          struct tsr_opaque_token *out);

#endif
