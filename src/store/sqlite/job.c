/* job.c - SQLite statements of the named queries in store/queries/job.def. */
#include "store/sqlite/queries.h"

#define JOB_COLUMNS "id, type, status, user_id, client_id, created_at"

const struct tsr_sq_query tsr_sq_job[] = {
    {TSR_Q_JOB_DELETE_EXPIRED, "DELETE FROM jobs WHERE tenant_id = ? AND created_at < ?"},
    {TSR_Q_JOB_INSERT,
     "INSERT INTO jobs (tenant_id, " JOB_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_JOB_GET, "SELECT " JOB_COLUMNS " FROM jobs WHERE tenant_id = ? AND id = ? "
                    "AND created_at >= ?"},
    {TSR_Q_COUNT, NULL},
};
