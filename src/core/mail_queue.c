/*
 * mail_queue.c - the outgoing mail queue (table mail_queue) and the worker
 * thread that empties it (see mail_queue.h).
 *
 * Contents: queueing (tsr_mail_send, tsr_mail_enqueue); one pass over the
 * due rows (tsr_mail_queue_run); the worker thread.
 */
#include "core/mail_queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mail.h"
#include "core/masterkey.h"
#include "core/ticket.h"
#include "store/queries.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

#define ID_LEN 24
#define CONTEXT_MAX (16 + ID_LEN)
#define MAX_DELAY_S 3600

struct tsr_mail_worker {
    struct tsr_app *app;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    bool pending;        /* a message was queued since the last pass (under lock) */
    atomic_bool stop;
};

/* The sealing context binds a sealed message to its row. */
static void context_of(const char *id, char out[CONTEXT_MAX + 1])
{
    snprintf(out, CONTEXT_MAX + 1, "mail-queue:%s", id);
}

int64_t tsr_mail_retry_delay(int attempts)
{
    if (attempts < 1)
        attempts = 1;
    if (attempts > 12) /* 2 << 11 already passes the cap */
        return MAX_DELAY_S;
    int64_t d = (int64_t)2 << (attempts - 1);
    return d < MAX_DELAY_S ? d : MAX_DELAY_S;
}

static void wake_worker(struct tsr_mail_worker *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->pending = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

static const char *kind_name(enum tsr_mail_kind kind)
{
    return kind == TSR_MAIL_PASSWORD_RESET ? "password_reset" : "message";
}

int tsr_mail_enqueue(const struct tsr_app *app, tsr_store *st, enum tsr_mail_kind kind,
                     const char *to, const char *payload, size_t len)
{
    char id[ID_LEN + 1], context[CONTEXT_MAX + 1];
    char *sealed = NULL;
    if (tsr_random_alnum(id, ID_LEN) != 0)
        return TSR_ECRYPTO;
    context_of(id, context);
    int rc = tsr_seal(app->master_key, context, (const uint8_t *)payload, len, &sealed);
    if (rc != 0)
        return rc;
    int64_t now = tsr_clock_now(), added = 0;
    /* Bounded: callers without an account can queue reset requests. */
    rc = tsr_store_q_run(st, &added, TSR_Q_MAIL_QUEUE_INSERT, id, kind_name(kind), to, sealed, now,
                         now, (int64_t)TSR_MAIL_QUEUE_MAX);
    free(sealed);
    if (rc == 0 && added == 0) {
        tsr_log(TSR_LOG_ERROR, "mail queue is full; message refused",
                json_pack("{s:i}", "max", TSR_MAIL_QUEUE_MAX));
        return TSR_EBUSY;
    }
    if (rc == 0)
        wake_worker(app->mail_worker);
    return rc;
}

int tsr_mail_send(const struct tsr_app *app, tsr_store *st, const char *to, const char *subject,
                  const char *text)
{
    char *msg = NULL;
    size_t len = 0;
    int rc = tsr_mail_build(&app->settings, to, subject, text, &msg, &len);
    if (rc != 0)
        return rc;
    rc = tsr_mail_enqueue(app, st, TSR_MAIL_MESSAGE, to, msg, len);
    /* The message holds a password link: wipe it. */
    tsr_wipe(msg, len);
    free(msg);
    return rc;
}

/* ---- one pass ---- */

/* One due row, copied out of the statement. */
struct row {
    char *id, *kind, *recipient, *sealed;
    int64_t attempts, due;
};

static void row_cleanup(struct row *r)
{
    free(r->id);
    free(r->kind);
    free(r->recipient);
    free(r->sealed);
    memset(r, 0, sizeof *r);
}

/* The oldest due row: 0, TSR_ENOTFOUND (*next_due set) or an error. */
static int next_row(tsr_store *st, int64_t now, struct row *r, int64_t *next_due)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_MAIL_QUEUE_DUE, now);
    if (rc != 0)
        return rc;
    int step = tsr_stmt_step(q);
    if (step == TSR_STORE_ROW) {
        r->id = tsr_stmt_text_dup(q, 0);
        r->recipient = tsr_stmt_text_dup(q, 1);
        r->sealed = tsr_stmt_text_dup(q, 2);
        r->attempts = tsr_stmt_int64(q, 3);
        r->due = tsr_stmt_int64(q, 4);
        r->kind = tsr_stmt_text_dup(q, 5);
        rc = r->id && r->recipient && r->sealed && r->kind ? 0 : TSR_ENOMEM;
    } else {
        rc = step == TSR_STORE_DONE ? TSR_ENOTFOUND : step;
    }
    tsr_stmt_finalize(q);
    if (rc != TSR_ENOTFOUND)
        return rc;
    *next_due = INT64_MAX;
    q = NULL;
    if (tsr_store_q(st, &q, TSR_Q_MAIL_QUEUE_NEXT_AT) == 0 && tsr_stmt_step(q) == TSR_STORE_ROW &&
        !tsr_stmt_is_null(q, 0))
        *next_due = tsr_stmt_int64(q, 0);
    tsr_stmt_finalize(q);
    return TSR_ENOTFOUND;
}

static int drop(tsr_store *st, const char *id)
{
    return tsr_store_q_run(st, NULL, TSR_Q_MAIL_QUEUE_DELETE, id);
}

static int reschedule(tsr_store *st, const char *id, int64_t attempts, int64_t due)
{
    return tsr_store_q_run(st, NULL, TSR_Q_MAIL_QUEUE_RESCHEDULE, attempts, due, id);
}

/* Sends one claimed row and records the outcome.  Returns 1 when sent, 0 when not, or an error. */
static int send_row(struct tsr_app *app, tsr_store *st, const struct row *r,
                    const atomic_bool *cancel, int64_t now)
{
    char context[CONTEXT_MAX + 1];
    uint8_t *msg = NULL;
    size_t len = 0;
    context_of(r->id, context);
    if (tsr_unseal(app->master_key, context, r->sealed, &msg, &len) != 0) {
        /* Sealed under another master key or damaged: it can never be sent. */
        tsr_log(TSR_LOG_ERROR, "queued mail cannot be opened with this master key; dropped",
                json_pack("{s:s}", "mail_id", r->id));
        return drop(st, r->id);
    }
    int out = strcmp(r->kind, "password_reset") == 0
                  ? tsr_ticket_reset_from_queue(app, st, (const char *)msg)
                  : tsr_mail_deliver(&app->settings, r->recipient, (const char *)msg, len, cancel);
    tsr_wipe(msg, len);
    free(msg);
    int64_t attempts = r->attempts + 1;
    if (out == 0)
        return drop(st, r->id) == 0 ? 1 : TSR_ESTORE;
    if (cancel != NULL && atomic_load(cancel)) /* stopping: due again at the next start */
        return reschedule(st, r->id, r->attempts, now);
    if (out == TSR_MAIL_PERMANENT || attempts >= TSR_MAIL_MAX_ATTEMPTS) {
        tsr_log(TSR_LOG_ERROR, "mail not delivered; dropped",
                json_pack("{s:s, s:I, s:s}", "mail_id", r->id, "attempts", (json_int_t)attempts,
                          "reason",
                          out == TSR_MAIL_PERMANENT ? "refused by the relay"
                                                    : "too many failed attempts"));
        return drop(st, r->id);
    }
    int64_t delay = tsr_mail_retry_delay((int)attempts);
    tsr_log(TSR_LOG_INFO, "mail will be retried",
            json_pack("{s:s, s:I, s:I}", "mail_id", r->id, "attempts", (json_int_t)attempts,
                      "retry_in_s", (json_int_t)delay));
    return reschedule(st, r->id, attempts, now + delay);
}

int tsr_mail_queue_run(struct tsr_app *app, tsr_store *st, const atomic_bool *cancel, int64_t now,
                       int64_t *next_due)
{
    int sent = 0;
    *next_due = INT64_MAX;
    while (cancel == NULL || !atomic_load(cancel)) {
        struct row r = {0};
        int rc = next_row(st, now, &r, next_due);
        if (rc == TSR_ENOTFOUND)
            break;
        if (rc != 0) {
            row_cleanup(&r);
            return rc;
        }
        /* Take the row: push it past the lease, unless another node moved it first. */
        int64_t changed = 0;
        rc = tsr_store_q_run(st, &changed, TSR_Q_MAIL_QUEUE_CLAIM, now + TSR_MAIL_LEASE_S, r.id,
                             r.due);
        if (rc == 0 && changed == 1)
            rc = send_row(app, st, &r, cancel, now);
        row_cleanup(&r);
        if (rc < 0)
            return rc;
        sent += rc;
        now = tsr_clock_now();
    }
    return sent;
}

/* ---- the worker ---- */

/* Waits until woken, stopped, or `seconds` have passed. */
static void wait_for_work(struct tsr_mail_worker *w, int64_t seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&w->lock);
    while (!w->pending && !atomic_load(&w->stop)) {
        if (pthread_cond_timedwait(&w->wake, &w->lock, &until) == ETIMEDOUT)
            break;
    }
    w->pending = false;
    pthread_mutex_unlock(&w->lock);
}

static void *worker_main(void *arg)
{
    struct tsr_mail_worker *w = arg;
    while (!atomic_load(&w->stop)) {
        int64_t next_due = INT64_MAX, now = tsr_clock_now();
        tsr_store *st = tsr_app_store(w->app);
        int rc = st ? tsr_mail_queue_run(w->app, st, &w->stop, now, &next_due) : TSR_ESTORE;
        if (rc < 0)
            tsr_log(TSR_LOG_ERROR, "mail queue: cannot read the queue",
                    json_pack("{s:s}", "error", tsr_errname(rc)));
        int64_t wait = TSR_MAIL_POLL_S;
        if (rc >= 0 && next_due != INT64_MAX && next_due - now < wait)
            wait = next_due - now > 0 ? next_due - now : 1;
        wait_for_work(w, wait);
    }
    tsr_app_store_release();
    return NULL;
}

int tsr_mail_worker_start(struct tsr_app *app, char *err, size_t errlen)
{
    struct tsr_mail_worker *w = calloc(1, sizeof *w);
    pthread_condattr_t ca;
    if (w == NULL) {
        snprintf(err, errlen, "mail queue: out of memory");
        return TSR_ENOMEM;
    }
    w->app = app;
    atomic_init(&w->stop, false);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &ca);
    pthread_condattr_destroy(&ca);
    const struct tsr_settings *s = &app->settings;
    /* Say so when the opt-out is what lets this relay go without TLS. */
    if (s->smtp_url[0] != '\0' && s->smtp_allow_plaintext &&
        tsr_mail_tls_required(s->smtp_url, false) && !tsr_mail_tls_required(s->smtp_url, true))
        tsr_log(TSR_LOG_WARN, "settings",
                json_pack("{s:s}", "detail",
                          "--smtp-allow-plaintext: mail to the SMTP server may travel without "
                          "TLS; reset links can be read on the network"));
    /* Set before the thread runs, so a message queued from now on wakes it. */
    app->mail_worker = w;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        app->mail_worker = NULL;
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        snprintf(err, errlen, "mail queue: cannot start the worker thread");
        return TSR_EIO;
    }
    return 0;
}

void tsr_mail_worker_stop(struct tsr_app *app)
{
    struct tsr_mail_worker *w = app->mail_worker;
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->stop, true);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    app->mail_worker = NULL;
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
