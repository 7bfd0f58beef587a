/*
 * fuzz_params_form.c - form bodies and query strings
 * (application/x-www-form-urlencoded) through tsr_params_parse_form, as
 * /authorize (form_post), /oauth/token, /oauth/revoke, /userinfo and the
 * login pages read them.
 *
 * Invariants:
 *  - the parser answers 0, TSR_EFORMAT, TSR_ETOOBIG or TSR_ENOMEM, always
 *    writes a NUL-terminated reason on error and leaves the params empty;
 *  - on success the params hold unique names of 1..128 bytes, values within
 *    the cap, and no more than TSR_PARAMS_MAX items;
 *  - percent-encoding every name and value again and joining them with '&'
 *    parses to the same params (the decoder loses nothing).
 */
#include <string.h>

#include "fuzz.h"
#include "params_check.h"
#include "util/err.h"

/* Appends s percent-encoded: unreserved characters as they are, every other byte as %XX. */
static void append_encoded(char **buf, size_t *len, size_t *cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        if (*len + 4 >= *cap) {
            *cap = *cap * 2 + 64;
            *buf = realloc(*buf, *cap);
            FUZZ_CHECK(*buf != NULL);
        }
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            (*buf)[(*len)++] = (char)c;
        } else {
            (*buf)[(*len)++] = '%';
            (*buf)[(*len)++] = hex[c >> 4];
            (*buf)[(*len)++] = hex[c & 15];
        }
    }
}

static void append_char(char **buf, size_t *len, size_t *cap, char c)
{
    if (*len + 2 >= *cap) {
        *cap = *cap * 2 + 64;
        *buf = realloc(*buf, *cap);
        FUZZ_CHECK(*buf != NULL);
    }
    (*buf)[(*len)++] = c;
}

static void check_reencode(const struct tsr_params *p)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (i > 0)
            append_char(&buf, &len, &cap, '&');
        append_encoded(&buf, &len, &cap, p->items[i].name);
        append_char(&buf, &len, &cap, '=');
        append_encoded(&buf, &len, &cap, p->items[i].value);
    }
    struct tsr_params q = {0};
    char err[256];
    int rc = tsr_params_parse_form(&q, buf != NULL ? buf : "", len, err, sizeof err);
    FUZZ_CHECK(rc == 0);
    params_check_equal(p, &q);
    params_cleanup_check(&q);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsr_params p = {0};
    char err[256];
    err[0] = '\0';
    /*
     * The bytes exactly as a request body holds them: a NUL-terminated copy,
     * as libmicrohttpd and the request reader keep bodies, with the length
     * of the received bytes (which may contain NUL).
     */
    char *body = fuzz_strndup(data, size);
    int rc = tsr_params_parse_form(&p, body, size, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == TSR_EFORMAT || rc == TSR_ETOOBIG || rc == TSR_ENOMEM);
    if (rc == 0) {
        params_check(&p);
        check_reencode(&p);
    } else {
        FUZZ_CHECK(p.n == 0);
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        FUZZ_CHECK(rc == TSR_ENOMEM || err[0] != '\0');
    }
    params_cleanup_check(&p);
    free(body);
    return 0;
}
