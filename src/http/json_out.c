/*
 * json_out.c - see json_out.h.
 *
 * A token response is mostly one long JWT, which jansson encodes a UTF-8
 * code point at a time; here runs of characters that need no escape are
 * copied whole.  A string holding anything else (a quote, a backslash, a
 * control character, a byte outside ASCII) is encoded by jansson itself,
 * so the escaping and the UTF-8 checks stay jansson's.
 */
#include "http/json_out.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* Deeper than any response; beyond it jansson decides. */
#define MAX_DEPTH 32

/* Response bodies stay far below this; a larger one goes through jansson. */
#define MAX_OUT (64u * 1024 * 1024)

static bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static bool put_string(struct tsr_strbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!plain((unsigned char)s[i])) {
            /* jansson escapes it, exactly as json_dumps would inside a document. */
            json_t *one = json_stringn_nocheck(s, n);
            char buf[256];
            size_t need = one != NULL ? json_dumpb(one, buf, sizeof buf, JSON_ENCODE_ANY) : 0;
            bool ok = false;
            if (need > 0 && need <= sizeof buf) {
                tsr_strbuf_appendn(b, buf, need);
                ok = true;
            } else if (need > sizeof buf) {
                char *big = json_dumps(one, JSON_ENCODE_ANY);
                if (big != NULL) {
                    tsr_strbuf_append(b, big);
                    free(big);
                    ok = true;
                }
            }
            json_decref(one);
            return ok;
        }
    }
    tsr_strbuf_appendn(b, "\"", 1);
    tsr_strbuf_appendn(b, s, n);
    tsr_strbuf_appendn(b, "\"", 1);
    return true;
}

static bool put_value(struct tsr_strbuf *b, const json_t *v, int depth)
{
    if (depth > MAX_DEPTH)
        return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;
        tsr_strbuf_appendn(b, "{", 1);
        /* Insertion order, as JSON_PRESERVE_ORDER writes it. */
        json_object_foreach((json_t *)v, key, member) {
            if (!first)
                tsr_strbuf_appendn(b, ",", 1);
            first = false;
            if (!put_string(b, key, strlen(key)))
                return false;
            tsr_strbuf_appendn(b, ":", 1);
            if (!put_value(b, member, depth + 1))
                return false;
        }
        tsr_strbuf_appendn(b, "}", 1);
        return true;
    }
    case JSON_ARRAY: {
        tsr_strbuf_appendn(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                tsr_strbuf_appendn(b, ",", 1);
            if (!put_value(b, json_array_get(v, i), depth + 1))
                return false;
        }
        tsr_strbuf_appendn(b, "]", 1);
        return true;
    }
    case JSON_STRING:
        return put_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
        char num[32];
        int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        if (n <= 0 || (size_t)n >= sizeof num)
            return false;
        tsr_strbuf_appendn(b, num, (size_t)n);
        return true;
    }
    case JSON_TRUE:
        tsr_strbuf_appendn(b, "true", 4);
        return true;
    case JSON_FALSE:
        tsr_strbuf_appendn(b, "false", 5);
        return true;
    case JSON_NULL:
        tsr_strbuf_appendn(b, "null", 4);
        return true;
    default:
        return false; /* reals: jansson's number formatting */
    }
}

char *tsr_json_out(const json_t *v, size_t *len)
{
    *len = 0;
    if (!json_is_object(v) && !json_is_array(v))
        return NULL; /* json_dumps refuses other roots */
    /* Room for a token response at once. */
    struct tsr_strbuf b = {.s = malloc(2048), .cap = 2048, .max = MAX_OUT};
    if (b.s == NULL || !put_value(&b, v, 0)) {
        tsr_strbuf_cleanup(&b);
        return NULL;
    }
    size_t n = b.len;
    char *s = tsr_strbuf_take(&b, NULL);
    if (s != NULL)
        *len = n;
    return s;
}
