/*
 * A person's scopes on an API: the Management API's own rule, and RBAC
 * (enforce_policies) for the tenant's APIs, with the permissions claim.
 */
#include "core/token_policy.h"

#include <string.h>

#include "core/mgmt_access.h"
#include "core/rbac.h"
#include "core/scope.h"
#include "util/err.h"

bool tsr_token_is_mgmt_api(const struct tsr_api *api, const char *mgmt_audience)
{
    return api->is_system || (mgmt_audience != NULL && strcmp(api->identifier, mgmt_audience) == 0);
}

int tsr_token_person_scope(tsr_store *st, const char *tenant_id, const char *user_id,
                           const struct tsr_api *api, bool mgmt, struct tsr_strlist *scope,
                           struct tsr_strlist *perms)
{
    struct tsr_strlist held = {0}, kept = {0};
    int rc = 0;
    if (mgmt) {
        rc = tsr_rbac_user_permissions(st, tenant_id, user_id, api->identifier, &held);
        if (rc == 0)
            rc = tsr_mgmt_person_scopes(scope, &held, &kept);
        if (rc == 0) {
            tsr_strlist_cleanup(scope);
            *scope = kept;
        } else {
            tsr_strlist_cleanup(&kept);
        }
        tsr_strlist_cleanup(&held);
    } else if (api->enforce_policies) {
        rc = tsr_rbac_user_permissions(st, tenant_id, user_id, api->identifier, perms);
        if (rc == 0)
            rc = tsr_scope_keep_held(scope, perms);
    }
    return rc;
}

const struct tsr_strlist *tsr_token_permissions_claim(const struct tsr_api *api, bool mgmt,
                                                      const struct tsr_strlist *perms)
{
    return api->enforce_policies && !mgmt ? perms : NULL;
}
