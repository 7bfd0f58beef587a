/*
 * tenant_doc_keywords.c - the Deploy CLI's keyword replacement
 * (tenant_doc_keywords.h).  Each key is one pass over the text, arrays
 * first then strings, as the Deploy CLI's keywordReplace does.
 */
#include "core/tenant_doc_keywords.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/strbuf.h"

static bool key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > TSR_KEYWORD_KEY_MAX)
        return false;
    for (const char *p = k; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return false;
    return true;
}

/* What ##KEY## becomes: JavaScript's String(value). */
static char *string_form(const json_t *v)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strdup(json_string_value(v));
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return strdup(num);
    case JSON_REAL:
        /* The shortest text that reads back as the number, as JavaScript writes it. */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, json_real_value(v));
            if (strtod(num, NULL) == json_real_value(v))
                break;
        }
        return strdup(num);
    case JSON_TRUE:
        return strdup("true");
    case JSON_FALSE:
        return strdup("false");
    case JSON_NULL:
        return strdup("null");
    case JSON_ARRAY: {
        struct tsr_strbuf b = {.max = 16u * 1024u * 1024u};
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            char *s = string_form(item);
            if (s == NULL) {
                tsr_strbuf_cleanup(&b);
                return NULL;
            }
            if (i > 0)
                tsr_strbuf_append(&b, ",");
            tsr_strbuf_append(&b, s);
            free(s);
        }
        int err = 0;
        char *s = tsr_strbuf_take(&b, &err);
        tsr_strbuf_cleanup(&b);
        return s != NULL ? s : (err == 0 ? strdup("") : NULL);
    }
    case JSON_OBJECT:
        return strdup("[object Object]");
    }
    return NULL;
}

/*
 * Replaces each of the patterns (tried in order at each position) by with
 * in text into a new string.  Returns 0, TSR_ETOOBIG or TSR_ENOMEM.
 */
static int replace_all(const char *text, const char *const *patterns, size_t npatterns,
                       const char *with, size_t max_out, char **out)
{
    struct tsr_strbuf b = {.max = max_out};
    const char *p = text;
    size_t wlen = strlen(with);
    for (;;) {
        const char *best = NULL;
        size_t blen = 0;
        for (size_t i = 0; i < npatterns; i++) {
            const char *hit = strstr(p, patterns[i]);
            if (hit != NULL && (best == NULL || hit < best)) {
                best = hit;
                blen = strlen(patterns[i]);
            }
        }
        if (best == NULL)
            break;
        tsr_strbuf_appendn(&b, p, (size_t)(best - p));
        tsr_strbuf_appendn(&b, with, wlen);
        p = best + blen;
        if (b.err != 0)
            break;
    }
    tsr_strbuf_append(&b, p);
    int err = b.err;
    char *s = err == 0 ? tsr_strbuf_take(&b, &err) : NULL;
    tsr_strbuf_cleanup(&b);
    if (s == NULL) {
        if (err == 0) {
            s = strdup("");
            err = s ? 0 : TSR_ENOMEM;
        }
        if (err != 0)
            return err == TSR_ETOOBIG || err == TSR_EINVAL ? TSR_ETOOBIG : err;
    }
    *out = s;
    return 0;
}

int tsr_keywords_replace(const char *text, size_t len, const json_t *mappings, size_t max_out,
                         char **out, char *err, size_t errlen)
{
    const char *key;
    json_t *val;
    int rc = 0;
    *out = NULL;
    if (memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "the document holds a NUL character");
        return TSR_EFORMAT;
    }
    char *cur = strndup(text, len);
    if (cur == NULL)
        return TSR_ENOMEM;
    if (mappings != NULL) {
        json_object_foreach((json_t *)mappings, key, val)
        {
            if (!key_ok(key)) {
                snprintf(err, errlen, "the keyword \"%.64s\" is not letters, digits, _, - and .",
                         key);
                rc = TSR_EINVAL;
                goto done;
            }
        }
        /* Pass 1: @@KEY@@, its JSON; also with the quotes around it ('@@KEY@@' or "@@KEY@@"). */
        json_object_foreach((json_t *)mappings, key, val)
        {
            char plain[TSR_KEYWORD_KEY_MAX + 8], dq[TSR_KEYWORD_KEY_MAX + 8],
                sq[TSR_KEYWORD_KEY_MAX + 8];
            snprintf(plain, sizeof plain, "@@%s@@", key);
            snprintf(dq, sizeof dq, "\"@@%s@@\"", key);
            snprintf(sq, sizeof sq, "'@@%s@@'", key);
            const char *const pats[] = {sq, dq, plain};
            char *js = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY), *next = NULL;
            if (js == NULL) {
                rc = TSR_ENOMEM;
                goto done;
            }
            rc = replace_all(cur, pats, 3, js, max_out, &next);
            free(js);
            if (rc != 0)
                goto done;
            free(cur);
            cur = next;
        }
        /* Pass 2: ##KEY##, the value as it is. */
        json_object_foreach((json_t *)mappings, key, val)
        {
            char pat[TSR_KEYWORD_KEY_MAX + 8];
            snprintf(pat, sizeof pat, "##%s##", key);
            const char *const pats[] = {pat};
            char *s = string_form(val), *next = NULL;
            if (s == NULL) {
                rc = TSR_ENOMEM;
                goto done;
            }
            rc = replace_all(cur, pats, 1, s, max_out, &next);
            free(s);
            if (rc != 0)
                goto done;
            free(cur);
            cur = next;
        }
    }
    if (strlen(cur) > max_out) {
        rc = TSR_ETOOBIG;
        goto done;
    }
    *out = cur;
    cur = NULL;
done:
    if (rc == TSR_ETOOBIG)
        snprintf(err, errlen, "the document with its keywords replaced exceeds %zu bytes", max_out);
    free(cur);
    return rc;
}

int tsr_keywords_merge(const char *env_json, const json_t *file_json, json_t **out, char *err,
                       size_t errlen)
{
    json_t *m = json_object();
    *out = NULL;
    if (m == NULL)
        return TSR_ENOMEM;
    if (env_json != NULL && env_json[0] != '\0') {
        json_t *e = json_loads(env_json, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(e)) {
            json_decref(e);
            json_decref(m);
            snprintf(err, errlen, "AUTH0_KEYWORD_REPLACE_MAPPINGS is not a JSON object");
            return TSR_EFORMAT;
        }
        json_object_update(m, e);
        json_decref(e);
    }
    if (file_json != NULL) {
        if (!json_is_object(file_json)) {
            json_decref(m);
            snprintf(err, errlen, "the keywords file does not hold an object");
            return TSR_EFORMAT;
        }
        json_object_update(m, (json_t *)file_json);
    }
    *out = m;
    return 0;
}
