/*
 * cli.h - the tessera command line: `tessera <command> [options]`.
 * Each command is one file in src/cli/.
 */
#ifndef TSR_CLI_CLI_H
#define TSR_CLI_CLI_H

/* Dispatches argv[1] to its command; returns the process exit status. */
int tsr_cli_main(int argc, char **argv);

int tsr_cli_serve(int argc, char **argv);
int tsr_cli_init(int argc, char **argv);
/* `tessera token verify ...`: 0 valid, 1 invalid, 2 usage. */
int tsr_cli_token(int argc, char **argv);

#endif
