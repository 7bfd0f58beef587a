/*
 * id_token.h - ID tokens: for the client only (aud = client_id), signed
 * RS256 with the tenant's current key (auth0-spa-js accepts nothing else),
 * with the profile and email claims the granted scope asks for.
 */
#ifndef TSR_CORE_ID_TOKEN_H
#define TSR_CORE_ID_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/app.h"
#include "core/client.h"
#include "core/user.h"
#include "util/jsonw.h"
#include "util/strlist.h"

struct tsr_id_token_claims {
    const struct tsr_client *client;
    const struct tsr_user *user;
    const struct tsr_strlist *scope;
    const char *nonce; /* "" or NULL: left out (refresh and password grants) */
    const char *sid;   /* "" or NULL: left out */
    int64_t auth_time;
    /* From /authorize only (implicit and hybrid flows); NULL: left out. */
    const char *c_hash;  /* tsr_id_token_half_hash of the code sent with it */
    const char *at_hash; /* ... of the access token sent with it */
};

/* Room for a half hash: base64url of 16 bytes and the NUL. */
#define TSR_HALF_HASH_LEN 23

/*
 * The c_hash or at_hash of value (OpenID Connect Core 3.3.2.11): the
 * base64url of the left half of its SHA-256, the hash of RS256, the
 * algorithm ID tokens are signed with.  Returns 0 or a negative code.
 */
int tsr_id_token_half_hash(const char *value, char out[TSR_HALF_HASH_LEN]);

/* Signs an ID token into *jwt (caller frees).  Returns 0 or a negative code. */
int tsr_id_token_issue(const struct tsr_tenant_ctx *tenant, const struct tsr_id_token_claims *c,
                       char **jwt);

/*
 * The user's claims for scope (profile: name, nickname, given_name,
 * family_name, picture, updated_at; email: email, email_verified) added to
 * obj, with sub.  Shared by ID tokens and /userinfo.
 */
int tsr_id_token_user_claims(json_t *obj, const struct tsr_user *user,
                             const struct tsr_strlist *scope);

/*
 * The same claims written as text into w, an object already open: byte for
 * byte what tsr_id_token_user_claims adds, for scopes with (profile, email).
 * A value that needs escaping leaves w not ok (tsr_jsonw_ok): the caller
 * then takes the jansson path.
 */
void tsr_id_token_user_claims_text(struct tsr_jsonw *w, const struct tsr_user *user, bool profile,
                                   bool email);

/* An ID token's claims at now as a new object (caller decrefs), or NULL. */
json_t *tsr_id_token_claims_json(const struct tsr_tenant_ctx *tenant,
                                 const struct tsr_id_token_claims *c, int64_t now);

/*
 * An ID token's whole claims object as text into w, at now, byte for byte
 * what tsr_id_token_issue signs through jansson.  Returns tsr_jsonw_ok(w).
 */
bool tsr_id_token_claims_text(struct tsr_jsonw *w, const struct tsr_tenant_ctx *tenant,
                              const struct tsr_id_token_claims *c, int64_t now);

#endif
