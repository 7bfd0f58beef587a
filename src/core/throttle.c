#include "core/throttle.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/rows.h"
#include "core/user.h"
#include "util/err.h"
#include "util/ipnet.h"

int tsr_throttle_account(tsr_store *st, const struct tsr_connection *c, const char *identifier,
                         const char *ip, char *out)
{
    struct tsr_user u = {0};
    int rc = tsr_user_find_login(st, c->tenant_id, c->id, identifier, &u);
    if (rc == 0) {
        char net[TSR_IP_NET_MAX], last[TSR_IP_NET_MAX];
        tsr_ip_net(ip, net, sizeof net);
        tsr_ip_net(u.last_ip != NULL ? u.last_ip : "", last, sizeof last);
        if (last[0] != '\0' && strcmp(net, last) == 0)
            snprintf(out, TSR_THROTTLE_ACCOUNT_MAX, "%s %s", u.user_id, net);
        else
            snprintf(out, TSR_THROTTLE_ACCOUNT_MAX, "%s", u.user_id);
        tsr_user_cleanup(&u);
        return 0;
    }
    if (rc != TSR_ENOTFOUND)
        return rc;
    tsr_throttle_name_account(identifier, out);
    return 0;
}

void tsr_throttle_name_account(const char *name, char *out)
{
    size_t i = 0;
    out[i++] = '?';
    for (const char *p = name; *p != '\0' && i + 1 < TSR_THROTTLE_ACCOUNT_MAX; p++)
        out[i++] = (char)tolower((unsigned char)*p);
    out[i] = '\0';
}

static int read_int(tsr_stmt *q, void *record)
{
    *(int64_t *)record = tsr_stmt_int64(q, 0);
    return 0;
}

int tsr_throttle_wait(tsr_store *st, const char *tenant_id, const char *account, int64_t now,
                      int64_t *wait)
{
    int64_t until = 0;
    *wait = 0;
    int rc = tsr_rows_one(st, read_int, &until, TSR_Q_THROTTLE_WAIT, tenant_id, account);
    if (rc == TSR_ENOTFOUND)
        return 0;
    if (rc == 0 && until > now)
        *wait = until - now;
    return rc;
}

/*
 * One attempt is reserved in one statement (THROTTLE_RESERVE), so that
 * concurrent requests cannot all pass a check made before the (slow)
 * password hash; no row comes back while the account is blocked.
 */
int tsr_throttle_reserve(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                         const char *account, int64_t now, int64_t *wait)
{
    *wait = 0;
    if (l->throttle_failures == 0)
        return 0;
    int64_t failures = 0;
    int rc = tsr_rows_one(st, read_int, &failures, TSR_Q_THROTTLE_RESERVE, tenant_id, account, now,
                          (int64_t)l->throttle_failures, (int64_t)l->throttle_delay,
                          (int64_t)l->throttle_max_delay);
    if (rc == 0) {
        if (failures == 1)
            (void)tsr_store_q_run(st, NULL, TSR_Q_THROTTLE_PURGE, now);
        return 0;
    }
    if (rc != TSR_ENOTFOUND)
        return rc;
    rc = tsr_throttle_wait(st, tenant_id, account, now, wait);
    if (rc == 0 && *wait == 0)
        *wait = 1; /* released meanwhile; refused all the same, the client may retry at once */
    return rc;
}

int tsr_throttle_clear(tsr_store *st, const char *tenant_id, const char *account)
{
    return tsr_store_q_run(st, NULL, TSR_Q_THROTTLE_CLEAR, tenant_id, account);
}

int tsr_throttle_clear_user(tsr_store *st, const char *tenant_id, const char *user_id)
{
    return tsr_store_q_run(st, NULL, TSR_Q_THROTTLE_CLEAR_USER, tenant_id, user_id);
}
