/*
 * ipnet.h - the network an address counts as for brute-force limits: an
 * IPv6 address as its /64 (one subscriber usually has a whole /64, so
 * counting single addresses would let one attacker rotate through them),
 * anything else as itself.  The rate limits (core/rate_limit.c) and the
 * lockout (core/lockout.c, through the SQL function tsr_ip_net) share it.
 */
#ifndef TSR_UTIL_IPNET_H
#define TSR_UTIL_IPNET_H

#include <stddef.h>

#define TSR_IP_NET_MAX 64

/* Writes the network of ip into out (cap bytes): "NET/64" or ip itself. */
void tsr_ip_net(const char *ip, char *out, size_t cap);

#endif
