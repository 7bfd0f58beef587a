/*
 * jsonw.c - see jsonw.h.
 */
#include "util/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text past this is no fixed-shape document; the caller falls back. */
#define JSONW_MAX (1u << 20)

void tsr_jsonw_init(struct tsr_jsonw *w, char *buf, size_t cap)
{
    *w = (struct tsr_jsonw){.s = buf, .cap = cap};
    if (buf == NULL || cap == 0)
        w->fail = true;
    else
        buf[0] = '\0';
}

static void put(struct tsr_jsonw *w, const char *s, size_t n)
{
    if (w->fail)
        return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap * 2;
        while (cap < w->len + n + 1)
            cap *= 2;
        if (cap > JSONW_MAX) {
            w->fail = true;
            return;
        }
        char *grown = w->heap ? realloc(w->s, cap) : malloc(cap);
        if (grown == NULL) {
            w->fail = true;
            return;
        }
        if (!w->heap)
            memcpy(grown, w->s, w->len);
        w->s = grown;
        w->cap = cap;
        w->heap = true;
    }
    memcpy(w->s + w->len, s, n);
    w->len += n;
    w->s[w->len] = '\0';
}

/* The ',' before a member or element that is not its container's first. */
static void separate(struct tsr_jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    uint32_t bit = 1u << w->depth;
    if (w->depth > 0 && !(w->first & bit))
        put(w, ",", 1);
    w->first &= ~bit;
}

static void jw_open(struct tsr_jsonw *w, const char *c)
{
    separate(w);
    if (w->depth + 1 >= TSR_JSONW_MAX_DEPTH) {
        w->fail = true;
        return;
    }
    put(w, c, 1);
    w->depth++;
    w->first |= 1u << w->depth;
}

static void jw_close(struct tsr_jsonw *w, const char *c)
{
    if (w->depth <= 0) {
        w->fail = true;
        return;
    }
    put(w, c, 1);
    w->depth--;
}

void tsr_jsonw_obj_open(struct tsr_jsonw *w)
{
    jw_open(w, "{");
}

void tsr_jsonw_obj_close(struct tsr_jsonw *w)
{
    jw_close(w, "}");
}

void tsr_jsonw_arr_open(struct tsr_jsonw *w)
{
    jw_open(w, "[");
}

void tsr_jsonw_arr_close(struct tsr_jsonw *w)
{
    jw_close(w, "]");
}

static bool plain(const char *s, size_t *len)
{
    const char *p = s;
    for (; *p != '\0'; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
            return false;
    *len = (size_t)(p - s);
    return true;
}

static void quoted(struct tsr_jsonw *w, const char *s)
{
    size_t n;
    if (s == NULL || !plain(s, &n)) {
        w->nonplain = true;
        return;
    }
    put(w, "\"", 1);
    put(w, s, n);
    put(w, "\"", 1);
}

void tsr_jsonw_key(struct tsr_jsonw *w, const char *key)
{
    w->after_key = false;
    separate(w);
    quoted(w, key);
    put(w, ":", 1);
    w->after_key = true;
}

void tsr_jsonw_str(struct tsr_jsonw *w, const char *s)
{
    separate(w);
    quoted(w, s);
}

void tsr_jsonw_str_joined(struct tsr_jsonw *w, char *const *v, size_t n)
{
    separate(w);
    put(w, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        if (v[i] == NULL || !plain(v[i], &len)) {
            w->nonplain = true;
            return;
        }
        if (i > 0)
            put(w, " ", 1);
        put(w, v[i], len);
    }
    put(w, "\"", 1);
}

void tsr_jsonw_int(struct tsr_jsonw *w, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    separate(w);
    put(w, num, (size_t)n);
}

/* jansson's jsonp_dtostr: "%.*g", a ".0" when neither '.' nor 'e' shows, no '+' or leading zeros in the exponent. */
void tsr_jsonw_real(struct tsr_jsonw *w, double v, int precision)
{
    char num[64];
    separate(w);
    if (!isfinite(v) || precision < 1 || precision > 17) {
        w->fail = true;
        return;
    }
    int r = snprintf(num, sizeof num, "%.*g", precision, v);
    if (r <= 0 || (size_t)r + 3 >= sizeof num) {
        w->fail = true;
        return;
    }
    size_t len = (size_t)r;
    if (strchr(num, '.') == NULL && strchr(num, 'e') == NULL && strchr(num, ',') == NULL) {
        memcpy(num + len, ".0", 3);
        len += 2;
    }
    char *start = strchr(num, 'e');
    if (start != NULL) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - num) + 1);
            len -= (size_t)(end - start);
        }
    }
    /* A locale's decimal comma is what jansson turns back into a point; so is it here. */
    for (char *c = num; *c != '\0'; c++)
        if (*c == ',')
            *c = '.';
    put(w, num, len);
}

void tsr_jsonw_bool(struct tsr_jsonw *w, bool v)
{
    separate(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

bool tsr_jsonw_ok(const struct tsr_jsonw *w)
{
    return !w->fail && !w->nonplain && w->depth == 0;
}

const char *tsr_jsonw_text(const struct tsr_jsonw *w, size_t *len)
{
    if (len != NULL)
        *len = tsr_jsonw_ok(w) ? w->len : 0;
    return tsr_jsonw_ok(w) ? w->s : NULL;
}

char *tsr_jsonw_take(struct tsr_jsonw *w, size_t *len)
{
    if (len != NULL)
        *len = 0;
    if (!tsr_jsonw_ok(w))
        return NULL;
    char *out;
    if (w->heap) {
        out = w->s;
        w->heap = false;
        w->fail = true; /* the text is the caller's now */
    } else if ((out = malloc(w->len + 1)) != NULL) {
        memcpy(out, w->s, w->len + 1);
    }
    if (out != NULL && len != NULL)
        *len = w->len;
    return out;
}

void tsr_jsonw_cleanup(struct tsr_jsonw *w)
{
    if (w->heap)
        free(w->s);
    w->heap = false;
    w->s = NULL;
    w->fail = true;
}
