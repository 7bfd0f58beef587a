/*
 * router.h - the route tables of every API put together: dispatch by
 * method and path (http/router.h has the table entry).
 */
#ifndef TSR_SERVER_ROUTER_H
#define TSR_SERVER_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

/* Routes the request (tenant already set): runs a handler or answers 404/405. */
void tsr_router_dispatch(struct tsr_req *req);

/*
 * True when a route of some API starts with the path segment seg (len
 * bytes, no '/'): a tenant's issuer path may not begin with it, or it
 * would take that route away from the tenant at the host's root.
 */
bool tsr_router_claims_segment(const char *seg, size_t len);

/* True when the path belongs to the Management API (for error shapes before routing). */
bool tsr_router_is_mgmt_path(const char *path);

/*
 * True when serving path may read the tenant's catalog (clients, APIs,
 * grants, origins), so a stale one must not serve it (core/app.h).
 */
bool tsr_router_needs_catalog(const char *path);

#endif
