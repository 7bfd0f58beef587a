/*
 * logout_confirm.c - the page that asks a person to confirm an
 * RP-initiated logout (/oidc/logout) that did not prove which session it
 * is for (no valid id_token_hint of the session's user): a GET any site can
 * trigger must not end a session.  The page's form POSTs back to
 * /oidc/logout with the double-submit CSRF token of the login pages.
 */
#include "page/page.h"

void tsr_login_logout_confirm(struct tsr_req *req, const struct tsr_logout_form *f)
{
    char csrf[64];
    int rc = tsr_page_csrf_token(req, csrf);
    if (rc != 0) {
        tsr_page_server_error(req, "csrf token", rc);
        return;
    }
    struct tsr_page p;
    tsr_page_init(&p, req, "Log out");
    if (f->post_logout_redirect_uri != NULL && f->post_logout_redirect_uri[0] != '\0')
        tsr_page_allow_form_target(&p, f->post_logout_redirect_uri);
    tsr_tpl_set(&p.ctx, "client_name", f->client_name);
    tsr_tpl_set(&p.ctx, "client_id", f->client_id);
    tsr_tpl_set(&p.ctx, "post_logout_redirect_uri", f->post_logout_redirect_uri);
    tsr_tpl_set(&p.ctx, "state", f->state);
    tsr_tpl_set(&p.ctx, "csrf", csrf);
    tsr_page_send(req, 200, "logout_confirm", &p);
}

bool tsr_login_csrf_ok(struct tsr_req *req, const char *form_value)
{
    return tsr_page_csrf_cookie_ok(req, form_value);
}
