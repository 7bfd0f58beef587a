/*
 * params.h - bounded name/value parameters from a query string, a form body
 * (application/x-www-form-urlencoded) or a flat JSON object.
 *
 * Limits: TSR_PARAMS_MAX parameters, names up to 128 bytes, values up to
 * 64 KiB.  A repeated name is an error (RFC 6749 section 3.1).  Values are
 * wiped when freed because they carry secrets.
 */
#ifndef TSR_HTTP_PARAMS_H
#define TSR_HTTP_PARAMS_H

#include <stddef.h>

#define TSR_PARAMS_MAX 64
#define TSR_PARAMS_MAX_NAME 128
#define TSR_PARAMS_MAX_VALUE (64 * 1024)

struct tsr_param {
    char *name;
    char *value;
};

struct tsr_params {
    size_t n;
    struct tsr_param items[TSR_PARAMS_MAX];
    char *block;      /* a form's names and values, decoded into one allocation */
    size_t block_len;
};

/*
 * Parses form encoding ("a=1&b=%20x+y") into p (zeroed by the caller).
 * On error returns TSR_EFORMAT (bad escape, repeated or empty name, bad
 * UTF-8 is allowed through as bytes), TSR_ETOOBIG or TSR_ENOMEM, writes
 * the reason into err, and leaves p empty.
 */
int tsr_params_parse_form(struct tsr_params *p, const char *s, size_t len, char *err,
                          size_t errlen);

/*
 * Parses a JSON object whose members are strings (numbers and booleans are
 * taken as their text; objects, arrays and null are errors naming the
 * member).  Same returns as above.
 */
int tsr_params_parse_json(struct tsr_params *p, const char *s, size_t len, char *err,
                          size_t errlen);

/* The value of name, or NULL.  Borrowed. */
const char *tsr_params_get(const struct tsr_params *p, const char *name);

/* Frees (and wipes) every item; p is empty afterwards. */
void tsr_params_cleanup(struct tsr_params *p);

/* Decodes %XX and '+' in place; returns TSR_EFORMAT on a bad escape or an encoded NUL. */
int tsr_url_decode(char *s, size_t *len);

#endif
