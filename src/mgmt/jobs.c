/*
 * jobs.c - /api/v2/jobs: POST /jobs/verification-email mails the user an
 * email verification link and answers with Auth0's job object; GET
 * /jobs/{id} reads a job back.  The mail is stored in the mail queue while
 * the request is answered (the mail worker delivers it and retries a relay
 * that fails), so the job is "completed" when the answer is 201; a mail
 * that cannot be queued answers 503 and leaves neither ticket nor job
 * behind.
 * User imports and exports are not offered (403, as for other resources
 * Tessera does not have).
 */
#include <string.h>

#include "core/job.h"
#include "core/ticket.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "mgmt/ticket_args.h"
#include "util/err.h"
#include "util/log.h"

#define JOB_ID_MAX 64
#define TYPE_VERIFICATION "verification_email"

static const struct tsr_mgmt_prop verification_props[] = {
    {"user_id", "user_id of the user to send the verification email to.", false},
    {"client_id", "ID of the application the email is for.", false},
    {"identity", "The identity of the user whose email to verify.", false},
    {"organization_id", "Organization ID (not supported).", false},
    {NULL, NULL, false},
};

/*
 * The answer to a mail that could not be queued (the link was deleted).
 * Delivery itself happens later, in the mail worker: "completed" means the
 * message is stored in the mail queue, which retries a relay that fails.
 */
static void send_mail_error(struct tsr_req *req, int rc)
{
    tsr_log(TSR_LOG_ERROR, "verification email not sent",
            json_pack("{s:s, s:s}", "request_id", req->request_id, "error", tsr_errname(rc)));
    if (rc == TSR_EINVAL)
        tsr_resp_mgmt_error(req, 400, "invalid_user",
                            "The user's email address cannot receive mail.");
    else
        tsr_resp_mgmt_error(req, 503, "email_not_sent",
                            "The verification email could not be queued; try again.");
}

void tsr_mgmt_jobs_verification_email(struct tsr_req *req)
{
    struct tsr_mgmt_ticket_args a;
    struct tsr_job job = {0};
    if (!tsr_mgmt_ticket_args_read(req, verification_props, &a) ||
        !tsr_mgmt_ticket_args_need_email(req, &a))
        goto out;
    int rc = tsr_ticket_send_verification(req->app, req->store, req->tenant, &a.user, a.client_id);
    if (rc != 0) {
        tsr_mgmt_ticket_args_record(req, &a, "fvr", tsr_strerror(rc));
        send_mail_error(req, rc);
        goto out;
    }
    tsr_mgmt_ticket_args_record(req, &a, "svr", "Verification email sent");
    rc = tsr_job_create(req->store, req->tenant->t.id, TYPE_VERIFICATION, "completed",
                        a.user.user_id, a.client_id, &job);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "job");
        goto out;
    }
    tsr_resp_json(req, 201, tsr_job_to_json(&job));
out:
    tsr_job_cleanup(&job);
    tsr_mgmt_ticket_args_cleanup(&a);
}

void tsr_mgmt_jobs_get(struct tsr_req *req)
{
    const char *id = tsr_req_param(req, 0);
    struct tsr_job job = {0};
    int rc = strlen(id) > JOB_ID_MAX ? TSR_ENOTFOUND
                                     : tsr_job_get(req->store, req->tenant->t.id, id, &job);
    if (rc == 0)
        tsr_resp_json(req, 200, tsr_job_to_json(&job));
    else
        tsr_mgmt_send_store_error(req, rc, "job");
    tsr_job_cleanup(&job);
}

void tsr_mgmt_jobs_not_offered(struct tsr_req *req)
{
    tsr_mgmt_send_forbidden(req, "Tessera does not offer user imports, exports and their job "
                                 "errors yet");
}
