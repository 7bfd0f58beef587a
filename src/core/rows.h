/*
 * rows.h - reading query results into arrays of typed records, shared by
 * the entity modules (clients, APIs, grants, ...).
 */
#ifndef TSR_CORE_ROWS_H
#define TSR_CORE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "store/queries.h"
#include "store/store.h"

typedef int (*tsr_row_reader)(tsr_stmt *q, void *record);
typedef void (*tsr_row_cleanup)(void *record);

/*
 * As tsr_rows_collect, but a row its reader refuses as malformed (TSR_ESTORE)
 * is left out and counted in *skipped instead of failing the whole list: for
 * loads where one bad row must cost that record only (the tenant catalog,
 * where a failed load would keep every tenant on its previous records).
 */
int tsr_rows_collect_skipping(tsr_stmt *q, size_t elem_size, tsr_row_reader read,
                              tsr_row_cleanup cleanup, void **out, size_t *n, size_t *skipped);

/*
 * Steps q to the end, reading each row with read into a growing array of
 * records of elem_size bytes.  On success *out (caller frees each record
 * with cleanup, then the array) holds *n records.  On failure everything
 * read is freed.  q is not finalized.
 */
int tsr_rows_collect(tsr_stmt *q, size_t elem_size, tsr_row_reader read, tsr_row_cleanup cleanup,
                     void **out, size_t *n);

/* Frees n records of elem_size bytes and the array. */
void tsr_rows_free(void *list, size_t n, size_t elem_size, tsr_row_cleanup cleanup);

/* Runs q, whose first row's first column is a count. */
int tsr_rows_count(tsr_store *st, int64_t *out, enum tsr_query_id q, ...);

/*
 * Runs q, expected to return at most one row, reading it with read.
 * Returns 0, TSR_ENOTFOUND or the store's error.
 */
int tsr_rows_one(tsr_store *st, tsr_row_reader read, void *record, enum tsr_query_id q, ...);

/*
 * Runs q, which must change at least one row (an UPDATE or DELETE by
 * key).  Returns 0, TSR_ENOTFOUND when no row matched, or the store's
 * error.
 */
int tsr_rows_change(tsr_store *st, enum tsr_query_id q, ...);

#endif
