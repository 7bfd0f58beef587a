#include "core/lockout.h"

#include <stdint.h>
#include <time.h>

#include "core/rows.h"

/* Wrong passwords ("fp") after the last success ("s") of the same name from the same address. */
static int64_t failures(tsr_store *st, const char *tenant_id, const char *identifier,
                        const char *ip)
{
    int64_t since = ((int64_t)time(NULL) - TSR_LOCKOUT_WINDOW) * 1000, n = 0;
    int rc = tsr_rows_count(st, &n,
                            "SELECT count(*) FROM events WHERE tenant_id = ? AND type = 'fp' AND "
                            "ip = ? AND lower(user_name) = lower(?) AND date > ? AND date > "
                            "COALESCE((SELECT max(date) FROM events WHERE tenant_id = ? AND "
                            "type = 's' AND ip = ? AND lower(user_name) = lower(?)), 0)",
                            "sssisss", tenant_id, ip, identifier, since, tenant_id, ip,
                            identifier);
    /* A store failure does not lock anyone out; the password check still runs. */
    return rc == 0 ? n : 0;
}

bool tsr_lockout_active(tsr_store *st, const char *tenant_id, const char *identifier,
                        const char *ip)
{
    return failures(st, tenant_id, identifier, ip) >= TSR_LOCKOUT_ATTEMPTS;
}

bool tsr_lockout_just_locked(tsr_store *st, const char *tenant_id, const char *identifier,
                             const char *ip)
{
    return failures(st, tenant_id, identifier, ip) == TSR_LOCKOUT_ATTEMPTS;
}
