/*
 * mail.h - outgoing mail (verification and password links).
 *
 * Handlers call tsr_mail_send, which builds the message and puts it into
 * the mail queue (mail_queue.c, table mail_queue); a worker thread takes it
 * from there, so no HTTP answer waits for a mail relay.  The worker hands
 * each message to tsr_mail_deliver: with an SMTP URL configured
 * (TESSERA_SMTP_URL, e.g. smtp://mail.example.com:587, and
 * TESSERA_SMTP_FROM) it goes out through libcurl; without one it is
 * written as an .eml file into {data-dir}/outbox/ (0600) and a log line
 * names the file, so a developer can open the link; the log line never
 * carries the link.
 *
 * Transport: smtps:// is TLS from the first byte; smtp:// must switch to
 * TLS with STARTTLS before anything is sent, unless the host is a loopback
 * address literal (127.0.0.0/8, [::1]) or --smtp-allow-plaintext is set
 * (see tsr_mail_tls_required).  Certificates are always verified.
 */
#ifndef TSR_CORE_MAIL_H
#define TSR_CORE_MAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"
#include "core/app.h"
#include "store/store.h"

/* Longest address accepted (RFC 5321's path limit). */
#define TSR_MAIL_ADDRESS_MAX 254

/*
 * True for a plain address "local@domain": at most TSR_MAIL_ADDRESS_MAX
 * bytes, one '@' with text on both sides, a domain with a dot or
 * "localhost", and no spaces, control characters or the characters
 * <>()[],;:\" that would let it smuggle another header or recipient.
 */
bool tsr_mail_address_ok(const char *addr);

/*
 * Queues a plain-text message (UTF-8, lines ending in LF or CRLF) to one
 * recipient, for the mail worker to deliver (see mail_queue.h); returns as
 * soon as the message is stored.  subject must be one line.  st is the
 * calling thread's store.  Returns 0, TSR_EINVAL (address or subject with
 * CR/LF, not an address), TSR_EBUSY (the queue is full), TSR_ENOMEM,
 * TSR_ECRYPTO or the store's error.
 */
int tsr_mail_send(const struct tsr_app *app, tsr_store *st, const char *to, const char *subject,
                  const char *text);

/*
 * Builds the message: headers (From, To, Subject, Date, Message-ID,
 * MIME) and the body with CRLF line ends.  *out is a new string of *outlen
 * bytes (caller wipes and frees).  Returns 0, TSR_EINVAL, TSR_ENOMEM,
 * TSR_ECRYPTO or TSR_EIO.
 */
int tsr_mail_build(const struct tsr_settings *s, const char *to, const char *subject,
                   const char *text, char **out, size_t *outlen);

/* What tsr_mail_deliver reports besides 0. */
#define TSR_MAIL_RETRY 1     /* not delivered this time; try again later */
#define TSR_MAIL_PERMANENT 2 /* the relay refused the message for good (5xx) */

/*
 * Delivers one built message to to: over SMTP when s->smtp_url is set,
 * else into the outbox.  A transfer in progress is abandoned as soon as
 * *cancel (may be NULL) becomes true.  Blocks for at most about
 * TSR_MAIL_SMTP_TIMEOUT_S seconds.  Returns 0, TSR_MAIL_RETRY or
 * TSR_MAIL_PERMANENT.
 */
#define TSR_MAIL_SMTP_TIMEOUT_S 10
int tsr_mail_deliver(const struct tsr_settings *s, const char *to, const char *msg, size_t len,
                     const atomic_bool *cancel);

/*
 * The transport rule for an SMTP URL: true when the connection must be
 * TLS (smtps://, or STARTTLS required), false when plaintext is allowed:
 * only for smtp:// to a loopback address literal (127.0.0.0/8, [::1]), or
 * for any smtp:// host when allow_plaintext (--smtp-allow-plaintext).  A
 * host name, even "localhost", is not a loopback literal: what it resolves
 * to is not under the server's control.
 */
bool tsr_mail_tls_required(const char *smtp_url, bool allow_plaintext);

#endif
