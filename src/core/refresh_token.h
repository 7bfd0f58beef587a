/*
 * refresh_token.h - refresh tokens: opaque, stored as SHA-256, grouped in
 * families (every token rotated from one grant).  Reusing a token that was
 * already rotated revokes the whole family (RFC 9700 section 4.14).
 */
#ifndef TSR_CORE_REFRESH_TOKEN_H
#define TSR_CORE_REFRESH_TOKEN_H

#include <stdint.h>

#include "store/store.h"

struct tsr_refresh_token {
    char *hash;
    char *family_id;
    char *client_id;
    char *user_id;
    char *sid;
    char *scope;
    char *audience;
    int64_t auth_time;
    int64_t created_at;
    int64_t last_used_at;
    int64_t expires_at; /* 0: no absolute expiry */
    int64_t rotated_at; /* 0: still current */
    int64_t revoked_at; /* 0: not revoked */
};

void tsr_refresh_token_cleanup(struct tsr_refresh_token *t);

/*
 * Stores a new token with t's family_id, client_id, user_id, sid, scope,
 * audience, auth_time and expires_at; *secret_out receives the token
 * (caller wipes and frees).
 */
int tsr_refresh_token_create(tsr_store *st, const char *tenant_id,
                             const struct tsr_refresh_token *t, char **secret_out);

/* Looks a token up by its value (any state).  Returns 0 or TSR_ENOTFOUND. */
int tsr_refresh_token_find(tsr_store *st, const char *tenant_id, const char *secret,
                           struct tsr_refresh_token *out);

/* Marks a token rotated now.  TSR_ENOTFOUND when another request rotated it first. */
int tsr_refresh_token_rotate(tsr_store *st, const char *tenant_id, const char *hash);

/* Records a use of a non-rotating token (the idle lifetime counts from it). */
int tsr_refresh_token_touch(tsr_store *st, const char *tenant_id, const char *hash);

/* Revokes a family: its refresh tokens and the opaque access tokens issued with them. */
int tsr_refresh_token_revoke_family(tsr_store *st, const char *tenant_id, const char *family_id);

/*
 * Revokes every refresh token, and every opaque access token, issued to a
 * client (its secret was rotated, it became public, or it was deleted).
 */
int tsr_refresh_token_revoke_client(tsr_store *st, const char *tenant_id, const char *client_id);

/* Revokes every refresh token and opaque access token of a user (sessions end apart). */
int tsr_refresh_token_revoke_user(tsr_store *st, const char *tenant_id, const char *user_id);

/* Revokes the refresh tokens issued in a login session (at logout). */
int tsr_refresh_token_revoke_session(tsr_store *st, const char *tenant_id, const char *sid);

#endif
