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
    tsr_strlist_cleanup(&d->scope);
    memset(d, 0, sizeof *d);
}

/*
 * The checks before any lookup: true when the decision is made (d->verdict),
 * false with d->audience set to the audience to look up.
 */
static bool decided_early(const char *default_audience, const struct tsr_client *client,
                          const char *audience, struct tsr_cc_decision *d)
{
    memset(d, 0, sizeof *d);
    /* A public client cannot prove who it is (the Management API checks this at writes too). */
    if (!tsr_token_grant_allowed(client, "client_credentials") || tsr_client_is_public(client)) {
        d->verdict = TSR_CC_UNAUTHORIZED_CLIENT;
        return true;
    }
    if (audience == NULL || audience[0] == '\0')
        audience = default_audience;
    if (audience == NULL || audience[0] == '\0') {
        d->verdict = TSR_CC_NO_AUDIENCE;
        return true;
    }
    d->audience = audience;
    return false;
}

/* The verdict once the API (NULL: none) and the client's grant for it (NULL: none) are known. */
static int decide_found(const struct tsr_api *api, const struct tsr_grant *grant,
                        const char *scope, struct tsr_cc_decision *d)
{
    d->api = api;
    if (api == NULL) {
        d->verdict = TSR_CC_UNKNOWN_API;
        return 0;
    }
    if (grant == NULL) {
        d->verdict = TSR_CC_NO_GRANT;
        return 0;
    }
    d->verdict = TSR_CC_OK;
    return tsr_scope_effective(scope, &grant->scope, &d->scope);
}

int tsr_cc_decide_catalog(const struct tsr_catalog *cat, const char *default_audience,
                          const struct tsr_client *client, const char *audience,
                          const char *scope, struct tsr_cc_decision *d)
{
    if (decided_early(default_audience, client, audience, d))
        return 0;
    const struct tsr_api *api = tsr_catalog_api(cat, d->audience);
    const struct tsr_grant *grant =
        api ? tsr_catalog_grant(cat, client->client_id, d->audience) : NULL;
    return decide_found(api, grant, scope, d);
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
