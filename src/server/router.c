#include "server/router.h"

#include <stdlib.h>
#include <string.h>

#include "authn/authn.h"
#include "http/response.h"
#include "http/router.h"
#include "login/login.h"
#include "mgmt/mgmt.h"
#include "mgmt/tenant_admin.h"

/* Each API keeps its own table, in its own folder. */
static const struct tsr_route *const tables[] = {tsr_authn_routes, tsr_login_routes,
                                                 tsr_mgmt_routes, tsr_mgmt_tenant_routes};

/* Segment-wise match; on success, params receives pointers into buf. */
static bool match(const char *pattern, const char *path, char *buf, const char **params)
{
    size_t np = 0;
    const char *p = pattern, *s = path;
    char *w = buf;
    while (*p != '\0' && *s != '\0') {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
        /* A last ":name*" takes the rest of the path, slashes included. */
        if (*p == ':' && p[plen] == '\0' && p[plen - 1] == '*')
            slen = strlen(s);
        if (*p == ':') {
            if (slen == 0 || np == TSR_ROUTE_MAX_PARAMS)
                return false;
            if (buf != NULL) {
                memcpy(w, s, slen);
                w[slen] = '\0';
                params[np] = w;
                w += slen + 1;
            }
            np++;
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    return *p == '\0' && *s == '\0';
}

bool tsr_router_claims_segment(const char *seg, size_t len)
{
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
        for (const struct tsr_route *r = tables[t]; r->pattern != NULL; r++) {
            const char *first = r->pattern + 1;
            if (strcspn(first, "/") == len && memcmp(first, seg, len) == 0)
                return true;
        }
    return false;
}

bool tsr_router_is_mgmt_path(const char *path)
{
    return strncmp(path, "/api/v2/", 8) == 0 || strcmp(path, "/api/v2") == 0;
}

bool tsr_router_needs_catalog(const char *path)
{
    /*
     * The JWKS publishes the snapshot's keys and the Management API checks
     * its bearer tokens against them, so a revoked key must not outlive a
     * failed reload there either; only discovery (fixed URLs) and the
     * health check read nothing that a change can revoke.
     */
    return strcmp(path, "/healthz") != 0 &&
           strcmp(path, "/.well-known/openid-configuration") != 0;
}

/*
 * Management API collections of Auth0 that Tessera does not offer yet.  They
 * answer 403, never 404: the Deploy CLI skips resource types that answer 403
 * and would fail on a 404.  Parts of an offered collection that are missing
 * (user imports and exports under /jobs) have routes of their own that
 * answer 403 (mgmt/routes.c).
 */
static const char *const not_offered[] = {
    "actions", "anomaly", "attack-protection", "blacklists", "branding", "client-credentials",
    "custom-domains", "device-credentials", "email-templates", "emails", "flows", "forms",
    "guardian", "hooks", "log-streams", "network-acls", "organizations", "prompts",
    "refresh-tokens", "resource-servers-scopes", "risk-assessments", "rules", "rules-configs",
    "self-service-profiles", "sessions", "stats", "token-exchange-profiles",
    "user-attribute-profiles", NULL,
};

static bool is_not_offered(const char *path)
{
    const char *first = path + strlen("/api/v2/");
    size_t len = strcspn(first, "/");
    for (size_t i = 0; not_offered[i] != NULL; i++)
        if (strlen(not_offered[i]) == len && strncmp(first, not_offered[i], len) == 0)
            return true;
    return false;
}

static void not_found(struct tsr_req *req, bool mgmt)
{
    if (mgmt && strncmp(req->path, "/api/v2/", 8) == 0 && is_not_offered(req->path))
        tsr_resp_mgmt_error(req, 403, "operation_not_supported",
                            "Tessera does not offer this Management API resource yet");
    else if (mgmt)
        tsr_resp_mgmt_error(req, 404, "not_found", "Not Found");
    else
        tsr_resp_oauth_error(req, 404, "not_found", "No endpoint at %s %.200s", req->method,
                             req->path);
}

/* The first route whose pattern matches path and, when method is not NULL, whose method matches. */
static const struct tsr_route *find(const char *method, const char *path)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct tsr_route *r = tables[t]; r->method != NULL; r++)
            if ((method == NULL || strcmp(r->method, method) == 0) &&
                match(r->pattern, path, NULL, NULL))
                return r;
    return NULL;
}

/* The methods a path answers to, for Allow. */
static void allowed_methods(const char *path, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        for (const struct tsr_route *r = tables[t]; r->method != NULL; r++) {
            if (!match(r->pattern, path, NULL, NULL))
                continue;
            if (out[0] != '\0')
                strncat(out, ", ", len - strlen(out) - 1);
            strncat(out, r->method, len - strlen(out) - 1);
        }
    }
}

void tsr_router_dispatch(struct tsr_req *req)
{
    bool mgmt = tsr_router_is_mgmt_path(req->path);
    const struct tsr_route *r = find(req->method, req->path);
    if (r != NULL) {
        req->route_param_buf = malloc(strlen(req->path) + 1);
        if (req->route_param_buf == NULL) {
            tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
            return;
        }
        match(r->pattern, req->path, req->route_param_buf, req->route_params);
        req->route = r->pattern;
        if (r->kind == TSR_ROUTE_MGMT && !tsr_mgmt_authorize(req, r->scopes))
            return;
        r->handler(req);
        return;
    }
    if (find(NULL, req->path) == NULL) {
        not_found(req, mgmt);
        return;
    }
    char allow[128];
    allowed_methods(req->path, allow, sizeof allow);
    tsr_resp_header(req, "Allow", allow);
    if (mgmt)
        tsr_resp_mgmt_error(req, 405, "method_not_allowed", "Method %s is not allowed here",
                            req->method);
    else
        tsr_resp_oauth_error(req, 405, "invalid_request",
                             "Method %s is not allowed for %.200s (allowed: %s)", req->method,
                             req->path, allow);
}
