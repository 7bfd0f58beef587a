/*
 * jsonw.h - a compact JSON text of a fixed shape written straight into a
 * caller's buffer (usually on the stack), for responses, claims and log
 * lines that would otherwise be built as jansson objects only to be
 * serialised at once.
 *
 * The text is byte for byte what json_dumps(JSON_COMPACT) writes for the
 * same members in the same order.  Strings are written only when they need
 * no escaping (printable ASCII without '"' or '\\'); any other string marks
 * the writer "not plain" and the caller builds that document with jansson
 * instead, so escaping and UTF-8 checks stay jansson's.
 */
#ifndef TSR_UTIL_JSONW_H
#define TSR_UTIL_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TSR_JSONW_MAX_DEPTH 16

struct tsr_jsonw {
    char *s;       /* the caller's buffer, or heap once it outgrew it */
    size_t len;
    size_t cap;
    bool heap;     /* s is from malloc */
    bool fail;     /* no memory, or nesting beyond TSR_JSONW_MAX_DEPTH */
    bool nonplain; /* a string needs jansson's encoder */
    bool after_key;
    int depth;
    uint32_t first; /* bit d: nothing written yet at depth d */
};

void tsr_jsonw_init(struct tsr_jsonw *w, char *buf, size_t cap);
void tsr_jsonw_obj_open(struct tsr_jsonw *w);
void tsr_jsonw_obj_close(struct tsr_jsonw *w);
void tsr_jsonw_arr_open(struct tsr_jsonw *w);
void tsr_jsonw_arr_close(struct tsr_jsonw *w);
/* A member's name; the next value written is its value. */
void tsr_jsonw_key(struct tsr_jsonw *w, const char *key);
void tsr_jsonw_str(struct tsr_jsonw *w, const char *s);
/* One string value: the n strings v joined by single spaces (as tsr_strlist_join). */
void tsr_jsonw_str_joined(struct tsr_jsonw *w, char *const *v, size_t n);
void tsr_jsonw_int(struct tsr_jsonw *w, int64_t v);
/* v as jansson writes a real with JSON_REAL_PRECISION(precision) (1..17). */
void tsr_jsonw_real(struct tsr_jsonw *w, double v, int precision);
void tsr_jsonw_bool(struct tsr_jsonw *w, bool v);

/* Whether the text is complete and usable: no failure, no string left to jansson. */
bool tsr_jsonw_ok(const struct tsr_jsonw *w);

/* The text (NUL-terminated, owned by w) and its length; NULL unless tsr_jsonw_ok. */
const char *tsr_jsonw_text(const struct tsr_jsonw *w, size_t *len);

/* The text as a new string (caller frees), or NULL unless tsr_jsonw_ok or without memory. */
char *tsr_jsonw_take(struct tsr_jsonw *w, size_t *len);

/* Frees the heap buffer, if any. */
void tsr_jsonw_cleanup(struct tsr_jsonw *w);

#endif
