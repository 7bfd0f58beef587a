/*
 * queries.h - the SQLite backend's statements for the named queries
 * (store/query_ids.h), one table per core module in <module>.c, each
 * ended by {TSR_Q_COUNT, NULL}.  A module's table is registered by one
 * line in queries.c.
 */
#ifndef TSR_STORE_SQLITE_QUERIES_H
#define TSR_STORE_SQLITE_QUERIES_H

#include <stddef.h>

#include "store/query_ids.h"

struct tsr_sq_query {
    enum tsr_query_id id;
    const char *sql;
};

extern const struct tsr_sq_query tsr_sq_api[];
extern const struct tsr_sq_query tsr_sq_app[];
extern const struct tsr_sq_query tsr_sq_auth_code[];
extern const struct tsr_sq_query tsr_sq_client[];
extern const struct tsr_sq_query tsr_sq_connection[];
extern const struct tsr_sq_query tsr_sq_consent[];
extern const struct tsr_sq_query tsr_sq_event[];
extern const struct tsr_sq_query tsr_sq_grant[];
extern const struct tsr_sq_query tsr_sq_job[];
extern const struct tsr_sq_query tsr_sq_keys[];
extern const struct tsr_sq_query tsr_sq_lockout[];
extern const struct tsr_sq_query tsr_sq_login_tx[];
extern const struct tsr_sq_query tsr_sq_logs[];
extern const struct tsr_sq_query tsr_sq_mail_queue[];
extern const struct tsr_sq_query tsr_sq_opaque_token[];
extern const struct tsr_sq_query tsr_sq_rate_limit[];
extern const struct tsr_sq_query tsr_sq_rbac[];
extern const struct tsr_sq_query tsr_sq_refresh_token[];
extern const struct tsr_sq_query tsr_sq_role[];
extern const struct tsr_sq_query tsr_sq_session[];
extern const struct tsr_sq_query tsr_sq_tenant[];
extern const struct tsr_sq_query tsr_sq_setting_doc[];
extern const struct tsr_sq_query tsr_sq_tenant_limits[];
extern const struct tsr_sq_query tsr_sq_tenant_set[];
extern const struct tsr_sq_query tsr_sq_throttle[];
extern const struct tsr_sq_query tsr_sq_ticket[];
extern const struct tsr_sq_query tsr_sq_user[];

/* The statement of q, or NULL when the backend has none. */
const char *tsr_sq_sql(enum tsr_query_id q);

#endif
