/*
 * job.h - jobs of the Management API (/api/v2/jobs), with Auth0's job
 * object {type, status, created_at, id}.  Tessera runs the only job type
 * it offers (verification_email) while answering the request, so a stored
 * job is already "completed"; the table exists so that GET /jobs/{id}
 * works later, on any node and across restarts.  Jobs older than
 * TSR_JOB_RETENTION_DAYS are gone (deleted when a new job is stored).
 */
#ifndef TSR_CORE_JOB_H
#define TSR_CORE_JOB_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

#define TSR_JOB_RETENTION_DAYS 30

struct tsr_job {
    char *id;     /* job_ + 16 letters and digits */
    char *type;   /* "verification_email" */
    char *status; /* "pending", "completed", "failed" */
    char *user_id;
    char *client_id;    /* "" for none */
    int64_t created_at; /* milliseconds since the epoch */
};

void tsr_job_cleanup(struct tsr_job *j);

/*
 * Stores a new job (fresh id, created now) and fills out with it; deletes
 * the tenant's jobs past retention in the same call.  client_id may be
 * NULL.  Returns 0, TSR_ECRYPTO or the store's error.
 */
int tsr_job_create(tsr_store *st, const char *tenant_id, const char *type, const char *status,
                   const char *user_id, const char *client_id, struct tsr_job *out);

/* Returns 0, TSR_ENOTFOUND (unknown, other tenant's or past retention) or the store's error. */
int tsr_job_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_job *out);

/* Auth0's job object (new reference, NULL when out of memory). */
json_t *tsr_job_to_json(const struct tsr_job *j);

#endif
