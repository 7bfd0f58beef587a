/*
 * test_tenant_doc_yaml.c - the tenant document's YAML reader and writer
 * and the Deploy CLI's keyword replacement: types of plain and quoted
 * scalars, a round trip of awkward strings, malformed text with its line,
 * repeated keys, more than one document, an alias bomb and deep nesting
 * stopped at their budgets, a size limit, and ##KEY## / @@KEY@@.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/tenant_doc_keywords.h"
#include "core/tenant_doc_yaml.h"
#include "util/err.h"

static json_t *parse_ok(const char *text)
{
    char err[300] = "";
    json_t *v = NULL;
    int rc = tsr_yaml_parse(text, strlen(text), NULL, &v, err, sizeof err);
    if (rc != 0)
        fail_msg("parse failed: %s", err);
    return v;
}

static int parse_err(const char *text, const struct tsr_yaml_limits *lim, char *err, size_t n)
{
    json_t *v = NULL;
    int rc = tsr_yaml_parse(text, strlen(text), lim, &v, err, n);
    assert_null(v);
    return rc;
}

static void test_scalars(void **state)
{
    (void)state;
    json_t *v = parse_ok("a: 12\nb: '12'\nc: true\nd: \"false\"\ne: ~\nf: 1.5\ng: hello world\n"
                         "h: yes\ni: -7\nj: 0x1f\nk:\nl: [1, two]\nm: {n: null}\n");
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 12);
    assert_string_equal(json_string_value(json_object_get(v, "b")), "12");
    assert_true(json_is_true(json_object_get(v, "c")));
    assert_string_equal(json_string_value(json_object_get(v, "d")), "false");
    assert_true(json_is_null(json_object_get(v, "e")));
    assert_true(json_real_value(json_object_get(v, "f")) == 1.5);
    assert_string_equal(json_string_value(json_object_get(v, "g")), "hello world");
    assert_string_equal(json_string_value(json_object_get(v, "h")), "yes"); /* YAML 1.2 */
    assert_int_equal(json_integer_value(json_object_get(v, "i")), -7);
    assert_int_equal(json_integer_value(json_object_get(v, "j")), 31);
    assert_true(json_is_null(json_object_get(v, "k")));
    assert_int_equal(json_array_size(json_object_get(v, "l")), 2);
    assert_true(json_is_null(json_object_get(json_object_get(v, "m"), "n")));
    json_decref(v);
    v = parse_ok("");
    assert_true(json_is_object(v) && json_object_size(v) == 0);
    json_decref(v);
    /* An alias is a copy of its anchor's value; tags read as libyaml's loader read them. */
    v = parse_ok("a: &x {k: [1, '2']}\nb: *x\n&y c: *x\nd: *y\ne: !!str 12\nf: !foo 12\n");
    assert_true(json_equal(json_object_get(v, "a"), json_object_get(v, "b")));
    assert_true(json_object_get(v, "a") != json_object_get(v, "b"));
    assert_true(json_equal(json_object_get(v, "a"), json_object_get(v, "c")));
    assert_string_equal(json_string_value(json_object_get(v, "d")), "c");
    assert_int_equal(json_integer_value(json_object_get(v, "e")), 12);
    assert_string_equal(json_string_value(json_object_get(v, "f")), "12");
    json_decref(v);
}

static void test_round_trip(void **state)
{
    (void)state;
    json_t *doc = json_pack("{s:[s,s,s,s,s,s,s,s,s,s], s:{s:i, s:b, s:n, s:f}, s:[], s:{}, s:s}",
                            "strings", "12", "true", "null", "yes", "- dash", "a: colon", "#hash",
                            "", " padded ", "line\nbreak", "nested", "n", 42, "b", 0, "z", "r", 2.0,
                            "empty", "obj", "ünï", "çødé");
    assert_non_null(doc);
    char *text = NULL;
    assert_int_equal(tsr_yaml_emit(doc, &text), 0);
    json_t *back = parse_ok(text);
    if (!json_equal(doc, back))
        fail_msg("round trip differs:\n%s", text);
    free(text);
    json_decref(back);
    json_decref(doc);
}

static void test_malformed(void **state)
{
    (void)state;
    char err[300];
    assert_int_equal(parse_err("a: [1, 2\nb: 3\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_non_null(strstr(err, "line "));
    assert_int_equal(parse_err("a: 1\na: 2\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_non_null(strstr(err, "repeated"));
    assert_int_equal(parse_err("a: 1\n---\nb: 2\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_non_null(strstr(err, "more than one"));
    assert_int_equal(parse_err("[1]: x\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_int_equal(parse_err("a: *nope\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_non_null(strstr(err, "line 1"));
    assert_int_equal(parse_err("a: !!binary aGk=\nb: [1, 2\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_int_equal(parse_err("a: \xff\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_int_equal(parse_err("a: 1\n--- [\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_int_equal(parse_err("a: \"\\0\"\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_int_equal(parse_err("\t- x", NULL, err, sizeof err), TSR_EFORMAT);
}

static void test_bounds(void **state)
{
    (void)state;
    char err[300];
    /* Billion laughs: nine levels of ten aliases each are 10^9 values, the budget stops it. */
    char bomb[2048] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; i++) {
        size_t len = strlen(bomb);
        snprintf(bomb + len, sizeof bomb - len, "%c: &%c [", 'a' + i, 'a' + i);
        for (int k = 0; k < 10; k++) {
            len = strlen(bomb);
            snprintf(bomb + len, sizeof bomb - len, "%s*%c", k ? ", " : "", 'a' + i - 1);
        }
        len = strlen(bomb);
        snprintf(bomb + len, sizeof bomb - len, "]\n");
    }
    assert_int_equal(parse_err(bomb, NULL, err, sizeof err), TSR_ETOOBIG);
    assert_non_null(strstr(err, "too many values"));
    /* A recursive alias is refused. */
    assert_int_equal(parse_err("a: &a [*a]\n", NULL, err, sizeof err), TSR_EFORMAT);
    assert_non_null(strstr(err, "inside its own anchor"));
    /* Deep nesting. */
    char deep[400];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    assert_int_equal(parse_err(deep, NULL, err, sizeof err), TSR_ETOOBIG);
    assert_non_null(strstr(err, "nested"));
    /* Very deep nesting is refused at the limit, before the rest of the text is read. */
    size_t levels = 200000;
    char *deeper = malloc(2 * levels + 16);
    assert_non_null(deeper);
    strcpy(deeper, "tenant: ");
    memset(deeper + 8, '[', levels);
    memset(deeper + 8 + levels, ']', levels);
    deeper[8 + 2 * levels] = '\0';
    assert_int_equal(parse_err(deeper, NULL, err, sizeof err), TSR_ETOOBIG);
    assert_non_null(strstr(err, "nested too deeply"));
    free(deeper);
    /* An alias's value counts towards the depth where it is used. */
    struct tsr_yaml_limits shallow = {1024, 3, 100};
    assert_int_equal(parse_err("a: &a [[1]]\nb: [*a]\n", &shallow, err, sizeof err), TSR_ETOOBIG);
    assert_non_null(strstr(err, "nested"));
    /* The size limit comes before any parsing. */
    struct tsr_yaml_limits lim = {16, 8, 100};
    assert_int_equal(parse_err("a: 0123456789abcdef\n", &lim, err, sizeof err), TSR_ETOOBIG);
    /* A big but fair document passes. */
    size_t n = 20000;
    char *big = malloc(n * 12 + 16);
    assert_non_null(big);
    strcpy(big, "items:\n");
    size_t off = strlen(big);
    for (size_t i = 0; i < n; i++)
        off += (size_t)sprintf(big + off, "- v%06zu\n", i);
    json_t *v = parse_ok(big);
    assert_int_equal(json_array_size(json_object_get(v, "items")), n);
    json_decref(v);
    free(big);
}

static char *replace(const char *text, const char *mappings_json, int want_rc)
{
    json_t *m = mappings_json ? json_loads(mappings_json, 0, NULL) : NULL;
    char err[300] = "", *out = NULL;
    int rc = tsr_keywords_replace(text, strlen(text), m, 1024, &out, err, sizeof err);
    json_decref(m);
    assert_int_equal(rc, want_rc);
    return out;
}

static void test_keywords(void **state)
{
    (void)state;
    char *s = replace("name: ##ENV## app\nurls: @@URLS@@\nq: \"@@URLS@@\"\nn: ##N##\nl: ##L##\n"
                      "s: '@@URLS@@'\nf: ##F##\n",
                      "{\"ENV\":\"dev\",\"URLS\":[\"https://a\",\"https://b\"],\"N\":3,"
                      "\"L\":[\"x\",\"y\"],\"F\":0.1}",
                      0);
    assert_string_equal(s, "name: dev app\nurls: [\"https://a\",\"https://b\"]\n"
                           "q: [\"https://a\",\"https://b\"]\nn: 3\nl: x,y\n"
                           "s: [\"https://a\",\"https://b\"]\nf: 0.1\n");
    free(s);
    /* Unknown keywords stay as they are; no mappings change nothing. */
    s = replace("a: ##OTHER##\n", "{\"ENV\":\"x\"}", 0);
    assert_string_equal(s, "a: ##OTHER##\n");
    free(s);
    s = replace("a: ##ENV##\n", NULL, 0);
    assert_string_equal(s, "a: ##ENV##\n");
    free(s);
    /* A key that is no keyword, a result over the bound. */
    assert_null(replace("a\n", "{\"a b\":\"x\"}", TSR_EINVAL));
    assert_null(
        replace("##A####A####A####A##",
                "{\"A\":\"" /* 300 characters */
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
                TSR_ETOOBIG));
    /* Merging: the file's keys win over the environment's. */
    json_t *file = json_pack("{s:s}", "A", "file"), *m = NULL;
    char err[200];
    assert_int_equal(tsr_keywords_merge("{\"A\":\"env\",\"B\":\"env\"}", file, &m, err, sizeof err),
                     0);
    assert_string_equal(json_string_value(json_object_get(m, "A")), "file");
    assert_string_equal(json_string_value(json_object_get(m, "B")), "env");
    json_decref(m);
    assert_int_equal(tsr_keywords_merge("[1]", NULL, &m, err, sizeof err), TSR_EFORMAT);
    json_decref(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),   cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_keywords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
