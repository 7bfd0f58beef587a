#include "authn/authorize_response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"
#include "page/render.h"
#include "util/secure.h"
#include "util/strbuf.h"
#include "util/url.h"

struct pair {
    const char *name;
    const char *value;
};

#define MAX_PAIRS 9
#define MAX_DESCRIPTION 512

/*
 * error_description in the characters RFC 6749 section 4.1.2.1 allows
 * (%x20-21 / %x23-5B / %x5D-7E): a description may echo request text
 * (an unsupported response_type), which may hold anything else.
 */
static const char *allowed_text(const char *s, char out[MAX_DESCRIPTION])
{
    size_t i = 0;
    for (; s != NULL && s[i] != '\0' && i < MAX_DESCRIPTION - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? '?' : (char)c;
    }
    out[i] = '\0';
    return out;
}

/* The response parameters in order; absent ones are skipped.  RFC 9207 adds iss. */
static size_t result_pairs(struct tsr_req *req, const struct tsr_authz_request *ar,
                           const struct tsr_authz_result *r, char expires_in[24],
                           char description[MAX_DESCRIPTION], struct pair out[MAX_PAIRS])
{
    size_t n = 0;
    if (r->error != NULL) {
        out[n++] = (struct pair){"error", r->error};
        out[n++] =
            (struct pair){"error_description", allowed_text(r->error_description, description)};
    }
    if (r->error == NULL && r->code != NULL)
        out[n++] = (struct pair){"code", r->code};
    if (r->error == NULL && r->access_token != NULL) {
        snprintf(expires_in, 24, "%lld", (long long)r->expires_in);
        out[n++] = (struct pair){"access_token", r->access_token};
        out[n++] = (struct pair){"token_type", "Bearer"};
        out[n++] = (struct pair){"expires_in", expires_in};
        if (r->scope != NULL && r->scope[0] != '\0')
            out[n++] = (struct pair){"scope", r->scope};
    }
    if (r->error == NULL && r->id_token != NULL)
        out[n++] = (struct pair){"id_token", r->id_token};
    if (ar->state != NULL && ar->state[0] != '\0')
        out[n++] = (struct pair){"state", ar->state};
    out[n++] = (struct pair){"iss", req->tenant->t.issuer};
    return n;
}

static void redirect(struct tsr_req *req, const struct tsr_authz_request *ar, const struct pair *p,
                     size_t n, bool fragment)
{
    struct tsr_strbuf b = {0};
    tsr_strbuf_append(&b, ar->redirect_uri);
    char sep = fragment ? '#' : (strchr(ar->redirect_uri, '?') ? '&' : '?');
    for (size_t i = 0; i < n; i++) {
        tsr_strbuf_appendn(&b, &sep, 1);
        tsr_strbuf_append(&b, p[i].name);
        tsr_strbuf_append(&b, "=");
        tsr_strbuf_append_urlenc(&b, p[i].value);
        sep = '&';
    }
    char *url = tsr_strbuf_take(&b, NULL);
    if (url == NULL) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        return;
    }
    tsr_resp_redirect(req, url);
    tsr_wipe_free_str(url);
}

/* JSON for a <script> element: '<', '>' and '&' escaped so no text can close it. */
static void append_script_json(struct tsr_strbuf *b, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    if (text == NULL) {
        b->err = -1;
        return;
    }
    for (const char *c = text; *c; c++) {
        if (*c == '<')
            tsr_strbuf_append(b, "\\u003c");
        else if (*c == '>')
            tsr_strbuf_append(b, "\\u003e");
        else if (*c == '&')
            tsr_strbuf_append(b, "\\u0026");
        else
            tsr_strbuf_appendn(b, c, 1);
    }
    tsr_wipe_free_str(text);
}

static void html_page(struct tsr_req *req, const char *csp, char *body)
{
    if (body == NULL) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        return;
    }
    tsr_resp_header(req, "Content-Security-Policy", csp);
    free(req->resp_body);
    req->resp_body = body;
    req->resp_len = strlen(body);
    req->resp_type = "text/html; charset=utf-8";
    req->status = 200;
}

static void web_message(struct tsr_req *req, const struct tsr_authz_request *ar,
                        const struct pair *p, size_t n)
{
    char origin[512], nonce[32], csp[1024];
    struct tsr_strbuf b = {0};
    json_t *response = json_object(), *target;
    /* Every parameter, iss included (RFC 9207), as the other modes send them. */
    for (size_t i = 0; i < n; i++)
        json_object_set_new(response, p[i].name, json_string(p[i].value));
    json_t *msg = json_pack("{s:s, s:o}", "type", "authorization_response", "response", response);
    tsr_url_origin(ar->redirect_uri, origin, sizeof origin);
    target = json_string(origin);
    if (tsr_random_alnum(nonce, 24) != 0)
        strcpy(nonce, "unavailable");
    tsr_strbuf_append(&b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<title>Authorization response</title></head><body><script nonce=\"");
    tsr_strbuf_append(&b, nonce);
    tsr_strbuf_append(&b, "\">(function(){var m=");
    append_script_json(&b, msg);
    tsr_strbuf_append(&b, ";(window.opener||window.parent).postMessage(m,");
    append_script_json(&b, target);
    tsr_strbuf_append(&b, ");})();</script></body></html>");
    json_decref(msg);
    json_decref(target);
    /* Only the application's own origin (an Allowed Web Origin) may frame this page. */
    snprintf(csp, sizeof csp, "default-src 'none'; script-src 'nonce-%s'; frame-ancestors %s",
             nonce, origin);
    html_page(req, csp, tsr_strbuf_take(&b, NULL));
    req->frame_ok = true;
}

static void form_post(struct tsr_req *req, const struct tsr_authz_request *ar, const struct pair *p,
                      size_t n)
{
    char nonce[32];
    struct tsr_strbuf b = {0};
    char *action = tsr_html_escape(ar->redirect_uri);
    if (tsr_random_alnum(nonce, 24) != 0)
        strcpy(nonce, "unavailable");
    tsr_strbuf_append(&b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<title>Submit this form</title></head><body>"
                          "<form method=\"post\" action=\"");
    tsr_strbuf_append(&b, action ? action : "");
    tsr_strbuf_append(&b, "\">");
    for (size_t i = 0; i < n; i++) {
        char *name = tsr_html_escape(p[i].name), *value = tsr_html_escape(p[i].value);
        tsr_strbuf_append(&b, "<input type=\"hidden\" name=\"");
        tsr_strbuf_append(&b, name ? name : "");
        tsr_strbuf_append(&b, "\" value=\"");
        tsr_strbuf_append(&b, value ? value : "");
        tsr_strbuf_append(&b, "\">");
        free(name);
        tsr_wipe_free_str(value);
    }
    tsr_strbuf_append(&b, "<noscript><button type=\"submit\">Continue</button></noscript></form>"
                          "<script nonce=\"");
    tsr_strbuf_append(&b, nonce);
    tsr_strbuf_append(&b, "\">document.forms[0].submit();</script></body></html>");
    free(action);
    char csp[128];
    snprintf(csp, sizeof csp,
             "default-src 'none'; script-src 'nonce-%s'; form-action *; frame-ancestors 'none'",
             nonce);
    html_page(req, csp, tsr_strbuf_take(&b, NULL));
}

void tsr_authorize_respond(struct tsr_req *req, const struct tsr_authz_request *ar,
                           const struct tsr_authz_result *r)
{
    struct pair p[MAX_PAIRS];
    char expires_in[24], description[MAX_DESCRIPTION];
    size_t n = result_pairs(req, ar, r, expires_in, description, p);
    const char *mode = ar->response_mode ? ar->response_mode : "";
    if (strcmp(mode, "web_message") == 0)
        web_message(req, ar, p, n);
    else if (strcmp(mode, "form_post") == 0)
        form_post(req, ar, p, n);
    else
        redirect(req, ar, p, n, strcmp(mode, "fragment") == 0);
}
