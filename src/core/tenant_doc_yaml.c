/*
 * tenant_doc_yaml.c - YAML to JSON and back with libyaml (tenant_doc_yaml.h).
 *
 * The reader loads libyaml's node graph (its size follows the text's, as
 * an alias is one node however often it is used) and walks it with a
 * budget of values and a depth limit, which also stops a recursive alias.
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

struct walk {
    yaml_document_t *doc;
    const struct tsr_yaml_limits *lim;
    size_t values;
    char *err;
    size_t errlen;
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

static int walk_node(struct walk *w, yaml_node_t *n, int depth, json_t **out);

static int too_big(struct walk *w, const char *what)
{
    snprintf(w->err, w->errlen, "the document is too big: %s", what);
    return TSR_ETOOBIG;
}

static int walk_mapping(struct walk *w, yaml_node_t *n, int depth, json_t **out)
{
    json_t *obj = json_object();
    if (obj == NULL)
        return TSR_ENOMEM;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
        if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE) {
            snprintf(w->err, w->errlen, "line %lu: a mapping key must be a plain value",
                     (unsigned long)(k ? k->start_mark.line + 1 : n->start_mark.line + 1));
            json_decref(obj);
            return TSR_EFORMAT;
        }
        const char *key = (const char *)k->data.scalar.value;
        if (strlen(key) != k->data.scalar.length) {
            snprintf(w->err, w->errlen, "line %lu: a key holds a NUL character",
                     (unsigned long)k->start_mark.line + 1);
            json_decref(obj);
            return TSR_EFORMAT;
        }
        if (json_object_get(obj, key) != NULL) {
            snprintf(w->err, w->errlen, "line %lu: the key \"%.100s\" is repeated",
                     (unsigned long)k->start_mark.line + 1, key);
            json_decref(obj);
            return TSR_EFORMAT;
        }
        json_t *val = NULL;
        int rc = walk_node(w, v, depth + 1, &val);
        if (rc == 0 && json_object_set_new(obj, key, val) != 0)
            rc = TSR_ENOMEM;
        if (rc != 0) {
            json_decref(obj);
            return rc;
        }
    }
    *out = obj;
    return 0;
}

static int walk_node(struct walk *w, yaml_node_t *n, int depth, json_t **out)
{
    if (depth > w->lim->max_depth)
        return too_big(w, "nested too deeply");
    if (++w->values > w->lim->max_values)
        return too_big(w, "too many values (aliases count each time they are used)");
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        const char *s = (const char *)n->data.scalar.value;
        if (strlen(s) != n->data.scalar.length) {
            snprintf(w->err, w->errlen, "line %lu: a value holds a NUL character",
                     (unsigned long)n->start_mark.line + 1);
            return TSR_EFORMAT;
        }
        bool plain_str = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && n->tag != NULL &&
                         strcmp((const char *)n->tag, YAML_STR_TAG) == 0;
        *out = plain_str ? resolve_plain(s) : json_stringn(s, n->data.scalar.length);
        if (*out == NULL) {
            snprintf(w->err, w->errlen, "line %lu: a value is not UTF-8",
                     (unsigned long)n->start_mark.line + 1);
            return TSR_EFORMAT;
        }
        return 0;
    }
    case YAML_SEQUENCE_NODE: {
        json_t *arr = json_array();
        if (arr == NULL)
            return TSR_ENOMEM;
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++) {
            json_t *val = NULL;
            yaml_node_t *item = yaml_document_get_node(w->doc, *i);
            int rc = item == NULL ? TSR_EFORMAT : walk_node(w, item, depth + 1, &val);
            if (rc == 0 && json_array_append_new(arr, val) != 0)
                rc = TSR_ENOMEM;
            if (rc != 0) {
                json_decref(arr);
                return rc;
            }
        }
        *out = arr;
        return 0;
    }
    case YAML_MAPPING_NODE:
        return walk_mapping(w, n, depth, out);
    default:
        snprintf(w->err, w->errlen, "an empty node");
        return TSR_EFORMAT;
    }
}

int tsr_yaml_parse(const char *text, size_t len, const struct tsr_yaml_limits *limits, json_t **out,
                   char *err, size_t errlen)
{
    const struct tsr_yaml_limits *lim = limits ? limits : &tsr_yaml_default_limits;
    yaml_parser_t parser;
    yaml_document_t doc;
    bool have_doc = false;
    int rc = 0;
    *out = NULL;
    if (len > lim->max_bytes) {
        snprintf(err, errlen, "the document is too big: more than %zu bytes", lim->max_bytes);
        return TSR_ETOOBIG;
    }
    if (!yaml_parser_initialize(&parser))
        return TSR_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "line %lu, column %lu: %s%s%s",
                 (unsigned long)parser.problem_mark.line + 1,
                 (unsigned long)parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "malformed YAML", parser.context ? " " : "",
                 parser.context ? parser.context : "");
        rc = parser.error == YAML_MEMORY_ERROR ? TSR_ENOMEM : TSR_EFORMAT;
        goto done;
    }
    have_doc = true;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root == NULL) {
        *out = json_object();
        rc = *out ? 0 : TSR_ENOMEM;
        goto done;
    }
    /* A second document is refused: which one would be the tenant? */
    yaml_document_t next;
    if (!yaml_parser_load(&parser, &next)) {
        snprintf(err, errlen, "line %lu: malformed YAML after the document",
                 (unsigned long)parser.problem_mark.line + 1);
        rc = TSR_EFORMAT;
        goto done;
    }
    bool more = yaml_document_get_root_node(&next) != NULL;
    yaml_document_delete(&next);
    if (more) {
        snprintf(err, errlen, "the file holds more than one YAML document");
        rc = TSR_EFORMAT;
        goto done;
    }
    struct walk w = {&doc, lim, 0, err, errlen};
    rc = walk_node(&w, root, 0, out);
done:
    if (have_doc)
        yaml_document_delete(&doc);
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
