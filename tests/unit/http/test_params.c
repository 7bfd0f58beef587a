/*
 * test_params.c - form, query and JSON parameter parsing: decoding, limits,
 * repeated names; a form or a query is copied into one block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/params.h"
#include "http/request.h"
#include "util/err.h"

static int parse_form(struct tsr_params *p, const char *s)
{
    char err[256];
    memset(p, 0, sizeof *p);
    return tsr_params_parse_form(p, s, strlen(s), err, sizeof err);
}

static void form_decodes_escapes_and_plus(void **state)
{
    (void)state;
    struct tsr_params p;
    assert_int_equal(parse_form(&p, "a=1&b=%20x+y&c=&d&e=%2B%26%3D"), 0);
    assert_int_equal(p.n, 5);
    assert_string_equal(tsr_params_get(&p, "a"), "1");
    assert_string_equal(tsr_params_get(&p, "b"), " x y");
    assert_string_equal(tsr_params_get(&p, "c"), "");
    assert_string_equal(tsr_params_get(&p, "d"), "");
    assert_string_equal(tsr_params_get(&p, "e"), "+&=");
    assert_null(tsr_params_get(&p, "f"));
    tsr_params_cleanup(&p);
    assert_int_equal(p.n, 0);
}

static void form_one_block(void **state)
{
    (void)state;
    struct tsr_params p;
    /* Every name and value in the block, up to the last byte it has. */
    assert_int_equal(parse_form(&p, "a=1&&bb=%41%42&c&d=&=&e=+"), TSR_EFORMAT);
    assert_null(p.block);
    assert_int_equal(parse_form(&p, "a=1&&bb=%41%42&c&d=&e=+&f=x%26y"), 0);
    assert_non_null(p.block);
    assert_int_equal(p.n, 6);
    for (size_t i = 0; i < p.n; i++) {
        assert_true(p.items[i].name >= p.block && p.items[i].name < p.block + p.block_len);
        assert_true(p.items[i].value + strlen(p.items[i].value) < p.block + p.block_len);
    }
    assert_string_equal(tsr_params_get(&p, "bb"), "AB");
    assert_string_equal(tsr_params_get(&p, "f"), "x&y");
    /* A second form into the same p is refused, p unchanged. */
    char err[64];
    assert_int_equal(tsr_params_parse_form(&p, "z=1", 3, err, sizeof err), TSR_EINVAL);
    assert_int_equal(p.n, 6);
    tsr_params_cleanup(&p);
    assert_null(p.block);
    assert_int_equal(p.block_len, 0);
}

/* A request whose query is a fixed list of pairs. */
static const char *const *query_pairs;

static bool echo_pairs(void *conn, enum tsr_req_kind kind, tsr_req_value_fn fn, void *cls)
{
    (void)conn;
    (void)kind;
    for (size_t i = 0; query_pairs[i] != NULL; i += 2)
        if (!fn(cls, query_pairs[i], query_pairs[i + 1][0] == '-' ? NULL : query_pairs[i + 1]))
            return false;
    return true;
}

static void each_pair(void *conn, enum tsr_req_kind kind, tsr_req_value_fn fn, void *cls)
{
    (void)echo_pairs(conn, kind, fn, cls);
}

static void query_one_block(void **state)
{
    (void)state;
    struct tsr_req_source source = {.each = each_pair};
    struct tsr_req req = {.source = &source};
    struct tsr_params p = {0};
    char err[128];
    query_pairs = (const char *const[]){"a", "1", "scope", "openid profile", "flag", "-", NULL};
    assert_int_equal(tsr_req_query_params(&req, &p, err, sizeof err), 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(tsr_params_get(&p, "scope"), "openid profile");
    assert_string_equal(tsr_params_get(&p, "flag"), "");
    for (size_t i = 0; i < p.n; i++)
        assert_true(p.items[i].value >= p.block && p.items[i].value < p.block + p.block_len);
    tsr_params_cleanup(&p);
    assert_null(p.block);

    query_pairs = (const char *const[]){"a", "1", "b", "2", "a", "3", NULL};
    assert_int_equal(tsr_req_query_params(&req, &p, err, sizeof err), TSR_EFORMAT);
    assert_int_equal(p.n, 0);
    assert_null(p.block);
    query_pairs = (const char *const[]){NULL};
    assert_int_equal(tsr_req_query_params(&req, &p, err, sizeof err), 0);
    assert_int_equal(p.n, 0);
    tsr_params_cleanup(&p);
}

static void form_skips_empty_pairs(void **state)
{
    (void)state;
    struct tsr_params p;
    assert_int_equal(parse_form(&p, "&&a=1&&"), 0);
    assert_int_equal(p.n, 1);
    tsr_params_cleanup(&p);
    assert_int_equal(parse_form(&p, ""), 0);
    assert_int_equal(p.n, 0);
}

static void form_rejects_bad_input(void **state)
{
    (void)state;
    struct tsr_params p;
    const char *bad[] = {"a=%", "a=%2", "a=%zz", "a=%00", "a=1&a=2", "=x", "%41=1&A=2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse_form(&p, bad[i]), TSR_EFORMAT);
        assert_int_equal(p.n, 0);
    }
}

static void form_rejects_nul_bytes(void **state)
{
    (void)state;
    struct tsr_params p = {0};
    char err[256];
    static const char body[] = "a=x\0y&b=2";
    assert_int_equal(tsr_params_parse_form(&p, body, sizeof body - 1, err, sizeof err),
                     TSR_EFORMAT);
    assert_int_equal(p.n, 0);
}

static void form_enforces_limits(void **state)
{
    (void)state;
    struct tsr_params p;
    char buf[TSR_PARAMS_MAX * 8 + 16];
    size_t len = 0;
    for (int i = 0; i <= TSR_PARAMS_MAX; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "p%d=1&", i);
    assert_int_equal(parse_form(&p, buf), TSR_ETOOBIG);

    size_t big = TSR_PARAMS_MAX_VALUE + 10;
    char *long_value = malloc(big + 3);
    assert_non_null(long_value);
    memcpy(long_value, "a=", 2);
    memset(long_value + 2, 'x', big);
    long_value[big + 2] = '\0';
    assert_int_equal(parse_form(&p, long_value), TSR_ETOOBIG);
    free(long_value);
}

static void json_takes_strings_and_scalars(void **state)
{
    (void)state;
    struct tsr_params p = {0};
    char err[256];
    const char *body = "{\"grant_type\":\"client_credentials\",\"n\":5,\"b\":true}";
    assert_int_equal(tsr_params_parse_json(&p, body, strlen(body), err, sizeof err), 0);
    assert_string_equal(tsr_params_get(&p, "grant_type"), "client_credentials");
    assert_string_equal(tsr_params_get(&p, "n"), "5");
    assert_string_equal(tsr_params_get(&p, "b"), "true");
    tsr_params_cleanup(&p);
}

static void json_rejects_bad_input(void **state)
{
    (void)state;
    const char *bad[] = {"", "{", "[]", "\"x\"", "{\"a\":{}}", "{\"a\":[1]}", "{\"a\":null}",
                         "{\"a\":\"1\",\"a\":\"2\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tsr_params p = {0};
        char err[256] = "";
        assert_int_equal(tsr_params_parse_json(&p, bad[i], strlen(bad[i]), err, sizeof err),
                         TSR_EFORMAT);
        assert_int_equal(p.n, 0);
        assert_true(err[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(form_decodes_escapes_and_plus),
        cmocka_unit_test(form_skips_empty_pairs),
        cmocka_unit_test(form_one_block),
        cmocka_unit_test(query_one_block),
        cmocka_unit_test(form_rejects_bad_input),
        cmocka_unit_test(form_rejects_nul_bytes),
        cmocka_unit_test(form_enforces_limits),
        cmocka_unit_test(json_takes_strings_and_scalars),
        cmocka_unit_test(json_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
