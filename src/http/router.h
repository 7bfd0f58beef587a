/*
 * router.h - method + path to handler.  Patterns are literal segments and
 * ':name' captures ("/api/v2/clients/:id").  A path that matches with
 * another method answers 405, no match 404.  Management API routes name
 * the scopes that allow them; the router authenticates those requests
 * before the handler runs.  Each API's folder holds its own table (ended
 * by an entry whose method is NULL); server/router.c puts them together.
 */
#ifndef TSR_HTTP_ROUTER_H
#define TSR_HTTP_ROUTER_H

#include "http/request.h"

typedef void (*tsr_handler)(struct tsr_req *req);

enum tsr_route_kind {
    TSR_ROUTE_PAGE,  /* Universal Login pages: HTML error pages */
    TSR_ROUTE_AUTHN, /* Authentication API: OAuth error shape, no bearer auth */
    TSR_ROUTE_MGMT,  /* Management API v2: bearer auth, scope check, Auth0 error shape */
};

struct tsr_route {
    const char *method;
    const char *pattern; /* "/a/:x/b": :x is one segment; a last ":x*" is the rest of the path */
    enum tsr_route_kind kind;
    tsr_handler handler;
    const char *scopes; /* MGMT: space-separated, any one suffices */
};

#endif
