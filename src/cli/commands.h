/*
 * commands.h - the command arrays of each file in src/cli/, for the
 * family table in commands.c.  Each array is {NULL}-terminated.
 */
#ifndef TSR_CLI_COMMANDS_H
#define TSR_CLI_COMMANDS_H

#include "cli/cli.h"

/* serve.c, init.c: their settings are parsed by config/settings.c. */
int tsr_cli_serve(int argc, char **argv);
int tsr_cli_init(int argc, char **argv);

extern const struct tsr_cli_command tsr_cli_token_commands[]; /* token.c */
extern const struct tsr_cli_command tsr_cli_keys_commands[];  /* keys.c */
extern const struct tsr_cli_command tsr_cli_roles_commands[]; /* roles.c */
extern const struct tsr_cli_command tsr_cli_logs_commands[];  /* logs.c */
extern const struct tsr_cli_command tsr_cli_test_commands[];  /* test_token.c */
extern const struct tsr_cli_command tsr_cli_apps_commands[];  /* apps.c */
extern const struct tsr_cli_command tsr_cli_apis_commands[];  /* apis.c */
extern const struct tsr_cli_command tsr_cli_users_commands[]; /* users.c */

/* tenants.c: local commands on the data directory's tenants. */
extern const struct tsr_cli_command tsr_cli_tenants_commands[];

/* backup.c: local commands on the data directory's database. */
extern const struct tsr_cli_command tsr_cli_backup_commands[];
extern const struct tsr_cli_command tsr_cli_restore_commands[];

/* config.c: the tenant as a Deploy CLI document (export, apply, diff). */
extern const struct tsr_cli_command tsr_cli_config_commands[];

#endif
