/*
 * test_etag.c - the Management API's ETag (a strong validator of a
 * record's JSON answer, whatever its key order) and the If-Match
 * comparison: "*", lists, whitespace, weak tags, quoted commas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mgmt/etag.h"

static void test_etag_shape_and_canonical_form(void **state)
{
    (void)state;
    char a[TSR_MGMT_ETAG_SIZE], b[TSR_MGMT_ETAG_SIZE], c[TSR_MGMT_ETAG_SIZE];
    json_t *x =
        json_pack("{s:s, s:[s, s]}", "name", "Shop", "callbacks", "https://a/", "https://b/");
    json_t *y =
        json_pack("{s:[s, s], s:s}", "callbacks", "https://a/", "https://b/", "name", "Shop");
    json_t *z =
        json_pack("{s:s, s:[s, s]}", "name", "Shop", "callbacks", "https://b/", "https://a/");
    assert_int_equal(tsr_mgmt_etag(x, a), 0);
    assert_int_equal(tsr_mgmt_etag(y, b), 0);
    assert_int_equal(tsr_mgmt_etag(z, c), 0);
    assert_int_equal(strlen(a), TSR_MGMT_ETAG_SIZE - 1);
    assert_int_equal(a[0], '"');
    assert_int_equal(a[TSR_MGMT_ETAG_SIZE - 2], '"');
    for (size_t i = 1; i < TSR_MGMT_ETAG_SIZE - 2; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_equal(a, b);     /* key order is not part of the state */
    assert_string_not_equal(a, c); /* list order is */
    json_decref(x);
    json_decref(y);
    json_decref(z);
}

static void test_if_match(void **state)
{
    (void)state;
    const char *tag = "\"0123456789abcdef0123456789abcdef\"";
    assert_true(tsr_mgmt_etag_matches(tag, tag));
    assert_true(tsr_mgmt_etag_matches("*", tag));
    assert_true(tsr_mgmt_etag_matches("  *  ", tag));
    assert_true(tsr_mgmt_etag_matches("\"x\", \"0123456789abcdef0123456789abcdef\"", tag));
    assert_true(tsr_mgmt_etag_matches("\"a,b\",\t\"0123456789abcdef0123456789abcdef\" ,", tag));
    assert_false(tsr_mgmt_etag_matches("", tag));
    assert_false(tsr_mgmt_etag_matches(",, ,", tag));
    assert_false(tsr_mgmt_etag_matches("\"x\"", tag));
    assert_false(tsr_mgmt_etag_matches("W/\"0123456789abcdef0123456789abcdef\"", tag));
    assert_false(tsr_mgmt_etag_matches("0123456789abcdef0123456789abcdef", tag));
    assert_false(tsr_mgmt_etag_matches("\"0123456789abcdef0123456789abcdef", tag));
    assert_false(tsr_mgmt_etag_matches("**", tag));
    assert_false(tsr_mgmt_etag_matches("\"unterminated, *", tag)); /* the * sits in quotes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etag_shape_and_canonical_form),
        cmocka_unit_test(test_if_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
