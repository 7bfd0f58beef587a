#include "core/id_token.h"

#include <string.h>
#include <time.h>

#include "core/keys.h"
#include "jose/jose.h"
#include "util/b64url.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "util/secure.h"

static void set_if(json_t *obj, const char *name, const char *value)
{
    if (value != NULL && value[0] != '\0')
        json_object_set_new(obj, name, json_string(value));
}

int tsr_id_token_user_claims(json_t *obj, const struct tsr_user *u, const struct tsr_strlist *scope)
{
    if (json_object_set_new(obj, "sub", json_string(u->user_id)) != 0)
        return TSR_ENOMEM;
    if (tsr_strlist_contains(scope, "profile")) {
        char updated[32];
        tsr_iso8601(u->updated_at, updated);
        set_if(obj, "given_name", u->given_name);
        set_if(obj, "family_name", u->family_name);
        json_object_set_new(obj, "nickname", json_string(u->nickname ? u->nickname : ""));
        json_object_set_new(obj, "name", json_string(u->name ? u->name : ""));
        json_object_set_new(obj, "picture", json_string(u->picture ? u->picture : ""));
        json_object_set_new(obj, "updated_at", json_string(updated));
    }
    if (tsr_strlist_contains(scope, "email") && u->email != NULL) {
        json_object_set_new(obj, "email", json_string(u->email));
        json_object_set_new(obj, "email_verified", json_boolean(u->email_verified));
    }
    return 0;
}

static void put_if(struct tsr_jsonw *w, const char *name, const char *value)
{
    if (value != NULL && value[0] != '\0') {
        tsr_jsonw_key(w, name);
        tsr_jsonw_str(w, value);
    }
}

void tsr_id_token_user_claims_text(struct tsr_jsonw *w, const struct tsr_user *u, bool profile,
                                   bool email)
{
    /* The members and order of tsr_id_token_user_claims. */
    tsr_jsonw_key(w, "sub");
    tsr_jsonw_str(w, u->user_id);
    if (profile) {
        char updated[32];
        tsr_iso8601(u->updated_at, updated);
        put_if(w, "given_name", u->given_name);
        put_if(w, "family_name", u->family_name);
        tsr_jsonw_key(w, "nickname");
        tsr_jsonw_str(w, u->nickname ? u->nickname : "");
        tsr_jsonw_key(w, "name");
        tsr_jsonw_str(w, u->name ? u->name : "");
        tsr_jsonw_key(w, "picture");
        tsr_jsonw_str(w, u->picture ? u->picture : "");
        tsr_jsonw_key(w, "updated_at");
        tsr_jsonw_str(w, updated);
    }
    if (email && u->email != NULL) {
        tsr_jsonw_key(w, "email");
        tsr_jsonw_str(w, u->email);
        tsr_jsonw_key(w, "email_verified");
        tsr_jsonw_bool(w, u->email_verified);
    }
}

int tsr_id_token_half_hash(const char *value, char out[TSR_HALF_HASH_LEN])
{
    uint8_t digest[TSR_SHA256_LEN];
    int rc = tsr_sha256(value, strlen(value), digest);
    if (rc == 0)
        rc = tsr_b64url_encode(digest, TSR_SHA256_LEN / 2, out, TSR_HALF_HASH_LEN);
    return rc;
}

json_t *tsr_id_token_claims_json(const struct tsr_tenant_ctx *tenant,
                                 const struct tsr_id_token_claims *c, int64_t now)
{
    json_t *claims = json_object();
    if (claims == NULL)
        return NULL;
    /* Profile claims first, then the registered ones, as Auth0 orders them. */
    if (tsr_id_token_user_claims(claims, c->user, c->scope) != 0) {
        json_decref(claims);
        return NULL;
    }
    json_object_set_new(claims, "iss", json_string(tenant->t.issuer));
    json_object_set_new(claims, "aud", json_string(c->client->client_id));
    json_object_set_new(claims, "azp", json_string(c->client->client_id));
    json_object_set_new(claims, "iat", json_integer(now));
    json_object_set_new(claims, "exp", json_integer(now + c->client->jwt_lifetime_in_seconds));
    json_object_set_new(claims, "auth_time", json_integer(c->auth_time));
    set_if(claims, "sid", c->sid);
    set_if(claims, "nonce", c->nonce);
    set_if(claims, "c_hash", c->c_hash);
    set_if(claims, "at_hash", c->at_hash);
    return claims;
}

/* An ID token's claims past this size take the heap. */
#define CLAIMS_STACK 2048

bool tsr_id_token_claims_text(struct tsr_jsonw *w, const struct tsr_tenant_ctx *tenant,
                              const struct tsr_id_token_claims *c, int64_t now)
{
    /* The members and order of the jansson path of tsr_id_token_issue. */
    tsr_jsonw_obj_open(w);
    tsr_id_token_user_claims_text(w, c->user, tsr_strlist_contains(c->scope, "profile"),
                                  tsr_strlist_contains(c->scope, "email"));
    tsr_jsonw_key(w, "iss");
    tsr_jsonw_str(w, tenant->t.issuer);
    tsr_jsonw_key(w, "aud");
    tsr_jsonw_str(w, c->client->client_id);
    tsr_jsonw_key(w, "azp");
    tsr_jsonw_str(w, c->client->client_id);
    tsr_jsonw_key(w, "iat");
    tsr_jsonw_int(w, now);
    tsr_jsonw_key(w, "exp");
    tsr_jsonw_int(w, now + c->client->jwt_lifetime_in_seconds);
    tsr_jsonw_key(w, "auth_time");
    tsr_jsonw_int(w, c->auth_time);
    put_if(w, "sid", c->sid);
    put_if(w, "nonce", c->nonce);
    put_if(w, "c_hash", c->c_hash);
    put_if(w, "at_hash", c->at_hash);
    tsr_jsonw_obj_close(w);
    return tsr_jsonw_ok(w);
}

int tsr_id_token_issue(const struct tsr_tenant_ctx *tenant, const struct tsr_id_token_claims *c,
                       char **jwt)
{
    *jwt = NULL;
    int64_t now = tsr_clock_now();
    char buf[CLAIMS_STACK];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    if (tsr_id_token_claims_text(&w, tenant, c, now)) {
        size_t len;
        const char *text = tsr_jsonw_text(&w, &len);
        int rc = tsr_jwt_sign_text(tsr_keyring_current(tenant->keys), "JWT", text, len, jwt);
        tsr_jsonw_cleanup(&w);
        return rc;
    }
    /* A value to escape (or no memory): jansson writes the claims. */
    tsr_jsonw_cleanup(&w);
    json_t *claims = tsr_id_token_claims_json(tenant, c, now);
    if (claims == NULL)
        return TSR_ENOMEM;
    int rc = tsr_jwt_sign(tsr_keyring_current(tenant->keys), "JWT", claims, jwt);
    json_decref(claims);
    return rc;
}
