/*
 * server.h - the HTTP server: libmicrohttpd's internal thread pool with
 * epoll, bounded bodies, deadlines for slow requests and room for fresh
 * clients (conn_guard.h), graceful shutdown.
 */
#ifndef TSR_SERVER_SERVER_H
#define TSR_SERVER_SERVER_H

#include "core/app.h"

typedef struct tsr_server tsr_server;

/*
 * Starts listening on the app's settings.  Returns 0 or a negative code
 * with one line in err.
 */
int tsr_server_start(struct tsr_app *app, tsr_server **out, char *err, size_t errlen);

/*
 * Stops accepting, lets in-flight requests finish (up to grace_ms), then
 * stops the daemon and frees the server.
 */
void tsr_server_stop(tsr_server *srv, unsigned grace_ms);

#endif
