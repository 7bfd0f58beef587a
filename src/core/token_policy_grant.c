/*
 * Which grant types a client may use; the client credentials grant (the
 * audience, the client grant and the scopes of a machine-to-machine
 * token); and whether the person a grant names may still get tokens.
 */
#include "core/token_policy.h"

#include <string.h>

#include "core/grant.h"
#include "core/scope.h"
#include "util/err.h"

bool tsr_token_grant_allowed(const struct tsr_client *client, const char *grant_type)
{
    return tsr_strlist_contains(&client->grant_types, grant_type);
}

void tsr_cc_decision_cleanup(struct tsr_cc_decision *d)
{
    tsr_api_cleanup(&d->api);
    tsr_strlist_cleanup(&d->scope);
    memset(d, 0, sizeof *d);
}

int tsr_cc_decide(tsr_store *st, const char *tenant_id, const char *default_audience,
                  const struct tsr_client *client, const char *audience, const char *scope,
                  struct tsr_cc_decision *d)
{
    struct tsr_grant grant = {0};
    memset(d, 0, sizeof *d);
    /* A public client cannot prove who it is (the Management API checks this at writes too). */
    if (!tsr_token_grant_allowed(client, "client_credentials") || tsr_client_is_public(client)) {
        d->verdict = TSR_CC_UNAUTHORIZED_CLIENT;
        return 0;
    }
    if (audience == NULL || audience[0] == '\0')
        audience = default_audience;
    if (audience == NULL || audience[0] == '\0') {
        d->verdict = TSR_CC_NO_AUDIENCE;
        return 0;
    }
    d->audience = audience;
    int rc = tsr_api_get_by_identifier(st, tenant_id, audience, &d->api);
    if (rc == TSR_ENOTFOUND) {
        d->verdict = TSR_CC_UNKNOWN_API;
        return 0;
    }
    if (rc == 0)
        rc = tsr_grant_find(st, tenant_id, client->client_id, audience, &grant);
    if (rc == TSR_ENOTFOUND) {
        d->verdict = TSR_CC_NO_GRANT;
        rc = 0;
    } else if (rc == 0) {
        d->verdict = TSR_CC_OK;
        rc = tsr_scope_effective(scope, &grant.scope, &d->scope);
    }
    tsr_grant_cleanup(&grant);
    return rc;
}

int tsr_token_subject(tsr_store *st, const char *tenant_id, const char *user_id,
                      struct tsr_user *out, enum tsr_subject_verdict *verdict)
{
    memset(out, 0, sizeof *out);
    *verdict = TSR_SUBJECT_GONE;
    int rc = tsr_user_get(st, tenant_id, user_id, out);
    if (rc != 0) {
        tsr_user_cleanup(out);
        return rc == TSR_ENOTFOUND ? 0 : rc;
    }
    if (out->blocked) {
        tsr_user_cleanup(out);
        *verdict = TSR_SUBJECT_BLOCKED;
    } else {
        *verdict = TSR_SUBJECT_OK;
    }
    return 0;
}
