/*
 * like.h - patterns for SQL LIKE built from user text.
 *
 * The text is matched literally: its '%', '_' and '\' are escaped with
 * '\', so every statement that binds such a pattern must say
 * TSR_STORE_LIKE_ESCAPE after LIKE ? (SQLite and PostgreSQL both accept it).
 */
#ifndef TSR_STORE_LIKE_H
#define TSR_STORE_LIKE_H

#include <stddef.h>

#define TSR_STORE_LIKE_ESCAPE "ESCAPE '\\'"

/* Where the pattern matches anything besides the text. */
#define TSR_LIKE_ANY_BEFORE 1u /* a leading '%': the text may end the value */
#define TSR_LIKE_ANY_AFTER 2u  /* a trailing '%': the text may start the value */
#define TSR_LIKE_CONTAINS (TSR_LIKE_ANY_BEFORE | TSR_LIKE_ANY_AFTER)

/*
 * A new pattern (caller frees) matching the first len bytes of text (which
 * need no terminator inside them) literally, with the wildcards that wild
 * asks for around it.  NULL when out of memory or text is NULL.
 */
char *tsr_store_like_pattern(const char *text, size_t len, unsigned wild);

#endif
