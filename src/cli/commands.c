/*
 * commands.c - every family of commands, in the order `tessera --help`
 * lists them, and the server's own commands (serve, init).
 */
#include "cli/commands.h"

#include <stdio.h>

static void settings_help(FILE *out)
{
    fputs("settings (flag, then environment, then the --config file):\n"
          "  --listen HOST:PORT     address to listen on (127.0.0.1:8080)      TESSERA_LISTEN\n"
          "  --public-url URL       issuer base URL (http://localhost:8080/)   TESSERA_PUBLIC_URL\n"
          "  --data-dir DIR         database, master key, credentials (./data) TESSERA_DATA_DIR\n"
          "  --log-level LEVEL      debug, info, warn or error (info)          TESSERA_LOG_LEVEL\n"
          "  --threads N            worker threads, 0 = one per core (0)       TESSERA_THREADS\n"
          "  --max-connections N    open connections at most (4096)            "
          "TESSERA_MAX_CONNECTIONS\n"
          "  --max-connections-per-ip N\n"
          "                         from one client address, 0 = any (512)     "
          "TESSERA_MAX_CONNECTIONS_PER_IP\n"
          "  --header-timeout S     seconds for a whole request header (20)    "
          "TESSERA_HEADER_TIMEOUT\n"
          "  --body-min-rate B      bytes/s a request body must average (1024) "
          "TESSERA_BODY_MIN_RATE\n"
          "  --tls-cert FILE        PEM certificate (chain): serve HTTPS       TESSERA_TLS_CERT\n"
          "  --tls-key FILE         PEM private key, with --tls-cert           TESSERA_TLS_KEY\n"
          "  --smtp-url URL         smtp[s]://[user:pass@]host[:port] (none:   TESSERA_SMTP_URL\n"
          "                         mail goes to {data-dir}/outbox/)\n"
          "  --smtp-from ADDRESS    sender, addr@host or \"Name <addr@host>\"    "
          "TESSERA_SMTP_FROM\n"
          "  --smtp-allow-plaintext smtp:// without STARTTLS to any host       "
          "TESSERA_SMTP_ALLOW_PLAINTEXT\n"
          "  --trust-proxy          honour X-Forwarded-* from trusted proxies  "
          "TESSERA_TRUST_PROXY\n"
          "  --trusted-proxies LIST proxy networks (loopback, private)         "
          "TESSERA_TRUSTED_PROXIES\n"
          "  --rate-limit-{login,signup,reset}-per-{ip,tenant} COUNT/SECONDS|off\n"
          "                         requests per address / per tenant:         "
          "TESSERA_RATE_LIMIT_*\n"
          "                         login 100/60, 3000/60; signup 30/3600, 1000/60;\n"
          "                         reset 20/3600, 600/3600\n"
          "  --rate-limit-reset-per-account COUNT/SECONDS|off  reset mails and lockout\n"
          "                         notices one account gets, each (3/3600)    "
          "TESSERA_RATE_LIMIT_RESET_PER_ACCOUNT\n"
          "  --rate-limit-mgmt-per-client COUNT/SECONDS  Management API (200/1)\n"
          "  --account-throttle-failures N (10), --account-throttle-delay S (30),\n"
          "  --account-throttle-max-delay S (900)  failed logins of one account\n"
          "  --lockout-attempts N (10), --lockout-window S (900)  per name and address\n"
          "                         rates, throttle and lockout are each tenant's defaults;\n"
          "                         a tenant may set its own (Management API)\n"
          "  --config FILE          'key = value' file with the settings above TESSERA_CONFIG\n"
          "\n"
          "TESSERA_MASTER_KEY (64 hex characters) overrides {data-dir}/master.key.\n",
          out);
}

static const struct tsr_cli_command serve_commands[] = {
    {.name = "serve",
     .summary = "run the server (creates the default tenant on first start)",
     .details = "Serves until SIGTERM or SIGINT, then finishes the requests under way.\n",
     .kind = TSR_CLI_RAW,
     .run_raw = tsr_cli_serve,
     .help_more = settings_help,
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
     .help_more = settings_help,
     .exit_status = "0 ready, 1 failed, 2 a bad setting"},
    {0},
};

const struct tsr_cli_family tsr_cli_families[] = {
    {"serve", "run the server (creates the default tenant on first start)", serve_commands},
    {"init", "create the data directory and the default tenant, then exit", init_commands},
    {"apps", "applications: list, show, create, update, delete, rotate-secret, authorize",
     tsr_cli_apps_commands},
    {"apis", "APIs (resource servers): list, show, create, update, delete", tsr_cli_apis_commands},
    {"users", "users: list, search, show, create, update, block, unblock, delete",
     tsr_cli_users_commands},
    {"keys", "the tenant's signing keys: list, rotate, revoke", tsr_cli_keys_commands},
    {"roles", "roles, their API permissions and users", tsr_cli_roles_commands},
    {"logs", "the tenant's event log: list, tail", tsr_cli_logs_commands},
    {"test", "get a token the way an application would, explained", tsr_cli_test_commands},
    {"token", "verify an access token like an API would", tsr_cli_token_commands},
    {"backup", "copy the database to a file, also while the server runs", tsr_cli_backup_commands},
    {"restore", "make a backup file the database of a data directory", tsr_cli_restore_commands},
    {NULL, NULL, NULL},
};
