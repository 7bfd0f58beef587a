#include "core/scope.h"

#include <stdlib.h>
#include <string.h>

#include "core/mgmt_access.h"
#include "util/err.h"

bool tsr_scope_has(const char *scope, const char *word)
{
    struct tsr_strlist words = {0};
    bool has = scope != NULL && tsr_strlist_split(&words, scope) == 0 &&
               tsr_strlist_contains(&words, word);
    tsr_strlist_cleanup(&words);
    return has;
}

int tsr_scope_effective(const char *requested, const struct tsr_strlist *granted,
                        struct tsr_strlist *out)
{
    struct tsr_strlist asked = {0};
    int rc = 0;
    if (requested == NULL || requested[0] == '\0') {
        for (size_t i = 0; rc == 0 && i < granted->n; i++)
            rc = tsr_strlist_push(out, granted->v[i]);
        return rc;
    }
    if ((rc = tsr_strlist_split(&asked, requested)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < asked.n; i++)
        if (tsr_strlist_contains(granted, asked.v[i]))
            rc = tsr_strlist_push(out, asked.v[i]);
    tsr_strlist_cleanup(&asked);
    return rc;
}

int tsr_scope_narrow(const char *asked, const char *granted, char **out)
{
    struct tsr_strlist a = {0}, g = {0};
    int rc = 0;
    *out = NULL;
    if (asked == NULL || asked[0] == '\0')
        return (*out = strdup(granted)) != NULL ? 0 : TSR_ENOMEM;
    if (tsr_strlist_split(&a, asked) != 0 || tsr_strlist_split(&g, granted) != 0) {
        rc = TSR_ENOMEM;
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < a.n; i++)
        if (!tsr_strlist_contains(&g, a.v[i]))
            rc = TSR_EINVAL;
    if (rc == 0 && (*out = tsr_strlist_join(&a)) == NULL)
        rc = TSR_ENOMEM;
out:
    tsr_strlist_cleanup(&a);
    tsr_strlist_cleanup(&g);
    return rc;
}

int tsr_scope_for_audience(const char *asked, const struct tsr_api *api, bool mgmt, bool offline,
                           char **out)
{
    struct tsr_strlist words = {0}, kept = {0};
    *out = NULL;
    int rc = tsr_strlist_split(&words, asked ? asked : "");
    for (size_t i = 0; rc == 0 && i < words.n; i++) {
        const char *w = words.v[i];
        bool keep;
        if (tsr_mgmt_is_oidc_scope(w))
            keep = strcmp(w, "offline_access") != 0 || offline;
        else
            keep = api != NULL &&
                   (tsr_api_has_scope(api, w) || (mgmt && tsr_mgmt_is_current_user_scope(w)));
        if (keep)
            rc = tsr_strlist_push(&kept, w);
    }
    if (rc == 0 && (*out = tsr_strlist_join(&kept)) == NULL)
        rc = TSR_ENOMEM;
    tsr_strlist_cleanup(&words);
    tsr_strlist_cleanup(&kept);
    return rc;
}

int tsr_scope_keep_held(struct tsr_strlist *scope, const struct tsr_strlist *held)
{
    struct tsr_strlist kept = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < scope->n; i++)
        if (tsr_mgmt_is_oidc_scope(scope->v[i]) || tsr_strlist_contains(held, scope->v[i]))
            rc = tsr_strlist_push(&kept, scope->v[i]);
    if (rc != 0) {
        tsr_strlist_cleanup(&kept);
        return rc;
    }
    tsr_strlist_cleanup(scope);
    *scope = kept;
    return 0;
}
