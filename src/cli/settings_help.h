/*
 * settings_help.h - the settings' part of `tessera --help`, `serve --help`
 * and `init --help` (the help_more of serve and init in commands.c),
 * printed from the table of config/keys.h.
 */
#ifndef TSR_CLI_SETTINGS_HELP_H
#define TSR_CLI_SETTINGS_HELP_H

#include <stddef.h>
#include <stdio.h>

/* Prints every setting, grouped, with its environment variable and default. */
void tsr_cli_settings_help(FILE *out);

/*
 * The groups of the table in the order they first appear: writes up to max
 * group names into out and returns how many.
 */
size_t tsr_cli_settings_groups(const char **out, size_t max);

#endif
