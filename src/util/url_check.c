/*
 * url_check.c - which URLs a registration accepts (url_check.h): the one
 * rule the Management API and `tessera config apply` share.
 */
#include "util/url_check.h"

#include <ctype.h>
#include <string.h>

#include "util/url.h"

static bool one_of(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(s, *values) == 0)
            return true;
    return false;
}

/* Checks the authority's host[:port]: a name or an IPv6 literal, a port in 1..65535. */
static const char *authority_problem(const struct tsr_url *u)
{
    const struct tsr_url_part *h = &u->host;
    if (u->authority.n == 0)
        return "URL must have a host";
    if (u->userinfo.present)
        return "URL must not contain user information";
    if (u->hostport == TSR_URL_HOSTPORT_UNCLOSED)
        return "URL host is not valid";
    if (h->n > 0 && h->p[0] == '[') {
        for (size_t i = 1; i + 1 < h->n; i++)
            if (!isxdigit((unsigned char)h->p[i]) && h->p[i] != ':' && h->p[i] != '.')
                return "URL host is not valid";
    } else {
        for (size_t i = 0; i < h->n; i++)
            if (!isalnum((unsigned char)h->p[i]) && h->p[i] != '-' && h->p[i] != '.' &&
                h->p[i] != '_')
                return "URL host is not valid";
        if (h->n == 0)
            return "URL must have a host";
    }
    if (u->hostport == TSR_URL_HOSTPORT_AFTER_BRACKET ||
        (u->port.present && tsr_url_port_number(u->port.p, u->port.n) < 0))
        return "URL port is not valid";
    return NULL;
}

/* For http(s) URLs, split into u. */
static const char *web_url_problem(const struct tsr_url *u, enum tsr_url_kind kind)
{
    bool https = tsr_url_part_is(&u->scheme, "https");
    if (!u->authority.present)
        return "URL must be absolute";
    const char *why = authority_problem(u);
    if (why != NULL)
        return why;
    if (!https && kind == TSR_URL_HTTPS)
        return "URL must use https";
    if (!tsr_url_transport_ok(u))
        return "http is only allowed for localhost, 127.0.0.1 and [::1]; use https";
    if (kind == TSR_URL_ORIGIN && (u->path.n > 0 || u->query.present))
        return "An origin must not have a path or query (scheme://host[:port])";
    return NULL;
}

const char *tsr_url_problem(const char *url, enum tsr_url_kind kind)
{
    static const char *const banned[] = {"javascript", "data", "vbscript", "file", NULL};
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7F)
            return "URL must not contain whitespace or control characters";
    if (strchr(url, '#') != NULL)
        return "URL must not contain a fragment";
    struct tsr_url u;
    if (strlen(url) > TSR_URL_MAX)
        return "URL is too long";
    if (tsr_url_split(url, &u) != 0)
        return "URL must be absolute";
    size_t slen = u.scheme.n;
    char scheme[32];
    if (slen >= sizeof scheme)
        return "URL scheme is not allowed";
    for (size_t i = 0; i < slen; i++)
        scheme[i] = (char)tolower((unsigned char)url[i]);
    scheme[slen] = '\0';
    const char *rest = url + slen + 1;
    if (one_of(scheme, banned))
        return "URL scheme is not allowed";
    if (strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0)
        return web_url_problem(&u, kind);
    if (kind != TSR_URL_REDIRECT_NATIVE)
        return "URL must use https (or http on localhost)";
    if (*rest == '\0' || strcmp(rest, "//") == 0)
        return "URL must not be empty after the scheme";
    return NULL;
}
