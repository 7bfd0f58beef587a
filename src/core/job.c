/* job.c - storing and showing Management API jobs (see job.h). */
#include "core/job.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/logs.h"
#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define JOB_ID_RANDOM 16
#define RETENTION_MS ((int64_t)TSR_JOB_RETENTION_DAYS * 86400000)

void tsr_job_cleanup(struct tsr_job *j)
{
    free(j->id);
    free(j->type);
    free(j->status);
    free(j->user_id);
    free(j->client_id);
    memset(j, 0, sizeof *j);
}

static int fill(struct tsr_job *j, const char *id, const char *type, const char *status,
                const char *user_id, const char *client_id, int64_t created_at)
{
    j->id = strdup(id);
    j->type = strdup(type);
    j->status = strdup(status);
    j->user_id = strdup(user_id);
    j->client_id = strdup(client_id ? client_id : "");
    j->created_at = created_at;
    if (j->id && j->type && j->status && j->user_id && j->client_id)
        return 0;
    tsr_job_cleanup(j);
    return TSR_ENOMEM;
}

int tsr_job_create(tsr_store *st, const char *tenant_id, const char *type, const char *status,
                   const char *user_id, const char *client_id, struct tsr_job *out)
{
    char id[4 + JOB_ID_RANDOM + 1] = "job_";
    memset(out, 0, sizeof *out);
    if (tsr_random_alnum(id + 4, JOB_ID_RANDOM) != 0)
        return TSR_ECRYPTO;
    int rc = fill(out, id, type, status, user_id, client_id, tsr_clock_now_ms());
    if (rc != 0)
        return rc;
    /* Bounded by the rate jobs are made: each new job clears what has expired. */
    rc = tsr_store_q_run(st, NULL, TSR_Q_JOB_DELETE_EXPIRED, tenant_id,
                         out->created_at - RETENTION_MS);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_JOB_INSERT, tenant_id, out->id, out->type, out->status,
                             out->user_id, out->client_id, out->created_at);
    if (rc != 0)
        tsr_job_cleanup(out);
    return rc;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_job *j = record;
    const char *cols[5];
    for (int i = 0; i < 5; i++)
        cols[i] = tsr_stmt_text(q, i);
    for (int i = 0; i < 5; i++)
        if (cols[i] == NULL)
            return TSR_ESTORE;
    return fill(j, cols[0], cols[1], cols[2], cols[3], cols[4], tsr_stmt_int64(q, 5));
}

int tsr_job_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_job *out)
{
    memset(out, 0, sizeof *out);
    return tsr_rows_one(st, read_row, out, TSR_Q_JOB_GET, tenant_id, id,
                        tsr_clock_now_ms() - RETENTION_MS);
}

json_t *tsr_job_to_json(const struct tsr_job *j)
{
    char created[32];
    tsr_iso8601_ms(j->created_at, created);
    return json_pack("{s:s, s:s, s:s, s:s}", "type", j->type, "status", j->status, "created_at",
                     created, "id", j->id);
}
