/*
 * url.c - splitting URLs (RFC 3986 section 3), host[:port], origins and
 * the transport rule.  See url.h.
 */
#include "util/url.h"

#include <string.h>
#include <strings.h>

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct tsr_url_part part(const char *p, size_t n)
{
    return (struct tsr_url_part){.p = p, .n = n, .present = true};
}

int tsr_url_hostport(const char *s, size_t n, struct tsr_url_part *host,
                     struct tsr_url_part *port)
{
    *host = (struct tsr_url_part){0};
    *port = (struct tsr_url_part){0};
    size_t h;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL)
            return TSR_URL_HOSTPORT_UNCLOSED;
        h = (size_t)(close - s) + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        h = colon != NULL ? (size_t)(colon - s) : n;
    }
    *host = part(s, h);
    if (h == n)
        return TSR_URL_HOSTPORT_OK;
    if (s[h] != ':')
        return TSR_URL_HOSTPORT_AFTER_BRACKET;
    *port = part(s + h + 1, n - h - 1);
    return TSR_URL_HOSTPORT_OK;
}

int tsr_url_split(const char *url, struct tsr_url *u)
{
    *u = (struct tsr_url){0};
    if (url == NULL || !is_alpha(url[0]))
        return -1;
    size_t len = strnlen(url, TSR_URL_MAX + 1);
    if (len > TSR_URL_MAX)
        return -1;
    size_t i = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    if (url[i] != ':')
        return -1;
    u->scheme = part(url, i);
    const char *p = url + i + 1;
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        size_t a = strcspn(p, "/?#");
        u->authority = part(p, a);
        const char *host = p;
        for (const char *at = memchr(p, '@', a); at != NULL;
             at = memchr(at + 1, '@', a - (size_t)(at + 1 - p)))
            host = at + 1;
        if (host != p)
            u->userinfo = part(p, (size_t)(host - 1 - p));
        u->hostport = tsr_url_hostport(host, a - (size_t)(host - p), &u->host, &u->port);
        p += a;
    }
    size_t n = strcspn(p, "?#");
    u->path = part(p, n);
    p += n;
    if (*p == '?') {
        n = strcspn(p + 1, "#");
        u->query = part(p + 1, n);
        p += n + 1;
    }
    if (*p == '#')
        u->fragment = part(p + 1, strlen(p + 1));
    return 0;
}

long tsr_url_port_number(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1 && v <= 65535 ? v : -1;
}

unsigned tsr_url_default_port(const char *scheme, size_t n)
{
    if (n == 5 && strncasecmp(scheme, "https", 5) == 0)
        return 443;
    if (n == 4 && strncasecmp(scheme, "http", 4) == 0)
        return 80;
    return 0;
}

bool tsr_url_origin(const char *url, char *out, size_t outsz)
{
    struct tsr_url u;
    if (outsz > 0)
        out[0] = '\0';
    if (tsr_url_split(url, &u) != 0 || !u.authority.present)
        return false;
    size_t n = (size_t)(u.authority.p + u.authority.n - url);
    if (n >= outsz)
        return false;
    memcpy(out, url, n);
    out[n] = '\0';
    return true;
}

bool tsr_url_part_is(const struct tsr_url_part *pt, const char *s)
{
    return pt->present && strlen(s) == pt->n && strncasecmp(pt->p, s, pt->n) == 0;
}

bool tsr_url_loopback_host(const char *host, size_t n)
{
    static const char *const loop[] = {"localhost", "127.0.0.1", "[::1]"};
    for (size_t i = 0; i < sizeof loop / sizeof loop[0]; i++)
        if (strlen(loop[i]) == n && strncasecmp(host, loop[i], n) == 0)
            return true;
    return false;
}

bool tsr_url_transport_ok(const struct tsr_url *u)
{
    if (tsr_url_part_is(&u->scheme, "https"))
        return true;
    return tsr_url_part_is(&u->scheme, "http") && u->host.present &&
           tsr_url_loopback_host(u->host.p, u->host.n);
}
