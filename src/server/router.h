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

#endif
