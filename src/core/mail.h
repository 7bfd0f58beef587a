/*
 * mail.h - outgoing mail (verification and password links).
 *
 * With an SMTP URL configured (TESSERA_SMTP_URL, e.g.
 * smtp://mail.example.com:587, and TESSERA_SMTP_FROM), messages are sent
 * through libcurl.  Without one, each message is written as an .eml file
 * into {data-dir}/outbox/ (0600) and a log line names the file, so a
 * developer can open the link; the log line never carries the link.
 */
#ifndef TSR_CORE_MAIL_H
#define TSR_CORE_MAIL_H

#include <stdbool.h>

#include "core/app.h"

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
 * Sends a plain-text message (UTF-8, lines ending in LF or CRLF) to one
 * recipient.  subject must be one line.  Returns 0, TSR_EINVAL (address
 * or subject with CR/LF, not an address), TSR_ENOMEM or TSR_EIO.
 */
int tsr_mail_send(const struct tsr_app *app, const char *to, const char *subject,
                  const char *text);

#endif
