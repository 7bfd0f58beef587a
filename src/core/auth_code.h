/*
 * auth_code.h - authorization codes: single use, 60 seconds, bound to the
 * client, the redirect_uri and the PKCE challenge.  Only the SHA-256 of a
 * code is stored; the hash also names the family of tokens issued from the
 * code, so a replay can revoke them.
 */
#ifndef TSR_CORE_AUTH_CODE_H
#define TSR_CORE_AUTH_CODE_H

#include <stdbool.h>
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

/* Looks the code up (any state).  Returns 0 (*out filled) or TSR_ENOTFOUND. */
int tsr_auth_code_find(tsr_store *st, const char *tenant_id, const char *code,
                       struct tsr_auth_code *out);

/*
 * Marks the code used.  The conditional update makes two concurrent
 * redemptions see one winner: returns 0 for it and TSR_EBUSY for the
 * other (the code was used already).
 */
int tsr_auth_code_mark_used(tsr_store *st, const char *tenant_id, const char *hash);

/* What presenting a code at the token endpoint amounts to. */
enum tsr_code_verdict {
    TSR_CODE_OK,             /* first use, every binding holds: issue tokens */
    TSR_CODE_REPLAYED,       /* used before, every binding holds: revoke what it issued */
    TSR_CODE_EXPIRED,        /* unused but past its lifetime */
    TSR_CODE_WRONG_CLIENT,   /* issued to another client */
    TSR_CODE_WRONG_REDIRECT, /* redirect_uri missing or not the one sent to /authorize */
    TSR_CODE_WRONG_VERIFIER, /* PKCE verifier missing, malformed or not the challenge's */
    TSR_CODE_UNKNOWN,        /* no such code (core/token_policy.h) */
};

/*
 * Judges a presentation of code by client_id with redirect_uri and
 * verifier (NULL when absent) at time now.  The bindings come first: only
 * the client the code was issued to, with the same redirect_uri and the
 * PKCE verifier, can make a replay count (and revoke what the code
 * issued), so a stolen code cannot be used to revoke the victim's tokens.
 */
enum tsr_code_verdict tsr_auth_code_check(const struct tsr_auth_code *c, const char *client_id,
                                          const char *redirect_uri, const char *verifier,
                                          int64_t now);

/*
 * RFC 7636 S256: verifier is 43-128 characters of [A-Za-z0-9-._~] and its
 * SHA-256, base64url, equals challenge (compared in constant time).  A
 * code without a challenge takes no verifier: one sent anyway is a
 * downgrade and fails.
 */
bool tsr_pkce_matches(const char *challenge, const char *verifier);

#endif
