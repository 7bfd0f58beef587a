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
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/clock.h"
#include "util/err.h"

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

static json_t *entries_json(const struct tsr_log_entry *list, size_t n)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, tsr_log_entry_json(&list[i]));
    return items;
}

/*
 * Checkpoint paging, as Auth0 does it: the entries after from in log_id
 * order (oldest first), a bare array, every other parameter ignored, and
 * a Link header whose rel="next" continues after the last entry returned.
 */
static void list_after(struct tsr_req *req)
{
    const char *from = tsr_req_query(req, "from");
    int64_t take;
    if (!tsr_mgmt_take_read(req, &take))
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
    json_t *items = entries_json(list, n);
    tsr_logs_free(list, n);
    tsr_mgmt_send_item(req, items);
}

/* Offset paging over the entries matching f. */
static void list_pages(struct tsr_req *req, const struct tsr_logs_filter *f)
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
    json_t *items = entries_json(list, n);
    tsr_logs_free(list, n);
    tsr_mgmt_send_list(req, &p, "logs", items, total);
}

void tsr_mgmt_logs_list(struct tsr_req *req)
{
    tsr_logs_maybe_purge(req->store, req->tenant->t.id, tsr_clock_now_ms());
    if (tsr_mgmt_is_checkpoint(req)) {
        list_after(req);
        return;
    }
    struct tsr_logs_filter f;
    char err[256];
    /* node-auth0 names the query `search`; Auth0 answers both names. */
    const char *q = tsr_req_query(req, "q");
    int rc = tsr_logs_parse_q(q ? q : tsr_req_query(req, "search"), &f, err, sizeof err);
    if (rc == TSR_EINVAL)
        tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                            "Query validation error: '%s' on property q (%s).", err, Q_DESC);
    else if (rc != 0)
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
    else
        list_pages(req, &f);
    tsr_logs_filter_cleanup(&f);
}

void tsr_mgmt_user_logs_list(struct tsr_req *req)
{
    struct tsr_logs_filter f;
    tsr_logs_filter_init(&f);
    f.user_id = (char *)tsr_req_param(req, 0);
    list_pages(req, &f);
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
    tsr_mgmt_send_item(req, o);
}
