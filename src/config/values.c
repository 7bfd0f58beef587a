/*
 * values.c - parsers of the server's own setting values (values.h): the
 * listen address, the public URL, paths, the log level, numbers, the SMTP
 * server and sender, booleans.
 */
#include "config/values.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/url.h"

#define MAX_THREADS 256

/*
 * Copies a value for quoting in a message: at most 60 bytes, control
 * characters replaced by '?', "..." when cut, so a message stays one line.
 */
const char *tsr_cfg_show(const char *v, char buf[64])
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

int tsr_cfg_why(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, TSR_CFG_WHY_LEN, fmt, ap);
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
        return tsr_cfg_why(why, "port is missing");
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            char tmp[64];
            size_t n = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            return tsr_cfg_why(why, "port \"%s\" is not a number", tsr_cfg_show(tmp, shown));
        }
        if (v <= 65535)
            v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < 1 || v > 65535) {
        size_t n = len < sizeof digits - 1 ? len : sizeof digits - 1;
        memcpy(digits, s, n);
        digits[n] = '\0';
        return tsr_cfg_why(why, "port %s%s is out of range (1-65535)", digits,
                           n < len ? "..." : "");
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
    struct tsr_url_part hp, pp;

    *bracketed = 0;
    *port = 0;
    int split = tsr_url_hostport(s, len, &hp, &pp);
    if (split == TSR_URL_HOSTPORT_UNCLOSED)
        return tsr_cfg_why(why, "missing ']' after the IPv6 address");
    const char *h = hp.p;
    size_t hlen = hp.n;
    if (len > 0 && s[0] == '[') {
        h++;
        hlen -= 2;
        *bracketed = 1;
    } else if (pp.present && memchr(pp.p, ':', pp.n) != NULL) {
        return tsr_cfg_why(why, "IPv6 addresses must be in brackets, e.g. [::1]:8080");
    }

    if (hlen == 0)
        return tsr_cfg_why(why, "host is missing");
    if (hlen >= hostlen)
        return tsr_cfg_why(why, "host is too long (at most %zu characters)", hostlen - 1);
    for (size_t i = 0; i < hlen; i++)
        host[i] = lower(h[i]);
    host[hlen] = '\0';
    if (*bracketed) {
        struct in6_addr a6;
        if (inet_pton(AF_INET6, host, &a6) != 1)
            return tsr_cfg_why(why, "\"%.64s\" is not an IPv6 address", host);
    } else {
        for (size_t i = 0; i < hlen; i++) {
            if (!is_alnum(host[i]) && host[i] != '.' && host[i] != '-' && host[i] != '_')
                return tsr_cfg_why(why, "host contains '%c', which is not allowed in a host name",
                                   (unsigned char)host[i] < 0x20 ? '?' : host[i]);
        }
    }

    if (split == TSR_URL_HOSTPORT_AFTER_BRACKET)
        return tsr_cfg_why(why, "unexpected text after ']'");
    if (!pp.present) {
        if (port_optional)
            return 0;
        return tsr_cfg_why(why, "port is missing (expected HOST:PORT)");
    }
    return parse_port(pp.p, pp.n, port, why);
}

int tsr_cfg_parse_listen(const char *v, struct tsr_settings *out, char *why)
{
    char shown[64];
    int bracketed;

    if (v[0] == '\0')
        return tsr_cfg_why(why, "expected HOST:PORT, got \"\"");
    if (v[0] != '[' && strchr(v, ':') == NULL)
        return tsr_cfg_why(why, "expected HOST:PORT, got \"%s\"", tsr_cfg_show(v, shown));
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
int tsr_cfg_parse_public_url(const char *v, struct tsr_settings *out, char *why)
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
            return tsr_cfg_why(why, "must not contain spaces or control characters");
        if (c >= 0x80)
            return tsr_cfg_why(why, "must be ASCII (percent-encode other characters)");
    }
    if (strlen(v) >= TSR_SETTINGS_MAX_URL)
        return tsr_cfg_why(why, "is too long (at most %d characters)", TSR_SETTINGS_MAX_URL - 1);
    struct tsr_url u;
    if (tsr_url_split(v, &u) != 0 || !u.authority.present ||
        tsr_url_default_port(u.scheme.p, u.scheme.n) == 0)
        return tsr_cfg_why(why, "must start with http:// or https://");
    https = tsr_url_default_port(u.scheme.p, u.scheme.n) == 443;

    const char *auth = u.authority.p;
    size_t alen = u.authority.n;
    const char *path = auth + alen; /* the path and anything after it, as written */
    if (u.userinfo.present)
        return tsr_cfg_why(why, "must not contain a user name or password");
    if (strchr(path, '?') != NULL)
        return tsr_cfg_why(why, "must not contain a query (?...)");
    if (strchr(path, '#') != NULL)
        return tsr_cfg_why(why, "must not contain a fragment (#...)");
    if (alen == 0 || auth[0] == ':')
        return tsr_cfg_why(why, "has no host");
    if (parse_hostport(auth, alen, 1, host, sizeof host, &bracketed, &port, why) != 0)
        return -1;

    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '%') {
            if (!is_hex(p[1]) || !is_hex(p[2]))
                return tsr_cfg_why(why, "path has a '%%' not followed by two hex digits");
            p += 2;
        } else if (!path_char_ok(*p)) {
            return tsr_cfg_why(why, "path contains '%c', which is not allowed in a URL", *p);
        }
    }
    size_t plen = strlen(path);
    while (plen > 0 && path[plen - 1] == '/')
        plen--;
    for (size_t i = 0; i < plen;) {
        size_t seg = strcspn(path + i + 1, "/");
        if ((seg == 1 && path[i + 1] == '.') || (seg == 2 && memcmp(path + i + 1, "..", 2) == 0))
            return tsr_cfg_why(why, "path must not contain \".\" or \"..\" segments");
        i += seg + 1;
    }

    int rc = append(norm, sizeof norm, &pos, https ? "https://" : "http://", https ? 8 : 7);
    if (bracketed)
        rc |= append(norm, sizeof norm, &pos, "[", 1);
    rc |= append(norm, sizeof norm, &pos, host, strlen(host));
    if (bracketed)
        rc |= append(norm, sizeof norm, &pos, "]", 1);
    if (port != 0 && port != tsr_url_default_port(u.scheme.p, u.scheme.n)) {
        int n = snprintf(portbuf, sizeof portbuf, ":%u", (unsigned)port);
        rc |= append(norm, sizeof norm, &pos, portbuf, (size_t)n);
    }
    rc |= append(norm, sizeof norm, &pos, path, plen);
    rc |= append(norm, sizeof norm, &pos, "/", 1);
    if (rc != 0)
        return tsr_cfg_why(why, "is too long (at most %d characters)", TSR_SETTINGS_MAX_URL - 1);
    memcpy(out->public_url, norm, pos + 1);
    return 0;
}

/* A path: not empty, fits, no control characters. */
int tsr_cfg_parse_path(const char *v, char *out, size_t cap, char *why)
{
    size_t len = strlen(v);
    if (len == 0)
        return tsr_cfg_why(why, "must not be empty");
    if (len >= cap)
        return tsr_cfg_why(why, "is too long (at most %zu characters)", cap - 1);
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return tsr_cfg_why(why, "must not contain control characters");
    }
    memcpy(out, v, len + 1);
    return 0;
}

int tsr_cfg_parse_data_dir(const char *v, struct tsr_settings *out, char *why)
{
    if (tsr_cfg_parse_path(v, out->data_dir, sizeof out->data_dir, why) != 0)
        return -1;
    size_t len = strlen(out->data_dir);
    while (len > 1 && out->data_dir[len - 1] == '/')
        out->data_dir[--len] = '\0';
    return 0;
}

int tsr_cfg_parse_log_level(const char *v, struct tsr_settings *out, char *why)
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
    return tsr_cfg_why(why, "expected debug, info, warn or error, got \"%s\"",
                       tsr_cfg_show(v, shown));
}

int tsr_cfg_parse_threads(const char *v, struct tsr_settings *out, char *why)
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
        return tsr_cfg_why(why, "expected a number from 0 to %d, got \"%s\"", MAX_THREADS,
                           tsr_cfg_show(v, shown));
    out->threads = n;
    return 0;
}

/* A decimal number from min to max (no sign, no spaces). */
int tsr_cfg_parse_uint(const char *v, unsigned min, unsigned max, unsigned *out, char *why)
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
        return tsr_cfg_why(why, "expected a number from %u to %u, got \"%s\"", min, max,
                           tsr_cfg_show(v, shown));
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
int tsr_cfg_parse_smtp_url(const char *v, struct tsr_settings *out, char *why)
{
    size_t skip;
    if (strncasecmp(v, "smtp://", 7) == 0)
        skip = 7;
    else if (strncasecmp(v, "smtps://", 8) == 0)
        skip = 8;
    else
        return tsr_cfg_why(why, "must start with smtp:// or smtps://");
    if (!printable(v, 0))
        return tsr_cfg_why(why, "must not contain spaces or control characters");
    if (strlen(v) >= sizeof out->smtp_url)
        return tsr_cfg_why(why, "is too long (at most %zu characters)", sizeof out->smtp_url - 1);
    const char *auth = v + skip;
    const char *at = memchr(auth, '@', strcspn(auth, "/?#"));
    const char *host = at ? at + 1 : auth;
    if (*host == '\0' || *host == '/' || *host == ':')
        return tsr_cfg_why(why, "has no host");
    memcpy(out->smtp_url, v, strlen(v) + 1);
    return 0;
}

/* addr@domain: one '@', both sides non-empty, no spaces or angle brackets. */
static int address_ok(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (at == NULL || at == s || at == s + len - 1 ||
        memchr(at + 1, '@', len - (size_t)(at - s) - 1))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '<' || s[i] == '>' || s[i] == ',' || s[i] == ';')
            return 0;
    return 1;
}

/* The sender: "addr@host" or "Display Name <addr@host>". */
int tsr_cfg_parse_smtp_from(const char *v, struct tsr_settings *out, char *why)
{
    char shown[64];
    size_t len = strlen(v);
    if (!printable(v, 1))
        return tsr_cfg_why(why, "must not contain control characters");
    if (len >= sizeof out->smtp_from)
        return tsr_cfg_why(why, "is too long (at most %zu characters)", sizeof out->smtp_from - 1);
    const char *lt = strchr(v, '<');
    int ok = lt == NULL ? address_ok(v, len)
                        : (len > 2 && v[len - 1] == '>' && strchr(lt + 1, '<') == NULL &&
                           address_ok(lt + 1, (size_t)(v + len - 1 - (lt + 1))) &&
                           memchr(v, '>', (size_t)(lt - v)) == NULL);
    if (!ok)
        return tsr_cfg_why(why,
                           "expected an address such as no-reply@example.com or "
                           "\"Example <no-reply@example.com>\", got \"%s\"",
                           tsr_cfg_show(v, shown));
    memcpy(out->smtp_from, v, len + 1);
    return 0;
}

/* true|false, yes|no, on|off, 1|0, any case. */
int tsr_cfg_parse_bool(const char *v, bool *out, char *why)
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
    return tsr_cfg_why(why, "expected true or false, got \"%s\"", tsr_cfg_show(v, shown));
}
