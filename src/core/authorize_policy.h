/*
 * authorize_policy.h - what /authorize decides, as functions of plain
 * values: the request as read (struct tsr_authz_request), the client
 * record, a session's user and auth_time, and the time now.  The handler
 * (authn/authorize.c) loads records, calls these in order, and turns each
 * verdict into a page, a redirect or an OAuth error.
 *
 * The order is the protocol's: the client and its redirect_uri first
 * (until both are known good every refusal is an error page, never a
 * redirect: RFC 6749 section 4.1.2.1, RFC 9700 section 4.11), then the
 * request, audience and connection (refusals go to the redirect_uri), then
 * the session, consent and prompt.
 */
#ifndef TSR_CORE_AUTHORIZE_POLICY_H
#define TSR_CORE_AUTHORIZE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/authz_request.h"
#include "core/client.h"
#include "store/store.h"

struct tsr_catalog;

/* Longest state or nonce kept: auth0-spa-js sends 43 characters, conformance tests 64+. */
#define TSR_AUTHZ_MAX_OPAQUE_PARAM 2048

/* What the endpoint does next. */
enum tsr_authz_next {
    TSR_AUTHZ_GO_ON,      /* the check passed: on to the next one */
    TSR_AUTHZ_ERROR_PAGE, /* client or redirect_uri not trusted: an HTML error page */
    TSR_AUTHZ_ERROR,      /* an OAuth error sent to the (validated) redirect_uri */
    TSR_AUTHZ_ISSUE_CODE, /* the person is known and nothing is missing */
    TSR_AUTHZ_CONSENT_PAGE,
    TSR_AUTHZ_LOGIN_PAGE,
    TSR_AUTHZ_SIGNUP_PAGE,
};

struct tsr_authz_verdict {
    enum tsr_authz_next next;
    /* TSR_AUTHZ_ERROR: the OAuth error code; TSR_AUTHZ_ERROR_PAGE: the page's title (static). */
    const char *error;
    /* TSR_AUTHZ_ERROR: error_description; TSR_AUTHZ_ERROR_PAGE: the page's text. */
    char description[512];
};

/* True when the space-separated prompt of ar holds word. */
bool tsr_authz_prompt_has(const struct tsr_authz_request *ar, const char *word);

/*
 * The client and its redirect_uri: client is NULL when the request names
 * no registered client.  Without a redirect_uri, a client with exactly one
 * callback uses it (ar->redirect_uri is replaced); otherwise it must equal
 * one of the callbacks exactly.  Returns true to go on, else false with an
 * error page in v.
 */
bool tsr_authz_check_client(const struct tsr_client *client, struct tsr_authz_request *ar,
                            struct tsr_authz_verdict *v);

/*
 * response_mode=web_message posts the answer to the redirect_uri's origin
 * from a page that origin may frame: that origin must be one of the
 * client's Allowed Web Origins, or nothing at all (not even an error) is
 * posted to it.  Returns true to go on, else false with an error page in v.
 */
bool tsr_authz_check_web_origin(const struct tsr_client *client, const struct tsr_authz_request *ar,
                                struct tsr_authz_verdict *v);

/*
 * Everything about the request itself once the redirect_uri is trusted:
 * response_mode, response_type=code, the client's authorization_code grant,
 * state and nonce lengths, max_age, prompt=none alone, and PKCE (S256 only;
 * public clients must use it, RFC 9700 section 2.1.1).  An unsupported
 * response_mode is replaced by query, the mode the error goes back in.
 * Returns true to go on, else false with an OAuth error in v.
 */
bool tsr_authz_check_request(const struct tsr_client *client, struct tsr_authz_request *ar,
                             struct tsr_authz_verdict *v);

/*
 * The audience: the request's, else the tenant's default_audience (may be
 * NULL), which then replaces ar->audience.  A named audience must be an
 * API of the tenant (its catalog, cat).  Returns true to go on, else false with an OAuth
 * error in v (access_denied for an unknown API).
 */
bool tsr_authz_resolve_audience(const struct tsr_catalog *cat, const char *default_audience,
                                struct tsr_authz_request *ar, struct tsr_authz_verdict *v);

/*
 * The connection the request names (or the default one) must exist and be
 * enabled for the client.  Returns true to go on, else false with an OAuth
 * error in v.
 */
bool tsr_authz_check_connection(tsr_store *st, const char *tenant_id,
                                const struct tsr_client *client, const struct tsr_authz_request *ar,
                                struct tsr_authz_verdict *v);

/*
 * Whether an existing session may answer at all: not with prompt=login,
 * which always asks for a new login.
 */
bool tsr_authz_may_reuse_session(const struct tsr_authz_request *ar);

/*
 * Whether user_id may be signed in to client_id for ar now: the user
 * exists, is not blocked, and their connection serves the client (enabled
 * for it, and the one the request names, if any).  A session is only as
 * good as these: one made through another application's connection, of a
 * user blocked or deleted since, or of a connection disabled for the
 * client since, proves nothing here.  Any failure to read says no.
 */
bool tsr_authz_user_may_sign_in(tsr_store *st, const char *tenant_id, const char *client_id,
                                const struct tsr_authz_request *ar, const char *user_id);

/*
 * Whether a live session of user_id, authenticated at auth_time, may
 * answer ar at now: the user may sign in (above) and authenticated
 * recently enough for max_age (0 always asks for a new login, as
 * prompt=login does).
 */
bool tsr_authz_session_usable(tsr_store *st, const char *tenant_id, const char *client_id,
                              const struct tsr_authz_request *ar, const char *user_id,
                              int64_t auth_time, int64_t now);

/*
 * No usable session: prompt=none answers login_required, screen_hint=signup
 * shows the signup page, anything else the login page.  Fills v.
 */
void tsr_authz_without_session(const struct tsr_authz_request *ar, struct tsr_authz_verdict *v);

/*
 * Whether user_id must consent to ar (its scope already narrowed to what
 * the person may get): always with prompt=consent; third-party clients
 * always; first-party ones only for APIs that do not skip consent or when
 * the redirect_uri is a loopback URL (tsr_consent_first_party_skips);
 * remembered consent that covers the request counts.  The API comes from
 * the tenant's catalog (cat), consents from st.  Returns 0, TSR_ENOTFOUND
 * (the audience is no API of the catalog) or the store's error.
 */
int tsr_authz_consent_needed(tsr_store *st, const struct tsr_catalog *cat, const char *tenant_id,
                             const struct tsr_client *client, const struct tsr_authz_request *ar,
                             const char *user_id, bool *needed);

/*
 * The person (user_id) is known: TSR_AUTHZ_ISSUE_CODE when no consent is
 * missing, else consent_required for prompt=none, else the consent page.
 * Fills v (server_error when the consent cannot be read).
 */
void tsr_authz_with_session(tsr_store *st, const struct tsr_catalog *cat, const char *tenant_id,
                            const struct tsr_client *client, const struct tsr_authz_request *ar,
                            const char *user_id, struct tsr_authz_verdict *v);

#endif
