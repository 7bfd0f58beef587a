/*
 * logs.c - /api/v2/logs, /api/v2/logs/{id} and /api/v2/users/{id}/logs:
 * the tenant's event log as Auth0 shows it (core/logs.h), searched with a
 * Lucene subset in q and paged by page/per_page or by checkpoint
 * (from/take).  Listing also applies the retention (at most once a minute
 * per tenant).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logs.h"
#include "http/response.h"
#include "mgmt/mgmt.h"
#include "util/err.h"

#define TAKE_DEFAULT 50
#define TAKE_MAX 100

static const char Q_DESC[] = "Query in Lucene query string syntax";

/* sort: date:-1 (default, newest first) or date:1.  Sends 400 and returns false otherwise. */
static bool read_sort(struct tsr_req *req, bool *ascending)
{
    const char *s = tsr_req_query(req, "sort");
    *ascending = false;
    if (s == NULL || s[0] == '\0' || strcmp(s, "date:-1") == 0)
        return true;
    if (strcmp(s, "date:1") == 0) {
        *ascending = true;
        return true;
    }
    tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                        "Query validation error: 'String does not match pattern ^date:(1|-1)$' on "
                        "property sort (Field to use for sorting appended with `:1` for "
                        "ascending and `:-1` for descending. e.g. `date:-1`).");
    return false;
}

/* The names listed in fields, and whether they are kept (include_fields) or dropped. */
struct field_sel {
    char *list; /* ",a,b," or NULL: every field */
    bool include;
};

static bool read_fields(struct tsr_req *req, struct field_sel *fs)
{
    fs->list = NULL;
    fs->include = true;
    const char *inc = tsr_req_query(req, "include_fields");
    if (inc != NULL) {
        if (strcmp(inc, "true") != 0 && strcmp(inc, "false") != 0) {
            tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                                "Query validation error: 'Expected type boolean but found type "
                                "string' on property include_fields (Whether specified fields "
                                "are to be included (true) or excluded (false)).");
            return false;
        }
        fs->include = strcmp(inc, "true") == 0;
    }
    const char *f = tsr_req_query(req, "fields");
    if (f == NULL || f[0] == '\0')
        return true;
    size_t n = strlen(f);
    fs->list = malloc(n + 3);
    if (fs->list == NULL) {
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
        return false;
    }
    snprintf(fs->list, n + 3, ",%s,", f);
    return true;
}

static bool listed(const struct field_sel *fs, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = fs->list; (p = strstr(p, key)) != NULL; p++)
        if (p[-1] == ',' && p[k] == ',')
            return true;
    return false;
}

/* The entry's JSON with fields applied; NULL when out of memory. */
static json_t *entry_json(const struct tsr_log_entry *e, const struct field_sel *fs)
{
    json_t *o = tsr_log_entry_json(e);
    if (o == NULL || fs->list == NULL)
        return o;
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(o, tmp, key, v)
    {
        (void)v;
        if (listed(fs, key) != fs->include)
            json_object_del(o, key);
    }
    return o;
}

static json_t *entries_json(const struct tsr_log_entry *list, size_t n, const struct field_sel *fs)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, entry_json(&list[i], fs));
    return items;
}

/* take: 1..100, default 50.  Sends 400 and returns false otherwise. */
static bool read_take(struct tsr_req *req, int64_t *take)
{
    const char *s = tsr_req_query(req, "take");
    *take = TAKE_DEFAULT;
    if (s == NULL)
        return true;
    bool digits = s[0] != '\0' && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 9;
    long v = digits ? strtol(s, NULL, 10) : 0;
    if (!digits || v < 1 || v > TAKE_MAX) {
        tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                            "Query validation error: 'Expected an integer from 1 to %d' on "
                            "property take (Number of entries to retrieve when using the from "
                            "parameter).",
                            TAKE_MAX);
        return false;
    }
    *take = v;
    return true;
}

/*
 * Checkpoint paging, as Auth0 does it: the entries after from in log_id
 * order (oldest first), a bare array, every other parameter ignored, and
 * a Link header whose rel="next" continues after the last entry returned.
 */
static void list_after(struct tsr_req *req, const struct field_sel *fs)
{
    const char *from = tsr_req_query(req, "from");
    int64_t take;
    if (!read_take(req, &take))
        return;
    struct tsr_log_entry *list = NULL;
    size_t n = 0;
    int rc = tsr_logs_after(req->store, req->tenant->t.id, from, take, &list, &n);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "log");
        return;
    }
    const char *next = n > 0 ? list[n - 1].id : (from ? from : "");
    char link[256];
    /* Ids are letters and digits only; anything else a client sent is not echoed back. */
    if (strlen(next) < 120 && strspn(next, "0123456789abcdefghijklmnopqrstuvwxyz"
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(next)) {
        snprintf(link, sizeof link, "</api/v2/logs?from=%s&take=%lld>; rel=\"next\"", next,
                 (long long)take);
        tsr_resp_header(req, "Link", link);
    }
    json_t *items = entries_json(list, n, fs);
    tsr_logs_free(list, n);
    tsr_resp_json(req, 200, items);
}

/* Offset paging over the entries matching f. */
static void list_pages(struct tsr_req *req, const struct tsr_logs_filter *f,
                       const struct field_sel *fs)
{
    struct tsr_mgmt_paging p;
    bool ascending;
    if (!tsr_mgmt_paging_read(req, &p) || !read_sort(req, &ascending))
        return;
    struct tsr_log_entry *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = tsr_logs_list(req->store, req->tenant->t.id, f, ascending, p.page * p.per_page,
                           p.per_page, &list, &n, p.include_totals ? &total : NULL);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "log");
        return;
    }
    json_t *items = entries_json(list, n, fs);
    tsr_logs_free(list, n);
    tsr_mgmt_send_list(req, &p, "logs", items, total);
}

void tsr_mgmt_logs_list(struct tsr_req *req)
{
    tsr_logs_maybe_purge(req->store, req->tenant->t.id, tsr_logs_now_ms());
    struct field_sel fs;
    if (!read_fields(req, &fs))
        return;
    if (tsr_req_query(req, "from") != NULL || tsr_req_query(req, "take") != NULL) {
        list_after(req, &fs);
        free(fs.list);
        return;
    }
    struct tsr_logs_filter f;
    char err[256];
    int rc = tsr_logs_parse_q(tsr_req_query(req, "q"), &f, err, sizeof err);
    if (rc == TSR_EINVAL)
        tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                            "Query validation error: '%s' on property q (%s).", err, Q_DESC);
    else if (rc != 0)
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
    else
        list_pages(req, &f, &fs);
    tsr_logs_filter_cleanup(&f);
    free(fs.list);
}

void tsr_mgmt_user_logs_list(struct tsr_req *req)
{
    struct field_sel fs = {NULL, true};
    struct tsr_logs_filter f;
    tsr_logs_filter_init(&f);
    f.user_id = (char *)tsr_req_param(req, 0);
    list_pages(req, &f, &fs);
}

void tsr_mgmt_logs_get(struct tsr_req *req)
{
    struct tsr_log_entry e;
    int rc = tsr_logs_get(req->store, req->tenant->t.id, tsr_req_param(req, 0), &e);
    if (rc == TSR_ENOTFOUND) {
        tsr_resp_mgmt_error(req, 404, "inexistent_log", "The log does not exist");
        return;
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "log");
        return;
    }
    json_t *o = tsr_log_entry_json(&e);
    tsr_log_entry_cleanup(&e);
    if (o == NULL)
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
    else
        tsr_resp_json(req, 200, o);
}
