/*
 * auth_code.h - authorization codes: single use, 60 seconds, bound to the
 * client, the redirect_uri and the PKCE challenge.  Only the SHA-256 of a
 * code is stored; the hash also names the family of tokens issued from the
 * code, so a replay can revoke them.
 */
#ifndef TSR_CORE_AUTH_CODE_H
#define TSR_CORE_AUTH_CODE_H

#include <stdint.h>

#include "store/store.h"

#define TSR_AUTH_CODE_TTL 60

struct tsr_auth_code {
    char *hash; /* hex SHA-256 of the code: the token family id */
    char *client_id;
    char *user_id;
    char *sid;
    char *redirect_uri;
    char *scope;
    char *audience;
    char *nonce;
    char *code_challenge;
    char *code_challenge_method;
    int64_t auth_time;
    int64_t expires_at;
    int64_t used_at; /* 0 when unused */
};

void tsr_auth_code_cleanup(struct tsr_auth_code *c);

/*
 * Stores a new code with the members of c (hash, expires_at and used_at
 * are set here); *code_out receives the code (caller wipes and frees).
 */
int tsr_auth_code_create(tsr_store *st, const char *tenant_id, struct tsr_auth_code *c,
                         char **code_out);

/*
 * Looks the code up and marks it used in one step.  Returns 0 (first use:
 * *out filled), TSR_EBUSY (already used: *out filled, so the caller can
 * revoke what it issued) or TSR_ENOTFOUND.
 */
int tsr_auth_code_redeem(tsr_store *st, const char *tenant_id, const char *code,
                         struct tsr_auth_code *out);

#endif
