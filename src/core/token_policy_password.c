/*
 * The password grants (password, Auth0's password-realm): which
 * connection checks the password.  The attempt limits are
 * core/lockout.h and core/throttle.h; the check is tsr_user_authenticate.
 */
#include "core/token_policy.h"

#include <string.h>

#include "util/err.h"

int tsr_password_connection(tsr_store *st, const char *tenant_id, const char *default_directory,
                            const char *realm, const char *client_id, struct tsr_connection *out,
                            const char **name, enum tsr_pw_conn_verdict *verdict)
{
    memset(out, 0, sizeof *out);
    *name = realm && realm[0] ? realm : default_directory;
    if (*name == NULL || (*name)[0] == '\0') {
        *name = NULL;
        *verdict = TSR_PW_CONN_NO_DEFAULT;
        return 0;
    }
    *verdict = TSR_PW_CONN_UNKNOWN_REALM;
    int rc = tsr_connection_get_by_name(st, tenant_id, *name, out);
    if (rc != 0) {
        tsr_connection_cleanup(out);
        return rc == TSR_ENOTFOUND ? 0 : rc;
    }
    if (tsr_connection_enabled_for(out, client_id)) {
        *verdict = TSR_PW_CONN_OK;
    } else {
        tsr_connection_cleanup(out);
        *verdict = TSR_PW_CONN_NOT_ENABLED;
    }
    return 0;
}
