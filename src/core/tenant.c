#include "core/tenant.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"
#include "util/url.h"

void tsr_tenant_cleanup(struct tsr_tenant *t)
{
    free(t->id);
    free(t->issuer);
    free(t->name);
    free(t->friendly_name);
    free(t->default_audience);
    free(t->default_directory);
    tsr_strlist_cleanup(&t->allowed_logout_urls);
    free(t->logo_url);
    free(t->primary_color);
    memset(t, 0, sizeof *t);
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_tenant *t = record;
    memset(t, 0, sizeof *t);
    t->id = tsr_stmt_text_dup(q, 0);
    t->issuer = tsr_stmt_text_dup(q, 1);
    t->friendly_name = tsr_stmt_text_dup(q, 2);
    t->default_audience = tsr_stmt_text_dup(q, 3);
    t->is_default = tsr_stmt_int64(q, 4) != 0;
    t->created_at = tsr_stmt_int64(q, 5);
    t->session_lifetime = tsr_stmt_int64(q, 6);
    t->idle_session_lifetime = tsr_stmt_int64(q, 7);
    t->logo_url = tsr_stmt_text_dup(q, 9);
    t->default_directory = tsr_stmt_text_dup(q, 11);
    t->primary_color = tsr_stmt_text_dup(q, 10);
    t->generation = tsr_stmt_int64(q, 12);
    t->name = tsr_stmt_text_dup(q, 13);
    int rc = 0;
    if (!t->id || !t->name || !t->issuer || !t->friendly_name || !t->default_audience ||
        !t->logo_url || !t->default_directory || !t->primary_color)
        rc = TSR_ENOMEM;
    if (rc == 0 && tsr_strlist_from_text(&t->allowed_logout_urls, tsr_stmt_text(q, 8)) != 0)
        rc = TSR_ESTORE;
    if (rc != 0)
        tsr_tenant_cleanup(t);
    return rc;
}

static void cleanup_cb(void *record)
{
    tsr_tenant_cleanup(record);
}

int tsr_tenant_list(tsr_store *st, struct tsr_tenant **out, size_t *n)
{
    tsr_stmt *q = NULL;
    *out = NULL;
    *n = 0;
    int rc = tsr_store_q(st, &q, TSR_Q_TENANT_LIST);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

void tsr_tenant_list_free(struct tsr_tenant *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}

int tsr_tenant_insert(tsr_store *st, struct tsr_tenant *t)
{
    char id[TSR_TENANT_ID_LEN + 1];
    int rc = tsr_random_alnum(id, TSR_TENANT_ID_LEN);
    if (rc != 0)
        return rc;
    int64_t now = tsr_clock_now();
    rc = tsr_store_q_run(st, NULL, TSR_Q_TENANT_INSERT, id, t->name ? t->name : id, t->issuer,
                         t->friendly_name ? t->friendly_name : "",
                         t->default_audience ? t->default_audience : "", (int64_t)t->is_default,
                         now, now);
    if (rc != 0)
        return rc;
    t->id = strdup(id);
    t->created_at = now;
    return t->id ? 0 : TSR_ENOMEM;
}

int tsr_tenant_update_settings(tsr_store *st, const struct tsr_tenant *t)
{
    char *urls = tsr_strlist_to_text(&t->allowed_logout_urls);
    if (urls == NULL)
        return TSR_ENOMEM;
    int rc =
        tsr_rows_change(st, TSR_Q_TENANT_UPDATE_SETTINGS, t->friendly_name, t->default_audience,
                        t->default_directory, t->session_lifetime, t->idle_session_lifetime, urls,
                        t->logo_url, t->primary_color, tsr_clock_now(), t->id);
    free(urls);
    return rc;
}

int tsr_tenant_delete(tsr_store *st, const char *id)
{
    int rc = tsr_store_begin(st);
    if (rc != 0)
        return rc;
    /*
     * The generation check compares sums: without the advance, a deletion
     * and a creation in the same second could leave the sum unchanged.
     */
    if ((rc = tsr_rows_change(st, TSR_Q_TENANT_DELETE_ADVANCE, id)) == 0)
        rc = tsr_rows_change(st, TSR_Q_TENANT_DELETE, id);
    if (rc == 0)
        rc = tsr_store_commit(st);
    if (rc != 0)
        tsr_store_rollback(st);
    return rc;
}

int tsr_issuer_split(const char *issuer, char *host, size_t hostsz, char *prefix, size_t prefixsz)
{
    struct tsr_url u;
    if (tsr_url_split(issuer, &u) != 0 || !u.authority.present)
        return TSR_EINVAL;
    const char *p = u.authority.p;
    size_t hlen = u.authority.n;
    if (hlen == 0 || hlen >= hostsz)
        return TSR_EINVAL;
    for (size_t i = 0; i < hlen; i++)
        host[i] = (char)tolower((unsigned char)p[i]);
    host[hlen] = '\0';
    const char *path = p + hlen; /* the path and anything after it, as written */
    if (*path == '\0')
        path = "/";
    if (strlen(path) >= prefixsz)
        return TSR_EINVAL;
    strcpy(prefix, path);
    return 0;
}

/* True when the path a starts with the path b, both ending with '/'. */
static bool path_within(const char *a, const char *b)
{
    return strncmp(a, b, strlen(b)) == 0;
}

const char *tsr_tenant_issuer_clash(const struct tsr_tenant *list, size_t n, const char *issuer)
{
    char host[256], prefix[512], h[256], p[512];
    if (tsr_issuer_split(issuer, host, sizeof host, prefix, sizeof prefix) != 0)
        return "the issuer is not a URL with a host";
    for (size_t i = 0; i < n; i++) {
        if (tsr_issuer_split(list[i].issuer, h, sizeof h, p, sizeof p) != 0 ||
            strcmp(h, host) != 0)
            continue;
        if (strcmp(p, prefix) == 0)
            return "another tenant has this host and path";
        bool nested = strcmp(p, "/") != 0 && strcmp(prefix, "/") != 0 &&
                      (path_within(prefix, p) || path_within(p, prefix));
        if (nested)
            return "the path is inside another tenant's path, or around one";
    }
    return NULL;
}
