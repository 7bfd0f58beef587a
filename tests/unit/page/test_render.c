/*
 * test_render.c - Universal Login rendering: HTML escaping, the template
 * language (substitution, sections, lists, partials, errors, limits), the
 * embedded templates and the form contract of each page, and the input
 * checks of core/input.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/input.h"
#include "page/render.h"
#include "util/err.h"

/* Renders tpl with c and returns the text (the test frees it); fails the test on error. */
static char *render_ok(const char *tpl, const struct tsr_tpl_ctx *c)
{
    char *out = NULL;
    size_t len = 0;
    int rc = tsr_tpl_render(tpl, c, &out, &len);
    if (rc != 0)
        fail_msg("render of \"%s\" failed: %s", tpl, tsr_errname(rc));
    assert_non_null(out);
    assert_int_equal(len, strlen(out));
    return out;
}

static void assert_renders(const char *tpl, const struct tsr_tpl_ctx *c, const char *want)
{
    char *out = render_ok(tpl, c);
    assert_string_equal(out, want);
    free(out);
}

static void assert_escapes(const char *in, const char *want)
{
    char *out = tsr_html_escape(in);
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
}

/* ---- escaping ---- */

static void escape_each_special_character(void **state)
{
    (void)state;
    assert_escapes("&", "&amp;");
    assert_escapes("<", "&lt;");
    assert_escapes(">", "&gt;");
    assert_escapes("\"", "&quot;");
    assert_escapes("'", "&#39;");
    assert_escapes("/", "&#47;");
    assert_escapes("`", "&#96;");
    assert_escapes("<script>alert('x')</script>",
                   "&lt;script&gt;alert(&#39;x&#39;)&lt;&#47;script&gt;");
    assert_escapes("\" onfocus=\"x", "&quot; onfocus=&quot;x");
}

static void escape_leaves_other_text_alone(void **state)
{
    (void)state;
    assert_escapes("", "");
    assert_escapes(NULL, "");
    assert_escapes("alice@example.com", "alice@example.com");
    assert_escapes("Zoë – 東京 #3f59e4 {x} = ; :", "Zoë – 東京 #3f59e4 {x} = ; :");
    assert_escapes("a&b&c", "a&amp;b&amp;c");
}

static void escape_is_one_pass(void **state)
{
    (void)state;
    /* A value is text, never HTML: an entity in it is shown, not interpreted. */
    assert_escapes("&amp;", "&amp;amp;");
    assert_escapes("&lt;b&gt;", "&amp;lt;b&amp;gt;");
}

/* ---- substitution ---- */

static void substitutes_and_escapes_variables(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "name", "Ann <admin>");
    tsr_tpl_set(&c, "app", "Shop & Co");
    assert_renders("Hi {{name}}, welcome to {{ app }}!", &c,
                   "Hi Ann &lt;admin&gt;, welcome to Shop &amp; Co!");
    assert_renders("<input value=\"{{name}}\">", &c, "<input value=\"Ann &lt;admin&gt;\">");
    assert_renders("no tags at all", &c, "no tags at all");
    assert_renders("", &c, "");
}

static void values_are_escaped_exactly_once(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "v", "a&b");
    /* Through a section and a list item the value is still escaped once. */
    struct tsr_tpl_ctx item;
    tsr_tpl_ctx_init(&item);
    tsr_tpl_set(&item, "w", "x<y");
    tsr_tpl_set_list(&c, "list", &item, 1);
    assert_renders("{{v}}|{{#v}}{{v}}{{/v}}|{{#list}}{{w}}{{v}}{{/list}}", &c,
                   "a&amp;b|a&amp;b|x&lt;ya&amp;b");
}

static void values_are_not_template_text(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "v", "{{secret}}");
    tsr_tpl_set(&c, "secret", "s3cr3t");
    assert_renders("{{v}}", &c, "{{secret}}");
}

static void missing_variable_renders_empty(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "null", NULL);
    assert_renders("[{{nothing}}][{{null}}]", &c, "[][]");
    assert_renders("[{{nothing}}]", NULL, "[]");
}

static void later_set_replaces_value(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "a", "1");
    tsr_tpl_set(&c, "a", "2");
    assert_int_equal(c.n, 1);
    assert_renders("{{a}}", &c, "2");
}

static void variable_limit(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    static char names[TSR_TPL_MAX_VARS + 1][8];
    for (int i = 0; i < TSR_TPL_MAX_VARS; i++) {
        snprintf(names[i], sizeof names[i], "v%d", i);
        assert_int_equal(tsr_tpl_set(&c, names[i], "x"), 0);
    }
    assert_int_equal(tsr_tpl_set(&c, "one_more", "x"), TSR_ETOOBIG);
    assert_int_equal(tsr_tpl_set(&c, "v0", "y"), 0); /* replacing still works */
}

/* ---- sections ---- */

static void sections_render_when_non_empty(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "yes", "1");
    tsr_tpl_set(&c, "empty", "");
    tsr_tpl_set(&c, "err", "Bad <thing>");
    assert_renders("{{#yes}}A{{/yes}}{{#empty}}B{{/empty}}{{#missing}}C{{/missing}}", &c, "A");
    assert_renders("{{^yes}}A{{/yes}}{{^empty}}B{{/empty}}{{^missing}}C{{/missing}}", &c, "BC");
    assert_renders("{{#err}}<div role=\"alert\">{{err}}</div>{{/err}}", &c,
                   "<div role=\"alert\">Bad &lt;thing&gt;</div>");
}

static void sections_nest(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "a", "1");
    tsr_tpl_set(&c, "b", "");
    assert_renders("{{#a}}x{{#b}}y{{/b}}{{^b}}z{{/b}}{{#a}}w{{/a}}{{/a}}.", &c, "xzw.");
    assert_renders("{{#b}}{{#a}}never{{/a}}{{/b}}ok", &c, "ok");
}

static void lists_repeat_with_item_and_outer_variables(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c, items[3];
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "sep", ";");
    tsr_tpl_set(&c, "name", "outer");
    const char *names[] = {"read:orders", "write", "<x>"};
    for (int i = 0; i < 3; i++) {
        tsr_tpl_ctx_init(&items[i]);
        tsr_tpl_set(&items[i], "name", names[i]);
    }
    tsr_tpl_set_list(&c, "scopes", items, 3);
    assert_renders("{{#scopes}}<li>{{name}}</li>{{sep}}{{/scopes}}{{name}}", &c,
                   "<li>read:orders</li>;<li>write</li>;<li>&lt;x&gt;</li>;outer");
    tsr_tpl_set_list(&c, "scopes", items, 0);
    assert_renders("{{#scopes}}x{{/scopes}}{{^scopes}}none{{/scopes}}", &c, "none");
}

static void comments_render_nothing(void **state)
{
    (void)state;
    assert_renders("a{{! a comment, with {braces} }}b", NULL, "ab");
}

static void malformed_templates_fail(void **state)
{
    (void)state;
    const char *bad[] = {
        "{{name",           /* unclosed tag */
        "{{}}",             /* empty name */
        "{{ }}",            /* blank name */
        "{{{raw}}}",        /* no unescaped output exists */
        "{{&raw}}",         /* nor this form */
        "{{a b}}",          /* space inside a name */
        "{{#a}}x",          /* unclosed section */
        "{{#a}}x{{/b}}",    /* wrong closing tag */
        "x{{/a}}",          /* stray closing tag */
        "{{>no_such_template}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = (char *)1;
        int rc = tsr_tpl_render(bad[i], NULL, &out, NULL);
        if (rc != TSR_EFORMAT)
            fail_msg("\"%s\" gave %s, want EFORMAT", bad[i], tsr_errname(rc));
        assert_null(out);
    }
}

static void nesting_depth_is_bounded(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "a", "1");
    char deep[512] = "", tail[512] = "";
    for (int i = 0; i < TSR_TPL_MAX_DEPTH; i++) {
        strcat(deep, "{{#a}}");
        strcat(tail, "{{/a}}");
    }
    char tpl[1100];
    snprintf(tpl, sizeof tpl, "%sx%s", deep, tail);
    assert_renders(tpl, &c, "x");
    snprintf(tpl, sizeof tpl, "{{#a}}%sx%s{{/a}}", deep, tail);
    char *out = NULL;
    assert_int_equal(tsr_tpl_render(tpl, &c, &out, NULL), TSR_EFORMAT);
    assert_null(out);
}

static void output_is_bounded(void **state)
{
    (void)state;
    size_t n = TSR_TPL_MAX_OUT / 5 + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, '&', n); /* each becomes "&amp;": 5 bytes */
    big[n] = '\0';
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "big", big);
    char *out = NULL;
    assert_int_equal(tsr_tpl_render("{{big}}", &c, &out, NULL), TSR_ETOOBIG);
    assert_null(out);
    free(big);
}

/* ---- embedded templates ---- */

static void templates_are_embedded_and_found_by_name(void **state)
{
    (void)state;
    const char *names[] = {"layout_top",   "layout_bottom",     "error",         "login",
                           "signup",       "reset_request",     "reset_password", "reset_done",
                           "verify_email", "verify_email_done", "consent"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (tsr_tpl_find(names[i]) == NULL)
            fail_msg("template %s is not embedded", names[i]);
    assert_null(tsr_tpl_find("nope"));
    assert_null(tsr_tpl_find("login.html"));
    assert_null(tsr_tpl_find(""));
    assert_true(tsr_tpl_count() >= sizeof names / sizeof names[0]);
    assert_null(tsr_tpl_name(tsr_tpl_count()));
    char *out = NULL;
    assert_int_equal(tsr_tpl_render_named("nope", NULL, &out, NULL), TSR_ENOTFOUND);
    assert_null(out);
}

/* Every page: a whole HTML5 document, no script, every visible input labelled. */
static void check_page(const char *name, const char *html)
{
    if (strncmp(html, "<!DOCTYPE html>", 15) != 0)
        fail_msg("%s: does not start with <!DOCTYPE html>", name);
    const char *must[] = {"<html lang=\"en\">", "<meta charset=\"utf-8\">",
                          "<meta name=\"viewport\"", ":focus-visible", "</html>"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        if (strstr(html, must[i]) == NULL)
            fail_msg("%s: lacks %s", name, must[i]);
    const char *never[] = {"<script", "javascript:", " onclick=", " onload=", " onsubmit=",
                           "http://"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(html, never[i]) != NULL)
            fail_msg("%s: carries %s", name, never[i]);
    for (const char *p = strstr(html, "<input"); p != NULL; p = strstr(p + 1, "<input")) {
        const char *end = strchr(p, '>');
        assert_non_null(end);
        char tag[1024];
        size_t len = (size_t)(end - p) < sizeof tag - 1 ? (size_t)(end - p) : sizeof tag - 1;
        memcpy(tag, p, len);
        tag[len] = '\0';
        if (strstr(tag, "type=\"hidden\"") != NULL)
            continue;
        const char *id = strstr(tag, " id=\"");
        if (id == NULL)
            fail_msg("%s: input without id: %s", name, tag);
        char label[160];
        snprintf(label, sizeof label, "<label for=\"%.*s\">", (int)strcspn(id + 5, "\""), id + 5);
        if (strstr(html, label) == NULL)
            fail_msg("%s: no %s", name, label);
    }
}

static void every_page_renders_as_a_document(void **state)
{
    (void)state;
    const char *pages[] = {"error",        "login",        "signup",           "reset_request",
                           "reset_password", "reset_done", "verify_email", "verify_email_done",
                           "consent"};
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "title", "T");
    tsr_tpl_set(&c, "tenant_name", "Acme");
    tsr_tpl_set(&c, "primary_color", "#3f59e4");
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        char *out = NULL;
        int rc = tsr_tpl_render_named(pages[i], &c, &out, NULL);
        if (rc != 0)
            fail_msg("%s: %s", pages[i], tsr_errname(rc));
        check_page(pages[i], out);
        free(out);
    }
    /* And every embedded template, partials included, is well formed. */
    for (size_t i = 0; i < tsr_tpl_count(); i++) {
        char *out = NULL;
        int rc = tsr_tpl_render_named(tsr_tpl_name(i), NULL, &out, NULL);
        if (rc != 0)
            fail_msg("%s: %s", tsr_tpl_name(i), tsr_errname(rc));
        free(out);
    }
}

static void assert_contains(const char *html, const char *want)
{
    if (strstr(html, want) == NULL)
        fail_msg("missing %s in:\n%s", want, html);
}

static void login_page_form_contract(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "tenant_name", "Acme");
    tsr_tpl_set(&c, "logo_url", "https://cdn.example.com/logo.png");
    tsr_tpl_set(&c, "client_name", "My <App>");
    tsr_tpl_set(&c, "state", "St4te_-x");
    tsr_tpl_set(&c, "csrf", "CsRf");
    tsr_tpl_set(&c, "username", "ann@example.com\"><b>");
    tsr_tpl_set(&c, "username_label", "Email address");
    tsr_tpl_set(&c, "signup_allowed", "1");
    tsr_tpl_set(&c, "error", "Wrong email or password.");
    char *out = NULL;
    assert_int_equal(tsr_tpl_render_named("login", &c, &out, NULL), 0);
    assert_contains(out, "<form method=\"post\" action=\"login?state=St4te_-x\">");
    assert_contains(out, "<input type=\"hidden\" name=\"state\" value=\"St4te_-x\">");
    assert_contains(out, "<input type=\"hidden\" name=\"csrf\" value=\"CsRf\">");
    assert_contains(out, "<label for=\"username\">Email address</label>");
    assert_contains(out, "name=\"username\" value=\"ann@example.com&quot;&gt;&lt;b&gt;\" "
                         "autocomplete=\"username\"");
    assert_contains(out, "<input type=\"password\" id=\"password\" name=\"password\" "
                         "autocomplete=\"current-password\"");
    assert_contains(out, "<button type=\"submit\">Continue</button>");
    assert_contains(out, "<div role=\"alert\" class=\"error\">Wrong email or password.</div>");
    assert_contains(out, "href=\"signup?state=St4te_-x\"");
    assert_contains(out, "href=\"reset-password/request?state=St4te_-x\"");
    assert_contains(out, ">Forgot password?</a>");
    assert_contains(out, "My &lt;App&gt;");
    assert_contains(out, "<img src=\"https:&#47;&#47;cdn.example.com&#47;logo.png\" alt=\"Acme\">");
    free(out);

    tsr_tpl_set(&c, "signup_allowed", "");
    tsr_tpl_set(&c, "error", NULL);
    tsr_tpl_set(&c, "logo_url", NULL);
    assert_int_equal(tsr_tpl_render_named("login", &c, &out, NULL), 0);
    assert_null(strstr(out, "signup?state="));
    assert_null(strstr(out, "role=\"alert\""));
    assert_null(strstr(out, "<img"));
    free(out);
}

static void other_pages_form_contract(void **state)
{
    (void)state;
    struct tsr_tpl_ctx c;
    tsr_tpl_ctx_init(&c);
    tsr_tpl_set(&c, "state", "S");
    tsr_tpl_set(&c, "csrf", "C");
    tsr_tpl_set(&c, "ticket", "T");
    tsr_tpl_set(&c, "requires_username", "1");
    char *out = NULL;

    assert_int_equal(tsr_tpl_render_named("signup", &c, &out, NULL), 0);
    assert_contains(out, "action=\"signup?state=S\"");
    assert_contains(out, "name=\"email\"");
    assert_contains(out, "name=\"username\"");
    assert_contains(out, "autocomplete=\"new-password\"");
    free(out);

    assert_int_equal(tsr_tpl_render_named("reset_request", &c, &out, NULL), 0);
    assert_contains(out, "action=\"request?state=S\"");
    assert_contains(out, "name=\"email\"");
    assert_contains(out, "href=\"../login?state=S\"");
    free(out);

    assert_int_equal(tsr_tpl_render_named("reset_password", &c, &out, NULL), 0);
    assert_contains(out, "action=\"reset-password?ticket=T\"");
    assert_contains(out, "<input type=\"hidden\" name=\"ticket\" value=\"T\">");
    assert_contains(out, "name=\"password\"");
    assert_contains(out, "name=\"password_confirm\"");
    free(out);

    assert_int_equal(tsr_tpl_render_named("consent", &c, &out, NULL), 0);
    assert_contains(out, "action=\"consent?state=S\"");
    assert_contains(out, "name=\"decision\" value=\"accept\"");
    assert_contains(out, "name=\"decision\" value=\"deny\"");
    free(out);

    /* Without a transaction the reset request form has no state at all. */
    tsr_tpl_set(&c, "state", NULL);
    assert_int_equal(tsr_tpl_render_named("reset_request", &c, &out, NULL), 0);
    assert_contains(out, "action=\"request\"");
    assert_null(strstr(out, "state"));
    free(out);
}

/* ---- input checks ---- */

static void colors_and_logo_urls(void **state)
{
    (void)state;
    assert_true(tsr_page_color_ok("#3f59e4"));
    assert_true(tsr_page_color_ok("#ABCDEF"));
    const char *bad_colors[] = {NULL, "", "3f59e4", "#3f59e", "#3f59e4a", "#3g59e4",
                                "red", "#fff;}", "#3f59e4;background:url(x)"};
    for (size_t i = 0; i < sizeof bad_colors / sizeof bad_colors[0]; i++)
        assert_false(tsr_page_color_ok(bad_colors[i]));
    assert_true(tsr_page_https_url_ok("https://cdn.example.com/logo.png?v=1"));
    const char *bad_urls[] = {NULL, "", "https://", "http://cdn.example.com/l.png",
                              "javascript:alert(1)", "data:image/png;base64,AAAA",
                              "https://x/a b", "https://x/\"", "HTTPS://x/l.png"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++)
        assert_false(tsr_page_https_url_ok(bad_urls[i]));
}

static void assert_csp_source(const char *url, const char *want)
{
    char out[128];
    bool ok = tsr_page_csp_source(url, out, sizeof out);
    if (want == NULL) {
        if (ok || out[0] != '\0')
            fail_msg("%s gave \"%s\", want refusal", url ? url : "NULL", out);
        return;
    }
    if (!ok || strcmp(out, want) != 0)
        fail_msg("%s gave \"%s\", want \"%s\"", url, out, want);
}

static void csp_sources_of_redirect_uris(void **state)
{
    (void)state;
    assert_csp_source("http://localhost:3000/cb", "http://localhost:3000");
    assert_csp_source("https://app.example.com", "https://app.example.com");
    assert_csp_source("HTTPS://App.example.com/cb?x=1#f", "https://App.example.com");
    assert_csp_source("https://[::1]:8443/cb", "https://[::1]:8443");
    assert_csp_source("com.example.app:/callback", "com.example.app:");
    assert_csp_source("com.example.app://callback", "com.example.app://callback");
    const char *bad[] = {NULL, "", "/relative", "https://", "https://user@evil.example/",
                         "https://a.example;script-src *", "https://a b/", "https://*.example/",
                         "1http://x/", "no-colon"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_csp_source(bad[i], NULL);
    char tiny[8];
    assert_false(tsr_page_csp_source("https://example.com/", tiny, sizeof tiny));
}

static void identifiers_and_emails(void **state)
{
    (void)state;
    char longest[TSR_LOGIN_IDENTIFIER_MAX + 2];
    memset(longest, 'a', sizeof longest);
    longest[TSR_LOGIN_IDENTIFIER_MAX] = '\0';
    assert_true(tsr_page_identifier_ok(longest));
    longest[TSR_LOGIN_IDENTIFIER_MAX] = 'a';
    longest[TSR_LOGIN_IDENTIFIER_MAX + 1] = '\0';
    assert_false(tsr_page_identifier_ok(longest));
    assert_true(tsr_page_identifier_ok("ann_99"));
    assert_false(tsr_page_identifier_ok(""));
    assert_false(tsr_page_identifier_ok("a\nb"));
    assert_true(tsr_page_email_ok("ann@example.com"));
    assert_true(tsr_page_email_ok("Ann.Lee+tag@sub.example.co.uk"));
    const char *bad[] = {"ann", "@example.com", "ann@", "a@b@c", "a b@c.d", "a@b.c\r\nBcc: x",
                         "<a@b.c>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(tsr_page_email_ok(bad[i]));
}

static void policy_sentences(void **state)
{
    (void)state;
    struct tsr_connection c = {0};
    char out[256];
    c.password_policy = "good";
    c.password_min_length = 8;
    tsr_page_policy_text(&c, out, sizeof out);
    assert_non_null(strstr(out, "at least 8 characters"));
    c.password_policy = "none";
    c.password_min_length = 1;
    tsr_page_policy_text(&c, out, sizeof out);
    assert_string_equal(out, "Use at least 1 character.");
    c.password_policy = "excellent";
    c.password_min_length = 12;
    tsr_page_policy_text(&c, out, sizeof out);
    assert_non_null(strstr(out, "at least 12 characters"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_each_special_character),
        cmocka_unit_test(escape_leaves_other_text_alone),
        cmocka_unit_test(escape_is_one_pass),
        cmocka_unit_test(substitutes_and_escapes_variables),
        cmocka_unit_test(values_are_escaped_exactly_once),
        cmocka_unit_test(values_are_not_template_text),
        cmocka_unit_test(missing_variable_renders_empty),
        cmocka_unit_test(later_set_replaces_value),
        cmocka_unit_test(variable_limit),
        cmocka_unit_test(sections_render_when_non_empty),
        cmocka_unit_test(sections_nest),
        cmocka_unit_test(lists_repeat_with_item_and_outer_variables),
        cmocka_unit_test(comments_render_nothing),
        cmocka_unit_test(malformed_templates_fail),
        cmocka_unit_test(nesting_depth_is_bounded),
        cmocka_unit_test(output_is_bounded),
        cmocka_unit_test(templates_are_embedded_and_found_by_name),
        cmocka_unit_test(every_page_renders_as_a_document),
        cmocka_unit_test(login_page_form_contract),
        cmocka_unit_test(other_pages_form_contract),
        cmocka_unit_test(colors_and_logo_urls),
        cmocka_unit_test(csp_sources_of_redirect_uris),
        cmocka_unit_test(identifiers_and_emails),
        cmocka_unit_test(policy_sentences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
