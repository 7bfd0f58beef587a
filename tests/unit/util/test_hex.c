/*
 * test_hex.c - the one hex-digit decoder (util/hex.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/hex.h"

static void test_digits(void **state)
{
    (void)state;
    static const char lower[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";
    for (int i = 0; i < 16; i++) {
        assert_int_equal(tsr_hex_value(lower[i]), i);
        assert_int_equal(tsr_hex_value(upper[i]), i);
    }
}

static void test_others(void **state)
{
    (void)state;
    int valid = 0;
    for (int c = -128; c < 128; c++)
        if (tsr_hex_value((char)c) >= 0)
            valid++;
        else
            assert_int_equal(tsr_hex_value((char)c), -1);
    assert_int_equal(valid, 22);
    assert_int_equal(tsr_hex_value('g'), -1);
    assert_int_equal(tsr_hex_value('G'), -1);
    assert_int_equal(tsr_hex_value('/'), -1);
    assert_int_equal(tsr_hex_value(':'), -1);
    assert_int_equal(tsr_hex_value('@'), -1);
    assert_int_equal(tsr_hex_value('`'), -1);
    assert_int_equal(tsr_hex_value('\0'), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
