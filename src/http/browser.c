#include "http/browser.h"

#include <stdbool.h>

#include "http/cookie.h"
#include "util/secure.h"

/* The request's cookie name into buf (TSR_COOKIE_MAX_VALUE + 1 bytes), or NULL when absent. */
static const char *cookie(struct tsr_req *req, const char *name, char *buf, size_t len)
{
    return tsr_cookie_get(req, name, buf, len) == 0 ? buf : NULL;
}

int tsr_browser_session_start(struct tsr_req *req, const char *user_id, struct tsr_session *out)
{
    char old[TSR_COOKIE_MAX_VALUE + 1], value[64];
    const struct tsr_who *w = tsr_req_who(req);
    int rc =
        tsr_session_start(w, cookie(req, TSR_SESSION_COOKIE, old, sizeof old), user_id, out, value);
    if (rc == 0)
        tsr_cookie_set(req, TSR_SESSION_COOKIE, value, w->tenant->t.session_lifetime);
    tsr_wipe(old, sizeof old);
    tsr_wipe(value, sizeof value);
    return rc;
}

int tsr_browser_session_current(struct tsr_req *req, struct tsr_session *out)
{
    char value[TSR_COOKIE_MAX_VALUE + 1];
    int rc = tsr_session_current(tsr_req_who(req),
                                 cookie(req, TSR_SESSION_COOKIE, value, sizeof value), out);
    tsr_wipe(value, sizeof value);
    return rc;
}

int tsr_browser_session_end(struct tsr_req *req, struct tsr_session *ended)
{
    char value[TSR_COOKIE_MAX_VALUE + 1];
    bool forget = false;
    int rc = tsr_session_end(tsr_req_who(req), cookie(req, TSR_SESSION_COOKIE, value, sizeof value),
                             ended, &forget);
    if (forget)
        tsr_cookie_set(req, TSR_SESSION_COOKIE, "", 0);
    tsr_wipe(value, sizeof value);
    return rc;
}

int tsr_browser_login_tx_create(struct tsr_req *req, const struct tsr_authz_request *ar,
                                char **handle_out)
{
    char value[TSR_COOKIE_MAX_VALUE + 1], fresh[64];
    int rc =
        tsr_login_tx_create(tsr_req_who(req), cookie(req, TSR_LOGIN_TX_COOKIE, value, sizeof value),
                            ar, handle_out, fresh);
    if (rc == 0 && fresh[0] != '\0')
        tsr_cookie_set(req, TSR_LOGIN_TX_COOKIE, fresh, -1);
    tsr_wipe(value, sizeof value);
    tsr_wipe(fresh, sizeof fresh);
    return rc;
}

int tsr_browser_login_tx_load(struct tsr_req *req, const char *handle, struct tsr_login_tx *out)
{
    char value[TSR_COOKIE_MAX_VALUE + 1];
    int rc = tsr_login_tx_load(tsr_req_who(req),
                               cookie(req, TSR_LOGIN_TX_COOKIE, value, sizeof value), handle, out);
    tsr_wipe(value, sizeof value);
    return rc;
}
