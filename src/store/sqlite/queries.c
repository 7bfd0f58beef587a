/*
 * queries.c - looks up the SQLite statement of a named query.  Every
 * module's table (store/sqlite/<module>.c) is registered here once; the
 * index by id is built on first use.
 */
#include "store/sqlite/queries.h"

#include <pthread.h>
#include <stddef.h>

static const struct tsr_sq_query *const modules[] = {
    tsr_sq_api,         tsr_sq_app,           tsr_sq_auth_code,     tsr_sq_client,
    tsr_sq_connection,  tsr_sq_consent,       tsr_sq_event,         tsr_sq_grant,
    tsr_sq_job,         tsr_sq_keys,          tsr_sq_lockout,       tsr_sq_login_tx,
    tsr_sq_logs,        tsr_sq_mail_queue,    tsr_sq_opaque_token,  tsr_sq_rate_limit,
    tsr_sq_rbac,        tsr_sq_refresh_token, tsr_sq_role,          tsr_sq_session,
    tsr_sq_setting_doc, tsr_sq_tenant,        tsr_sq_tenant_limits, tsr_sq_tenant_set,
    tsr_sq_throttle,    tsr_sq_ticket,        tsr_sq_user,
};

static const char *by_id[TSR_Q_COUNT];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++) {
        for (const struct tsr_sq_query *e = modules[i]; e->sql != NULL; e++) {
            if ((int)e->id >= 0 && e->id < TSR_Q_COUNT)
                by_id[e->id] = e->sql;
        }
    }
}

const char *tsr_sq_sql(enum tsr_query_id q)
{
    if ((int)q < 0 || q >= TSR_Q_COUNT)
        return NULL;
    pthread_once(&index_once, build_index);
    return by_id[q];
}
