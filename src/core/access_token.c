#include "core/access_token.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/keys.h"
#include "jose/jose.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "util/secure.h"

/* HS256 APIs sign with their own secret; the kid names the API, not a JWKS key. */
static int api_hmac_key(const struct tsr_app *app, const struct tsr_api *api, tsr_jwk **out)
{
    uint8_t *secret = NULL;
    size_t len = 0;
    int rc = tsr_api_open_signing_secret(api, app->master_key, &secret, &len);
    if (rc != 0)
        return rc;
    rc = tsr_jwk_from_secret(secret, len, api->id, out);
    tsr_wipe(secret, len);
    free(secret);
    return rc;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool tsr_access_token_is_rfc9068(const struct tsr_api *api)
{
    return starts_with(api->token_dialect, "rfc9068_profile");
}

bool tsr_access_token_has_permissions(const struct tsr_api *api)
{
    return strstr(api->token_dialect, "_authz") != NULL;
}

json_t *tsr_access_token_claims_json(const char *issuer, const struct tsr_api *api,
                                     const struct tsr_access_token_claims *c, int64_t now,
                                     const char *jti)
{
    char *scope = tsr_strlist_join(c->scope);
    if (scope == NULL)
        return NULL;
    /* Auth0's claim order, so tokens look the same to people reading them. */
    /* With openid, the token is good at /userinfo too: aud = [API, {issuer}userinfo]. */
    json_t *aud = c->userinfo_aud ? json_pack("[s, s]", api->identifier, c->userinfo_aud)
                                  : json_string(api->identifier);
    json_t *claims = json_pack("{s:s, s:s, s:o, s:I, s:I}", "iss", issuer, "sub", c->sub, "aud",
                               aud, "iat", (json_int_t)now, "exp", (json_int_t)(now + c->lifetime));
    if (claims == NULL)
        goto out;
    if (scope[0] != '\0')
        json_object_set_new(claims, "scope", json_string(scope));
    /* RFC 9068 names the client client_id (section 2.2) where Auth0's profile says azp and gty. */
    if (tsr_access_token_is_rfc9068(api)) {
        json_object_set_new(claims, "client_id", json_string(c->azp));
        json_object_set_new(claims, "jti", json_string(jti));
    } else {
        if (c->gty != NULL)
            json_object_set_new(claims, "gty", json_string(c->gty));
        json_object_set_new(claims, "azp", json_string(c->azp));
    }
    if (tsr_access_token_has_permissions(api))
        json_object_set_new(claims, "permissions",
                            tsr_strlist_to_json(c->permissions ? c->permissions : c->scope));
out:
    free(scope);
    return claims;
}

/* Access-token claims past this size are rare (many permissions); they take the heap. */
#define CLAIMS_STACK 2048

bool tsr_access_token_claims_text(struct tsr_jsonw *w, const char *issuer,
                                  const struct tsr_api *api,
                                  const struct tsr_access_token_claims *c, int64_t now,
                                  const char *jti)
{
    /* The members and order of tsr_access_token_claims_json, written directly. */
    tsr_jsonw_obj_open(w);
    tsr_jsonw_key(w, "iss");
    tsr_jsonw_str(w, issuer);
    tsr_jsonw_key(w, "sub");
    tsr_jsonw_str(w, c->sub);
    tsr_jsonw_key(w, "aud");
    if (c->userinfo_aud != NULL) {
        tsr_jsonw_arr_open(w);
        tsr_jsonw_str(w, api->identifier);
        tsr_jsonw_str(w, c->userinfo_aud);
        tsr_jsonw_arr_close(w);
    } else {
        tsr_jsonw_str(w, api->identifier);
    }
    tsr_jsonw_key(w, "iat");
    tsr_jsonw_int(w, now);
    tsr_jsonw_key(w, "exp");
    tsr_jsonw_int(w, now + c->lifetime);
    if (c->scope->n > 0 && !(c->scope->n == 1 && c->scope->v[0][0] == '\0')) {
        tsr_jsonw_key(w, "scope");
        tsr_jsonw_str_joined(w, c->scope->v, c->scope->n);
    }
    if (tsr_access_token_is_rfc9068(api)) {
        tsr_jsonw_key(w, "client_id");
        tsr_jsonw_str(w, c->azp);
        tsr_jsonw_key(w, "jti");
        tsr_jsonw_str(w, jti);
    } else {
        if (c->gty != NULL) {
            tsr_jsonw_key(w, "gty");
            tsr_jsonw_str(w, c->gty);
        }
        tsr_jsonw_key(w, "azp");
        tsr_jsonw_str(w, c->azp);
    }
    if (tsr_access_token_has_permissions(api)) {
        const struct tsr_strlist *l = c->permissions ? c->permissions : c->scope;
        tsr_jsonw_key(w, "permissions");
        tsr_jsonw_arr_open(w);
        for (size_t i = 0; i < l->n; i++)
            tsr_jsonw_str(w, l->v[i]);
        tsr_jsonw_arr_close(w);
    }
    tsr_jsonw_obj_close(w);
    return tsr_jsonw_ok(w);
}

int tsr_access_token_issue(const struct tsr_app *app, const struct tsr_tenant_ctx *tenant,
                           const struct tsr_api *api, const struct tsr_access_token_claims *c,
                           char **jwt)
{
    *jwt = NULL;
    tsr_jwk *hmac = NULL;
    const tsr_jwk *key = NULL;
    json_t *claims = NULL;
    char jti[33];
    char cbuf[CLAIMS_STACK];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, cbuf, sizeof cbuf);
    int rc;

    enum tsr_jws_alg alg;
    if ((rc = tsr_jws_alg_parse(api->signing_alg, &alg)) != 0)
        goto out;
    if (alg == TSR_ALG_HS256) {
        if ((rc = api_hmac_key(app, api, &hmac)) != 0)
            goto out;
        key = hmac;
    } else if ((key = tsr_keyring_current_for(tenant->keys, alg)) == NULL) {
        /* The API's keys are made when it is written; none here means the write failed. */
        rc = TSR_EINVAL;
        goto out;
    }
    if (tsr_random_alnum(jti, 32) != 0) {
        rc = TSR_ENOMEM;
        goto out;
    }
    const char *typ = tsr_access_token_is_rfc9068(api) ? "at+jwt" : "JWT";
    int64_t now = tsr_clock_now();
    if (tsr_access_token_claims_text(&w, tenant->t.issuer, api, c, now, jti)) {
        size_t len;
        const char *text = tsr_jsonw_text(&w, &len);
        rc = tsr_jwt_sign_text(key, typ, text, len, jwt);
        goto out;
    }
    /* A value to escape (or no memory): jansson writes the claims. */
    if ((claims = tsr_access_token_claims_json(tenant->t.issuer, api, c, now, jti)) == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    rc = tsr_jwt_sign(key, typ, claims, jwt);
out:
    tsr_jsonw_cleanup(&w);
    json_decref(claims);
    tsr_jwk_free(hmac);
    return rc;
}
