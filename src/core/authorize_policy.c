/*
 * authorize_policy.c - the decisions of /authorize (see authorize_policy.h):
 * checks in protocol order, each filling a verdict the handler turns into
 * HTTP.  Records are read from the store where a decision needs them;
 * nothing here knows about requests or responses.
 */
#include "core/authorize_policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/catalog.h"
#include "core/connection.h"
#include "core/consent.h"
#include "core/response_type.h"
#include "core/user.h"
#include "util/err.h"
#include "util/url.h"

static void verdict(struct tsr_authz_verdict *v, enum tsr_authz_next next)
{
    v->next = next;
    v->error = NULL;
    v->description[0] = '\0';
}

/* An error page (title, text); returns false for the caller to return. */
static bool page(struct tsr_authz_verdict *v, const char *title, const char *text)
{
    verdict(v, TSR_AUTHZ_ERROR_PAGE);
    v->error = title;
    snprintf(v->description, sizeof v->description, "%s", text);
    return false;
}

/* An OAuth error for the redirect_uri; returns false for the caller to return. */
__attribute__((format(printf, 3, 4))) static bool fail(struct tsr_authz_verdict *v,
                                                       const char *error, const char *fmt, ...)
{
    va_list ap;
    verdict(v, TSR_AUTHZ_ERROR);
    v->error = error;
    va_start(ap, fmt);
    vsnprintf(v->description, sizeof v->description, fmt, ap);
    va_end(ap);
    return false;
}

static bool go_on(struct tsr_authz_verdict *v)
{
    verdict(v, TSR_AUTHZ_GO_ON);
    return true;
}

/* Replaces *dst with a copy of s; false (dst unchanged) when out of memory. */
static bool replace(char **dst, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return false;
    free(*dst);
    *dst = copy;
    return true;
}

bool tsr_authz_prompt_has(const struct tsr_authz_request *ar, const char *word)
{
    struct tsr_strlist words = {0};
    bool found = tsr_strlist_split(&words, ar->prompt ? ar->prompt : "") == 0 &&
                 tsr_strlist_contains(&words, word);
    tsr_strlist_cleanup(&words);
    return found;
}

bool tsr_authz_check_client(const struct tsr_client *client, struct tsr_authz_request *ar,
                            struct tsr_authz_verdict *v)
{
    if (client == NULL)
        return page(v, "Unknown application",
                    "The application that sent you here is not registered (unknown "
                    "client_id). Go back to the application and try again.");
    /* Out of memory leaves "" behind, which no callback matches. */
    if (ar->redirect_uri[0] == '\0' && client->callbacks.n == 1)
        replace(&ar->redirect_uri, client->callbacks.v[0]);
    if (ar->redirect_uri[0] == '\0' || !tsr_strlist_contains(&client->callbacks, ar->redirect_uri))
        return page(v, "Callback URL mismatch",
                    "The redirect_uri of this request is not in the application's "
                    "Allowed Callback URLs. Add it to the application's callbacks, or "
                    "fix the URL the application sends.");
    return go_on(v);
}

bool tsr_authz_check_web_origin(const struct tsr_client *client, const struct tsr_authz_request *ar,
                                struct tsr_authz_verdict *v)
{
    char origin[512];
    if (strcmp(ar->response_mode, "web_message") != 0 ||
        (tsr_url_origin(ar->redirect_uri, origin, sizeof origin) &&
         tsr_strlist_contains(&client->web_origins, origin)))
        return go_on(v);
    return page(v, "Origin not allowed",
                "The application's address is not in its Allowed Web Origins, so the "
                "answer cannot be sent to it. Add the origin to the application's "
                "Allowed Web Origins.");
}

static bool check_pkce(const struct tsr_client *client, const struct tsr_authz_request *ar,
                       struct tsr_authz_verdict *v)
{
    const char *challenge = ar->code_challenge, *method = ar->code_challenge_method;
    if (challenge[0] == '\0') {
        if (method[0] != '\0')
            return fail(v, "invalid_request", "code_challenge_method without code_challenge");
        if (tsr_client_is_public(client))
            return fail(v, "invalid_request",
                        "Public clients must use PKCE: send code_challenge and "
                        "code_challenge_method=S256");
        return go_on(v);
    }
    if (strcmp(method, "S256") != 0)
        return fail(v, "invalid_request",
                    "code_challenge_method must be S256 (got '%.40s'); plain is not supported",
                    method[0] ? method : "plain");
    size_t len = strlen(challenge);
    if (len != 43 || strspn(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789-_") != len)
        return fail(v, "invalid_request",
                    "code_challenge must be the base64url SHA-256 of the verifier (43 characters)");
    return go_on(v);
}

static bool mode_known(const char *mode)
{
    static const char *const modes[] = {"", "query", "fragment", "form_post", "web_message"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        if (strcmp(mode, modes[i]) == 0)
            return true;
    return false;
}

/*
 * The response type and the response mode it may travel in.  A token in
 * the front channel goes in the fragment unless form_post or web_message
 * is asked for, never in a query string, which servers and proxies log
 * (OAuth 2.0 Multiple Response Type Encoding Practices, section 5).
 */
static bool check_response_type(const struct tsr_client *client, struct tsr_authz_request *ar,
                                struct tsr_authz_verdict *v)
{
    unsigned rt = tsr_response_type_parse(ar->response_type);
    if (ar->response_type[0] == '\0')
        return fail(v, "invalid_request", "Missing required parameter: response_type");
    if (rt == 0)
        return fail(v, "unsupported_response_type",
                    "Unsupported response type: %.60s (offered: code, id_token, code id_token)",
                    ar->response_type);
    if (tsr_response_type_front_channel(rt)) {
        if (ar->response_mode[0] == '\0' && !replace(&ar->response_mode, "fragment"))
            return fail(v, "server_error", "Out of memory");
        if (strcmp(ar->response_mode, "query") == 0) {
            fail(v, "invalid_request",
                 "response_mode=query cannot carry a token: use fragment or form_post");
            replace(&ar->response_mode, "fragment");
            return false;
        }
    }
    if ((rt & TSR_RT_TOKEN) != 0 && !client->allow_implicit_access_tokens)
        return fail(v, "unsupported_response_type",
                    "response_type %.40s puts an access token in the browser, which RFC 9700 "
                    "retires: use response_type=code with PKCE. A legacy application that "
                    "cannot may be allowed it with its setting allow_implicit_access_tokens.",
                    ar->response_type);
    if ((rt & TSR_RT_CODE) != 0 &&
        !tsr_strlist_contains(&client->grant_types, "authorization_code"))
        return fail(v, "unauthorized_client",
                    "Grant type 'authorization_code' not allowed for the client.");
    if (tsr_response_type_front_channel(rt) &&
        !tsr_strlist_contains(&client->grant_types, "implicit"))
        return fail(v, "unauthorized_client", "Grant type 'implicit' not allowed for the client.");
    if ((rt & TSR_RT_ID_TOKEN) != 0) {
        struct tsr_strlist words = {0};
        bool openid =
            tsr_strlist_split(&words, ar->scope) == 0 && tsr_strlist_contains(&words, "openid");
        tsr_strlist_cleanup(&words);
        if (!openid)
            return fail(v, "invalid_scope", "response_type id_token needs the scope openid");
        /* The nonce is what binds a front-channel ID token to the browser that asked for it. */
        if (ar->nonce[0] == '\0')
            return fail(v, "invalid_request",
                        "nonce is required when response_type includes id_token (OpenID "
                        "Connect Core 3.2.2.1): send a fresh random nonce and check it in "
                        "the ID token");
    }
    return go_on(v);
}

bool tsr_authz_check_request(const struct tsr_client *client, struct tsr_authz_request *ar,
                             struct tsr_authz_verdict *v)
{
    if (!mode_known(ar->response_mode)) {
        fail(v, "invalid_request", "Unsupported response_mode: %.60s", ar->response_mode);
        /* The error itself goes back in the default mode. */
        replace(&ar->response_mode, "query");
        return false;
    }
    if (!check_response_type(client, ar, v))
        return false;
    if (strlen(ar->state) > TSR_AUTHZ_MAX_OPAQUE_PARAM ||
        strlen(ar->nonce) > TSR_AUTHZ_MAX_OPAQUE_PARAM)
        return fail(v, "invalid_request", "state and nonce may be at most 2048 characters");
    if (ar->max_age == -2)
        return fail(v, "invalid_request", "max_age must be a number of seconds");
    if (tsr_authz_prompt_has(ar, "none") &&
        (tsr_authz_prompt_has(ar, "login") || tsr_authz_prompt_has(ar, "consent") ||
         tsr_authz_prompt_has(ar, "select_account")))
        return fail(v, "invalid_request", "prompt=none cannot be combined with other values");
    /* PKCE protects a code; an ID token alone is bound by its nonce. */
    if ((tsr_response_type_parse(ar->response_type) & TSR_RT_CODE) == 0)
        return go_on(v);
    return check_pkce(client, ar, v);
}

bool tsr_authz_resolve_audience(const struct tsr_catalog *cat, const char *default_audience,
                                struct tsr_authz_request *ar, struct tsr_authz_verdict *v)
{
    if (ar->audience[0] == '\0' && default_audience != NULL && default_audience[0] != '\0' &&
        !replace(&ar->audience, default_audience))
        return fail(v, "server_error", "Out of memory");
    if (ar->audience[0] == '\0')
        return go_on(v);
    if (tsr_catalog_api(cat, ar->audience) == NULL)
        return fail(v, "access_denied", "Service not found: %.400s", ar->audience);
    return go_on(v);
}

bool tsr_authz_check_connection(tsr_store *st, const char *tenant_id,
                                const struct tsr_client *client, const struct tsr_authz_request *ar,
                                struct tsr_authz_verdict *v)
{
    struct tsr_connection c = {0};
    const char *name = ar->connection[0] ? ar->connection : TSR_DEFAULT_CONNECTION;
    if (tsr_connection_get_by_name(st, tenant_id, name, &c) != 0)
        return fail(v, "invalid_request", "Unknown connection: %.128s", name);
    bool enabled = tsr_connection_enabled_for(&c, client->client_id);
    tsr_connection_cleanup(&c);
    if (!enabled)
        return fail(v, "invalid_request",
                    "The connection %.128s is not enabled for this application", name);
    return go_on(v);
}

bool tsr_authz_may_reuse_session(const struct tsr_authz_request *ar)
{
    return !tsr_authz_prompt_has(ar, "login");
}

bool tsr_authz_user_may_sign_in(tsr_store *st, const char *tenant_id, const char *client_id,
                                const struct tsr_authz_request *ar, const char *user_id)
{
    struct tsr_user u = {0};
    if (user_id == NULL || tsr_user_get(st, tenant_id, user_id, &u) != 0)
        return false;
    bool ok = tsr_connection_user_serves(st, tenant_id, &u, client_id, ar->connection);
    tsr_user_cleanup(&u);
    return ok;
}

bool tsr_authz_session_usable(tsr_store *st, const char *tenant_id, const char *client_id,
                              const struct tsr_authz_request *ar, const char *user_id,
                              int64_t auth_time, int64_t now)
{
    if (ar->max_age == 0 || (ar->max_age > 0 && now - auth_time > ar->max_age))
        return false;
    return tsr_authz_user_may_sign_in(st, tenant_id, client_id, ar, user_id);
}

void tsr_authz_without_session(const struct tsr_authz_request *ar, struct tsr_authz_verdict *v)
{
    if (tsr_authz_prompt_has(ar, "none"))
        fail(v, "login_required", "Login required");
    else
        verdict(v, strcmp(ar->screen_hint, "signup") == 0 ? TSR_AUTHZ_SIGNUP_PAGE
                                                          : TSR_AUTHZ_LOGIN_PAGE);
}

int tsr_authz_consent_needed(tsr_store *st, const struct tsr_catalog *cat, const char *tenant_id,
                             const struct tsr_client *client, const struct tsr_authz_request *ar,
                             const char *user_id, bool *needed)
{
    *needed = tsr_authz_prompt_has(ar, "consent");
    if (*needed)
        return 0;
    if (client->is_first_party) {
        if (ar->audience[0] == '\0')
            return 0;
        const struct tsr_api *api = tsr_catalog_api(cat, ar->audience);
        if (api == NULL)
            return TSR_ENOTFOUND;
        if (tsr_consent_first_party_skips(api->skip_consent_for_verifiable_first_party_clients,
                                          ar->redirect_uri))
            return 0;
    }
    struct tsr_strlist wanted = {0};
    bool covered = false;
    int rc = tsr_strlist_split(&wanted, ar->scope);
    if (rc == 0)
        rc = tsr_consent_covers(st, tenant_id, user_id, client->client_id, ar->audience, &wanted,
                                &covered);
    tsr_strlist_cleanup(&wanted);
    *needed = !covered;
    return rc;
}

void tsr_authz_with_session(tsr_store *st, const struct tsr_catalog *cat, const char *tenant_id,
                            const struct tsr_client *client, const struct tsr_authz_request *ar,
                            const char *user_id, struct tsr_authz_verdict *v)
{
    bool needed = false;
    if (tsr_authz_consent_needed(st, cat, tenant_id, client, ar, user_id, &needed) != 0)
        fail(v, "server_error", "Cannot read the consent");
    else if (!needed)
        verdict(v, TSR_AUTHZ_ISSUE_CODE);
    else if (tsr_authz_prompt_has(ar, "none"))
        fail(v, "consent_required", "Consent required");
    else
        verdict(v, TSR_AUTHZ_CONSENT_PAGE);
}
