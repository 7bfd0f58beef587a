#include "util/ipnet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void tsr_ip_net(const char *ip, char *out, size_t cap)
{
    struct in6_addr a6;
    if (strchr(ip, ':') != NULL && inet_pton(AF_INET6, ip, &a6) == 1) {
        char net[INET6_ADDRSTRLEN];
        memset(a6.s6_addr + 8, 0, 8);
        inet_ntop(AF_INET6, &a6, net, sizeof net);
        snprintf(out, cap, "%s/64", net);
        return;
    }
    snprintf(out, cap, "%s", ip);
}
