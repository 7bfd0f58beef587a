/*
 * transport.c - which URLs the verifier may contact, and how.
 *
 * Keys, discovery and introspection answers decide which tokens are
 * accepted, so whoever can rewrite them in transit can mint tokens.  Every
 * URL therefore has to be https://, or http:// to a loopback host
 * (127.0.0.0/8, ::1, localhost: the traffic never leaves the machine), or
 * any http:// when the caller set allow_insecure_http.  A loopback http URL
 * is fetched without a proxy and only over a socket whose address is
 * loopback, so no resolver or environment setting can send it elsewhere.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

bool tsv_host_is_loopback(const char *host)
{
    if (host == NULL || host[0] == '\0')
        return false;
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    /* An IPv6 literal comes bracketed from a URL: "[::1]". */
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(host);
    if (n < 3 || n >= sizeof buf || host[0] != '[' || host[n - 1] != ']')
        return false;
    memcpy(buf, host + 1, n - 2);
    buf[n - 2] = '\0';
    struct in6_addr a6;
    return inet_pton(AF_INET6, buf, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

bool tsv_sockaddr_is_loopback(const struct sockaddr *sa)
{
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return true;
        /* ::ffff:127.x.y.z, the IPv4 loopback seen through an IPv6 socket. */
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}

int tsv_transport_check(const char *what, const char *url, bool allow_insecure_http,
                        enum tsv_transport *out, char *detail, size_t detaillen)
{
    char shown[128];
    tsv_printable(url != NULL ? url : "(none)", shown, sizeof shown, 100);
    *out = TSV_TRANSPORT_TLS;
    CURLU *u = curl_url();
    if (u == NULL)
        return TESSERA_ENOMEM;
    char *scheme = NULL, *host = NULL;
    int rc = TESSERA_ECONFIG;
    if (url == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        tsv_detail(detail, detaillen, "%s %s is not a URL", what, shown);
        goto out;
    }
    if (strcmp(scheme, "https") == 0) {
        rc = TESSERA_OK;
    } else if (strcmp(scheme, "http") != 0) {
        tsv_detail(detail, detaillen, "%s %s is not an http(s) URL", what, shown);
    } else if (tsv_host_is_loopback(host)) {
        *out = TSV_TRANSPORT_LOOPBACK;
        rc = TESSERA_OK;
    } else if (allow_insecure_http) {
        *out = TSV_TRANSPORT_INSECURE;
        rc = TESSERA_OK;
    } else {
        tsv_detail(detail, detaillen,
                   "%s %s is plain http to a host that is not loopback: anyone on the path "
                   "could forge keys and tokens; use https, or set allow_insecure_http",
                   what, shown);
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}
