/*
 * Redeeming an authorization code: found, bound to the presenting client,
 * its redirect_uri and PKCE challenge, unused and unexpired; a replay by
 * the rightful client revokes what the code issued.
 */
#include "core/token_policy.h"

#include <string.h>

#include "util/err.h"

int tsr_code_redeem(tsr_store *st, const char *tenant_id, const char *code, const char *client_id,
                    const char *redirect_uri, const char *verifier, int64_t now,
                    struct tsr_auth_code *out, enum tsr_code_verdict *verdict)
{
    memset(out, 0, sizeof *out);
    *verdict = TSR_CODE_UNKNOWN;
    int rc = tsr_auth_code_find(st, tenant_id, code, out);
    if (rc != 0) {
        tsr_auth_code_cleanup(out);
        return rc == TSR_ENOTFOUND ? 0 : rc;
    }
    /* Bindings before state: a presentation that fails one neither burns the code nor revokes. */
    enum tsr_code_verdict v = tsr_auth_code_check(out, client_id, redirect_uri, verifier, now);
    if (v == TSR_CODE_OK && (rc = tsr_auth_code_mark_used(st, tenant_id, out->hash)) != 0) {
        if (rc != TSR_EBUSY)
            return rc;
        rc = 0;
        v = TSR_CODE_REPLAYED; /* a concurrent redemption won */
    }
    if (v == TSR_CODE_REPLAYED) {
        /*
         * The right client replayed it: whatever it issued is revoked.  A
         * failure here still refuses the replay; the family stays as it is.
         */
        (void)tsr_refresh_token_revoke_family(st, tenant_id, out->hash);
    }
    *verdict = v;
    return 0;
}
