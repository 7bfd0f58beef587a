/*
 * ticket.c - password change tickets.  The link carries 256 random bits;
 * the table holds only their hex SHA-256, so a copy of the database opens
 * no account.
 */
#include "core/ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mail.h"
#include "core/rows.h"
#include "util/err.h"
#include "util/secure.h"

#define TICKET_BYTES 32
#define TICKET_CHARS 43 /* base64url of 32 bytes */

int tsr_ticket_create(tsr_store *st, const char *tenant_id, const char *user_id,
                      const char *result_url, int64_t ttl, char **secret_out)
{
    *secret_out = NULL;
    char secret[TICKET_CHARS + 1];
    char hash[65];
    int64_t now = (int64_t)time(NULL);
    if (ttl <= 0)
        ttl = TSR_TICKET_DEFAULT_TTL;
    int rc = tsr_random_token(secret, sizeof secret, TICKET_BYTES);
    if (rc == 0)
        rc = tsr_sha256_hex(secret, hash);
    if (rc == 0)
        rc = tsr_store_run(st, NULL,
                           "INSERT INTO password_tickets (tenant_id, ticket, user_id, result_url, "
                           "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                           "ssssii", tenant_id, hash, user_id, result_url ? result_url : "", now,
                           now + ttl);
    if (rc == 0 && (*secret_out = strdup(secret)) == NULL)
        rc = TSR_ENOMEM;
    tsr_wipe(secret, sizeof secret);
    return rc;
}

/* The lookup hash of a secret from a link; TSR_ENOTFOUND for what cannot be one. */
static int ticket_hash(const char *secret, char hash[65])
{
    if (secret == NULL || strlen(secret) != TICKET_CHARS)
        return TSR_ENOTFOUND;
    return tsr_sha256_hex(secret, hash);
}

struct found {
    char *user_id;
    char *result_url;
};

static int read_found(tsr_stmt *q, void *record)
{
    struct found *f = record;
    f->user_id = tsr_stmt_text_dup(q, 0);
    f->result_url = tsr_stmt_text_dup(q, 1);
    if (f->user_id && f->result_url)
        return 0;
    free(f->user_id);
    free(f->result_url);
    return TSR_ENOMEM;
}

int tsr_ticket_find(tsr_store *st, const char *tenant_id, const char *secret, char **user_id,
                    char **result_url)
{
    *user_id = NULL;
    *result_url = NULL;
    char hash[65];
    struct found f = {0};
    int rc = ticket_hash(secret, hash);
    if (rc == 0)
        rc = tsr_rows_one(st, read_found, &f,
                          "SELECT user_id, result_url FROM password_tickets WHERE tenant_id = ? "
                          "AND ticket = ? AND used_at IS NULL AND expires_at > ?",
                          "ssi", tenant_id, hash, (int64_t)time(NULL));
    if (rc == 0) {
        *user_id = f.user_id;
        *result_url = f.result_url;
    }
    return rc;
}

/* The WHERE clause makes the check and the write one step: two racing uses cannot both win. */
int tsr_ticket_consume(tsr_store *st, const char *tenant_id, const char *secret)
{
    char hash[65];
    int64_t now = (int64_t)time(NULL);
    int rc = ticket_hash(secret, hash);
    if (rc == 0)
        rc = tsr_rows_change(st,
                             "UPDATE password_tickets SET used_at = ? WHERE tenant_id = ? AND "
                             "ticket = ? AND used_at IS NULL AND expires_at > ?",
                             "issi", now, tenant_id, hash, now);
    return rc;
}

int tsr_ticket_send_reset(const struct tsr_app *app, tsr_store *st,
                          const struct tsr_tenant_ctx *tenant, const struct tsr_user *u)
{
    char *secret = NULL, *text = NULL;
    if (u->email == NULL || u->email[0] == '\0')
        return TSR_EINVAL;
    int rc = tsr_ticket_create(st, tenant->t.id, u->user_id, NULL, TSR_TICKET_DEFAULT_TTL,
                               &secret);
    if (rc != 0)
        return rc;
    const char *name = tenant->t.friendly_name && tenant->t.friendly_name[0]
                           ? tenant->t.friendly_name
                           : "Tessera";
    size_t len = strlen(tenant->t.issuer) + strlen(secret) + strlen(name) + strlen(u->email) + 512;
    text = malloc(len);
    if (text == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    snprintf(text, len,
             "Hello,\n\n"
             "Someone asked to reset the password of your %s account (%s).\n"
             "To choose a new password, open this link:\n\n"
             "%su/reset-password?ticket=%s\n\n"
             "The link works once and expires in 5 days. If you did not ask for it, ignore\n"
             "this message: your password stays the same.\n",
             name, u->email, tenant->t.issuer, secret);
    rc = tsr_mail_send(app, u->email, "Reset your password", text);
out:
    tsr_wipe_free_str(text);
    tsr_wipe_free_str(secret);
    return rc;
}
