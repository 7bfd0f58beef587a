/*
 * GET|POST /userinfo - the person's claims for an access token: an opaque
 * token issued without an audience, or a JWT whose aud includes
 * {issuer}userinfo (issued when openid was granted with an audience).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authn/authn.h"
#include "authn/cors.h"
#include "core/id_token.h"
#include "core/opaque_token.h"
#include "core/tenant_jwt.h"
#include "core/user.h"
#include "http/response.h"
#include "jose/jose.h"
#include "util/clock.h"
#include "util/jsonw.h"
#include "util/strlist.h"

static void unauthorized(struct tsr_req *req, const char *error, const char *description)
{
    char header[256];
    snprintf(header, sizeof header, "Bearer realm=\"%s\", error=\"%s\"", req->tenant->t.issuer,
             error);
    tsr_resp_header(req, "WWW-Authenticate", header);
    tsr_resp_oauth_error(req, 401, error, "%s", description);
}

/* A JWT access token of this tenant for /userinfo: *sub and *scope are new strings. */
static bool jwt_subject(struct tsr_req *req, const char *token, char **sub, char **scope)
{
    tsr_jws *jws = NULL;
    bool ok = false;
    char userinfo[TSR_SETTINGS_MAX_URL + 16];
    snprintf(userinfo, sizeof userinfo, "%suserinfo", req->tenant->t.issuer);
    if (tsr_tenant_jwt_verify(req->tenant, token, &jws) != 0)
        return false;
    const json_t *c = tsr_jws_payload(jws);
    const char *s = json_string_value(json_object_get(c, "sub"));
    if (s != NULL && tsr_jwt_unexpired(c, tsr_clock_now()) &&
        tsr_jwt_aud_has(json_object_get(c, "aud"), userinfo)) {
        const char *sc = json_string_value(json_object_get(c, "scope"));
        *sub = strdup(s);
        *scope = strdup(sc ? sc : "");
        ok = *sub != NULL && *scope != NULL;
    }
    tsr_jws_free(jws);
    return ok;
}

/* The bearer token from the Authorization header, or a POST body's access_token. */
static const char *bearer(struct tsr_req *req, struct tsr_params *body)
{
    const char *h = tsr_req_header(req, "Authorization");
    if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    char err[128];
    if (strcmp(req->method, "POST") == 0 &&
        tsr_req_is_content_type(req, "application/x-www-form-urlencoded") &&
        tsr_params_parse_form(body, req->body ? req->body : "", req->body_len, err,
                              sizeof err) == 0)
        return tsr_params_get(body, "access_token");
    return NULL;
}

/* A person's claims are a few hundred bytes; longer ones take the heap. */
#define CLAIMS_STACK 2048

/* The claims written directly, as tsr_resp_json writes them from jansson; false: a value to escape. */
static bool send_direct(struct tsr_req *req, const struct tsr_user *u, const char *scope)
{
    char buf[CLAIMS_STACK];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_obj_open(&w);
    tsr_id_token_user_claims_text(&w, u, tsr_words_contain(scope, "profile"),
                                  tsr_words_contain(scope, "email"));
    tsr_jsonw_obj_close(&w);
    size_t len;
    char *text = tsr_jsonw_take(&w, &len);
    tsr_jsonw_cleanup(&w);
    if (text == NULL)
        return false;
    tsr_resp_json_owned(req, 200, text, len);
    return true;
}

void tsr_authn_userinfo(struct tsr_req *req)
{
    struct tsr_params body = {0};
    struct tsr_opaque_token ot = {0};
    struct tsr_user u = {0};
    struct tsr_strlist scope = {0};
    char *sub = NULL, *scope_text = NULL;
    tsr_cors_allow(req);
    const char *token = bearer(req, &body);
    if (token == NULL || token[0] == '\0') {
        unauthorized(req, "invalid_request", "Missing access token");
        goto out;
    }
    bool found = false;
    /* The subject and scope: the opaque token's own, or copies out of the JWT. */
    const char *who = NULL, *granted = NULL;
    if (strchr(token, '.') != NULL) {
        found = jwt_subject(req, token, &sub, &scope_text);
        who = sub;
        granted = scope_text;
    } else if (tsr_opaque_token_find(req->store, req->tenant->t.id, token, &ot) == 0) {
        who = ot.user_id;
        granted = ot.scope;
        found = who != NULL && granted != NULL;
    }
    if (!found || tsr_user_get(req->store, req->tenant->t.id, who, &u) != 0 || u.blocked) {
        unauthorized(req, "invalid_token", "Invalid or expired access token");
        goto out;
    }
    if (send_direct(req, &u, granted))
        goto out;
    json_t *claims = json_object();
    if (tsr_strlist_split(&scope, granted) != 0 || claims == NULL ||
        tsr_id_token_user_claims(claims, &u, &scope) != 0) {
        json_decref(claims);
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        goto out;
    }
    tsr_resp_json(req, 200, claims);
out:
    tsr_strlist_cleanup(&scope);
    free(sub);
    free(scope_text);
    tsr_user_cleanup(&u);
    tsr_opaque_token_cleanup(&ot);
    tsr_params_cleanup(&body);
}
