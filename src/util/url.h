/*
 * url.h - the one URL reader: splitting an absolute URL into its parts
 * (RFC 3986 section 3), host[:port] splitting with IPv6 literals, port
 * numbers, origins, and the transport rule (https, or http only to a
 * loopback host) that registration applies.
 *
 * Nothing here allocates: the parts point into the caller's string, which
 * must outlive them.  Each caller keeps its own rule on top (which
 * characters a host may have, whether user information is refused) and its
 * own messages; what they share is where one part ends and the next begins.
 */
#ifndef TSR_UTIL_URL_H
#define TSR_UTIL_URL_H

#include <stdbool.h>
#include <stddef.h>

/* The longest URL tsr_url_split reads; longer ones are refused. */
#define TSR_URL_MAX 8192

/* A part of a URL: n bytes at p (not NUL-terminated); present when the
 * URL has the part, even empty ("https://h?" has an empty query). */
struct tsr_url_part {
    const char *p;
    size_t n;
    bool present;
};

struct tsr_url {
    struct tsr_url_part scheme;    /* as written, without the ':' */
    struct tsr_url_part authority; /* after "//", up to the first '/', '?' or '#' */
    struct tsr_url_part userinfo;  /* the authority up to its last '@' */
    struct tsr_url_part host;      /* after the user information; IPv6 with its brackets */
    struct tsr_url_part port;      /* after the ':' that follows the host, unchecked */
    struct tsr_url_part path;      /* always present, may be empty */
    struct tsr_url_part query;     /* without the '?' */
    struct tsr_url_part fragment;  /* without the '#' */
    int hostport;                  /* tsr_url_hostport's answer for the authority */
};

/* What tsr_url_hostport found. */
enum tsr_url_hostport_result {
    TSR_URL_HOSTPORT_OK = 0,
    TSR_URL_HOSTPORT_UNCLOSED = 1,     /* '[' without ']': host and port are absent */
    TSR_URL_HOSTPORT_AFTER_BRACKET = 2 /* "[...]" followed by text not starting with ':' */
};

/*
 * Splits url into u.  The scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" /
 * "." ) before the first ':'; "//" after it starts an authority.  Returns
 * 0, or -1 (u zeroed) when url is NULL, longer than TSR_URL_MAX or has no
 * scheme.  A malformed host[:port] is not an error here: u->hostport says
 * what tsr_url_hostport found, and callers judge.
 */
int tsr_url_split(const char *url, struct tsr_url *u);

/*
 * Splits s[0..n) ("host", "host:port", "[v6]", "[v6]:port") into host
 * (brackets included) and port (after the ':', possibly empty, not
 * checked: an unbracketed host ends at its first ':', so "a:b:c" has port
 * "b:c").  Returns a tsr_url_hostport_result; host is filled unless
 * UNCLOSED.
 */
int tsr_url_hostport(const char *s, size_t n, struct tsr_url_part *host,
                     struct tsr_url_part *port);

/* The port number of s[0..n): 1 to 5 ASCII digits, 1..65535; -1 otherwise. */
long tsr_url_port_number(const char *s, size_t n);

/* 443 for "https", 80 for "http" (any case), 0 for other schemes. */
unsigned tsr_url_default_port(const char *scheme, size_t n);

/*
 * Writes url's origin as written, "scheme://authority", into out (outsz
 * bytes with the NUL).  Returns false (out empty) when url has no
 * authority or the origin does not fit.  The origin is never longer than
 * url.
 */
bool tsr_url_origin(const char *url, char *out, size_t outsz);

/* True for the loopback hosts http is allowed to: localhost, 127.0.0.1
 * and [::1], in any case. */
bool tsr_url_loopback_host(const char *host, size_t n);

/* The transport rule: scheme https, or http to a loopback host (any case
 * of the scheme). */
bool tsr_url_transport_ok(const struct tsr_url *u);

/* True when the part equals the NUL-terminated s, ignoring ASCII case. */
bool tsr_url_part_is(const struct tsr_url_part *part, const char *s);

#endif
