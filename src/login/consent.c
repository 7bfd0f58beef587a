/*
 * consent.c - the consent page, GET and POST /u/consent?state=H.
 *
 * Shown when tsr_authorize_resume finds consent missing (it redirects
 * here).  Only the person the transaction belongs to may answer: the
 * transaction's user must be set and the browser's live session must be
 * that user's.  Accept records the consent and continues /authorize;
 * deny ends it with access_denied at the redirect_uri.
 */
#include <stdlib.h>
#include <string.h>

#include "authn/authorize.h"
#include "authn/user_tokens.h"
#include "core/api.h"
#include "core/catalog.h"
#include "core/session.h"
#include "core/user.h"
#include "http/browser.h"
#include "http/response.h"
#include "login/login.h"
#include "login/page.h"
#include "util/err.h"
#include "util/strlist.h"

/* Most scopes listed on the page. */
#define MAX_SCOPES 64

/* What the OpenID Connect scopes let an application do, in words. */
static const char *oidc_scope_text(const char *scope)
{
    static const struct {
        const char *scope, *text;
    } known[] = {
        {"openid", "Know who you are"},
        {"profile", "See your profile: name, nickname and picture"},
        {"email", "See your email address"},
        {"address", "See your address"},
        {"phone", "See your phone number"},
        {"offline_access", "Stay signed in: keep access when you are not using it"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].scope, scope) == 0)
            return known[i].text;
    return NULL;
}

/* The description of scope in api, or NULL. */
static const char *api_scope_text(const struct tsr_api *api, const char *scope)
{
    for (size_t i = 0; api != NULL && i < api->nscopes; i++)
        if (strcmp(api->scopes[i].value, scope) == 0 && api->scopes[i].description != NULL &&
            api->scopes[i].description[0] != '\0')
            return api->scopes[i].description;
    return NULL;
}

struct consent_ctx {
    struct tsr_page_flow f;
    struct tsr_session s;
};

static void consent_cleanup(struct consent_ctx *c)
{
    tsr_session_cleanup(&c->s);
    tsr_page_flow_cleanup(&c->f);
}

/* Loads the transaction and checks whose it is; on failure sends the page, returns false. */
static bool consent_load(struct tsr_req *req, const struct tsr_params *form,
                         struct consent_ctx *c)
{
    memset(c, 0, sizeof *c);
    bool sent;
    const char *state = tsr_page_handle(req, form, "state", &sent);
    if (sent || !tsr_page_flow_load(req, state, &c->f))
        return false;
    if (c->f.tx.user_id == NULL || c->f.tx.user_id[0] == '\0') {
        tsr_login_error_page(req, 400, "Login expired", TSR_LOGIN_MSG_EXPIRED);
        goto fail;
    }
    int rc = tsr_browser_session_current(req, &c->s);
    if (rc != 0 && rc != TSR_ENOTFOUND) {
        tsr_page_server_error(req, "load session", rc);
        goto fail;
    }
    if (rc == TSR_ENOTFOUND || c->s.user_id == NULL ||
        strcmp(c->s.user_id, c->f.tx.user_id) != 0) {
        tsr_login_error_page(req, 403, "Login expired", TSR_LOGIN_MSG_TAMPERED);
        goto fail;
    }
    /*
     * The page shows, and accepting records, only what the person may be
     * given now: never a Management (or enforce_policies API) scope they
     * do not hold, which would turn into a silent grant once assigned.
     */
    rc = tsr_user_tokens_person_scope(req, c->f.tx.ar.audience, c->f.tx.user_id, &c->f.tx.ar.scope);
    if (rc != 0) {
        tsr_page_server_error(req, "load permissions", rc);
        goto fail;
    }
    return true;
fail:
    consent_cleanup(c);
    return false;
}

void tsr_login_consent_get(struct tsr_req *req)
{
    struct consent_ctx c;
    if (!consent_load(req, NULL, &c))
        return;
    const char *tid = req->tenant->t.id;
    /* The API from the tenant's catalog, as /authorize found it; borrowed from the snapshot. */
    const char *aud = c.f.tx.ar.audience;
    const struct tsr_api *api =
        aud != NULL && aud[0] != '\0' ? tsr_catalog_api(req->tenant->catalog, aud) : NULL;
    struct tsr_user u = {0};
    struct tsr_strlist words = {0};
    int rc = 0;
    if (tsr_user_get(req->store, tid, c.f.tx.user_id, &u) != 0)
        memset(&u, 0, sizeof u); /* the greeting is optional */
    if ((rc = tsr_strlist_split(&words, c.f.tx.ar.scope ? c.f.tx.ar.scope : "")) != 0) {
        tsr_page_server_error(req, "split scopes", rc);
        goto out;
    }
    static struct tsr_tpl_ctx none;
    struct tsr_tpl_ctx *items = calloc(words.n ? words.n : 1, sizeof *items);
    if (items == NULL) {
        tsr_page_server_error(req, "scope list", TSR_ENOMEM);
        goto out;
    }
    size_t n = 0;
    for (size_t i = 0; i < words.n && n < MAX_SCOPES; i++) {
        const char *w = words.v[i];
        const char *text = api_scope_text(api, w);
        if (text == NULL)
            text = oidc_scope_text(w);
        tsr_tpl_ctx_init(&items[n]);
        tsr_tpl_set(&items[n], "name", w);
        tsr_tpl_set(&items[n], "description", text ? text : w);
        tsr_tpl_set(&items[n], "show_name", text ? "1" : "");
        n++;
    }
    struct tsr_page p;
    tsr_page_init(&p, req, "Authorize application");
    tsr_page_allow_form_target(&p, c.f.tx.ar.redirect_uri);
    tsr_tpl_set(&p.ctx, "client_name", c.f.client->name);
    tsr_tpl_set(&p.ctx, "state", c.f.tx.handle);
    tsr_tpl_set(&p.ctx, "csrf", c.f.tx.csrf);
    tsr_tpl_set(&p.ctx, "user_name", u.email ? u.email : u.username);
    tsr_tpl_set(&p.ctx, "audience_name", api != NULL ? api->name : NULL);
    tsr_tpl_set_list(&p.ctx, "scopes", n ? items : &none, n);
    tsr_page_send(req, 200, "consent", &p);
    free(items);
out:
    tsr_strlist_cleanup(&words);
    tsr_user_cleanup(&u);
    consent_cleanup(&c);
}

void tsr_login_consent_post(struct tsr_req *req)
{
    struct tsr_params form;
    if (!tsr_page_form(req, &form))
        return;
    struct consent_ctx c;
    if (!consent_load(req, &form, &c)) {
        tsr_params_cleanup(&form);
        return;
    }
    const char *decision = tsr_params_get(&form, "decision");
    if (!tsr_login_tx_csrf_ok(&c.f.tx, tsr_params_get(&form, "csrf")))
        tsr_login_error_page(req, 403, "Login expired", TSR_LOGIN_MSG_TAMPERED);
    else if (decision != NULL && strcmp(decision, "accept") == 0)
        tsr_authorize_consented(req, &c.f.tx, &c.s);
    else if (decision != NULL && strcmp(decision, "deny") == 0)
        tsr_authorize_fail(req, &c.f.tx, "access_denied", "User did not authorize the request");
    else
        tsr_login_error_page(req, 400, "The form could not be read",
                             "Choose Accept or Decline. Go back and try again.");
    consent_cleanup(&c);
    tsr_params_cleanup(&form);
}
