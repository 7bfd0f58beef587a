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

#include "core/app.h"

/*
 * Sends a plain-text message to one recipient.  Returns 0, TSR_EINVAL
 * (address with CR/LF or not an address) or TSR_EIO.
 */
int tsr_mail_send(const struct tsr_app *app, const char *to, const char *subject,
                  const char *text);

#endif
