/*
 * test_url.c - the one URL reader (util/url.h): tables of URLs and the
 * parts they split into, host[:port], ports, origins and the transport rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/url.h"

/* "-" for an absent part. */
static void assert_part(const struct tsr_url_part *p, const char *want)
{
    if (strcmp(want, "-") == 0) {
        assert_false(p->present);
        return;
    }
    assert_true(p->present);
    char got[256];
    assert_true(p->n < sizeof got);
    memcpy(got, p->p, p->n);
    got[p->n] = '\0';
    assert_string_equal(got, want);
}

static void test_split_good(void **state)
{
    (void)state;
    static const struct {
        const char *url, *scheme, *authority, *userinfo, *host, *port, *path, *query, *fragment;
        int hostport;
    } cases[] = {
        {"https://example.com", "https", "example.com", "-", "example.com", "-", "", "-", "-", 0},
        {"https://example.com/", "https", "example.com", "-", "example.com", "-", "/", "-", "-", 0},
        {"HTTPS://Example.COM:8443/a/b?c=d#e", "HTTPS", "Example.COM:8443", "-", "Example.COM",
         "8443", "/a/b", "c=d", "e", 0},
        {"http://u:p@h:1/x", "http", "u:p@h:1", "u:p", "h", "1", "/x", "-", "-", 0},
        {"http://a@b@c/", "http", "a@b@c", "a@b", "c", "-", "/", "-", "-", 0},
        {"http://[::1]:3000/cb", "http", "[::1]:3000", "-", "[::1]", "3000", "/cb", "-", "-", 0},
        {"http://[::1]", "http", "[::1]", "-", "[::1]", "-", "", "-", "-", 0},
        {"http://[::1]x/", "http", "[::1]x", "-", "[::1]", "-", "/", "-", "-",
         TSR_URL_HOSTPORT_AFTER_BRACKET},
        {"http://[::1/", "http", "[::1", "-", "-", "-", "/", "-", "-", TSR_URL_HOSTPORT_UNCLOSED},
        {"http://h:/", "http", "h:", "-", "h", "", "/", "-", "-", 0},
        {"http://h:1:2/", "http", "h:1:2", "-", "h", "1:2", "/", "-", "-", 0},
        {"https://h?", "https", "h", "-", "h", "-", "", "", "-", 0},
        {"https://h#", "https", "h", "-", "h", "-", "", "-", "", 0},
        {"https://h#a?b", "https", "h", "-", "h", "-", "", "-", "a?b", 0},
        {"https://", "https", "", "-", "", "-", "", "-", "-", 0},
        {"com.example.app:/callback", "com.example.app", "-", "-", "-", "-", "/callback", "-", "-",
         0},
        {"com.example.app://cb", "com.example.app", "cb", "-", "cb", "-", "", "-", "-", 0},
        {"mailto:a@b", "mailto", "-", "-", "-", "-", "a@b", "-", "-", 0},
        {"a+b-c.d:", "a+b-c.d", "-", "-", "-", "-", "", "-", "-", 0},
        {"https://h/p?x=http://e", "https", "h", "-", "h", "-", "/p", "x=http://e", "-", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_url u;
        print_message("%s\n", cases[i].url);
        assert_int_equal(tsr_url_split(cases[i].url, &u), 0);
        assert_part(&u.scheme, cases[i].scheme);
        assert_part(&u.authority, cases[i].authority);
        assert_part(&u.userinfo, cases[i].userinfo);
        assert_part(&u.host, cases[i].host);
        assert_part(&u.port, cases[i].port);
        assert_part(&u.path, cases[i].path);
        assert_part(&u.query, cases[i].query);
        assert_part(&u.fragment, cases[i].fragment);
        assert_int_equal(u.hostport, cases[i].hostport);
    }
}

static void test_split_bad(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "//example.com/", "/path", "example.com", "1http://h/", "+x://h", "ht tp://h",
        "ht_tp://h", "http//h", "?q", "#f", ":", "://h", "é://h",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tsr_url u;
        print_message("%s\n", bad[i]);
        assert_int_equal(tsr_url_split(bad[i], &u), -1);
        assert_false(u.scheme.present);
    }
    struct tsr_url u;
    assert_int_equal(tsr_url_split(NULL, &u), -1);
}

static void test_split_bounded(void **state)
{
    (void)state;
    size_t n = TSR_URL_MAX + 1;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, "https://h/", 10);
    memset(s + 10, 'a', n - 10);
    s[n] = '\0';
    struct tsr_url u;
    assert_int_equal(tsr_url_split(s, &u), -1);
    s[n - 1] = '\0'; /* exactly TSR_URL_MAX */
    assert_int_equal(tsr_url_split(s, &u), 0);
    assert_int_equal(u.path.n, TSR_URL_MAX - 9);
    free(s);
}

static void test_hostport(void **state)
{
    (void)state;
    static const struct {
        const char *in, *host, *port;
        int rc;
    } cases[] = {
        {"h", "h", "-", 0},
        {"h:80", "h", "80", 0},
        {"h:", "h", "", 0},
        {":80", "", "80", 0},
        {"", "", "-", 0},
        {"[::1]", "[::1]", "-", 0},
        {"[::1]:8080", "[::1]", "8080", 0},
        {"[]", "[]", "-", 0},
        {"[::1", "-", "-", TSR_URL_HOSTPORT_UNCLOSED},
        {"[::1]8080", "[::1]", "-", TSR_URL_HOSTPORT_AFTER_BRACKET},
        {"::1", "", ":1", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_url_part h, p;
        print_message("%s\n", cases[i].in);
        assert_int_equal(tsr_url_hostport(cases[i].in, strlen(cases[i].in), &h, &p), cases[i].rc);
        assert_part(&h, cases[i].host);
        assert_part(&p, cases[i].port);
    }
}

static void test_port_number(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long want;
    } cases[] = {
        {"1", 1},   {"80", 80},  {"65535", 65535}, {"00443", 443}, {"0", -1},  {"65536", -1},
        {"", -1},   {"-1", -1},  {"+1", -1},       {"123456", -1}, {"8a", -1}, {" 80", -1},
        {"99999", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(tsr_url_port_number(cases[i].in, strlen(cases[i].in)), cases[i].want);
}

static void test_default_port(void **state)
{
    (void)state;
    assert_int_equal(tsr_url_default_port("https", 5), 443);
    assert_int_equal(tsr_url_default_port("HTTP", 4), 80);
    assert_int_equal(tsr_url_default_port("httpsx", 6), 0);
    assert_int_equal(tsr_url_default_port("https", 4), 80);
    assert_int_equal(tsr_url_default_port("ftp", 3), 0);
}

static void test_origin(void **state)
{
    (void)state;
    static const struct {
        const char *url, *origin; /* NULL: none */
    } cases[] = {
        {"https://app.example.com/callback?x=1#y", "https://app.example.com"},
        {"http://localhost:3000/cb", "http://localhost:3000"},
        {"http://[::1]:3000", "http://[::1]:3000"},
        {"HTTPS://A.example:443/", "HTTPS://A.example:443"},
        {"https://u@h/", "https://u@h"},
        {"https://h?q", "https://h"},
        {"https://", "https://"},
        {"com.example.app:/cb", NULL},
        {"/relative", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        print_message("%s\n", cases[i].url);
        bool ok = tsr_url_origin(cases[i].url, out, sizeof out);
        assert_int_equal(ok, cases[i].origin != NULL);
        assert_string_equal(out, cases[i].origin != NULL ? cases[i].origin : "");
    }
    char small[8];
    assert_false(tsr_url_origin("https://example.com/", small, sizeof small));
    assert_string_equal(small, "");
    assert_true(tsr_url_origin("ftp://a/", small, sizeof small));
    assert_string_equal(small, "ftp://a");
}

static void test_transport(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        bool ok;
    } cases[] = {
        {"https://example.com/", true},   {"HTTPS://example.com", true},
        {"http://localhost:3000/", true}, {"http://LOCALHOST/", true},
        {"http://127.0.0.1/", true},      {"http://[::1]:8080/", true},
        {"http://example.com/", false},   {"http://127.0.0.2/", false},
        {"http://localhost.evil/", false}, {"http://[::2]/", false},
        {"ftp://localhost/", false},      {"http:/localhost", false},
        {"http://u@evil.example/", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_url u;
        print_message("%s\n", cases[i].url);
        assert_int_equal(tsr_url_split(cases[i].url, &u), 0);
        assert_int_equal(tsr_url_transport_ok(&u), cases[i].ok);
    }
    assert_true(tsr_url_loopback_host("[::1]", 5));
    assert_false(tsr_url_loopback_host("::1", 3));
    assert_false(tsr_url_loopback_host("localhost", 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_good),   cmocka_unit_test(test_split_bad),
        cmocka_unit_test(test_split_bounded), cmocka_unit_test(test_hostport),
        cmocka_unit_test(test_port_number),  cmocka_unit_test(test_default_port),
        cmocka_unit_test(test_origin),       cmocka_unit_test(test_transport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
