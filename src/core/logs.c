#include "core/logs.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event_writer.h"
#include "core/rows.h"
#include "util/err.h"
#include "util/log.h"

#define DAY_MS ((int64_t)86400000)

void tsr_logs_filter_init(struct tsr_logs_filter *f)
{
    memset(f, 0, sizeof *f);
    f->date_min = INT64_MIN;
    f->date_max = INT64_MAX;
}

void tsr_logs_filter_cleanup(struct tsr_logs_filter *f)
{
    free(f->type);
    free(f->user_id);
    free(f->client_id);
    tsr_logs_filter_init(f);
}

/* ---- dates ---- */

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool tsr_logs_parse_date(const char *s, int64_t *ms, bool *day)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return false;
    const char *p = s + 10;
    *day = *p == '\0';
    if (!*day) {
        if (*p != 'T' || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
            return false;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &sec))
                return false;
            p += 3;
            if (*p == '.') {
                p++;
                int nd = 0, scale = 100;
                for (; isdigit((unsigned char)*p); p++, nd++) {
                    if (nd < 3)
                        frac += (*p - '0') * scale;
                    scale /= 10;
                }
                if (nd == 0)
                    return false;
            }
        }
        if (*p == 'Z')
            p++;
        if (*p != '\0')
            return false;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    time_t t = timegm(&tm);
    /* timegm normalizes 2026-02-30 into March: refuse what moved. */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
        return false;
    *ms = (int64_t)t * 1000 + frac;
    return true;
}

void tsr_iso8601_ms(int64_t ms, char out[32])
{
    struct tm tm;
    time_t t = (time_t)(ms / 1000);
    char base[24];
    if (ms < 0 || gmtime_r(&t, &tm) == NULL ||
        strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(out, 32, "1970-01-01T00:00:00.000Z");
        return;
    }
    snprintf(out, 32, "%s.%03dZ", base, (int)(ms % 1000));
}

/* ---- q ---- */

struct lexer {
    const char *p;
    char *err;
    size_t errlen;
};

/* fmt takes "%.*s" once: what, len characters long. */
static int fail(struct lexer *lx, const char *fmt, const char *what, int len)
{
    const char *mark = strstr(fmt, "%.*s");
    snprintf(lx->err, lx->errlen, "%.*s%.*s%s", (int)(mark - fmt), fmt, len, what, mark + 4);
    return TSR_EINVAL;
}

static void skip_spaces(struct lexer *lx)
{
    while (*lx->p == ' ' || *lx->p == '\t')
        lx->p++;
}

/* Reads a value: "quoted" (backslash escapes), or a bare run up to a space. */
static int read_value(struct lexer *lx, const char *field, char **out)
{
    const char *start = lx->p;
    if (*lx->p == '"') {
        size_t cap = strlen(lx->p) + 1, n = 0;
        char *v = malloc(cap);
        if (v == NULL)
            return TSR_ENOMEM;
        lx->p++;
        while (*lx->p && *lx->p != '"') {
            if (*lx->p == '\\' && lx->p[1])
                lx->p++;
            v[n++] = *lx->p++;
        }
        if (*lx->p != '"') {
            free(v);
            return fail(lx, "unterminated quoted value in '%.*s'", start - strlen(field) - 1,
                        (int)(strlen(start) + strlen(field) + 1));
        }
        lx->p++;
        v[n] = '\0';
        if (n == 0) {
            free(v);
            return fail(lx, "empty value for field '%.*s'", field, (int)strlen(field));
        }
        *out = v;
        return 0;
    }
    while (*lx->p && *lx->p != ' ' && *lx->p != '\t')
        lx->p++;
    size_t n = (size_t)(lx->p - start);
    if (n == 0)
        return fail(lx, "missing value for field '%.*s'", field, (int)strlen(field));
    if (strcspn(start, "*?()[]{}\"\\") < n)
        return fail(lx, "unsupported value '%.*s' (wildcards, groups and escapes are not supported)",
                    start, (int)n);
    *out = strndup(start, n);
    return *out ? 0 : TSR_ENOMEM;
}

/* One end of a range: '*' (open) or a date. */
static int range_end(struct lexer *lx, const char *s, size_t n, bool upper, bool inclusive,
                     int64_t *bound)
{
    if (n == 1 && s[0] == '*') {
        *bound = upper ? INT64_MAX : INT64_MIN;
        return 0;
    }
    char buf[40];
    int64_t ms;
    bool day;
    if (n >= sizeof buf)
        return fail(lx, "invalid date '%.*s'", s, (int)n);
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!tsr_logs_parse_date(buf, &ms, &day))
        return fail(lx, "invalid date '%.*s' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.mmm]Z)", s,
                    (int)n);
    /* A whole day stands for all of it: [A TO B] covers A 00:00 through B 23:59:59.999. */
    int64_t span = day ? DAY_MS : 1;
    if (upper)
        *bound = inclusive ? ms + span - 1 : ms - 1;
    else
        *bound = inclusive ? ms : ms + span;
    return 0;
}

static int read_date(struct lexer *lx, struct tsr_logs_filter *f)
{
    const char *start = lx->p;
    char open = *lx->p;
    if (open != '[' && open != '{') {
        char *v = NULL;
        int rc = read_value(lx, "date", &v);
        if (rc != 0)
            return rc;
        rc = range_end(lx, v, strlen(v), false, true, &f->date_min);
        if (rc == 0)
            rc = range_end(lx, v, strlen(v), true, true, &f->date_max);
        free(v);
        return rc;
    }
    const char *close = strpbrk(start + 1, "]}");
    if (close == NULL)
        return fail(lx, "unterminated range '%.*s'", start, (int)strlen(start));
    const char *to = strstr(start + 1, " TO ");
    if (to == NULL || to > close)
        return fail(lx, "invalid range '%.*s' (expected [FROM TO TO])", start,
                    (int)(close - start + 1));
    const char *a = start + 1;
    while (*a == ' ')
        a++;
    const char *a_end = to;
    const char *b = to + 4;
    while (*b == ' ')
        b++;
    const char *b_end = close;
    while (b_end > b && b_end[-1] == ' ')
        b_end--;
    if (a_end <= a || b_end <= b)
        return fail(lx, "invalid range '%.*s'", start, (int)(close - start + 1));
    int rc = range_end(lx, a, (size_t)(a_end - a), false, open == '[', &f->date_min);
    if (rc == 0)
        rc = range_end(lx, b, (size_t)(b_end - b), true, *close == ']', &f->date_max);
    lx->p = close + 1;
    return rc;
}

int tsr_logs_parse_q(const char *q, struct tsr_logs_filter *f, char *err, size_t errlen)
{
    tsr_logs_filter_init(f);
    if (q == NULL)
        return 0;
    struct lexer lx = {.p = q, .err = err, .errlen = errlen};
    if (strlen(q) > TSR_LOGS_Q_MAX)
        return fail(&lx, "query longer than %.*s characters", "1024", 4);
    bool seen_date = false;
    int rc = 0;
    skip_spaces(&lx);
    if (*lx.p == '\0')
        return 0;
    for (;;) {
        const char *term = lx.p;
        size_t nlen = strspn(lx.p, "abcdefghijklmnopqrstuvwxyz_.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (nlen == 0 || lx.p[nlen] != ':') {
            size_t tlen = strcspn(term, " \t");
            rc = fail(&lx, "unsupported term '%.*s' (expected field:value)", term,
                      (int)(tlen ? tlen : 1));
            break;
        }
        char field[32];
        if (nlen >= sizeof field) {
            rc = fail(&lx, "unsupported field '%.*s'", term, (int)nlen);
            break;
        }
        memcpy(field, term, nlen);
        field[nlen] = '\0';
        lx.p += nlen + 1;
        char **dst = strcmp(field, "type") == 0        ? &f->type
                     : strcmp(field, "user_id") == 0   ? &f->user_id
                     : strcmp(field, "client_id") == 0 ? &f->client_id
                                                       : NULL;
        if (dst == NULL && strcmp(field, "date") != 0) {
            rc = fail(&lx, "unsupported field '%.*s' (supported: type, user_id, client_id, date)",
                      field, (int)nlen);
            break;
        }
        if ((dst && *dst) || (!dst && seen_date)) {
            rc = fail(&lx, "field '%.*s' given more than once", field, (int)nlen);
            break;
        }
        if (dst)
            rc = read_value(&lx, field, dst);
        else {
            seen_date = true;
            rc = read_date(&lx, f);
        }
        if (rc != 0)
            break;
        if (*lx.p != '\0' && *lx.p != ' ' && *lx.p != '\t') {
            rc = fail(&lx, "unexpected '%.*s'", lx.p, (int)strcspn(lx.p, " \t"));
            break;
        }
        skip_spaces(&lx);
        if (*lx.p == '\0')
            return 0;
        if (strncmp(lx.p, "AND", 3) != 0 || (lx.p[3] != ' ' && lx.p[3] != '\t')) {
            rc = fail(&lx, "unsupported operator or term '%.*s' (terms are joined by AND)", lx.p,
                      (int)strcspn(lx.p, " \t"));
            break;
        }
        lx.p += 3;
        skip_spaces(&lx);
        if (*lx.p == '\0') {
            rc = fail(&lx, "nothing after '%.*s'", "AND", 3);
            break;
        }
    }
    tsr_logs_filter_cleanup(f);
    return rc;
}

/* ---- reading ---- */

void tsr_log_entry_cleanup(struct tsr_log_entry *e)
{
    free(e->id);
    free(e->type);
    free(e->description);
    free(e->client_id);
    free(e->client_name);
    free(e->ip);
    free(e->user_agent);
    free(e->user_id);
    free(e->user_name);
    free(e->connection);
    free(e->connection_id);
    free(e->details);
    memset(e, 0, sizeof *e);
}

static void cleanup_cb(void *record)
{
    tsr_log_entry_cleanup(record);
}

static int read_entry(tsr_stmt *q, void *record)
{
    struct tsr_log_entry *e = record;
    memset(e, 0, sizeof *e);
    char **text[] = {&e->id,         &e->type,    &e->description, &e->client_id,
                     &e->client_name, &e->ip,     &e->user_agent,  &e->user_id,
                     &e->user_name,  &e->connection, &e->connection_id, &e->details};
    int cols[] = {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    e->date = tsr_stmt_int64(q, 1);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        *text[i] = tsr_stmt_text_dup(q, cols[i]);
        if (*text[i] == NULL) {
            tsr_log_entry_cleanup(e);
            return TSR_ENOMEM;
        }
    }
    return 0;
}

void tsr_logs_free(struct tsr_log_entry *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}

/*
 * The variants of a filter, indexed by the fields it names (1 type, 2
 * user_id, 4 client_id): each binds every field, NULL when absent, and
 * tests only the present ones, so their indexes stay usable.
 */
static const enum tsr_query_id count_q[8] = {
    TSR_Q_LOGS_COUNT,   TSR_Q_LOGS_COUNT_T,  TSR_Q_LOGS_COUNT_U,  TSR_Q_LOGS_COUNT_TU,
    TSR_Q_LOGS_COUNT_C, TSR_Q_LOGS_COUNT_TC, TSR_Q_LOGS_COUNT_UC, TSR_Q_LOGS_COUNT_TUC,
};
static const enum tsr_query_id list_q[8][2] = {
    {TSR_Q_LOGS_LIST_DESC, TSR_Q_LOGS_LIST_ASC},
    {TSR_Q_LOGS_LIST_T_DESC, TSR_Q_LOGS_LIST_T_ASC},
    {TSR_Q_LOGS_LIST_U_DESC, TSR_Q_LOGS_LIST_U_ASC},
    {TSR_Q_LOGS_LIST_TU_DESC, TSR_Q_LOGS_LIST_TU_ASC},
    {TSR_Q_LOGS_LIST_C_DESC, TSR_Q_LOGS_LIST_C_ASC},
    {TSR_Q_LOGS_LIST_TC_DESC, TSR_Q_LOGS_LIST_TC_ASC},
    {TSR_Q_LOGS_LIST_UC_DESC, TSR_Q_LOGS_LIST_UC_ASC},
    {TSR_Q_LOGS_LIST_TUC_DESC, TSR_Q_LOGS_LIST_TUC_ASC},
};

int tsr_logs_list(tsr_store *st, const char *tenant_id, const struct tsr_logs_filter *f,
                  bool ascending, int64_t offset, int64_t limit, struct tsr_log_entry **out,
                  size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    unsigned fields = (f->type ? 1u : 0u) | (f->user_id ? 2u : 0u) | (f->client_id ? 4u : 0u);
    /* This node's queued events first; a writer that does not catch up (logged) leaves a stale read. */
    (void)tsr_event_writer_sync();
    int rc = 0;
    if (total) {
        rc = tsr_rows_count(st, total, count_q[fields], tenant_id, f->type, f->user_id,
                            f->client_id, f->date_min, f->date_max);
        if (rc != 0)
            return rc;
    }
    tsr_stmt *q = NULL;
    rc = tsr_store_q(st, &q, list_q[fields][ascending], tenant_id, f->type, f->user_id,
                     f->client_id, f->date_min, f->date_max, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_entry, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_logs_after(tsr_store *st, const char *tenant_id, const char *from, int64_t take,
                   struct tsr_log_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    (void)tsr_event_writer_sync();
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_LOGS_AFTER, tenant_id, from ? from : "", take);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_entry, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_logs_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_log_entry *out)
{
    memset(out, 0, sizeof *out);
    (void)tsr_event_writer_sync();
    return tsr_rows_one(st, read_entry, out, TSR_Q_LOGS_GET, tenant_id, id);
}

static int set_text(json_t *o, const char *key, const char *v)
{
    if (v == NULL || v[0] == '\0')
        return 0;
    return json_object_set_new(o, key, json_string(v));
}

json_t *tsr_log_entry_json(const struct tsr_log_entry *e)
{
    char date[32];
    tsr_iso8601_ms(e->date, date);
    json_t *o = json_pack("{s:s, s:s, s:s}", "log_id", e->id, "date", date, "type", e->type);
    if (o == NULL)
        return NULL;
    int rc = set_text(o, "description", e->description) |
             set_text(o, "client_id", e->client_id) | set_text(o, "client_name", e->client_name) |
             set_text(o, "ip", e->ip) | set_text(o, "user_agent", e->user_agent) |
             set_text(o, "user_id", e->user_id) | set_text(o, "user_name", e->user_name) |
             set_text(o, "connection", e->connection) |
             set_text(o, "connection_id", e->connection_id);
    json_t *details = e->details ? json_loads(e->details, 0, NULL) : NULL;
    if (json_is_object(details) && json_object_size(details) > 0)
        rc |= json_object_set_new(o, "details", details);
    else
        json_decref(details);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- retention ---- */

int tsr_logs_purge(tsr_store *st, const char *tenant_id, int64_t now_ms, int days,
                   int64_t *deleted)
{
    return tsr_store_q_run(st, deleted, TSR_Q_LOGS_PURGE, tenant_id,
                           now_ms - (int64_t)days * DAY_MS);
}

/*
 * When each tenant was last purged by this process: a fixed table without
 * allocation; when full, the slot purged longest ago is reused (that
 * tenant is then purged again sooner, which is harmless).
 */
#define PURGE_SLOTS 64
static struct {
    char tenant_id[64];
    int64_t at;
} purged[PURGE_SLOTS];
static pthread_mutex_t purged_lock = PTHREAD_MUTEX_INITIALIZER;

static bool purge_due(const char *tenant_id, int64_t now_ms)
{
    if (strlen(tenant_id) >= sizeof purged[0].tenant_id)
        return true;
    bool due = true;
    pthread_mutex_lock(&purged_lock);
    size_t slot = 0;
    for (size_t i = 0; i < PURGE_SLOTS; i++) {
        if (strcmp(purged[i].tenant_id, tenant_id) == 0) {
            slot = i;
            due = now_ms - purged[i].at >= TSR_LOGS_PURGE_INTERVAL_MS || now_ms < purged[i].at;
            break;
        }
        if (purged[i].at < purged[slot].at)
            slot = i;
    }
    if (due) {
        snprintf(purged[slot].tenant_id, sizeof purged[slot].tenant_id, "%s", tenant_id);
        purged[slot].at = now_ms;
    }
    pthread_mutex_unlock(&purged_lock);
    return due;
}

bool tsr_logs_maybe_purge(tsr_store *st, const char *tenant_id, int64_t now_ms)
{
    if (!purge_due(tenant_id, now_ms))
        return false;
    int64_t deleted = 0;
    if (tsr_logs_purge(st, tenant_id, now_ms, TSR_LOGS_RETENTION_DAYS, &deleted) != 0)
        tsr_log(TSR_LOG_WARN, "event log retention failed",
                json_pack("{s:s, s:s}", "tenant_id", tenant_id, "store", tsr_store_errmsg(st)));
    else if (deleted > 0)
        tsr_log(TSR_LOG_INFO, "event log retention",
                json_pack("{s:s, s:I}", "tenant_id", tenant_id, "deleted", (json_int_t)deleted));
    return true;
}

void tsr_logs_purge_reset(void)
{
    pthread_mutex_lock(&purged_lock);
    memset(purged, 0, sizeof purged);
    pthread_mutex_unlock(&purged_lock);
}
