#include "core/rows.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void tsr_rows_free(void *list, size_t n, size_t elem_size, tsr_row_cleanup cleanup)
{
    for (size_t i = 0; i < n; i++)
        cleanup((char *)list + i * elem_size);
    free(list);
}

static int collect(tsr_stmt *q, size_t elem_size, tsr_row_reader read, tsr_row_cleanup cleanup,
                   void **out, size_t *n, size_t *skipped)
{
    *out = NULL;
    *n = 0;
    char *list = NULL;
    size_t count = 0;
    int rc;
    while ((rc = tsr_stmt_step(q)) == TSR_STORE_ROW) {
        char *grown = realloc(list, (count + 1) * elem_size);
        if (grown == NULL) {
            rc = TSR_ENOMEM;
            break;
        }
        list = grown;
        if ((rc = read(q, list + count * elem_size)) == TSR_ESTORE && skipped != NULL) {
            (*skipped)++; /* the reader cleaned the record up */
            continue;
        }
        if (rc != 0)
            break;
        count++;
    }
    if (rc != TSR_STORE_DONE) {
        tsr_rows_free(list, count, elem_size, cleanup);
        return rc;
    }
    *out = list;
    *n = count;
    return 0;
}

int tsr_rows_collect(tsr_stmt *q, size_t elem_size, tsr_row_reader read, tsr_row_cleanup cleanup,
                     void **out, size_t *n)
{
    return collect(q, elem_size, read, cleanup, out, n, NULL);
}

int tsr_rows_collect_skipping(tsr_stmt *q, size_t elem_size, tsr_row_reader read,
                              tsr_row_cleanup cleanup, void **out, size_t *n, size_t *skipped)
{
    *skipped = 0;
    return collect(q, elem_size, read, cleanup, out, n, skipped);
}

/* Reads the count in the first column of q's first row; finalizes q. */
static int first_count(tsr_stmt *q, int64_t *out)
{
    int rc = tsr_stmt_step(q);
    if (rc == TSR_STORE_ROW) {
        *out = tsr_stmt_int64(q, 0);
        rc = 0;
    } else if (rc == TSR_STORE_DONE) {
        rc = TSR_ESTORE;
    }
    tsr_stmt_finalize(q);
    return rc;
}

/* Reads q's one row with read; finalizes q. */
static int first_row(tsr_stmt *q, tsr_row_reader read, void *record)
{
    int rc = tsr_stmt_step(q);
    if (rc == TSR_STORE_ROW)
        rc = read(q, record);
    else if (rc == TSR_STORE_DONE)
        rc = TSR_ENOTFOUND;
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_rows_count(tsr_store *st, int64_t *out, enum tsr_query_id q, ...)
{
    tsr_stmt *stmt = NULL;
    va_list ap;
    va_start(ap, q);
    int rc = tsr_store_vq(st, &stmt, q, ap);
    va_end(ap);
    if (rc != 0)
        return rc;
    return first_count(stmt, out);
}

int tsr_rows_one(tsr_store *st, tsr_row_reader read, void *record, enum tsr_query_id q, ...)
{
    tsr_stmt *stmt = NULL;
    va_list ap;
    va_start(ap, q);
    int rc = tsr_store_vq(st, &stmt, q, ap);
    va_end(ap);
    if (rc != 0)
        return rc;
    return first_row(stmt, read, record);
}

int tsr_rows_change(tsr_store *st, enum tsr_query_id q, ...)
{
    int64_t changed = 0;
    va_list ap;
    va_start(ap, q);
    int rc = tsr_store_vq_run(st, &changed, q, ap);
    va_end(ap);
    return rc == 0 && changed == 0 ? TSR_ENOTFOUND : rc;
}
