/*
 * settings.c - settings from flags, environment and a config file.
 *
 * Contents: messages; value parsers (listen address, public URL, data
 * directory, log level, threads, numbers, TLS files, booleans); the three sources;
 * merging; the TLS checks on the merged result; warnings.
 *
 * Each source is parsed completely into its own layer, so a bad value is
 * reported even when a higher source overrides it; the layers are then
 * merged key by key: flags, then environment, then file, then defaults.
 */
#include "config/settings.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/err.h"

#define MAX_LINE 4096
#define MAX_THREADS 256
#define WHY_LEN 256
#define WHO_LEN (TSR_SETTINGS_MAX_PATH + 64)

enum key {
    K_LISTEN,
    K_PUBLIC_URL,
    K_DATA_DIR,
    K_LOG_LEVEL,
    K_THREADS,
    K_SMTP_URL,
    K_SMTP_FROM,
    K_TLS_CERT,
    K_TLS_KEY,
    K_TRUST_PROXY,
    K_MAX_CONNECTIONS,
    K_MAX_CONNECTIONS_PER_IP,
    K_HEADER_TIMEOUT,
    K_BODY_MIN_RATE,
    K_SMTP_ALLOW_PLAINTEXT,
    K_CONFIG,
    K_LIMIT_FIRST, /* the limits.h keys follow, in their order */
    K_COUNT = K_LIMIT_FIRST + TSR_LK_COUNT
};

static const struct {
    const char *flag; /* without "--" */
    const char *env;
    const char *file; /* NULL: not allowed in the config file */
} keys[K_COUNT] = {
    [K_LISTEN] = {"listen", "TESSERA_LISTEN", "listen"},
    [K_PUBLIC_URL] = {"public-url", "TESSERA_PUBLIC_URL", "public-url"},
    [K_DATA_DIR] = {"data-dir", "TESSERA_DATA_DIR", "data-dir"},
    [K_LOG_LEVEL] = {"log-level", "TESSERA_LOG_LEVEL", "log-level"},
    [K_THREADS] = {"threads", "TESSERA_THREADS", "threads"},
    [K_SMTP_URL] = {"smtp-url", "TESSERA_SMTP_URL", "smtp-url"},
    [K_SMTP_FROM] = {"smtp-from", "TESSERA_SMTP_FROM", "smtp-from"},
    [K_TLS_CERT] = {"tls-cert", "TESSERA_TLS_CERT", "tls-cert"},
    [K_TLS_KEY] = {"tls-key", "TESSERA_TLS_KEY", "tls-key"},
    [K_TRUST_PROXY] = {"trust-proxy", "TESSERA_TRUST_PROXY", "trust-proxy"},
    [K_MAX_CONNECTIONS] = {"max-connections", "TESSERA_MAX_CONNECTIONS", "max-connections"},
    [K_MAX_CONNECTIONS_PER_IP] = {"max-connections-per-ip", "TESSERA_MAX_CONNECTIONS_PER_IP",
                                  "max-connections-per-ip"},
    [K_HEADER_TIMEOUT] = {"header-timeout", "TESSERA_HEADER_TIMEOUT", "header-timeout"},
    [K_BODY_MIN_RATE] = {"body-min-rate", "TESSERA_BODY_MIN_RATE", "body-min-rate"},
    [K_SMTP_ALLOW_PLAINTEXT] = {"smtp-allow-plaintext", "TESSERA_SMTP_ALLOW_PLAINTEXT",
                                "smtp-allow-plaintext"},
    [K_CONFIG] = {"config", "TESSERA_CONFIG", NULL},
#define LIMIT_KEY(name, flag, env) [K_LIMIT_FIRST + TSR_LK_##name] = {flag, env, flag},
    TSR_LIMIT_KEYS(LIMIT_KEY)
#undef LIMIT_KEY
};

/* One source's values; bit k of set is 1 when key k was given. */
struct layer {
    struct tsr_settings v;
    unsigned set;
};

/* ---- messages ------------------------------------------------------------ */

/* Writes one line into err (may be NULL) and returns TSR_EINVAL. */
__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
                                                      ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return TSR_EINVAL;
}

/*
 * Copies a value for quoting in a message: at most 60 bytes, control
 * characters replaced by '?', "..." when cut, so a message stays one line.
 */
static const char *show(const char *v, char buf[64])
{
    size_t i = 0;
    for (; v[i] != '\0' && i < 60; i++)
        buf[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? '?' : v[i];
    if (v[i] != '\0') {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

/* ---- value parsers: 0, or -1 with the reason in why ------------------------ */

static int why_set(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int why_set(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, WHY_LEN, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Parses a decimal port 1-65535 given as s[0..len). */
static int parse_port(const char *s, size_t len, uint16_t *out, char *why)
{
    char shown[64];
    char digits[16];
    unsigned long v = 0;

    if (len == 0)
        return why_set(why, "port is missing");
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            char tmp[64];
            size_t n = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            return why_set(why, "port \"%s\" is not a number", show(tmp, shown));
        }
        if (v <= 65535)
            v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < 1 || v > 65535) {
        size_t n = len < sizeof digits - 1 ? len : sizeof digits - 1;
        memcpy(digits, s, n);
        digits[n] = '\0';
        return why_set(why, "port %s%s is out of range (1-65535)", digits, n < len ? "..." : "");
    }
    *out = (uint16_t)v;
    return 0;
}

/*
 * Splits "host:port" or "[v6]:port" (port optional when port_optional).
 * Writes the host without brackets into host (hostlen bytes), lowercased,
 * and *bracketed = 1 for an IPv6 literal.  *port is 0 when absent.
 */
static int parse_hostport(const char *s, size_t len, int port_optional, char *host, size_t hostlen,
                          int *bracketed, uint16_t *port, char *why)
{
    const char *h = s;
    size_t hlen;
    const char *rest; /* ":port" or end */

    *bracketed = 0;
    *port = 0;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return why_set(why, "missing ']' after the IPv6 address");
        h = s + 1;
        hlen = (size_t)(close - h);
        rest = close + 1;
        *bracketed = 1;
    } else {
        const char *colon = NULL;
        for (size_t i = 0; i < len; i++) {
            if (s[i] == ':') {
                if (colon != NULL)
                    return why_set(why, "IPv6 addresses must be in brackets, e.g. [::1]:8080");
                colon = s + i;
            }
        }
        hlen = colon != NULL ? (size_t)(colon - s) : len;
        rest = s + hlen;
    }
    size_t restlen = len - (size_t)(rest - s);

    if (hlen == 0)
        return why_set(why, "host is missing");
    if (hlen >= hostlen)
        return why_set(why, "host is too long (at most %zu characters)", hostlen - 1);
    for (size_t i = 0; i < hlen; i++)
        host[i] = lower(h[i]);
    host[hlen] = '\0';
    if (*bracketed) {
        struct in6_addr a6;
        if (inet_pton(AF_INET6, host, &a6) != 1)
            return why_set(why, "\"%.64s\" is not an IPv6 address", host);
    } else {
        for (size_t i = 0; i < hlen; i++) {
            if (!is_alnum(host[i]) && host[i] != '.' && host[i] != '-' && host[i] != '_')
                return why_set(why, "host contains '%c', which is not allowed in a host name",
                               (unsigned char)host[i] < 0x20 ? '?' : host[i]);
        }
    }

    if (restlen == 0) {
        if (port_optional)
            return 0;
        return why_set(why, "port is missing (expected HOST:PORT)");
    }
    if (rest[0] != ':')
        return why_set(why, "unexpected text after ']'");
    return parse_port(rest + 1, restlen - 1, port, why);
}

static int parse_listen(const char *v, struct tsr_settings *out, char *why)
{
    char shown[64];
    int bracketed;

    if (v[0] == '\0')
        return why_set(why, "expected HOST:PORT, got \"\"");
    if (v[0] != '[' && strchr(v, ':') == NULL)
        return why_set(why, "expected HOST:PORT, got \"%s\"", show(v, shown));
    return parse_hostport(v, strlen(v), 0, out->listen_host, sizeof out->listen_host, &bracketed,
                          &out->listen_port, why);
}

/* Characters allowed in a URL path besides %HH (RFC 3986 pchar and '/'). */
static int path_char_ok(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL);
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Appends s[0..n) to out (cap bytes with NUL); -1 when it does not fit. */
static int append(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos + n >= cap)
        return -1;
    memcpy(out + *pos, s, n);
    *pos += n;
    out[*pos] = '\0';
    return 0;
}

/*
 * Checks and normalises the public URL: lowercase scheme and host, no
 * default port, path ending in exactly one '/'.
 */
static int parse_public_url(const char *v, struct tsr_settings *out, char *why)
{
    char host[256];
    char norm[TSR_SETTINGS_MAX_URL];
    char portbuf[8];
    int https;
    int bracketed;
    uint16_t port;
    size_t pos = 0;

    for (const char *p = v; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f)
            return why_set(why, "must not contain spaces or control characters");
        if (c >= 0x80)
            return why_set(why, "must be ASCII (percent-encode other characters)");
    }
    if (strlen(v) >= TSR_SETTINGS_MAX_URL)
        return why_set(why, "is too long (at most %d characters)", TSR_SETTINGS_MAX_URL - 1);
    if (strncasecmp(v, "http://", 7) == 0)
        https = 0;
    else if (strncasecmp(v, "https://", 8) == 0)
        https = 1;
    else
        return why_set(why, "must start with http:// or https://");

    const char *auth = v + (https ? 8 : 7);
    size_t alen = strcspn(auth, "/?#");
    const char *path = auth + alen;
    if (memchr(auth, '@', alen) != NULL)
        return why_set(why, "must not contain a user name or password");
    if (strchr(path, '?') != NULL)
        return why_set(why, "must not contain a query (?...)");
    if (strchr(path, '#') != NULL)
        return why_set(why, "must not contain a fragment (#...)");
    if (alen == 0 || auth[0] == ':')
        return why_set(why, "has no host");
    if (parse_hostport(auth, alen, 1, host, sizeof host, &bracketed, &port, why) != 0)
        return -1;

    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '%') {
            if (!is_hex(p[1]) || !is_hex(p[2]))
                return why_set(why, "path has a '%%' not followed by two hex digits");
            p += 2;
        } else if (!path_char_ok(*p)) {
            return why_set(why, "path contains '%c', which is not allowed in a URL", *p);
        }
    }
    size_t plen = strlen(path);
    while (plen > 0 && path[plen - 1] == '/')
        plen--;
    for (size_t i = 0; i < plen;) {
        size_t seg = strcspn(path + i + 1, "/");
        if ((seg == 1 && path[i + 1] == '.') || (seg == 2 && memcmp(path + i + 1, "..", 2) == 0))
            return why_set(why, "path must not contain \".\" or \"..\" segments");
        i += seg + 1;
    }

    int rc = append(norm, sizeof norm, &pos, https ? "https://" : "http://", https ? 8 : 7);
    if (bracketed)
        rc |= append(norm, sizeof norm, &pos, "[", 1);
    rc |= append(norm, sizeof norm, &pos, host, strlen(host));
    if (bracketed)
        rc |= append(norm, sizeof norm, &pos, "]", 1);
    if (port != 0 && port != (https ? 443 : 80)) {
        int n = snprintf(portbuf, sizeof portbuf, ":%u", (unsigned)port);
        rc |= append(norm, sizeof norm, &pos, portbuf, (size_t)n);
    }
    rc |= append(norm, sizeof norm, &pos, path, plen);
    rc |= append(norm, sizeof norm, &pos, "/", 1);
    if (rc != 0)
        return why_set(why, "is too long (at most %d characters)", TSR_SETTINGS_MAX_URL - 1);
    memcpy(out->public_url, norm, pos + 1);
    return 0;
}

/* A path: not empty, fits, no control characters. */
static int parse_path(const char *v, char *out, size_t cap, char *why)
{
    size_t len = strlen(v);
    if (len == 0)
        return why_set(why, "must not be empty");
    if (len >= cap)
        return why_set(why, "is too long (at most %zu characters)", cap - 1);
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return why_set(why, "must not contain control characters");
    }
    memcpy(out, v, len + 1);
    return 0;
}

static int parse_data_dir(const char *v, struct tsr_settings *out, char *why)
{
    if (parse_path(v, out->data_dir, sizeof out->data_dir, why) != 0)
        return -1;
    size_t len = strlen(out->data_dir);
    while (len > 1 && out->data_dir[len - 1] == '/')
        out->data_dir[--len] = '\0';
    return 0;
}

static int parse_log_level(const char *v, struct tsr_settings *out, char *why)
{
    char shown[64];
    char low[8];
    size_t len = strlen(v);
    if (len < sizeof low) {
        for (size_t i = 0; i <= len; i++)
            low[i] = lower(v[i]);
        if (tsr_log_level_parse(low, &out->log_level) == 0)
            return 0;
    }
    return why_set(why, "expected debug, info, warn or error, got \"%s\"", show(v, shown));
}

static int parse_threads(const char *v, struct tsr_settings *out, char *why)
{
    char shown[64];
    size_t len = strlen(v);
    unsigned n = 0;
    int ok = len > 0 && len <= 3;
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9';
        n = n * 10 + (unsigned)(v[i] - '0');
    }
    if (!ok || n > MAX_THREADS)
        return why_set(why, "expected a number from 0 to %d, got \"%s\"", MAX_THREADS,
                       show(v, shown));
    out->threads = n;
    return 0;
}

/* A decimal number from min to max (no sign, no spaces). */
static int parse_uint(const char *v, unsigned min, unsigned max, unsigned *out, char *why)
{
    char shown[64];
    size_t len = strlen(v);
    unsigned long n = 0;
    int ok = len > 0 && len <= 10;
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9';
        n = n * 10 + (unsigned long)(v[i] - '0');
    }
    if (!ok || n < min || n > max)
        return why_set(why, "expected a number from %u to %u, got \"%s\"", min, max,
                       show(v, shown));
    *out = (unsigned)n;
    return 0;
}

/* No control characters, spaces only where allowed. */
static int printable(const char *v, int spaces_ok)
{
    for (const char *p = v; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || (c == ' ' && !spaces_ok))
            return 0;
    }
    return 1;
}

/*
 * The SMTP server: smtp:// (STARTTLS, required unless the host is a
 * loopback address literal or --smtp-allow-plaintext is set: see
 * tsr_mail_tls_required) or smtps:// (TLS from the start), a host,
 * optional user:password@ and :port.  The value is
 * never quoted back in messages because it may carry a password.
 */
static int parse_smtp_url(const char *v, struct tsr_settings *out, char *why)
{
    size_t skip;
    if (strncasecmp(v, "smtp://", 7) == 0)
        skip = 7;
    else if (strncasecmp(v, "smtps://", 8) == 0)
        skip = 8;
    else
        return why_set(why, "must start with smtp:// or smtps://");
    if (!printable(v, 0))
        return why_set(why, "must not contain spaces or control characters");
    if (strlen(v) >= sizeof out->smtp_url)
        return why_set(why, "is too long (at most %zu characters)", sizeof out->smtp_url - 1);
    const char *auth = v + skip;
    const char *at = memchr(auth, '@', strcspn(auth, "/?#"));
    const char *host = at ? at + 1 : auth;
    if (*host == '\0' || *host == '/' || *host == ':')
        return why_set(why, "has no host");
    memcpy(out->smtp_url, v, strlen(v) + 1);
    return 0;
}

/* addr@domain: one '@', both sides non-empty, no spaces or angle brackets. */
static int address_ok(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (at == NULL || at == s || at == s + len - 1 || memchr(at + 1, '@', len - (size_t)(at - s) - 1))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '<' || s[i] == '>' || s[i] == ',' || s[i] == ';')
            return 0;
    return 1;
}

/* The sender: "addr@host" or "Display Name <addr@host>". */
static int parse_smtp_from(const char *v, struct tsr_settings *out, char *why)
{
    char shown[64];
    size_t len = strlen(v);
    if (!printable(v, 1))
        return why_set(why, "must not contain control characters");
    if (len >= sizeof out->smtp_from)
        return why_set(why, "is too long (at most %zu characters)", sizeof out->smtp_from - 1);
    const char *lt = strchr(v, '<');
    int ok = lt == NULL ? address_ok(v, len)
                        : (len > 2 && v[len - 1] == '>' && strchr(lt + 1, '<') == NULL &&
                           address_ok(lt + 1, (size_t)(v + len - 1 - (lt + 1))) &&
                           memchr(v, '>', (size_t)(lt - v)) == NULL);
    if (!ok)
        return why_set(why, "expected an address such as no-reply@example.com or "
                            "\"Example <no-reply@example.com>\", got \"%s\"",
                       show(v, shown));
    memcpy(out->smtp_from, v, len + 1);
    return 0;
}

/* true|false, yes|no, on|off, 1|0, any case. */
static int parse_bool(const char *v, bool *out, char *why)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    char shown[64];
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return why_set(why, "expected true or false, got \"%s\"", show(v, shown));
}

/* Parses value for key into the layer; who names the setting in errors. */
static int apply(struct layer *l, enum key k, const char *value, const char *who, char *err,
                 size_t errlen)
{
    char why[WHY_LEN];
    int rc = -1;

    switch (k) {
    case K_LISTEN:
        rc = parse_listen(value, &l->v, why);
        break;
    case K_PUBLIC_URL:
        rc = parse_public_url(value, &l->v, why);
        break;
    case K_DATA_DIR:
        rc = parse_data_dir(value, &l->v, why);
        break;
    case K_LOG_LEVEL:
        rc = parse_log_level(value, &l->v, why);
        break;
    case K_THREADS:
        rc = parse_threads(value, &l->v, why);
        break;
    case K_SMTP_URL:
        rc = parse_smtp_url(value, &l->v, why);
        break;
    case K_SMTP_FROM:
        rc = parse_smtp_from(value, &l->v, why);
        break;
    case K_TLS_CERT:
        rc = parse_path(value, l->v.tls_cert, sizeof l->v.tls_cert, why);
        break;
    case K_TLS_KEY:
        rc = parse_path(value, l->v.tls_key, sizeof l->v.tls_key, why);
        break;
    case K_TRUST_PROXY:
        rc = parse_bool(value, &l->v.trust_proxy, why);
        break;
    case K_MAX_CONNECTIONS:
        rc = parse_uint(value, TSR_SETTINGS_MIN_CONNECTIONS, TSR_SETTINGS_MAX_CONNECTIONS,
                        &l->v.max_connections, why);
        break;
    case K_MAX_CONNECTIONS_PER_IP:
        rc = parse_uint(value, 0, TSR_SETTINGS_MAX_CONNECTIONS, &l->v.max_connections_per_ip, why);
        break;
    case K_HEADER_TIMEOUT:
        rc = parse_uint(value, 1, TSR_SETTINGS_MAX_HEADER_TIMEOUT, &l->v.header_timeout, why);
        break;
    case K_BODY_MIN_RATE:
        rc = parse_uint(value, 1, TSR_SETTINGS_MAX_BODY_MIN_RATE, &l->v.body_min_rate, why);
        break;
    case K_SMTP_ALLOW_PLAINTEXT:
        rc = parse_bool(value, &l->v.smtp_allow_plaintext, why);
        break;
    case K_CONFIG:
        rc = parse_path(value, l->v.config_path, sizeof l->v.config_path, why);
        break;
    default:
        rc = tsr_limits_parse(&l->v.limits, (int)k - K_LIMIT_FIRST, value, why, sizeof why);
        break;
    }
    if (rc != 0)
        return fail(err, errlen, "%s: %s", who, why);
    l->set |= 1u << k;
    return 0;
}

/* ---- sources --------------------------------------------------------------- */

static int load_flags(struct layer *l, int argc, char **argv, char *err, size_t errlen)
{
    char shown[64];
    char who[80];

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a == NULL)
            continue;
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (a[0] == '-')
                return fail(err, errlen, "unknown option %s", show(a, shown));
            return fail(err, errlen, "unexpected argument \"%s\"", show(a, shown));
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
        int k = 0;
        while (k < K_COUNT &&
               !(strlen(keys[k].flag) == nlen && memcmp(keys[k].flag, name, nlen) == 0))
            k++;
        if (k == K_COUNT) {
            char tmp[64];
            size_t n = nlen < sizeof tmp - 1 ? nlen : sizeof tmp - 1;
            memcpy(tmp, name, n);
            tmp[n] = '\0';
            return fail(err, errlen, "unknown option --%s", show(tmp, shown));
        }
        snprintf(who, sizeof who, "--%s", keys[k].flag);
        const char *value;
        if (eq != NULL)
            value = eq + 1;
        else if (k == K_TRUST_PROXY || k == K_SMTP_ALLOW_PLAINTEXT) /* booleans: flag alone = on */
            value = "true";
        else if (i + 1 < argc && argv[i + 1] != NULL && strncmp(argv[i + 1], "--", 2) != 0)
            value = argv[++i];
        else
            return fail(err, errlen, "%s: missing value", who);
        int rc = apply(l, (enum key)k, value, who, err, errlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int load_env(struct layer *l, tsr_getenv_fn getenv_fn, char *err, size_t errlen)
{
    for (int k = 0; k < K_COUNT; k++) {
        const char *v = getenv_fn(keys[k].env);
        if (v == NULL || v[0] == '\0') /* empty counts as unset */
            continue;
        int rc = apply(l, (enum key)k, v, keys[k].env, err, errlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Parses one non-blank, non-comment line of the config file. */
static int file_line(struct layer *l, int lines[K_COUNT], const char *path, int lineno, char *p,
                     char *err, size_t errlen)
{
    char shown[64];
    char who[WHO_LEN];

    /* " #" starts a trailing comment. */
    for (char *c = p + 1; *c != '\0'; c++) {
        if (*c == '#' && (c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    }
    char *eq = strchr(p, '=');
    if (eq == NULL)
        return fail(err, errlen, "%s:%d: expected \"key = value\"", path, lineno);
    *eq = '\0';
    char *key = trim(p);
    char *value = trim(eq + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
        value[vlen - 1] = '\0';
        value++;
    }
    int k = 0;
    while (k < K_COUNT && !(keys[k].file != NULL && strcmp(keys[k].file, key) == 0))
        k++;
    if (k == K_COUNT)
        return fail(err, errlen, "%s:%d: unknown key \"%s\"", path, lineno, show(key, shown));
    snprintf(who, sizeof who, "%s:%d %s", path, lineno, key);
    if (lines[k] != 0)
        return fail(err, errlen, "%s: already set on line %d", who, lines[k]);
    lines[k] = lineno;
    if (value[0] == '\0')
        return fail(err, errlen, "%s: missing value", who);
    return apply(l, (enum key)k, value, who, err, errlen);
}

static int load_file(struct layer *l, const char *path, const char *source, char *err,
                     size_t errlen)
{
    int lines[K_COUNT] = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    int rc = 0;

    FILE *f = fopen(path, "re");
    if (f == NULL)
        return fail(err, errlen, "%s: cannot read %s: %s", source, path, strerror(errno));
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n > MAX_LINE) {
            rc = fail(err, errlen, "%s:%d: line is too long (at most %d bytes)", path, lineno,
                      MAX_LINE);
            goto out;
        }
        if (strlen(line) != (size_t)n) {
            rc = fail(err, errlen, "%s:%d: line contains a NUL byte", path, lineno);
            goto out;
        }
        char *p = trim(line);
        if (*p == '\0' || *p == '#')
            continue;
        if ((rc = file_line(l, lines, path, lineno, p, err, errlen)) != 0)
            goto out;
    }
    if (ferror(f))
        rc = fail(err, errlen, "%s: cannot read %s: %s", source, path, strerror(errno));
out:
    free(line);
    fclose(f);
    return rc;
}

/* ---- merging --------------------------------------------------------------- */

static void copy_key(struct tsr_settings *dst, const struct tsr_settings *src, enum key k)
{
    switch (k) {
    case K_LISTEN:
        memcpy(dst->listen_host, src->listen_host, sizeof dst->listen_host);
        dst->listen_port = src->listen_port;
        break;
    case K_PUBLIC_URL:
        memcpy(dst->public_url, src->public_url, sizeof dst->public_url);
        break;
    case K_DATA_DIR:
        memcpy(dst->data_dir, src->data_dir, sizeof dst->data_dir);
        break;
    case K_LOG_LEVEL:
        dst->log_level = src->log_level;
        break;
    case K_THREADS:
        dst->threads = src->threads;
        break;
    case K_SMTP_URL:
        memcpy(dst->smtp_url, src->smtp_url, sizeof dst->smtp_url);
        break;
    case K_SMTP_FROM:
        memcpy(dst->smtp_from, src->smtp_from, sizeof dst->smtp_from);
        break;
    case K_TLS_CERT:
        memcpy(dst->tls_cert, src->tls_cert, sizeof dst->tls_cert);
        break;
    case K_TLS_KEY:
        memcpy(dst->tls_key, src->tls_key, sizeof dst->tls_key);
        break;
    case K_TRUST_PROXY:
        dst->trust_proxy = src->trust_proxy;
        break;
    case K_MAX_CONNECTIONS:
        dst->max_connections = src->max_connections;
        break;
    case K_MAX_CONNECTIONS_PER_IP:
        dst->max_connections_per_ip = src->max_connections_per_ip;
        break;
    case K_HEADER_TIMEOUT:
        dst->header_timeout = src->header_timeout;
        break;
    case K_BODY_MIN_RATE:
        dst->body_min_rate = src->body_min_rate;
        break;
    case K_SMTP_ALLOW_PLAINTEXT:
        dst->smtp_allow_plaintext = src->smtp_allow_plaintext;
        break;
    case K_CONFIG:
        memcpy(dst->config_path, src->config_path, sizeof dst->config_path);
        break;
    default:
        tsr_limits_copy(&dst->limits, &src->limits, (int)k - K_LIMIT_FIRST);
        if (k == K_LIMIT_FIRST + TSR_LK_TRUSTED_PROXIES)
            dst->trusted_proxies_set = true;
        break;
    }
}

void tsr_settings_defaults(struct tsr_settings *s)
{
    memset(s, 0, sizeof *s);
    memcpy(s->listen_host, "127.0.0.1", sizeof "127.0.0.1");
    s->listen_port = 8080;
    memcpy(s->public_url, "http://localhost:8080/", sizeof "http://localhost:8080/");
    memcpy(s->data_dir, "./data", sizeof "./data");
    s->config_path[0] = '\0';
    s->log_level = TSR_LOG_INFO;
    s->threads = 0;
    s->max_connections = 4096;
    s->max_connections_per_ip = 512;
    s->header_timeout = 20;
    s->body_min_rate = 1024;
    tsr_limits_defaults(&s->limits);
}

/* ---- TLS files ------------------------------------------------------------- */

/*
 * Checks that path is a readable regular file holding a PEM block whose
 * label ends with label_end ("CERTIFICATE", "PRIVATE KEY").
 */
static int check_pem(const char *path, const char *label_end, char *why)
{
    char buf[256];
    struct stat st;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return why_set(why, "cannot read %.200s: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return why_set(why, "%.200s is not a regular file", path);
    }
    int found = 0;
    while (!found && fgets(buf, sizeof buf, f) != NULL) {
        if (strncmp(buf, "-----BEGIN ", 11) != 0)
            continue;
        char *end = strstr(buf + 11, "-----");
        size_t llen = strlen(label_end);
        found = end != NULL && (size_t)(end - (buf + 11)) >= llen &&
                memcmp(end - llen, label_end, llen) == 0;
    }
    fclose(f);
    if (!found)
        return why_set(why, "%.200s holds no PEM \"%s\" block", path, label_end);
    return 0;
}

/* Names where key k came from, for messages. */
static void source_name(const struct layer layers[3], enum key k, const char *config_path,
                        char *who, size_t len)
{
    if (layers[0].set & (1u << k))
        snprintf(who, len, "--%s", keys[k].flag);
    else if (layers[1].set & (1u << k))
        snprintf(who, len, "%s", keys[k].env);
    else
        snprintf(who, len, "%.900s: %s", config_path, keys[k].file);
}

static int check_tls(const struct tsr_settings *s, const struct layer layers[3], char *err,
                     size_t errlen)
{
    char who[WHO_LEN];
    char why[WHY_LEN];
    if (s->tls_cert[0] == '\0' && s->tls_key[0] == '\0')
        return 0;
    if (s->tls_key[0] == '\0') {
        source_name(layers, K_TLS_CERT, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: needs --tls-key as well (both or neither)", who);
    }
    if (s->tls_cert[0] == '\0') {
        source_name(layers, K_TLS_KEY, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: needs --tls-cert as well (both or neither)", who);
    }
    if (check_pem(s->tls_cert, "CERTIFICATE", why) != 0) {
        source_name(layers, K_TLS_CERT, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: %s", who, why);
    }
    if (check_pem(s->tls_key, "PRIVATE KEY", why) != 0) {
        source_name(layers, K_TLS_KEY, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: %s", who, why);
    }
    return 0;
}

size_t tsr_settings_warnings(const struct tsr_settings *s, char out[][TSR_SETTINGS_WARN_LEN],
                             size_t max)
{
    size_t n = 0;
    struct stat st;
    if (n < max && s->tls_key[0] != '\0' && stat(s->tls_key, &st) == 0 &&
        (st.st_mode & S_IROTH) != 0)
        snprintf(out[n++], TSR_SETTINGS_WARN_LEN,
                 "--tls-key: %.150s is readable by every user; chmod 600 it", s->tls_key);
    if (n < max && s->tls_cert[0] != '\0' && strncmp(s->public_url, "https://", 8) != 0)
        snprintf(out[n++], TSR_SETTINGS_WARN_LEN,
                 "--public-url: %.150s is not https:// although HTTPS is on; issuer and "
                 "links will say http",
                 s->public_url);
    if (n < max && s->trusted_proxies_set && !s->trust_proxy)
        snprintf(out[n++], TSR_SETTINGS_WARN_LEN,
                 "--trusted-proxies: ignored without --trust-proxy; X-Forwarded-* headers "
                 "are not honoured");
    return n;
}

static const char *system_getenv(const char *name)
{
    return getenv(name);
}

int tsr_settings_load(struct tsr_settings *s, int argc, char **argv, tsr_getenv_fn getenv_fn,
                      char *err, size_t errlen)
{
    struct layer layers[3]; /* flags, environment, file */
    int rc;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (s == NULL || argc < 0 || (argc > 0 && argv == NULL))
        return fail(err, errlen, "invalid arguments");
    tsr_settings_defaults(s);
    if (getenv_fn == NULL)
        getenv_fn = system_getenv;
    memset(layers, 0, sizeof layers);

    if ((rc = load_flags(&layers[0], argc, argv, err, errlen)) != 0)
        goto out;
    if ((rc = load_env(&layers[1], getenv_fn, err, errlen)) != 0)
        goto out;
    for (int i = 0; i < 2; i++) {
        if (layers[i].set & (1u << K_CONFIG)) {
            rc = load_file(&layers[2], layers[i].v.config_path,
                           i == 0 ? "--config" : keys[K_CONFIG].env, err, errlen);
            if (rc != 0)
                goto out;
            break;
        }
    }

    struct tsr_settings merged;
    tsr_settings_defaults(&merged);
    for (int k = 0; k < K_COUNT; k++) {
        for (int i = 0; i < 3; i++) {
            if (layers[i].set & (1u << k)) {
                copy_key(&merged, &layers[i].v, (enum key)k);
                break;
            }
        }
    }
    if ((rc = check_tls(&merged, layers, err, errlen)) != 0)
        goto out;
    *s = merged;
out:
    return rc;
}
