#include "core/role.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "store/like.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define ROLE_ID_RANDOM 16

void tsr_role_cleanup(struct tsr_role *r)
{
    free(r->tenant_id);
    free(r->id);
    free(r->name);
    free(r->description);
    memset(r, 0, sizeof *r);
}

static void cleanup_cb(void *record)
{
    tsr_role_cleanup(record);
}

void tsr_role_list_free(struct tsr_role *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}

int tsr_role_init_new(struct tsr_role *r, const char *tenant_id)
{
    char id[4 + ROLE_ID_RANDOM + 1] = "rol_";
    memset(r, 0, sizeof *r);
    if (tsr_random_alnum(id + 4, ROLE_ID_RANDOM) != 0)
        return TSR_ECRYPTO;
    r->tenant_id = strdup(tenant_id);
    r->id = strdup(id);
    r->name = strdup("");
    r->description = strdup("");
    r->created_at = r->updated_at = tsr_clock_now();
    if (!r->tenant_id || !r->id || !r->name || !r->description) {
        tsr_role_cleanup(r);
        return TSR_ENOMEM;
    }
    return 0;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_role *r = record;
    memset(r, 0, sizeof *r);
    r->tenant_id = tsr_stmt_text_dup(q, 0);
    r->id = tsr_stmt_text_dup(q, 1);
    r->name = tsr_stmt_text_dup(q, 2);
    r->description = tsr_stmt_text_dup(q, 3);
    r->created_at = tsr_stmt_int64(q, 4);
    r->updated_at = tsr_stmt_int64(q, 5);
    if (!r->tenant_id || !r->id || !r->name || !r->description) {
        tsr_role_cleanup(r);
        return TSR_ENOMEM;
    }
    return 0;
}

int tsr_role_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_role *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_ROLE_GET, tenant_id, id);
}

int tsr_role_insert(tsr_store *st, const struct tsr_role *r)
{
    return tsr_store_q_run(st, NULL, TSR_Q_ROLE_INSERT, r->tenant_id, r->id, r->name,
                           r->description, r->created_at, r->updated_at);
}

int tsr_role_update(tsr_store *st, struct tsr_role *r)
{
    r->updated_at = tsr_clock_now();
    return tsr_rows_change(st, TSR_Q_ROLE_UPDATE, r->name, r->description, r->updated_at,
                           r->tenant_id, r->id);
}

int tsr_role_delete(tsr_store *st, const char *tenant_id, const char *id)
{
    return tsr_rows_change(st, TSR_Q_ROLE_DELETE, tenant_id, id);
}

int tsr_role_list(tsr_store *st, const char *tenant_id, const char *name_filter, int64_t offset,
                  int64_t limit, struct tsr_role **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    const char *filter = name_filter ? name_filter : "";
    char *pattern = tsr_store_like_pattern(filter, strlen(filter), TSR_LIKE_CONTAINS);
    if (pattern == NULL)
        return TSR_ENOMEM;
    int rc = tsr_rows_count(st, total, TSR_Q_ROLE_LIST_COUNT, tenant_id, pattern);
    tsr_stmt *q = NULL;
    if (rc == 0)
        rc = tsr_store_q(st, &q, TSR_Q_ROLE_LIST, tenant_id, pattern, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    free(pattern);
    return rc;
}

int tsr_role_permission_add(tsr_store *st, const char *tenant_id, const char *role_id,
                            const char *audience, const char *permission)
{
    /* Holding it already is not an error (the primary key says so). */
    return tsr_store_q_run(st, NULL, TSR_Q_ROLE_PERMISSION_ADD, tenant_id, role_id, audience,
                           permission, tsr_clock_now());
}

int tsr_role_permission_remove(tsr_store *st, const char *tenant_id, const char *role_id,
                               const char *audience, const char *permission)
{
    return tsr_store_q_run(st, NULL, TSR_Q_ROLE_PERMISSION_REMOVE, tenant_id, role_id, audience,
                           permission);
}

int tsr_role_permissions(tsr_store *st, const char *tenant_id, const char *role_id,
                         int64_t offset, int64_t limit, struct tsr_permission **out, size_t *n,
                         int64_t *total)
{
    *out = NULL;
    *n = 0;
    int rc = tsr_rows_count(st, total, TSR_Q_ROLE_PERMISSIONS_COUNT, tenant_id, role_id);
    tsr_stmt *q = NULL;
    if (rc == 0)
        rc = tsr_store_q(st, &q, TSR_Q_ROLE_PERMISSIONS, tenant_id, role_id, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, tsr_permission_read, tsr_permission_cleanup,
                              (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_role_assign(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *role_id)
{
    /* Holding it already is not an error (the primary key says so). */
    return tsr_store_q_run(st, NULL, TSR_Q_ROLE_ASSIGN, tenant_id, user_id, role_id,
                           tsr_clock_now());
}

int tsr_role_unassign(tsr_store *st, const char *tenant_id, const char *user_id,
                      const char *role_id)
{
    return tsr_store_q_run(st, NULL, TSR_Q_ROLE_UNASSIGN, tenant_id, user_id, role_id);
}

int tsr_role_users(tsr_store *st, const char *tenant_id, const char *role_id,
                   const char *after_user_id, int64_t offset, int64_t limit,
                   struct tsr_strlist *out, int64_t *total)
{
    int rc = 0;
    if (total != NULL)
        rc = tsr_rows_count(st, total, TSR_Q_ROLE_USERS_COUNT, tenant_id, role_id);
    if (rc != 0)
        return rc;
    tsr_stmt *q = NULL;
    rc = tsr_store_q(st, &q, TSR_Q_ROLE_USERS, tenant_id, role_id,
                     after_user_id ? after_user_id : "", limit, offset);
    while (rc == 0 && (rc = tsr_stmt_step(q)) == TSR_STORE_ROW)
        rc = tsr_strlist_push(out, tsr_stmt_text(q, 0) ? tsr_stmt_text(q, 0) : "");
    tsr_stmt_finalize(q);
    if (rc != TSR_STORE_DONE) {
        tsr_strlist_cleanup(out);
        return rc == 0 ? TSR_ESTORE : rc;
    }
    return 0;
}

int tsr_role_user_roles(tsr_store *st, const char *tenant_id, const char *user_id,
                        int64_t offset, int64_t limit, struct tsr_role **out, size_t *n,
                        int64_t *total)
{
    *out = NULL;
    *n = 0;
    int rc = tsr_rows_count(st, total, TSR_Q_ROLE_USER_ROLES_COUNT, tenant_id, user_id);
    tsr_stmt *q = NULL;
    if (rc == 0)
        rc = tsr_store_q(st, &q, TSR_Q_ROLE_USER_ROLES, tenant_id, user_id, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}
