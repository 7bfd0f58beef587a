/*
 * limits.c - parsing and defaults of the limit settings (limits.h), and
 * the address matching that trusted-proxies needs.
 */
#include "config/limits.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *flag;
    const char *env;
} names[TSR_LK_COUNT] = {
#define TSR_LIMIT_KEY_NAME(name, flag, env, ...) [TSR_LK_##name] = {flag, env},
    TSR_LIMIT_KEYS(TSR_LIMIT_KEY_NAME)
#undef TSR_LIMIT_KEY_NAME
};

static const char *const defaults[TSR_LK_COUNT] = {
#define TSR_LIMIT_KEY_DEFAULT(name, flag, env, arg, def, ...) [TSR_LK_##name] = def,
    TSR_LIMIT_KEYS(TSR_LIMIT_KEY_DEFAULT)
#undef TSR_LIMIT_KEY_DEFAULT
};

const char *tsr_limits_flag(int k)
{
    return k >= 0 && k < TSR_LK_COUNT ? names[k].flag : NULL;
}

const char *tsr_limits_env(int k)
{
    return k >= 0 && k < TSR_LK_COUNT ? names[k].env : NULL;
}

__attribute__((format(printf, 3, 4))) static int why_set(char *why, size_t len, const char *fmt,
                                                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return -1;
}

/* Copies v for a message: at most 60 bytes, control characters as '?'. */
static const char *show(const char *v, char buf[64])
{
    size_t i = 0;
    for (; v[i] != '\0' && i < 60; i++)
        buf[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? '?' : v[i];
    buf[i] = '\0';
    return buf;
}

int tsr_cidr_parse_addr(const char *text, struct tsr_cidr *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->addr) == 1) {
        out->family = 4;
        out->prefix = 32;
        return 0;
    }
    if (inet_pton(AF_INET6, text, out->addr) != 1)
        return -1;
    if (memcmp(out->addr, mapped, sizeof mapped) == 0) {
        memmove(out->addr, out->addr + 12, 4);
        memset(out->addr + 4, 0, 12);
        out->family = 4;
        out->prefix = 32;
        return 0;
    }
    out->family = 6;
    out->prefix = 128;
    return 0;
}

/* "ADDR" or "ADDR/PREFIX"; host bits must be zero so a typo is not a wider network. */
static int parse_cidr(const char *item, struct tsr_cidr *out, char *why, size_t whylen)
{
    char addr[64], shown[64];
    const char *slash = strchr(item, '/');
    size_t alen = slash ? (size_t)(slash - item) : strlen(item);
    if (alen == 0 || alen >= sizeof addr)
        return why_set(why, whylen, "\"%s\" is not an address or network", show(item, shown));
    memcpy(addr, item, alen);
    addr[alen] = '\0';
    if (tsr_cidr_parse_addr(addr, out) != 0)
        return why_set(why, whylen, "\"%s\" is not an address or network", show(item, shown));
    if (slash != NULL) {
        unsigned max = out->family == 4 ? 32 : 128, p = 0;
        const char *d = slash + 1;
        if (*d == '\0' || strlen(d) > 3 || strspn(d, "0123456789") != strlen(d))
            return why_set(why, whylen, "\"%s\": the prefix length is not a number",
                           show(item, shown));
        for (; *d; d++)
            p = p * 10 + (unsigned)(*d - '0');
        if (p > max)
            return why_set(why, whylen, "\"%s\": the prefix length is over %u", show(item, shown),
                           max);
        out->prefix = (uint8_t)p;
    }
    unsigned bytes = out->family == 4 ? 4 : 16;
    for (unsigned bit = out->prefix; bit < bytes * 8; bit++) {
        if (out->addr[bit / 8] & (0x80u >> (bit % 8)))
            return why_set(why, whylen, "\"%s\" has bits set after the prefix", show(item, shown));
    }
    return 0;
}

int tsr_cidr_parse_list(const char *value, struct tsr_cidr *out, size_t max, size_t *n, char *why,
                        size_t whylen)
{
    char item[80], shown[64];
    size_t count = 0;
    const char *p = value;
    while (*p != '\0') {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, " \t,");
        if (len == 0)
            break;
        if (len >= sizeof item)
            return why_set(why, whylen, "\"%s\" is not an address or network", show(p, shown));
        if (count == max)
            return why_set(why, whylen, "at most %zu networks", max);
        memcpy(item, p, len);
        item[len] = '\0';
        if (parse_cidr(item, &out[count], why, whylen) != 0)
            return -1;
        count++;
        p += len;
    }
    *n = count;
    return 0;
}

static int parse_proxies(struct tsr_limits *l, const char *v, char *why, size_t whylen)
{
    struct tsr_cidr nets[TSR_LIMITS_MAX_PROXIES];
    size_t n = 0;
    memset(nets, 0, sizeof nets); /* the unused entries too: they are copied */
    if (tsr_cidr_parse_list(v, nets, TSR_LIMITS_MAX_PROXIES, &n, why, whylen) != 0)
        return -1;
    if (n == 0)
        return why_set(why, whylen, "expected addresses or networks such as 10.0.0.0/8");
    memcpy(l->proxies, nets, sizeof nets);
    l->nproxies = n;
    return 0;
}

void tsr_cidr_format(const struct tsr_cidr *net, char *out, size_t cap)
{
    char addr[INET6_ADDRSTRLEN];
    unsigned full = net->family == 4 ? 32 : 128;
    if (inet_ntop(net->family == 4 ? AF_INET : AF_INET6, net->addr, addr, sizeof addr) == NULL)
        addr[0] = '\0';
    if (net->prefix == full)
        snprintf(out, cap, "%s", addr);
    else
        snprintf(out, cap, "%s/%u", addr, (unsigned)net->prefix);
}

/* A decimal number from lo to hi, the whole of s[0..len). */
static int parse_uint(const char *s, size_t len, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 10)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_rate(const char *v, struct tsr_rate *out, char *why, size_t whylen)
{
    char shown[64];
    if (strcasecmp(v, "off") == 0) {
        out->count = 0;
        out->seconds = 1;
        return 0;
    }
    const char *slash = strchr(v, '/');
    if (slash == NULL ||
        parse_uint(v, (size_t)(slash - v), 1, TSR_LIMITS_MAX_COUNT, &out->count) != 0 ||
        parse_uint(slash + 1, strlen(slash + 1), 1, TSR_LIMITS_MAX_SECONDS, &out->seconds) != 0)
        return why_set(why, whylen,
                       "expected COUNT/SECONDS (1-%u requests per 1-%u seconds) or off, got "
                       "\"%s\"",
                       TSR_LIMITS_MAX_COUNT, TSR_LIMITS_MAX_SECONDS, show(v, shown));
    return 0;
}

static int parse_number(const char *v, uint32_t lo, uint32_t hi, uint32_t *out, char *why,
                        size_t whylen)
{
    char shown[64];
    if (parse_uint(v, strlen(v), lo, hi, out) != 0)
        return why_set(why, whylen, "expected a number from %u to %u, got \"%s\"", lo, hi,
                       show(v, shown));
    return 0;
}

void tsr_limits_defaults(struct tsr_limits *l)
{
    char why[256];
    memset(l, 0, sizeof *l);
    /* The table's defaults are checked by the unit tests, so none fails here. */
    for (int k = 0; k < TSR_LK_COUNT; k++)
        (void)tsr_limits_parse(l, k, defaults[k], why, sizeof why);
    /* Not settings: the switches a tenant's attack protection turns (core/tenant_limits.h). */
    l->lockout_enabled = l->lockout_block = l->lockout_notify = true;
    l->ip_enabled = l->ip_block = l->ip_notify_admin = true;
}

/* The rate a key sets, or NULL for the keys that are not rates. */
static struct tsr_rate *rate_of(struct tsr_limits *l, int k)
{
    switch (k) {
    case TSR_LK_LOGIN_IP:
        return &l->per_ip[TSR_RATE_LOGIN];
    case TSR_LK_LOGIN_TENANT:
        return &l->per_tenant[TSR_RATE_LOGIN];
    case TSR_LK_SIGNUP_IP:
        return &l->per_ip[TSR_RATE_SIGNUP];
    case TSR_LK_SIGNUP_TENANT:
        return &l->per_tenant[TSR_RATE_SIGNUP];
    case TSR_LK_RESET_IP:
        return &l->per_ip[TSR_RATE_RESET];
    case TSR_LK_RESET_TENANT:
        return &l->per_tenant[TSR_RATE_RESET];
    case TSR_LK_RESET_ACCOUNT:
        return &l->reset_per_account;
    case TSR_LK_MGMT_CLIENT:
        return &l->mgmt_per_client;
    default:
        return NULL;
    }
}

int tsr_limits_parse(struct tsr_limits *l, int k, const char *value, char *why, size_t whylen)
{
    struct tsr_rate *r = rate_of(l, k);
    if (r != NULL)
        return parse_rate(value, r, why, whylen);
    switch (k) {
    case TSR_LK_TRUSTED_PROXIES:
        return parse_proxies(l, value, why, whylen);
    case TSR_LK_THROTTLE_FAILURES:
        return parse_number(value, 0, TSR_LIMITS_MAX_COUNT, &l->throttle_failures, why, whylen);
    case TSR_LK_THROTTLE_DELAY:
        return parse_number(value, 1, TSR_LIMITS_MAX_SECONDS, &l->throttle_delay, why, whylen);
    case TSR_LK_THROTTLE_MAX_DELAY:
        return parse_number(value, 1, TSR_LIMITS_MAX_SECONDS, &l->throttle_max_delay, why, whylen);
    case TSR_LK_LOCKOUT_ATTEMPTS:
        return parse_number(value, 0, TSR_LIMITS_MAX_COUNT, &l->lockout_attempts, why, whylen);
    case TSR_LK_LOCKOUT_WINDOW:
        return parse_number(value, 60, TSR_LIMITS_MAX_SECONDS, &l->lockout_window, why, whylen);
    default:
        return why_set(why, whylen, "unknown setting");
    }
}

void tsr_limits_copy(struct tsr_limits *dst, const struct tsr_limits *src, int k)
{
    struct tsr_rate *r = rate_of(dst, k);
    if (r != NULL) {
        *r = *rate_of((struct tsr_limits *)src, k);
        return;
    }
    switch (k) {
    case TSR_LK_TRUSTED_PROXIES:
        memcpy(dst->proxies, src->proxies, sizeof dst->proxies);
        dst->nproxies = src->nproxies;
        break;
    case TSR_LK_THROTTLE_FAILURES:
        dst->throttle_failures = src->throttle_failures;
        break;
    case TSR_LK_THROTTLE_DELAY:
        dst->throttle_delay = src->throttle_delay;
        break;
    case TSR_LK_THROTTLE_MAX_DELAY:
        dst->throttle_max_delay = src->throttle_max_delay;
        break;
    case TSR_LK_LOCKOUT_ATTEMPTS:
        dst->lockout_attempts = src->lockout_attempts;
        break;
    case TSR_LK_LOCKOUT_WINDOW:
        dst->lockout_window = src->lockout_window;
        break;
    default:
        break;
    }
}

bool tsr_cidr_contains(const struct tsr_cidr *nets, size_t n, const struct tsr_cidr *addr)
{
    for (size_t i = 0; i < n; i++) {
        const struct tsr_cidr *net = &nets[i];
        if (net->family != addr->family)
            continue;
        unsigned full = net->prefix / 8, rest = net->prefix % 8;
        if (memcmp(net->addr, addr->addr, full) != 0)
            continue;
        unsigned mask = (0xffu << (8 - rest)) & 0xffu;
        if (rest == 0 || ((net->addr[full] ^ addr->addr[full]) & mask) == 0)
            return true;
    }
    return false;
}

void tsr_cidr_forwarded_client(const char *list, size_t len, const struct tsr_cidr *peer,
                               const struct tsr_cidr *nets, size_t n, struct tsr_cidr *out)
{
    *out = *peer;
    if (!tsr_cidr_contains(nets, n, peer))
        return;
    size_t end = len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && list[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && (list[a] == ' ' || list[a] == '\t'))
            a++;
        while (b > a && (list[b - 1] == ' ' || list[b - 1] == '\t'))
            b--;
        char item[64];
        struct tsr_cidr hop;
        if (b == a || b - a >= sizeof item)
            return;
        memcpy(item, list + a, b - a);
        item[b - a] = '\0';
        if (tsr_cidr_parse_addr(item, &hop) != 0)
            return;
        *out = hop;
        if (!tsr_cidr_contains(nets, n, &hop))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}

struct tsr_rate tsr_limits_ip_rate(const struct tsr_limits *l, enum tsr_rate_class cls,
                                   const struct tsr_cidr *addr)
{
    static const struct tsr_rate none = {0, 1};
    if (cls == TSR_RATE_RESET)
        return l->per_ip[cls];
    if (!l->ip_enabled || !l->ip_block ||
        (addr != NULL && tsr_cidr_contains(l->ip_allow, l->nip_allow, addr)))
        return none;
    return l->per_ip[cls];
}

bool tsr_limits_lockout_counts(const struct tsr_limits *l, const char *ip)
{
    struct tsr_cidr a;
    if (!l->lockout_enabled || l->lockout_attempts == 0)
        return false;
    return ip == NULL || tsr_cidr_parse_addr(ip, &a) != 0 ||
           !tsr_cidr_contains(l->lockout_allow, l->nlockout_allow, &a);
}

int64_t tsr_limits_throttle_delay(const struct tsr_limits *l, int64_t failures)
{
    if (l->throttle_failures == 0 || failures < (int64_t)l->throttle_failures)
        return 0;
    int64_t delay = l->throttle_delay;
    for (int64_t i = l->throttle_failures; i < failures && delay < l->throttle_max_delay; i++)
        delay *= 2;
    return delay < l->throttle_max_delay ? delay : l->throttle_max_delay;
}
