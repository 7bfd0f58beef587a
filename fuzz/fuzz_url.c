/*
 * fuzz_url.c - the one URL reader (util/url.h) and the readers built on it
 * that take URLs from outside: the consent loopback rule
 * (tsr_consent_loopback_url, on a redirect_uri) and the issuer split
 * (tsr_issuer_split, on a tenant's issuer).
 *
 * Input: one URL (any bytes; a NUL ends it).
 * Invariants:
 *  - a URL longer than TSR_URL_MAX is refused; a refused URL leaves every
 *    part absent;
 *  - the parts reassemble to the input: scheme ":" ["//" authority] path
 *    ["?" query] ["#" fragment], and userinfo "@" host [":" port] (or
 *    host followed by the text after ']') is the authority;
 *  - the origin is a prefix of the input, never longer, and its own origin;
 *    it exists exactly when there is an authority;
 *  - a port number is in 1..65535 or -1; the transport rule only holds for
 *    http and https;
 *  - the issuer split's host and path fit their buffers and come from the
 *    input.
 */
#include <string.h>
#include <strings.h>

#include "core/consent.h"
#include "core/tenant.h"
#include "fuzz.h"
#include "util/url.h"

/* Appends part p (when present, after prefix) to out at *pos. */
static void put(char *out, size_t *pos, const char *prefix, const struct tsr_url_part *p)
{
    if (!p->present)
        return;
    size_t n = strlen(prefix);
    memcpy(out + *pos, prefix, n);
    memcpy(out + *pos + n, p->p, p->n);
    *pos += n + p->n;
}

static void check_parts(const char *url, size_t len, const struct tsr_url *u)
{
    char *again = malloc(len + 1);
    FUZZ_CHECK(again != NULL);
    size_t pos = 0;
    FUZZ_CHECK(u->scheme.present && u->scheme.p == url && u->scheme.n > 0);
    put(again, &pos, "", &u->scheme);
    again[pos++] = ':';
    put(again, &pos, "//", &u->authority);
    FUZZ_CHECK(u->path.present);
    put(again, &pos, "", &u->path);
    put(again, &pos, "?", &u->query);
    put(again, &pos, "#", &u->fragment);
    FUZZ_CHECK(pos == len && memcmp(again, url, len) == 0);
    free(again);

    if (!u->authority.present) {
        FUZZ_CHECK(!u->userinfo.present && !u->host.present && !u->port.present);
        return;
    }
    const struct tsr_url_part *a = &u->authority;
    FUZZ_CHECK(strcspn(a->p, "/?#") >= a->n);
    if (u->hostport == TSR_URL_HOSTPORT_UNCLOSED) {
        FUZZ_CHECK(!u->host.present && !u->port.present);
        return;
    }
    /* userinfo "@" host [":" port | text after ']'] is the authority. */
    const char *h = a->p;
    if (u->userinfo.present) {
        FUZZ_CHECK(u->userinfo.p == a->p && a->p[u->userinfo.n] == '@');
        h = a->p + u->userinfo.n + 1;
    }
    FUZZ_CHECK(u->host.present && u->host.p == h);
    FUZZ_CHECK(memchr(h, '@', u->host.n) == NULL);
    size_t used = (size_t)(h - a->p) + u->host.n;
    if (u->port.present) {
        FUZZ_CHECK(u->hostport == TSR_URL_HOSTPORT_OK && h[u->host.n] == ':');
        FUZZ_CHECK(u->port.p == h + u->host.n + 1);
        used += 1 + u->port.n;
        long port = tsr_url_port_number(u->port.p, u->port.n);
        FUZZ_CHECK(port == -1 || (port >= 1 && port <= 65535));
    } else if (u->hostport == TSR_URL_HOSTPORT_AFTER_BRACKET) {
        FUZZ_CHECK(h[0] == '[' && h[u->host.n - 1] == ']' && h[u->host.n] != ':');
        used = a->n;
    }
    FUZZ_CHECK(used == a->n);
}

static void check_origin(const char *url, size_t len, const struct tsr_url *u, bool split_ok)
{
    size_t cap = len + 1;
    char *out = malloc(cap), *again = malloc(cap);
    FUZZ_CHECK(out != NULL && again != NULL);
    bool ok = tsr_url_origin(url, out, cap);
    FUZZ_CHECK(ok == (split_ok && u->authority.present));
    if (ok) {
        size_t n = strlen(out);
        FUZZ_CHECK(n <= len && memcmp(out, url, n) == 0);
        FUZZ_CHECK(n == (size_t)(u->authority.p + u->authority.n - url));
        FUZZ_CHECK(tsr_url_origin(out, again, cap) && strcmp(again, out) == 0);
        /* One byte short does not fit, and leaves out empty. */
        FUZZ_CHECK(!tsr_url_origin(url, again, n) && (n == 0 || again[0] == '\0'));
    } else {
        FUZZ_CHECK(out[0] == '\0');
    }
    free(out);
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = fuzz_strndup(data, size);
    size_t len = strlen(url);
    struct tsr_url u;
    bool ok = tsr_url_split(url, &u) == 0;
    if (len > TSR_URL_MAX)
        FUZZ_CHECK(!ok);
    if (ok) {
        check_parts(url, len, &u);
        if (tsr_url_transport_ok(&u))
            FUZZ_CHECK(tsr_url_part_is(&u.scheme, "https") || tsr_url_part_is(&u.scheme, "http"));
        unsigned def = tsr_url_default_port(u.scheme.p, u.scheme.n);
        FUZZ_CHECK(def == 0 || def == 80 || def == 443);
    } else {
        FUZZ_CHECK(!u.scheme.present && !u.authority.present && !u.path.present);
    }
    check_origin(url, len, &u, ok);

    struct tsr_url_part host, port;
    int hp = tsr_url_hostport(url, len, &host, &port);
    FUZZ_CHECK(hp >= TSR_URL_HOSTPORT_OK && hp <= TSR_URL_HOSTPORT_AFTER_BRACKET);
    FUZZ_CHECK(host.present == (hp != TSR_URL_HOSTPORT_UNCLOSED));
    if (host.present)
        FUZZ_CHECK(host.p == url && host.n <= len);

    (void)tsr_consent_loopback_url(url);
    char ihost[64], prefix[64];
    if (tsr_issuer_split(url, ihost, sizeof ihost, prefix, sizeof prefix) == 0) {
        FUZZ_CHECK(ok && strlen(ihost) > 0 && strlen(ihost) < sizeof ihost);
        FUZZ_CHECK(prefix[0] != '\0' && strlen(prefix) < sizeof prefix);
        FUZZ_CHECK(strlen(ihost) == u.authority.n &&
                   strncasecmp(ihost, u.authority.p, u.authority.n) == 0);
    }
    free(url);
    return 0;
}
