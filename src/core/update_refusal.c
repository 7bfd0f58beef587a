#include "core/update_refusal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void tsr_refusal_clear(struct tsr_refusal *r)
{
    memset(r, 0, sizeof *r);
}

int tsr_refuse(struct tsr_refusal *r, enum tsr_refusal_kind kind, const char *field,
               const char *fmt, ...)
{
    va_list ap;
    r->kind = kind;
    snprintf(r->field, sizeof r->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    return TSR_EINVAL;
}

bool tsr_patch_one_of(const char *s, const char *const *values)
{
    for (size_t i = 0; values[i] != NULL; i++)
        if (strcmp(s, values[i]) == 0)
            return true;
    return false;
}

int tsr_patch_set_str(char **dst, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return TSR_ENOMEM;
    free(*dst);
    *dst = copy;
    return 0;
}

void tsr_patch_set_bool(bool *dst, enum tsr_patch_bool v)
{
    if (v != TSR_PATCH_UNSET)
        *dst = v == TSR_PATCH_TRUE;
}

int tsr_patch_set_enum(char **dst, const char *field, const char *v, const char *const *values,
                       struct tsr_refusal *why)
{
    if (v == NULL)
        return 0;
    if (!tsr_patch_one_of(v, values))
        return tsr_refuse(why, TSR_REFUSED_VALUE, field, "No enum match for: \"%.100s\"", v);
    return tsr_patch_set_str(dst, v);
}

int tsr_patch_check_range(const char *field, int64_t v, int64_t min, int64_t max,
                          struct tsr_refusal *why)
{
    if (v < min)
        return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                          "Value %" PRId64 " is less than minimum %" PRId64, v, min);
    if (v > max)
        return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                          "Value %" PRId64 " is greater than maximum %" PRId64, v, max);
    return 0;
}

int tsr_patch_check_string(const char *field, const char *s, size_t bytes, size_t min, size_t max,
                           struct tsr_refusal *why)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7F)
            return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                              "String must not contain control characters");
        if ((c & 0xC0) != 0x80)
            n++;
    }
    if (n < min)
        return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                          "String is too short (%zu chars), minimum %zu", n, min);
    if (n > max)
        return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                          "String is too long (%zu chars), maximum %zu", n, max);
    return 0;
}

int tsr_patch_check_unique(const char *field, const char *const *items, size_t n,
                           struct tsr_refusal *why)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[j], items[i]) == 0)
                return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                                  "Array items are not unique (indexes %zu and %zu)", j, i);
    return 0;
}

const char *tsr_patch_json_type_name(json_type type)
{
    switch (type) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

const char *tsr_patch_type_name(const json_t *v)
{
    return tsr_patch_json_type_name(json_typeof(v));
}
