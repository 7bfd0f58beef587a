/*
 * settings.h - the server's settings, from flags, environment and a config
 * file, in that order of precedence.
 *
 * Every setting, with its flag, environment variable, config key, default
 * and help, is in the table of keys.h (the limits' part in limits.h).
 *
 * The config file holds "key = value" lines; '#' starts a comment.  A bad
 * value stops start-up with one line naming the setting and why.
 *
 * --tls-cert and --tls-key come together or not at all; both files must be
 * readable PEM.  --trust-proxy makes X-Forwarded-For/-Proto/-Host count
 * when the connection comes from a trusted proxy (--trusted-proxies),
 * only for a server behind a proxy that sets them.  The four connection
 * settings (config keys without the dashes) bound what slow clients can
 * hold: see server/conn_guard.h.
 * SMTP over smtp:// must start TLS (STARTTLS) unless the host is a
 * loopback address literal; --smtp-allow-plaintext lifts that for every
 * host (a relay on a trusted private network that offers no TLS).
 */
#ifndef TSR_CONFIG_SETTINGS_H
#define TSR_CONFIG_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/limits.h"
#include "util/log.h"

#define TSR_SETTINGS_MAX_URL 512
#define TSR_SETTINGS_MAX_PATH 1024
#define TSR_SETTINGS_MAX_FROM 320
#define TSR_SETTINGS_MIN_CONNECTIONS 16
#define TSR_SETTINGS_MAX_CONNECTIONS 1000000
#define TSR_SETTINGS_MAX_HEADER_TIMEOUT 3600
#define TSR_SETTINGS_MAX_BODY_MIN_RATE 1000000000

struct tsr_settings {
    char listen_host[256];
    uint16_t listen_port;
    char public_url[TSR_SETTINGS_MAX_URL]; /* normalised: scheme://host[:port]/[prefix/] */
    char data_dir[TSR_SETTINGS_MAX_PATH];
    char config_path[TSR_SETTINGS_MAX_PATH]; /* empty: none */
    enum tsr_log_level log_level;
    unsigned threads;                      /* 0: one per core */
    char smtp_url[TSR_SETTINGS_MAX_URL];   /* empty: mail goes to {data-dir}/outbox/ */
    char smtp_from[TSR_SETTINGS_MAX_FROM]; /* default "Tessera <no-reply@localhost>" */
    char tls_cert[TSR_SETTINGS_MAX_PATH];  /* empty: plain HTTP */
    char tls_key[TSR_SETTINGS_MAX_PATH];   /* set exactly when tls_cert is */
    bool trust_proxy;                      /* honour X-Forwarded-For/-Proto/-Host */
    unsigned max_connections;              /* connection table size */
    unsigned max_connections_per_ip;       /* 0: no per-address limit */
    unsigned header_timeout;               /* seconds for a whole request header */
    unsigned body_min_rate;                /* bytes per second a body must average */
    bool trusted_proxies_set;              /* limits.proxies was given, not the default */
    struct tsr_limits limits;              /* limits.h: proxies, rates, account throttle */
    bool smtp_allow_plaintext;             /* smtp:// without STARTTLS to any host */
};

/* Looks up an environment variable; tests pass their own. */
typedef const char *(*tsr_getenv_fn)(const char *name);

/* Fills s with the defaults. */
void tsr_settings_defaults(struct tsr_settings *s);

/*
 * Parses argv[0..argc) (options only: the subcommand is already removed),
 * then the environment through getenv_fn (NULL: getenv), then the config
 * file, each filling only what a higher source left unset.  On error
 * returns TSR_EINVAL and writes one line such as
 * "--listen: port 99999 is out of range (1-65535)" into err.
 */
int tsr_settings_load(struct tsr_settings *s, int argc, char **argv, tsr_getenv_fn getenv_fn,
                      char *err, size_t errlen);

/*
 * Start-up warnings that do not stop the server (a private key others can
 * read, an http:// public URL while serving HTTPS).  Writes up to max
 * one-line messages of TSR_SETTINGS_WARN_LEN bytes; returns how many.
 */
#define TSR_SETTINGS_WARN_LEN 256
size_t tsr_settings_warnings(const struct tsr_settings *s, char out[][TSR_SETTINGS_WARN_LEN],
                             size_t max);

#endif
