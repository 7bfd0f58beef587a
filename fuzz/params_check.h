/*
 * params_check.h - invariants of a parsed struct tsr_params, shared by the
 * form and JSON parameter targets.
 */
#ifndef TSR_FUZZ_PARAMS_CHECK_H
#define TSR_FUZZ_PARAMS_CHECK_H

#include <string.h>

#include "fuzz.h"
#include "http/params.h"

/* At most TSR_PARAMS_MAX items, names 1..128 bytes and unique, values within the cap. */
static inline void params_check(const struct tsr_params *p)
{
    FUZZ_CHECK(p->n <= TSR_PARAMS_MAX);
    for (size_t i = 0; i < p->n; i++) {
        const char *name = p->items[i].name, *value = p->items[i].value;
        FUZZ_CHECK(name != NULL && value != NULL);
        size_t nlen = strlen(name);
        FUZZ_CHECK(nlen >= 1 && nlen <= TSR_PARAMS_MAX_NAME);
        FUZZ_CHECK(strlen(value) <= TSR_PARAMS_MAX_VALUE);
        /* The first item of that name is this one: names are unique. */
        FUZZ_CHECK(tsr_params_get(p, name) == value);
    }
}

/* Every item and nothing more, in order. */
static inline void params_check_equal(const struct tsr_params *a, const struct tsr_params *b)
{
    FUZZ_CHECK(a->n == b->n);
    for (size_t i = 0; i < a->n; i++) {
        FUZZ_CHECK(strcmp(a->items[i].name, b->items[i].name) == 0);
        FUZZ_CHECK(strcmp(a->items[i].value, b->items[i].value) == 0);
    }
}

/* Cleanup leaves the struct empty. */
static inline void params_cleanup_check(struct tsr_params *p)
{
    tsr_params_cleanup(p);
    FUZZ_CHECK(p->n == 0);
}

#endif
