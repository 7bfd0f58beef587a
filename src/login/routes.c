/* The Universal Login pages' routes. */
#include "http/router.h"
#include "login/login.h"

const struct tsr_route tsr_login_routes[] = {
    {NULL, NULL, TSR_ROUTE_PAGE, NULL, NULL},
};
