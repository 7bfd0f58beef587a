#include "core/rbac.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/api.h"
#include "core/rows.h"
#include "core/update_refusal.h"
#include "util/clock.h"
#include "util/err.h"

static int read_name(tsr_stmt *q, void *record)
{
    return tsr_strlist_push(record, tsr_stmt_text(q, 0) ? tsr_stmt_text(q, 0) : "");
}

int tsr_rbac_user_permissions(tsr_store *st, const char *tenant_id, const char *user_id,
                              const char *audience, struct tsr_strlist *out)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_RBAC_USER_PERMISSIONS, tenant_id, user_id, audience,
                         tenant_id, user_id, audience);
    while (rc == 0 && (rc = tsr_stmt_step(q)) == TSR_STORE_ROW)
        rc = read_name(q, out);
    tsr_stmt_finalize(q);
    if (rc != TSR_STORE_DONE) {
        tsr_strlist_cleanup(out);
        return rc == 0 ? TSR_ESTORE : rc;
    }
    return 0;
}

void tsr_permission_cleanup(void *record)
{
    struct tsr_permission *p = record;
    free(p->audience);
    free(p->permission);
}

int tsr_permission_read(tsr_stmt *q, void *record)
{
    struct tsr_permission *p = record;
    p->audience = tsr_stmt_text_dup(q, 0);
    p->permission = tsr_stmt_text_dup(q, 1);
    if (p->audience == NULL || p->permission == NULL) {
        tsr_permission_cleanup(p);
        return TSR_ENOMEM;
    }
    return 0;
}

void tsr_permission_list_free(struct tsr_permission *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, tsr_permission_cleanup);
}

/* (audience, permission) the user holds, directly or through roles; binds tid, uid, tid, uid. */
int tsr_rbac_list(tsr_store *st, const char *tenant_id, const char *user_id, int64_t offset,
                  int64_t limit, struct tsr_permission **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    int rc =
        tsr_rows_count(st, total, TSR_Q_RBAC_HELD_COUNT, tenant_id, user_id, tenant_id, user_id);
    if (rc != 0)
        return rc;
    tsr_stmt *q = NULL;
    rc = tsr_store_q(st, &q, TSR_Q_RBAC_HELD_LIST, tenant_id, user_id, tenant_id, user_id, limit,
                     offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, tsr_permission_read, tsr_permission_cleanup,
                              (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_rbac_grant(tsr_store *st, const char *tenant_id, const char *user_id,
                   const char *audience, const char *permission)
{
    /* Holding it already is not an error (the primary key says so). */
    return tsr_store_q_run(st, NULL, TSR_Q_RBAC_GRANT, tenant_id, user_id, audience, permission,
                           tsr_clock_now());
}

int tsr_rbac_revoke(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *audience, const char *permission)
{
    return tsr_store_q_run(st, NULL, TSR_Q_RBAC_REVOKE, tenant_id, user_id, audience, permission);
}

static void source_cleanup(void *record)
{
    struct tsr_permission_source *s = record;
    free(s->role_id);
    free(s->role_name);
}

static int read_source(tsr_stmt *q, void *record)
{
    struct tsr_permission_source *s = record;
    memset(s, 0, sizeof *s);
    if (tsr_stmt_is_null(q, 0))
        return 0;
    s->role_id = tsr_stmt_text_dup(q, 0);
    s->role_name = tsr_stmt_text_dup(q, 1);
    if (s->role_id == NULL || s->role_name == NULL) {
        source_cleanup(s);
        return TSR_ENOMEM;
    }
    return 0;
}

void tsr_permission_source_list_free(struct tsr_permission_source *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, source_cleanup);
}

int tsr_rbac_sources(tsr_store *st, const char *tenant_id, const char *user_id,
                     const char *audience, const char *permission,
                     struct tsr_permission_source **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_RBAC_SOURCES, tenant_id, user_id, audience, permission,
                         tenant_id, user_id, audience, permission);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_source, source_cleanup, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_rbac_permission_check(const struct tsr_api *a, const char *name, struct tsr_refusal *why)
{
    if (tsr_api_has_scope(a, name))
        return 0;
    return tsr_refuse(why, TSR_REFUSED_VALUE, "permissions",
                      "Permission %.100s is not a scope of %.300s", name, a->identifier);
}
