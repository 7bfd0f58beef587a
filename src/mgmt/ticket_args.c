/*
 * ticket_args.c - reading and loading what ticket and job bodies name
 * (see ticket_args.h).
 */
#include "mgmt/ticket_args.h"

#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/input.h"
#include "core/mail.h"
#include "core/ticket.h"
#include "http/response.h"
#include "mgmt/mgmt.h"
#include "util/err.h"

#define ID_MAX 256
#define URL_MAX 2048
#define USER_ID_PREFIX "auth0|"
#define PROVIDER "auth0"

static const struct tsr_mgmt_prop identity_props[] = {
    {"user_id", "user_id of the identity (without the provider prefix).", false},
    {"provider", "Identity provider of the identity (\"auth0\" for database users).", false},
    {"connection_id", "Connection of the identity.", false},
    {NULL, NULL, false},
};

void tsr_mgmt_ticket_args_cleanup(struct tsr_mgmt_ticket_args *a)
{
    free(a->user_id);
    free(a->email);
    free(a->connection_id);
    free(a->result_url);
    free(a->client_id);
    free(a->identity_user_id);
    free(a->identity_provider);
    free(a->identity_connection_id);
    tsr_user_cleanup(&a->user);
    tsr_connection_cleanup(&a->conn);
    tsr_client_cleanup(&a->client);
    memset(a, 0, sizeof *a);
}

static bool read_identity(struct tsr_mgmt_reader *rd, struct tsr_mgmt_ticket_args *a)
{
    const json_t *obj = tsr_mgmt_get(rd, "identity", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_mgmt_reader sub;
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, identity_props, "identity") &&
              tsr_mgmt_require(&sub, "user_id") && tsr_mgmt_require(&sub, "provider") &&
              tsr_mgmt_read_string(&sub, "user_id", 1, ID_MAX, &a->identity_user_id) &&
              tsr_mgmt_read_string(&sub, "provider", 1, ID_MAX, &a->identity_provider) &&
              tsr_mgmt_read_string(&sub, "connection_id", 1, ID_MAX, &a->identity_connection_id);
    rd->failed = sub.failed;
    return ok;
}

static bool read_result_url(struct tsr_mgmt_reader *rd, struct tsr_mgmt_ticket_args *a)
{
    if (!tsr_mgmt_read_string(rd, "result_url", 1, URL_MAX, &a->result_url))
        return false;
    const char *why = a->result_url ? tsr_url_problem(a->result_url, TSR_URL_REDIRECT) : NULL;
    if (why == NULL && a->result_url != NULL)
        why = tsr_page_form_target_problem(a->result_url);
    if (why != NULL)
        return tsr_mgmt_fail(rd, "result_url", "%s", why);
    /* As in Auth0: with an application named, the result page is the application's business. */
    if (a->result_url != NULL && a->client_id != NULL)
        return tsr_mgmt_fail(rd, "result_url", "Cannot be specified when using client_id");
    return true;
}

static bool lists(const struct tsr_mgmt_prop *props, const char *name)
{
    for (; props->name != NULL; props++)
        if (strcmp(props->name, name) == 0)
            return true;
    return false;
}

/* Who the ticket is for: user_id, or email with connection_id (never both). */
static bool check_target(struct tsr_mgmt_reader *rd, const struct tsr_mgmt_ticket_args *a)
{
    if (a->user_id != NULL && a->email != NULL)
        return tsr_mgmt_fail(rd, "email", "Cannot be specified when using user_id");
    if (a->user_id != NULL && a->connection_id != NULL)
        return tsr_mgmt_fail(rd, "connection_id", "Cannot be specified when using user_id");
    if (a->email != NULL && a->connection_id == NULL)
        return tsr_mgmt_fail(rd, "connection_id",
                             "Missing required property: connection_id "
                             "(email requires it)");
    if (a->connection_id != NULL && a->email == NULL)
        return tsr_mgmt_fail(rd, "email",
                             "Missing required property: email "
                             "(connection_id requires it)");
    if (a->user_id == NULL && a->email == NULL)
        return tsr_mgmt_fail(rd, "user_id", "Missing required property: user_id%s",
                             lists(rd->props, "email") ? " (or email with connection_id)" : "");
    if (a->email != NULL && !tsr_mail_address_ok(a->email))
        return tsr_mgmt_fail(rd, "email",
                             "Object didn't pass validation for format email: "
                             "%.200s",
                             a->email);
    return true;
}

static bool read_body(struct tsr_req *req, const json_t *body, const struct tsr_mgmt_prop *props,
                      struct tsr_mgmt_ticket_args *a)
{
    struct tsr_mgmt_reader rd;
    if (!tsr_mgmt_reader_start(&rd, req, body, props, NULL))
        return false;
    /* Tessera has no organizations; a caller that names one expects its branding and members. */
    if (tsr_mgmt_has(&rd, "organization_id"))
        return tsr_mgmt_fail(&rd, "organization_id", "Organizations are not supported");
    return tsr_mgmt_read_string(&rd, "user_id", 1, ID_MAX, &a->user_id) &&
           tsr_mgmt_read_string(&rd, "email", 1, TSR_MAIL_ADDRESS_MAX, &a->email) &&
           tsr_mgmt_read_string(&rd, "connection_id", 1, ID_MAX, &a->connection_id) &&
           tsr_mgmt_read_string(&rd, "client_id", 1, ID_MAX, &a->client_id) &&
           read_result_url(&rd, a) &&
           tsr_mgmt_read_int(&rd, "ttl_sec", 0, TSR_TICKET_MAX_TTL, &a->ttl_sec) &&
           tsr_mgmt_read_bool(&rd, "mark_email_as_verified", &a->mark_email_as_verified) &&
           tsr_mgmt_read_bool(&rd, "includeEmailInRedirect", &a->include_email) &&
           read_identity(&rd, a) && check_target(&rd, a);
}

static void user_missing(struct tsr_req *req)
{
    tsr_resp_mgmt_error(req, 404, "inexistent_user", "The user does not exist.");
}

/* Loads the user (and its connection) named by the body; sends the error otherwise. */
static bool load_user(struct tsr_req *req, struct tsr_mgmt_ticket_args *a)
{
    const char *tid = req->tenant->t.id;
    int rc;
    if (a->user_id != NULL) {
        rc = tsr_user_get(req->store, tid, a->user_id, &a->user);
        if (rc == 0)
            rc = tsr_connection_get(req->store, tid, a->user.connection_id, &a->conn);
    } else {
        rc = tsr_connection_get(req->store, tid, a->connection_id, &a->conn);
        if (rc == TSR_ENOTFOUND) {
            tsr_mgmt_send_not_found(req, "connection");
            return false;
        }
        if (rc == 0)
            rc = tsr_user_find_login(req->store, tid, a->conn.id, a->email, &a->user);
    }
    if (rc == TSR_ENOTFOUND)
        user_missing(req);
    else if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, "user");
    return rc == 0;
}

/* Tessera users have one identity, their own: {provider "auth0", user_id without the prefix}. */
static bool identity_ok(const struct tsr_mgmt_ticket_args *a)
{
    if (a->identity_provider == NULL)
        return true;
    const char *bare = a->user.user_id;
    if (strncmp(bare, USER_ID_PREFIX, strlen(USER_ID_PREFIX)) == 0)
        bare += strlen(USER_ID_PREFIX);
    return strcmp(a->identity_provider, PROVIDER) == 0 && strcmp(a->identity_user_id, bare) == 0 &&
           (a->identity_connection_id == NULL ||
            strcmp(a->identity_connection_id, a->conn.id) == 0);
}

static bool load(struct tsr_req *req, struct tsr_mgmt_ticket_args *a)
{
    if (!load_user(req, a))
        return false;
    if (!identity_ok(a)) {
        tsr_resp_mgmt_error(req, 400, "invalid_body",
                            "Payload validation error: 'The user has no such identity (a "
                            "database user's identity is provider \"auth0\" and its user_id "
                            "without \"auth0|\")' on property identity.");
        return false;
    }
    if (a->client_id == NULL)
        return true;
    int rc = tsr_client_get(req->store, req->tenant->t.id, a->client_id, &a->client);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, "client");
    return rc == 0;
}

bool tsr_mgmt_ticket_args_read(struct tsr_req *req, const struct tsr_mgmt_prop *props,
                               struct tsr_mgmt_ticket_args *a)
{
    memset(a, 0, sizeof *a);
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return false;
    bool ok = read_body(req, body, props, a) && load(req, a);
    json_decref(body);
    return ok;
}

bool tsr_mgmt_ticket_args_need_email(struct tsr_req *req, const struct tsr_mgmt_ticket_args *a)
{
    if (a->user.email != NULL && a->user.email[0] != '\0')
        return true;
    tsr_resp_mgmt_error(req, 400, "invalid_user",
                        "The user has no email address: there is nothing to verify or send to.");
    return false;
}

void tsr_mgmt_ticket_args_record(struct tsr_req *req, const struct tsr_mgmt_ticket_args *a,
                                 const char *type, const char *description)
{
    struct tsr_event e = {
        .type = type,
        .description = description,
        .client_id = a->client.client_id,
        .client_name = a->client.name,
        .user_id = a->user.user_id,
        .user_name = a->user.email ? a->user.email : a->user.username,
        .connection = a->conn.name,
        .connection_id = a->conn.id,
    };
    tsr_event_record(tsr_req_who(req), &e);
}
