#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define DEFAULT_MAX (1024 * 1024)

void tsr_strbuf_appendn(struct tsr_strbuf *b, const char *s, size_t n)
{
    size_t max = b->max ? b->max : DEFAULT_MAX;
    if (b->err != 0)
        return;
    if (b->len + n + 1 > max) {
        b->err = TSR_ETOOBIG;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (grown == NULL) {
            b->err = TSR_ENOMEM;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void tsr_strbuf_append(struct tsr_strbuf *b, const char *s)
{
    tsr_strbuf_appendn(b, s, strlen(s));
}

void tsr_strbuf_append_urlenc(struct tsr_strbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            tsr_strbuf_appendn(b, (const char *)&c, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            tsr_strbuf_appendn(b, esc, 3);
        }
    }
}

char *tsr_strbuf_take(struct tsr_strbuf *b, int *err)
{
    char *s = b->s;
    int e = b->err;
    if (e == 0 && s == NULL) {
        s = strdup("");
        if (s == NULL)
            e = TSR_ENOMEM;
    }
    if (e != 0) {
        free(b->s);
        s = NULL;
    }
    if (err != NULL)
        *err = e;
    memset(b, 0, sizeof *b);
    return s;
}

void tsr_strbuf_cleanup(struct tsr_strbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}
