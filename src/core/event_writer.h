/*
 * event_writer.h - the event log's writer thread: requests hand their
 * events (core/event.h) to a bounded in-memory queue and go on; one thread
 * with its own database handle writes them in batches, one transaction
 * per batch, so the requests of a busy server do not queue one by one on
 * the database's write lock.
 *
 * At most one writer runs in a process (`tessera serve` starts it; the
 * CLI's other commands never do, and their events are inserted at once).
 * While one runs:
 *   - tsr_event_writer_enqueue copies a row into the queue and returns; a
 *     full queue (TSR_EVENT_WRITER_CAPACITY rows or
 *     TSR_EVENT_WRITER_MAX_BYTES bytes, counting the batch being written)
 *     makes the producer wait for room, so memory stays bounded whatever
 *     the load;
 *   - the writer, woken by a row, waits up to TSR_EVENT_WRITER_GATHER_MS
 *     for a full batch, then takes up to TSR_EVENT_WRITER_BATCH rows,
 *     oldest first, and writes them in one transaction.  A batch that fails is
 *     tried once more row by row (a row the database refuses, e.g. of a
 *     tenant deleted meanwhile, is dropped alone; a failing database drops
 *     the rest of the batch); drops are logged with their count, never
 *     with the rows' contents;
 *   - tsr_event_writer_sync waits until every row queued before the call
 *     is written or dropped: the Management API's logs call it first, so
 *     this node reads its own writes; the brute-force count instead adds
 *     the matching rows still queued (tsr_event_writer_pending below);
 *   - tsr_event_writer_stop writes everything still queued, then ends
 *     the thread.
 * A process killed without a stop loses what was queued (at most
 * TSR_EVENT_WRITER_CAPACITY rows, normally those of the last gather time
 * and the batch being written; docs/architecture.md, "Event log writes").
 */
#ifndef TSR_CORE_EVENT_WRITER_H
#define TSR_CORE_EVENT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "store/store.h"

/* Rows the queue holds, the batch being written included. */
#define TSR_EVENT_WRITER_CAPACITY 4096
/* Most rows written in one transaction. */
#define TSR_EVENT_WRITER_BATCH 256
/* Most bytes of row text the queue holds (a single larger row still passes, alone). */
#define TSR_EVENT_WRITER_MAX_BYTES ((size_t)16 << 20)
/*
 * Longest the writer waits, once a row arrives, for more rows to fill its
 * batch (milliseconds): under load a transaction carries many rows; at
 * idle a lone event is written this long after it is queued.  A sync, a
 * stop, a full batch or a producer waiting for room ends the wait.
 */
#define TSR_EVENT_WRITER_GATHER_MS 20
/* Longest tsr_event_writer_sync waits, in milliseconds. */
#define TSR_EVENT_WRITER_SYNC_MS 10000

/*
 * Inserts e (a recorded event: every member but details set, texts
 * non-NULL) at once through st; returns the store's result.
 */
int tsr_event_row_insert(tsr_store *st, const struct tsr_event *e);

typedef struct tsr_event_writer tsr_event_writer;

/* Sizes of a writer; 0 takes the default above (tests use small ones). */
struct tsr_event_writer_limits {
    size_t capacity;
    size_t batch;
    size_t max_bytes;
    long gather_ms; /* TSR_EVENT_WRITER_GATHER_MS */
};

/*
 * Opens a database handle on location (tsr_store_open) and starts the
 * writer thread, which becomes the process's writer.  limits may be NULL.
 * Returns 0, TSR_EBUSY (a writer already runs), TSR_ESTORE or TSR_ENOMEM,
 * with one line in err.
 */
int tsr_event_writer_start(const char *location, const struct tsr_event_writer_limits *limits,
                           tsr_event_writer **out, char *err, size_t errlen);

/*
 * Stops taking rows (from now on tsr_event_writer_enqueue answers
 * TSR_ENOTFOUND), writes every queued row, ends the thread, closes its
 * handle and frees w.  NULL is a no-op.
 */
void tsr_event_writer_stop(tsr_event_writer *w);

/*
 * Queues a copy of e (a recorded event, as for tsr_event_row_insert) for
 * the process's writer.  Waits while the queue is full.  Returns 0,
 * TSR_ENOTFOUND when no writer runs, or TSR_ENOMEM: on anything but 0 the
 * caller inserts the row itself.
 */
int tsr_event_writer_enqueue(const struct tsr_event *e);

/*
 * Waits until every row queued (by any thread) before the call is written
 * or dropped.  Returns 0 (also when no writer runs) or TSR_EBUSY when that
 * took longer than TSR_EVENT_WRITER_SYNC_MS.
 */
int tsr_event_writer_sync(void);

/*
 * Reading with the rows not yet written (the brute-force count, without
 * waiting for the writer): tsr_event_writer_pending shows the rows queued
 * and not yet written or dropped to visit, oldest first, under the
 * writer's lock (visit must be quick and must not call the writer); visit
 * answers true for the rows it counts.  Then the caller reads the
 * database and asks tsr_event_writer_unpublished: true means none of the
 * rows it counted can have been committed before that read ended, so the
 * two add up without counting a row twice.  When false, the caller waits
 * for them with tsr_event_writer_wait and starts over (they are in the
 * database then).
 */
struct tsr_event_pending {
    const void *writer;    /* the writer seen; NULL: none, or nothing counted */
    uint64_t first, until; /* queue positions of the counted rows: [first, until) */
};

void tsr_event_writer_pending(bool (*visit)(void *ctx, const struct tsr_event *e), void *ctx,
                              struct tsr_event_pending *out);
bool tsr_event_writer_unpublished(const struct tsr_event_pending *p);
/* 0, or TSR_EBUSY when that took longer than TSR_EVENT_WRITER_SYNC_MS. */
int tsr_event_writer_wait(const struct tsr_event_pending *p);

/* What a writer did so far. */
struct tsr_event_writer_stats {
    uint64_t queued;  /* rows taken by tsr_event_writer_enqueue */
    uint64_t written; /* rows committed */
    uint64_t dropped; /* rows given up after the retry */
    uint64_t batches; /* transactions committed */
};

void tsr_event_writer_stats(tsr_event_writer *w, struct tsr_event_writer_stats *out);

#endif
