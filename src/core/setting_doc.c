/* setting_doc.c - settings kept as JSON documents (core/setting_doc.h). */
#include "core/setting_doc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/queries.h"
#include "util/clock.h"
#include "util/err.h"

static bool name_ok(const char *name)
{
    size_t n = name == NULL ? 0 : strlen(name);
    if (n == 0 || n > TSR_SETTING_DOC_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '/' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

int tsr_setting_doc_get(tsr_store *st, const char *tenant_id, const char *name, json_t **out,
                        int64_t *updated_at)
{
    tsr_stmt *q = NULL;
    *out = NULL;
    if (!name_ok(name))
        return TSR_EINVAL;
    int rc = tsr_store_q(st, &q, TSR_Q_SETTING_DOC_GET, tenant_id, name);
    if (rc == 0) {
        int step = tsr_stmt_step(q);
        if (step == TSR_STORE_ROW) {
            const char *text = tsr_stmt_text(q, 0);
            json_t *v = text == NULL ? NULL : json_loads(text, 0, NULL);
            if (!json_is_object(v)) {
                json_decref(v);
                rc = TSR_EFORMAT;
            } else {
                *out = v;
                if (updated_at != NULL)
                    *updated_at = tsr_stmt_int64(q, 1);
            }
        } else {
            rc = step == TSR_STORE_DONE ? TSR_ENOTFOUND : step;
        }
    }
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_setting_doc_put(tsr_store *st, const char *tenant_id, const char *name, const json_t *body,
                        bool *changed)
{
    *changed = false;
    if (!name_ok(name) || !json_is_object(body))
        return TSR_EINVAL;
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return TSR_ENOMEM;
    int rc = 0;
    if (strlen(text) > TSR_SETTING_DOC_BODY_MAX) {
        rc = TSR_ETOOBIG;
        goto out;
    }
    json_t *old = NULL;
    rc = tsr_setting_doc_get(st, tenant_id, name, &old, NULL);
    bool same = rc == 0 && json_equal(old, body);
    json_decref(old);
    if (rc != 0 && rc != TSR_ENOTFOUND && rc != TSR_EFORMAT)
        goto out;
    rc = 0;
    if (same)
        goto out;
    rc = tsr_store_q_run(st, NULL, TSR_Q_SETTING_DOC_PUT, tenant_id, name, text,
                         (int64_t)tsr_clock_now());
    *changed = rc == 0;
out:
    free(text);
    return rc;
}
