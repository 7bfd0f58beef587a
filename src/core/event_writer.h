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
 *   - the writer takes up to TSR_EVENT_WRITER_BATCH rows at a time, oldest
 *     first, and writes them in one transaction.  A batch that fails is
 *     tried once more row by row (a row the database refuses, e.g. of a
 *     tenant deleted meanwhile, is dropped alone; a failing database drops
 *     the rest of the batch); drops are logged with their count, never
 *     with the rows' contents;
 *   - tsr_event_writer_sync waits until every row queued before the call
 *     is written or dropped: every reader of the events table calls it
 *     first (the Management API's logs, the brute-force count), so this
 *     node reads its own writes;
 *   - tsr_event_writer_stop writes everything still queued, then ends
 *     the thread.
 * A process killed without a stop loses what was queued (at most
 * TSR_EVENT_WRITER_CAPACITY rows; docs/architecture.md, "Event log
 * writes").
 */
#ifndef TSR_CORE_EVENT_WRITER_H
#define TSR_CORE_EVENT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Rows the queue holds, the batch being written included. */
#define TSR_EVENT_WRITER_CAPACITY 4096
/* Most rows written in one transaction. */
#define TSR_EVENT_WRITER_BATCH 256
/* Most bytes of row text the queue holds (a single larger row still passes, alone). */
#define TSR_EVENT_WRITER_MAX_BYTES ((size_t)16 << 20)
/* Longest tsr_event_writer_sync waits, in milliseconds. */
#define TSR_EVENT_WRITER_SYNC_MS 10000

/* One row of the events table; every text member is non-NULL. */
struct tsr_event_row {
    const char *tenant_id;
    const char *id;
    int64_t date; /* Unix ms */
    const char *type;
    const char *description;
    const char *client_id;
    const char *client_name;
    const char *ip;
    const char *user_agent;
    const char *user_id;
    const char *user_name;
    const char *connection;
    const char *connection_id;
    const char *details; /* JSON object text */
};

/* Inserts r at once through st; returns the store's result. */
int tsr_event_row_insert(tsr_store *st, const struct tsr_event_row *r);

typedef struct tsr_event_writer tsr_event_writer;

/* Sizes of a writer; 0 takes the default above (tests use small ones). */
struct tsr_event_writer_limits {
    size_t capacity;
    size_t batch;
    size_t max_bytes;
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
 * Queues a copy of r for the process's writer.  Waits while the queue is
 * full.  Returns 0, TSR_ENOTFOUND when no writer runs, or TSR_ENOMEM: on
 * anything but 0 the caller inserts the row itself.
 */
int tsr_event_writer_enqueue(const struct tsr_event_row *r);

/*
 * Waits until every row queued (by any thread) before the call is written
 * or dropped.  Returns 0 (also when no writer runs) or TSR_EBUSY when that
 * took longer than TSR_EVENT_WRITER_SYNC_MS.
 */
int tsr_event_writer_sync(void);

/* What a writer did so far. */
struct tsr_event_writer_stats {
    uint64_t queued;  /* rows taken by tsr_event_writer_enqueue */
    uint64_t written; /* rows committed */
    uint64_t dropped; /* rows given up after the retry */
    uint64_t batches; /* transactions committed */
};

void tsr_event_writer_stats(tsr_event_writer *w, struct tsr_event_writer_stats *out);

#endif
