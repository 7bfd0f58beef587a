/*
 * ticket_mail.c - mailing a ticket's link to its user: password reset
 * links (/dbconnections/change_password, the reset request page) and
 * email verification links (POST /api/v2/jobs/verification-email).  The
 * link is a credential: it goes into the message only, never into a log.
 * A reset request from an anonymous caller is queued as it came (the
 * account is looked up by the mail worker), so its answer takes the same
 * time whether or not the account exists.  The mails a stranger can
 * cause (reset links, lockout notices) count per recipient account
 * (--rate-limit-reset-per-account): beyond it nothing is sent and an
 * event says so, while the caller's answer stays the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/lockout.h"
#include "core/mail.h"
#include "core/mail_queue.h"
#include "core/rate_limit.h"
#include "core/ticket.h"
#include "util/clock.h"
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
    else if (lock->lockout_block)
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
    else /* the tenant's brute-force protection notifies without blocking */
        snprintf(text, len,
                 "Hello,\n\n"
                 "Your %s account (%s) received %d wrong passwords in a row from the\n"
                 "address %s.\n\n"
                 "If that was not you, someone may be guessing your password: choose a new\n"
                 "one with this link:\n\n"
                 "%s\n\n"
                 "The link works once and expires in 5 days.\n",
                 name, email, (int)lock->lockout_attempts, ip, link);
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
    text = link ? mail_text(kind, name, u->email, link, ip ? ip : "", &tenant->limits) : NULL;
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

void tsr_ticket_send_welcome(const struct tsr_who *w, const struct tsr_user *u,
                             const char *client_id)
{
    if (u->email == NULL || u->email[0] == '\0' || u->email_verified)
        return;
    int rc = tsr_ticket_send_verification(w->app, w->store, w->tenant, u, client_id);
    struct tsr_event e = {.type = rc == 0 ? "svr" : "fvr",
                          .description = rc == 0 ? "Verification email sent" : tsr_strerror(rc),
                          .client_id = client_id,
                          .user_id = u->user_id,
                          .user_name = u->email};
    tsr_event_record(w, &e);
}

void tsr_ticket_send_lock_notice(const struct tsr_who *w, const struct tsr_connection *c,
                                 const char *identifier, const char *ip)
{
    struct tsr_user u = {0};
    const struct tsr_limits *l = &w->tenant->limits;
    if (!c->brute_force_protection || !l->lockout_notify ||
        !tsr_lockout_just_locked(w->store, l, w->tenant->t.id, identifier, ip) ||
        tsr_user_find_login(w->store, c->tenant_id, c->id, identifier, &u) != 0 ||
        u.email == NULL || u.email[0] == '\0')
        goto out;
    /* Each address (IPv6: each /64) locks apart: the notices count per account. */
    int rc = tsr_rate_limit_recipient(w->store, l, w->tenant->t.id, "locked", u.user_id,
                                      tsr_clock_now());
    if (rc != 0) {
        tsr_log(rc == TSR_EBUSY ? TSR_LOG_INFO : TSR_LOG_WARN, "lockout notice not sent",
                json_pack("{s:s, s:s}", "request_id", w->request_id, "error",
                          rc == TSR_EBUSY ? "rate limited for this account" : tsr_errname(rc)));
        goto out;
    }
    struct tsr_ticket_opts o = {.kind = TSR_TICKET_PASSWORD, .email = u.email};
    rc = send_link(w->app, w->store, w->tenant, &u, &o, MAIL_LOCKED,
                   l->lockout_block ? "Logins to your account were blocked"
                                    : "Wrong passwords were tried on your account",
                   ip);
    if (rc != 0 && rc != TSR_EINVAL)
        tsr_log(TSR_LOG_WARN, "lockout notice not sent",
                json_pack("{s:s, s:s}", "request_id", w->request_id, "error", tsr_errname(rc)));
out:
    tsr_user_cleanup(&u);
}

/* ---- reset requests through the queue ---- */

int tsr_ticket_queue_reset(const struct tsr_who *w, const struct tsr_connection *c,
                           const char *email, const char *client_id, const char *client_name)
{
    const char *ip = w->ip != NULL ? w->ip : "";
    const char *ua = w->user_agent;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "tenant_id",
                          w->tenant->t.id, "connection_id", c->id, "connection", c->name,
                          "email", email, "client_id", client_id ? client_id : "", "client_name",
                          client_name ? client_name : "", "ip", ip, "user_agent", ua ? ua : "");
    char *payload = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (payload == NULL)
        return TSR_ENOMEM;
    int rc =
        tsr_mail_enqueue(w->app, w->store, TSR_MAIL_PASSWORD_RESET, "", payload, strlen(payload));
    free(payload);
    return rc;
}

static const char *member(const json_t *j, const char *name)
{
    const char *v = json_string_value(json_object_get(j, name));
    return v ? v : "";
}

/* The tenant of id in the snapshot set, or NULL. */
static const struct tsr_tenant_ctx *tenant_of(const struct tsr_tenant_set *set, const char *id)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->tenants[i].t.id, id) == 0)
            return &set->tenants[i];
    return NULL;
}

int tsr_ticket_reset_from_queue(struct tsr_app *app, tsr_store *st, const char *payload)
{
    struct tsr_user u = {0};
    int out = 0;
    json_t *j = json_loads(payload, 0, NULL);
    tsr_app_refresh_if_changed(app, st);
    struct tsr_tenant_set *set = tsr_app_acquire(app);
    const char *tenant_id = member(j, "tenant_id"), *email = member(j, "email");
    const struct tsr_tenant_ctx *tenant = tenant_of(set, tenant_id);
    if (tenant == NULL || email[0] == '\0') /* the tenant is gone, or the row is damaged */
        goto out;
    int rc = tsr_user_find_login(st, tenant_id, member(j, "connection_id"), email, &u);
    if (rc == TSR_ENOTFOUND || (rc == 0 && (u.email == NULL || u.email[0] == '\0')))
        goto out;
    if (rc != 0) {
        out = TSR_MAIL_RETRY;
        goto out;
    }
    rc = tsr_rate_limit_recipient(st, &tenant->limits, tenant_id, "reset", u.user_id,
                                  tsr_clock_now());
    if (rc != 0 && rc != TSR_EBUSY) { /* not counted: try again later rather than send */
        out = TSR_MAIL_RETRY;
        goto out;
    }
    bool limited = rc == TSR_EBUSY;
    if (!limited)
        rc = tsr_ticket_send_reset(app, st, tenant, &u);
    const char *client_id = member(j, "client_id"), *client_name = member(j, "client_name");
    struct tsr_event e = {
        .type = rc == 0 ? "scpr" : "fcpr",
        .description = limited   ? "Password reset mail not sent: rate limited for this account"
                       : rc == 0 ? "Password reset requested"
                                 : tsr_strerror(rc),
        .client_id = client_id[0] ? client_id : NULL,
        .client_name = client_name[0] ? client_name : NULL,
        .user_id = u.user_id,
        .user_name = u.email,
        .connection = member(j, "connection"),
        .connection_id = member(j, "connection_id"),
    };
    tsr_event_insert(st, tenant_id, member(j, "ip"), member(j, "user_agent"), &e);
out:
    tsr_user_cleanup(&u);
    tsr_tenant_set_release(set);
    json_decref(j);
    return out;
}
