/*
 * test_cli_body.c - the CLI's request bodies from options (the list rule,
 * nested members, bounded numbers and booleans) and the output helpers
 * that reach into arrays and hide members.
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
#include "cli/body.h"
#include "cli/output.h"

static const struct tsr_cli_opt opts[] = {
    {"name", "NAME", "a string", 0},        {"urls", "URLS", "a list", TSR_CLI_OPT_REPEAT},
    {"flag", "true|false", "a boolean", 0}, {"count", "N", "a number", 0},
    {"mode", "MODE", "a nested string", 0}, {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_command cmd = {
    .name = "test body",
    .summary = "test",
    .opts = opts,
    .kind = TSR_CLI_PARSED,
};

static const struct tsr_cli_field fields[] = {
    {"name", "name", TSR_CLI_FIELD_STR, 0, 0},
    {"urls", "callbacks", TSR_CLI_FIELD_LIST, 0, 0},
    {"flag", "is_first_party", TSR_CLI_FIELD_BOOL, 0, 0},
    {"count", "token_lifetime", TSR_CLI_FIELD_UINT, 1, 100},
    {"mode", "refresh_token.rotation_type", TSR_CLI_FIELD_STR, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* The body fields make of argv (NULL-terminated); *rc: what tsr_cli_body_add returned. */
static json_t *body_of(char **argv, int *rc)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    struct tsr_cli_args *a = NULL;
    assert_int_equal(tsr_cli_args_parse(&cmd, argc, argv, &a), 0);
    json_t *body = json_object();
    *rc = tsr_cli_body_add(a, fields, body);
    tsr_cli_args_free(a);
    return body;
}

static void assert_json(const json_t *v, const char *expected)
{
    json_t *want = json_loads(expected, 0, NULL);
    assert_non_null(want);
    if (!json_equal(v, want)) {
        char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        fprintf(stderr, "got %s, want %s\n", got, expected);
        free(got);
        fail();
    }
    json_decref(want);
}

static void only_given_options_become_members(void **state)
{
    (void)state;
    int rc;
    char *none[] = {NULL};
    json_t *b = body_of(none, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(json_object_size(b), 0);
    json_decref(b);

    char *some[] = {"--name", "Shop", "--flag", "no", "--count=42", "--mode", "rotating", NULL};
    b = body_of(some, &rc);
    assert_int_equal(rc, 0);
    assert_json(b, "{\"name\": \"Shop\", \"is_first_party\": false, \"token_lifetime\": 42,"
                   " \"refresh_token\": {\"rotation_type\": \"rotating\"}}");
    json_decref(b);
}

static void lists_repeat_split_at_commas_and_clear(void **state)
{
    (void)state;
    int rc;
    char *argv[] = {"--urls", "a, b,c ", "--urls", "d", NULL};
    json_t *b = body_of(argv, &rc);
    assert_int_equal(rc, 0);
    assert_json(b, "{\"callbacks\": [\"a\", \"b\", \"c\", \"d\"]}");
    json_decref(b);

    char *empty[] = {"--urls", "", NULL};
    b = body_of(empty, &rc);
    assert_int_equal(rc, 0);
    assert_json(b, "{\"callbacks\": []}");
    json_decref(b);

    /* An empty item, or an empty value among others, is a mistake, not a clear. */
    char *hole[] = {"--urls", "a,,b", NULL};
    json_decref(body_of(hole, &rc));
    assert_int_equal(rc, TSR_CLI_USAGE);
    char *mixed[] = {"--urls", "a", "--urls", "", NULL};
    json_decref(body_of(mixed, &rc));
    assert_int_equal(rc, TSR_CLI_USAGE);
}

static void bad_values_are_usage_errors(void **state)
{
    (void)state;
    int rc;
    char *bad_bool[] = {"--flag", "perhaps", NULL};
    json_decref(body_of(bad_bool, &rc));
    assert_int_equal(rc, TSR_CLI_USAGE);
    char *zero[] = {"--count", "0", NULL};
    json_decref(body_of(zero, &rc));
    assert_int_equal(rc, TSR_CLI_USAGE);
    char *big[] = {"--count", "101", NULL};
    json_decref(body_of(big, &rc));
    assert_int_equal(rc, TSR_CLI_USAGE);
    char *sign[] = {"--count", "-1", NULL};
    json_decref(body_of(sign, &rc));
    assert_int_equal(rc, TSR_CLI_USAGE);
}

static void set_makes_and_refuses_nested_objects(void **state)
{
    (void)state;
    json_t *b = json_pack("{s:s}", "a", "scalar");
    assert_int_equal(tsr_cli_body_set(b, "x.y.z", json_true()), 0);
    assert_int_equal(tsr_cli_body_set(b, "x.y.w", json_false()), 0);
    assert_int_equal(tsr_cli_body_set(b, "a.b", json_true()), -1); /* a is not an object */
    assert_json(b, "{\"a\": \"scalar\", \"x\": {\"y\": {\"z\": true, \"w\": false}}}");
    json_decref(b);
}

static void path_reaches_into_arrays(void **state)
{
    (void)state;
    json_t *u =
        json_loads("{\"identities\": [{\"connection\": \"db\"}, {\"connection\": \"oidc\"}],"
                   " \"n\": [[1, 2]]}",
                   0, NULL);
    assert_string_equal(json_string_value(tsr_cli_path(u, "identities.0.connection")), "db");
    assert_string_equal(json_string_value(tsr_cli_path(u, "identities.1.connection")), "oidc");
    assert_null(tsr_cli_path(u, "identities.2.connection"));
    assert_null(tsr_cli_path(u, "identities.x.connection"));
    assert_null(tsr_cli_path(u, "identities.0x.connection"));
    assert_int_equal(json_integer_value(tsr_cli_path(u, "n.0.1")), 2);
    assert_true(json_is_array(tsr_cli_path(u, "identities")));
    json_decref(u);
}

static void hide_removes_from_objects_and_rows(void **state)
{
    (void)state;
    json_t *rows = json_loads("[{\"s\": 1, \"k\": 2}, {\"k\": 3}, 4]", 0, NULL);
    tsr_cli_hide(rows, "k");
    assert_json(rows, "[{\"s\": 1}, {}, 4]");
    json_t *one = json_loads("{\"k\": 1}", 0, NULL);
    tsr_cli_hide(one, "k");
    assert_json(one, "{}");
    json_decref(rows);
    json_decref(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_given_options_become_members),
        cmocka_unit_test(lists_repeat_split_at_commas_and_clear),
        cmocka_unit_test(bad_values_are_usage_errors),
        cmocka_unit_test(set_makes_and_refuses_nested_objects),
        cmocka_unit_test(path_reaches_into_arrays),
        cmocka_unit_test(hide_removes_from_objects_and_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
