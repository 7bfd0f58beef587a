/*
 * output.h - what a command prints: an aligned table or "field  value"
 * lines for people, or the server's JSON for scripts (--json).
 *
 * Text from the server is printed with control characters (C0, DEL and
 * the C1 controls U+0080..U+009F) and bytes that are not UTF-8 replaced by
 * '?', so a name holding terminal escape sequences cannot act on the
 * operator's terminal; --json escapes them as \u00XX instead.
 */
#ifndef TSR_CLI_OUTPUT_H
#define TSR_CLI_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/args.h"

/* One column or line: its title and the JSON member shown ("a.b" reaches into objects). */
struct tsr_cli_col {
    const char *title;
    const char *path;
};

/* An aligned table of rows (a JSON array of objects); cols is {NULL}-terminated. */
void tsr_cli_print_table(FILE *out, const struct tsr_cli_col *cols, const json_t *rows);

/* "title  value" lines of one object; cols is {NULL}-terminated. */
void tsr_cli_print_fields(FILE *out, const struct tsr_cli_col *cols, const json_t *obj);

/* v as indented JSON and a newline. */
void tsr_cli_print_json(FILE *out, const json_t *v);

/*
 * What most commands end with: v as JSON with --json, else a table (v an
 * array) or fields (v an object).
 */
void tsr_cli_print(const struct tsr_cli_args *a, const struct tsr_cli_col *cols, const json_t *v);

/*
 * The text of one value as a cell: strings as they are, numbers, true or
 * false, arrays joined by ", ", objects as compact JSON, nothing for null
 * or missing.  Writes at most outlen bytes (cut with "...").
 */
void tsr_cli_cell(const json_t *v, char *out, size_t outlen);

/* Writes s with control characters as '?' (text from the server, of any length). */
void tsr_cli_put_text(FILE *out, const char *s);

/*
 * Writes JSON text (jansson's output) with DEL and the C1 controls, which
 * jansson leaves as they are, escaped as \u00XX: the same JSON value.
 */
void tsr_cli_put_json(FILE *out, const char *text);

/*
 * The length in bytes of the character at s (at least 1; one byte when s
 * starts no valid UTF-8 sequence) and *safe: whether it may be printed as
 * it is (not a C0 or C1 control, not DEL, valid UTF-8).
 */
size_t tsr_cli_char(const char *s, bool *safe);

/* Replaces each unsafe character of s (tsr_cli_char) by '?' in place; '\n' stays when asked. */
void tsr_cli_sanitize(char *s, bool keep_newlines);

/*
 * The member at path of obj, or NULL: "a.b" reaches into objects, and a
 * number after an array picks an item ("identities.0.connection").
 */
const json_t *tsr_cli_path(const json_t *obj, const char *path);

/* Removes member from v (an object) or from every object of v (an array). */
void tsr_cli_hide(json_t *v, const char *member);

/*
 * printf to out for text a command composes itself from values it did
 * not make (ids, server text): control characters other than newlines
 * become '?'.  At most 2 KiB.
 */
void tsr_cli_say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
