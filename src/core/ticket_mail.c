/*
 * ticket_mail.c - mailing a ticket's link to its user: password reset
 * links (/dbconnections/change_password, the reset request page) and
 * email verification links (POST /api/v2/jobs/verification-email).  The
 * link is a credential: it goes into the message only, never into a log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/lockout.h"
#include "core/mail.h"
#include "core/ticket.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

/* The messages a link goes out in. */
enum mail_kind {
    MAIL_RESET,  /* the user asked for a new password */
    MAIL_VERIFY, /* confirm the email address */
    MAIL_LOCKED, /* wrong passwords locked an address out; a reset link in case */
};

/* The message around the link (caller wipes and frees), or NULL when out of memory. */
static char *mail_text(enum mail_kind kind, const char *name, const char *email,
                       const char *link, const char *ip, const struct tsr_limits *lock)
{
    size_t len = strlen(name) + strlen(email) + strlen(link) + strlen(ip) + 768;
    char *text = malloc(len);
    if (text == NULL)
        return NULL;
    if (kind == MAIL_RESET)
        snprintf(text, len,
                 "Hello,\n\n"
                 "Someone asked to reset the password of your %s account (%s).\n"
                 "To choose a new password, open this link:\n\n"
                 "%s\n\n"
                 "The link works once and expires in 5 days. If you did not ask for it, ignore\n"
                 "this message: your password stays the same.\n",
                 name, email, link);
    else if (kind == MAIL_VERIFY)
        snprintf(text, len,
                 "Hello,\n\n"
                 "Please confirm that %s is the email address of your %s account.\n"
                 "To confirm it, open this link:\n\n"
                 "%s\n\n"
                 "The link works once and expires in 5 days. If you did not sign up, ignore\n"
                 "this message.\n",
                 email, name, link);
    else
        snprintf(text, len,
                 "Hello,\n\n"
                 "Your %s account (%s) received %d wrong passwords in a row from the\n"
                 "address %s, so logins to it from that address are blocked for %d minutes.\n\n"
                 "If that was you, wait and try again. If it was not, someone may be guessing\n"
                 "your password: choose a new one with this link:\n\n"
                 "%s\n\n"
                 "The link works once and expires in 5 days.\n",
                 name, email, (int)lock->lockout_attempts, ip,
                 (int)((lock->lockout_window + 59) / 60), link);
    return text;
}

/*
 * Creates a ticket for u and queues a mail with its link (the mail worker
 * sends it; nothing here waits for a relay); deletes the ticket when the
 * mail cannot be queued.
 */
static int send_link(const struct tsr_app *app, tsr_store *st, const struct tsr_tenant_ctx *tenant,
                     const struct tsr_user *u, const struct tsr_ticket_opts *o,
                     enum mail_kind kind, const char *subject, const char *ip)
{
    char *secret = NULL, *link = NULL, *text = NULL;
    if (u->email == NULL || u->email[0] == '\0')
        return TSR_EINVAL;
    int rc = tsr_ticket_create(st, tenant->t.id, u->user_id, o, &secret);
    if (rc != 0)
        return rc;
    const char *name =
        tenant->t.friendly_name && tenant->t.friendly_name[0] ? tenant->t.friendly_name : "Tessera";
    link = tsr_ticket_url(tenant->t.issuer, o->kind, secret);
    text = link ? mail_text(kind, name, u->email, link, ip ? ip : "", &app->settings.limits) : NULL;
    rc = text ? tsr_mail_send(app, st, u->email, subject, text) : TSR_ENOMEM;
    if (rc != 0)
        tsr_ticket_delete(st, tenant->t.id, secret); /* an unsent link helps nobody */
    tsr_wipe_free_str(text);
    tsr_wipe_free_str(link);
    tsr_wipe_free_str(secret);
    return rc;
}

int tsr_ticket_send_reset(const struct tsr_app *app, tsr_store *st,
                          const struct tsr_tenant_ctx *tenant, const struct tsr_user *u)
{
    struct tsr_ticket_opts o = {.kind = TSR_TICKET_PASSWORD, .email = u->email};
    return send_link(app, st, tenant, u, &o, MAIL_RESET, "Reset your password", NULL);
}

int tsr_ticket_send_verification(const struct tsr_app *app, tsr_store *st,
                                 const struct tsr_tenant_ctx *tenant, const struct tsr_user *u,
                                 const char *client_id)
{
    struct tsr_ticket_opts o = {
        .kind = TSR_TICKET_EMAIL, .email = u->email, .client_id = client_id};
    return send_link(app, st, tenant, u, &o, MAIL_VERIFY, "Verify your email address", NULL);
}

void tsr_ticket_send_welcome(struct tsr_req *req, const struct tsr_user *u, const char *client_id)
{
    if (u->email == NULL || u->email[0] == '\0' || u->email_verified)
        return;
    int rc = tsr_ticket_send_verification(req->app, req->store, req->tenant, u, client_id);
    struct tsr_event e = {.type = rc == 0 ? "svr" : "fvr",
                          .description = rc == 0 ? "Verification email sent" : tsr_strerror(rc),
                          .client_id = client_id,
                          .user_id = u->user_id,
                          .user_name = u->email};
    tsr_event_record(req, &e);
}

void tsr_ticket_send_lock_notice(struct tsr_req *req, const struct tsr_connection *c,
                                 const char *identifier, const char *ip)
{
    struct tsr_user u = {0};
    if (!c->brute_force_protection ||
        !tsr_lockout_just_locked(req->store, &req->app->settings.limits, req->tenant->t.id,
                                 identifier, ip) ||
        tsr_user_find_login(req->store, c->tenant_id, c->id, identifier, &u) != 0)
        goto out;
    struct tsr_ticket_opts o = {.kind = TSR_TICKET_PASSWORD, .email = u.email};
    int rc = send_link(req->app, req->store, req->tenant, &u, &o, MAIL_LOCKED,
                       "Logins to your account were blocked", ip);
    if (rc != 0 && rc != TSR_EINVAL)
        tsr_log(TSR_LOG_WARN, "lockout notice not sent",
                json_pack("{s:s, s:s}", "request_id", req->request_id, "error", tsr_errname(rc)));
out:
    tsr_user_cleanup(&u);
}
