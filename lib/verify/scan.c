/*
 * scan.c - reads the registered claims a verification needs (iss, aud,
 * exp, nbf, iat, and sub and scope for the accessors) straight from the
 * payload's bytes, in one bounded pass, instead of building a jansson tree
 * for every token.
 *
 * The scanner only ever says "fast" or "slow".  Fast means it checked the
 * whole text and jansson (json_loadb with JSON_REJECT_DUPLICATES) reads it
 * as an object with exactly these values: a flat object of at most
 * TSV_SCAN_MAX_MEMBERS members, no duplicate, names without escapes, values
 * that are strings, numbers, true, false, null or arrays of those.
 * Everything else (a nested object or array, an escaped member name, a
 * duplicate, an integer of more than 18 digits, a real that could
 * overflow, \u0000, any malformed JSON) is slow: the caller parses with
 * jansson, which accepts and refuses exactly as before.  The scanner
 * therefore never admits or refuses a token on its own; being stricter
 * than jansson only costs time.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Integers up to this many digits fit a long long, as jansson's json_int_t. */
#define MAX_INT_DIGITS 18
/* A real of at most this many characters with a 1- or 2-digit exponent stays below 1e140. */
#define MAX_REAL_LEN 40
#define MAX_EXP_DIGITS 2

enum member { M_OTHER, M_ISS, M_SUB, M_SCOPE, M_AUD, M_EXP, M_NBF, M_IAT };

struct cur {
    const unsigned char *p;
    const unsigned char *end;
};

static void skip_ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool is_digit(const struct cur *c)
{
    return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The four hex digits at p (p + 4 <= end checked by the caller), or -1. */
static int32_t hex4(const unsigned char *p)
{
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong form, no surrogate). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    size_t n;
    uint32_t cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2;
        cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3;
        cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/*
 * A string at c->p (its opening quote).  Sets the text between the quotes
 * and whether it holds an escape.  False for anything jansson refuses and
 * for \u0000 (jansson refuses it without JSON_ALLOW_NUL).
 */
static bool scan_string(struct cur *c, const unsigned char **raw, size_t *rawlen, bool *escaped)
{
    const unsigned char *s = ++c->p;
    *escaped = false;
    while (c->p < c->end) {
        /* Most bytes are printable ASCII other than '"' and '\\': skip those at once. */
        while (c->p < c->end && *c->p >= 0x20 && *c->p < 0x80 && *c->p != '"' && *c->p != '\\')
            c->p++;
        if (c->p == c->end)
            break;
        unsigned char ch = *c->p;
        if (ch == '"') {
            *raw = s;
            *rawlen = (size_t)(c->p - s);
            c->p++;
            return true;
        }
        if (ch < 0x20)
            return false;
        if (ch >= 0x80) {
            size_t n = utf8_len(c->p, c->end);
            if (n == 0)
                return false;
            c->p += n;
            continue;
        }
        if (ch != '\\') {
            c->p++;
            continue;
        }
        *escaped = true;
        if (c->end - c->p < 2)
            return false;
        unsigned char e = c->p[1];
        if (e != 'u') {
            if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
                e != 't')
                return false;
            c->p += 2;
            continue;
        }
        int32_t u = c->end - c->p >= 6 ? hex4(c->p + 2) : -1;
        if (u <= 0 || (u >= 0xDC00 && u <= 0xDFFF))
            return false; /* malformed, \u0000, or a lone low surrogate */
        c->p += 6;
        if (u >= 0xD800 && u <= 0xDBFF) {
            /* A high surrogate must be followed by an escaped low one. */
            int32_t lo =
                c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u' ? hex4(c->p + 2) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return false;
            c->p += 6;
        }
    }
    return false;
}

static size_t put_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Unescapes a string scan_string accepted into out, NUL-terminated; the
 * result is never longer than the raw text.  Returns its length.
 */
static size_t unescape(const unsigned char *s, size_t n, char *out)
{
    const unsigned char *bs = memchr(s, '\\', n);
    size_t o = bs != NULL ? (size_t)(bs - s) : n;
    memcpy(out, s, o); /* the text before the first escape is copied as it is */
    s += o;
    n -= o;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            out[o++] = (char)s[i++];
            continue;
        }
        unsigned char e = s[i + 1];
        if (e != 'u') {
            out[o++] = e == 'b'   ? '\b'
                       : e == 'f' ? '\f'
                       : e == 'n' ? '\n'
                       : e == 'r' ? '\r'
                       : e == 't' ? '\t'
                                  : (char)e;
            i += 2;
            continue;
        }
        uint32_t u = (uint32_t)hex4(s + i + 2);
        i += 6;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = (uint32_t)hex4(s + i + 2);
            i += 6;
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        }
        o += put_utf8(u, out + o);
    }
    out[o] = '\0';
    return o;
}

/* A number by jansson's grammar; *is_int and *value for integers it holds as json_int_t. */
static bool scan_number(struct cur *c, bool *is_int, long long *value)
{
    const unsigned char *start = c->p;
    bool neg = c->p < c->end && *c->p == '-';
    if (neg)
        c->p++;
    if (!is_digit(c))
        return false;
    const unsigned char *digits = c->p;
    if (*c->p == '0')
        c->p++;
    else
        while (is_digit(c))
            c->p++;
    size_t ndigits = (size_t)(c->p - digits);
    bool real = false;
    size_t expdigits = 0;
    if (c->p < c->end && *c->p == '.') {
        real = true;
        c->p++;
        if (!is_digit(c))
            return false;
        while (is_digit(c))
            c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        real = true;
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        const unsigned char *e = c->p;
        while (is_digit(c))
            c->p++;
        expdigits = (size_t)(c->p - e);
        if (expdigits == 0)
            return false;
    }
    *is_int = !real;
    if (real)
        return (size_t)(c->p - start) <= MAX_REAL_LEN && expdigits <= MAX_EXP_DIGITS;
    if (ndigits > MAX_INT_DIGITS)
        return false; /* jansson may refuse it as too big: it decides */
    long long v = 0;
    for (size_t i = 0; i < ndigits; i++)
        v = v * 10 + (digits[i] - '0');
    *value = neg ? -v : v;
    return true;
}

static bool scan_literal(struct cur *c, const char *word, size_t n)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return false;
    c->p += n;
    return true;
}

/* Whether a string value equals the audience; out is scratch of at least rawlen + 1 bytes. */
static bool equals_audience(const unsigned char *raw, size_t rawlen, bool escaped,
                            const char *audience, size_t audlen, char *out)
{
    if (!escaped)
        return rawlen == audlen && memcmp(raw, audience, audlen) == 0;
    size_t n = unescape(raw, rawlen, out);
    return n == audlen && memcmp(out, audience, audlen) == 0;
}

/* A scalar value; strings come back through raw/rawlen/escaped, integers through is_int/v. */
struct value {
    bool is_string;
    bool is_int;
    long long v;
    const unsigned char *raw;
    size_t rawlen;
    bool escaped;
};

static bool scan_scalar(struct cur *c, struct value *val)
{
    memset(val, 0, sizeof *val);
    if (c->p >= c->end)
        return false;
    switch (*c->p) {
    case '"':
        val->is_string = true;
        return scan_string(c, &val->raw, &val->rawlen, &val->escaped);
    case 't':
        return scan_literal(c, "true", 4);
    case 'f':
        return scan_literal(c, "false", 5);
    case 'n':
        return scan_literal(c, "null", 4);
    default:
        return scan_number(c, &val->is_int, &val->v);
    }
}

/*
 * An array of scalars at c->p (its '[').  For aud, *match says whether one
 * string element equals the audience.
 */
static bool scan_array(struct cur *c, bool is_aud, const char *audience, size_t audlen, char *tmp,
                       bool *match)
{
    c->p++;
    *match = false;
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return true;
    }
    for (;;) {
        struct value val;
        if (!scan_scalar(c, &val))
            return false; /* malformed, or nested: jansson decides */
        if (is_aud && val.is_string &&
            equals_audience(val.raw, val.rawlen, val.escaped, audience, audlen, tmp))
            *match = true;
        skip_ws(c);
        if (c->p >= c->end)
            return false;
        unsigned char ch = *c->p++;
        if (ch == ']')
            return true;
        if (ch != ',')
            return false;
        skip_ws(c);
    }
}

static enum member member_of(const unsigned char *name, size_t n)
{
    static const struct {
        const char *name;
        size_t len;
        enum member m;
    } known[] = {{"iss", 3, M_ISS}, {"sub", 3, M_SUB}, {"aud", 3, M_AUD},    {"exp", 3, M_EXP},
                 {"nbf", 3, M_NBF}, {"iat", 3, M_IAT}, {"scope", 5, M_SCOPE}};
    if (n != 3 && n != 5)
        return M_OTHER;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (n == known[i].len && name[0] == (unsigned char)known[i].name[0] &&
            memcmp(name, known[i].name, n) == 0)
            return known[i].m;
    return M_OTHER;
}

/* Stores a member's value into out; false when it needs jansson. */
static bool take_value(struct cur *c, enum member m, const char *audience, size_t audlen,
                       struct tsv_scan *out, char *scratch, size_t *used)
{
    /* scratch has room for every string's raw length + 1 (tsv_scan_payload's contract). */
    char *tmp = scratch + *used;
    if (c->p < c->end && *c->p == '{')
        return false;
    if (c->p < c->end && *c->p == '[') {
        bool match = false;
        if (!scan_array(c, m == M_AUD, audience, audlen, tmp, &match))
            return false;
        if (m == M_AUD)
            out->aud = match ? TSV_AUD_MATCH : TSV_AUD_OTHER;
        else if (m == M_EXP || m == M_NBF || m == M_IAT)
            (m == M_EXP ? &out->exp : m == M_NBF ? &out->nbf : &out->iat)->kind = TSV_DATE_OTHER;
        return true;
    }
    struct value val;
    if (!scan_scalar(c, &val))
        return false;
    switch (m) {
    case M_ISS:
    case M_SUB:
    case M_SCOPE:
        if (val.is_string) {
            *used += unescape(val.raw, val.rawlen, tmp) + 1;
            *(m == M_ISS ? &out->iss : m == M_SUB ? &out->sub : &out->scope) = tmp;
        }
        break;
    case M_AUD:
        out->aud = val.is_string &&
                           equals_audience(val.raw, val.rawlen, val.escaped, audience, audlen, tmp)
                       ? TSV_AUD_MATCH
                       : TSV_AUD_OTHER;
        break;
    case M_EXP:
    case M_NBF:
    case M_IAT: {
        struct tsv_date *d = m == M_EXP ? &out->exp : m == M_NBF ? &out->nbf : &out->iat;
        d->kind = val.is_int ? TSV_DATE_INT : TSV_DATE_OTHER;
        d->value = val.v;
        break;
    }
    case M_OTHER:
        break;
    }
    return true;
}

bool tsv_scan_payload(const char *text, size_t len, const char *audience, struct tsv_scan *out,
                      char *scratch, size_t scratchlen)
{
    memset(out, 0, sizeof *out);
    if (text == NULL || audience == NULL || scratch == NULL || scratchlen < len + 1)
        return false;
    struct cur c = {(const unsigned char *)text, (const unsigned char *)text + len};
    struct {
        const unsigned char *s;
        size_t n;
    } names[TSV_SCAN_MAX_MEMBERS];
    size_t count = 0, used = 0, audlen = strlen(audience);
    skip_ws(&c);
    if (c.p >= c.end || *c.p++ != '{')
        return false;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            const unsigned char *name;
            size_t n;
            bool escaped;
            if (c.p >= c.end || *c.p != '"' || !scan_string(&c, &name, &n, &escaped) || escaped ||
                count == TSV_SCAN_MAX_MEMBERS)
                return false;
            for (size_t i = 0; i < count; i++)
                if (names[i].n == n && (n == 0 || names[i].s[0] == name[0]) &&
                    memcmp(names[i].s, name, n) == 0)
                    return false; /* a duplicate: jansson refuses it */
            names[count].s = name;
            names[count++].n = n;
            skip_ws(&c);
            if (c.p >= c.end || *c.p++ != ':')
                return false;
            skip_ws(&c);
            if (!take_value(&c, member_of(name, n), audience, audlen, out, scratch, &used))
                return false;
            skip_ws(&c);
            if (c.p >= c.end)
                return false;
            unsigned char ch = *c.p++;
            if (ch == '}')
                break;
            if (ch != ',')
                return false;
            skip_ws(&c);
        }
    }
    skip_ws(&c);
    return c.p == c.end;
}

json_t *tsv_parse_object(const char *text, size_t len)
{
    /* The flags of tsr_jws_parse: NUL refused, duplicates refused (RFC 8725 3.7). */
    json_error_t jerr;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}
