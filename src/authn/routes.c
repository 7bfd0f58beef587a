/* The Authentication API's routes. */
#include "authn/authn.h"
#include "authn/authorize.h"
#include "authn/cors.h"
#include "authn/dbconnections.h"
#include "http/router.h"

const struct tsr_route tsr_authn_routes[] = {
    {"GET", "/healthz", TSR_ROUTE_AUTHN, tsr_authn_healthz, NULL},
    {"GET", "/.well-known/openid-configuration", TSR_ROUTE_AUTHN, tsr_authn_discovery, NULL},
    {"GET", "/.well-known/jwks.json", TSR_ROUTE_AUTHN, tsr_authn_jwks, NULL},
    {"GET", "/authorize", TSR_ROUTE_PAGE, tsr_authn_authorize, NULL},
    {"POST", "/authorize", TSR_ROUTE_PAGE, tsr_authn_authorize, NULL},
    {"POST", "/oauth/token", TSR_ROUTE_AUTHN, tsr_authn_token, NULL},
    {"OPTIONS", "/oauth/token", TSR_ROUTE_AUTHN, tsr_authn_preflight, NULL},
    {"POST", "/oauth/revoke", TSR_ROUTE_AUTHN, tsr_authn_revoke, NULL},
    {"POST", "/oauth/introspect", TSR_ROUTE_AUTHN, tsr_authn_introspect, NULL},
    {"OPTIONS", "/oauth/revoke", TSR_ROUTE_AUTHN, tsr_authn_preflight, NULL},
    {"GET", "/userinfo", TSR_ROUTE_AUTHN, tsr_authn_userinfo, NULL},
    {"POST", "/userinfo", TSR_ROUTE_AUTHN, tsr_authn_userinfo, NULL},
    {"OPTIONS", "/userinfo", TSR_ROUTE_AUTHN, tsr_authn_preflight, NULL},
    {"GET", "/v2/logout", TSR_ROUTE_PAGE, tsr_authn_logout, NULL},
    {"GET", "/oidc/logout", TSR_ROUTE_PAGE, tsr_authn_oidc_logout, NULL},
    {"POST", "/oidc/logout", TSR_ROUTE_PAGE, tsr_authn_oidc_logout, NULL},
    {"POST", "/dbconnections/signup", TSR_ROUTE_AUTHN, tsr_authn_signup, NULL},
    {"OPTIONS", "/dbconnections/signup", TSR_ROUTE_AUTHN, tsr_authn_preflight, NULL},
    {"POST", "/dbconnections/change_password", TSR_ROUTE_AUTHN, tsr_authn_change_password, NULL},
    {"OPTIONS", "/dbconnections/change_password", TSR_ROUTE_AUTHN, tsr_authn_preflight, NULL},
    {NULL, NULL, TSR_ROUTE_AUTHN, NULL, NULL},
};
