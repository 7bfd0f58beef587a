/*
 * router.h - the route tables of every API put together: dispatch by
 * method and path (http/router.h has the table entry).
 */
#ifndef TSR_SERVER_ROUTER_H
#define TSR_SERVER_ROUTER_H

#include <stdbool.h>

#include "http/request.h"

/* Routes the request (tenant already set): runs a handler or answers 404/405. */
void tsr_router_dispatch(struct tsr_req *req);

/* True when the path belongs to the Management API (for error shapes before routing). */
bool tsr_router_is_mgmt_path(const char *path);

/*
 * True when serving path may read the tenant's catalog (clients, APIs,
 * grants, origins), so a stale one must not serve it (core/app.h).
 */
bool tsr_router_needs_catalog(const char *path);

#endif
