/*
 * session.h - login sessions (SSO).  The browser holds a random cookie
 * value; the database holds its SHA-256 and the public sid that ID tokens
 * carry.  A session ends at its absolute lifetime or after the idle
 * lifetime without use (tenant settings).
 */
#ifndef TSR_CORE_SESSION_H
#define TSR_CORE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/who.h"

struct tsr_session {
    char *sid;
    char *user_id;
    int64_t auth_time;
    int64_t created_at;
    int64_t expires_at;
};

void tsr_session_cleanup(struct tsr_session *s);

/*
 * Starts a session for user_id on the tenant (auth_time now); value
 * receives the browser's new session cookie (the caller sets and wipes
 * it).  Replaces (deletes) the session of cookie, the browser's old one
 * (NULL: none), so a login never keeps an old session id (session
 * fixation).
 */
int tsr_session_start(const struct tsr_who *w, const char *cookie, const char *user_id,
                      struct tsr_session *out, char value[64]);

/*
 * Loads the live session named by the browser's cookie (NULL: none) and
 * records its use.  Returns 0, TSR_ENOTFOUND (no cookie, unknown, expired
 * or idle) or the store's error.
 */
int tsr_session_current(const struct tsr_who *w, const char *cookie, struct tsr_session *out);

/*
 * Ends the session of cookie (deletes it); no session is fine.  *forget
 * is true when the browser's cookie is to be cleared.
 */
int tsr_session_end(const struct tsr_who *w, const char *cookie, struct tsr_session *ended,
                    bool *forget);

#endif
