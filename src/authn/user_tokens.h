/*
 * user_tokens.h - the token response of the grants that act for a person
 * (authorization_code, refresh_token, password): an access token (a JWT
 * for an audience, opaque without one), an ID token when openid was
 * granted, and a refresh token when offline access was.
 */
#ifndef TSR_AUTHN_USER_TOKENS_H
#define TSR_AUTHN_USER_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/client.h"
#include "core/user.h"
#include "http/request.h"

struct tsr_user_grant {
    const struct tsr_client *client;
    const struct tsr_user *user;
    const char *scope;     /* granted, space-separated */
    const char *audience;  /* "" for none */
    const char *nonce;     /* "" for none */
    const char *sid;       /* "" for none */
    int64_t auth_time;
    const char *family_id; /* the grant the tokens descend from (code hash or refresh family) */
    bool issue_refresh;    /* a refresh token joins the family */
    /* the family's absolute expiry; -1: start one from the client's settings */
    int64_t rt_expires_at;
    char *refresh_token;   /* stored already (tsr_rt_spend), or NULL; send wipes and frees it */
};

/*
 * Issues the tokens and sends the 200 response (no-store).  On failure
 * sends the error response and returns false.  A refresh token is made
 * here when g->issue_refresh asks for one and g->refresh_token is NULL.
 */
bool tsr_user_tokens_send(struct tsr_req *req, const struct tsr_user_grant *g);

/* What /authorize sends in the front channel besides a code. */
struct tsr_front_tokens {
    char *id_token;
    char *access_token;
    char *scope; /* granted to the access token */
    int64_t expires_in;
};

void tsr_front_tokens_cleanup(struct tsr_front_tokens *t);

/*
 * The tokens of the implicit and hybrid flows for the response type set
 * (core/response_type.h): an ID token for id_token, carrying the c_hash
 * of code (when not NULL) and the at_hash of the access token; an access
 * token for token.  Never a refresh token: offline_access means nothing
 * here.  g->family_id names the grant of an opaque access token.
 * Returns 0, TSR_ENOTFOUND (the audience's API is gone) or a negative
 * code; *out is filled on success only.
 */
int tsr_user_tokens_front(struct tsr_req *req, const struct tsr_user_grant *g,
                          unsigned response_type, const char *code, struct tsr_front_tokens *out);

/*
 * Narrows asked (space-separated) to what may be granted for audience ("":
 * none): the OpenID scopes, the API's own scopes (for the Management API
 * also its current-user scopes), and offline_access only when a refresh
 * token may be issued.  Whom the scopes go to is decided when the tokens
 * are issued (RBAC, and the Management API's rule: core/mgmt_access.h).
 * *out is a new string (caller frees).  Returns 0, TSR_ENOTFOUND (no API
 * with that identifier) or a negative code.
 */
int tsr_user_tokens_scope(struct tsr_req *req, const struct tsr_client *client,
                          const char *audience, const char *asked, char **out);

/*
 * Narrows *scope (space-separated, replaced) to what user_id may be given
 * for audience now: for the Management API, tsr_mgmt_person_scopes; for an
 * API with enforce_policies, the OpenID scopes and the person's
 * permissions; other audiences are left alone.  /authorize and the consent
 * page use it before consent is asked for, compared or recorded, so a
 * consent never names a scope the person did not hold (which would turn
 * into a silent grant once assigned).  Returns 0 or a negative code.
 */
int tsr_user_tokens_person_scope(struct tsr_req *req, const char *audience, const char *user_id,
                                 char **scope);

#endif
