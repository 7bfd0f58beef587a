#include "http/params.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/hex.h"
#include "util/secure.h"

int tsr_url_decode(char *s, size_t *len)
{
    size_t r = 0, w = 0, n = *len;
    while (r < n) {
        char c = s[r];
        if (c == '+') {
            s[w++] = ' ';
            r++;
        } else if (c == '%') {
            if (n - r < 3)
                return TSR_EFORMAT;
            int hi = tsr_hex_value(s[r + 1]);
            int lo = tsr_hex_value(s[r + 2]);
            if (hi < 0 || lo < 0)
                return TSR_EFORMAT;
            char v = (char)(hi * 16 + lo);
            if (v == '\0')
                return TSR_EFORMAT;
            s[w++] = v;
            r += 3;
        } else {
            s[w++] = c;
            r++;
        }
    }
    s[w] = '\0';
    *len = w;
    return 0;
}

/* Whether s lives in the block a form was decoded into (freed as a whole). */
static bool in_block(const struct tsr_params *p, const char *s)
{
    return p->block != NULL && s >= p->block && s < p->block + p->block_len;
}

static bool has_name(const struct tsr_params *p, const char *name)
{
    return tsr_params_get(p, name) != NULL;
}

/* Takes ownership of name and value, unless they live in p's block. */
static int add(struct tsr_params *p, char *name, char *value, char *err, size_t errlen)
{
    int rc;
    if (name[0] == '\0') {
        snprintf(err, errlen, "a parameter has an empty name");
        rc = TSR_EFORMAT;
        goto fail;
    }
    if (has_name(p, name)) {
        snprintf(err, errlen, "parameter '%.64s' is repeated", name);
        rc = TSR_EFORMAT;
        goto fail;
    }
    if (p->n == TSR_PARAMS_MAX) {
        snprintf(err, errlen, "too many parameters (at most %d)", TSR_PARAMS_MAX);
        rc = TSR_ETOOBIG;
        goto fail;
    }
    p->items[p->n].name = name;
    p->items[p->n].value = value;
    p->n++;
    return 0;
fail:
    if (!in_block(p, name))
        free(name);
    if (!in_block(p, value))
        tsr_wipe_free_str(value);
    return rc;
}

int tsr_params_parse_form(struct tsr_params *p, const char *s, size_t len, char *err,
                          size_t errlen)
{
    size_t pos = 0;
    int rc = 0;
    /* A raw NUL has no place in a form, and would end the C strings made from it early. */
    if (memchr(s, '\0', len) != NULL) {
        snprintf(err, errlen, "the form body contains a NUL byte");
        return TSR_EFORMAT;
    }
    if (p->block != NULL)
        return TSR_EINVAL; /* one form per p */
    /* Every name and value is decoded into one block: the body's bytes and a NUL for each. */
    size_t parts = 1;
    for (const char *a = s; (a = memchr(a, '&', len - (size_t)(a - s))) != NULL; a++)
        parts++;
    size_t cap = len + 2 * parts;
    if (len > 0 && (p->block = malloc(cap)) == NULL)
        return TSR_ENOMEM;
    p->block_len = len > 0 ? cap : 0;
    size_t at = 0;
    while (pos < len) {
        const char *part = s + pos;
        const char *amp = memchr(part, '&', len - pos);
        size_t plen = amp ? (size_t)(amp - part) : len - pos;
        pos += plen + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(part, '=', plen);
        size_t nlen = eq ? (size_t)(eq - part) : plen;
        size_t vlen = eq ? plen - nlen - 1 : 0;
        if (nlen > TSR_PARAMS_MAX_NAME * 3 || vlen > TSR_PARAMS_MAX_VALUE * 3) {
            snprintf(err, errlen, "a parameter is too long");
            rc = TSR_ETOOBIG;
            goto fail;
        }
        char *name = p->block + at;
        memcpy(name, part, nlen);
        name[nlen] = '\0';
        char *value = name + nlen + 1;
        memcpy(value, eq ? eq + 1 : "", vlen);
        value[vlen] = '\0';
        at += nlen + vlen + 2;
        if (tsr_url_decode(name, &nlen) != 0 || tsr_url_decode(value, &vlen) != 0) {
            snprintf(err, errlen, "the form body has an invalid percent-encoding");
            rc = TSR_EFORMAT;
            goto fail;
        }
        if (nlen > TSR_PARAMS_MAX_NAME || vlen > TSR_PARAMS_MAX_VALUE) {
            snprintf(err, errlen, "a parameter is too long");
            rc = TSR_ETOOBIG;
            goto fail;
        }
        if ((rc = add(p, name, value, err, errlen)) != 0)
            goto fail;
    }
    return 0;
fail:
    tsr_params_cleanup(p);
    return rc;
}

int tsr_params_parse_json(struct tsr_params *p, const char *s, size_t len, char *err,
                          size_t errlen)
{
    json_error_t jerr;
    json_t *obj = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *key;
    json_t *val;
    int rc = 0;
    if (obj == NULL || !json_is_object(obj)) {
        snprintf(err, errlen, "the request body is not a valid JSON object");
        rc = TSR_EFORMAT;
        goto out;
    }
    json_object_foreach(obj, key, val) {
        char *text = NULL;
        if (json_is_string(val))
            text = strndup(json_string_value(val), json_string_length(val));
        else if (json_is_integer(val) || json_is_real(val) || json_is_boolean(val))
            text = json_dumps(val, JSON_ENCODE_ANY);
        else {
            snprintf(err, errlen, "parameter '%.64s' must be a string", key);
            rc = TSR_EFORMAT;
            goto fail;
        }
        char *name = strdup(key);
        if (text == NULL || name == NULL) {
            free(name);
            free(text);
            rc = TSR_ENOMEM;
            goto fail;
        }
        if (strlen(name) > TSR_PARAMS_MAX_NAME || strlen(text) > TSR_PARAMS_MAX_VALUE) {
            snprintf(err, errlen, "a parameter is too long");
            free(name);
            tsr_wipe_free_str(text);
            rc = TSR_ETOOBIG;
            goto fail;
        }
        if ((rc = add(p, name, text, err, errlen)) != 0)
            goto fail;
    }
    goto out;
fail:
    tsr_params_cleanup(p);
out:
    json_decref(obj);
    return rc;
}

const char *tsr_params_get(const struct tsr_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0)
            return p->items[i].value;
    return NULL;
}

void tsr_params_cleanup(struct tsr_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (!in_block(p, p->items[i].name))
            free(p->items[i].name);
        if (!in_block(p, p->items[i].value))
            tsr_wipe_free_str(p->items[i].value);
        p->items[i].name = p->items[i].value = NULL;
    }
    p->n = 0;
    if (p->block != NULL) {
        /* Values carry secrets. */
        tsr_wipe(p->block, p->block_len);
        free(p->block);
    }
    p->block = NULL;
    p->block_len = 0;
}
