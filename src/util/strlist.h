/*
 * strlist.h - an owned list of strings, stored in the database as a JSON
 * array of strings (callbacks, grant types, scopes, ...).
 */
#ifndef TSR_UTIL_STRLIST_H
#define TSR_UTIL_STRLIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct tsr_strlist {
    size_t n;
    char **v;
};

/* Appends a copy of s.  Returns 0 or TSR_ENOMEM. */
int tsr_strlist_push(struct tsr_strlist *l, const char *s);

/* True when l holds s (exact, byte-wise). */
bool tsr_strlist_contains(const struct tsr_strlist *l, const char *s);

/* Frees every string and the array; leaves l empty. */
void tsr_strlist_cleanup(struct tsr_strlist *l);

/*
 * Fills l from a JSON array of strings (l must be empty).  Returns 0,
 * TSR_EFORMAT (not an array of strings) or TSR_ENOMEM.
 */
int tsr_strlist_from_json(struct tsr_strlist *l, const json_t *arr);

/* Same, from JSON text as stored. */
int tsr_strlist_from_text(struct tsr_strlist *l, const char *text);

/* New JSON array (caller owns the reference), or NULL. */
json_t *tsr_strlist_to_json(const struct tsr_strlist *l);

/* New compact JSON text (caller frees), or NULL. */
char *tsr_strlist_to_text(const struct tsr_strlist *l);

/*
 * Fills l with the space-separated words of s, skipping repeats (l must be
 * empty).  Returns 0 or TSR_ENOMEM.
 */
int tsr_strlist_split(struct tsr_strlist *l, const char *s);

/* Whether word is one of the space-separated words of s (as tsr_strlist_split reads them). */
bool tsr_words_contain(const char *s, const char *word);

/* New string of the items joined by single spaces (caller frees), or NULL. */
char *tsr_strlist_join(const struct tsr_strlist *l);

#endif
