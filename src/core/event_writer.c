/*
 * event_writer.c - the event log's batching writer (see event_writer.h).
 *
 * Divisions: queued rows (one allocation each), the process's writer (a
 * pointer under a read-write lock), writing a batch, the thread (gather,
 * then write), then start, stop, enqueue, sync, and reading the rows
 * still pending.
 *
 * Rows keep the order they were queued in: the ring is FIFO and the one
 * thread writes batches in turn, so a row's position (stats.queued when
 * it came) orders it, "finished" (rows written or dropped) only grows,
 * and a sync waits for it to reach the count queued when it was called.
 * "published" runs ahead of finished by the batch whose commit began:
 * rows below it may already be visible to readers.
 */
#include "core/event_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/queries.h"
#include "util/err.h"
#include "util/log.h"

int tsr_event_row_insert(tsr_store *st, const struct tsr_event *e)
{
    return tsr_store_q_run(st, NULL, TSR_Q_EVENT_INSERT, e->tenant_id, e->id, e->date, e->type,
                           e->description, e->client_id, e->client_name, e->ip, e->user_agent,
                           e->user_id, e->user_name, e->connection, e->connection_id,
                           e->details_text);
}

/* ---- queued rows: the event's texts copied behind its header, one allocation ---- */

struct rec {
    size_t bytes; /* what the queue's byte bound counts */
    uint64_t pos; /* position in the queue: stats.queued when it came */
    struct tsr_event e;
    char text[];
};

/* The text members of a recorded event. */
static const size_t text_member[] = {
    offsetof(struct tsr_event, type),         offsetof(struct tsr_event, description),
    offsetof(struct tsr_event, client_id),    offsetof(struct tsr_event, client_name),
    offsetof(struct tsr_event, user_id),      offsetof(struct tsr_event, user_name),
    offsetof(struct tsr_event, connection),   offsetof(struct tsr_event, connection_id),
    offsetof(struct tsr_event, tenant_id),    offsetof(struct tsr_event, id),
    offsetof(struct tsr_event, ip),           offsetof(struct tsr_event, user_agent),
    offsetof(struct tsr_event, details_text),
};
#define TEXT_MEMBERS (sizeof text_member / sizeof *text_member)

static const char **member(struct tsr_event *e, size_t i)
{
    return (const char **)((char *)e + text_member[i]);
}

/* A copy of e, or NULL when out of memory. */
static struct rec *rec_new(const struct tsr_event *e)
{
    struct tsr_event src = *e;
    size_t len[TEXT_MEMBERS], total = sizeof(struct rec);
    for (size_t i = 0; i < TEXT_MEMBERS; i++) {
        len[i] = strlen(*member(&src, i));
        if (len[i] >= SIZE_MAX / 2 - total)
            return NULL;
        total += len[i] + 1;
    }
    struct rec *c = malloc(total);
    if (c == NULL)
        return NULL;
    c->bytes = total;
    c->e = src;
    c->e.details = NULL; /* the caller's; the text is what is written */
    char *p = c->text;
    for (size_t i = 0; i < TEXT_MEMBERS; i++) {
        memcpy(p, *member(&src, i), len[i] + 1);
        *member(&c->e, i) = p;
        p += len[i] + 1;
    }
    return c;
}

/* ---- the writer ---- */

struct tsr_event_writer {
    pthread_t thread;
    tsr_store *st;          /* the thread's own handle */
    pthread_mutex_t lock;   /* guards everything below */
    pthread_cond_t wake;    /* the thread: rows, a full batch, a hurry, stop (monotonic) */
    pthread_cond_t room;    /* producers: rows left the queue */
    pthread_cond_t written; /* syncs: finished grew (CLOCK_MONOTONIC) */
    struct rec **ring;      /* capacity slots, FIFO */
    size_t capacity, batch, max_bytes;
    size_t head, count; /* rows waiting in the ring */
    size_t held;        /* count plus the batch being written */
    size_t bytes;       /* bytes of the rows held */
    uint64_t finished;  /* rows written or dropped */
    uint64_t published; /* rows at positions below may be in the database: a commit began */
    long gather_ms;
    bool stop;
    bool gathering;     /* the thread waits for more rows before writing */
    unsigned hurry;     /* syncs and producers waiting: no gathering meanwhile */
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
        rc = tsr_event_row_insert(st, &w->taken[i]->e);
    /* From here readers may see these rows (the commit, or the retry's inserts). */
    pthread_mutex_lock(&w->lock);
    w->published = w->finished + n;
    pthread_mutex_unlock(&w->lock);
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
        rc = down ? TSR_ESTORE : tsr_event_row_insert(st, &w->taken[i]->e);
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

static struct timespec mono_after_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/*
 * Called with fewer rows than a batch: waits up to TSR_EVENT_WRITER_GATHER_MS
 * for more, so a busy server commits few large batches rather than many
 * small ones (each commit costs WAL writes and file-lock calls).  Cut short
 * by a full batch, a stop, a sync or a producer waiting for room.
 */
static void gather(tsr_event_writer *w)
{
    if (w->count >= w->batch || w->stop || w->hurry > 0)
        return;
    struct timespec deadline = mono_after_ms(w->gather_ms);
    w->gathering = true;
    while (w->count < w->batch && !w->stop && w->hurry == 0)
        if (pthread_cond_timedwait(&w->wake, &w->lock, &deadline) == ETIMEDOUT)
            break;
    w->gathering = false;
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
        gather(w);
        size_t n = w->count < w->batch ? w->count : w->batch;
        for (size_t i = 0; i < n; i++) {
            w->taken[i] = w->ring[w->head];
            w->head = (w->head + 1) % w->capacity;
        }
        w->count -= n;
        pthread_mutex_unlock(&w->lock);

        bool committed = false;
        size_t dropped = write_batch(w, n, &committed), freed = 0;

        pthread_mutex_lock(&w->lock);
        /* Freed under the lock: tsr_event_writer_pending reads the batch until held drops. */
        for (size_t i = 0; i < n; i++) {
            freed += w->taken[i]->bytes;
            free(w->taken[i]);
        }
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
    w->gather_ms = l->gather_ms > 0 ? l->gather_ms : TSR_EVENT_WRITER_GATHER_MS;
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
    pthread_cond_init(&w->room, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &ca);
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

int tsr_event_writer_enqueue(const struct tsr_event *r)
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
    if (!has_room(w, c)) {
        w->hurry++; /* a gathering thread writes what it has, making room */
        pthread_cond_signal(&w->wake);
        while (!has_room(w, c))
            pthread_cond_wait(&w->room, &w->lock);
        w->hurry--;
    }
    w->ring[(w->head + w->count) % w->capacity] = c;
    /* Wakes the idle thread, or a gathering one once a batch is full (no call otherwise). */
    if (++w->count == 1 || (w->gathering && w->count == w->batch))
        pthread_cond_signal(&w->wake);
    w->held++;
    w->bytes += c->bytes;
    c->pos = w->stats.queued++;
    pthread_mutex_unlock(&w->lock);
out:
    pthread_rwlock_unlock(&installed_lock);
    return rc;
}

/* Waits until finished reaches target, cutting any gathering short; 0 or TSR_EBUSY. */
static int wait_finished(tsr_event_writer *w, uint64_t target, const struct timespec *deadline)
{
    int rc = 0;
    if (w->finished >= target)
        return 0;
    w->hurry++;
    pthread_cond_signal(&w->wake);
    while (w->finished < target && rc == 0)
        if (pthread_cond_timedwait(&w->written, &w->lock, deadline) == ETIMEDOUT &&
            w->finished < target)
            rc = TSR_EBUSY;
    w->hurry--;
    return rc;
}

static void log_slow(void)
{
    tsr_log(TSR_LOG_WARN, "event log: the writer did not catch up",
            json_pack("{s:i}", "waited_ms", TSR_EVENT_WRITER_SYNC_MS));
}

int tsr_event_writer_sync(void)
{
    int rc = 0;
    pthread_rwlock_rdlock(&installed_lock);
    tsr_event_writer *w = installed;
    if (w != NULL) {
        struct timespec deadline = mono_after_ms(TSR_EVENT_WRITER_SYNC_MS);
        pthread_mutex_lock(&w->lock);
        rc = wait_finished(w, w->stats.queued, &deadline);
        pthread_mutex_unlock(&w->lock);
    }
    pthread_rwlock_unlock(&installed_lock);
    if (rc != 0)
        log_slow();
    return rc;
}

void tsr_event_writer_pending(bool (*visit)(void *ctx, const struct tsr_event *e), void *ctx,
                              struct tsr_event_pending *out)
{
    *out = (struct tsr_event_pending){0};
    pthread_rwlock_rdlock(&installed_lock);
    tsr_event_writer *w = installed;
    if (w != NULL) {
        pthread_mutex_lock(&w->lock);
        size_t writing = w->held - w->count; /* the batch in the thread's hands */
        bool any = false;
        for (size_t i = 0; i < writing + w->count; i++) {
            const struct rec *c =
                i < writing ? w->taken[i] : w->ring[(w->head + i - writing) % w->capacity];
            if (!visit(ctx, &c->e))
                continue;
            if (!any)
                out->first = c->pos;
            out->until = c->pos + 1;
            any = true;
        }
        out->writer = any ? w : NULL;
        pthread_mutex_unlock(&w->lock);
    }
    pthread_rwlock_unlock(&installed_lock);
}

bool tsr_event_writer_unpublished(const struct tsr_event_pending *p)
{
    if (p->writer == NULL)
        return true;
    bool unpublished = false;
    pthread_rwlock_rdlock(&installed_lock);
    tsr_event_writer *w = installed;
    if (w == p->writer) { /* else it stopped: the rows are written */
        pthread_mutex_lock(&w->lock);
        unpublished = w->published <= p->first;
        pthread_mutex_unlock(&w->lock);
    }
    pthread_rwlock_unlock(&installed_lock);
    return unpublished;
}

int tsr_event_writer_wait(const struct tsr_event_pending *p)
{
    int rc = 0;
    pthread_rwlock_rdlock(&installed_lock);
    tsr_event_writer *w = installed;
    if (p->writer != NULL && w == p->writer) {
        struct timespec deadline = mono_after_ms(TSR_EVENT_WRITER_SYNC_MS);
        pthread_mutex_lock(&w->lock);
        rc = wait_finished(w, p->until, &deadline);
        pthread_mutex_unlock(&w->lock);
    }
    pthread_rwlock_unlock(&installed_lock);
    if (rc != 0)
        log_slow();
    return rc;
}

void tsr_event_writer_stats(tsr_event_writer *w, struct tsr_event_writer_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->stats;
    pthread_mutex_unlock(&w->lock);
}
