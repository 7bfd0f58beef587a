/*
 * cli.h - the tessera command line: `tessera <command> [subcommand] [options]`.
 *
 * Every command is a row of one table (struct tsr_cli_command): its words,
 * operands, options and help.  The dispatcher, `--help` on every command
 * and the man page are all printed from that table, so a command cannot
 * exist without its documentation.  Each family of commands is one file in
 * src/cli/ exporting a {NULL}-terminated array; commands.c lists them.
 *
 * Exit status, for every command except `token verify` (see token.c):
 *   0  done
 *   1  the operation failed: the server refused it (unknown id, invalid
 *      value, ...) or a local step failed; one line on stderr says why
 *   2  usage: unknown command or option, a missing or malformed value
 *   3  the server could not be reached or refused the CLI's credentials
 */
#ifndef TSR_CLI_CLI_H
#define TSR_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum {
    TSR_CLI_OK = 0,
    TSR_CLI_FAILED = 1,
    TSR_CLI_USAGE = 2,
    TSR_CLI_UNREACHABLE = 3,
};

/* An option's flags. */
#define TSR_CLI_OPT_REQUIRED 1u /* the command refuses to run without it */
#define TSR_CLI_OPT_REPEAT 2u   /* may be given several times; values accumulate */

/* One option of a command: for parsing, --help and the man page. */
struct tsr_cli_opt {
    const char *name; /* without the leading "--" */
    const char *arg;  /* value placeholder, e.g. "URL"; NULL: a switch without a value */
    const char *help; /* one line */
    unsigned flags;
};

/* How a command takes its arguments. */
enum tsr_cli_kind {
    TSR_CLI_PARSED, /* options from opts, parsed by args.c, run() gets them */
    TSR_CLI_REMOTE, /* as PARSED, plus the Management API connection options and --json */
    TSR_CLI_RAW,    /* run_raw() parses argv itself (serve, init: the settings table) */
};

struct tsr_cli_args; /* args.h */

struct tsr_cli_command {
    const char *name;               /* the words after `tessera`: "apps create" */
    const char *operands;           /* synopsis of the positional arguments ("ID"), or NULL */
    const char *summary;            /* one line */
    const char *details;            /* more text for --help and the man page, or NULL */
    const struct tsr_cli_opt *opts; /* {NULL}-terminated, or NULL */
    enum tsr_cli_kind kind;
    int (*run)(const struct tsr_cli_args *a);
    int (*run_raw)(int argc, char **argv); /* TSR_CLI_RAW: argv after the command's words */
    void (*help_more)(FILE *out);          /* TSR_CLI_RAW: prints its options, or NULL */
    const char *exit_status;               /* NULL: the common meanings above */
};

/* A family of commands sharing a first word ("apps"), for `tessera apps --help`. */
struct tsr_cli_family {
    const char *name;
    const char *summary;
    const struct tsr_cli_command *commands; /* {NULL}-terminated */
};

/* Every family, in the order --help lists them; {NULL}-terminated (commands.c). */
extern const struct tsr_cli_family tsr_cli_families[];

/* The options every TSR_CLI_REMOTE command takes besides its own (remote.c). */
extern const struct tsr_cli_opt tsr_cli_remote_opts[];

/* Dispatches argv to its command; returns the process exit status. */
int tsr_cli_main(int argc, char **argv);

/* Prints the help of one command: synopsis, details, every option. */
void tsr_cli_print_command_help(const struct tsr_cli_command *c, FILE *out);

#endif
