/*
 * net.h - how libtessera-verify fetches: the transport rule for a URL and
 * the bounded, loopback-capable libcurl body sink.  The part of the library
 * the tessera CLI's Management API client shares (tsv_* prefix); everything
 * else stays in internal.h.
 */
#ifndef TSV_NET_H
#define TSV_NET_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* transport.c: how a URL may be fetched. */
enum tsv_transport {
    TSV_TRANSPORT_TLS,      /* https: TLS with peer and host verification */
    TSV_TRANSPORT_LOOPBACK, /* http to a loopback host: no proxy, loopback sockets only */
    TSV_TRANSPORT_INSECURE, /* http elsewhere: only with allow_insecure_http */
};
/*
 * Checks url (what names it in detail: "issuer", "jwks_uri", ...) against
 * the transport rule and sets *out.  Returns TESSERA_OK, TESSERA_ECONFIG
 * (detail says why) or TESSERA_ENOMEM.
 */
int tsv_transport_check(const char *what, const char *url, bool allow_insecure_http,
                        enum tsv_transport *out, char *detail, size_t detaillen);
/* localhost, 127.0.0.0/8 or [::1] as a URL spells the host. */
bool tsv_host_is_loopback(const char *host);
/* An IPv4 127.0.0.0/8, IPv6 ::1 or IPv4-mapped 127.0.0.0/8 address. */
bool tsv_sockaddr_is_loopback(const struct sockaddr *sa);

/*
 * A body collected by libcurl: tsv_http_sink_body is the WRITEFUNCTION and
 * tsv_http_open_loopback the OPENSOCKETFUNCTION of a loopback-only fetch,
 * both with the sink as their data.
 */
struct tsv_http_sink {
    char *buf; /* NUL-terminated; the caller frees */
    size_t len;
    size_t max;        /* the most bytes kept; more sets too_big and ends the transfer */
    bool too_big;
    bool not_loopback; /* a loopback-only fetch was about to connect elsewhere */
    long max_age;      /* http.c's Cache-Control max-age, -1 when none */
};
size_t tsv_http_sink_body(char *data, size_t size, size_t nmemb, void *sink);
curl_socket_t tsv_http_open_loopback(void *sink, curlsocktype purpose,
                                     struct curl_sockaddr *addr);

#endif
