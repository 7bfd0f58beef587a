/*
 * tenant_limits.h - a tenant's own rate limits and attack protection: the
 * values it stores (table tenant_limits, one row per key it overrides)
 * over the server's settings (config/limits.h), which stay the defaults.
 * The tenant snapshot (core/tenant_set.h) carries the merged, effective
 * struct tsr_limits; the Management API writes the rows and touches the
 * tenant, so every node uses the change from its next request.
 *
 *   key (stored name)           rate_limits property        value
 *   rate-limit-login-per-ip     login_per_ip                COUNT/SECONDS | off
 *   rate-limit-login-per-tenant login_per_tenant            COUNT/SECONDS | off
 *   rate-limit-signup-per-ip    signup_per_ip               COUNT/SECONDS | off
 *   ... every limits.h key but trusted-proxies, named as its flag ...
 *   lockout-window              lockout_window              SECONDS
 *   brute-force-enabled         (attack protection only)    true | false
 *   brute-force-shields                                     block,user_notification
 *   brute-force-allowlist                                   ADDR[/PREFIX],...
 *   ip-throttling-enabled                                   true | false
 *   ip-throttling-shields                                   block,admin_notification
 *   ip-throttling-allowlist                                 ADDR[/PREFIX],...
 */
#ifndef TSR_CORE_TENANT_LIMITS_H
#define TSR_CORE_TENANT_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/limits.h"
#include "store/store.h"

enum tsr_tl_key {
    TSR_TL_LOGIN_IP,
    TSR_TL_LOGIN_TENANT,
    TSR_TL_SIGNUP_IP,
    TSR_TL_SIGNUP_TENANT,
    TSR_TL_RESET_IP,
    TSR_TL_RESET_TENANT,
    TSR_TL_RESET_ACCOUNT,
    TSR_TL_MGMT_CLIENT,
    TSR_TL_THROTTLE_FAILURES,
    TSR_TL_THROTTLE_DELAY,
    TSR_TL_THROTTLE_MAX_DELAY,
    TSR_TL_LOCKOUT_ATTEMPTS,
    TSR_TL_LOCKOUT_WINDOW,
    TSR_TL_BF_ENABLED,
    TSR_TL_BF_SHIELDS,
    TSR_TL_BF_ALLOWLIST,
    TSR_TL_IP_ENABLED,
    TSR_TL_IP_SHIELDS,
    TSR_TL_IP_ALLOWLIST,
    TSR_TL_COUNT
};

/* The longest stored value: an allowlist of TSR_LIMITS_MAX_ALLOW IPv6 networks. */
#define TSR_TL_VALUE_MAX (TSR_LIMITS_MAX_ALLOW * 48)

/* What one tenant stores: value[k] NULL where the server's setting applies. */
struct tsr_tenant_limits {
    char *value[TSR_TL_COUNT];
};

/* The stored name of key k ("rate-limit-login-per-ip"), NULL when out of range. */
const char *tsr_tl_name(int k);

/*
 * The property of key k in the rate_limits object of /api/v2/tenants/settings
 * ("login_per_ip"), NULL for the attack protection keys.
 */
const char *tsr_tl_property(int k);

/* True when key k's value is a rate (COUNT/SECONDS or off), false for a number. */
bool tsr_tl_is_rate(int k);

/*
 * Parses value for key k into l (the other fields untouched).  Returns 0,
 * or -1 with a reason (one line, without the key's name) in why.
 */
int tsr_tl_parse(struct tsr_limits *l, int k, const char *value, char *why, size_t whylen);

/* Copies key k's value from src into l: back to the server's setting. */
void tsr_tl_copy(struct tsr_limits *l, const struct tsr_limits *src, int k);

/* Writes the value of rate or number key k in l, in the syntax tsr_tl_parse reads. */
void tsr_tl_format(const struct tsr_limits *l, int k, char *out, size_t cap);

/* Frees the values; the struct may be reused. */
void tsr_tenant_limits_cleanup(struct tsr_tenant_limits *tl);

/*
 * Merges: *out = server with every value tl holds parsed over it.  Returns
 * 0, or TSR_EINVAL with the key and the reason in why.
 */
int tsr_tenant_limits_apply(const struct tsr_tenant_limits *tl, const struct tsr_limits *server,
                            struct tsr_limits *out, char *why, size_t whylen);

/*
 * Reads the values tenant_id stores into *out (zeroed first; rows of names
 * this version does not know are skipped).  Returns 0 or the store's error.
 */
int tsr_tenant_limits_load(tsr_store *st, const char *tenant_id, struct tsr_tenant_limits *out);

/*
 * Stores the keys k with set[k]: changes->value[k], or the tenant's own
 * value removed where that is NULL.  Makes no transaction of its own: the
 * caller wraps this with its other writes and tsr_tenant_touch.  Returns 0
 * or the store's error.
 */
int tsr_tenant_limits_write(tsr_store *st, const char *tenant_id,
                            const struct tsr_tenant_limits *changes, const bool set[TSR_TL_COUNT]);

#endif
