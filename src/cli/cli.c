#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: tessera <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve     run the server (creates the default tenant on first start)\n"
    "  init      create the data directory and the default tenant, then exit\n"
    "  token     verify TOKEN: check an access token like an API would\n"
    "  version   print the version\n"
    "\n"
    "options (serve, init):\n"
    "  --listen HOST:PORT     address to listen on (127.0.0.1:8080)      TESSERA_LISTEN\n"
    "  --public-url URL       issuer base URL (http://localhost:8080/)   TESSERA_PUBLIC_URL\n"
    "  --data-dir DIR         database, master key, credentials (./data) TESSERA_DATA_DIR\n"
    "  --log-level LEVEL      debug, info, warn or error (info)          TESSERA_LOG_LEVEL\n"
    "  --threads N            worker threads, 0 = one per core (0)       TESSERA_THREADS\n"
    "  --max-connections N    open connections at most (4096)            TESSERA_MAX_CONNECTIONS\n"
    "  --max-connections-per-ip N\n"
    "                         from one client address, 0 = any (512)     "
    "TESSERA_MAX_CONNECTIONS_PER_IP\n"
    "  --header-timeout S     seconds for a whole request header (20)    TESSERA_HEADER_TIMEOUT\n"
    "  --body-min-rate B      bytes/s a request body must average (1024) TESSERA_BODY_MIN_RATE\n"
    "  --tls-cert FILE        PEM certificate (chain): serve HTTPS       TESSERA_TLS_CERT\n"
    "  --tls-key FILE         PEM private key, with --tls-cert           TESSERA_TLS_KEY\n"
    "  --smtp-url URL         smtp[s]://[user:pass@]host[:port] (none:   TESSERA_SMTP_URL\n"
    "                         mail goes to {data-dir}/outbox/)\n"
    "  --smtp-from ADDRESS    sender, addr@host or \"Name <addr@host>\"    TESSERA_SMTP_FROM\n"
    "  --smtp-allow-plaintext smtp:// without STARTTLS to any host       "
    "TESSERA_SMTP_ALLOW_PLAINTEXT\n"
    "  --trust-proxy          honour X-Forwarded-* from trusted proxies  TESSERA_TRUST_PROXY\n"
    "  --trusted-proxies LIST proxy networks (loopback, private)         TESSERA_TRUSTED_PROXIES\n"
    "  --rate-limit-{login,signup,reset}-per-{ip,tenant} COUNT/SECONDS|off\n"
    "                         requests per address / per tenant:         TESSERA_RATE_LIMIT_*\n"
    "                         login 100/60, 3000/60; signup 30/3600, 1000/60;\n"
    "                         reset 20/3600, 600/3600\n"
    "  --rate-limit-reset-per-account COUNT/SECONDS|off  reset mails and lockout\n"
    "                         notices one account gets, each (3/3600)    "
    "TESSERA_RATE_LIMIT_RESET_PER_ACCOUNT\n"
    "  --rate-limit-mgmt-per-client COUNT/SECONDS  Management API (200/1)\n"
    "  --account-throttle-failures N (10), --account-throttle-delay S (30),\n"
    "  --account-throttle-max-delay S (900)  failed logins of one account\n"
    "  --lockout-attempts N (10), --lockout-window S (900)  per name and address\n"
    "  --config FILE          'key = value' file with the settings above TESSERA_CONFIG\n"
    "\n"
    "TESSERA_MASTER_KEY (64 hex characters) overrides {data-dir}/master.key.\n";

int tsr_cli_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "serve") == 0)
        return tsr_cli_serve(argc - 2, argv + 2);
    if (strcmp(argv[1], "init") == 0)
        return tsr_cli_init(argc - 2, argv + 2);
    if (strcmp(argv[1], "token") == 0)
        return tsr_cli_token(argc - 2, argv + 2);
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("tessera %s\n", TSR_VERSION);
        return 0;
    }
    fprintf(stderr, "tessera: unknown command '%s'\n\n%s", argv[1], usage);
    return 2;
}
