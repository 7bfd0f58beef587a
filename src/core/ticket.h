/*
 * ticket.h - tickets: single-use links for one user.  Two kinds share the
 * password_tickets table: a password change ticket lets the user choose a
 * new password ({issuer}u/reset-password?ticket=...), an email
 * verification ticket confirms the user's email address
 * ({issuer}u/email-verification?ticket=...).  Only the hash of the link's
 * secret is stored; a lookup always names the kind, so one kind's link
 * never works as the other.
 *
 * Storage is in ticket.c, the links and result_url redirects in
 * ticket_url.c, mailing a link in ticket_mail.c.
 */
#ifndef TSR_CORE_TICKET_H
#define TSR_CORE_TICKET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/app.h"
#include "core/connection.h"
#include "core/user.h"
#include "core/who.h"
#include "store/store.h"


/* Lifetime of a link when none is asked for (5 days, as Auth0). */
#define TSR_TICKET_DEFAULT_TTL 432000
/* Longest lifetime a caller may ask for (30 days): a link in a mailbox is a standing credential. */
#define TSR_TICKET_MAX_TTL 2592000
/*
 * How long a ticket is kept after it expires (7 days), so that its page can
 * still say "expired" rather than "not valid"; older ones are deleted when
 * a new ticket of the tenant is made.
 */
#define TSR_TICKET_KEEP_EXPIRED 604800

enum tsr_ticket_kind {
    TSR_TICKET_PASSWORD,
    TSR_TICKET_EMAIL,
};

/* What a new ticket carries besides its user.  Pointers may be NULL. */
struct tsr_ticket_opts {
    enum tsr_ticket_kind kind;
    const char *email;        /* the address the link is for (the user's, at creation) */
    const char *result_url;   /* where the page sends the user afterwards */
    const char *client_id;    /* the application named by the caller, for the event log */
    int64_t ttl;              /* seconds; <= 0 for TSR_TICKET_DEFAULT_TTL */
    bool mark_email_verified; /* password kind: also verify email when the password changes */
    bool include_email;       /* add email=... to the result_url redirect */
};

enum tsr_ticket_state {
    TSR_TICKET_LIVE,
    TSR_TICKET_USED,
    TSR_TICKET_EXPIRED,
};

/* A stored ticket (strings are "" when unset). */
struct tsr_ticket {
    enum tsr_ticket_state state;
    char *user_id;
    char *email;
    char *result_url;
    char *client_id;
    bool mark_email_verified;
    bool include_email;
};

void tsr_ticket_cleanup(struct tsr_ticket *t);

/*
 * Creates a ticket for user_id; *secret_out receives the link's secret
 * (caller wipes and frees).  Deletes the tenant's tickets expired more
 * than TSR_TICKET_KEEP_EXPIRED ago.  Returns 0, TSR_EINVAL (ttl over
 * TSR_TICKET_MAX_TTL) or the store's error.
 */
int tsr_ticket_create(tsr_store *st, const char *tenant_id, const char *user_id,
                      const struct tsr_ticket_opts *o, char **secret_out);

/*
 * Looks up a ticket of kind by its secret, whatever its state (used and
 * expired tickets are reported as such, so a page can say why a link
 * fails).  Returns 0 or TSR_ENOTFOUND (unknown, malformed, other kind).
 */
int tsr_ticket_find(tsr_store *st, const char *tenant_id, enum tsr_ticket_kind kind,
                    const char *secret, struct tsr_ticket *out);

/*
 * Marks a live ticket of kind used (single use).  The check and the write
 * are one statement, so two racing uses cannot both win.  Returns 0 or
 * TSR_ENOTFOUND (used, expired, unknown).
 */
int tsr_ticket_consume(tsr_store *st, const char *tenant_id, enum tsr_ticket_kind kind,
                       const char *secret);

/* Deletes a ticket (one whose link could not be sent).  Returns 0 or TSR_ENOTFOUND. */
int tsr_ticket_delete(tsr_store *st, const char *tenant_id, const char *secret);

/*
 * Uses an email verification ticket: in one transaction, consumes it and
 * sets email_verified on its user, provided the user's email is still the
 * one the ticket was made for.  Returns 0, TSR_ENOTFOUND (not live) or
 * TSR_ECONFLICT (the user's email changed since; nothing is written).
 */
int tsr_ticket_verify_email(tsr_store *st, const char *tenant_id, const char *secret);

/* The link of a ticket: {issuer}u/reset-password?ticket=S or u/email-verification?ticket=S. */
char *tsr_ticket_url(const char *issuer, enum tsr_ticket_kind kind, const char *secret);

/*
 * result_url with the outcome appended to its query, as Auth0 sends it:
 * success=true|false&message=<message>[&email=<email>] (email may be
 * NULL).  Returns a new string or NULL when out of memory.
 */
char *tsr_ticket_result_url(const char *result_url, bool success, const char *message,
                            const char *email);

/*
 * Creates a password change ticket (default lifetime) for u and queues a
 * mail with its link to u's email (core/mail_queue.h: the call never waits
 * for a mail relay).  The secret is wiped before returning; a ticket whose
 * mail could not be queued is deleted.  Returns 0, TSR_EINVAL (u has no
 * email), the store's error or tsr_mail_send's.
 */
int tsr_ticket_send_reset(const struct tsr_app *app, tsr_store *st,
                          const struct tsr_tenant_ctx *tenant, const struct tsr_user *u);

/*
 * Queues a request for a password reset link to email in connection c,
 * made by req (client_id, client_name may be NULL): one sealed row in the
 * mail queue whether or not an account has that email, so neither the
 * answer nor its time says which.  The mail worker looks the account up
 * (tsr_ticket_reset_from_queue).  Returns 0 or tsr_mail_enqueue's error.
 */
int tsr_ticket_queue_reset(const struct tsr_who *w, const struct tsr_connection *c,
                           const char *email, const char *client_id, const char *client_name);

/*
 * The mail worker's half of tsr_ticket_queue_reset: finds the account;
 * when it has an email, sends it a reset link (tsr_ticket_send_reset) and
 * records scpr, or fcpr when that fails; an unknown account gets nothing.
 * Returns 0 (done) or TSR_MAIL_RETRY (the store failed; try again later).
 */
int tsr_ticket_reset_from_queue(struct tsr_app *app, tsr_store *st, const char *payload);

/*
 * The same for an email verification ticket (default lifetime); client_id
 * (may be NULL) is recorded with the ticket.
 */
int tsr_ticket_send_verification(const struct tsr_app *app, tsr_store *st,
                                 const struct tsr_tenant_ctx *tenant, const struct tsr_user *u,
                                 const char *client_id);

/*
 * After a signup or an account creation, as Auth0 does: mails u a
 * verification link when it has an email that is not verified yet, and
 * records svr (queued) or fvr (not queued).  A mail that cannot be queued never
 * fails the caller: the account exists either way.
 */
void tsr_ticket_send_welcome(const struct tsr_who *w, const struct tsr_user *u,
                             const char *client_id);

/*
 * After a wrong password for identifier in connection c from ip: when that
 * failure is the one that locked the account for ip (core/lockout.h),
 * queues a notice to its owner with a password reset link, once per lock.
 * A mail that cannot be queued is logged, never returned.  Also called
 * after an unknown identifier, where it finds nothing to lock, so that a
 * failed login does the same work whether or not the account exists.
 */
void tsr_ticket_send_lock_notice(const struct tsr_who *w, const struct tsr_connection *c,
                                 const char *identifier, const char *ip);

#endif
