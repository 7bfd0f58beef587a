/*
 * generate.h - `tessera generate`: the man pages and the default config
 * file, printed from the tables for the build to install.
 */
#ifndef TSR_CLI_GENERATE_H
#define TSR_CLI_GENERATE_H

/* argv: tessera.1|tessera.conf.5|tessera.conf [--sysconfdir DIR]; 0, 1 write error, 2 usage. */
int tsr_cli_generate(int argc, char **argv);

#endif
