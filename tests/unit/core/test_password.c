/*
 * test_password.c - argon2id hashing and Auth0's password policies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/password.h"
#include "util/err.h"

static void test_hash_verify(void **state)
{
    (void)state;
    char *h = NULL;
    assert_int_equal(tsr_password_hash("correct horse", &h), 0);
    assert_non_null(h);
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_true(tsr_password_verify(h, "correct horse"));
    assert_false(tsr_password_verify(h, "correct horsE"));
    assert_false(tsr_password_verify(h, ""));
    assert_false(tsr_password_verify("", "correct horse"));
    assert_false(tsr_password_verify("$argon2id$garbage", "correct horse"));
    char *h2 = NULL;
    assert_int_equal(tsr_password_hash("correct horse", &h2), 0);
    assert_string_not_equal(h, h2); /* salted */
    tsr_password_verify_dummy("whatever");
    tsr_password_verify_dummy(NULL);
    free(h);
    free(h2);
}

static void test_too_long(void **state)
{
    (void)state;
    char big[TSR_PASSWORD_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *h = (char *)1;
    assert_int_equal(tsr_password_hash(big, &h), TSR_EINVAL);
    assert_null(h);
    big[TSR_PASSWORD_MAX] = '\0'; /* exactly the maximum is fine */
    assert_int_equal(tsr_password_hash(big, &h), 0);
    assert_true(tsr_password_verify(h, big));
    free(h);

    struct tsr_connection c = {.password_policy = "none", .password_min_length = 1};
    char why[256];
    memset(big, 'a', sizeof big - 1);
    assert_false(tsr_password_policy_ok(&c, big, why, sizeof why));
    assert_non_null(strstr(why, "longer than"));
}

static bool ok(const char *policy, int64_t min, const char *pw)
{
    struct tsr_connection c = {.password_policy = (char *)policy, .password_min_length = min};
    char why[256] = "unset";
    bool r = tsr_password_policy_ok(&c, pw, why, sizeof why);
    /* A refusal always says why; an acceptance says nothing. */
    assert_true(r ? why[0] == '\0' : strlen(why) > 10);
    return r;
}

static void test_policies(void **state)
{
    (void)state;
    assert_true(ok("none", 1, "a"));
    assert_false(ok("none", 1, ""));

    assert_true(ok("low", 1, "abcdef"));
    assert_false(ok("low", 1, "abcde"));

    assert_true(ok("fair", 1, "abcDEF12"));
    assert_false(ok("fair", 1, "abcdef12"));  /* no uppercase */
    assert_false(ok("fair", 1, "abcDEFgh"));  /* no digit */
    assert_false(ok("fair", 1, "aB1"));       /* too short */
    assert_false(ok("fair", 1, "!!!!!!!!"));

    assert_true(ok("good", 1, "abcdEF12"));
    assert_true(ok("good", 1, "abcdef1!"));   /* lower, digit, special */
    assert_true(ok("good", 1, "ABCDEF1!"));
    assert_false(ok("good", 1, "abcdef12"));  /* 2 kinds */
    assert_false(ok("good", 1, "aB1!"));      /* too short */

    assert_true(ok("excellent", 1, "abcdEF12!x"));
    assert_false(ok("excellent", 1, "abcdEF12!")); /* 9 characters */
    assert_false(ok("excellent", 1, "aaaBBB111!"));  /* three identical in a row */
    assert_true(ok("excellent", 1, "aabBB11!!x"));
    assert_false(ok("excellent", 1, "abcdefghij12")); /* 2 kinds */

    /* Unknown policies count as good. */
    assert_false(ok("bogus", 1, "abcdef12"));
    assert_true(tsr_password_policy_known("excellent"));
    assert_false(tsr_password_policy_known("bogus"));
    assert_false(tsr_password_policy_known(NULL));
}

static void test_min_length(void **state)
{
    (void)state;
    assert_false(ok("none", 12, "abcdefghijk"));
    assert_true(ok("none", 12, "abcdefghijkl"));
    /* A lower minimum never weakens the policy's own. */
    assert_false(ok("good", 4, "aB1!x"));
    /* Characters, not bytes: 4 two-byte characters are 4. */
    assert_false(ok("none", 5, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
    assert_true(ok("none", 4, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
    char why[256];
    struct tsr_connection c = {.password_policy = "good", .password_min_length = 12};
    assert_false(tsr_password_policy_ok(&c, "short", why, sizeof why));
    assert_non_null(strstr(why, "at least 12 characters"));
    char text[512];
    tsr_password_policy_text(&c, text, sizeof text);
    assert_non_null(strstr(text, "At least 12 characters in length"));
    assert_non_null(strstr(text, "3 of the following 4"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_verify),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_min_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
