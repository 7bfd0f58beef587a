/*
 * ticket.h - password change tickets: single-use links that let a user
 * choose a new password (/u/reset-password?ticket=...).  Only the hash of
 * the link's secret is stored.
 */
#ifndef TSR_CORE_TICKET_H
#define TSR_CORE_TICKET_H

#include <stdint.h>

#include "core/app.h"
#include "core/user.h"
#include "store/store.h"

/* Lifetime of a password change link when none is asked for (5 days, as Auth0). */
#define TSR_TICKET_DEFAULT_TTL 432000

/*
 * Creates a ticket for user_id valid for ttl seconds; *secret_out receives
 * the link's secret (caller wipes and frees).  result_url (may be NULL) is
 * where the page sends the user afterwards.
 */
int tsr_ticket_create(tsr_store *st, const char *tenant_id, const char *user_id,
                      const char *result_url, int64_t ttl, char **secret_out);

/*
 * Looks up an unused, unexpired ticket by its secret.  *user_id and
 * *result_url receive new strings (caller frees).  Returns 0 or
 * TSR_ENOTFOUND.
 */
int tsr_ticket_find(tsr_store *st, const char *tenant_id, const char *secret, char **user_id,
                    char **result_url);

/* Marks the ticket used (single use).  Returns 0 or TSR_ENOTFOUND when already used. */
int tsr_ticket_consume(tsr_store *st, const char *tenant_id, const char *secret);

/*
 * Creates a ticket (default lifetime) for u and mails its link,
 * {issuer}u/reset-password?ticket=<secret>, to u's email.  The secret is
 * wiped before returning.  Returns 0, TSR_EINVAL (u has no email), the
 * store's error or tsr_mail_send's.
 */
int tsr_ticket_send_reset(const struct tsr_app *app, tsr_store *st,
                          const struct tsr_tenant_ctx *tenant, const struct tsr_user *u);

#endif
