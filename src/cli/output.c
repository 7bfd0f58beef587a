/*
 * output.c - tables, fields and JSON for the CLI's commands.
 */
#include "cli/output.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MAX 512
#define MAX_COLS 16

/* Appends s to out at *pos (cap bytes), control characters as '?'. */
static void put(char *out, size_t cap, size_t *pos, const char *s)
{
    for (; *s != '\0' && *pos + 1 < cap; s++)
        out[(*pos)++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
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
    if (pos + 1 >= outlen && outlen > 4)
        memcpy(out + outlen - 4, "...", 4);
}

void tsr_cli_put_text(FILE *out, const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        fputc(((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s, out);
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
    if (text != NULL)
        fprintf(out, "%s\n", text);
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
    for (char *p = msg; *p != '\0'; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
            *p = '?';
    fputs(msg, out);
}
