/*
 * test_json_out.c - response bodies written by tsr_json_out are the bytes
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes: fixed documents
 * with every escape, random documents, and the cases left to jansson
 * (reals, deep nesting, a string that is not UTF-8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/json_out.h"

#define FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

static void assert_same_as_jansson(const json_t *v)
{
    char *want = json_dumps(v, FLAGS);
    assert_non_null(want);
    size_t len = 0;
    char *got = tsr_json_out(v, &len);
    assert_non_null(got);
    assert_int_equal(len, strlen(want));
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void test_fixed(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:s, s:s, s:I, s:s, s:b, s:b, s:n, s:[], s:{}, s:[i, s, {s:i}]}",
                          "access_token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "scope",
                          "read:orders write:orders", "expires_in", (json_int_t)86400,
                          "token_type", "Bearer", "t", 1, "f", 0, "n", "a", "o", "arr", -7,
                          "x", "k", INT64_MIN);
    assert_non_null(v);
    assert_same_as_jansson(v);
    json_decref(v);

    /* Every escape jansson writes, non-ASCII text and an embedded NUL, in values and keys. */
    static const char tricky[] = "q\"b\\s/ \b\f\n\r\t\x01\x1f\x7f caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x94\x91";
    v = json_object();
    json_object_set_new(v, tricky, json_string(tricky));
    json_object_set_new(v, "nul", json_stringn("a\0b", 3));
    json_object_set_new(v, "plain", json_string(""));
    assert_same_as_jansson(v);
    json_decref(v);

    v = json_array();
    assert_same_as_jansson(v);
    json_decref(v);
}

static void test_left_to_jansson(void **state)
{
    (void)state;
    size_t len = 1;
    json_t *v = json_pack("{s:f}", "latency", 0.5);
    assert_null(tsr_json_out(v, &len));
    assert_int_equal(len, 0);
    json_decref(v);

    /* Not an object or array: json_dumps refuses it too. */
    v = json_string("x");
    assert_null(tsr_json_out(v, &len));
    json_decref(v);

    json_t *deep = json_array();
    for (int i = 0; i < 40; i++) {
        json_t *outer = json_array();
        json_array_append_new(outer, deep);
        deep = outer;
    }
    assert_null(tsr_json_out(deep, &len));
    json_decref(deep);

    /* Not UTF-8 (only a string made unchecked can be): jansson cannot write it either. */
    v = json_object();
    json_object_set_new(v, "bad", json_stringn_nocheck("\xff", 1));
    assert_null(tsr_json_out(v, &len));
    assert_null(json_dumps(v, FLAGS));
    json_decref(v);

    /* A long string with one escape still matches. */
    char big[3000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[1500] = '\n';
    v = json_pack("{s:s}", "big", big);
    assert_same_as_jansson(v);
    json_decref(v);
}

/* A random document of bounded size, made from a fixed seed. */
static json_t *random_value(unsigned *seed, int depth)
{
    static const char alphabet[] = "aZ09 -_.~:/\"\\\n\t\x01\xc3\xa9";
    int kind = depth > 3 ? (int)(rand_r(seed) % 5) : (int)(rand_r(seed) % 7);
    switch (kind) {
    case 0: return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
    case 1: return json_true();
    case 2: return json_null();
    case 3:
    case 4: {
        char s[24];
        size_t n = 0, want = (size_t)(rand_r(seed) % 20);
        while (n < want) {
            char c = alphabet[rand_r(seed) % (sizeof alphabet - 1)];
            if (c == '\xc3') {
                if (n + 2 > want)
                    break;
                s[n++] = '\xc3';
                c = '\xa9';
            } else if (c == '\xa9') {
                continue;
            }
            s[n++] = c;
        }
        s[n] = '\0';
        return json_string(s);
    }
    case 5: {
        json_t *a = json_array();
        for (unsigned i = 0, n = (unsigned)rand_r(seed) % 4; i < n; i++)
            json_array_append_new(a, random_value(seed, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (unsigned i = 0, n = (unsigned)rand_r(seed) % 4; i < n; i++) {
            char key[8];
            snprintf(key, sizeof key, "k%u\"%u", i, (unsigned)rand_r(seed) % 10);
            json_object_set_new(o, key, random_value(seed, depth + 1));
        }
        return o;
    }
    }
}

static void test_random(void **state)
{
    (void)state;
    unsigned seed = 12;
    for (int i = 0; i < 500; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "v", random_value(&seed, 0));
        assert_same_as_jansson(o);
        json_decref(o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_left_to_jansson),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
