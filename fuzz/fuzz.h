/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point and an
 * invariant check that survives NDEBUG.
 *
 * Each fuzz/fuzz_<parser>.c defines LLVMFuzzerTestOneInput.  It is linked
 * twice: with libFuzzer (TSR_FUZZ=ON, clang) to search for new inputs, and
 * with fuzz/replay_main.c (every build with tests) to replay the committed
 * corpus as a regression test.
 */
#ifndef TSR_FUZZ_FUZZ_H
#define TSR_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a crash libFuzzer saves) when an invariant does not hold. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of data (callers free), or abort on out-of-memory. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

#endif
