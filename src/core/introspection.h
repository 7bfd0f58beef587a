/*
 * introspection.h - which tokens a client may learn about at
 * /oauth/introspect (RFC 7662 section 4: the server decides what each
 * caller may see).  A caller sees its own tokens (client_id / azp), and
 * the JWT access tokens of an API it holds a client grant for: the usual
 * set-up of an API's back end, which is the M2M client that Auth0 makes
 * next to each API.  ID tokens are never access tokens.  Everything else
 * is {"active": false}, whatever the token's state.
 */
#ifndef TSR_CORE_INTROSPECTION_H
#define TSR_CORE_INTROSPECTION_H

#include <stdbool.h>

enum tsr_token_kind {
    TSR_TOKEN_OPAQUE_ACCESS, /* an opaque access token (good only at /userinfo) */
    TSR_TOKEN_REFRESH,       /* a refresh token */
    TSR_TOKEN_JWT_ACCESS,    /* a JWT whose aud names an API of the tenant */
    TSR_TOKEN_JWT_OTHER,     /* any other JWT the tenant signed: ID tokens */
};

/*
 * True when caller_id may see a token of kind issued to token_client_id
 * (NULL when the token names none); caller_serves_api says whether the
 * caller holds a client grant for an API the JWT access token is for.
 */
bool tsr_introspection_visible(enum tsr_token_kind kind, const char *caller_id,
                               const char *token_client_id, bool caller_serves_api);

#endif
