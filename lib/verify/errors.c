/*
 * errors.c - the public error table, detail sentences and the RFC 6750
 * WWW-Authenticate value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct entry {
    int code;
    const char *name;
    const char *message;
    const char *oauth;
    int status;
};

static const struct entry table[] = {
#define TESSERA_ERR_ROW(n, c, m, o, s) {c, "TESSERA_" #n, m, o, s},
    TESSERA_ERROR_MAP(TESSERA_ERR_ROW)
#undef TESSERA_ERR_ROW
};

static const struct entry unknown = {1, "TESSERA_EUNKNOWN", "unknown error", "", 500};

static const struct entry *find(int code)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == code)
            return &table[i];
    return &unknown;
}

TESSERA_API const char *tessera_version(void)
{
    return TSR_VERSION;
}

TESSERA_API const char *tessera_strerror(int code)
{
    return find(code)->message;
}

TESSERA_API const char *tessera_errname(int code)
{
    return find(code)->name;
}

TESSERA_API const char *tessera_error_oauth(int code)
{
    return find(code)->oauth;
}

TESSERA_API int tessera_error_http_status(int code)
{
    return find(code)->status;
}

void tsv_detail(char *detail, size_t len, const char *fmt, ...)
{
    if (detail == NULL || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, len, fmt, ap);
    va_end(ap);
}

void tsv_printable(const char *s, char *out, size_t outsz, size_t max)
{
    if (outsz == 0)
        return;
    size_t o = 0;
    size_t taken = 0;
    for (; s != NULL && *s != '\0' && o + 1 < outsz; s++) {
        unsigned char ch = (unsigned char)*s;
        if (taken == max) {
            for (const char *d = "..."; *d != '\0' && o + 1 < outsz; d++)
                out[o++] = *d;
            break;
        }
        out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
        taken++;
    }
    out[o] = '\0';
}

void tsv_duration(long long s, char *out, size_t outsz)
{
    if (s < 120)
        snprintf(out, outsz, "%lld s", s);
    else if (s < 2 * 3600)
        snprintf(out, outsz, "%lld min", s / 60);
    else if (s < 2 * 86400)
        snprintf(out, outsz, "%lld h", s / 3600);
    else
        snprintf(out, outsz, "%lld days", s / 86400);
}

/* Appends s to buf at *o, failing when it does not fit. */
static int put(char *buf, size_t len, size_t *o, const char *s)
{
    size_t n = strlen(s);
    if (*o + n >= len)
        return -1;
    memcpy(buf + *o, s, n);
    *o += n;
    buf[*o] = '\0';
    return 0;
}

static int put_char(char *buf, size_t len, size_t *o, char c)
{
    char s[2] = {c, '\0'};
    return put(buf, len, o, s);
}

TESSERA_API int tessera_www_authenticate(int err, const char *realm, const char *detail,
                                         char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return TESSERA_EINVAL;
    buf[0] = '\0';
    size_t o = 0;
    const char *oauth = tessera_error_oauth(err);
    bool first = true;
    if (put(buf, len, &o, "Bearer") != 0)
        return TESSERA_EINVAL;
    if (realm != NULL) {
        if (put(buf, len, &o, " realm=\"") != 0)
            return TESSERA_EINVAL;
        for (const unsigned char *p = (const unsigned char *)realm; *p != '\0'; p++) {
            if (*p < 0x20 || *p == 0x7f)
                continue; /* no CR, LF or other controls in a header */
            if ((*p == '"' || *p == '\\') && put_char(buf, len, &o, '\\') != 0)
                return TESSERA_EINVAL;
            if (put_char(buf, len, &o, (char)*p) != 0)
                return TESSERA_EINVAL;
        }
        if (put_char(buf, len, &o, '"') != 0)
            return TESSERA_EINVAL;
        first = false;
    }
    if (oauth[0] != '\0') {
        if (put(buf, len, &o, first ? " error=\"" : ", error=\"") != 0 ||
            put(buf, len, &o, oauth) != 0 || put_char(buf, len, &o, '"') != 0)
            return TESSERA_EINVAL;
        first = false;
        if (detail != NULL && detail[0] != '\0') {
            if (put(buf, len, &o, ", error_description=\"") != 0)
                return TESSERA_EINVAL;
            /* RFC 6750 section 3: %x20-21 / %x23-5B / %x5D-7E only. */
            for (const unsigned char *p = (const unsigned char *)detail; *p != '\0'; p++) {
                char c = (char)*p;
                if (*p < 0x20 || *p >= 0x7f)
                    continue;
                if (c == '"')
                    c = '\'';
                else if (c == '\\')
                    c = '/';
                if (put_char(buf, len, &o, c) != 0)
                    return TESSERA_EINVAL;
            }
            if (put_char(buf, len, &o, '"') != 0)
                return TESSERA_EINVAL;
        }
    }
    return (int)o;
}
