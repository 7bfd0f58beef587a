/*
 * common.h - what the Management API resources share to read request
 * bodies the way Auth0 does: a table of the properties a body may hold,
 * type-checked readers that answer 400 invalid_body in Auth0's words
 * ("Payload validation error: '...' on property name (...)").  The rules
 * of the values themselves are core's, shared with `tessera config apply`.
 *
 * A reader is sticky: once one check fails it has sent the 400 and every
 * later call is a no-op returning false, so a handler can read a run of
 * properties and test rd.failed once.  Readers change their destination
 * only when the property is present, which serves both create (the
 * destination holds the defaults) and PATCH (it holds the stored value).
 */
#ifndef TSR_MGMT_COMMON_H
#define TSR_MGMT_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "util/strlist.h"
#include "util/url_check.h"

/* One property a body may hold.  Tables end with {NULL}. */
struct tsr_mgmt_prop {
    const char *name;
    const char *desc; /* Auth0's description, quoted in error messages */
    bool ignored;     /* accepted for compatibility, any value, never read */
};

struct tsr_mgmt_reader {
    struct tsr_req *req;
    const json_t *body;                /* borrowed */
    const struct tsr_mgmt_prop *props; /* borrowed */
    const char *prefix;                /* "" or "jwt_configuration." for nested objects */
    bool failed;                       /* a 400 was sent */
};

/*
 * Starts reading body (a JSON object) against props.  Sends 400 "Additional
 * properties not allowed: x" and returns false when body holds a property
 * props does not list.
 */
bool tsr_mgmt_reader_start(struct tsr_mgmt_reader *rd, struct tsr_req *req, const json_t *body,
                           const struct tsr_mgmt_prop *props, const char *prefix);

/* Parses the request body as a JSON object; sends 400 invalid_body and returns NULL if not. */
json_t *tsr_mgmt_body(struct tsr_req *req);

/* The JSON Schema name of v's type ("string", "integer", "boolean", ...). */
const char *tsr_mgmt_type_name(const json_t *v);

/* True when the body holds name (whatever its value). */
bool tsr_mgmt_has(const struct tsr_mgmt_reader *rd, const char *name);

/* Sends 400 "Missing required property: name" unless the body holds it. */
bool tsr_mgmt_require(struct tsr_mgmt_reader *rd, const char *name);

/*
 * Sends 400 "Payload validation error: '<printf>' on property <prefix><name>
 * (<desc>)." and marks the reader failed.  Always returns false.
 */
bool tsr_mgmt_fail(struct tsr_mgmt_reader *rd, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The value of name when present and of JSON type type (a JSON_* value),
 * else NULL: absent, or the reader failed, or it just sent the type error.
 */
const json_t *tsr_mgmt_get(struct tsr_mgmt_reader *rd, const char *name, json_type type);

/*
 * Checks a string value's length in characters (min..max) and that it holds
 * no NUL or control characters.  what names it in the message ("name",
 * "callbacks[2]").
 */
bool tsr_mgmt_check_string(struct tsr_mgmt_reader *rd, const char *what, const json_t *v,
                           size_t min, size_t max);

/* Replaces *dst (freed) with a copy of the string name, 1..max characters. */
bool tsr_mgmt_read_string(struct tsr_mgmt_reader *rd, const char *name, size_t min, size_t max,
                          char **dst);

/* Same, for a string that must be one of values (NULL-terminated). */
bool tsr_mgmt_read_enum(struct tsr_mgmt_reader *rd, const char *name, const char *const *values,
                        char **dst);

bool tsr_mgmt_read_bool(struct tsr_mgmt_reader *rd, const char *name, bool *dst);

/* An integer in min..max. */
bool tsr_mgmt_read_int(struct tsr_mgmt_reader *rd, const char *name, int64_t min, int64_t max,
                       int64_t *dst);

/*
 * Replaces *dst with an array of at most max_items strings, each of
 * 1..max_len characters and, when values is not NULL, one of values.
 * Repeated items are rejected.
 */
bool tsr_mgmt_read_strlist(struct tsr_mgmt_reader *rd, const char *name, size_t max_items,
                           size_t max_len, const char *const *values, struct tsr_strlist *dst);

/*
 * Reads the required array name of 1..max_items distinct ids, each of
 * 1..max_len characters, into ids (the {"users": [...]} and {"roles": [...]}
 * bodies).  Sends 400 and returns false otherwise.
 */
bool tsr_mgmt_read_ids(struct tsr_mgmt_reader *rd, const char *name, size_t max_items,
                       size_t max_len, struct tsr_strlist *ids);

/* True when s is one of values (NULL-terminated). */
bool tsr_mgmt_in(const char *s, const char *const *values);

/*
 * Sends 400 invalid_query_string:
 * "Query validation error: '<what>' on property <name> (<desc>)."
 */
void tsr_mgmt_query_error(struct tsr_req *req, const char *name, const char *desc,
                          const char *what);

/*
 * fields / include_fields, which every list and single read accepts:
 * fields names properties (comma separated) to keep, or with
 * include_fields=false to drop.  tsr_mgmt_fields_check sends 400 and
 * returns false when include_fields is not a boolean; tsr_mgmt_fields_apply
 * applies them to an object or to each object of an array.
 */
bool tsr_mgmt_fields_check(struct tsr_req *req);
void tsr_mgmt_fields_apply(struct tsr_req *req, json_t *v);

/*
 * Sends obj (stolen; NULL answers 500) with 200 after applying fields, or
 * 400 when include_fields is not a boolean.
 */
void tsr_mgmt_send_item(struct tsr_req *req, json_t *obj);

/*
 * Checkpoint paging (from/take): reads take, 1..100 (default 50), and
 * checks include_fields.  Sends 400 and returns false on a bad value.
 */
bool tsr_mgmt_take_read(struct tsr_req *req, int64_t *take);

/*
 * Reads every value of the repeatable query argument name (?name=a&name=b)
 * into out, at most max.  Sends 400 (desc describes it) or 500 and returns
 * false otherwise.
 */
bool tsr_mgmt_query_list(struct tsr_req *req, const char *name, const char *desc, size_t max,
                         struct tsr_strlist *out);

/* True when the query asks for checkpoint paging (from or take present). */
bool tsr_mgmt_is_checkpoint(struct tsr_req *req);

/*
 * Sends {<key>: items, next} with fields applied; next (the cursor of the
 * following page) is left out when NULL.  items is stolen.
 */
void tsr_mgmt_send_checkpoint(struct tsr_req *req, const char *key, json_t *items,
                              const char *next);

/* Sends 404 errorCode "inexistent_<what>", message "The <what with spaces> does not exist". */
void tsr_mgmt_send_not_found(struct tsr_req *req, const char *what);

/* Sends 403 operation_not_supported with message. */
void tsr_mgmt_send_forbidden(struct tsr_req *req, const char *message);

/*
 * True when a PATCH left a record's answer as it was: before (borrowed)
 * equals after (stolen).  NULL on either side counts as changed, so a
 * failed render never skips a write.
 */
bool tsr_mgmt_unchanged(const json_t *before, json_t *after);

#endif
