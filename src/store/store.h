/*
 * store.h - the one storage interface.
 *
 * A tsr_store is one connection to the database, owned by one thread (each
 * server worker opens its own).  Core runs named queries
 * (store/queries.h): the SQL of each lives with its backend.  The SQL
 * calls below (tsr_store_query, tsr_store_run, tsr_store_exec) are for
 * the store itself (migrations, snapshots) and tests.  Statements use a
 * portable subset of SQL
 * with positional '?' parameters, or numbered ones (?1, ?2: a value used
 * several times) in a statement that numbers them all; a backend
 * translates what it must (PostgreSQL: '?' -> $n, ?n -> $n).  Besides
 * SQL's own, a backend provides the function tsr_ip_net(ip)
 * (util/ipnet.h).  Backends are tables of operations
 * (struct tsr_store_ops, versioned and append-only) chosen by the scheme of
 * the location string; callers use only the tsr_store_* and tsr_stmt_*
 * wrappers below, which check arguments and host the fault-injection hook
 * used by the unit tests.
 *
 * Values are bound with a type string: one letter per parameter,
 *   s  const char *        (NULL binds SQL NULL)
 *   i  int64_t
 *   b  const void *, size_t (blob; NULL binds SQL NULL)
 *   n  nothing consumed: SQL NULL
 * Pass integers as int64_t (cast literals: (int64_t)5).  Values are copied
 * when bound.  The number of letters must equal the number of '?'
 * placeholders outside literals and comments (numbered: the highest
 * number), else TSR_EINVAL.
 */
#ifndef TSR_STORE_STORE_H
#define TSR_STORE_STORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/query_ids.h"

typedef struct tsr_store tsr_store;
typedef struct tsr_stmt tsr_stmt;

/* tsr_stmt_step results besides negative errors. */
#define TSR_STORE_ROW 1
#define TSR_STORE_DONE 0

struct tsr_store_ops {
    int version; /* 2; members are only ever appended */
    const char *name;
    int (*open)(const char *location, tsr_store **out);
    void (*close)(tsr_store *st);
    int (*exec)(tsr_store *st, const char *sql); /* no parameters, may hold several statements */
    int (*prepare)(tsr_store *st, const char *sql, tsr_stmt **out);
    /* type: a letter of the type string, or 'S' / 'B': an 's' / 'b' value that outlives
     * every step until the statement is finalized, which the backend may point at uncopied. */
    int (*bind)(tsr_stmt *stmt, int idx, char type, const void *ptr, int64_t ival, size_t len);
    int (*step)(tsr_stmt *stmt);
    int (*column_type_null)(tsr_stmt *stmt, int col);
    const char *(*column_text)(tsr_stmt *stmt, int col);
    int64_t (*column_int64)(tsr_stmt *stmt, int col);
    const void *(*column_blob)(tsr_stmt *stmt, int col, size_t *len);
    void (*finalize)(tsr_stmt *stmt);
    int64_t (*changes)(tsr_store *st);
    const char *(*errmsg)(tsr_store *st);
    /* version 2: named queries (store/queries.h). */
    const char *(*sql)(enum tsr_query_id q); /* the statement, or NULL when none */
    /* prepare, told the parameter types (letters as above, one per parameter) */
    int (*prepare_typed)(tsr_store *st, const char *sql, const char *types, tsr_stmt **out);
};

/*
 * Opens a store.  location is "sqlite:PATH", a plain PATH (SQLite), or
 * "sqlite::memory:".  SQLite handles run in WAL mode with foreign keys on
 * and a busy timeout.  Returns 0, TSR_EINVAL or TSR_ESTORE.
 */
int tsr_store_open(const char *location, tsr_store **out);
void tsr_store_close(tsr_store *st); /* NULL is a no-op */

/* Name of the backend ("sqlite"). */
const char *tsr_store_backend(const tsr_store *st);

/*
 * Applies every migration newer than the database's schema version, each
 * in its own transaction, recording it in schema_migrations.  *applied
 * (may be NULL) receives how many ran.  A database newer than this binary
 * is refused with TSR_ESTORE.
 */
int tsr_store_migrate(tsr_store *st, int *applied);

/* Highest migration version this binary knows. */
int tsr_store_schema_latest(void);

/* Current schema version of the database (0 when empty). */
int tsr_store_schema_version(tsr_store *st, int *out);

/*
 * Transactions do not nest.  After a failed statement or commit inside a
 * transaction the caller calls tsr_store_rollback.
 */
int tsr_store_begin(tsr_store *st); /* BEGIN IMMEDIATE on SQLite */
int tsr_store_commit(tsr_store *st);
int tsr_store_rollback(tsr_store *st); /* safe when no transaction is open; never injected */

/* 1 when a transaction is open on st, else 0 (also for a bad handle). */
int tsr_store_in_transaction(tsr_store *st);

/*
 * Ends the transaction the steps so far ran in: commits when rc (their
 * result) is 0, else rolls back.  Returns rc, or the commit's error.
 */
int tsr_store_finish(tsr_store *st, int rc);

/*
 * For steps that must be atomic whether or not the caller already opened a
 * transaction: tsr_store_begin_own opens one only when none is open and
 * sets *own to say so; tsr_store_finish_own ends only a transaction it
 * opened (tsr_store_finish), else returns rc for the caller's to decide.
 */
int tsr_store_begin_own(tsr_store *st, bool *own);
int tsr_store_finish_own(tsr_store *st, bool own, int rc);

/* Runs SQL without parameters (may be several statements). */
int tsr_store_exec(tsr_store *st, const char *sql);

/*
 * Prepares sql (one statement) and binds the parameters described by
 * types (see above).  *out must be finalized by the caller, before
 * tsr_store_close; it is NULL on error.  Prepared statements are cached
 * per handle by SQL text, so pass the same constant SQL on hot paths.
 * Returns 0, TSR_EINVAL (bad types, placeholder count, several statements)
 * or TSR_ESTORE.
 */
int tsr_store_query(tsr_store *st, tsr_stmt **out, const char *sql, const char *types, ...);
int tsr_store_vquery(tsr_store *st, tsr_stmt **out, const char *sql, const char *types, va_list ap);

/*
 * Prepares, binds, steps to completion and finalizes a statement that
 * returns no rows.  *changes (may be NULL) receives the rows changed.
 * Returns 0, TSR_ECONFLICT (unique or foreign-key constraint),
 * TSR_ESTORE.
 */
int tsr_store_run(tsr_store *st, int64_t *changes, const char *sql, const char *types, ...);
int tsr_store_vrun(tsr_store *st, int64_t *changes, const char *sql, const char *types, va_list ap);

/*
 * Steps: TSR_STORE_ROW, TSR_STORE_DONE, TSR_ECONFLICT (constraint) or
 * TSR_ESTORE.
 */
int tsr_stmt_step(tsr_stmt *stmt);

/* Column accessors for the current row; columns count from 0.  Borrowed
 * pointers stay valid until the next step or finalize. */
int tsr_stmt_is_null(tsr_stmt *stmt, int col);
const char *tsr_stmt_text(tsr_stmt *stmt, int col); /* NULL for SQL NULL */
int64_t tsr_stmt_int64(tsr_stmt *stmt, int col);
const void *tsr_stmt_blob(tsr_stmt *stmt, int col, size_t *len);

/* Returns a new copy of a text column (NULL for SQL NULL or no memory). */
char *tsr_stmt_text_dup(tsr_stmt *stmt, int col);

void tsr_stmt_finalize(tsr_stmt *stmt); /* NULL is a no-op */

/*
 * Runs the cheapest statement that needs the database: 0 when it answered,
 * else TSR_ESTORE (or TSR_EINVAL for a bad handle).  For health checks.
 */
int tsr_store_ping(tsr_store *st);

/* The backend's last error message, for logs. */
const char *tsr_store_errmsg(tsr_store *st);

/*
 * Fault injection for tests: when set to n > 0, the n-th following store
 * call that can fail fails with TSR_ESTORE (then the counter stops).
 * Counted calls: every prepare, bind (one per type letter), step and exec
 * (including begin and commit); rollback is never failed.  n <= 0 turns
 * it off.  Process-wide; not for production use.
 */
void tsr_store_fail_after(int n);

#endif
