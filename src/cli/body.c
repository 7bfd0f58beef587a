/*
 * body.c - request bodies from a command's options (see body.h).
 */
#include "cli/body.h"

#include <string.h>

#define MEMBER_MAX 128

int tsr_cli_list(const struct tsr_cli_args *a, const char *name, json_t **out)
{
    const char *const *vals;
    size_t n = tsr_cli_opts(a, name, &vals);
    *out = NULL;
    if (n == 0)
        return 0;
    if (n == 1 && vals[0][0] == '\0') {
        if ((*out = json_array()) == NULL)
            return tsr_cli_fail(a, "out of memory");
        return 0;
    }
    return tsr_cli_opt_list(a, name, out);
}

int tsr_cli_body_set(json_t *body, const char *member, json_t *v)
{
    char key[MEMBER_MAX];
    json_t *obj = body;
    const char *p = member;
    const char *dot;
    while ((dot = strchr(p, '.')) != NULL) {
        size_t len = (size_t)(dot - p);
        if (len >= sizeof key)
            goto fail;
        memcpy(key, p, len);
        key[len] = '\0';
        json_t *sub = json_object_get(obj, key);
        if (sub == NULL) {
            sub = json_object();
            if (json_object_set_new(obj, key, sub) != 0)
                goto fail;
        } else if (!json_is_object(sub)) {
            goto fail;
        }
        obj = sub;
        p = dot + 1;
    }
    return json_object_set_new(obj, p, v);
fail:
    json_decref(v);
    return -1;
}

/* The member of one field, or NULL with *rc set (0 when the option was not given). */
static json_t *field_value(const struct tsr_cli_args *a, const struct tsr_cli_field *f, int *rc)
{
    json_t *v = NULL;
    bool b = false;
    uint64_t n = 0;
    *rc = 0;
    if (!tsr_cli_has(a, f->opt))
        return NULL;
    switch (f->kind) {
    case TSR_CLI_FIELD_STR:
        v = json_string(tsr_cli_opt(a, f->opt));
        break;
    case TSR_CLI_FIELD_LIST:
        if ((*rc = tsr_cli_list(a, f->opt, &v)) != 0)
            return NULL;
        break;
    case TSR_CLI_FIELD_BOOL:
        if ((*rc = tsr_cli_opt_bool(a, f->opt, &b)) != 0)
            return NULL;
        v = json_boolean(b);
        break;
    case TSR_CLI_FIELD_UINT:
        if ((*rc = tsr_cli_opt_uint(a, f->opt, f->min, f->max, 0, &n)) != 0)
            return NULL;
        v = json_integer((json_int_t)n);
        break;
    }
    if (v == NULL)
        *rc = tsr_cli_fail(a, "out of memory");
    return v;
}

int tsr_cli_body_add(const struct tsr_cli_args *a, const struct tsr_cli_field *fields, json_t *body)
{
    for (size_t i = 0; fields[i].opt != NULL; i++) {
        int rc;
        json_t *v = field_value(a, &fields[i], &rc);
        if (rc != 0)
            return rc;
        if (v != NULL && tsr_cli_body_set(body, fields[i].member, v) != 0)
            return tsr_cli_fail(a, "out of memory");
    }
    return 0;
}
