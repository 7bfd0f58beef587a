#include "core/throttle.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/rows.h"
#include "core/user.h"
#include "util/err.h"

int tsr_throttle_account(tsr_store *st, const struct tsr_connection *c, const char *identifier,
                         char *out)
{
    struct tsr_user u = {0};
    int rc = tsr_user_find_login(st, c->tenant_id, c->id, identifier, &u);
    if (rc == 0) {
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
    int rc = tsr_rows_one(st, read_int, &until,
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
 * The count goes up by one, or starts again at one when the last failure
 * is forgotten; the block that follows is written by a second statement
 * from the count the first one returned.
 */
int tsr_throttle_failed(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                        const char *account, int64_t now)
{
    if (l->throttle_failures == 0)
        return 0;
    int64_t failures = 0;
    int rc = tsr_rows_one(
        st, read_int, &failures,
        "INSERT INTO login_failures (tenant_id, account, failures, blocked_until, forget_at) "
        "VALUES (?, ?, 1, 0, ?) ON CONFLICT (tenant_id, account) DO UPDATE SET "
        "failures = CASE WHEN login_failures.forget_at <= ? THEN 1 "
        "ELSE login_failures.failures + 1 END RETURNING failures",
        "ssii", tenant_id, account, now + (int64_t)l->throttle_max_delay, now);
    if (rc != 0)
        return rc;
    if (failures == 1)
        (void)tsr_store_run(st, NULL, "DELETE FROM login_failures WHERE forget_at < ?", "i", now);
    int64_t delay = tsr_limits_throttle_delay(l, failures);
    return tsr_store_run(st, NULL,
                         "UPDATE login_failures SET blocked_until = ?, forget_at = ? WHERE "
                         "tenant_id = ? AND account = ? AND failures = ?",
                         "iissi", now + delay, now + delay + (int64_t)l->throttle_max_delay,
                         tenant_id, account, failures);
}

int tsr_throttle_clear(tsr_store *st, const char *tenant_id, const char *account)
{
    return tsr_store_run(st, NULL, "DELETE FROM login_failures WHERE tenant_id = ? AND account = ?",
                         "ss", tenant_id, account);
}
