/*
 * sqlite_wait.h - how a connection waits for another one's write lock.
 *
 * SQLite's own busy timeout sleeps 1, 2, 5, 10 ... 100 ms between
 * attempts, so a worker thread that meets another thread's write
 * transaction stalls its whole connection set for milliseconds after the
 * lock is already free.  Connections of this process instead wait on a
 * condition that every commit, rollback and finished autocommit write
 * signals, and poll briefly for writers in other processes (the CLI, a
 * second server) that cannot signal it.
 */
#ifndef TSR_STORE_SQLITE_WAIT_H
#define TSR_STORE_SQLITE_WAIT_H

#include <sqlite3.h>
#include <stdint.h>

/* What one connection's busy handler remembers between attempts. */
struct tsr_sq_wait {
    uint64_t seen;      /* releases counted at the last wait */
    int64_t started_ms; /* CLOCK_MONOTONIC start of this episode */
    int timeout_ms;     /* the longest episode */
};

/* Installs the handler on db: waits at most timeout_ms per episode. */
void tsr_sq_wait_install(sqlite3 *db, struct tsr_sq_wait *w, int timeout_ms);

/* After db released its write lock (commit, rollback, autocommit write done). */
void tsr_sq_wait_released(void);

#endif
