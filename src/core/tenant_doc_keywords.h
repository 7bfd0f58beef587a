/*
 * tenant_doc_keywords.h - keyword replacement in a tenant document's text,
 * exactly as Auth0's Deploy CLI does it (AUTH0_KEYWORD_REPLACE_MAPPINGS):
 * first every @@KEY@@ (also with the quotes around it: '@@KEY@@', "@@KEY@@") is
 * replaced by the JSON of the value, so a list or object lands as one;
 * then every ##KEY## by the value as it is (a string's characters; a
 * number or boolean as its text; a list as its items joined by ",").
 * The text is replaced before it is parsed, so the result is then read
 * as YAML.
 */
#ifndef TSR_CORE_TENANT_DOC_KEYWORDS_H
#define TSR_CORE_TENANT_DOC_KEYWORDS_H

#include <jansson.h>
#include <stddef.h>

/* Keys of at most this many characters: letters, digits, '_', '-' and '.'. */
#define TSR_KEYWORD_KEY_MAX 128

/*
 * Replaces the keywords of mappings (a JSON object; NULL or empty: none)
 * in text into a new NUL-terminated *out of at most max_out bytes.
 * Returns 0, TSR_EINVAL (a key of mappings is not a keyword; err says
 * which), TSR_ETOOBIG (the result would exceed max_out) or TSR_ENOMEM.
 */
int tsr_keywords_replace(const char *text, size_t len, const json_t *mappings, size_t max_out,
                         char **out, char *err, size_t errlen);

/*
 * Merges the mappings of the AUTH0_KEYWORD_REPLACE_MAPPINGS text env_json
 * (NULL: none) and then those of file_json (NULL: none; its keys win),
 * both JSON objects, into a new *out.  Returns 0, TSR_EFORMAT (err
 * says which is not a JSON object) or TSR_ENOMEM.
 */
int tsr_keywords_merge(const char *env_json, const json_t *file_json, json_t **out, char *err,
                       size_t errlen);

#endif
