/*
 * tenant_limits.c - a tenant's stored limit values (tenant_limits.h):
 * their names, parsing and formatting, the merge over the server's
 * settings, and the rows of table tenant_limits.
 */
#include "core/tenant_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/queries.h"
#include "util/err.h"

#define NO_LK (-1)

static const struct {
    const char *name;     /* stored name: the flag of limits.h for its keys */
    const char *property; /* in rate_limits, NULL for attack protection */
    int lk;               /* enum tsr_limit_key, or NO_LK */
} keys[TSR_TL_COUNT] = {
    [TSR_TL_LOGIN_IP] = {"rate-limit-login-per-ip", "login_per_ip", TSR_LK_LOGIN_IP},
    [TSR_TL_LOGIN_TENANT] = {"rate-limit-login-per-tenant", "login_per_tenant",
                             TSR_LK_LOGIN_TENANT},
    [TSR_TL_SIGNUP_IP] = {"rate-limit-signup-per-ip", "signup_per_ip", TSR_LK_SIGNUP_IP},
    [TSR_TL_SIGNUP_TENANT] = {"rate-limit-signup-per-tenant", "signup_per_tenant",
                              TSR_LK_SIGNUP_TENANT},
    [TSR_TL_RESET_IP] = {"rate-limit-reset-per-ip", "reset_per_ip", TSR_LK_RESET_IP},
    [TSR_TL_RESET_TENANT] = {"rate-limit-reset-per-tenant", "reset_per_tenant",
                             TSR_LK_RESET_TENANT},
    [TSR_TL_RESET_ACCOUNT] = {"rate-limit-reset-per-account", "reset_per_account",
                              TSR_LK_RESET_ACCOUNT},
    [TSR_TL_MGMT_CLIENT] = {"rate-limit-mgmt-per-client", "mgmt_per_client", TSR_LK_MGMT_CLIENT},
    [TSR_TL_THROTTLE_FAILURES] = {"account-throttle-failures", "account_throttle_failures",
                                  TSR_LK_THROTTLE_FAILURES},
    [TSR_TL_THROTTLE_DELAY] = {"account-throttle-delay", "account_throttle_delay",
                               TSR_LK_THROTTLE_DELAY},
    [TSR_TL_THROTTLE_MAX_DELAY] = {"account-throttle-max-delay", "account_throttle_max_delay",
                                   TSR_LK_THROTTLE_MAX_DELAY},
    [TSR_TL_LOCKOUT_ATTEMPTS] = {"lockout-attempts", "lockout_attempts", TSR_LK_LOCKOUT_ATTEMPTS},
    [TSR_TL_LOCKOUT_WINDOW] = {"lockout-window", "lockout_window", TSR_LK_LOCKOUT_WINDOW},
    [TSR_TL_BF_ENABLED] = {"brute-force-enabled", NULL, NO_LK},
    [TSR_TL_BF_SHIELDS] = {"brute-force-shields", NULL, NO_LK},
    [TSR_TL_BF_ALLOWLIST] = {"brute-force-allowlist", NULL, NO_LK},
    [TSR_TL_IP_ENABLED] = {"ip-throttling-enabled", NULL, NO_LK},
    [TSR_TL_IP_SHIELDS] = {"ip-throttling-shields", NULL, NO_LK},
    [TSR_TL_IP_ALLOWLIST] = {"ip-throttling-allowlist", NULL, NO_LK},
};

const char *tsr_tl_name(int k)
{
    return k >= 0 && k < TSR_TL_COUNT ? keys[k].name : NULL;
}

const char *tsr_tl_property(int k)
{
    return k >= 0 && k < TSR_TL_COUNT ? keys[k].property : NULL;
}

bool tsr_tl_is_rate(int k)
{
    return k >= TSR_TL_LOGIN_IP && k <= TSR_TL_MGMT_CLIENT;
}

static int fail(char *why, size_t whylen, const char *msg)
{
    snprintf(why, whylen, "%s", msg);
    return -1;
}

static int parse_bool(const char *v, bool *out, char *why, size_t whylen)
{
    if (strcmp(v, "true") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0)
        *out = false;
    else
        return fail(why, whylen, "expected true or false");
    return 0;
}

/*
 * A list of shield names separated by commas, each at most once, from
 * first (the one that blocks, "block") and second.
 */
static int parse_shields(const char *v, const char *first, const char *second, bool *has_first,
                         bool *has_second, char *why, size_t whylen)
{
    bool a = false, b = false;
    const char *p = v;
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        bool *hit = NULL;
        if (len == strlen(first) && strncmp(p, first, len) == 0)
            hit = &a;
        else if (len == strlen(second) && strncmp(p, second, len) == 0)
            hit = &b;
        if (hit == NULL || *hit) {
            snprintf(why, whylen, "expected distinct shields from %s, %s", first, second);
            return -1;
        }
        *hit = true;
        p += len;
        if (*p == ',')
            p++;
    }
    *has_first = a;
    *has_second = b;
    return 0;
}

int tsr_tl_parse(struct tsr_limits *l, int k, const char *value, char *why, size_t whylen)
{
    if (k < 0 || k >= TSR_TL_COUNT)
        return fail(why, whylen, "unknown setting");
    if (strlen(value) > TSR_TL_VALUE_MAX)
        return fail(why, whylen, "too long");
    if (keys[k].lk != NO_LK)
        return tsr_limits_parse(l, keys[k].lk, value, why, whylen);
    switch (k) {
    case TSR_TL_BF_ENABLED:
        return parse_bool(value, &l->lockout_enabled, why, whylen);
    case TSR_TL_IP_ENABLED:
        return parse_bool(value, &l->ip_enabled, why, whylen);
    case TSR_TL_BF_SHIELDS:
        return parse_shields(value, "block", "user_notification", &l->lockout_block,
                             &l->lockout_notify, why, whylen);
    case TSR_TL_IP_SHIELDS:
        return parse_shields(value, "block", "admin_notification", &l->ip_block,
                             &l->ip_notify_admin, why, whylen);
    case TSR_TL_BF_ALLOWLIST:
        return tsr_cidr_parse_list(value, l->lockout_allow, TSR_LIMITS_MAX_ALLOW,
                                   &l->nlockout_allow, why, whylen);
    case TSR_TL_IP_ALLOWLIST:
        return tsr_cidr_parse_list(value, l->ip_allow, TSR_LIMITS_MAX_ALLOW, &l->nip_allow, why,
                                   whylen);
    default:
        return fail(why, whylen, "unknown setting");
    }
}

void tsr_tl_copy(struct tsr_limits *l, const struct tsr_limits *src, int k)
{
    if (k < 0 || k >= TSR_TL_COUNT)
        return;
    if (keys[k].lk != NO_LK) {
        tsr_limits_copy(l, src, keys[k].lk);
        return;
    }
    switch (k) {
    case TSR_TL_BF_ENABLED:
        l->lockout_enabled = src->lockout_enabled;
        break;
    case TSR_TL_IP_ENABLED:
        l->ip_enabled = src->ip_enabled;
        break;
    case TSR_TL_BF_SHIELDS:
        l->lockout_block = src->lockout_block;
        l->lockout_notify = src->lockout_notify;
        break;
    case TSR_TL_IP_SHIELDS:
        l->ip_block = src->ip_block;
        l->ip_notify_admin = src->ip_notify_admin;
        break;
    case TSR_TL_BF_ALLOWLIST:
        memcpy(l->lockout_allow, src->lockout_allow, sizeof l->lockout_allow);
        l->nlockout_allow = src->nlockout_allow;
        break;
    case TSR_TL_IP_ALLOWLIST:
        memcpy(l->ip_allow, src->ip_allow, sizeof l->ip_allow);
        l->nip_allow = src->nip_allow;
        break;
    default:
        break;
    }
}

static const struct tsr_rate *rate_of(const struct tsr_limits *l, int k)
{
    switch (k) {
    case TSR_TL_LOGIN_IP:
        return &l->per_ip[TSR_RATE_LOGIN];
    case TSR_TL_LOGIN_TENANT:
        return &l->per_tenant[TSR_RATE_LOGIN];
    case TSR_TL_SIGNUP_IP:
        return &l->per_ip[TSR_RATE_SIGNUP];
    case TSR_TL_SIGNUP_TENANT:
        return &l->per_tenant[TSR_RATE_SIGNUP];
    case TSR_TL_RESET_IP:
        return &l->per_ip[TSR_RATE_RESET];
    case TSR_TL_RESET_TENANT:
        return &l->per_tenant[TSR_RATE_RESET];
    case TSR_TL_RESET_ACCOUNT:
        return &l->reset_per_account;
    case TSR_TL_MGMT_CLIENT:
        return &l->mgmt_per_client;
    default:
        return NULL;
    }
}

void tsr_tl_format(const struct tsr_limits *l, int k, char *out, size_t cap)
{
    const struct tsr_rate *r = rate_of(l, k);
    uint32_t n = 0;
    if (r != NULL) {
        if (r->count == 0)
            snprintf(out, cap, "off");
        else
            snprintf(out, cap, "%u/%u", r->count, r->seconds);
        return;
    }
    switch (k) {
    case TSR_TL_THROTTLE_FAILURES:
        n = l->throttle_failures;
        break;
    case TSR_TL_THROTTLE_DELAY:
        n = l->throttle_delay;
        break;
    case TSR_TL_THROTTLE_MAX_DELAY:
        n = l->throttle_max_delay;
        break;
    case TSR_TL_LOCKOUT_ATTEMPTS:
        n = l->lockout_attempts;
        break;
    case TSR_TL_LOCKOUT_WINDOW:
        n = l->lockout_window;
        break;
    default:
        snprintf(out, cap, "%s", "");
        return;
    }
    snprintf(out, cap, "%u", n);
}

void tsr_tenant_limits_cleanup(struct tsr_tenant_limits *tl)
{
    for (int k = 0; k < TSR_TL_COUNT; k++) {
        free(tl->value[k]);
        tl->value[k] = NULL;
    }
}

int tsr_tenant_limits_apply(const struct tsr_tenant_limits *tl, const struct tsr_limits *server,
                            struct tsr_limits *out, char *why, size_t whylen)
{
    char reason[160];
    *out = *server;
    for (int k = 0; k < TSR_TL_COUNT; k++) {
        if (tl->value[k] == NULL)
            continue;
        if (tsr_tl_parse(out, k, tl->value[k], reason, sizeof reason) != 0) {
            snprintf(why, whylen, "%s: %s", keys[k].name, reason);
            return TSR_EINVAL;
        }
    }
    return 0;
}

static int key_of(const char *name)
{
    for (int k = 0; name != NULL && k < TSR_TL_COUNT; k++)
        if (strcmp(keys[k].name, name) == 0)
            return k;
    return -1;
}

int tsr_tenant_limits_load(tsr_store *st, const char *tenant_id, struct tsr_tenant_limits *out)
{
    tsr_stmt *q = NULL;
    memset(out, 0, sizeof *out);
    int rc = tsr_store_q(st, &q, TSR_Q_TENANT_LIMITS_LOAD, tenant_id);
    while (rc == 0) {
        int step = tsr_stmt_step(q);
        if (step != TSR_STORE_ROW) {
            rc = step == TSR_STORE_DONE ? 0 : step;
            break;
        }
        int k = key_of(tsr_stmt_text(q, 0));
        const char *v = tsr_stmt_text(q, 1);
        if (k < 0 || v == NULL) /* a key a newer version wrote */
            continue;
        free(out->value[k]);
        if ((out->value[k] = strdup(v)) == NULL)
            rc = TSR_ENOMEM;
    }
    tsr_stmt_finalize(q);
    if (rc != 0)
        tsr_tenant_limits_cleanup(out);
    return rc;
}

int tsr_tenant_limits_write(tsr_store *st, const char *tenant_id,
                            const struct tsr_tenant_limits *changes, const bool set[TSR_TL_COUNT])
{
    int rc = 0;
    for (int k = 0; rc == 0 && k < TSR_TL_COUNT; k++) {
        if (!set[k])
            continue;
        if (changes->value[k] == NULL)
            rc = tsr_store_q_run(st, NULL, TSR_Q_TENANT_LIMITS_DELETE, tenant_id, keys[k].name);
        else
            rc = tsr_store_q_run(st, NULL, TSR_Q_TENANT_LIMITS_PUT, tenant_id, keys[k].name,
                                 changes->value[k]);
    }
    return rc;
}
