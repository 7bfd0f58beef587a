/*
 * common.c - what the Management API resources share: paging and list
 * responses, storage errors as responses, and the body readers declared
 * in common.h.
 */
#include "mgmt/common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/response.h"
#include "core/input.h"
#include "core/update_refusal.h"
#include "mgmt/mgmt.h"
#include "util/err.h"
#include "util/log.h"

#define PAGE_MAX INT32_MAX
#define PER_PAGE_MAX 100
#define PER_PAGE_DEFAULT 50
#define TAKE_MAX 100
#define TAKE_DEFAULT 50

/* ---- paging ---- */

void tsr_mgmt_query_error(struct tsr_req *req, const char *name, const char *desc,
                          const char *what)
{
    tsr_resp_mgmt_error(req, 400, "invalid_query_string",
                        "Query validation error: '%s' on property %s (%s).", what, name, desc);
}

/* Reads an integer query argument into *out (left alone when absent). */
static bool query_int(struct tsr_req *req, const char *name, const char *desc, int64_t min,
                      int64_t max, int64_t *out)
{
    const char *s = tsr_req_query(req, name);
    if (s == NULL)
        return true;
    char msg[160];
    const char *p = (*s == '-') ? s + 1 : s;
    bool digits = *p != '\0' && strspn(p, "0123456789") == strlen(p) && strlen(p) <= 18;
    if (!digits) {
        tsr_mgmt_query_error(req, name, desc, "Expected type integer but found type string");
        return false;
    }
    int64_t v = strtoll(s, NULL, 10);
    if (v < min || v > max) {
        snprintf(msg, sizeof msg, "Value %" PRId64 " is %s %s %" PRId64, v,
                 v < min ? "less than" : "greater than", v < min ? "minimum" : "maximum",
                 v < min ? min : max);
        tsr_mgmt_query_error(req, name, desc, msg);
        return false;
    }
    *out = v;
    return true;
}

bool tsr_mgmt_paging_read(struct tsr_req *req, struct tsr_mgmt_paging *p)
{
    p->page = 0;
    p->per_page = PER_PAGE_DEFAULT;
    p->include_totals = false;
    if (!tsr_mgmt_fields_check(req) ||
        !query_int(req, "page", "Page index of the results to return. First page is 0.", 0,
                   PAGE_MAX, &p->page) ||
        !query_int(req, "per_page", "Number of results per page.", 1, PER_PAGE_MAX, &p->per_page))
        return false;
    const char *t = tsr_req_query(req, "include_totals");
    if (t == NULL)
        return true;
    if (strcmp(t, "true") != 0 && strcmp(t, "false") != 0) {
        tsr_mgmt_query_error(req, "include_totals",
                    "Return results inside an object that contains the total result count "
                    "(true) or as a direct array of results (false, default).",
                    "Expected type boolean but found type string");
        return false;
    }
    p->include_totals = strcmp(t, "true") == 0;
    return true;
}

bool tsr_mgmt_fields_check(struct tsr_req *req)
{
    const char *inc = tsr_req_query(req, "include_fields");
    if (inc == NULL || strcmp(inc, "true") == 0 || strcmp(inc, "false") == 0)
        return true;
    tsr_mgmt_query_error(req, "include_fields",
                "Whether specified fields are to be included (true) or excluded (false).",
                "Expected type boolean but found type string");
    return false;
}

/* True when key is one of the comma-separated names of list. */
static bool field_listed(const char *list, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == k && strncmp(p, key, k) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

static void select_fields(json_t *obj, const char *list, bool include)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(obj, tmp, key, v)
    {
        (void)v;
        if (field_listed(list, key) != include)
            json_object_del(obj, key);
    }
}

void tsr_mgmt_fields_apply(struct tsr_req *req, json_t *v)
{
    const char *list = tsr_req_query(req, "fields");
    if (v == NULL || list == NULL || list[0] == '\0')
        return;
    const char *inc = tsr_req_query(req, "include_fields");
    bool include = inc == NULL || strcmp(inc, "false") != 0;
    if (json_is_object(v)) {
        select_fields(v, list, include);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (json_is_object(item))
            select_fields(item, list, include);
    }
}

void tsr_mgmt_send_item(struct tsr_req *req, json_t *obj)
{
    if (!tsr_mgmt_fields_check(req)) {
        json_decref(obj);
        return;
    }
    tsr_mgmt_fields_apply(req, obj);
    tsr_resp_json(req, 200, obj);
}

bool tsr_mgmt_query_list(struct tsr_req *req, const char *name, const char *desc, size_t max,
                         struct tsr_strlist *out)
{
    int rc = tsr_req_query_all(req, name, max, out);
    if (rc == TSR_ETOOBIG) {
        char msg[64];
        snprintf(msg, sizeof msg, "Array is too long, maximum %zu", max);
        tsr_mgmt_query_error(req, name, desc, msg);
    } else if (rc != 0) {
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
    }
    return rc == 0;
}

bool tsr_mgmt_is_checkpoint(struct tsr_req *req)
{
    return tsr_req_query(req, "from") != NULL || tsr_req_query(req, "take") != NULL;
}

bool tsr_mgmt_take_read(struct tsr_req *req, int64_t *take)
{
    *take = TAKE_DEFAULT;
    return tsr_mgmt_fields_check(req) &&
           query_int(req, "take", "Number of results per page. Defaults to 50.", 1, TAKE_MAX,
                     take);
}

void tsr_mgmt_send_checkpoint(struct tsr_req *req, const char *key, json_t *items,
                              const char *next)
{
    tsr_mgmt_fields_apply(req, items);
    json_t *body = items ? json_pack("{s:o}", key, items) : NULL;
    if (body != NULL && next != NULL && json_object_set_new(body, "next", json_string(next)) != 0) {
        json_decref(body);
        body = NULL;
    }
    tsr_resp_json(req, 200, body);
}

void tsr_mgmt_send_list(struct tsr_req *req, const struct tsr_mgmt_paging *p, const char *key,
                        json_t *items, int64_t total)
{
    tsr_mgmt_fields_apply(req, items);
    if (items == NULL || !p->include_totals) {
        tsr_resp_json(req, 200, items);
        return;
    }
    json_t *body =
        json_pack("{s:I, s:I, s:I, s:I, s:o}", "start", (json_int_t)(p->page * p->per_page),
                  "limit", (json_int_t)p->per_page, "length", (json_int_t)json_array_size(items),
                  "total", (json_int_t)total, key, items);
    tsr_resp_json(req, 200, body);
}

void tsr_mgmt_send_not_found(struct tsr_req *req, const char *what)
{
    char words[64];
    snprintf(words, sizeof words, "%s", what);
    for (char *c = words; *c; c++)
        if (*c == '_')
            *c = ' ';
    char code[80];
    snprintf(code, sizeof code, "inexistent_%s", what);
    tsr_resp_mgmt_error(req, 404, code, "The %s does not exist", words);
}

void tsr_mgmt_send_forbidden(struct tsr_req *req, const char *message)
{
    tsr_resp_mgmt_error(req, 403, "operation_not_supported", "%s", message);
}

void tsr_mgmt_send_store_error(struct tsr_req *req, int rc, const char *what)
{
    if (rc == TSR_ENOTFOUND) {
        tsr_mgmt_send_not_found(req, what);
        return;
    }
    if (rc == TSR_ECONFLICT) {
        tsr_resp_mgmt_error(req, 409, "conflict", "The %s already exists", what);
        return;
    }
    json_t *fields =
        json_pack("{s:s, s:s, s:s, s:s}", "request_id", req->request_id, "what", what, "error",
                  tsr_errname(rc), "store", req->store ? tsr_store_errmsg(req->store) : "");
    tsr_log(TSR_LOG_ERROR, "management API storage failure", fields);
    tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
}

/* ---- body readers ---- */

json_t *tsr_mgmt_body(struct tsr_req *req)
{
    char err[256];
    json_t *body = NULL;
    if (tsr_req_json_body(req, &body, err, sizeof err) != 0) {
        tsr_resp_mgmt_error(req, 400, "invalid_body", "%s", err);
        return NULL;
    }
    return body;
}

static const struct tsr_mgmt_prop *find_prop(const struct tsr_mgmt_prop *props, const char *name)
{
    size_t len = strcspn(name, "[.");
    for (const struct tsr_mgmt_prop *p = props; p->name; p++)
        if (strlen(p->name) == len && strncmp(p->name, name, len) == 0)
            return p;
    return NULL;
}

/* Sends "Payload validation error: '<msg>'[ on property <path>][ (<desc>)]." */
static bool fail_path(struct tsr_mgmt_reader *rd, const char *name, const char *msg)
{
    if (rd->failed)
        return false;
    rd->failed = true;
    char on[512] = "";
    if (name != NULL || rd->prefix[0] != '\0') {
        const struct tsr_mgmt_prop *p = name ? find_prop(rd->props, name) : NULL;
        snprintf(on, sizeof on, " on property %s%s%s%s%s%s", rd->prefix,
                 (name && rd->prefix[0]) ? "." : "", name ? name : "", (p && p->desc) ? " (" : "",
                 (p && p->desc) ? p->desc : "", (p && p->desc) ? ")" : "");
    }
    tsr_resp_mgmt_error(rd->req, 400, "invalid_body", "Payload validation error: '%s'%s.", msg, on);
    return false;
}

bool tsr_mgmt_fail(struct tsr_mgmt_reader *rd, const char *name, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail_path(rd, name, msg);
}

bool tsr_mgmt_reader_start(struct tsr_mgmt_reader *rd, struct tsr_req *req, const json_t *body,
                           const struct tsr_mgmt_prop *props, const char *prefix)
{
    rd->req = req;
    rd->body = body;
    rd->props = props;
    rd->prefix = prefix ? prefix : "";
    rd->failed = false;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        bool known = false;
        for (const struct tsr_mgmt_prop *p = props; p->name && !known; p++)
            known = strcmp(p->name, key) == 0;
        if (!known) {
            char msg[320];
            snprintf(msg, sizeof msg, "Additional properties not allowed: %s", key);
            return fail_path(rd, NULL, msg);
        }
    }
    return true;
}

bool tsr_mgmt_has(const struct tsr_mgmt_reader *rd, const char *name)
{
    return json_object_get(rd->body, name) != NULL;
}

bool tsr_mgmt_require(struct tsr_mgmt_reader *rd, const char *name)
{
    if (rd->failed)
        return false;
    if (tsr_mgmt_has(rd, name))
        return true;
    char msg[320];
    snprintf(msg, sizeof msg, "Missing required property: %s", name);
    return fail_path(rd, NULL, msg);
}

const char *tsr_mgmt_type_name(const json_t *v)
{
    return tsr_patch_type_name(v);
}

/* JSON_TRUE stands for "a boolean". */
static bool has_type(const json_t *v, json_type type)
{
    if (type == JSON_TRUE)
        return json_is_boolean(v);
    return json_typeof(v) == type;
}

static bool check_type(struct tsr_mgmt_reader *rd, const char *what, const json_t *v,
                       json_type type)
{
    if (has_type(v, type))
        return true;
    return tsr_mgmt_fail(rd, what, "Expected type %s but found type %s",
                         tsr_patch_json_type_name(type), tsr_mgmt_type_name(v));
}

const json_t *tsr_mgmt_get(struct tsr_mgmt_reader *rd, const char *name, json_type type)
{
    if (rd->failed)
        return NULL;
    const json_t *v = json_object_get(rd->body, name);
    if (v == NULL || !check_type(rd, name, v, type))
        return NULL;
    return v;
}

bool tsr_mgmt_check_string(struct tsr_mgmt_reader *rd, const char *what, const json_t *v,
                           size_t min, size_t max)
{
    struct tsr_refusal why;
    if (rd->failed || !check_type(rd, what, v, JSON_STRING))
        return false;
    if (tsr_patch_check_string(what, json_string_value(v), json_string_length(v), min, max, &why) !=
        0)
        return tsr_mgmt_fail(rd, what, "%s", why.message);
    return true;
}

static bool replace_str(struct tsr_mgmt_reader *rd, char **dst, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL) {
        rd->failed = true;
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
        return false;
    }
    free(*dst);
    *dst = copy;
    return true;
}

bool tsr_mgmt_read_string(struct tsr_mgmt_reader *rd, const char *name, size_t min, size_t max,
                          char **dst)
{
    if (rd->failed)
        return false;
    const json_t *v = json_object_get(rd->body, name);
    if (v == NULL)
        return true;
    if (!tsr_mgmt_check_string(rd, name, v, min, max))
        return false;
    return replace_str(rd, dst, json_string_value(v));
}

bool tsr_mgmt_in(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(s, *values) == 0)
            return true;
    return false;
}

bool tsr_mgmt_read_enum(struct tsr_mgmt_reader *rd, const char *name, const char *const *values,
                        char **dst)
{
    const json_t *v = tsr_mgmt_get(rd, name, JSON_STRING);
    if (v == NULL)
        return !rd->failed;
    const char *s = json_string_value(v);
    if (!tsr_mgmt_in(s, values))
        return tsr_mgmt_fail(rd, name, "No enum match for: \"%.100s\"", s);
    return replace_str(rd, dst, s);
}

bool tsr_mgmt_read_bool(struct tsr_mgmt_reader *rd, const char *name, bool *dst)
{
    const json_t *v = tsr_mgmt_get(rd, name, JSON_TRUE);
    if (v != NULL)
        *dst = json_is_true(v);
    return !rd->failed;
}

bool tsr_mgmt_read_int(struct tsr_mgmt_reader *rd, const char *name, int64_t min, int64_t max,
                       int64_t *dst)
{
    const json_t *v = tsr_mgmt_get(rd, name, JSON_INTEGER);
    if (v == NULL)
        return !rd->failed;
    int64_t n = (int64_t)json_integer_value(v);
    if (n < min)
        return tsr_mgmt_fail(rd, name, "Value %" PRId64 " is less than minimum %" PRId64, n, min);
    if (n > max)
        return tsr_mgmt_fail(rd, name, "Value %" PRId64 " is greater than maximum %" PRId64, n,
                             max);
    *dst = n;
    return true;
}

static bool list_item_ok(struct tsr_mgmt_reader *rd, const char *name, const json_t *arr, size_t i,
                         size_t max_len, const char *const *values)
{
    char what[128];
    snprintf(what, sizeof what, "%s[%zu]", name, i);
    const json_t *item = json_array_get(arr, i);
    if (!tsr_mgmt_check_string(rd, what, item, 1, max_len))
        return false;
    const char *s = json_string_value(item);
    if (values != NULL && !tsr_mgmt_in(s, values))
        return tsr_mgmt_fail(rd, what, "No enum match for: \"%.100s\"", s);
    return true;
}

bool tsr_mgmt_read_strlist(struct tsr_mgmt_reader *rd, const char *name, size_t max_items,
                           size_t max_len, const char *const *values, struct tsr_strlist *dst)
{
    const json_t *arr = tsr_mgmt_get(rd, name, JSON_ARRAY);
    if (arr == NULL)
        return !rd->failed;
    size_t n = json_array_size(arr);
    if (n > max_items)
        return tsr_mgmt_fail(rd, name, "Array is too long (%zu), maximum %zu", n, max_items);
    for (size_t i = 0; i < n; i++)
        if (!list_item_ok(rd, name, arr, i, max_len, values))
            return false;
    struct tsr_strlist l = {0};
    struct tsr_refusal why;
    if (tsr_strlist_from_json(&l, arr) != 0) {
        tsr_strlist_cleanup(&l);
        rd->failed = true;
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
        return false;
    }
    if (tsr_patch_check_unique(name, (const char *const *)l.v, l.n, &why) != 0) {
        tsr_strlist_cleanup(&l);
        return tsr_mgmt_fail(rd, name, "%s", why.message);
    }
    tsr_strlist_cleanup(dst);
    *dst = l;
    return true;
}

void tsr_mgmt_items_add(json_t **items, json_t *item)
{
    if (*items != NULL && (item == NULL || json_array_append_new(*items, item) != 0)) {
        json_decref(*items);
        *items = NULL;
        return;
    }
    if (*items == NULL)
        json_decref(item);
}

bool tsr_mgmt_read_ids(struct tsr_mgmt_reader *rd, const char *name, size_t max_items,
                       size_t max_len, struct tsr_strlist *ids)
{
    if (!tsr_mgmt_require(rd, name) ||
        !tsr_mgmt_read_strlist(rd, name, max_items, max_len, NULL, ids))
        return false;
    if (ids->n == 0)
        return tsr_mgmt_fail(rd, name, "Array must hold 1 to %zu items", max_items);
    return true;
}

bool tsr_mgmt_unchanged(const json_t *before, json_t *after)
{
    bool same = before != NULL && after != NULL && json_equal(before, after);
    json_decref(after);
    return same;
}
