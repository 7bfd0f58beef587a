/*
 * page.c - the frame of every HTML page (see page.h).
 *
 * Divisions: branding; sending pages and error pages; the double-submit
 * CSRF cookie; the logout confirmation page.
 */
#include "page/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/input.h"
#include "http/cookie.h"
#include "http/response.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure.h"

#define DEFAULT_COLOR "#3f59e4"
#define CSP_HEAD                                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'"
#define CSP_TAIL "; frame-ancestors 'none'; base-uri 'none'"

/* ---- branding ---- */

void tsr_page_init(struct tsr_page *p, struct tsr_req *req, const char *title)
{
    tsr_tpl_ctx_init(&p->ctx);
    p->form_target[0] = '\0';
    const struct tsr_tenant *t = req->tenant ? &req->tenant->t : NULL;
    const char *color = t != NULL && tsr_page_color_ok(t->primary_color) ? t->primary_color
                                                                           : DEFAULT_COLOR;
    static const char hex[] = "0123456789abcdef";
    p->color[0] = '#';
    for (int i = 1; i < 7; i++)
        p->color[i] = hex[tsr_hex_value(color[i])];
    p->color[7] = '\0';
    /* Dark text on light brand colours (ITU-R BT.601 luma), white otherwise. */
    int r = tsr_hex_value(p->color[1]) * 16 + tsr_hex_value(p->color[2]);
    int g = tsr_hex_value(p->color[3]) * 16 + tsr_hex_value(p->color[4]);
    int b = tsr_hex_value(p->color[5]) * 16 + tsr_hex_value(p->color[6]);
    int luma = 299 * r + 587 * g + 114 * b;
    strcpy(p->color_text, luma > 160000 ? "#111827" : "#ffffff");
    /* Links sit on white: a light brand colour would be unreadable there. */
    strcpy(p->color_link, luma > 140000 ? "#1f2937" : p->color);

    const char *name = t != NULL && t->friendly_name != NULL && t->friendly_name[0] != '\0'
                           ? t->friendly_name
                           : "Tessera";
    tsr_tpl_set(&p->ctx, "title", title);
    tsr_tpl_set(&p->ctx, "tenant_name", name);
    tsr_tpl_set(&p->ctx, "primary_color", p->color);
    tsr_tpl_set(&p->ctx, "primary_text", p->color_text);
    tsr_tpl_set(&p->ctx, "link_color", p->color_link);
    if (t != NULL && tsr_page_https_url_ok(t->logo_url))
        tsr_tpl_set(&p->ctx, "logo_url", t->logo_url);
}

/* ---- sending ---- */

void tsr_page_allow_form_target(struct tsr_page *p, const char *url)
{
    if (!tsr_page_csp_source(url, p->form_target, sizeof p->form_target))
        p->form_target[0] = '\0';
}

static void headers(struct tsr_req *req, const char *form_target)
{
    char csp[512];
    snprintf(csp, sizeof csp, "%s%s%s%s", CSP_HEAD, form_target[0] ? " " : "", form_target,
             CSP_TAIL);
    tsr_resp_header(req, "Content-Security-Policy", csp);
    tsr_resp_header(req, "Cache-Control", "no-store");
}

void tsr_page_send(struct tsr_req *req, unsigned status, const char *tpl, struct tsr_page *p)
{
    char *html = NULL;
    int rc = tsr_tpl_render_named(tpl, &p->ctx, &html, NULL);
    headers(req, p->form_target);
    if (rc != 0) {
        json_t *f = json_pack("{s:s, s:s, s:s}", "request_id", req->request_id, "template",
                              tpl, "error", tsr_errname(rc));
        tsr_log(TSR_LOG_ERROR, "login page rendering failed", f);
        tsr_resp_html(req, 500,
                      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>Something went wrong</title></head><body><main>"
                      "<h1>Something went wrong</h1><p>Try again in a moment.</p>"
                      "</main></body></html>");
        return;
    }
    tsr_resp_html(req, status, html);
    free(html);
}

void tsr_login_error_page(struct tsr_req *req, unsigned status, const char *title,
                          const char *message)
{
    struct tsr_page p;
    tsr_page_init(&p, req, title);
    tsr_tpl_set(&p.ctx, "message", message);
    tsr_page_send(req, status, "error", &p);
}

void tsr_page_server_error(struct tsr_req *req, const char *what, int rc)
{
    json_t *f = json_pack("{s:s, s:s, s:s}", "request_id", req->request_id, "step", what,
                          "error", tsr_errname(rc));
    tsr_log(TSR_LOG_ERROR, "login page failed", f);
    tsr_login_error_page(req, 500, "Something went wrong",
                         "Something went wrong on our side. Try again in a moment.");
}

/* ---- the double-submit CSRF cookie ---- */

/* 32 random bytes in base64url. */
#define CSRF_LEN 43

static bool token_shape_ok(const char *s)
{
    if (strlen(s) != CSRF_LEN)
        return false;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

int tsr_page_csrf_token(struct tsr_req *req, char out[64])
{
    if (tsr_cookie_get(req, TSR_LOGIN_CSRF_COOKIE, out, 64) == 0 && token_shape_ok(out))
        return 0;
    int rc = tsr_random_token(out, 64, 32);
    if (rc != 0)
        return rc;
    tsr_cookie_set(req, TSR_LOGIN_CSRF_COOKIE, out, -1);
    return 0;
}

bool tsr_page_csrf_cookie_ok(struct tsr_req *req, const char *form_value)
{
    char cookie[64];
    if (form_value == NULL ||
        tsr_cookie_get(req, TSR_LOGIN_CSRF_COOKIE, cookie, sizeof cookie) != 0)
        return false;
    bool ok = token_shape_ok(cookie) && tsr_ct_streq(cookie, form_value);
    tsr_wipe(cookie, sizeof cookie);
    return ok;
}

