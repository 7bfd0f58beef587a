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
    int rc = tsr_rows_one_sql(st, read_int, &until,
                              "SELECT blocked_until FROM login_failures WHERE tenant_id = ? AND "
                              "account = ?",
                              "ss", tenant_id, account);
    if (rc == TSR_ENOTFOUND)
        return 0;
    if (rc == 0 && until > now)
        *wait = until - now;
    return rc;
}

/*
 * One attempt reserved in one statement, so that concurrent requests cannot
 * all pass a check made before the (slow) password hash: the count goes up
 * by one (or starts again at one once the last failure is forgotten) and
 * the block that follows it is written with it, unless the account is
 * blocked now, when the row is left alone and nothing is returned.  ?1
 * tenant, ?2 account, ?3 now, ?4 failures before a block, ?5 first delay,
 * ?6 longest delay; the delay doubles per failure past ?4 as
 * tsr_limits_throttle_delay() computes (shift bounded: ?5 is at most a
 * week, under 2^20).
 */
/* clang-format off */
#define DELAY(n) "(CASE WHEN " n " >= ?4 THEN min(?6, ?5 << min(" n " - ?4, 40)) ELSE 0 END)"
#define NEXT "(CASE WHEN login_failures.forget_at <= ?3 THEN 1 ELSE login_failures.failures + 1 END)"
static const char reserve_sql[] =
    "INSERT INTO login_failures (tenant_id, account, failures, blocked_until, forget_at) "
    "VALUES (?1, ?2, 1, ?3 + " DELAY("1") ", ?3 + " DELAY("1") " + ?6) "
    "ON CONFLICT (tenant_id, account) DO UPDATE SET failures = " NEXT ", "
    "blocked_until = ?3 + " DELAY(NEXT) ", forget_at = ?3 + " DELAY(NEXT) " + ?6 "
    "WHERE login_failures.blocked_until <= ?3 RETURNING failures";
/* clang-format on */

int tsr_throttle_reserve(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                         const char *account, int64_t now, int64_t *wait)
{
    *wait = 0;
    if (l->throttle_failures == 0)
        return 0;
    int64_t failures = 0;
    int rc = tsr_rows_one_sql(st, read_int, &failures, reserve_sql, "ssiiii", tenant_id, account,
                              now, (int64_t)l->throttle_failures, (int64_t)l->throttle_delay,
                              (int64_t)l->throttle_max_delay);
    if (rc == 0) {
        if (failures == 1)
            (void)tsr_store_run(st, NULL, "DELETE FROM login_failures WHERE forget_at < ?", "i",
                                now);
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
    return tsr_store_run(st, NULL, "DELETE FROM login_failures WHERE tenant_id = ? AND account = ?",
                         "ss", tenant_id, account);
}

int tsr_throttle_clear_user(tsr_store *st, const char *tenant_id, const char *user_id)
{
    return tsr_store_run(st, NULL,
                         "DELETE FROM login_failures WHERE tenant_id = ?1 AND (account = ?2 OR "
                         "substr(account, 1, length(?2) + 1) = ?2 || ' ')",
                         "ss", tenant_id, user_id);
}
