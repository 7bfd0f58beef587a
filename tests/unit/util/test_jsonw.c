/*
 * test_jsonw.c - the fixed-shape JSON writer: its text is byte for byte
 * jansson's compact text for the same document (nesting, separators,
 * integers, booleans, reals at a given precision, joined strings), it
 * moves to the heap when it outgrows the caller's buffer, and a string
 * that needs escaping leaves it unusable so the caller takes jansson's path.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "util/jsonw.h"

static void assert_same_as_jansson(struct tsr_jsonw *w, json_t *doc, size_t flags)
{
    char *want = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | flags);
    assert_non_null(want);
    size_t len;
    const char *got = tsr_jsonw_text(w, &len);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(want);
    json_decref(doc);
}

static void test_document(void **state)
{
    (void)state;
    char buf[512];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_obj_open(&w);
    tsr_jsonw_key(&w, "s");
    tsr_jsonw_str(&w, "https://id.example.com/ a/b");
    tsr_jsonw_key(&w, "empty");
    tsr_jsonw_str(&w, "");
    tsr_jsonw_key(&w, "n");
    tsr_jsonw_int(&w, -9223372036854775807LL - 1);
    tsr_jsonw_key(&w, "big");
    tsr_jsonw_int(&w, 9223372036854775807LL);
    tsr_jsonw_key(&w, "t");
    tsr_jsonw_bool(&w, true);
    tsr_jsonw_key(&w, "f");
    tsr_jsonw_bool(&w, false);
    tsr_jsonw_key(&w, "arr");
    tsr_jsonw_arr_open(&w);
    tsr_jsonw_str(&w, "a");
    tsr_jsonw_int(&w, 1);
    tsr_jsonw_obj_open(&w);
    tsr_jsonw_obj_close(&w);
    tsr_jsonw_arr_open(&w);
    tsr_jsonw_arr_close(&w);
    tsr_jsonw_obj_open(&w);
    tsr_jsonw_key(&w, "k");
    tsr_jsonw_arr_open(&w);
    tsr_jsonw_str(&w, "x");
    tsr_jsonw_str(&w, "y");
    tsr_jsonw_arr_close(&w);
    tsr_jsonw_key(&w, "j");
    tsr_jsonw_str_joined(&w, (char *[]){"openid", "read:orders"}, 2);
    tsr_jsonw_obj_close(&w);
    tsr_jsonw_arr_close(&w);
    tsr_jsonw_key(&w, "last");
    tsr_jsonw_str_joined(&w, NULL, 0);
    tsr_jsonw_obj_close(&w);
    assert_true(tsr_jsonw_ok(&w));
    assert_same_as_jansson(
        &w,
        json_pack("{s:s, s:s, s:I, s:I, s:b, s:b, s:[s, i, {}, [], {s:[s, s], s:s}], s:s}", "s",
                  "https://id.example.com/ a/b", "empty", "", "n",
                  (json_int_t)(-9223372036854775807LL - 1), "big",
                  (json_int_t)9223372036854775807LL, "t", 1, "f", 0, "arr", "a", 1, "k", "x",
                  "y", "j", "openid read:orders", "last", ""),
        0);
    tsr_jsonw_cleanup(&w);
}

static void test_reals(void **state)
{
    (void)state;
    static const double values[] = {0.0,     0.5,       1.0,         100.0,      0.531539,
                                    1e-05,   1.5e-07,   1234567.0,   12345678.9, 1.234567e10,
                                    1e100,   0.000123,  3.14159265,  -2.5,       1e21};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        for (int precision = 1; precision <= 17; precision += 5) {
            char buf[64];
            struct tsr_jsonw w;
            tsr_jsonw_init(&w, buf, sizeof buf);
            tsr_jsonw_real(&w, values[i], precision);
            assert_same_as_jansson(&w, json_real(values[i]), JSON_REAL_PRECISION(precision));
        }
    }
}

static void test_grows_to_heap(void **state)
{
    (void)state;
    char buf[8];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_arr_open(&w);
    json_t *want = json_array();
    for (int i = 0; i < 300; i++) {
        tsr_jsonw_str(&w, "abcdefghij");
        json_array_append_new(want, json_string("abcdefghij"));
    }
    tsr_jsonw_arr_close(&w);
    assert_true(w.heap);
    size_t len;
    char *dumped = json_dumps(want, JSON_COMPACT);
    char *taken = tsr_jsonw_take(&w, &len);
    assert_non_null(taken);
    assert_string_equal(taken, dumped);
    assert_int_equal(len, strlen(dumped));
    free(taken);
    free(dumped);
    json_decref(want);
    tsr_jsonw_cleanup(&w); /* the heap text is the caller's now: nothing left to free */

    /* Taken from the stack buffer: a heap copy. */
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_obj_open(&w);
    tsr_jsonw_obj_close(&w);
    taken = tsr_jsonw_take(&w, &len);
    assert_string_equal(taken, "{}");
    assert_int_equal(len, 2);
    assert_true(taken != buf);
    free(taken);
    tsr_jsonw_cleanup(&w);
}

static void test_escaping_left_to_jansson(void **state)
{
    (void)state;
    static const char *const needs[] = {"a\"b", "a\\b", "tab\t", "\x01", "caf\xc3\xa9", "\x7f"};
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        char buf[64];
        struct tsr_jsonw w;
        tsr_jsonw_init(&w, buf, sizeof buf);
        tsr_jsonw_obj_open(&w);
        tsr_jsonw_key(&w, "k");
        tsr_jsonw_str(&w, needs[i]);
        tsr_jsonw_obj_close(&w);
        assert_false(tsr_jsonw_ok(&w));
        size_t len = 1;
        assert_null(tsr_jsonw_text(&w, &len));
        assert_int_equal(len, 0);
        assert_null(tsr_jsonw_take(&w, NULL));
        tsr_jsonw_cleanup(&w);

        /* In a key, or a joined list, the same. */
        tsr_jsonw_init(&w, buf, sizeof buf);
        tsr_jsonw_obj_open(&w);
        tsr_jsonw_key(&w, needs[i]);
        tsr_jsonw_int(&w, 1);
        tsr_jsonw_obj_close(&w);
        assert_false(tsr_jsonw_ok(&w));
        tsr_jsonw_cleanup(&w);
        tsr_jsonw_init(&w, buf, sizeof buf);
        tsr_jsonw_str_joined(&w, (char *[]){"ok", (char *)needs[i]}, 2);
        assert_false(tsr_jsonw_ok(&w));
        tsr_jsonw_cleanup(&w);
    }
    /* NULL, an unclosed document, a stray close or a non-finite real: not usable either. */
    char buf[64];
    struct tsr_jsonw w;
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_str(&w, NULL);
    assert_false(tsr_jsonw_ok(&w));
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_obj_open(&w);
    assert_false(tsr_jsonw_ok(&w));
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_arr_close(&w);
    assert_false(tsr_jsonw_ok(&w));
    tsr_jsonw_init(&w, buf, sizeof buf);
    tsr_jsonw_real(&w, INFINITY, 6);
    assert_false(tsr_jsonw_ok(&w));
    tsr_jsonw_init(&w, buf, sizeof buf);
    for (int i = 0; i < TSR_JSONW_MAX_DEPTH + 1; i++)
        tsr_jsonw_arr_open(&w);
    assert_false(tsr_jsonw_ok(&w));
    tsr_jsonw_cleanup(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_reals),
        cmocka_unit_test(test_grows_to_heap),
        cmocka_unit_test(test_escaping_left_to_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
