/* The Universal Login pages' routes (see login.h for the forms each one carries). */
#include "http/router.h"
#include "login/login.h"

const struct tsr_route tsr_login_routes[] = {
    {"GET", "/u/login", TSR_ROUTE_PAGE, tsr_login_page_get, NULL},
    {"POST", "/u/login", TSR_ROUTE_PAGE, tsr_login_page_post, NULL},
    {"GET", "/u/signup", TSR_ROUTE_PAGE, tsr_login_signup_get, NULL},
    {"POST", "/u/signup", TSR_ROUTE_PAGE, tsr_login_signup_post, NULL},
    {"GET", "/u/reset-password/request", TSR_ROUTE_PAGE, tsr_login_reset_request_get, NULL},
    {"POST", "/u/reset-password/request", TSR_ROUTE_PAGE, tsr_login_reset_request_post, NULL},
    {"GET", "/u/reset-password", TSR_ROUTE_PAGE, tsr_login_reset_get, NULL},
    {"POST", "/u/reset-password", TSR_ROUTE_PAGE, tsr_login_reset_post, NULL},
    {"GET", "/u/email-verification", TSR_ROUTE_PAGE, tsr_login_verify_email_get, NULL},
    {"POST", "/u/email-verification", TSR_ROUTE_PAGE, tsr_login_verify_email_post, NULL},
    {"GET", "/u/consent", TSR_ROUTE_PAGE, tsr_login_consent_get, NULL},
    {"POST", "/u/consent", TSR_ROUTE_PAGE, tsr_login_consent_post, NULL},
    {NULL, NULL, TSR_ROUTE_PAGE, NULL, NULL},
};
