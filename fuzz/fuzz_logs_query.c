/*
 * fuzz_logs_query.c - the Management API logs search (GET /api/v2/logs?q=):
 * tsr_logs_parse_q, its Lucene subset, and the dates it reads
 * (tsr_logs_parse_date).
 *
 * Input: q (any bytes; a NUL ends it).
 * Invariants:
 *  - the answer is 0 or TSR_EINVAL (nothing here runs out of memory);
 *  - on TSR_EINVAL the message is non-empty and fits its buffer
 *    (also a small one), and the filter is back to matching everything;
 *  - on 0 each field is NULL or a non-empty string, a q over
 *    TSR_LOGS_Q_MAX was not accepted, and parsing again gives the same
 *    filter;
 *  - a date the parser reads on its own survives tsr_iso8601_ms and back.
 */
#include <string.h>

#include "core/logs.h"
#include "fuzz.h"
#include "util/err.h"

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_field(const char *v)
{
    FUZZ_CHECK(v == NULL || v[0] != '\0');
}

static void check_matches_all(const struct tsr_logs_filter *f)
{
    FUZZ_CHECK(f->type == NULL && f->user_id == NULL && f->client_id == NULL);
    FUZZ_CHECK(f->date_min == INT64_MIN && f->date_max == INT64_MAX);
}

static void check_error(const char *q, size_t errlen)
{
    char err[512];
    memset(err, 'x', sizeof err);
    struct tsr_logs_filter f;
    int rc = tsr_logs_parse_q(q, &f, err, errlen);
    FUZZ_CHECK(rc == 0 || rc == TSR_EINVAL);
    if (rc == 0) {
        tsr_logs_filter_cleanup(&f);
        return;
    }
    check_matches_all(&f);
    size_t n = strnlen(err, errlen);
    FUZZ_CHECK(n < errlen && (n > 0 || errlen == 1));
    FUZZ_CHECK(err[errlen] == 'x'); /* nothing written past errlen */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = fuzz_strndup(data, size);
    char err[256];
    struct tsr_logs_filter f, g;
    int rc = tsr_logs_parse_q(q, &f, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == TSR_EINVAL);
    if (rc == 0) {
        FUZZ_CHECK(strlen(q) <= TSR_LOGS_Q_MAX);
        check_field(f.type);
        check_field(f.user_id);
        check_field(f.client_id);
        FUZZ_CHECK(tsr_logs_parse_q(q, &g, err, sizeof err) == 0);
        FUZZ_CHECK(same(f.type, g.type) && same(f.user_id, g.user_id) &&
                   same(f.client_id, g.client_id));
        FUZZ_CHECK(f.date_min == g.date_min && f.date_max == g.date_max);
        tsr_logs_filter_cleanup(&g);
        tsr_logs_filter_cleanup(&f);
        check_matches_all(&f);
    } else {
        check_matches_all(&f);
        FUZZ_CHECK(err[0] != '\0');
        check_error(q, 1);
        check_error(q, 24);
    }

    int64_t ms;
    bool day;
    if (size < 64 && tsr_logs_parse_date(q, &ms, &day)) {
        char iso[32];
        int64_t back;
        bool back_day;
        tsr_iso8601_ms(ms, iso);
        FUZZ_CHECK(tsr_logs_parse_date(iso, &back, &back_day));
        FUZZ_CHECK(back == ms && !back_day);
    }
    free(q);
    return 0;
}
