/*
 * mail_queue.h - the outgoing mail queue and its worker thread.
 *
 * tsr_mail_send (mail.h) stores each message in the table mail_queue,
 * sealed under the master key, and wakes the worker; the worker, a thread
 * of its own started by `tessera serve`, hands due messages to
 * tsr_mail_deliver.  A message that fails is tried again after
 * tsr_mail_retry_delay seconds, at most TSR_MAIL_MAX_ATTEMPTS times; one
 * the relay refuses for good (an SMTP 5xx reply) is dropped at once.  Both
 * are logged without the recipient or the message.  Because the queue is
 * in the database, mail queued before a stop or a crash goes out after the
 * next start, on any node: a node takes a row by pushing its due time
 * forward by TSR_MAIL_LEASE_S, so two nodes do not send it at once (a node
 * killed while sending leaves the row to be sent again after the lease).
 */
#ifndef TSR_CORE_MAIL_QUEUE_H
#define TSR_CORE_MAIL_QUEUE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

#define TSR_MAIL_MAX_ATTEMPTS 12
/* How long a node may take to send one row before another node may take it. */
#define TSR_MAIL_LEASE_S 120
/* Most rows the queue holds; more is refused (TSR_EBUSY) until it drains. */
#define TSR_MAIL_QUEUE_MAX 10000
/* The worker looks at the queue at least this often (rows queued by other nodes). */
#define TSR_MAIL_POLL_S 30

/*
 * Seconds to wait after the attempts-th failed attempt (attempts >= 1):
 * 2, 4, 8, ... doubling up to one hour; the twelve attempts span about
 * 68 minutes.
 */
int64_t tsr_mail_retry_delay(int attempts);

/* What a row of the queue holds. */
enum tsr_mail_kind {
    TSR_MAIL_MESSAGE,        /* a built message for recipient */
    TSR_MAIL_PASSWORD_RESET, /* a reset request (core/ticket_mail.c) */
};

/*
 * Stores a row of kind with its payload (for TSR_MAIL_MESSAGE a built
 * message, tsr_mail_build, for to) sealed under the master key, and wakes
 * the worker.  to may be "" for other kinds.  Returns 0, TSR_EBUSY (the
 * queue holds TSR_MAIL_QUEUE_MAX rows), TSR_ENOMEM, TSR_ECRYPTO or the
 * store's error.
 */
int tsr_mail_enqueue(const struct tsr_app *app, tsr_store *st, enum tsr_mail_kind kind,
                     const char *to, const char *payload, size_t len);

/*
 * Delivers the rows due at now, one at a time, until none is due or
 * *cancel (may be NULL) becomes true.  *next_due receives when the next
 * row falls due (INT64_MAX when the queue is empty).  Returns how many
 * rows were sent, or a negative store error.
 */
int tsr_mail_queue_run(struct tsr_app *app, tsr_store *st, const atomic_bool *cancel, int64_t now,
                       int64_t *next_due);

/*
 * Starts the worker thread (app->mail_worker).  On failure writes one line
 * into err and returns TSR_ENOMEM or TSR_EIO.
 */
int tsr_mail_worker_start(struct tsr_app *app, char *err, size_t errlen);

/*
 * Stops the worker: a transfer in progress is abandoned (its row stays
 * due, for the next start), then the thread is joined.  No-op when not
 * started.
 */
void tsr_mail_worker_stop(struct tsr_app *app);

#endif
