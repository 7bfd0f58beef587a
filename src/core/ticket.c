/*
 * ticket.c - storing tickets.  The link carries 256 random bits; the table
 * holds only their hex SHA-256, so a copy of the database opens no
 * account.  Used tickets stay (with used_at) so that a page can tell a
 * used link from an unknown one.
 */
#include "core/ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define TICKET_BYTES 32
#define TICKET_CHARS 43 /* base64url of 32 bytes */

static const char *kind_name(enum tsr_ticket_kind kind)
{
    return kind == TSR_TICKET_EMAIL ? "email" : "password";
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

void tsr_ticket_cleanup(struct tsr_ticket *t)
{
    free(t->user_id);
    free(t->email);
    free(t->result_url);
    free(t->client_id);
    memset(t, 0, sizeof *t);
}

int tsr_ticket_create(tsr_store *st, const char *tenant_id, const char *user_id,
                      const struct tsr_ticket_opts *o, char **secret_out)
{
    *secret_out = NULL;
    char secret[TICKET_CHARS + 1];
    char hash[65];
    int64_t now = tsr_clock_now();
    int64_t ttl = o->ttl <= 0 ? TSR_TICKET_DEFAULT_TTL : o->ttl;
    if (ttl > TSR_TICKET_MAX_TTL)
        return TSR_EINVAL;
    int rc = tsr_random_token(secret, sizeof secret, TICKET_BYTES);
    if (rc == 0)
        rc = tsr_sha256_hex(secret, hash);
    /* Bounded by the rate tickets are made: each new one clears the long expired. */
    if (rc == 0)
        rc =
            tsr_store_q_run(st, NULL, TSR_Q_TICKET_PURGE, tenant_id, now - TSR_TICKET_KEEP_EXPIRED);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_TICKET_INSERT, tenant_id, hash, user_id,
                             or_empty(o->result_url), now, now + ttl, kind_name(o->kind),
                             or_empty(o->email), or_empty(o->client_id),
                             (int64_t)o->mark_email_verified, (int64_t)o->include_email);
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

/* Reads user_id, email, result_url, client_id, mark, include, used, expired. */
static int read_ticket(tsr_stmt *q, void *record)
{
    struct tsr_ticket *t = record;
    t->user_id = tsr_stmt_text_dup(q, 0);
    t->email = tsr_stmt_text_dup(q, 1);
    t->result_url = tsr_stmt_text_dup(q, 2);
    t->client_id = tsr_stmt_text_dup(q, 3);
    t->mark_email_verified = tsr_stmt_int64(q, 4) != 0;
    t->include_email = tsr_stmt_int64(q, 5) != 0;
    t->state = tsr_stmt_int64(q, 6)   ? TSR_TICKET_USED
               : tsr_stmt_int64(q, 7) ? TSR_TICKET_EXPIRED
                                      : TSR_TICKET_LIVE;
    if (t->user_id && t->email && t->result_url && t->client_id)
        return 0;
    tsr_ticket_cleanup(t);
    return TSR_ENOMEM;
}

int tsr_ticket_find(tsr_store *st, const char *tenant_id, enum tsr_ticket_kind kind,
                    const char *secret, struct tsr_ticket *out)
{
    memset(out, 0, sizeof *out);
    char hash[65];
    int rc = ticket_hash(secret, hash);
    if (rc == 0)
        rc = tsr_rows_one(st, read_ticket, out, TSR_Q_TICKET_FIND, tsr_clock_now(), tenant_id, hash,
                          kind_name(kind));
    return rc;
}

int tsr_ticket_consume(tsr_store *st, const char *tenant_id, enum tsr_ticket_kind kind,
                       const char *secret)
{
    char hash[65];
    int64_t now = tsr_clock_now();
    int rc = ticket_hash(secret, hash);
    if (rc == 0)
        rc = tsr_rows_change(st, TSR_Q_TICKET_CONSUME, now, tenant_id, hash, kind_name(kind), now);
    return rc;
}

int tsr_ticket_delete(tsr_store *st, const char *tenant_id, const char *secret)
{
    char hash[65];
    int rc = ticket_hash(secret, hash);
    if (rc == 0)
        rc = tsr_rows_change(st, TSR_Q_TICKET_DELETE, tenant_id, hash);
    return rc;
}

/* Consumes the ticket and verifies the address it names; the caller holds a transaction. */
static int verify_in_tx(tsr_store *st, const char *tenant_id, const char *secret)
{
    struct tsr_ticket t;
    int rc = tsr_ticket_find(st, tenant_id, TSR_TICKET_EMAIL, secret, &t);
    if (rc == 0 && t.state != TSR_TICKET_LIVE)
        rc = TSR_ENOTFOUND;
    if (rc == 0)
        rc = tsr_ticket_consume(st, tenant_id, TSR_TICKET_EMAIL, secret);
    /* An empty ticket email matches no user's: such a ticket verifies nothing. */
    if (rc == 0) {
        rc = tsr_rows_change(st, TSR_Q_TICKET_VERIFY_EMAIL, tsr_clock_now(), tenant_id, t.user_id,
                             t.email);
        if (rc == TSR_ENOTFOUND)
            rc = TSR_ECONFLICT; /* the ticket was live: the user's address is another now */
    }
    tsr_ticket_cleanup(&t);
    return rc;
}

int tsr_ticket_verify_email(tsr_store *st, const char *tenant_id, const char *secret)
{
    int rc = tsr_store_begin(st);
    if (rc != 0)
        return rc;
    return tsr_store_finish(st, verify_in_tx(st, tenant_id, secret));
}
