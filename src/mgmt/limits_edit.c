#include "mgmt/limits_edit.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/tenant_set.h"
#include "util/err.h"
#include "util/strlist.h"

void tsr_mgmt_limits_init(struct tsr_mgmt_limits *e, const struct tsr_req *req)
{
    memset(e, 0, sizeof *e);
    e->l = req->tenant->limits;
}

void tsr_mgmt_limits_cleanup(struct tsr_mgmt_limits *e)
{
    tsr_tenant_limits_cleanup(&e->values);
}

bool tsr_mgmt_limits_set(struct tsr_mgmt_reader *rd, const char *prop, struct tsr_mgmt_limits *e,
                         int k, const char *text)
{
    char why[192];
    if (tsr_tl_parse(&e->l, k, text, why, sizeof why) != 0)
        return tsr_mgmt_fail(rd, prop, "%s", why);
    char *copy = strdup(text);
    if (copy == NULL)
        return tsr_mgmt_fail(rd, prop, "Out of memory");
    free(e->values.value[k]);
    e->values.value[k] = copy;
    e->set[k] = true;
    return true;
}

void tsr_mgmt_limits_unset(struct tsr_mgmt_limits *e, const struct tsr_req *req, int k)
{
    tsr_tl_copy(&e->l, &req->app->settings.limits, k);
    free(e->values.value[k]);
    e->values.value[k] = NULL;
    e->set[k] = true;
}

bool tsr_mgmt_limits_changed(const struct tsr_mgmt_limits *e)
{
    for (int k = 0; k < TSR_TL_COUNT; k++)
        if (e->set[k])
            return true;
    return false;
}

bool tsr_mgmt_limits_differ(struct tsr_req *req, const struct tsr_mgmt_limits *e)
{
    if (!tsr_mgmt_limits_changed(e))
        return false;
    struct tsr_tenant_limits stored;
    if (tsr_tenant_limits_load(req->store, req->tenant->t.id, &stored) != 0)
        return true;
    bool differ = false;
    for (int k = 0; !differ && k < TSR_TL_COUNT; k++) {
        const char *a = e->values.value[k];
        const char *b = stored.value[k];
        differ = e->set[k] && ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0));
    }
    tsr_tenant_limits_cleanup(&stored);
    return differ;
}

int tsr_mgmt_limits_write(struct tsr_req *req, const struct tsr_mgmt_limits *e)
{
    int rc = tsr_tenant_limits_write(req->store, req->tenant->t.id, &e->values, e->set);
    return rc == 0 ? tsr_tenant_touch(req->store, req->tenant->t.id) : rc;
}

json_t *tsr_mgmt_cidr_json(const struct tsr_cidr *nets, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        char text[64];
        tsr_cidr_format(&nets[i], text, sizeof text);
        if (json_array_append_new(arr, json_string(text)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

char *tsr_mgmt_join_commas(const struct tsr_strlist *l)
{
    char *text = tsr_strlist_join(l);
    for (char *p = text; p != NULL && *p != '\0'; p++)
        if (*p == ' ')
            *p = ','; /* items hold no blanks: readers checked them */
    return text;
}

bool tsr_mgmt_limits_read_allowlist(struct tsr_mgmt_reader *rd, const char *name,
                                    struct tsr_mgmt_limits *e, int k)
{
    struct tsr_strlist list = {0};
    if (!tsr_mgmt_has(rd, name))
        return !rd->failed;
    bool ok = tsr_mgmt_read_strlist(rd, name, TSR_LIMITS_MAX_ALLOW, 64, NULL, &list);
    char *text = NULL;
    if (ok) {
        /* Items are checked one by one first, so that a 400 names the one at fault. */
        for (size_t i = 0; ok && i < list.n; i++) {
            struct tsr_cidr net;
            size_t one = 0;
            char why[160];
            if (strchr(list.v[i], ',') != NULL || strchr(list.v[i], ' ') != NULL ||
                tsr_cidr_parse_list(list.v[i], &net, 1, &one, why, sizeof why) != 0 || one != 1)
                ok = tsr_mgmt_fail(rd, name,
                                   "%s[%zu] is not an IPv4 or IPv6 address or CIDR "
                                   "network with its host bits zero",
                                   name, i);
        }
        text = ok ? tsr_mgmt_join_commas(&list) : NULL;
        if (ok && text == NULL)
            ok = tsr_mgmt_fail(rd, name, "Out of memory");
    }
    if (ok)
        ok = tsr_mgmt_limits_set(rd, name, e, k, text);
    free(text);
    tsr_strlist_cleanup(&list);
    return ok;
}
