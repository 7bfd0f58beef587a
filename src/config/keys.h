/*
 * keys.h - the one table of the server's settings.  Every setting has a
 * flag, an environment variable, a config file key (the flag without the
 * dashes; --config has none), a value placeholder, a default and one line
 * of help.  settings.c parses from it; `tessera --help`, `serve --help`,
 * `init --help`, the man pages tessera(1) and tessera.conf(5) and the
 * default config file are printed from it (cli/settings_help.c,
 * cli/generate.c), so none of them can omit a setting.
 *
 * A default is the value's text, parsed by tsr_settings_defaults like any
 * other value, so the default shown is the default that runs; NULL means
 * unset, and the help says what unset does.  A NULL placeholder marks a
 * boolean: the flag alone turns it on, the environment and the file take
 * true or false.
 */
#ifndef TSR_CONFIG_KEYS_H
#define TSR_CONFIG_KEYS_H

#include <stddef.h>

#include "config/limits.h"

/* X(name, flag and config key, environment variable, placeholder, default, group, help) */
#define TSR_SERVER_KEYS(X)                                                                         \
    X(LISTEN, "listen", "TESSERA_LISTEN", "HOST:PORT", "127.0.0.1:8080", "Server",                 \
      "address and port to listen on; an IPv6 address in brackets, e.g. [::]:8080")                \
    X(PUBLIC_URL, "public-url", "TESSERA_PUBLIC_URL", "URL", "http://localhost:8080/", "Server",   \
      "the issuer: the base URL clients reach Tessera at, with an optional path prefix")           \
    X(DATA_DIR, "data-dir", "TESSERA_DATA_DIR", "DIR", "./data", "Server",                         \
      "database, master key, bootstrap credentials and mail outbox")                               \
    X(LOG_LEVEL, "log-level", "TESSERA_LOG_LEVEL", "LEVEL", "info", "Server",                      \
      "debug, info, warn or error; JSON lines on standard error")                                  \
    X(THREADS, "threads", "TESSERA_THREADS", "N", "0", "Server",                                   \
      "worker threads, at most 256; 0 is one per core")                                            \
    X(TLS_CERT, "tls-cert", "TESSERA_TLS_CERT", "FILE", NULL, "HTTPS",                             \
      "PEM certificate, chain after it: serve HTTPS (unset: plain HTTP)")                          \
    X(TLS_KEY, "tls-key", "TESSERA_TLS_KEY", "FILE", NULL, "HTTPS",                                \
      "PEM private key, unencrypted, of --tls-cert (both or neither)")                             \
    X(SMTP_URL, "smtp-url", "TESSERA_SMTP_URL", "URL", NULL, "Mail",                               \
      "smtp[s]://[user:pass@]host[:port] (unset: mail goes to {data-dir}/outbox/)")                \
    X(SMTP_FROM, "smtp-from", "TESSERA_SMTP_FROM", "ADDRESS", "Tessera <no-reply@localhost>",      \
      "Mail", "sender: addr@host or \"Name <addr@host>\"")                                         \
    X(SMTP_ALLOW_PLAINTEXT, "smtp-allow-plaintext", "TESSERA_SMTP_ALLOW_PLAINTEXT", NULL, "false", \
      "Mail", "smtp:// without STARTTLS to any host, not only to a loopback address")              \
    X(TRUST_PROXY, "trust-proxy", "TESSERA_TRUST_PROXY", NULL, "false", "Reverse proxy",           \
      "honour X-Forwarded-For/-Proto/-Host from --trusted-proxies; never on a public port")        \
    X(MAX_CONNECTIONS, "max-connections", "TESSERA_MAX_CONNECTIONS", "N", "4096", "Connections",   \
      "open connections at most (16-1000000)")                                                     \
    X(MAX_CONNECTIONS_PER_IP, "max-connections-per-ip", "TESSERA_MAX_CONNECTIONS_PER_IP", "N",     \
      "512", "Connections", "open connections from one client address (0: no limit)")              \
    X(HEADER_TIMEOUT, "header-timeout", "TESSERA_HEADER_TIMEOUT", "SECONDS", "20", "Connections",  \
      "time for a whole request header to arrive (1-3600)")                                        \
    X(BODY_MIN_RATE, "body-min-rate", "TESSERA_BODY_MIN_RATE", "BYTES", "1024", "Connections",     \
      "bytes per second a request body must average")                                              \
    X(CONFIG, "config", "TESSERA_CONFIG", "FILE", NULL, "Server",                                  \
      "file of \"key = value\" lines for any other setting (see tessera.conf(5))")

enum tsr_setting_key {
#define TSR_SERVER_KEY_ENUM(name, ...) TSR_SK_##name,
    TSR_SERVER_KEYS(TSR_SERVER_KEY_ENUM)
#undef TSR_SERVER_KEY_ENUM
        TSR_SK_LIMIT_FIRST, /* then the keys of limits.h, in their order */
    TSR_SK_COUNT = TSR_SK_LIMIT_FIRST + TSR_LK_COUNT
};

struct tsr_setting_key_info {
    const char *flag;  /* without "--"; also the config key */
    const char *env;   /* TESSERA_... */
    const char *file;  /* config file key; NULL: not allowed there */
    const char *arg;   /* value placeholder; NULL: a boolean */
    const char *def;   /* default as text; NULL: unset */
    const char *group; /* heading it is listed under */
    const char *help;  /* one line, no final period */
};

/* Key k (0 <= k < TSR_SK_COUNT), or NULL when out of range. */
const struct tsr_setting_key_info *tsr_setting_key(int k);

/* The key whose flag (and so config key) is name[0..len), or -1. */
int tsr_setting_key_find(const char *name, size_t len);

/* The key whose config file key is name, or -1 (also for --config). */
int tsr_setting_key_find_file(const char *name);

#endif
