/*
 * args.h - a command's parsed options and operands (see cli.h's table).
 *
 * Options are "--name value", "--name=value" or, for a switch, "--name";
 * "--" ends the options.  Every value is kept as the text given; the
 * getters below convert and bound it, and every problem is reported as one
 * line naming the command, the option and what was expected.
 */
#ifndef TSR_CLI_ARGS_H
#define TSR_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cli/cli.h"

struct tsr_cli_args;

/*
 * Parses argv (after the command's words) for command c.  On a usage
 * problem prints one line and returns TSR_CLI_USAGE; *out is then NULL.
 */
int tsr_cli_args_parse(const struct tsr_cli_command *c, int argc, char **argv,
                       struct tsr_cli_args **out);
void tsr_cli_args_free(struct tsr_cli_args *a);

const struct tsr_cli_command *tsr_cli_args_command(const struct tsr_cli_args *a);

/* The last value of option name (declared by the command), or NULL when not given. */
const char *tsr_cli_opt(const struct tsr_cli_args *a, const char *name);
/* True when option name was given (a switch, or an option with a value). */
bool tsr_cli_has(const struct tsr_cli_args *a, const char *name);
/* Every value of a repeatable option, in order; returns how many. */
size_t tsr_cli_opts(const struct tsr_cli_args *a, const char *name, const char *const **vals);
/* True when --json was given. */
bool tsr_cli_json(const struct tsr_cli_args *a);

size_t tsr_cli_noperands(const struct tsr_cli_args *a);
const char *tsr_cli_operand(const struct tsr_cli_args *a, size_t i); /* NULL past the end */

/*
 * Option name as a decimal number from min to max: def when not given.
 * Returns 0, or prints a usage line and returns TSR_CLI_USAGE.
 */
int tsr_cli_opt_uint(const struct tsr_cli_args *a, const char *name, uint64_t min, uint64_t max,
                     uint64_t def, uint64_t *out);
/* Option name as true/false (also yes/no, on/off, 1/0); *out untouched when not given. */
int tsr_cli_opt_bool(const struct tsr_cli_args *a, const char *name, bool *out);
/*
 * A list option (the rule of every command taking lists: the option may be
 * repeated and each value may hold several items separated by commas;
 * spaces around items are dropped).  *out is a new JSON array of the
 * items in order (empty when the option was not given).  An empty item
 * ("a,,b") is a usage error.  Returns 0, TSR_CLI_USAGE or TSR_CLI_FAILED.
 */
int tsr_cli_opt_list(const struct tsr_cli_args *a, const char *name, json_t **out);
/* Option name as one of the NULL-terminated choices; returns its index, or -1 when not given. */
int tsr_cli_opt_choice(const struct tsr_cli_args *a, const char *name, const char *const *choices,
                       int *out);

/*
 * Reads a secret (a client secret, a password) from the file at path, or
 * from standard input when path is "-" (a pipe or file, never a terminal:
 * there is no prompt): at most 4096 bytes, trailing
 * newlines dropped.  Returns it (caller wipes with tsr_wipe_free_str), or
 * NULL after a usage line naming option opt (*rc = TSR_CLI_USAGE).
 */
char *tsr_cli_read_secret(const struct tsr_cli_args *a, const char *opt, const char *path,
                          int *rc);

/*
 * Prints "tessera <command>: <message>" on stderr.  tsr_cli_usage adds a
 * pointer to --help and returns TSR_CLI_USAGE; tsr_cli_fail returns
 * TSR_CLI_FAILED.  Control characters in the message become '?'.
 */
int tsr_cli_usage(const struct tsr_cli_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tsr_cli_fail(const struct tsr_cli_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* As tsr_cli_fail with a chosen exit status. */
int tsr_cli_fail_with(const struct tsr_cli_args *a, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
