/*
 * render.h - HTML escaping and the page templates of Universal Login.
 *
 * Templates are the files in src/page/templates/, compiled into the
 * binary by cmake/embed_templates.cmake and found by name ("login" for
 * login.html).  Their syntax is a small, logic-less subset of Mustache:
 *
 *   {{name}}             the variable's value, always HTML-escaped
 *   {{#name}}...{{/name}}  the body when name is a non-empty value (once,
 *                        same variables) or a list (once per item, the
 *                        item's variables first, then the outer ones)
 *   {{^name}}...{{/name}}  the body when name is missing, empty or an empty list
 *   {{>name}}            another embedded template (a partial), same variables
 *   {{! text }}          a comment, renders nothing
 *
 * There is no way to output a value unescaped: every byte a request or the
 * database supplies passes through tsr_html_escape's rules.  A missing
 * variable renders as nothing.  Malformed templates (unclosed tag or
 * section, unknown partial, nesting deeper than TSR_TPL_MAX_DEPTH) fail
 * with TSR_EFORMAT, which the unit tests catch for every embedded template.
 */
#ifndef TSR_PAGE_RENDER_H
#define TSR_PAGE_RENDER_H

#include <stddef.h>

/* Variables one context holds; sections and partials nest up to the depth limit. */
#define TSR_TPL_MAX_VARS 32
#define TSR_TPL_MAX_DEPTH 8
/* Largest rendered page (bytes); beyond it rendering fails with TSR_ETOOBIG. */
#define TSR_TPL_MAX_OUT (256 * 1024)

struct tsr_tpl_ctx;

struct tsr_tpl_var {
    const char *name;                /* borrowed */
    const char *value;               /* borrowed; NULL or "" is empty */
    const struct tsr_tpl_ctx *items; /* a list: nitems contexts, borrowed */
    size_t nitems;
};

/*
 * The variables a template sees.  Zero it (or use tsr_tpl_ctx_init) and
 * add variables with tsr_tpl_set / tsr_tpl_set_list.  Every string is
 * borrowed and must outlive the render call.
 */
struct tsr_tpl_ctx {
    size_t n;
    struct tsr_tpl_var v[TSR_TPL_MAX_VARS];
    const struct tsr_tpl_ctx *parent; /* set by the renderer for list items */
};

void tsr_tpl_ctx_init(struct tsr_tpl_ctx *c);

/*
 * Sets name to value (replacing an earlier value of the same name).
 * Returns 0, or TSR_ETOOBIG past TSR_TPL_MAX_VARS (the variable is
 * dropped; pages stay far below the limit).
 */
int tsr_tpl_set(struct tsr_tpl_ctx *c, const char *name, const char *value);

/* Sets name to a list of n item contexts (for a repeated section). */
int tsr_tpl_set_list(struct tsr_tpl_ctx *c, const char *name, const struct tsr_tpl_ctx *items,
                     size_t n);

/* The embedded template called name (file name without ".html"), or NULL.  Static. */
const char *tsr_tpl_find(const char *name);

/* The number of embedded templates and the name of the i-th one (for tests). */
size_t tsr_tpl_count(void);
const char *tsr_tpl_name(size_t i);

/*
 * Renders template text tpl with the variables of c into a new
 * NUL-terminated string *out (caller frees); *len (may be NULL) receives
 * its length.  Returns 0, TSR_EFORMAT (malformed template), TSR_ETOOBIG
 * (output over TSR_TPL_MAX_OUT) or TSR_ENOMEM; *out is NULL on error.
 */
int tsr_tpl_render(const char *tpl, const struct tsr_tpl_ctx *c, char **out, size_t *len);

/* Same with the embedded template called name (TSR_ENOTFOUND when none). */
int tsr_tpl_render_named(const char *name, const struct tsr_tpl_ctx *c, char **out, size_t *len);

/*
 * Returns a new string: s with & < > " ' / ` replaced by character
 * references (&amp; &lt; &gt; &quot; &#39; &#47; &#96;), safe in element
 * text and in quoted attribute values.  NULL when out of memory (s NULL
 * gives "").  Every template variable goes through this rule.
 */
char *tsr_html_escape(const char *s);

#endif
