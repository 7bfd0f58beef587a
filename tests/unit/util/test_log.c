/*
 * test_log.c - the JSON lines on standard error: the fields follow ts,
 * level and msg in their own order, a field named like one of those three
 * is left out, a msg or value that needs escaping is escaped, a line far
 * longer than a request's is written whole, and a level below the minimum
 * writes nothing; fields given as text make the same line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/clock.h"
#include "util/log.h"

/* 2030-01-01T00:00:00.042Z */
#define T0_MS (INT64_C(1893456000) * 1000 + 42)
#define TS "\"ts\":\"2030-01-01T00:00:00.042Z\""

/* Runs one tsr_log call with standard error sent to a file; returns what it wrote. */
static char *capture(enum tsr_log_level level, const char *msg, json_t *fields)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
    tsr_log(level, msg, fields);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    long len = ftell(f);
    assert_true(len >= 0);
    char *out = calloc(1, (size_t)len + 1);
    assert_non_null(out);
    rewind(f);
    assert_int_equal(fread(out, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return out;
}

/* The same with tsr_log_text; *wrote is its return. */
static char *capture_text(enum tsr_log_level level, const char *msg, const char *fields,
                          bool *wrote)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
    *wrote = tsr_log_text(level, msg, fields, strlen(fields));
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    long len = ftell(f);
    assert_true(len >= 0);
    char *out = calloc(1, (size_t)len + 1);
    assert_non_null(out);
    rewind(f);
    assert_int_equal(fread(out, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return out;
}

static int setup(void **state)
{
    (void)state;
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, T0_MS);
    tsr_log_set_level(TSR_LOG_INFO);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tsr_clock_set_for_tests(TSR_CLOCK_REAL, 0);
    return 0;
}

static void test_fields_follow(void **state)
{
    (void)state;
    char *line = capture(TSR_LOG_INFO, "request",
                         json_pack("{s:s, s:i, s:f, s:{s:b}}", "request_id", "abc", "status", 200,
                                   "latency_ms", 0.53153899999999998, "o", "x", 1));
    assert_string_equal(line, "{" TS ",\"level\":\"info\",\"msg\":\"request\",\"request_id\":"
                              "\"abc\",\"status\":200,\"latency_ms\":0.531539,\"o\":{\"x\":true}}\n");
    free(line);

    line = capture(TSR_LOG_WARN, "no fields", NULL);
    assert_string_equal(line, "{" TS ",\"level\":\"warn\",\"msg\":\"no fields\"}\n");
    free(line);

    line = capture(TSR_LOG_ERROR, "empty", json_object());
    assert_string_equal(line, "{" TS ",\"level\":\"error\",\"msg\":\"empty\"}\n");
    free(line);
}

static void test_escaping_and_reserved(void **state)
{
    (void)state;
    char *line = capture(TSR_LOG_INFO, "say \"hi\"\n", json_pack("{s:s}", "v", "a\"b\\c\x01"));
    assert_string_equal(line, "{" TS ",\"level\":\"info\",\"msg\":\"say \\\"hi\\\"\\n\","
                              "\"v\":\"a\\\"b\\\\c\\u0001\"}\n");
    free(line);

    /* The line's own members win over fields of the same name. */
    line = capture(TSR_LOG_INFO, "m", json_pack("{s:s, s:s}", "level", "forged", "k", "v"));
    assert_string_equal(line, "{" TS ",\"level\":\"info\",\"msg\":\"m\",\"k\":\"v\"}\n");
    free(line);
}

static void test_long_line_and_level(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *line = capture(TSR_LOG_INFO, "big", json_pack("{s:s}", "v", big));
    size_t len = strlen(line);
    assert_true(len > sizeof big);
    assert_int_equal(line[len - 1], '\n');
    json_error_t err;
    json_t *v = json_loadb(line, len - 1, 0, &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "v")), big);
    json_decref(v);
    free(line);

    line = capture(TSR_LOG_DEBUG, "quiet", json_pack("{s:s}", "k", "v"));
    assert_string_equal(line, "");
    free(line);
}

static void test_text_fields(void **state)
{
    (void)state;
    /* Byte for byte the line tsr_log writes from the same fields. */
    json_t *fields = json_pack("{s:s, s:s, s:i, s:f, s:b}", "request_id", "abc", "route",
                               "/oauth/token", "status", 200, "latency_ms", 0.531539, "aborted", 1);
    char *text = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    char *want = capture(TSR_LOG_INFO, "request", fields);
    bool wrote = false;
    char *got = capture_text(TSR_LOG_INFO, "request", text, &wrote);
    assert_true(wrote);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(text);

    want = capture(TSR_LOG_WARN, "empty", json_object());
    got = capture_text(TSR_LOG_WARN, "empty", "{}", &wrote);
    assert_true(wrote);
    assert_string_equal(got, want);
    free(got);
    free(want);

    /* A msg to escape, a line too long for the stack or not an object: the caller's jansson path. */
    got = capture_text(TSR_LOG_INFO, "say \"hi\"", "{}", &wrote);
    assert_false(wrote);
    assert_string_equal(got, "");
    free(got);
    char big[4096];
    memset(big, 'x', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    big[sizeof big - 1] = '\0';
    got = capture_text(TSR_LOG_INFO, "big", big, &wrote);
    assert_false(wrote);
    assert_string_equal(got, "");
    free(got);
    got = capture_text(TSR_LOG_INFO, "m", "[]", &wrote);
    assert_false(wrote);
    free(got);

    /* Below the level: nothing written, and nothing for the caller to do. */
    got = capture_text(TSR_LOG_DEBUG, "quiet", "{}", &wrote);
    assert_true(wrote);
    assert_string_equal(got, "");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_follow),
        cmocka_unit_test(test_escaping_and_reserved),
        cmocka_unit_test(test_long_line_and_level),
        cmocka_unit_test(test_text_fields),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
