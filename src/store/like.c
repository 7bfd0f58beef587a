#include "store/like.h"

#include <stdint.h>
#include <stdlib.h>

char *tsr_store_like_pattern(const char *text, size_t len, unsigned wild)
{
    /* Each byte may double, plus two wildcards and the terminator. */
    if (text == NULL || len > (SIZE_MAX - 3) / 2)
        return NULL;
    char *p = malloc(2 * len + 3);
    if (p == NULL)
        return NULL;
    size_t j = 0;
    if (wild & TSR_LIKE_ANY_BEFORE)
        p[j++] = '%';
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
            p[j++] = '\\';
        p[j++] = text[i];
    }
    if (wild & TSR_LIKE_ANY_AFTER)
        p[j++] = '%';
    p[j] = '\0';
    return p;
}
