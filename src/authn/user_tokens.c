#include "authn/user_tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access_token.h"
#include "core/api.h"
#include "core/catalog.h"
#include "core/id_token.h"
#include "core/opaque_token.h"
#include "core/refresh_token.h"
#include "core/response_type.h"
#include "core/scope.h"
#include "core/token_policy.h"
#include "http/response.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "util/secure.h"

struct token_set {
    char *access_token;
    char *id_token;
    char *refresh_token;
    int64_t expires_in;
};

static void token_set_cleanup(struct token_set *t)
{
    tsr_wipe_free_str(t->access_token);
    tsr_wipe_free_str(t->id_token);
    tsr_wipe_free_str(t->refresh_token);
}

/* The Management API of the tenant (the system API), whatever its settings say. */
static bool is_mgmt_api(const struct tsr_req *req, const struct tsr_api *api)
{
    return tsr_token_is_mgmt_api(api, req->tenant->mgmt_audience);
}

/*
 * The access token: opaque without an audience, else a JWT; scope may
 * narrow (RBAC).  One sent through the browser (implicit and hybrid flows)
 * lives the API's token_lifetime_for_web.
 */
static int access_token(struct tsr_req *req, const struct tsr_user_grant *g,
                        struct tsr_strlist *scope, bool front_channel, struct token_set *out)
{
    const char *tid = req->tenant->t.id;
    if (g->audience[0] == '\0') {
        /* The scope as narrowed (the front channel drops offline_access), as the answer says. */
        char *joined = tsr_strlist_join(scope);
        if (joined == NULL)
            return TSR_ENOMEM;
        out->expires_in = TSR_OPAQUE_TOKEN_TTL;
        int rc = tsr_opaque_token_create(req->store, tid, g->family_id, g->client->client_id,
                                         g->user->user_id, joined, &out->access_token);
        free(joined);
        return rc;
    }
    struct tsr_strlist perms = {0};
    const struct tsr_api *api = tsr_catalog_api(req->tenant->catalog, g->audience);
    if (api == NULL)
        return TSR_ENOTFOUND;
    bool mgmt = is_mgmt_api(req, api);
    int rc = tsr_token_person_scope(req->store, tid, g->user->user_id, api, mgmt, scope, &perms);
    char userinfo[TSR_SETTINGS_MAX_URL + 16];
    snprintf(userinfo, sizeof userinfo, "%suserinfo", req->tenant->t.issuer);
    struct tsr_access_token_claims claims = {
        .sub = g->user->user_id,
        .azp = g->client->client_id,
        .scope = scope,
        .permissions = tsr_token_permissions_claim(api, mgmt, &perms),
        .lifetime = front_channel ? api->token_lifetime_for_web : api->token_lifetime,
        .userinfo_aud = tsr_strlist_contains(scope, "openid") ? userinfo : NULL,
    };
    out->expires_in = claims.lifetime;
    if (rc == 0)
        rc = tsr_access_token_issue(req->app, req->tenant, api, &claims, &out->access_token);
    tsr_strlist_cleanup(&perms);
    return rc;
}

static int refresh_token(struct tsr_req *req, const struct tsr_user_grant *g, char **out)
{
    int64_t expires_at = g->rt_expires_at;
    if (expires_at < 0)
        expires_at = tsr_rt_family_expiry(g->client, tsr_clock_now());
    struct tsr_refresh_token t = {
        .family_id = (char *)g->family_id,
        .client_id = g->client->client_id,
        .user_id = g->user->user_id,
        .sid = (char *)g->sid,
        .scope = (char *)g->scope,
        .audience = (char *)g->audience,
        .auth_time = g->auth_time,
        .expires_at = expires_at,
    };
    return tsr_refresh_token_create(req->store, req->tenant->t.id, &t, out);
}

/* The ID token's claims of a grant, for the granted scope. */
static struct tsr_id_token_claims id_token_claims(const struct tsr_user_grant *g,
                                                  const struct tsr_strlist *scope)
{
    return (struct tsr_id_token_claims){
        .client = g->client,
        .user = g->user,
        .scope = scope,
        .nonce = g->nonce,
        .sid = g->sid,
        .auth_time = g->auth_time,
    };
}

/* Room for an access token, an ID token and a refresh token; longer answers take the heap. */
#define BODY_STACK 4096

/* The answer written directly, as tsr_resp_json writes it from jansson; false: a value to escape. */
static bool send_direct(struct tsr_req *req, const struct token_set *t, const char *scope)
{
    char buf[BODY_STACK];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_obj_open(&w);
    tsr_jsonw_key(&w, "access_token");
    tsr_jsonw_str(&w, t->access_token);
    if (t->refresh_token != NULL) {
        tsr_jsonw_key(&w, "refresh_token");
        tsr_jsonw_str(&w, t->refresh_token);
    }
    if (t->id_token != NULL) {
        tsr_jsonw_key(&w, "id_token");
        tsr_jsonw_str(&w, t->id_token);
    }
    if (scope[0] != '\0') {
        tsr_jsonw_key(&w, "scope");
        tsr_jsonw_str(&w, scope);
    }
    tsr_jsonw_key(&w, "expires_in");
    tsr_jsonw_int(&w, t->expires_in);
    tsr_jsonw_key(&w, "token_type");
    tsr_jsonw_str(&w, "Bearer");
    tsr_jsonw_obj_close(&w);
    size_t len;
    char *text = tsr_jsonw_take(&w, &len);
    tsr_jsonw_cleanup(&w);
    if (text == NULL)
        return false;
    tsr_resp_header(req, "Pragma", "no-cache");
    tsr_resp_json_owned(req, 200, text, len);
    return true;
}

static void send(struct tsr_req *req, const struct token_set *t, const char *scope)
{
    if (send_direct(req, t, scope))
        return;
    json_t *body = json_pack("{s:s}", "access_token", t->access_token);
    if (body == NULL) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        return;
    }
    if (t->refresh_token != NULL)
        json_object_set_new(body, "refresh_token", json_string(t->refresh_token));
    if (t->id_token != NULL)
        json_object_set_new(body, "id_token", json_string(t->id_token));
    if (scope[0] != '\0')
        json_object_set_new(body, "scope", json_string(scope));
    json_object_set_new(body, "expires_in", json_integer(t->expires_in));
    json_object_set_new(body, "token_type", json_string("Bearer"));
    tsr_resp_header(req, "Pragma", "no-cache");
    tsr_resp_json(req, 200, body);
}

bool tsr_user_tokens_send(struct tsr_req *req, const struct tsr_user_grant *g)
{
    struct tsr_strlist scope = {0};
    struct token_set t = {.refresh_token = g->refresh_token};
    int rc = tsr_strlist_split(&scope, g->scope);
    if (rc == 0)
        rc = access_token(req, g, &scope, false, &t);
    if (rc == TSR_ENOTFOUND) {
        tsr_resp_oauth_error(req, 403, "access_denied", "Service not found: %.600s", g->audience);
        goto out;
    }
    if (rc == 0 && tsr_strlist_contains(&scope, "openid")) {
        struct tsr_id_token_claims claims = id_token_claims(g, &scope);
        rc = tsr_id_token_issue(req->tenant, &claims, &t.id_token);
    }
    if (rc == 0 && g->issue_refresh && t.refresh_token == NULL)
        rc = refresh_token(req, g, &t.refresh_token);
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot issue the tokens: %s",
                             tsr_strerror(rc));
        goto out;
    }
    char *granted = tsr_strlist_join(&scope);
    send(req, &t, granted ? granted : g->scope);
    free(granted);
out:
    token_set_cleanup(&t);
    tsr_strlist_cleanup(&scope);
    return rc == 0;
}

void tsr_front_tokens_cleanup(struct tsr_front_tokens *t)
{
    tsr_wipe_free_str(t->id_token);
    tsr_wipe_free_str(t->access_token);
    free(t->scope);
    memset(t, 0, sizeof *t);
}

/* scope without offline_access, which only the token endpoint honours. */
static int drop_offline_access(struct tsr_strlist *scope)
{
    struct tsr_strlist kept = {0};
    for (size_t i = 0; i < scope->n; i++)
        if (strcmp(scope->v[i], "offline_access") != 0 &&
            tsr_strlist_push(&kept, scope->v[i]) != 0) {
            tsr_strlist_cleanup(&kept);
            return TSR_ENOMEM;
        }
    tsr_strlist_cleanup(scope);
    *scope = kept;
    return 0;
}

int tsr_user_tokens_front(struct tsr_req *req, const struct tsr_user_grant *g,
                          unsigned response_type, const char *code, struct tsr_front_tokens *out)
{
    struct tsr_strlist scope = {0};
    struct token_set t = {0};
    char c_hash[TSR_HALF_HASH_LEN], at_hash[TSR_HALF_HASH_LEN];
    int rc = tsr_strlist_split(&scope, g->scope);
    if (rc == 0)
        rc = drop_offline_access(&scope);
    if (rc == 0 && (response_type & TSR_RT_TOKEN) != 0)
        rc = access_token(req, g, &scope, true, &t);
    if (rc == 0 && (response_type & TSR_RT_ID_TOKEN) != 0) {
        struct tsr_id_token_claims claims = id_token_claims(g, &scope);
        if (code != NULL && (rc = tsr_id_token_half_hash(code, c_hash)) == 0)
            claims.c_hash = c_hash;
        if (rc == 0 && t.access_token != NULL &&
            (rc = tsr_id_token_half_hash(t.access_token, at_hash)) == 0)
            claims.at_hash = at_hash;
        if (rc == 0)
            rc = tsr_id_token_issue(req->tenant, &claims, &t.id_token);
    }
    char *granted = NULL;
    if (rc == 0 && t.access_token != NULL && (granted = tsr_strlist_join(&scope)) == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0) {
        *out = (struct tsr_front_tokens){.id_token = t.id_token,
                                         .access_token = t.access_token,
                                         .scope = granted,
                                         .expires_in = t.expires_in};
        t.id_token = t.access_token = NULL;
    }
    token_set_cleanup(&t);
    tsr_strlist_cleanup(&scope);
    return rc;
}

int tsr_user_tokens_scope(struct tsr_req *req, const struct tsr_client *client,
                          const char *audience, const char *asked, char **out)
{
    bool have_api = audience != NULL && audience[0] != '\0';
    *out = NULL;
    const struct tsr_api *api = have_api ? tsr_catalog_api(req->tenant->catalog, audience) : NULL;
    if (have_api && api == NULL)
        return TSR_ENOTFOUND;
    bool offline = have_api ? api->allow_offline_access : true;
    offline = offline && tsr_token_grant_allowed(client, "refresh_token");
    return tsr_scope_for_audience(asked, api, have_api && is_mgmt_api(req, api), offline, out);
}

int tsr_user_tokens_person_scope(struct tsr_req *req, const char *audience, const char *user_id,
                                 char **scope)
{
    if (audience == NULL || audience[0] == '\0')
        return 0;
    struct tsr_strlist words = {0}, perms = {0};
    char *joined = NULL;
    const struct tsr_api *api = tsr_catalog_api(req->tenant->catalog, audience);
    bool mgmt = api != NULL && is_mgmt_api(req, api);
    /* No API (refused later) or one that does not decide per person. */
    if (api == NULL || (!mgmt && !api->enforce_policies))
        return 0;
    int rc = tsr_strlist_split(&words, *scope ? *scope : "");
    if (rc == 0)
        rc = tsr_token_person_scope(req->store, req->tenant->t.id, user_id, api, mgmt, &words,
                                    &perms);
    if (rc == 0 && (joined = tsr_strlist_join(&words)) == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0) {
        free(*scope);
        *scope = joined;
    }
    tsr_strlist_cleanup(&words);
    tsr_strlist_cleanup(&perms);
    return rc;
}
