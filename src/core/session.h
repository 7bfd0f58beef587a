/*
 * session.h - login sessions (SSO).  The browser holds a random cookie
 * value; the database holds its SHA-256 and the public sid that ID tokens
 * carry.  A session ends at its absolute lifetime or after the idle
 * lifetime without use (tenant settings).
 */
#ifndef TSR_CORE_SESSION_H
#define TSR_CORE_SESSION_H

#include <stdint.h>

#include "http/request.h"

#define TSR_SESSION_COOKIE "tsr_session"

struct tsr_session {
    char *sid;
    char *user_id;
    int64_t auth_time;
    int64_t created_at;
    int64_t expires_at;
};

void tsr_session_cleanup(struct tsr_session *s);

/*
 * Starts a session for user_id on the request's tenant (auth_time now)
 * and sets the session cookie on the response.  Replaces (deletes) the
 * session the request came with, so a login never keeps an old session
 * id (session fixation).
 */
int tsr_session_start(struct tsr_req *req, const char *user_id, struct tsr_session *out);

/*
 * Loads the live session named by the request's cookie and records its
 * use.  Returns 0, TSR_ENOTFOUND (no cookie, unknown, expired or idle) or
 * the store's error.
 */
int tsr_session_current(struct tsr_req *req, struct tsr_session *out);

/* Ends the request's session (deletes it, clears the cookie); no session is fine. */
int tsr_session_end(struct tsr_req *req, struct tsr_session *ended);

#endif
