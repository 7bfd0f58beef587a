/*
 * body.h - the JSON a create or update command sends, built from its
 * options.  Only the options given become members, so an update sends
 * exactly what the operator named (a PATCH), and nothing else changes.
 *
 * Lists follow the rule of every command (tsr_cli_opt_list): the option
 * may be repeated and each value may hold several items separated by
 * commas, so "--callbacks a,b --callbacks c" is the list a, b, c; an item
 * cannot hold a comma, and an empty item is a usage error.  Here one empty
 * value ("--callbacks ''") is the empty list, which on update clears it.
 */
#ifndef TSR_CLI_BODY_H
#define TSR_CLI_BODY_H

#include <jansson.h>
#include <stdint.h>

#include "cli/args.h"

/* How an option's text becomes a member. */
enum tsr_cli_field_kind {
    TSR_CLI_FIELD_STR,  /* the text as it is */
    TSR_CLI_FIELD_LIST, /* an array of strings, by the list rule above */
    TSR_CLI_FIELD_BOOL, /* true or false (tsr_cli_opt_bool) */
    TSR_CLI_FIELD_UINT, /* an integer from min to max (tsr_cli_opt_uint) */
};

/* One option and the member it sets ("a.b" sets b inside object a, made when missing). */
struct tsr_cli_field {
    const char *opt;
    const char *member;
    enum tsr_cli_field_kind kind;
    uint64_t min, max; /* TSR_CLI_FIELD_UINT */
};

/*
 * Adds to body (an object) a member for every option of fields ({NULL}-
 * terminated) that was given.  Returns 0, TSR_CLI_USAGE after a line about
 * a bad value, or TSR_CLI_FAILED when out of memory.
 */
int tsr_cli_body_add(const struct tsr_cli_args *a, const struct tsr_cli_field *fields,
                     json_t *body);

/*
 * The items of list option name as a new array of strings in *out (caller
 * decrefs): NULL when the option was not given, empty for one empty value.
 * Returns 0, TSR_CLI_USAGE or TSR_CLI_FAILED.
 */
int tsr_cli_list(const struct tsr_cli_args *a, const char *name, json_t **out);

/* Sets member path ("a.b") of body to v (reference stolen).  Returns 0 or -1. */
int tsr_cli_body_set(json_t *body, const char *member, json_t *v);

#endif
