/* The Authentication API's routes. */
#include "authn/authn.h"
#include "http/router.h"

const struct tsr_route tsr_authn_routes[] = {
    {"GET", "/healthz", TSR_ROUTE_AUTHN, tsr_authn_healthz, NULL},
    {"GET", "/.well-known/openid-configuration", TSR_ROUTE_AUTHN, tsr_authn_discovery, NULL},
    {"GET", "/.well-known/jwks.json", TSR_ROUTE_AUTHN, tsr_authn_jwks, NULL},
    {"POST", "/oauth/token", TSR_ROUTE_AUTHN, tsr_authn_token, NULL},
    {NULL, NULL, TSR_ROUTE_AUTHN, NULL, NULL},
};
