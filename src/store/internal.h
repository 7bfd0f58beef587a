/*
 * internal.h - what store.c and the backends share; not for callers.
 *
 * A backend is described by a struct tsr_store_backend: the public method
 * table (struct tsr_store_ops, store.h) plus the few backend facts store.c
 * needs to stay free of dialect (how to start a write transaction, whether
 * one is open, how to ask whether a table exists).
 *
 * Every backend handle embeds struct tsr_store as its first member, and
 * every backend statement embeds struct tsr_stmt first, so store.c can
 * check and route calls without knowing the backend's layout:
 *
 *     struct sqlite_store { struct tsr_store base; sqlite3 *db; ... };
 *
 * The backend's open fills only its own fields; store.c sets base.magic
 * and base.backend after a successful open.  A backend's prepare sets
 * stmt->store (store.c sets stmt->magic).
 */
#ifndef TSR_STORE_INTERNAL_H
#define TSR_STORE_INTERNAL_H

#include "store/store.h"

#define TSR_STORE_MAGIC 0x54535253u /* "TSRS" */
#define TSR_STMT_MAGIC 0x54535254u  /* "TSRT" */
#define TSR_DEAD_MAGIC 0xdeadbeefu  /* set on close / finalize */

struct tsr_store_backend {
    const struct tsr_store_ops *ops;
    /* Statement that opens a transaction taking the write lock at once. */
    const char *begin_sql;
    /* 1 when a transaction is open, 0 otherwise. */
    int (*in_transaction)(tsr_store *st);
    /* One '?' parameter (a table name); returns one row with a count. */
    const char *table_exists_sql;
};

struct tsr_store {
    unsigned magic;
    const struct tsr_store_backend *backend;
};

struct tsr_stmt {
    unsigned magic;
    tsr_store *store;
};

extern const struct tsr_store_backend tsr_sqlite_backend;

#endif
