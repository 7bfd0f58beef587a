#include "core/client_authn.h"

#include <string.h>

#include "util/err.h"

const char *tsr_client_creds_id(const struct tsr_client_creds *c)
{
    return c->basic_id ? c->basic_id : c->body_id;
}

int tsr_client_authn(tsr_store *st, const char *tenant_id, const struct tsr_client_creds *creds,
                     struct tsr_client *out, enum tsr_client_authn_verdict *verdict)
{
    memset(out, 0, sizeof *out);
    *verdict = TSR_CLIENT_AUTHN_FAILED;
    bool basic = creds->basic_id != NULL;
    if (basic && (creds->body_secret != NULL ||
                  (creds->body_id != NULL && strcmp(creds->body_id, creds->basic_id) != 0))) {
        *verdict = TSR_CLIENT_AUTHN_TWO_METHODS;
        return 0;
    }
    const char *id = tsr_client_creds_id(creds);
    const char *secret = basic ? creds->basic_secret : creds->body_secret;
    if (id == NULL || id[0] == '\0') {
        *verdict = TSR_CLIENT_AUTHN_NO_CLIENT_ID;
        return 0;
    }
    int rc = tsr_client_get(st, tenant_id, id, out);
    if (rc != 0) {
        tsr_client_cleanup(out);
        return rc == TSR_ENOTFOUND ? 0 : rc;
    }
    enum tsr_client_cred how = basic ? TSR_CRED_BASIC : secret ? TSR_CRED_POST : TSR_CRED_ID_ONLY;
    if (!tsr_client_is_public(out) && (secret == NULL || !tsr_client_secret_matches(out, secret)))
        *verdict = TSR_CLIENT_AUTHN_FAILED;
    else if (!tsr_client_method_allows(out, how))
        *verdict = TSR_CLIENT_AUTHN_WRONG_METHOD;
    else
        *verdict = TSR_CLIENT_AUTHN_OK;
    if (*verdict == TSR_CLIENT_AUTHN_FAILED)
        tsr_client_cleanup(out);
    return 0;
}
