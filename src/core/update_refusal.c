#include "core/update_refusal.h"

#include <stdarg.h>
#include <stdio.h>
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
