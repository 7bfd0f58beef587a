#include "util/strlist.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* Appends a copy of the len bytes at s. */
static int push_n(struct tsr_strlist *l, const char *s, size_t len)
{
    char *copy = strndup(s, len);
    if (copy == NULL)
        return TSR_ENOMEM;
    char **grown = realloc(l->v, (l->n + 1) * sizeof *grown);
    if (grown == NULL) {
        free(copy);
        return TSR_ENOMEM;
    }
    grown[l->n++] = copy;
    l->v = grown;
    return 0;
}

int tsr_strlist_push(struct tsr_strlist *l, const char *s)
{
    return push_n(l, s, strlen(s));
}

/* Whether l holds the len bytes at s. */
static bool contains_n(const struct tsr_strlist *l, const char *s, size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->v[i], s, len) == 0 && l->v[i][len] == '\0')
            return true;
    return false;
}

bool tsr_strlist_contains(const struct tsr_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

void tsr_strlist_cleanup(struct tsr_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int tsr_strlist_from_json(struct tsr_strlist *l, const json_t *arr)
{
    size_t i;
    const json_t *item;
    if (!json_is_array(arr))
        return TSR_EFORMAT;
    json_array_foreach(arr, i, item) {
        if (!json_is_string(item))
            goto bad;
        if (tsr_strlist_push(l, json_string_value(item)) != 0) {
            tsr_strlist_cleanup(l);
            return TSR_ENOMEM;
        }
    }
    return 0;
bad:
    tsr_strlist_cleanup(l);
    return TSR_EFORMAT;
}

int tsr_strlist_from_text(struct tsr_strlist *l, const char *text)
{
    json_t *arr = json_loads(text ? text : "[]", JSON_REJECT_DUPLICATES, NULL);
    if (arr == NULL)
        return TSR_EFORMAT;
    int rc = tsr_strlist_from_json(l, arr);
    json_decref(arr);
    return rc;
}

json_t *tsr_strlist_to_json(const struct tsr_strlist *l)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < l->n; i++) {
        if (json_array_append_new(arr, json_string(l->v[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

char *tsr_strlist_to_text(const struct tsr_strlist *l)
{
    json_t *arr = tsr_strlist_to_json(l);
    if (arr == NULL)
        return NULL;
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return text;
}

/* The next space-separated word of *s (NULL when none is left); *s moves past it. */
static const char *next_word(const char **s, size_t *len)
{
    if (*s == NULL)
        return NULL;
    while (**s == ' ')
        (*s)++;
    const char *word = *s;
    *len = strcspn(word, " ");
    *s += *len;
    return *len > 0 ? word : NULL;
}

int tsr_strlist_split(struct tsr_strlist *l, const char *s)
{
    size_t len;
    for (const char *word; (word = next_word(&s, &len)) != NULL;)
        /* The word is copied once, into the list, and only when it is new. */
        if (!contains_n(l, word, len) && push_n(l, word, len) != 0)
            goto nomem;
    return 0;
nomem:
    tsr_strlist_cleanup(l);
    return TSR_ENOMEM;
}

bool tsr_words_contain(const char *s, const char *word)
{
    size_t wlen = strlen(word), len;
    for (const char *w; (w = next_word(&s, &len)) != NULL;)
        if (len == wlen && memcmp(w, word, len) == 0)
            return true;
    return false;
}

char *tsr_strlist_join(const struct tsr_strlist *l)
{
    size_t total = 1;
    for (size_t i = 0; i < l->n; i++)
        total += strlen(l->v[i]) + 1;
    char *out = malloc(total);
    if (out == NULL)
        return NULL;
    char *p = out;
    for (size_t i = 0; i < l->n; i++) {
        size_t len = strlen(l->v[i]);
        if (i > 0)
            *p++ = ' ';
        memcpy(p, l->v[i], len);
        p += len;
    }
    *p = '\0';
    return out;
}
