/*
 * tenant_doc_yaml.c - YAML to JSON and back with libyaml (tenant_doc_yaml.h).
 *
 * The reader takes libyaml's events one at a time (yaml_parser_parse) and
 * builds the value as it goes, so a limit stops it where it is passed: the
 * depth limit at the first value too deep (before libyaml reads further),
 * the budget of values at the alias that overdraws it (an alias is a copy
 * of its anchor's value, counted as many values as that holds).  An alias
 * inside its own anchor is refused.
 */
#include "core/tenant_doc_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "util/err.h"
#include "util/strbuf.h"

const struct tsr_yaml_limits tsr_yaml_default_limits = {TSR_YAML_MAX_BYTES, TSR_YAML_MAX_DEPTH,
                                                        TSR_YAML_MAX_VALUES};

/* An anchor read so far: its value (NULL while it is still being read), values and height. */
struct anchor {
    char *name;
    json_t *v;
    size_t count;
    int height;
};

struct reader {
    yaml_parser_t *parser;
    const struct tsr_yaml_limits *lim;
    size_t values;
    struct anchor *anchors;
    size_t nanchors, capanchors;
    char *err;
    size_t errlen;
};

/* What one value read adds up to: the values it holds (itself included) and its nesting below it.
 */
struct measure {
    size_t count;
    int height;
};

static bool is_one(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static bool all_digits(const char *s, const char *set)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (strchr(set, *s) == NULL)
            return false;
    return true;
}

/* YAML 1.2's core schema (js-yaml's, which the Deploy CLI reads with): a plain scalar's value. */
static json_t *resolve_plain(const char *s)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    if (is_one(s, nulls))
        return json_null();
    if (is_one(s, trues))
        return json_true();
    if (is_one(s, falses))
        return json_false();
    if (is_one(s, infs) || strcmp(s, "-.inf") == 0 || strcasecmp(s, ".nan") == 0)
        return json_string(s); /* JSON has no infinity or NaN */
    const char *d = (*s == '-' || *s == '+') ? s + 1 : s;
    if (all_digits(d, "0123456789")) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == 0)
            return json_integer(v);
        return json_string(s);
    }
    if ((strncmp(s, "0x", 2) == 0 && all_digits(s + 2, "0123456789abcdefABCDEF")) ||
        (strncmp(s, "0o", 2) == 0 && all_digits(s + 2, "01234567"))) {
        errno = 0;
        long long v = strtoll(s + 2, NULL, s[1] == 'x' ? 16 : 8);
        return errno == 0 ? json_integer(v) : json_string(s);
    }
    /* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
    const char *p = d;
    size_t before = strspn(p, "0123456789");
    p += before;
    size_t after = 0;
    bool dot = *p == '.';
    if (dot) {
        after = strspn(p + 1, "0123456789");
        p += 1 + after;
    }
    bool ok = before > 0 || (dot && after > 0);
    if (ok && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        size_t exp = strspn(p, "0123456789");
        ok = exp > 0;
        p += exp;
    }
    if (ok && *p == '\0' && (dot || before > 0)) {
        double v = strtod(s, NULL);
        if (isfinite(v))
            return json_real(v);
    }
    return json_string(s);
}

static int read_value(struct reader *r, yaml_event_t *ev, int depth, json_t **out,
                      struct measure *m);

static int too_big(struct reader *r, const char *what)
{
    snprintf(r->err, r->errlen, "the document is too big: %s", what);
    return TSR_ETOOBIG;
}

static unsigned long line_of(const yaml_event_t *ev)
{
    return (unsigned long)ev->start_mark.line + 1;
}

/* Reads the next event into *ev; on an error, err holds one line with its place. */
static int next_event(struct reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(r->parser, ev))
        return 0;
    const yaml_parser_t *p = r->parser;
    snprintf(r->err, r->errlen, "line %lu, column %lu: %s%s%s",
             (unsigned long)p->problem_mark.line + 1, (unsigned long)p->problem_mark.column + 1,
             p->problem ? p->problem : "malformed YAML", p->context ? " " : "",
             p->context ? p->context : "");
    return p->error == YAML_MEMORY_ERROR ? TSR_ENOMEM : TSR_EFORMAT;
}

/* Opens an anchor (its value still unread); returns its index in *at. */
static int anchor_open(struct reader *r, const yaml_char_t *name, size_t *at)
{
    if (r->nanchors == r->capanchors) {
        size_t cap = r->capanchors ? r->capanchors * 2 : 8;
        struct anchor *a = realloc(r->anchors, cap * sizeof *a);
        if (a == NULL)
            return TSR_ENOMEM;
        r->anchors = a;
        r->capanchors = cap;
    }
    char *copy = strdup((const char *)name);
    if (copy == NULL)
        return TSR_ENOMEM;
    r->anchors[r->nanchors] = (struct anchor){copy, NULL, 0, 0};
    *at = r->nanchors++;
    return 0;
}

static void anchor_close(struct reader *r, size_t at, json_t *v, const struct measure *m)
{
    r->anchors[at].v = json_incref(v);
    r->anchors[at].count = m->count;
    r->anchors[at].height = m->height;
}

/* An alias: a copy of its anchor's value, counted as many values as the anchor holds. */
static int read_alias(struct reader *r, const yaml_event_t *ev, int depth, json_t **out,
                      struct measure *m)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const struct anchor *a = NULL;
    for (size_t i = r->nanchors; i > 0 && a == NULL; i--)
        if (strcmp(r->anchors[i - 1].name, name) == 0)
            a = &r->anchors[i - 1];
    if (a == NULL) {
        snprintf(r->err, r->errlen, "line %lu: the alias *%.100s names no anchor", line_of(ev),
                 name);
        return TSR_EFORMAT;
    }
    if (a->v == NULL) {
        snprintf(r->err, r->errlen, "line %lu: the alias *%.100s is inside its own anchor",
                 line_of(ev), name);
        return TSR_EFORMAT;
    }
    if (depth + a->height > r->lim->max_depth)
        return too_big(r, "nested too deeply");
    r->values += a->count - 1; /* the alias itself was counted */
    if (r->values > r->lim->max_values)
        return too_big(r, "too many values (aliases count each time they are used)");
    *out = json_deep_copy(a->v);
    m->count = a->count;
    m->height = a->height;
    return *out ? 0 : TSR_ENOMEM;
}

static int read_scalar(struct reader *r, const yaml_event_t *ev, json_t **out)
{
    const char *s = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (strlen(s) != ev->data.scalar.length) {
        snprintf(r->err, r->errlen, "line %lu: a value holds a NUL character", line_of(ev));
        return TSR_EFORMAT;
    }
    /* A plain scalar without a tag (or with "!" or !!str, as libyaml's loader read them) is typed.
     */
    bool plain_str = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                     (tag == NULL || strcmp(tag, "!") == 0 || strcmp(tag, YAML_STR_TAG) == 0);
    *out = plain_str ? resolve_plain(s) : json_stringn(s, ev->data.scalar.length);
    if (*out == NULL) {
        snprintf(r->err, r->errlen, "line %lu: a value is not UTF-8", line_of(ev));
        return TSR_EFORMAT;
    }
    return 0;
}

/* Reads the key of a mapping entry from ev (a scalar) into the string *key (caller frees). */
static int read_key(struct reader *r, const yaml_event_t *ev, const json_t *obj, char **key)
{
    *key = NULL;
    if (ev->type != YAML_SCALAR_EVENT) {
        snprintf(r->err, r->errlen, "line %lu: a mapping key must be a plain value", line_of(ev));
        return TSR_EFORMAT;
    }
    const char *k = (const char *)ev->data.scalar.value;
    if (strlen(k) != ev->data.scalar.length) {
        snprintf(r->err, r->errlen, "line %lu: a key holds a NUL character", line_of(ev));
        return TSR_EFORMAT;
    }
    if (json_object_get(obj, k) != NULL) {
        snprintf(r->err, r->errlen, "line %lu: the key \"%.100s\" is repeated", line_of(ev), k);
        return TSR_EFORMAT;
    }
    if (ev->data.scalar.anchor != NULL) {
        json_t *v = NULL;
        size_t at;
        struct measure one = {1, 0};
        int rc = read_scalar(r, ev, &v);
        if (rc == 0 && (rc = anchor_open(r, ev->data.scalar.anchor, &at)) == 0)
            anchor_close(r, at, v, &one);
        json_decref(v);
        if (rc != 0)
            return rc;
    }
    *key = strdup(k);
    return *key ? 0 : TSR_ENOMEM;
}

/* Reads the entries of a sequence or mapping up to its end event into the new *out. */
static int read_collection(struct reader *r, bool mapping, int depth, json_t **out,
                           struct measure *m)
{
    json_t *c = mapping ? json_object() : json_array();
    yaml_event_t ev;
    int rc = c ? 0 : TSR_ENOMEM;
    while (rc == 0) {
        char *key = NULL;
        if ((rc = next_event(r, &ev)) != 0)
            break;
        yaml_event_type_t end = mapping ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            break;
        }
        if (mapping) {
            rc = read_key(r, &ev, c, &key);
            yaml_event_delete(&ev);
            if (rc == 0)
                rc = next_event(r, &ev);
            if (rc != 0) {
                free(key);
                break;
            }
        }
        json_t *val = NULL;
        struct measure sub = {0, 0};
        rc = read_value(r, &ev, depth + 1, &val, &sub);
        yaml_event_delete(&ev);
        if (rc == 0 && (mapping ? json_object_set_new(c, key, val) : json_array_append_new(c, val)))
            rc = TSR_ENOMEM;
        free(key);
        m->count += sub.count;
        if (sub.height + 1 > m->height)
            m->height = sub.height + 1;
    }
    if (rc != 0) {
        json_decref(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Reads the value that starts with ev (the caller deletes ev) at depth into *out. */
static int read_value(struct reader *r, yaml_event_t *ev, int depth, json_t **out,
                      struct measure *m)
{
    const yaml_char_t *anchor = NULL;
    size_t at = 0;
    int rc;
    *out = NULL;
    m->count = 1;
    m->height = 0;
    if (depth > r->lim->max_depth)
        return too_big(r, "nested too deeply");
    if (++r->values > r->lim->max_values)
        return too_big(r, "too many values (aliases count each time they are used)");
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return read_alias(r, ev, depth, out, m);
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        break;
    default:
        snprintf(r->err, r->errlen, "line %lu: an empty node", line_of(ev));
        return TSR_EFORMAT;
    }
    if (anchor != NULL && (rc = anchor_open(r, anchor, &at)) != 0)
        return rc;
    if (ev->type == YAML_SCALAR_EVENT)
        rc = read_scalar(r, ev, out);
    else
        rc = read_collection(r, ev->type == YAML_MAPPING_START_EVENT, depth, out, m);
    if (rc == 0 && anchor != NULL)
        anchor_close(r, at, *out, m);
    return rc;
}

/* Reads the stream's one document into *out; an empty stream is an empty object. */
static int read_stream(struct reader *r, json_t **out)
{
    yaml_event_t ev;
    struct measure m;
    int rc;
    if ((rc = next_event(r, &ev)) != 0) /* the stream's start */
        return rc;
    yaml_event_delete(&ev);
    if ((rc = next_event(r, &ev)) != 0)
        return rc;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        *out = json_object();
        return *out ? 0 : TSR_ENOMEM;
    }
    yaml_event_delete(&ev); /* the document's start */
    if ((rc = next_event(r, &ev)) != 0)
        return rc;
    rc = read_value(r, &ev, 0, out, &m);
    yaml_event_delete(&ev);
    if (rc == 0 && (rc = next_event(r, &ev)) == 0) /* the document's end */
        yaml_event_delete(&ev);
    /* A second document is refused: which one would be the tenant? */
    if (rc == 0 && next_event(r, &ev) != 0) {
        snprintf(r->err, r->errlen, "line %lu: malformed YAML after the document",
                 (unsigned long)r->parser->problem_mark.line + 1);
        rc = TSR_EFORMAT;
    } else if (rc == 0) {
        if (ev.type != YAML_STREAM_END_EVENT) {
            snprintf(r->err, r->errlen, "the file holds more than one YAML document");
            rc = TSR_EFORMAT;
        }
        yaml_event_delete(&ev);
    }
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int tsr_yaml_parse(const char *text, size_t len, const struct tsr_yaml_limits *limits, json_t **out,
                   char *err, size_t errlen)
{
    const struct tsr_yaml_limits *lim = limits ? limits : &tsr_yaml_default_limits;
    yaml_parser_t parser;
    *out = NULL;
    if (len > lim->max_bytes) {
        snprintf(err, errlen, "the document is too big: more than %zu bytes", lim->max_bytes);
        return TSR_ETOOBIG;
    }
    if (!yaml_parser_initialize(&parser))
        return TSR_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    struct reader r = {&parser, lim, 0, NULL, 0, 0, err, errlen};
    int rc = read_stream(&r, out);
    for (size_t i = 0; i < r.nanchors; i++) {
        free(r.anchors[i].name);
        json_decref(r.anchors[i].v);
    }
    free(r.anchors);
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- writer ---- */

static int write_handler(void *data, unsigned char *buf, size_t size)
{
    struct tsr_strbuf *b = data;
    tsr_strbuf_appendn(b, (const char *)buf, size);
    return b->err == 0;
}

/* True when s, written plain, would read back as something else than this string. */
static bool needs_quotes(const char *s)
{
    json_t *v = resolve_plain(s);
    bool other = !json_is_string(v) || strcmp(json_string_value(v), s) != 0;
    json_decref(v);
    if (other)
        return true;
    /* Also what could be a YAML 1.1 boolean to an older reader. */
    static const char *const old_bools[] = {"y",  "Y",   "yes", "Yes", "YES", "n",
                                            "N",  "no",  "No",  "NO",  "on",  "On",
                                            "ON", "off", "Off", "OFF", NULL};
    return is_one(s, old_bools);
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
    return yaml_emitter_emit(e, ev) ? 0 : TSR_ENOMEM;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, bool is_string)
{
    yaml_event_t ev;
    bool quote = is_string && needs_quotes(s);
    if (!yaml_scalar_event_initialize(
            &ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), !quote, is_string,
            quote ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE))
        return TSR_ENOMEM;
    return emit(e, &ev);
}

static int emit_value(yaml_emitter_t *e, const json_t *v, int depth)
{
    yaml_event_t ev;
    char num[64];
    int rc = 0;
    if (depth > TSR_YAML_MAX_DEPTH)
        return TSR_EINVAL;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE))
            return TSR_ENOMEM;
        if ((rc = emit(e, &ev)) != 0)
            return rc;
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)v, key, val)
        {
            if ((rc = emit_scalar(e, key, true)) != 0 || (rc = emit_value(e, val, depth + 1)) != 0)
                return rc;
        }
        if (!yaml_mapping_end_event_initialize(&ev))
            return TSR_ENOMEM;
        return emit(e, &ev);
    }
    case JSON_ARRAY: {
        if (!yaml_sequence_start_event_initialize(
                &ev, NULL, NULL, 1,
                json_array_size(v) == 0 ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE))
            return TSR_ENOMEM;
        if ((rc = emit(e, &ev)) != 0)
            return rc;
        size_t i;
        json_t *val;
        json_array_foreach(v, i, val)
        {
            if ((rc = emit_value(e, val, depth + 1)) != 0)
                return rc;
        }
        if (!yaml_sequence_end_event_initialize(&ev))
            return TSR_ENOMEM;
        return emit(e, &ev);
    }
    case JSON_STRING:
        return emit_scalar(e, json_string_value(v), true);
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return emit_scalar(e, num, false);
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        if (strspn(num, "-0123456789") == strlen(num))
            strcat(num, ".0");
        return emit_scalar(e, num, false);
    case JSON_TRUE:
        return emit_scalar(e, "true", false);
    case JSON_FALSE:
        return emit_scalar(e, "false", false);
    case JSON_NULL:
        return emit_scalar(e, "null", false);
    }
    return TSR_EINVAL;
}

int tsr_yaml_emit(const json_t *v, char **out)
{
    struct tsr_strbuf b = {.max = 64u * 1024u * 1024u};
    yaml_emitter_t e;
    yaml_event_t ev;
    int rc = 0;
    *out = NULL;
    if (!yaml_emitter_initialize(&e))
        return TSR_ENOMEM;
    yaml_emitter_set_output(&e, write_handler, &b);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, -1);
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || (rc = emit(&e, &ev)) != 0 ||
        !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) ||
        (rc = emit(&e, &ev)) != 0 || (rc = emit_value(&e, v, 0)) != 0 ||
        !yaml_document_end_event_initialize(&ev, 1) || (rc = emit(&e, &ev)) != 0 ||
        !yaml_stream_end_event_initialize(&ev) || (rc = emit(&e, &ev)) != 0) {
        rc = rc != 0 ? rc : TSR_ENOMEM;
        goto done;
    }
    if (!yaml_emitter_flush(&e)) {
        rc = TSR_ENOMEM;
        goto done;
    }
    *out = tsr_strbuf_take(&b, &rc);
    if (*out == NULL && rc == 0)
        rc = TSR_ENOMEM;
done:
    yaml_emitter_delete(&e);
    tsr_strbuf_cleanup(&b);
    return rc;
}
