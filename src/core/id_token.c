#include "core/id_token.h"

#include <string.h>
#include <time.h>

#include "core/keys.h"
#include "jose/jose.h"
#include "util/clock.h"
#include "util/err.h"

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

int tsr_id_token_issue(const struct tsr_tenant_ctx *tenant, const struct tsr_id_token_claims *c,
                       char **jwt)
{
    *jwt = NULL;
    int64_t now = tsr_clock_now();
    json_t *claims = json_object();
    if (claims == NULL)
        return TSR_ENOMEM;
    /* Profile claims first, then the registered ones, as Auth0 orders them. */
    int rc = tsr_id_token_user_claims(claims, c->user, c->scope);
    if (rc == 0) {
        json_object_set_new(claims, "iss", json_string(tenant->t.issuer));
        json_object_set_new(claims, "aud", json_string(c->client->client_id));
        json_object_set_new(claims, "azp", json_string(c->client->client_id));
        json_object_set_new(claims, "iat", json_integer(now));
        json_object_set_new(claims, "exp", json_integer(now + c->client->jwt_lifetime_in_seconds));
        json_object_set_new(claims, "auth_time", json_integer(c->auth_time));
        set_if(claims, "sid", c->sid);
        set_if(claims, "nonce", c->nonce);
        rc = tsr_jwt_sign(tsr_keyring_current(tenant->keys), "JWT", claims, jwt);
    }
    json_decref(claims);
    return rc;
}
