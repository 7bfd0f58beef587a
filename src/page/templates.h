/*
 * templates.h - the page templates compiled into the binary.  The table is
 * generated from the .html files of src/page/templates/ by cmake/embed_templates.cmake
 * (sorted by name); read it through render.h's tsr_tpl_find.
 */
#ifndef TSR_PAGE_TEMPLATES_H
#define TSR_PAGE_TEMPLATES_H

#include <stddef.h>

struct tsr_login_template {
    const char *name; /* file name without ".html" */
    const char *text;
};

extern const struct tsr_login_template tsr_login_templates[];
extern const size_t tsr_login_template_count;

#endif
