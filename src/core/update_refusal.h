/*
 * update_refusal.h - what the patches of core/client_update.c and
 * core/api_update.c share: a tri-state boolean, the setters every patch
 * uses, and why a change to a
 * record was refused, as plain values (what kind of refusal, which
 * property, the message).  The Management API words it as
 * Auth0 does (mgmt/common.h).
 */
#ifndef TSR_CORE_UPDATE_REFUSAL_H
#define TSR_CORE_UPDATE_REFUSAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A boolean of a patch: not given, false or true. */
enum tsr_patch_bool { TSR_PATCH_UNSET = -1, TSR_PATCH_FALSE = 0, TSR_PATCH_TRUE = 1 };

enum tsr_refusal_kind {
    TSR_REFUSED_NONE,
    TSR_REFUSED_VALUE,     /* a property's value: 400 "Payload validation error" about field */
    TSR_REFUSED_PROPERTY,  /* a property that may not be given at all: 400, message as is */
    TSR_REFUSED_REQUEST,   /* the request as a whole: 400, message as is */
    TSR_REFUSED_FORBIDDEN, /* the record may not change that way: 403, message as is */
};

struct tsr_refusal {
    enum tsr_refusal_kind kind;
    /* TSR_REFUSED_VALUE: the property's path ("name", "scopes[2].value", "refresh_token.leeway").
     */
    char field[64];
    char message[400];
};

/* Clears r (kind TSR_REFUSED_NONE). */
void tsr_refusal_clear(struct tsr_refusal *r);

/* Fills r (field may be NULL) and returns TSR_EINVAL, for `return tsr_refuse(...)`. */
int tsr_refuse(struct tsr_refusal *r, enum tsr_refusal_kind kind, const char *field,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* True when s is one of the NULL-terminated values. */
bool tsr_patch_one_of(const char *s, const char *const *values);

/* Replaces *dst with a copy of s.  Returns 0 or TSR_ENOMEM (*dst unchanged). */
int tsr_patch_set_str(char **dst, const char *s);

/* Sets *dst when v is given. */
void tsr_patch_set_bool(bool *dst, enum tsr_patch_bool v);

/*
 * An enum property, when given (v not NULL): one of values, refused as the
 * Management API's schema words it ("No enum match for: ...").
 */
int tsr_patch_set_enum(char **dst, const char *field, const char *v, const char *const *values,
                       struct tsr_refusal *why);

/* An integer property in min..max, refused as the Management API's schema words it. */
int tsr_patch_check_range(const char *field, int64_t v, int64_t min, int64_t max,
                          struct tsr_refusal *why);

/*
 * A string property of bytes bytes at s (a JSON string may hold NUL): no
 * control characters but tab, CR and LF, and min..max characters (UTF-8
 * code points), refused as the Management API's schema words it.
 */
int tsr_patch_check_string(const char *field, const char *s, size_t bytes, size_t min, size_t max,
                           struct tsr_refusal *why);

/* The JSON Schema name of v's type ("string", "integer", "boolean", ...), for messages. */
const char *tsr_patch_json_type_name(json_type type);
const char *tsr_patch_type_name(const json_t *v);

/* A list property holds no item twice, refused as the Management API's schema words it. */
int tsr_patch_check_unique(const char *field, const char *const *items, size_t n,
                           struct tsr_refusal *why);

#endif
