/*
 * tickets.c - POST /api/v2/tickets/password-change and
 * /api/v2/tickets/email-verification: single-use links the caller hands
 * to the user itself (Tessera mails nothing here).  The answer is 201
 * {"ticket": "<link>"}; the link opens a Universal Login page
 * (src/login/reset.c, src/login/verify_email.c).
 */

#include "core/ticket.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "mgmt/ticket_args.h"
#include "util/err.h"
#include "util/secure.h"

/* Descriptions of the properties both tickets take, quoted in 400 messages. */
#define D_RESULT_URL "URL the user is sent to once the ticket is used."
#define D_USER_ID "user_id of the user the ticket is for."
#define D_CLIENT_ID "ID of the application the ticket is for."
#define D_ORGANIZATION_ID "Organization ID (not supported)."
#define D_TTL_SEC "Lifetime of the ticket in seconds; 0 or absent for 432000 (5 days)."
#define D_INCLUDE_EMAIL "Whether result_url receives the user's email."
#define D_IDENTITY "The identity of the user the ticket is for."

static const struct tsr_mgmt_prop password_props[] = {
    {"result_url", D_RESULT_URL, false},
    {"user_id", D_USER_ID, false},
    {"client_id", D_CLIENT_ID, false},
    {"organization_id", D_ORGANIZATION_ID, false},
    {"connection_id", "Connection of the user named by email; requires email.", false},
    {"email", "Email of the user the ticket is for; requires connection_id.", false},
    {"ttl_sec", D_TTL_SEC, false},
    {"mark_email_as_verified", "Whether using the ticket also sets email_verified.", false},
    {"includeEmailInRedirect", D_INCLUDE_EMAIL, false},
    {"identity", D_IDENTITY, false},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop verification_props[] = {
    {"result_url", D_RESULT_URL, false}, {"user_id", D_USER_ID, false},
    {"client_id", D_CLIENT_ID, false},   {"organization_id", D_ORGANIZATION_ID, false},
    {"ttl_sec", D_TTL_SEC, false},       {"includeEmailInRedirect", D_INCLUDE_EMAIL, false},
    {"identity", D_IDENTITY, false},     {NULL, NULL, false},
};

/*
 * Creates a ticket of kind from the body, answers 201 {"ticket": link} and
 * records the event.  mark_email_as_verified is only ever set for the
 * password kind: the other table does not list it.
 */
static void issue(struct tsr_req *req, const struct tsr_mgmt_ticket_args *a,
                  enum tsr_ticket_kind kind, const char *event, const char *description)
{
    struct tsr_ticket_opts o = {
        .kind = kind,
        .email = a->user.email,
        .result_url = a->result_url,
        .client_id = a->client_id,
        .ttl = a->ttl_sec,
        .mark_email_verified = a->mark_email_as_verified,
        .include_email = a->include_email,
    };
    char *secret = NULL, *link = NULL;
    int rc = tsr_ticket_create(req->store, req->tenant->t.id, a->user.user_id, &o, &secret);
    if (rc == 0 && (link = tsr_ticket_url(req->tenant->t.issuer, kind, secret)) == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0) {
        tsr_resp_json(req, 201, json_pack("{s:s}", "ticket", link));
        tsr_mgmt_ticket_args_record(req, a, event, description);
    } else {
        tsr_mgmt_send_store_error(req, rc, "ticket");
    }
    tsr_wipe_free_str(link);
    tsr_wipe_free_str(secret);
}

void tsr_mgmt_tickets_password_change(struct tsr_req *req)
{
    struct tsr_mgmt_ticket_args a;
    if (tsr_mgmt_ticket_args_read(req, password_props, &a))
        issue(req, &a, TSR_TICKET_PASSWORD, "scpr", "Password change ticket created");
    tsr_mgmt_ticket_args_cleanup(&a);
}

void tsr_mgmt_tickets_email_verification(struct tsr_req *req)
{
    struct tsr_mgmt_ticket_args a;
    if (tsr_mgmt_ticket_args_read(req, verification_props, &a) &&
        tsr_mgmt_ticket_args_need_email(req, &a))
        issue(req, &a, TSR_TICKET_EMAIL, "svr", "Email verification ticket created");
    tsr_mgmt_ticket_args_cleanup(&a);
}
