/*
 * authorize.h - the authorization endpoint (/authorize) and how a
 * finished login continues it.
 */
#ifndef TSR_AUTHN_AUTHORIZE_H
#define TSR_AUTHN_AUTHORIZE_H

#include "core/login_tx.h"
#include "core/session.h"
#include "http/request.h"

/* GET and POST /authorize. */
void tsr_authn_authorize(struct tsr_req *req);

/*
 * Continues a transaction once the person is known (s is the session the
 * login page just started, or the existing one): shows the consent page
 * when consent is missing, otherwise issues the code and sends the
 * response to the redirect_uri in the requested response_mode.
 */
void tsr_authorize_resume(struct tsr_req *req, struct tsr_login_tx *tx,
                          const struct tsr_session *s);

/* Records the consent the person just gave on the consent page, then resumes. */
void tsr_authorize_consented(struct tsr_req *req, struct tsr_login_tx *tx,
                             const struct tsr_session *s);

/*
 * Ends a transaction with an OAuth error sent to its (validated)
 * redirect_uri, e.g. access_denied when the person declines consent.
 */
void tsr_authorize_fail(struct tsr_req *req, struct tsr_login_tx *tx, const char *error,
                        const char *description);

#endif
