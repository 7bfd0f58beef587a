/*
 * fixture_tmp.h - scratch folders and row counts for unit tests that work
 * on real files.  Include after <cmocka.h>.
 */
#ifndef TSR_TESTS_FIXTURE_TMP_H
#define TSR_TESTS_FIXTURE_TMP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "store/store.h"

/*
 * Makes a fresh folder <base>/<prefix>-XXXXXX into out, base being
 * $TSR_TEST_TMPDIR (created when missing) or /tmp.
 */
static inline void fixture_mkdtemp(char *out, size_t len, const char *prefix)
{
    const char *base = getenv("TSR_TEST_TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    mkdir(base, 0700);
    int n = snprintf(out, len, "%s/%s-XXXXXX", base, prefix);
    assert_true(n > 0 && (size_t)n < len);
    assert_non_null(mkdtemp(out));
}

/* The integer in the first column of the first row of sql (-1 when no row). */
static inline int64_t fixture_count(tsr_store *st, const char *sql)
{
    tsr_stmt *q = NULL;
    int64_t n = -1;
    assert_int_equal(tsr_store_query(st, &q, sql, ""), 0);
    if (tsr_stmt_step(q) == TSR_STORE_ROW)
        n = tsr_stmt_int64(q, 0);
    tsr_stmt_finalize(q);
    return n;
}

#endif
