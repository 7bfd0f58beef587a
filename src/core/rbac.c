#include "core/rbac.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "util/err.h"

static int read_name(tsr_stmt *q, void *record)
{
    return tsr_strlist_push(record, tsr_stmt_text(q, 0) ? tsr_stmt_text(q, 0) : "");
}

int tsr_rbac_user_permissions(tsr_store *st, const char *tenant_id, const char *user_id,
                              const char *audience, struct tsr_strlist *out)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_query(st, &q,
                             "SELECT permission FROM user_permissions WHERE tenant_id = ? AND "
                             "user_id = ? AND audience = ? ORDER BY permission",
                             "sss", tenant_id, user_id, audience);
    while (rc == 0 && (rc = tsr_stmt_step(q)) == TSR_STORE_ROW)
        rc = read_name(q, out);
    tsr_stmt_finalize(q);
    if (rc != TSR_STORE_DONE) {
        tsr_strlist_cleanup(out);
        return rc == 0 ? TSR_ESTORE : rc;
    }
    return 0;
}

static void permission_cleanup(void *record)
{
    struct tsr_permission *p = record;
    free(p->audience);
    free(p->permission);
}

static int read_permission(tsr_stmt *q, void *record)
{
    struct tsr_permission *p = record;
    p->audience = tsr_stmt_text_dup(q, 0);
    p->permission = tsr_stmt_text_dup(q, 1);
    if (p->audience == NULL || p->permission == NULL) {
        permission_cleanup(p);
        return TSR_ENOMEM;
    }
    return 0;
}

void tsr_permission_list_free(struct tsr_permission *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, permission_cleanup);
}

int tsr_rbac_list(tsr_store *st, const char *tenant_id, const char *user_id, int64_t offset,
                  int64_t limit, struct tsr_permission **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    int rc = tsr_rows_count(st, total,
                            "SELECT count(*) FROM user_permissions WHERE tenant_id = ? AND "
                            "user_id = ?",
                            "ss", tenant_id, user_id);
    if (rc != 0)
        return rc;
    tsr_stmt *q = NULL;
    rc = tsr_store_query(st, &q,
                         "SELECT audience, permission FROM user_permissions WHERE tenant_id = ? "
                         "AND user_id = ? ORDER BY audience, permission LIMIT ? OFFSET ?",
                         "ssii", tenant_id, user_id, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_permission, permission_cleanup,
                              (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_rbac_grant(tsr_store *st, const char *tenant_id, const char *user_id,
                   const char *audience, const char *permission)
{
    int64_t held = 0;
    int rc = tsr_rows_count(st, &held,
                            "SELECT count(*) FROM user_permissions WHERE tenant_id = ? AND "
                            "user_id = ? AND audience = ? AND permission = ?",
                            "ssss", tenant_id, user_id, audience, permission);
    if (rc != 0 || held > 0)
        return rc;
    return tsr_store_run(st, NULL,
                         "INSERT INTO user_permissions (tenant_id, user_id, audience, permission, "
                         "created_at) VALUES (?, ?, ?, ?, ?)",
                         "ssssi", tenant_id, user_id, audience, permission, (int64_t)time(NULL));
}

int tsr_rbac_revoke(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *audience, const char *permission)
{
    return tsr_store_run(st, NULL,
                         "DELETE FROM user_permissions WHERE tenant_id = ? AND user_id = ? AND "
                         "audience = ? AND permission = ?",
                         "ssss", tenant_id, user_id, audience, permission);
}
