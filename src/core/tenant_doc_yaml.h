/*
 * tenant_doc_yaml.h - YAML text to and from JSON values (libyaml), for
 * the tenant documents of `tessera config` (Auth0 Deploy CLI's tenant.yaml).
 *
 * The reader is bounded: the text's size, the nesting depth and the
 * number of values produced (aliases included, each use counted: an
 * alias bomb stops at the budget rather than expanding).  libyaml's events
 * are read one at a time, so a limit stops the reading where it is passed;
 * an alias inside its own anchor is refused.  Plain scalars
 * take YAML 1.1's core types (null, booleans, integers, floats); quoted
 * ones stay strings.  Only one document, mapping keys are strings, and a
 * repeated key is an error.
 */
#ifndef TSR_CORE_TENANT_DOC_YAML_H
#define TSR_CORE_TENANT_DOC_YAML_H

#include <jansson.h>
#include <stddef.h>

#define TSR_YAML_MAX_BYTES (8u * 1024u * 1024u)
#define TSR_YAML_MAX_DEPTH 64
#define TSR_YAML_MAX_VALUES 200000

struct tsr_yaml_limits {
    size_t max_bytes;
    int max_depth;
    size_t max_values;
};

/* The limits above. */
extern const struct tsr_yaml_limits tsr_yaml_default_limits;

/*
 * Parses text (len bytes) into *out (a new reference).  limits NULL: the
 * defaults.  Returns 0, TSR_EFORMAT (malformed; one line with the line
 * number in err), TSR_ETOOBIG (a limit; err says which) or TSR_ENOMEM.
 * An empty document is an empty object.
 */
int tsr_yaml_parse(const char *text, size_t len, const struct tsr_yaml_limits *limits, json_t **out,
                   char *err, size_t errlen);

/*
 * Writes v as a YAML document (block style, keys in v's order) into a
 * new NUL-terminated *out.  Strings that would read back as another type
 * are quoted.  Returns 0, TSR_EINVAL (a value YAML cannot hold) or TSR_ENOMEM.
 */
int tsr_yaml_emit(const json_t *v, char **out);

#endif
