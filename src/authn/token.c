/*
 * POST /oauth/token - the token endpoint.  Grant types are dispatched from
 * here; each lives in its own function (client_credentials for now).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authn/authn.h"
#include "authn/client_auth.h"
#include "authn/cors.h"
#include "authn/token_user.h"
#include "core/access_token.h"
#include "core/api.h"
#include "core/event.h"
#include "core/token_policy.h"
#include "http/response.h"
#include "util/err.h"
#include "util/jsonw.h"

/* A token response is about a JWT long; longer ones take the heap. */
#define TOKEN_BODY_STACK 2048

static void send_token(struct tsr_req *req, const char *jwt, int64_t expires_in,
                       const struct tsr_strlist *scope)
{
    tsr_resp_header(req, "Pragma", "no-cache");
    /* Written directly, as tsr_resp_json would write the object below. */
    char buf[TOKEN_BODY_STACK];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_obj_open(&w);
    tsr_jsonw_key(&w, "access_token");
    tsr_jsonw_str(&w, jwt);
    if (scope->n > 0 && !(scope->n == 1 && scope->v[0][0] == '\0')) {
        tsr_jsonw_key(&w, "scope");
        tsr_jsonw_str_joined(&w, scope->v, scope->n);
    }
    tsr_jsonw_key(&w, "expires_in");
    tsr_jsonw_int(&w, expires_in);
    tsr_jsonw_key(&w, "token_type");
    tsr_jsonw_str(&w, "Bearer");
    tsr_jsonw_obj_close(&w);
    if (tsr_jsonw_ok(&w)) {
        size_t len;
        char *text = tsr_jsonw_take(&w, &len);
        tsr_jsonw_cleanup(&w);
        tsr_resp_json_owned(req, 200, text, len);
        return;
    }
    tsr_jsonw_cleanup(&w);

    char *scope_text = tsr_strlist_join(scope);
    json_t *body = json_pack("{s:s}", "access_token", jwt);
    if (body != NULL && scope_text != NULL && scope_text[0] != '\0')
        json_object_set_new(body, "scope", json_string(scope_text));
    if (body != NULL) {
        json_object_set_new(body, "expires_in", json_integer(expires_in));
        json_object_set_new(body, "token_type", json_string("Bearer"));
    }
    free(scope_text);
    tsr_resp_json(req, 200, body);
}

static void client_credentials(struct tsr_req *req, const struct tsr_params *p,
                               const struct tsr_client *client)
{
    struct tsr_cc_decision d = {0};
    char *jwt = NULL;
    char sub[128];
    int rc = tsr_cc_decide_catalog(req->tenant->catalog, req->tenant->t.default_audience, client,
                                   tsr_params_get(p, "audience"), tsr_params_get(p, "scope"), &d);
    if (rc == 0 && d.verdict == TSR_CC_UNAUTHORIZED_CLIENT) {
        tsr_resp_oauth_error(req, 400, "unauthorized_client",
                             "Grant type 'client_credentials' not allowed for the client.");
        goto out;
    }
    if (rc == 0 && d.verdict == TSR_CC_NO_AUDIENCE) {
        tsr_resp_oauth_error(req, 403, "access_denied",
                             "No audience parameter was provided, and no default audience has "
                             "been configured");
        goto out;
    }
    if (rc == 0 && d.verdict == TSR_CC_UNKNOWN_API) {
        tsr_resp_oauth_error(req, 403, "access_denied", "Service not found: %.600s", d.audience);
        goto out;
    }
    if (rc == 0 && d.verdict == TSR_CC_NO_GRANT) {
        tsr_resp_oauth_error(req, 403, "access_denied",
                             "Client is not authorized to access \"%.600s\". You need to "
                             "create a \"client-grant\" associated to this API.",
                             d.audience);
        goto out;
    }
    snprintf(sub, sizeof sub, "%s@clients", client->client_id);
    struct tsr_access_token_claims claims = {
        .sub = sub,
        .azp = client->client_id,
        .gty = "client-credentials",
        .scope = &d.scope,
        .lifetime = d.api->token_lifetime,
    };
    if (rc == 0)
        rc = tsr_access_token_issue(req->app, req->tenant, d.api, &claims, &jwt);
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot issue the token: %s",
                             tsr_strerror(rc));
        goto out;
    }
    send_token(req, jwt, d.api->token_lifetime, &d.scope);
out:
    /* seccft / feccft: the event log shows machine-to-machine token requests too. */
    if (req->status != 0) {
        struct tsr_event e = {.type = req->status == 200 ? "seccft" : "feccft",
                              .description = req->status == 200 ? "Client Credentials for Access Token"
                                                                : "Client credentials refused",
                              .client_id = client->client_id,
                              .client_name = client->name};
        tsr_event_record(tsr_req_who(req), &e);
    }
    free(jwt);
    tsr_cc_decision_cleanup(&d);
}

/* A refused client authentication is logged as the grant's failure (feccft, feacft, ...). */
static void record_refused_client(struct tsr_req *req, const char *grant_type)
{
    static const char *const types[][2] = {{"client_credentials", "feccft"},
                                           {"authorization_code", "feacft"},
                                           {"refresh_token", "fertft"}};
    const char *type = "fepft";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(grant_type, types[i][0]) == 0)
            type = types[i][1];
    struct tsr_event e = {.type = type,
                          .description = "Client authentication failed",
                          .client_id = req->log_client_id[0] ? req->log_client_id : NULL};
    tsr_event_record(tsr_req_who(req), &e);
}

bool tsr_authn_read_params(struct tsr_req *req, struct tsr_params *p)
{
    char err[256];
    int rc;
    if (tsr_req_is_content_type(req, "application/x-www-form-urlencoded"))
        rc = tsr_params_parse_form(p, req->body ? req->body : "", req->body_len, err, sizeof err);
    else if (tsr_req_is_content_type(req, "application/json"))
        rc = tsr_params_parse_json(p, req->body ? req->body : "", req->body_len, err, sizeof err);
    else {
        tsr_resp_oauth_error(req, 400, "invalid_request",
                             "Content-Type must be application/x-www-form-urlencoded or "
                             "application/json");
        return false;
    }
    if (rc != 0) {
        tsr_resp_oauth_error(req, 400, "invalid_request", "Invalid request body: %s", err);
        return false;
    }
    return true;
}

void tsr_authn_token(struct tsr_req *req)
{
    struct tsr_params p = {0};
    const struct tsr_client *client = NULL; /* the tenant catalog's */
    tsr_cors_allow(req);
    if (!tsr_authn_read_params(req, &p))
        return;
    const char *grant_type = tsr_params_get(&p, "grant_type");
    if (grant_type == NULL || grant_type[0] == '\0') {
        tsr_resp_oauth_error(req, 400, "invalid_request",
                             "Missing required parameter: grant_type");
        goto out;
    }
    bool password = strcmp(grant_type, "password") == 0 ||
                    strcmp(grant_type, "http://auth0.com/oauth/grant-type/password-realm") == 0;
    if (strcmp(grant_type, "client_credentials") != 0 &&
        strcmp(grant_type, "authorization_code") != 0 &&
        strcmp(grant_type, "refresh_token") != 0 && !password) {
        tsr_resp_oauth_error(req, 400, "unsupported_grant_type",
                             "Unsupported grant type: %.100s", grant_type);
        goto out;
    }
    if (!tsr_client_auth(req, &p, &client)) {
        record_refused_client(req, grant_type);
        goto out;
    }
    if (strcmp(grant_type, "client_credentials") == 0)
        client_credentials(req, &p, client);
    else if (strcmp(grant_type, "authorization_code") == 0)
        tsr_token_authorization_code(req, &p, client);
    else if (strcmp(grant_type, "refresh_token") == 0)
        tsr_token_refresh(req, &p, client);
    else
        tsr_token_password(req, &p, client, grant_type);
out:
    tsr_params_cleanup(&p);
}
