/*
 * output.c - tables, fields and JSON for the CLI's commands.
 */
#include "cli/output.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MAX 512
#define MAX_COLS 16

/*
 * The character at s (*len bytes, at least 1): *safe when it may reach a
 * terminal as it is.  Not safe: C0 controls and DEL, the C1 controls
 * U+0080..U+009F (CSI, OSC, DCS... which terminals obey in UTF-8 too), and
 * a byte that starts no valid UTF-8 sequence (a lone 0x9b is CSI to an
 * 8-bit terminal), taken one byte at a time.
 */
static uint32_t decode(const unsigned char *s, size_t *len, bool *safe)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    unsigned char c = s[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1Fu : n == 3 ? c & 0x0Fu : c & 0x07u;
    *len = 1;
    *safe = false;
    if (n == 0)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *len = n;
    *safe = !(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F));
    return cp;
}

size_t tsr_cli_char(const char *s, bool *safe)
{
    size_t len;
    decode((const unsigned char *)s, &len, safe);
    return len;
}

void tsr_cli_sanitize(char *s, bool keep_newlines)
{
    char *w = s;
    while (*s != '\0') {
        bool safe;
        size_t len = tsr_cli_char(s, &safe);
        if (safe || (keep_newlines && *s == '\n')) {
            memmove(w, s, len);
            w += len;
        } else {
            *w++ = '?';
        }
        s += len;
    }
    *w = '\0';
}

/* Appends s to out at *pos (cap bytes), unsafe characters as '?', never half a character. */
static void put(char *out, size_t cap, size_t *pos, const char *s)
{
    while (*s != '\0') {
        bool safe;
        size_t len = tsr_cli_char(s, &safe);
        size_t take = safe ? len : 1;
        if (*pos + take >= cap) { /* full: the cell ends in "..." (tsr_cli_cell) */
            while (*pos + 1 < cap)
                out[(*pos)++] = '.';
            break;
        }
        if (safe)
            memcpy(out + *pos, s, len);
        else
            out[*pos] = '?';
        *pos += take;
        s += len;
    }
    out[*pos] = '\0';
}

static void scalar(const json_t *v, char *out, size_t cap, size_t *pos)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        put(out, cap, pos, json_string_value(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        put(out, cap, pos, num);
        break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%g", json_real_value(v));
        put(out, cap, pos, num);
        break;
    case JSON_TRUE:
        put(out, cap, pos, "true");
        break;
    case JSON_FALSE:
        put(out, cap, pos, "false");
        break;
    case JSON_NULL:
        break;
    default: {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        put(out, cap, pos, text != NULL ? text : "");
        free(text);
        break;
    }
    }
}

void tsr_cli_cell(const json_t *v, char *out, size_t outlen)
{
    size_t pos = 0;
    if (outlen == 0)
        return;
    out[0] = '\0';
    if (v == NULL)
        return;
    if (json_is_array(v)) {
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item) {
            if (i > 0)
                put(out, outlen, &pos, ", ");
            scalar(item, out, outlen, &pos);
        }
    } else {
        scalar(v, out, outlen, &pos);
    }
    if (pos + 1 >= outlen && outlen > 4) {
        size_t at = outlen - 4;
        while (at > 0 && ((unsigned char)out[at] & 0xC0) == 0x80)
            at--; /* not in the middle of a character */
        memcpy(out + at, "...", 4);
    }
}

void tsr_cli_put_text(FILE *out, const char *s)
{
    while (s != NULL && *s != '\0') {
        bool safe;
        size_t len = tsr_cli_char(s, &safe);
        if (safe)
            fwrite(s, 1, len, out);
        else
            fputc('?', out);
        s += len;
    }
}

void tsr_cli_put_json(FILE *out, const char *text)
{
    /* jansson escapes C0 controls but writes DEL and C1 controls as they are. */
    while (text != NULL && *text != '\0') {
        bool safe;
        size_t len;
        uint32_t cp = decode((const unsigned char *)text, &len, &safe);
        if (safe || *text == '\n' || *text == ' ')
            fwrite(text, 1, len, out);
        else if (len > 1 || cp == 0x7F)
            fprintf(out, "\\u%04x", (unsigned)cp);
        else
            fputc('?', out); /* not in jansson's output: no valid JSON to keep */
        text += len;
    }
}

const json_t *tsr_cli_path(const json_t *obj, const char *path)
{
    char key[128];
    const json_t *cur = obj;
    const char *p = path;
    while (cur != NULL && *p != '\0') {
        size_t len = strcspn(p, ".");
        if (len >= sizeof key || !json_is_object(cur))
            return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        cur = json_object_get(cur, key);
        p += len;
        if (*p == '.')
            p++;
        /* A number after an array reaches into it: "identities.0.connection". */
        while (json_is_array(cur) && *p >= '0' && *p <= '9') {
            len = strcspn(p, ".");
            char *end = NULL;
            unsigned long idx = strtoul(p, &end, 10);
            if (end != p + len)
                return NULL;
            cur = json_array_get(cur, idx);
            p += len;
            if (*p == '.')
                p++;
        }
    }
    return cur;
}

/* Display width of a UTF-8 string: one column per code point. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s != '\0'; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void pad(FILE *out, const char *s, size_t w)
{
    fputs(s, out);
    for (size_t n = width(s); n < w; n++)
        fputc(' ', out);
}

void tsr_cli_print_table(FILE *out, const struct tsr_cli_col *cols, const json_t *rows)
{
    size_t ncols = 0, widths[MAX_COLS];
    char cell[CELL_MAX];
    while (cols[ncols].title != NULL && ncols < MAX_COLS) {
        widths[ncols] = width(cols[ncols].title);
        ncols++;
    }
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) {
        for (size_t c = 0; c < ncols; c++) {
            tsr_cli_cell(tsr_cli_path(row, cols[c].path), cell, sizeof cell);
            size_t w = width(cell);
            if (w > widths[c])
                widths[c] = w;
        }
    }
    for (size_t c = 0; c < ncols; c++)
        pad(out, cols[c].title, c + 1 < ncols ? widths[c] + 2 : 0);
    fputc('\n', out);
    json_array_foreach(rows, i, row) {
        for (size_t c = 0; c < ncols; c++) {
            tsr_cli_cell(tsr_cli_path(row, cols[c].path), cell, sizeof cell);
            pad(out, cell, c + 1 < ncols ? widths[c] + 2 : 0);
        }
        fputc('\n', out);
    }
}

void tsr_cli_print_fields(FILE *out, const struct tsr_cli_col *cols, const json_t *obj)
{
    size_t w = 0;
    char cell[CELL_MAX];
    for (size_t c = 0; cols[c].title != NULL; c++)
        if (width(cols[c].title) > w)
            w = width(cols[c].title);
    for (size_t c = 0; cols[c].title != NULL; c++) {
        tsr_cli_cell(tsr_cli_path(obj, cols[c].path), cell, sizeof cell);
        pad(out, cols[c].title, w + 2);
        fprintf(out, "%s\n", cell);
    }
}

void tsr_cli_print_json(FILE *out, const json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
    if (text != NULL) {
        tsr_cli_put_json(out, text);
        fputc('\n', out);
    }
    free(text);
}

void tsr_cli_print(const struct tsr_cli_args *a, const struct tsr_cli_col *cols, const json_t *v)
{
    if (tsr_cli_json(a))
        tsr_cli_print_json(stdout, v);
    else if (json_is_array(v))
        tsr_cli_print_table(stdout, cols, v);
    else
        tsr_cli_print_fields(stdout, cols, v);
}

void tsr_cli_hide(json_t *v, const char *member)
{
    size_t i;
    json_t *item;
    if (json_is_object(v))
        json_object_del(v, member);
    json_array_foreach(v, i, item) {
        if (json_is_object(item))
            json_object_del(item, member);
    }
}

void tsr_cli_say(FILE *out, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tsr_cli_sanitize(msg, true);
    fputs(msg, out);
}
