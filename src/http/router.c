#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#include "authn/authn.h"
#include "http/response.h"
#include "mgmt/mgmt.h"

/* Scopes are Auth0's names for each Management API endpoint. */
static const struct tsr_route routes[] = {
    {"GET", "/healthz", TSR_ROUTE_AUTHN, tsr_authn_healthz, NULL},
    {"GET", "/.well-known/openid-configuration", TSR_ROUTE_AUTHN, tsr_authn_discovery, NULL},
    {"GET", "/.well-known/jwks.json", TSR_ROUTE_AUTHN, tsr_authn_jwks, NULL},
    {"POST", "/oauth/token", TSR_ROUTE_AUTHN, tsr_authn_token, NULL},

    {"GET", "/api/v2/clients", TSR_ROUTE_MGMT, tsr_mgmt_clients_list, "read:clients"},
    {"POST", "/api/v2/clients", TSR_ROUTE_MGMT, tsr_mgmt_clients_create, "create:clients"},
    {"GET", "/api/v2/clients/:id", TSR_ROUTE_MGMT, tsr_mgmt_clients_get, "read:clients"},
    {"PATCH", "/api/v2/clients/:id", TSR_ROUTE_MGMT, tsr_mgmt_clients_update, "update:clients"},
    {"DELETE", "/api/v2/clients/:id", TSR_ROUTE_MGMT, tsr_mgmt_clients_delete, "delete:clients"},
    {"POST", "/api/v2/clients/:id/rotate-secret", TSR_ROUTE_MGMT, tsr_mgmt_clients_rotate_secret,
     "update:client_keys"},

    {"GET", "/api/v2/resource-servers", TSR_ROUTE_MGMT, tsr_mgmt_apis_list,
     "read:resource_servers"},
    {"POST", "/api/v2/resource-servers", TSR_ROUTE_MGMT, tsr_mgmt_apis_create,
     "create:resource_servers"},
    {"GET", "/api/v2/resource-servers/:id", TSR_ROUTE_MGMT, tsr_mgmt_apis_get,
     "read:resource_servers"},
    {"PATCH", "/api/v2/resource-servers/:id", TSR_ROUTE_MGMT, tsr_mgmt_apis_update,
     "update:resource_servers"},
    {"DELETE", "/api/v2/resource-servers/:id", TSR_ROUTE_MGMT, tsr_mgmt_apis_delete,
     "delete:resource_servers"},

    {"GET", "/api/v2/client-grants", TSR_ROUTE_MGMT, tsr_mgmt_grants_list, "read:client_grants"},
    {"POST", "/api/v2/client-grants", TSR_ROUTE_MGMT, tsr_mgmt_grants_create,
     "create:client_grants"},
    {"GET", "/api/v2/client-grants/:id", TSR_ROUTE_MGMT, tsr_mgmt_grants_get,
     "read:client_grants"},
    {"PATCH", "/api/v2/client-grants/:id", TSR_ROUTE_MGMT, tsr_mgmt_grants_update,
     "update:client_grants"},
    {"DELETE", "/api/v2/client-grants/:id", TSR_ROUTE_MGMT, tsr_mgmt_grants_delete,
     "delete:client_grants"},
};

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

bool tsr_router_is_mgmt_path(const char *path)
{
    return strncmp(path, "/api/v2/", 8) == 0 || strcmp(path, "/api/v2") == 0;
}

static void not_found(struct tsr_req *req, bool mgmt)
{
    if (mgmt)
        tsr_resp_mgmt_error(req, 404, "not_found", "Not Found");
    else
        tsr_resp_oauth_error(req, 404, "not_found", "No endpoint at %s %.200s", req->method,
                             req->path);
}

void tsr_router_dispatch(struct tsr_req *req)
{
    bool mgmt = tsr_router_is_mgmt_path(req->path);
    bool path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct tsr_route *r = &routes[i];
        if (!match(r->pattern, req->path, NULL, NULL))
            continue;
        path_known = true;
        if (strcmp(r->method, req->method) != 0)
            continue;
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
    if (!path_known) {
        not_found(req, mgmt);
        return;
    }
    /* The path exists with other methods: 405 with Allow. */
    char allow[128] = "";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(routes[i].pattern, req->path, NULL, NULL))
            continue;
        if (allow[0] != '\0')
            strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
        strncat(allow, routes[i].method, sizeof allow - strlen(allow) - 1);
    }
    tsr_resp_header(req, "Allow", allow);
    if (mgmt)
        tsr_resp_mgmt_error(req, 405, "method_not_allowed", "Method %s is not allowed here",
                            req->method);
    else
        tsr_resp_oauth_error(req, 405, "invalid_request",
                             "Method %s is not allowed for %.200s (allowed: %s)", req->method,
                             req->path, allow);
}
