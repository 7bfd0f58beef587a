/*
 * conn_guard.c - deadlines for slow requests and room for fresh clients.
 *
 * Contents: the entry and its two lists; state changes; cutting; the
 * sweep; eviction when the table is nearly full.
 *
 * Waiting connections sit in one list in the order their wait began, so
 * the oldest is at its head: the sweep stops at the first one still within
 * its deadline, and the head is the waiting connection furthest behind.
 * Bodies are scanned, by the sweep and by eviction.
 */
#include "server/conn_guard.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "util/err.h"

enum conn_state { C_WAITING, C_BODY, C_BUSY, C_CUT };

struct tsr_conn {
    struct tsr_conn *prev;
    struct tsr_conn *next;
    enum conn_state state;
    int fd;
    bool requested; /* bytes of a request seen since the wait began */
    bool served;    /* at least one response sent on this connection */
    uint64_t began; /* when the wait for the current request began */
    uint64_t since; /* when the wait (or the body) began: the deadline's start */
    uint64_t bytes; /* body bytes received */
};

struct list {
    struct tsr_conn *head;
    struct tsr_conn *tail;
};

struct tsr_conn_guard {
    pthread_mutex_t lock;
    struct tsr_conn_guard_limits lim;
    tsr_conn_cut_fn cut;
    void *ctx;
    struct list waiting;
    struct list bodies;
    size_t open;    /* entries not yet closed */
    size_t cutting; /* of those, cut and waiting for the server to close them */
    struct tsr_conn_guard_stats stats;
};

/* ---- lists ------------------------------------------------------------------ */

static void list_append(struct list *l, struct tsr_conn *c)
{
    c->next = NULL;
    c->prev = l->tail;
    if (l->tail != NULL)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
}

static void list_remove(struct list *l, struct tsr_conn *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
}

/* Takes c out of whichever list its state keeps it in. */
static void unlink_conn(tsr_conn_guard *g, struct tsr_conn *c)
{
    if (c->state == C_WAITING)
        list_remove(&g->waiting, c);
    else if (c->state == C_BODY)
        list_remove(&g->bodies, c);
}

/* ---- deadlines ------------------------------------------------------------- */

static uint64_t body_deadline(const tsr_conn_guard *g, const struct tsr_conn *c)
{
    return c->since + g->lim.header_ms + c->bytes * 1000u / g->lim.body_min_rate;
}

/* Time since the request's wait began (0 if a thread's clock read was a little behind). */
static uint64_t age(const struct tsr_conn *c, uint64_t now)
{
    return now > c->began ? now - c->began : 0;
}

/*
 * How far a request is behind its own progress, in ms (larger: further behind): its age,
 * less one second per body_min_rate body bytes received.  The header phase earns nothing, so
 * a waiting connection's lag is its age; time spent on the header counts against the body,
 * so completing a header never makes a connection look new.
 */
static int64_t lag(const tsr_conn_guard *g, const struct tsr_conn *c, uint64_t now)
{
    return (int64_t)age(c, now) - (int64_t)(c->bytes * 1000u / g->lim.body_min_rate);
}

/*
 * Orders two eviction candidates: returns true if a should go before b.  A connection past
 * its grace goes before any still within it.  Among those past it, the one furthest behind
 * goes first; among those within it, the oldest, since body bytes received in its first
 * moments must not buy a connection a place ahead of a newer client still on its way.
 */
static bool evict_before(const tsr_conn_guard *g, const struct tsr_conn *a,
                         const struct tsr_conn *b, uint64_t now)
{
    bool a_old = age(a, now) >= g->lim.grace_ms;
    bool b_old = age(b, now) >= g->lim.grace_ms;
    if (a_old != b_old)
        return a_old;
    if (a_old)
        return lag(g, a, now) > lag(g, b, now);
    return age(a, now) > age(b, now);
}

/* ---- cutting ---------------------------------------------------------------- */

static void cut_conn(tsr_conn_guard *g, struct tsr_conn *c, uint64_t *counter)
{
    /* An idle kept-alive connection is closed quietly: no request was under way. */
    bool send_408 = c->state == C_BODY || c->requested || !c->served;
    unlink_conn(g, c);
    c->state = C_CUT;
    g->cutting++;
    (*counter)++;
    g->cut(g->ctx, c->fd, send_408);
}

/*
 * The connection to give up first for room (see evict_before), other than spare.  The
 * waiting list's head (after spare) is its oldest and furthest behind, so it stands for
 * the whole list; bodies are scanned.
 */
static struct tsr_conn *victim(tsr_conn_guard *g, const struct tsr_conn *spare, uint64_t now)
{
    struct tsr_conn *worst = g->waiting.head;
    if (worst == spare)
        worst = worst->next;
    for (struct tsr_conn *c = g->bodies.head; c != NULL; c = c->next)
        if (worst == NULL || evict_before(g, c, worst, now))
            worst = c;
    return worst;
}

/* ---- public ----------------------------------------------------------------- */

int tsr_conn_guard_new(const struct tsr_conn_guard_limits *limits, tsr_conn_cut_fn cut, void *ctx,
                       tsr_conn_guard **out)
{
    *out = NULL;
    if (limits == NULL || cut == NULL || limits->max_connections == 0 ||
        limits->reserve >= limits->max_connections || limits->body_min_rate == 0)
        return TSR_EINVAL;
    tsr_conn_guard *g = calloc(1, sizeof *g);
    if (g == NULL)
        return TSR_ENOMEM;
    if (pthread_mutex_init(&g->lock, NULL) != 0) {
        free(g);
        return TSR_ENOMEM;
    }
    g->lim = *limits;
    g->cut = cut;
    g->ctx = ctx;
    *out = g;
    return 0;
}

static void free_list(struct list *l)
{
    struct tsr_conn *c = l->head;
    while (c != NULL) {
        struct tsr_conn *next = c->next;
        free(c);
        c = next;
    }
    l->head = l->tail = NULL;
}

void tsr_conn_guard_free(tsr_conn_guard *g)
{
    if (g == NULL)
        return;
    /* Busy and cut entries are in no list; the server closes every connection first. */
    free_list(&g->waiting);
    free_list(&g->bodies);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

struct tsr_conn *tsr_conn_guard_open(tsr_conn_guard *g, int fd, uint64_t now_ms)
{
    struct tsr_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->fd = fd;
    c->state = C_WAITING;
    c->began = c->since = now_ms;
    pthread_mutex_lock(&g->lock);
    list_append(&g->waiting, c);
    g->open++;
    size_t high = g->lim.max_connections - g->lim.reserve;
    while (g->open - g->cutting > high) {
        struct tsr_conn *v = victim(g, c, now_ms);
        if (v == NULL)
            break;
        cut_conn(g, v, &g->stats.evicted);
    }
    pthread_mutex_unlock(&g->lock);
    return c;
}

void tsr_conn_guard_close(tsr_conn_guard *g, struct tsr_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    unlink_conn(g, c);
    if (c->state == C_CUT)
        g->cutting--;
    g->open--;
    pthread_mutex_unlock(&g->lock);
    free(c);
}

void tsr_conn_guard_request_line(tsr_conn_guard *g, struct tsr_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    c->requested = true;
    pthread_mutex_unlock(&g->lock);
}

void tsr_conn_guard_header_done(tsr_conn_guard *g, struct tsr_conn *c, bool body, uint64_t now_ms)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->state == C_WAITING) {
        list_remove(&g->waiting, c);
        c->requested = true;
        if (body) {
            c->state = C_BODY;
            c->since = now_ms;
            c->bytes = 0;
            list_append(&g->bodies, c);
        } else {
            c->state = C_BUSY;
        }
    }
    pthread_mutex_unlock(&g->lock);
}

void tsr_conn_guard_body_bytes(tsr_conn_guard *g, struct tsr_conn *c, size_t n)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->state == C_BODY)
        c->bytes += n;
    pthread_mutex_unlock(&g->lock);
}

void tsr_conn_guard_busy(tsr_conn_guard *g, struct tsr_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->state == C_WAITING || c->state == C_BODY) {
        unlink_conn(g, c);
        c->state = C_BUSY;
    }
    pthread_mutex_unlock(&g->lock);
}

void tsr_conn_guard_request_done(tsr_conn_guard *g, struct tsr_conn *c, uint64_t now_ms)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->state != C_CUT) {
        unlink_conn(g, c);
        c->state = C_WAITING;
        c->served = true;
        c->requested = false;
        c->bytes = 0;
        c->began = c->since = now_ms;
        list_append(&g->waiting, c);
    }
    pthread_mutex_unlock(&g->lock);
}

bool tsr_conn_guard_request_pending(tsr_conn_guard *g)
{
    pthread_mutex_lock(&g->lock);
    bool pending = g->bodies.head != NULL;
    for (struct tsr_conn *c = g->waiting.head; c != NULL && !pending; c = c->next) {
        char byte;
        /* Peeking consumes nothing: the worker still reads the bytes as the request. */
        pending = c->requested || recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
    }
    pthread_mutex_unlock(&g->lock);
    return pending;
}

size_t tsr_conn_guard_sweep(tsr_conn_guard *g, uint64_t now_ms)
{
    size_t n = 0;
    pthread_mutex_lock(&g->lock);
    /* In wait order; a few ms of disorder between threads only delays a cut to the next sweep. */
    while (g->waiting.head != NULL && g->waiting.head->since + g->lim.header_ms <= now_ms) {
        cut_conn(g, g->waiting.head, &g->stats.header_timeouts);
        n++;
    }
    struct tsr_conn *c = g->bodies.head;
    while (c != NULL) {
        struct tsr_conn *next = c->next;
        if (body_deadline(g, c) <= now_ms) {
            cut_conn(g, c, &g->stats.slow_bodies);
            n++;
        }
        c = next;
    }
    pthread_mutex_unlock(&g->lock);
    return n;
}

void tsr_conn_guard_take_stats(tsr_conn_guard *g, struct tsr_conn_guard_stats *out)
{
    pthread_mutex_lock(&g->lock);
    *out = g->stats;
    g->stats = (struct tsr_conn_guard_stats){0};
    pthread_mutex_unlock(&g->lock);
}
