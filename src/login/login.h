/*
 * login.h - Universal Login: the server-rendered pages a person sees
 * (login, signup, password reset, consent, error), one file each in
 * src/login/.  Pages work without JavaScript, escape every value they
 * show, carry a CSRF token in every form, and are never framed.
 */
#ifndef TSR_LOGIN_LOGIN_H
#define TSR_LOGIN_LOGIN_H

#include "http/request.h"

/*
 * Sends an HTML error page (tenant-branded) with status, a short title and
 * a sentence saying what happened and what to do.  Used where no
 * redirect_uri may be trusted (e.g. an unregistered redirect_uri).
 */
void tsr_login_error_page(struct tsr_req *req, unsigned status, const char *title,
                          const char *message);

#endif
