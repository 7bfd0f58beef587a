/*
 * Bearer-token authorization of Management API requests: a JWT that this
 * tenant signed for {issuer}api/v2/, still valid, whose grant still stands
 * (a client's client grant, client_credentials grant type and secret; a
 * person's existence, standing and Management permissions, the application
 * the token was issued to and, for a third-party one, the person's consent:
 * core/mgmt_access.h), carrying one of the endpoint's scopes among those
 * still in force.  The rate limit counts per client, and per person within
 * an application.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/client.h"
#include "core/consent.h"
#include "core/grant.h"
#include "core/mgmt_access.h"
#include "core/rbac.h"
#include "core/tenant_jwt.h"
#include "core/user.h"
#include "mgmt/rate_limit.h"
#include "http/response.h"
#include "jose/jose.h"
#include "http/router.h"
#include "mgmt/mgmt.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/strlist.h"

static bool unauthorized(struct tsr_req *req, const char *message)
{
    tsr_resp_header(req, "WWW-Authenticate", "Bearer realm=\"Management API\", "
                                             "error=\"invalid_token\"");
    tsr_resp_mgmt_error(req, 401, "invalid_token", "%s", message);
    return false;
}

static bool check_claims(struct tsr_req *req, const json_t *claims)
{
    const json_t *exp = json_object_get(claims, "exp");
    const json_t *nbf = json_object_get(claims, "nbf");
    const json_t *aud = json_object_get(claims, "aud");
    int64_t now = tsr_clock_now();
    if (!tsr_jwt_aud_has(aud, req->tenant->mgmt_audience)) {
        char msg[700];
        snprintf(msg, sizeof msg, "Bad audience: %.600s",
                 json_is_string(aud) ? json_string_value(aud) : "(not a string)");
        return unauthorized(req, msg);
    }
    if (!json_is_integer(exp))
        return unauthorized(req, "Invalid token");
    if (json_integer_value(exp) <= now)
        return unauthorized(req, "Expired token received for JSON Web Token validation");
    if (nbf != NULL && (!json_is_integer(nbf) || json_integer_value(nbf) > now))
        return unauthorized(req, "Invalid token");
    return true;
}

static bool store_failed(struct tsr_req *req)
{
    tsr_resp_mgmt_error(req, 500, NULL, "Cannot check the token's grant");
    return false;
}

/*
 * What a client's token may do: its client grant for the Management API, as
 * it is now, while the client may still get such a token (client_credentials
 * grant type, confidential).
 */
static bool client_allowed(struct tsr_req *req, const char *client_id,
                           struct tsr_strlist *allowed)
{
    struct tsr_client c = {0};
    int rc = tsr_client_get(req->store, req->tenant->t.id, client_id, &c);
    bool stands =
        rc == 0 && tsr_mgmt_client_grant_stands(&c.grant_types, c.token_endpoint_auth_method);
    tsr_client_cleanup(&c);
    if (rc == TSR_ENOTFOUND || (rc == 0 && !stands))
        return unauthorized(req, "The client of this token may no longer use client credentials");
    if (rc != 0)
        return store_failed(req);
    struct tsr_grant g = {0};
    rc = tsr_grant_find(req->store, req->tenant->t.id, client_id, req->tenant->mgmt_audience, &g);
    if (rc == 0) {
        *allowed = g.scope;
        g.scope = (struct tsr_strlist){0};
    }
    tsr_grant_cleanup(&g);
    if (rc == TSR_ENOTFOUND)
        return unauthorized(req, "The client grant of this token no longer exists");
    return rc == 0 || store_failed(req);
}

/*
 * The application a person's token was issued to must still exist; for a
 * third-party one, *consented receives the person's consent to it for the
 * Management API, which must still exist (revoked: the token is dead) and
 * bounds the scopes in force.  *bound says whether it does.
 */
static bool person_app_allows(struct tsr_req *req, const char *user_id, const char *client_id,
                              struct tsr_strlist *consented, bool *bound)
{
    const char *tid = req->tenant->t.id;
    struct tsr_client c = {0};
    int rc = tsr_client_get(req->store, tid, client_id, &c);
    *bound = rc == 0 && tsr_mgmt_consent_binds(c.is_first_party);
    tsr_client_cleanup(&c);
    if (rc == TSR_ENOTFOUND)
        return unauthorized(req, "The application of this token no longer exists");
    if (rc == 0 && *bound)
        rc = tsr_consent_get(req->store, tid, user_id, client_id, req->tenant->mgmt_audience,
                             consented);
    if (rc == TSR_ENOTFOUND)
        return unauthorized(req, "The consent this token was issued under was revoked");
    return rc == 0 || store_failed(req);
}

/*
 * What a person's token may do: they exist, are not blocked, hold these
 * permissions now, and the token's application still stands for them.
 */
static bool person_allowed(struct tsr_req *req, const char *user_id, const char *client_id,
                           struct tsr_strlist *allowed, struct tsr_strlist *consented, bool *bound)
{
    struct tsr_user u = {0};
    int rc = tsr_user_get(req->store, req->tenant->t.id, user_id, &u);
    bool blocked = rc == 0 && u.blocked;
    tsr_user_cleanup(&u);
    if (rc == TSR_ENOTFOUND)
        return unauthorized(req, "The user of this token does not exist");
    if (blocked)
        return unauthorized(req, "The user of this token is blocked");
    if (rc != 0)
        return store_failed(req);
    if (!person_app_allows(req, user_id, client_id, consented, bound))
        return false;
    rc = tsr_rbac_user_permissions(req->store, req->tenant->t.id, user_id,
                                   req->tenant->mgmt_audience, allowed);
    return rc == 0 || store_failed(req);
}

/* Whether the route is about one user ("/api/v2/users/:id" and below) and that user is sub. */
static bool route_is_self(struct tsr_req *req, const char *sub)
{
    static const char users[] = "/api/v2/users/:id";
    const char *id = tsr_req_param(req, 0);
    size_t n = sizeof users - 1;
    return req->route != NULL && strncmp(req->route, users, n) == 0 &&
           (req->route[n] == '\0' || req->route[n] == '/') && id != NULL && strcmp(id, sub) == 0;
}

/*
 * Which grant made the token and what it still allows: fills
 * req->mgmt_scopes and req->mgmt_self, or answers 401 (the grant is gone)
 * or 500.
 */
static bool scopes_in_force(struct tsr_req *req, const json_t *claims)
{
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    const char *client = json_string_value(json_object_get(claims, "azp"));
    const json_t *scope = json_object_get(claims, "scope");
    struct tsr_strlist claimed = {0}, allowed = {0}, consented = {0};
    bool bound = false;
    if (client == NULL) /* RFC 9068 names the client client_id */
        client = json_string_value(json_object_get(claims, "client_id"));
    if (sub == NULL || client == NULL || (scope != NULL && !json_is_string(scope)))
        return unauthorized(req, "Invalid token");
    bool person = !tsr_mgmt_is_client_subject(sub, client);
    bool ok = person ? person_allowed(req, sub, client, &allowed, &consented, &bound)
                     : client_allowed(req, client, &allowed);
    if (ok && (tsr_strlist_split(&claimed, scope ? json_string_value(scope) : "") != 0 ||
               tsr_mgmt_scopes_in_force(&claimed, &allowed, person, &req->mgmt_scopes) != 0)) {
        tsr_resp_mgmt_error(req, 500, NULL, "Out of memory");
        ok = false;
    }
    if (ok && bound)
        tsr_mgmt_keep_consented(&req->mgmt_scopes, &consented);
    req->mgmt_self = ok && person && route_is_self(req, sub);
    tsr_strlist_cleanup(&claimed);
    tsr_strlist_cleanup(&allowed);
    tsr_strlist_cleanup(&consented);
    return ok;
}

/*
 * The route's scopes must include one in force.  The refusal names the
 * scopes that could serve this caller: the current-user scopes only on
 * their own record.
 */
static bool check_scope(struct tsr_req *req, const char *scopes)
{
    if (tsr_mgmt_scope_allows(&req->mgmt_scopes, scopes, req->mgmt_self))
        return true;
    struct tsr_strlist words = {0};
    char list[512] = "";
    if (tsr_strlist_split(&words, scopes) == 0) {
        for (size_t i = 0; i < words.n; i++) {
            if (!req->mgmt_self && tsr_mgmt_is_current_user_scope(words.v[i]))
                continue;
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", len ? "," : "", words.v[i]);
        }
    }
    tsr_strlist_cleanup(&words);
    tsr_resp_mgmt_error(req, 403, "insufficient_scope", "Insufficient scope, expected any of: %s",
                        list);
    return false;
}

/* Counts the request against its client or, for a person, the person within the client. */
static bool rate_limit(struct tsr_req *req, const json_t *claims)
{
    const char *azp = json_string_value(json_object_get(claims, "azp"));
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    if (azp == NULL) /* RFC 9068 names the client client_id */
        azp = json_string_value(json_object_get(claims, "client_id"));
    if (azp == NULL || sub == NULL) /* scopes_in_force refused such a token already */
        azp = sub = "";
    char key[96];
    bool person = !tsr_mgmt_is_client_subject(sub, azp);
    if (tsr_mgmt_rate_key(azp, sub, person, key, sizeof key) != 0) {
        tsr_resp_mgmt_error(req, 500, NULL, "Cannot count the request");
        return false;
    }
    return tsr_mgmt_rate_limit(req, key);
}

bool tsr_mgmt_authorize(struct tsr_req *req, const char *scopes)
{
    const char *header = tsr_req_header(req, "Authorization");
    if (header == NULL || header[0] == '\0') {
        tsr_resp_header(req, "WWW-Authenticate", "Bearer realm=\"Management API\"");
        tsr_resp_mgmt_error(req, 401, NULL, "Missing authentication");
        return false;
    }
    if (strncasecmp(header, "Bearer ", 7) != 0)
        return unauthorized(req, "Bad HTTP authentication header format");
    const char *token = header + 7;
    while (*token == ' ')
        token++;
    tsr_jws *jws = NULL;
    if (tsr_tenant_jwt_verify(req->tenant, token, &jws) != 0)
        return unauthorized(req, "Invalid token");
    const json_t *claims = tsr_jws_payload(jws);
    bool ok = check_claims(req, claims) && scopes_in_force(req, claims) &&
              check_scope(req, scopes) && rate_limit(req, claims);
    tsr_jws_free(jws);
    return ok;
}
