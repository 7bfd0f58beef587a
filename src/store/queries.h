/*
 * queries.h - running named queries (see store/query_ids.h).
 *
 * tsr_store_q and tsr_store_q_run are tsr_store_query and tsr_store_run
 * (store.h) with the SQL and the type string taken from the query's name:
 * the backend supplies the statement in its dialect, the .def file the
 * parameter types.  Arguments follow the types as in store.h.
 *
 * Parameter types are a contract: the backend receives them when it
 * prepares, so a statement may test a parameter for NULL
 * ("? IS NULL OR col = ?") and a backend with typed parameters (PostgreSQL)
 * declares them instead of inferring them.  A backend must honour that.
 */
#ifndef TSR_STORE_QUERIES_H
#define TSR_STORE_QUERIES_H

#include <stdarg.h>
#include <stdint.h>

#include "store/query_ids.h"
#include "store/store.h"

/* Prepares and binds q.  Returns 0, TSR_EINVAL (unknown id, no SQL in the
 * backend) or as tsr_store_query. */
int tsr_store_q(tsr_store *st, tsr_stmt **out, enum tsr_query_id q, ...);
int tsr_store_vq(tsr_store *st, tsr_stmt **out, enum tsr_query_id q, va_list ap);

/* Runs q to completion, as tsr_store_run. */
int tsr_store_q_run(tsr_store *st, int64_t *changes, enum tsr_query_id q, ...);
int tsr_store_vq_run(tsr_store *st, int64_t *changes, enum tsr_query_id q, va_list ap);

/* The type string of q ("" for an unknown id). */
const char *tsr_query_types(enum tsr_query_id q);

/* The name of q without TSR_Q_ ("CLIENT_GET"), for logs and tests. */
const char *tsr_query_name(enum tsr_query_id q);

/*
 * Checks q against st's backend without running it: the backend has SQL
 * for it, the statement prepares, and its placeholders number as many as
 * its type string's letters.  Returns 0, TSR_EINVAL or TSR_ESTORE.  For
 * tests and self-checks.
 */
int tsr_store_q_check(tsr_store *st, enum tsr_query_id q);

#endif
