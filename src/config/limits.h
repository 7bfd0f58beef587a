/*
 * limits.h - the settings that bound what one caller may do: the networks
 * of trusted reverse proxies, request rates per address and per tenant,
 * the per-account login throttle, and the Management API's rate per
 * client.  Part of struct tsr_settings (settings.h), read-only after start.
 *
 * Each key's flag (and config key), environment variable, default and help
 * are in TSR_LIMIT_KEYS below.
 *
 * A rate is "COUNT/SECONDS" (at most COUNT requests in a window of SECONDS
 * that starts at the first request), or "off"; rate-limit-reset-per-account
 * counts the reset links, and apart the lockout notices, mailed to one
 * account.  trusted-proxies is a list of addresses or CIDR networks, IPv4
 * or IPv6, separated by commas; it counts only with --trust-proxy.
 *
 * Every key but trusted-proxies is the default of a per-tenant setting: a
 * tenant's own value (core/tenant_limits.h, set through the Management
 * API) replaces it.  The attack protection switches at the end of struct
 * tsr_limits exist per tenant only; a server has their defaults (on, both
 * shields, empty allowlists).
 */
#ifndef TSR_CONFIG_LIMITS_H
#define TSR_CONFIG_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * X(name, flag and config key, environment variable, placeholder, default,
 *   group, help): part of the one table of settings (config/keys.h), from
 * which --help, the man pages and the default config file are printed.  The
 * default is parsed by tsr_limits_defaults, so what is shown is what runs.
 */
#define TSR_LIMIT_KEYS(X)                                                                          \
    X(TRUSTED_PROXIES, "trusted-proxies", "TESSERA_TRUSTED_PROXIES", "LIST",                       \
      "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7", "Reverse proxy",     \
      "addresses or CIDR networks of the proxies whose X-Forwarded-* count, comma-separated")      \
    X(LOGIN_IP, "rate-limit-login-per-ip", "TESSERA_RATE_LIMIT_LOGIN_PER_IP", "RATE", "100/60",    \
      "Rate limits", "password logins from one address (password grant, POST /u/login)")           \
    X(LOGIN_TENANT, "rate-limit-login-per-tenant", "TESSERA_RATE_LIMIT_LOGIN_PER_TENANT", "RATE",  \
      "3000/60", "Rate limits", "password logins of one tenant")                                   \
    X(SIGNUP_IP, "rate-limit-signup-per-ip", "TESSERA_RATE_LIMIT_SIGNUP_PER_IP", "RATE",           \
      "30/3600", "Rate limits",                                                                    \
      "sign-ups from one address (/dbconnections/signup, POST /u/signup)")                         \
    X(SIGNUP_TENANT, "rate-limit-signup-per-tenant", "TESSERA_RATE_LIMIT_SIGNUP_PER_TENANT",       \
      "RATE", "1000/60", "Rate limits", "sign-ups of one tenant")                                  \
    X(RESET_IP, "rate-limit-reset-per-ip", "TESSERA_RATE_LIMIT_RESET_PER_IP", "RATE", "20/3600",   \
      "Rate limits", "password reset requests from one address")                                   \
    X(RESET_TENANT, "rate-limit-reset-per-tenant", "TESSERA_RATE_LIMIT_RESET_PER_TENANT", "RATE",  \
      "600/3600", "Rate limits", "password reset requests of one tenant")                          \
    X(RESET_ACCOUNT, "rate-limit-reset-per-account", "TESSERA_RATE_LIMIT_RESET_PER_ACCOUNT",       \
      "RATE", "3/3600", "Rate limits",                                                             \
      "reset mails one account gets, and apart its lockout notices; beyond it none is sent")       \
    X(MGMT_CLIENT, "rate-limit-mgmt-per-client", "TESSERA_RATE_LIMIT_MGMT_PER_CLIENT", "RATE",     \
      "200/1", "Rate limits", "Management API requests of one client, per node")                   \
    X(THROTTLE_FAILURES, "account-throttle-failures", "TESSERA_ACCOUNT_THROTTLE_FAILURES", "N",    \
      "10", "Login protection", "failed logins of one account before it must wait (0: never)")     \
    X(THROTTLE_DELAY, "account-throttle-delay", "TESSERA_ACCOUNT_THROTTLE_DELAY", "SECONDS", "30", \
      "Login protection", "the first wait, doubled per further failure")                           \
    X(THROTTLE_MAX_DELAY, "account-throttle-max-delay", "TESSERA_ACCOUNT_THROTTLE_MAX_DELAY",      \
      "SECONDS", "900", "Login protection",                                                        \
      "the longest wait; failures are forgotten after this long without one")                      \
    X(LOCKOUT_ATTEMPTS, "lockout-attempts", "TESSERA_LOCKOUT_ATTEMPTS", "N", "10",                 \
      "Login protection",                                                                          \
      "failed logins of one name from one address (IPv6: its /64) that lock it out (0: never)")    \
    X(LOCKOUT_WINDOW, "lockout-window", "TESSERA_LOCKOUT_WINDOW", "SECONDS", "900",                \
      "Login protection", "the time failures are counted over, and a lock lasts")

enum tsr_limit_key {
#define TSR_LIMIT_KEY_ENUM(name, ...) TSR_LK_##name,
    TSR_LIMIT_KEYS(TSR_LIMIT_KEY_ENUM)
#undef TSR_LIMIT_KEY_ENUM
        TSR_LK_COUNT
};

#define TSR_LIMITS_MAX_PROXIES 32
#define TSR_LIMITS_MAX_COUNT 1000000000u
#define TSR_LIMITS_MAX_SECONDS 604800u /* one week */
#define TSR_LIMITS_MAX_ALLOW 100       /* networks in an allowlist, as Auth0 */

/* At most count requests per window of seconds; count 0: no limit. */
struct tsr_rate {
    uint32_t count;
    uint32_t seconds;
};

/* One network: family 4 or 6, the address's bytes, prefix length. */
struct tsr_cidr {
    uint8_t family;
    uint8_t prefix;
    uint8_t addr[16];
};

/* What a rate limit applies to: the endpoints that share a count. */
enum tsr_rate_class {
    TSR_RATE_LOGIN,  /* password grants of /oauth/token, POST /u/login */
    TSR_RATE_SIGNUP, /* /dbconnections/signup, POST /u/signup */
    TSR_RATE_RESET,  /* /dbconnections/change_password, POST /u/reset-password/request */
    TSR_RATE_CLASSES
};

struct tsr_limits {
    struct tsr_cidr proxies[TSR_LIMITS_MAX_PROXIES];
    size_t nproxies;
    struct tsr_rate per_ip[TSR_RATE_CLASSES];
    struct tsr_rate per_tenant[TSR_RATE_CLASSES];
    struct tsr_rate mgmt_per_client;
    /* Mails a stranger can have sent to one account (reset links, lockout notices), per kind. */
    struct tsr_rate reset_per_account;
    uint32_t throttle_failures;  /* failures before the account is slowed; 0: never */
    uint32_t throttle_delay;     /* seconds of the first delay, doubled per failure */
    uint32_t throttle_max_delay; /* the longest delay, and the quiet time that forgets */
    uint32_t lockout_attempts;   /* wrong passwords that lock an address out of a name; 0: never */
    uint32_t lockout_window;     /* seconds they are counted over, and the lock lasts */

    /* Brute-force protection (Auth0's attack-protection/brute-force-protection). */
    bool lockout_enabled; /* false: the lockout neither counts nor blocks */
    bool lockout_block;   /* shield "block": a locked address is refused */
    bool lockout_notify;  /* shield "user_notification": the account's owner is mailed */
    struct tsr_cidr lockout_allow[TSR_LIMITS_MAX_ALLOW]; /* never locked out */
    size_t nlockout_allow;
    /* Suspicious IP throttling (attack-protection/suspicious-ip-throttling): login and signup
     * per_ip. */
    bool ip_enabled;      /* false: no per-address login or signup rate */
    bool ip_block;        /* shield "block"; without it the rates are not enforced */
    bool ip_notify_admin; /* shield "admin_notification": stored and shown, not acted on */
    struct tsr_cidr ip_allow[TSR_LIMITS_MAX_ALLOW]; /* no per-address login or signup rate */
    size_t nip_allow;
};

/* The names of key k (an enum tsr_limit_key), for settings.c's tables. */
const char *tsr_limits_flag(int k);
const char *tsr_limits_env(int k);

/* Fills l with the defaults of TSR_LIMIT_KEYS, parsed from their text. */
void tsr_limits_defaults(struct tsr_limits *l);

/*
 * Parses value for key k into l.  Returns 0, or -1 with a reason (one line,
 * without the setting's name) in why (whylen bytes).
 */
int tsr_limits_parse(struct tsr_limits *l, int k, const char *value, char *why, size_t whylen);

/*
 * Parses a list of addresses and CIDR networks (IPv4 or IPv6, host bits
 * zero) separated by commas or blanks into out (at most max), the count
 * into *n.  An empty list is valid.  Returns 0, or -1 with a reason in why.
 */
int tsr_cidr_parse_list(const char *value, struct tsr_cidr *out, size_t max, size_t *n, char *why,
                        size_t whylen);

/* Writes net as "ADDR" (full-length prefix) or "ADDR/PREFIX" into out (cap bytes). */
void tsr_cidr_format(const struct tsr_cidr *net, char *out, size_t cap);

/*
 * The per-address rate of class cls for the client at addr (NULL:
 * unknown), after the attack protection switches: login and signup have
 * none while suspicious IP throttling is off, without its "block" shield,
 * or for an address on its allowlist.
 */
struct tsr_rate tsr_limits_ip_rate(const struct tsr_limits *l, enum tsr_rate_class cls,
                                   const struct tsr_cidr *addr);

/*
 * True when the lockout counts failures of the client at ip (an address
 * as text): brute-force protection on, lockout-attempts above 0, and the
 * address not on its allowlist.
 */
bool tsr_limits_lockout_counts(const struct tsr_limits *l, const char *ip);

/* Copies key k's value from src to dst (for merging the sources). */
void tsr_limits_copy(struct tsr_limits *dst, const struct tsr_limits *src, int k);

/*
 * Parses an IPv4 or IPv6 address (an IPv4-mapped IPv6 address counts as
 * its IPv4 address) into *out with a full-length prefix.  Returns 0 or -1.
 */
int tsr_cidr_parse_addr(const char *text, struct tsr_cidr *out);

/* True when addr (a full-length tsr_cidr) lies inside one of the n networks. */
bool tsr_cidr_contains(const struct tsr_cidr *nets, size_t n, const struct tsr_cidr *addr);

/*
 * The client behind a proxy: walks the X-Forwarded-For list (list[0..len),
 * every such header joined by commas in order) from the right, starting at
 * the connection's peer.  Each hop a trusted proxy appended names the one
 * before it; the first address outside nets is the client, and what lies
 * left of it was written by the client and never counts.  When the peer is
 * not in nets the peer is the client; a hop that is not an address ends the
 * walk at the last address known good; when every hop is trusted the
 * leftmost counts.  The answer goes to *out.
 */
void tsr_cidr_forwarded_client(const char *list, size_t len, const struct tsr_cidr *peer,
                               const struct tsr_cidr *nets, size_t n, struct tsr_cidr *out);

/*
 * The seconds an account must wait after its failures-th consecutive
 * failure: 0 below the threshold, then delay, 2*delay, 4*delay, ... up to
 * max_delay.
 */
int64_t tsr_limits_throttle_delay(const struct tsr_limits *l, int64_t failures);

#endif
