/*
 * commands.c - every family of commands, in the order `tessera --help`
 * lists them, and the server's own commands (serve, init).
 */
#include "cli/commands.h"

#include <stdio.h>

#include "cli/settings_help.h"

static const struct tsr_cli_command serve_commands[] = {
    {.name = "serve",
     .summary = "run the server (creates the default tenant on first start)",
     .details = "Serves until SIGTERM or SIGINT, then finishes the requests under way.\n",
     .kind = TSR_CLI_RAW,
     .run_raw = tsr_cli_serve,
     .help_more = tsr_cli_settings_help,
     .exit_status = "0 stopped cleanly, 1 failed to start, 2 a bad setting"},
    {0},
};

static const struct tsr_cli_command init_commands[] = {
    {.name = "init",
     .summary = "create the data directory and the default tenant, then exit",
     .details = "Prints the Management API credentials of a new tenant once; they are also\n"
                "written to {data-dir}/bootstrap-client.json (mode 0600).\n",
     .kind = TSR_CLI_RAW,
     .run_raw = tsr_cli_init,
     .help_more = tsr_cli_settings_help,
     .exit_status = "0 ready, 1 failed, 2 a bad setting"},
    {0},
};

const struct tsr_cli_family tsr_cli_families[] = {
    {"serve", "run the server (creates the default tenant on first start)", serve_commands},
    {"init", "create the data directory and the default tenant, then exit", init_commands},
    {"tenants", "tenants of this data directory: list, create, delete",
     tsr_cli_tenants_commands},
    {"apps",
     "applications: list, show, create, update, delete, rotate-secret, authorize, callbacks",
     tsr_cli_apps_commands},
    {"apis", "APIs (resource servers): list, show, create, update, delete", tsr_cli_apis_commands},
    {"users", "users: list, search, show, create, update, block, unblock, delete",
     tsr_cli_users_commands},
    {"keys", "the tenant's signing keys: list, rotate, revoke", tsr_cli_keys_commands},
    {"roles", "roles, their API permissions and users", tsr_cli_roles_commands},
    {"logs", "the tenant's event log: list, tail", tsr_cli_logs_commands},
    {"test", "get a token the way an application would, explained", tsr_cli_test_commands},
    {"token", "verify an access token like an API would", tsr_cli_token_commands},
    {"config", "the tenant as a tenant.yaml file: export, apply, diff (environments as code)",
     tsr_cli_config_commands},
    {"backup", "copy the database to a file, also while the server runs", tsr_cli_backup_commands},
    {"restore", "make a backup file the database of a data directory", tsr_cli_restore_commands},
    {NULL, NULL, NULL},
};
