/*
 * connection.h - a libmicrohttpd connection as the source of a request's
 * headers, query arguments, cookies and peer address (http/request.h).
 */
#ifndef TSR_SERVER_CONNECTION_H
#define TSR_SERVER_CONNECTION_H

#include "http/request.h"

/* Its conn is a struct MHD_Connection *. */
extern const struct tsr_req_source tsr_mhd_source;

#endif
