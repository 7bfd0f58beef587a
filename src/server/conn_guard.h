/*
 * conn_guard.h - what a slow client can hold: every open connection, the
 * deadline of the request it is sending, and which connection to close
 * first when the connection table is nearly full.
 *
 * A connection is in one of three states:
 *   waiting  from its accept, or from the end of its previous response,
 *            until its request header is complete.  The whole header must
 *            arrive within header_ms, however the bytes are spread out: a
 *            client trickling one header line at a time cannot extend it.
 *   body     the header is complete and a body is arriving.  The body may
 *            take header_ms plus one second per body_min_rate bytes
 *            received (so a body below that average rate is cut).
 *   busy     the request is being handled or answered: no deadline here
 *            (the server's idle timeout still applies).
 * Past its deadline a connection is cut: the cut function gets its socket
 * and whether a 408 fits (a request was under way, not an idle kept-alive
 * connection).
 *
 * When more than max_connections - reserve connections are open, opening
 * one more cuts another waiting or body connection (busy ones are never cut
 * here), so the table keeps room for a client that sends its request at
 * once.  Which one: a request's lag is the time since its wait began less
 * one second per body_min_rate body bytes received (a waiting connection's
 * lag is its age; a body that has received nothing keeps growing it).
 * Connections older than grace_ms go first, the one with the largest lag
 * first; a connection within grace_ms is cut only when no older one is
 * left, the oldest first.  So a client is not cut while it makes its first
 * round trips (TCP and TLS handshakes, the request) unless an attacker
 * replaces the whole table faster than that.
 *
 * Thread safety: every function may be called from any thread; one mutex
 * guards the registry, and the cut function runs under it, so a socket is
 * never cut after tsr_conn_guard_close() returned for it (the caller closes
 * sockets only after that).  Times are monotonic milliseconds given by the
 * caller, so tests drive the clock.
 */
#ifndef TSR_SERVER_CONN_GUARD_H
#define TSR_SERVER_CONN_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tsr_conn_guard tsr_conn_guard;
struct tsr_conn;

/* Cuts a connection: called with the guard's lock held; must not call the guard. */
typedef void (*tsr_conn_cut_fn)(void *ctx, int fd, bool send_408);

struct tsr_conn_guard_limits {
    unsigned max_connections; /* the table's size */
    unsigned reserve;         /* kept free: cutting starts above max_connections - reserve */
    uint64_t header_ms;       /* for a whole request header */
    unsigned body_min_rate;   /* bytes per second a body must average (at least 1) */
    uint64_t grace_ms;        /* a connection younger than this is evicted only after all older */
};

/* Why connections were cut, counted since the last tsr_conn_guard_take_stats(). */
struct tsr_conn_guard_stats {
    uint64_t header_timeouts; /* header (or idle kept-alive connection) past its deadline */
    uint64_t slow_bodies;     /* body below its minimum rate */
    uint64_t evicted;         /* cut to make room in a nearly full table */
};

/* Returns 0, or TSR_EINVAL / TSR_ENOMEM.  cut is called as described above. */
int tsr_conn_guard_new(const struct tsr_conn_guard_limits *limits, tsr_conn_cut_fn cut, void *ctx,
                       tsr_conn_guard **out);

/* Frees the guard and any entries still open.  NULL is a no-op. */
void tsr_conn_guard_free(tsr_conn_guard *g);

/*
 * A connection was accepted: returns its entry (NULL when out of memory: the
 * connection is then not guarded, and every call below accepts NULL).  When
 * the table is nearly full, cuts other connections in the order above.
 */
struct tsr_conn *tsr_conn_guard_open(tsr_conn_guard *g, int fd, uint64_t now_ms);

/* The connection is closing; frees its entry.  Its socket is not cut after this. */
void tsr_conn_guard_close(tsr_conn_guard *g, struct tsr_conn *c);

/* A request line arrived (so a late cut deserves a 408, even on a kept-alive connection). */
void tsr_conn_guard_request_line(tsr_conn_guard *g, struct tsr_conn *c);

/* The header is complete: a body follows (body state) or not (busy). */
void tsr_conn_guard_header_done(tsr_conn_guard *g, struct tsr_conn *c, bool body, uint64_t now_ms);

/* n more body bytes arrived. */
void tsr_conn_guard_body_bytes(tsr_conn_guard *g, struct tsr_conn *c, size_t n);

/* The request is being handled (its body, if any, is complete or refused). */
void tsr_conn_guard_busy(tsr_conn_guard *g, struct tsr_conn *c);

/* The response was sent; the connection waits for its next request from now. */
void tsr_conn_guard_request_done(tsr_conn_guard *g, struct tsr_conn *c, uint64_t now_ms);

/*
 * Whether a request has been sent but not yet taken up as one: a request line
 * or body is arriving, or a waiting connection has unread bytes in its socket
 * (accepted, its request not read yet).  Stopping waits for these as well as
 * for requests in flight, so what was sent before SIGTERM is answered.
 */
bool tsr_conn_guard_request_pending(tsr_conn_guard *g);

/* Cuts every connection past its deadline; returns how many. */
size_t tsr_conn_guard_sweep(tsr_conn_guard *g, uint64_t now_ms);

/* Copies the counters into out and resets them. */
void tsr_conn_guard_take_stats(tsr_conn_guard *g, struct tsr_conn_guard_stats *out);

#endif
