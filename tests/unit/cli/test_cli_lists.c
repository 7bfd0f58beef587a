/*
 * test_cli_lists.c - the CLI's list options (repeated and/or
 * comma-separated) and the sanitised printing of server text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/args.h"
#include "cli/output.h"

static const struct tsr_cli_opt opts[] = {
    {"users", "LIST", "ids", TSR_CLI_OPT_REPEAT},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_command cmd = {
    .name = "test list",
    .summary = "a list option",
    .opts = opts,
    .kind = TSR_CLI_PARSED,
};

/* Parses argv, then the list; returns the status of tsr_cli_opt_list. */
static int parse_list(int argc, char **argv, json_t **out)
{
    struct tsr_cli_args *a = NULL;
    assert_int_equal(tsr_cli_args_parse(&cmd, argc, argv, &a), 0);
    int rc = tsr_cli_opt_list(a, "users", out);
    tsr_cli_args_free(a);
    return rc;
}

static void assert_list(const json_t *list, const char *const *want, size_t n)
{
    assert_non_null(list);
    assert_int_equal(json_array_size(list), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(list, i)), want[i]);
}

static void test_commas_and_repeats_join_in_order(void **state)
{
    (void)state;
    char *argv[] = {"--users", "a,b", "--users=c", "--users", " d , e "};
    json_t *list = NULL;
    assert_int_equal(parse_list(5, argv, &list), 0);
    static const char *const want[] = {"a", "b", "c", "d", "e"};
    assert_list(list, want, 5);
    json_decref(list);
}

static void test_absent_is_empty(void **state)
{
    (void)state;
    json_t *list = NULL;
    assert_int_equal(parse_list(0, NULL, &list), 0);
    assert_list(list, NULL, 0);
    json_decref(list);
}

static void test_ids_with_pipes_stay_whole(void **state)
{
    (void)state;
    char *argv[] = {"--users", "auth0|abc,auth0|def"};
    json_t *list = NULL;
    assert_int_equal(parse_list(2, argv, &list), 0);
    static const char *const want[] = {"auth0|abc", "auth0|def"};
    assert_list(list, want, 2);
    json_decref(list);
}

static void test_empty_items_are_usage_errors(void **state)
{
    (void)state;
    static char *cases[][2] = {
        {"--users", "a,,b"}, {"--users", ""},    {"--users", "a,"},
        {"--users", ",a"},   {"--users", " , "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *list = (json_t *)1;
        assert_int_equal(parse_list(2, cases[i], &list), TSR_CLI_USAGE);
        assert_null(list);
    }
}

static void test_invalid_utf8_is_a_usage_error(void **state)
{
    (void)state;
    char *argv[] = {"--users", "a,\xff\xfe"};
    json_t *list = NULL;
    assert_int_equal(parse_list(2, argv, &list), TSR_CLI_USAGE);
    assert_null(list);
}

static void test_put_text_replaces_control_characters(void **state)
{
    (void)state;
    char buf[64] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    tsr_cli_put_text(f, "ok\x1b[31m\r\n\x7f"
                        "caf\xc3\xa9");
    tsr_cli_put_text(f, NULL);
    fclose(f);
    assert_string_equal(buf, "ok?[31m???caf\xc3\xa9");
}

/* C1 controls (U+009B is CSI, U+009D OSC) act on terminals in UTF-8 as well. */
static void test_c1_controls_and_bad_bytes_are_replaced(void **state)
{
    (void)state;
    char buf[128] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    tsr_cli_put_text(f, "a\xc2\x9b"
                        "2J\xc2\x9d"
                        "0;x\xc2\x9c|\x9b|\xc2|\xe2\x82\xac|\xed\xa0\x80|\xc0\xaf");
    fclose(f);
    assert_string_equal(buf, "a?2J?0;x?|?|?|\xe2\x82\xac|???|??");

    char cell[32];
    json_t *v = json_string("x\xc2\x9b" "31mred\xc2\xa0ok");
    tsr_cli_cell(v, cell, sizeof cell);
    assert_string_equal(cell, "x?31mred\xc2\xa0ok");
    json_decref(v);

    /* Cut at the width: "..." after whole characters only. */
    char small[8];
    v = json_string("ab\xe2\x82\xac\xe2\x82\xac");
    tsr_cli_cell(v, small, sizeof small);
    assert_string_equal(small, "ab...");
    json_decref(v);
    v = json_string("abcde\xe2\x82\xac");
    tsr_cli_cell(v, small, sizeof small);
    assert_string_equal(small, "abcd...");
    json_decref(v);

    char said[] = "line\n\xc2\x9b" "1A\x1b";
    tsr_cli_sanitize(said, true);
    assert_string_equal(said, "line\n?1A?");
}

/* --json keeps the value but escapes what jansson leaves raw: DEL and C1. */
static void test_json_escapes_c1_controls(void **state)
{
    (void)state;
    char buf[256] = "";
    json_t *v = json_pack("{s:s}", "name", "a\xc2\x9b" "2J\x7f\xc3\xa9");
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    tsr_cli_print_json(f, v);
    fclose(f);
    assert_string_equal(buf, "{\n  \"name\": \"a\\u009b2J\\u007f\xc3\xa9\"\n}\n");
    json_t *back = json_loads(buf, 0, NULL);
    assert_true(json_equal(back, v));
    json_decref(back);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commas_and_repeats_join_in_order),
        cmocka_unit_test(test_absent_is_empty),
        cmocka_unit_test(test_ids_with_pipes_stay_whole),
        cmocka_unit_test(test_empty_items_are_usage_errors),
        cmocka_unit_test(test_invalid_utf8_is_a_usage_error),
        cmocka_unit_test(test_put_text_replaces_control_characters),
        cmocka_unit_test(test_c1_controls_and_bad_bytes_are_replaced),
        cmocka_unit_test(test_json_escapes_c1_controls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
