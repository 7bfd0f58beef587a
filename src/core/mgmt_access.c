#include "core/mgmt_access.h"

#include <string.h>

#include "util/err.h"

static const char *const current_user_scopes[] = {
    "read:current_user",
    "update:current_user_metadata",
    "create:current_user_metadata",
    "delete:current_user_metadata",
    "update:current_user_identities",
    "create:current_user_device_credentials",
    "delete:current_user_device_credentials",
};

bool tsr_mgmt_is_current_user_scope(const char *scope)
{
    for (size_t i = 0; i < sizeof current_user_scopes / sizeof current_user_scopes[0]; i++)
        if (strcmp(scope, current_user_scopes[i]) == 0)
            return true;
    return false;
}

bool tsr_mgmt_person_may_hold(const char *scope, const struct tsr_strlist *held)
{
    return tsr_mgmt_is_current_user_scope(scope) || tsr_strlist_contains(held, scope);
}

bool tsr_mgmt_is_client_subject(const char *sub, const char *client_id)
{
    static const char suffix[] = "@clients";
    size_t n = strlen(client_id);
    return n > 0 && strncmp(sub, client_id, n) == 0 && strcmp(sub + n, suffix) == 0;
}

int tsr_mgmt_scopes_in_force(const struct tsr_strlist *claimed, const struct tsr_strlist *allowed,
                             bool person, struct tsr_strlist *out)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < claimed->n; i++) {
        const char *s = claimed->v[i];
        bool keep = person ? tsr_mgmt_person_may_hold(s, allowed)
                           : !tsr_mgmt_is_current_user_scope(s) && tsr_strlist_contains(allowed, s);
        if (keep)
            rc = tsr_strlist_push(out, s);
    }
    if (rc != 0)
        tsr_strlist_cleanup(out);
    return rc;
}

bool tsr_mgmt_scope_allows(const struct tsr_strlist *in_force, const char *required, bool self)
{
    const char *p = required + strspn(required, " ");
    while (*p != '\0') {
        size_t len = strcspn(p, " ");
        char word[128];
        if (len > 0 && len < sizeof word) {
            memcpy(word, p, len);
            word[len] = '\0';
            if (tsr_strlist_contains(in_force, word) &&
                (self || !tsr_mgmt_is_current_user_scope(word)))
                return true;
        }
        p += len;
        p += strspn(p, " ");
    }
    return false;
}

bool tsr_mgmt_user_member_allowed(const struct tsr_strlist *in_force, bool self, const char *key)
{
    if (tsr_strlist_contains(in_force, "update:users"))
        return true;
    if (strcmp(key, "app_metadata") == 0)
        return tsr_strlist_contains(in_force, "update:users_app_metadata");
    if (strcmp(key, "user_metadata") == 0)
        return self && (tsr_strlist_contains(in_force, "update:current_user_metadata") ||
                        tsr_strlist_contains(in_force, "create:current_user_metadata"));
    return false;
}
