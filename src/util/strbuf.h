/*
 * strbuf.h - a growable string with a size cap, for building URLs and
 * small documents.  Appends after a failure are ignored; the first error
 * is kept and reported by tsr_strbuf_take.
 */
#ifndef TSR_UTIL_STRBUF_H
#define TSR_UTIL_STRBUF_H

#include <stddef.h>

struct tsr_strbuf {
    char *s;
    size_t len;
    size_t cap;
    size_t max; /* 0: 1 MiB */
    int err;
};

void tsr_strbuf_append(struct tsr_strbuf *b, const char *s);
void tsr_strbuf_appendn(struct tsr_strbuf *b, const char *s, size_t n);

/* Appends s percent-encoded for a query string or form (RFC 3986 unreserved kept). */
void tsr_strbuf_append_urlenc(struct tsr_strbuf *b, const char *s);

/*
 * Hands the string to the caller (caller frees) and resets b.  Returns NULL
 * when an append failed (TSR_ENOMEM / TSR_ETOOBIG in *err, may be NULL).
 */
char *tsr_strbuf_take(struct tsr_strbuf *b, int *err);

/* Frees the buffer without taking it. */
void tsr_strbuf_cleanup(struct tsr_strbuf *b);

#endif
