/*
 * event_writer.c - the event log's batching writer (see event_writer.h).
 *
 * Divisions: queued rows (one allocation each), the process's writer (a
 * pointer under a read-write lock), writing a batch, the thread, then
 * start, stop, enqueue and sync.
 *
 * Rows keep the order they were queued in: the ring is FIFO and the one
 * thread writes batches in turn, so "finished" (rows written or dropped)
 * only grows, and a sync waits for it to reach the count queued when it
 * was called.
 */
#include "core/event_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/queries.h"
#include "util/err.h"
#include "util/log.h"

int tsr_event_row_insert(tsr_store *st, const struct tsr_event_row *r)
{
    return tsr_store_q_run(st, NULL, TSR_Q_EVENT_INSERT, r->tenant_id, r->id, r->date, r->type,
                           r->description, r->client_id, r->client_name, r->ip, r->user_agent,
                           r->user_id, r->user_name, r->connection, r->connection_id, r->details);
}

/* ---- queued rows: the row's texts copied behind its header, one allocation ---- */

enum {
    F_TENANT,
    F_ID,
    F_TYPE,
    F_DESCRIPTION,
    F_CLIENT_ID,
    F_CLIENT_NAME,
    F_IP,
    F_USER_AGENT,
    F_USER_ID,
    F_USER_NAME,
    F_CONNECTION,
    F_CONNECTION_ID,
    F_DETAILS,
    F_COUNT
};

struct rec {
    size_t bytes; /* what the queue's byte bound counts */
    int64_t date;
    const char *f[F_COUNT];
    char text[];
};

static void row_fields(const struct tsr_event_row *r, const char *f[F_COUNT])
{
    f[F_TENANT] = r->tenant_id;
    f[F_ID] = r->id;
    f[F_TYPE] = r->type;
    f[F_DESCRIPTION] = r->description;
    f[F_CLIENT_ID] = r->client_id;
    f[F_CLIENT_NAME] = r->client_name;
    f[F_IP] = r->ip;
    f[F_USER_AGENT] = r->user_agent;
    f[F_USER_ID] = r->user_id;
    f[F_USER_NAME] = r->user_name;
    f[F_CONNECTION] = r->connection;
    f[F_CONNECTION_ID] = r->connection_id;
    f[F_DETAILS] = r->details;
}

/* A copy of r, or NULL when out of memory. */
static struct rec *rec_new(const struct tsr_event_row *r)
{
    const char *src[F_COUNT];
    size_t len[F_COUNT], total = sizeof(struct rec);
    row_fields(r, src);
    for (int i = 0; i < F_COUNT; i++) {
        len[i] = strlen(src[i]);
        if (len[i] >= SIZE_MAX / 2 - total)
            return NULL;
        total += len[i] + 1;
    }
    struct rec *c = malloc(total);
    if (c == NULL)
        return NULL;
    c->bytes = total;
    c->date = r->date;
    char *p = c->text;
    for (int i = 0; i < F_COUNT; i++) {
        memcpy(p, src[i], len[i] + 1);
        c->f[i] = p;
        p += len[i] + 1;
    }
    return c;
}

static int rec_insert(tsr_store *st, const struct rec *c)
{
    const struct tsr_event_row r = {
        .tenant_id = c->f[F_TENANT],
        .id = c->f[F_ID],
        .date = c->date,
        .type = c->f[F_TYPE],
        .description = c->f[F_DESCRIPTION],
        .client_id = c->f[F_CLIENT_ID],
        .client_name = c->f[F_CLIENT_NAME],
        .ip = c->f[F_IP],
        .user_agent = c->f[F_USER_AGENT],
        .user_id = c->f[F_USER_ID],
        .user_name = c->f[F_USER_NAME],
        .connection = c->f[F_CONNECTION],
        .connection_id = c->f[F_CONNECTION_ID],
        .details = c->f[F_DETAILS],
    };
    return tsr_event_row_insert(st, &r);
}

/* ---- the writer ---- */

struct tsr_event_writer {
    pthread_t thread;
    tsr_store *st;          /* the thread's own handle */
    pthread_mutex_t lock;   /* guards everything below */
    pthread_cond_t wake;    /* the thread: rows queued, or stop */
    pthread_cond_t room;    /* producers: rows left the queue */
    pthread_cond_t written; /* syncs: finished grew (CLOCK_MONOTONIC) */
    struct rec **ring;      /* capacity slots, FIFO */
    size_t capacity, batch, max_bytes;
    size_t head, count; /* rows waiting in the ring */
    size_t held;        /* count plus the batch being written */
    size_t bytes;       /* bytes of the rows held */
    uint64_t finished;  /* rows written or dropped */
    bool stop;
    struct rec **taken; /* the batch being written (the thread's) */
    struct tsr_event_writer_stats stats;
};

/*
 * The process's writer.  Producers and syncs hold the read lock while they
 * use it, so tsr_event_writer_stop (write lock) never frees it under them.
 */
static pthread_rwlock_t installed_lock = PTHREAD_RWLOCK_INITIALIZER;
static tsr_event_writer *installed;

/*
 * Writes n taken rows in one transaction; when that fails, once more row by
 * row.  Returns how many were dropped.
 */
static size_t write_batch(tsr_event_writer *w, size_t n, bool *committed)
{
    tsr_store *st = w->st;
    int rc = tsr_store_begin(st);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = rec_insert(st, w->taken[i]);
    rc = tsr_store_finish(st, rc);
    *committed = rc == 0;
    if (rc == 0)
        return 0;
    char why[256];
    snprintf(why, sizeof why, "%s", tsr_store_errmsg(st));
    size_t dropped = 0;
    int first = 0; /* the retry's first failure, for the log */
    bool down = false;
    for (size_t i = 0; i < n; i++) {
        /* A refused row goes alone; a database that fails takes the rest (bounded stall). */
        rc = down ? TSR_ESTORE : rec_insert(st, w->taken[i]);
        if (rc != 0) {
            if (dropped++ == 0) {
                first = rc;
                snprintf(why, sizeof why, "%s", tsr_store_errmsg(st));
            }
            down = down || rc != TSR_ECONFLICT;
        }
    }
    if (dropped > 0)
        tsr_log(TSR_LOG_WARN, "events not recorded",
                json_pack("{s:I, s:I, s:I, s:s, s:s}", "dropped", (json_int_t)dropped, "batch",
                          (json_int_t)n, "dropped_total", (json_int_t)(w->stats.dropped + dropped),
                          "error", tsr_errname(first), "store", why));
    return dropped;
}

static void *writer_main(void *arg)
{
    tsr_event_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->count == 0 && !w->stop)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->count == 0)
            break; /* stopped, and nothing left */
        size_t n = w->count < w->batch ? w->count : w->batch;
        for (size_t i = 0; i < n; i++) {
            w->taken[i] = w->ring[w->head];
            w->head = (w->head + 1) % w->capacity;
        }
        w->count -= n;
        pthread_mutex_unlock(&w->lock);

        bool committed = false;
        size_t dropped = write_batch(w, n, &committed), freed = 0;
        for (size_t i = 0; i < n; i++) {
            freed += w->taken[i]->bytes;
            free(w->taken[i]);
        }

        pthread_mutex_lock(&w->lock);
        w->held -= n;
        w->bytes -= freed;
        w->finished += n;
        w->stats.written += n - dropped;
        w->stats.dropped += dropped;
        w->stats.batches += committed;
        pthread_cond_broadcast(&w->room);
        pthread_cond_broadcast(&w->written);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void writer_free(tsr_event_writer *w)
{
    pthread_cond_destroy(&w->written);
    pthread_cond_destroy(&w->room);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    tsr_store_close(w->st);
    free(w->ring);
    free(w->taken);
    free(w);
}

static size_t or_default(size_t v, size_t d)
{
    return v > 0 ? v : d;
}

int tsr_event_writer_start(const char *location, const struct tsr_event_writer_limits *limits,
                           tsr_event_writer **out, char *err, size_t errlen)
{
    static const struct tsr_event_writer_limits none = {0};
    const struct tsr_event_writer_limits *l = limits ? limits : &none;
    *out = NULL;
    int rc = 0;
    pthread_rwlock_wrlock(&installed_lock);
    tsr_event_writer *w = NULL;
    if (installed != NULL) {
        snprintf(err, errlen, "event log: a writer already runs");
        rc = TSR_EBUSY;
        goto out;
    }
    if ((w = calloc(1, sizeof *w)) == NULL)
        goto nomem;
    w->capacity = or_default(l->capacity, TSR_EVENT_WRITER_CAPACITY);
    w->batch = or_default(l->batch, TSR_EVENT_WRITER_BATCH);
    if (w->batch > w->capacity)
        w->batch = w->capacity;
    w->max_bytes = or_default(l->max_bytes, TSR_EVENT_WRITER_MAX_BYTES);
    w->ring = calloc(w->capacity, sizeof *w->ring);
    w->taken = calloc(w->batch, sizeof *w->taken);
    if (w->ring == NULL || w->taken == NULL) {
        free(w->ring);
        free(w->taken);
        free(w);
        w = NULL;
        goto nomem;
    }
    pthread_condattr_t ca;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->room, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->written, &ca);
    pthread_condattr_destroy(&ca);
    if (tsr_store_open(location, &w->st) != 0) {
        snprintf(err, errlen, "event log: cannot open the database");
        rc = TSR_ESTORE;
        goto out;
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        snprintf(err, errlen, "event log: cannot start the writer thread");
        rc = TSR_ENOMEM;
        goto out;
    }
    installed = w;
    *out = w;
    w = NULL;
    goto out;
nomem:
    snprintf(err, errlen, "event log: out of memory");
    rc = TSR_ENOMEM;
out:
    pthread_rwlock_unlock(&installed_lock);
    if (w != NULL)
        writer_free(w);
    return rc;
}

void tsr_event_writer_stop(tsr_event_writer *w)
{
    if (w == NULL)
        return;
    /* Waits for producers and syncs using it; new ones find no writer. */
    pthread_rwlock_wrlock(&installed_lock);
    if (installed == w)
        installed = NULL;
    pthread_rwlock_unlock(&installed_lock);
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    tsr_log(TSR_LOG_INFO, "event log written",
            json_pack("{s:I, s:I, s:I}", "written", (json_int_t)w->stats.written, "dropped",
                      (json_int_t)w->stats.dropped, "batches", (json_int_t)w->stats.batches));
    writer_free(w);
}

/* Room for c: a free slot, and its bytes within the bound (an empty queue takes any row). */
static bool has_room(const tsr_event_writer *w, const struct rec *c)
{
    return w->held < w->capacity && (w->held == 0 || w->bytes + c->bytes <= w->max_bytes);
}

int tsr_event_writer_enqueue(const struct tsr_event_row *r)
{
    int rc = 0;
    pthread_rwlock_rdlock(&installed_lock);
    tsr_event_writer *w = installed;
    struct rec *c = w != NULL ? rec_new(r) : NULL;
    if (w == NULL || c == NULL) {
        rc = w == NULL ? TSR_ENOTFOUND : TSR_ENOMEM;
        goto out;
    }
    pthread_mutex_lock(&w->lock);
    /* Back-pressure: the thread always finishes its batch, so this wait ends. */
    while (!has_room(w, c))
        pthread_cond_wait(&w->room, &w->lock);
    w->ring[(w->head + w->count) % w->capacity] = c;
    if (w->count++ == 0)
        pthread_cond_signal(&w->wake);
    w->held++;
    w->bytes += c->bytes;
    w->stats.queued++;
    pthread_mutex_unlock(&w->lock);
out:
    pthread_rwlock_unlock(&installed_lock);
    return rc;
}

int tsr_event_writer_sync(void)
{
    int rc = 0;
    pthread_rwlock_rdlock(&installed_lock);
    tsr_event_writer *w = installed;
    if (w != NULL) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += TSR_EVENT_WRITER_SYNC_MS / 1000;
        deadline.tv_nsec += (long)(TSR_EVENT_WRITER_SYNC_MS % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&w->lock);
        uint64_t target = w->stats.queued;
        while (w->finished < target && rc == 0)
            if (pthread_cond_timedwait(&w->written, &w->lock, &deadline) == ETIMEDOUT &&
                w->finished < target)
                rc = TSR_EBUSY;
        pthread_mutex_unlock(&w->lock);
    }
    pthread_rwlock_unlock(&installed_lock);
    if (rc != 0)
        tsr_log(TSR_LOG_WARN, "event log: the writer did not catch up",
                json_pack("{s:i}", "waited_ms", TSR_EVENT_WRITER_SYNC_MS));
    return rc;
}

void tsr_event_writer_stats(tsr_event_writer *w, struct tsr_event_writer_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->stats;
    pthread_mutex_unlock(&w->lock);
}
