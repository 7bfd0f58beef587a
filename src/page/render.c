/*
 * render.c - HTML escaping and the template renderer (see render.h).
 *
 * Divisions: a bounded output buffer; escaping; variable lookup; the
 * recursive renderer (tags, sections, partials); the embedded-template
 * table.
 */
#include "page/render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "page/templates.h"
#include "util/err.h"

/* ---- bounded output buffer ---- */

struct out {
    char *p;
    size_t len, cap;
    int err;
};

static void out_add(struct out *o, const char *s, size_t n)
{
    if (o->err != 0 || n == 0)
        return;
    if (n > TSR_TPL_MAX_OUT - o->len) {
        o->err = TSR_ETOOBIG;
        return;
    }
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (p == NULL) {
            o->err = TSR_ENOMEM;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

/* ---- escaping ---- */

static const char *entity(char ch)
{
    switch (ch) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    case '/': return "&#47;";
    case '`': return "&#96;";
    default: return NULL;
    }
}

static void out_escaped(struct out *o, const char *s)
{
    const char *run = s;
    for (; *s != '\0'; s++) {
        const char *e = entity(*s);
        if (e == NULL)
            continue;
        out_add(o, run, (size_t)(s - run));
        out_add(o, e, strlen(e));
        run = s + 1;
    }
    out_add(o, run, (size_t)(s - run));
}

char *tsr_html_escape(const char *s)
{
    struct out o = {0};
    out_escaped(&o, s ? s : "");
    if (o.err == 0 && o.p == NULL)
        o.p = calloc(1, 1);
    if (o.err != 0) {
        free(o.p);
        return NULL;
    }
    return o.p;
}

/* ---- variables ---- */

void tsr_tpl_ctx_init(struct tsr_tpl_ctx *c)
{
    memset(c, 0, sizeof *c);
}

static struct tsr_tpl_var *slot(struct tsr_tpl_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].name, name) == 0)
            return &c->v[i];
    if (c->n == TSR_TPL_MAX_VARS)
        return NULL;
    struct tsr_tpl_var *v = &c->v[c->n++];
    memset(v, 0, sizeof *v);
    v->name = name;
    return v;
}

int tsr_tpl_set(struct tsr_tpl_ctx *c, const char *name, const char *value)
{
    struct tsr_tpl_var *v = slot(c, name);
    if (v == NULL)
        return TSR_ETOOBIG;
    v->value = value;
    v->items = NULL;
    v->nitems = 0;
    return 0;
}

int tsr_tpl_set_list(struct tsr_tpl_ctx *c, const char *name, const struct tsr_tpl_ctx *items,
                     size_t n)
{
    struct tsr_tpl_var *v = slot(c, name);
    if (v == NULL)
        return TSR_ETOOBIG;
    v->value = NULL;
    v->items = items;
    v->nitems = n;
    return 0;
}

/* The variable called name[0..len) in c or its parents, or NULL. */
static const struct tsr_tpl_var *lookup(const struct tsr_tpl_ctx *c, const char *name, size_t len)
{
    for (; c != NULL; c = c->parent)
        for (size_t i = 0; i < c->n; i++)
            if (strlen(c->v[i].name) == len && memcmp(c->v[i].name, name, len) == 0)
                return &c->v[i];
    return NULL;
}

static bool is_list(const struct tsr_tpl_var *v)
{
    return v != NULL && v->items != NULL;
}

static bool is_truthy(const struct tsr_tpl_var *v)
{
    if (v == NULL)
        return false;
    if (is_list(v))
        return v->nitems > 0;
    return v->value != NULL && v->value[0] != '\0';
}

/* ---- the renderer ---- */

struct tag {
    char kind;         /* 0 variable, '#', '^', '/', '>', '!' */
    const char *name;  /* inside the template */
    size_t name_len;
    const char *start; /* the "{{" */
    const char *end;   /* just past the "}}" */
};

static bool name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
}

/*
 * Finds the next tag in [p, end).  Returns 1 with *t filled, 0 when there
 * is none, TSR_EFORMAT for an unclosed or malformed tag.
 */
static int next_tag(const char *p, const char *end, struct tag *t)
{
    const char *open = NULL;
    for (const char *s = p; s + 1 < end; s++)
        if (s[0] == '{' && s[1] == '{') {
            open = s;
            break;
        }
    if (open == NULL)
        return 0;
    const char *close = NULL;
    for (const char *s = open + 2; s + 1 < end; s++)
        if (s[0] == '}' && s[1] == '}') {
            close = s;
            break;
        }
    if (close == NULL)
        return TSR_EFORMAT;
    const char *s = open + 2;
    t->kind = 0;
    if (s < close && strchr("#^/>!", *s) != NULL)
        t->kind = *s++;
    t->start = open;
    t->end = close + 2;
    if (t->kind == '!')
        return 1;
    while (s < close && *s == ' ')
        s++;
    const char *e = close;
    while (e > s && e[-1] == ' ')
        e--;
    if (e == s)
        return TSR_EFORMAT;
    for (const char *q = s; q < e; q++)
        if (!name_char(*q))
            return TSR_EFORMAT;
    t->name = s;
    t->name_len = (size_t)(e - s);
    return 1;
}

/*
 * Finds the {{/name}} closing the section opened just before p, skipping
 * nested sections of the same name.  Returns 0 with *close filled, or
 * TSR_EFORMAT.
 */
static int find_close(const char *p, const char *end, const struct tag *open, struct tag *close)
{
    int depth = 0, rc;
    struct tag t;
    while ((rc = next_tag(p, end, &t)) == 1) {
        p = t.end;
        if (t.kind != '#' && t.kind != '^' && t.kind != '/')
            continue;
        if (t.name_len != open->name_len || memcmp(t.name, open->name, t.name_len) != 0)
            continue;
        if (t.kind != '/') {
            depth++;
        } else if (depth-- == 0) {
            *close = t;
            return 0;
        }
    }
    return rc < 0 ? rc : TSR_EFORMAT;
}

static int render(const char *p, const char *end, const struct tsr_tpl_ctx *c, int depth,
                  struct out *o);

static int render_partial(const struct tag *t, const struct tsr_tpl_ctx *c, int depth,
                          struct out *o)
{
    char name[64];
    if (t->name_len >= sizeof name)
        return TSR_EFORMAT;
    memcpy(name, t->name, t->name_len);
    name[t->name_len] = '\0';
    const char *text = tsr_tpl_find(name);
    if (text == NULL)
        return TSR_EFORMAT;
    return render(text, text + strlen(text), c, depth + 1, o);
}

static int render_section(const struct tag *open, const char *body, const char *body_end,
                          const struct tsr_tpl_ctx *c, int depth, struct out *o)
{
    const struct tsr_tpl_var *v = lookup(c, open->name, open->name_len);
    if (open->kind == '^')
        return is_truthy(v) ? 0 : render(body, body_end, c, depth + 1, o);
    if (!is_truthy(v))
        return 0;
    if (!is_list(v))
        return render(body, body_end, c, depth + 1, o);
    for (size_t i = 0; i < v->nitems; i++) {
        struct tsr_tpl_ctx item = v->items[i];
        item.parent = c;
        int rc = render(body, body_end, &item, depth + 1, o);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int render(const char *p, const char *end, const struct tsr_tpl_ctx *c, int depth,
                  struct out *o)
{
    if (depth > TSR_TPL_MAX_DEPTH)
        return TSR_EFORMAT;
    struct tag t;
    int rc;
    while ((rc = next_tag(p, end, &t)) == 1) {
        out_add(o, p, (size_t)(t.start - p));
        p = t.end;
        switch (t.kind) {
        case 0: {
            const struct tsr_tpl_var *v = lookup(c, t.name, t.name_len);
            if (v != NULL && v->value != NULL)
                out_escaped(o, v->value);
            break;
        }
        case '!':
            break;
        case '>':
            if ((rc = render_partial(&t, c, depth, o)) != 0)
                return rc;
            break;
        case '#':
        case '^': {
            struct tag close;
            if ((rc = find_close(p, end, &t, &close)) != 0)
                return rc;
            if ((rc = render_section(&t, p, close.start, c, depth, o)) != 0)
                return rc;
            p = close.end;
            break;
        }
        default: /* a '/' without its opening tag */
            return TSR_EFORMAT;
        }
        if (o->err != 0)
            return o->err;
    }
    if (rc < 0)
        return rc;
    out_add(o, p, (size_t)(end - p));
    return o->err;
}

int tsr_tpl_render(const char *tpl, const struct tsr_tpl_ctx *c, char **out, size_t *len)
{
    *out = NULL;
    if (len != NULL)
        *len = 0;
    struct out o = {0};
    struct tsr_tpl_ctx empty;
    if (c == NULL) {
        tsr_tpl_ctx_init(&empty);
        c = &empty;
    }
    int rc = render(tpl, tpl + strlen(tpl), c, 0, &o);
    if (rc == 0 && o.p == NULL && (o.p = calloc(1, 1)) == NULL)
        rc = TSR_ENOMEM;
    if (rc != 0) {
        free(o.p);
        return rc;
    }
    *out = o.p;
    if (len != NULL)
        *len = o.len;
    return 0;
}

int tsr_tpl_render_named(const char *name, const struct tsr_tpl_ctx *c, char **out, size_t *len)
{
    const char *text = tsr_tpl_find(name);
    if (text == NULL) {
        *out = NULL;
        return TSR_ENOTFOUND;
    }
    return tsr_tpl_render(text, c, out, len);
}

/* ---- embedded templates ---- */

const char *tsr_tpl_find(const char *name)
{
    for (size_t i = 0; i < tsr_login_template_count; i++)
        if (strcmp(tsr_login_templates[i].name, name) == 0)
            return tsr_login_templates[i].text;
    return NULL;
}

size_t tsr_tpl_count(void)
{
    return tsr_login_template_count;
}

const char *tsr_tpl_name(size_t i)
{
    return i < tsr_login_template_count ? tsr_login_templates[i].name : NULL;
}
