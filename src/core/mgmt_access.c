#include "core/mgmt_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/secure.h"

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

bool tsr_mgmt_is_oidc_scope(const char *scope)
{
    static const char *const oidc[] = {"openid", "profile", "email", "offline_access"};
    for (size_t i = 0; i < sizeof oidc / sizeof oidc[0]; i++)
        if (strcmp(scope, oidc[i]) == 0)
            return true;
    return false;
}

int tsr_mgmt_person_scopes(const struct tsr_strlist *asked, const struct tsr_strlist *held,
                           struct tsr_strlist *out)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < asked->n; i++)
        if (tsr_mgmt_is_oidc_scope(asked->v[i]) || tsr_mgmt_person_may_hold(asked->v[i], held))
            rc = tsr_strlist_push(out, asked->v[i]);
    if (rc != 0)
        tsr_strlist_cleanup(out);
    return rc;
}

bool tsr_mgmt_consent_binds(bool client_is_first_party)
{
    return !client_is_first_party;
}

void tsr_mgmt_keep_consented(struct tsr_strlist *scopes, const struct tsr_strlist *consented)
{
    size_t kept = 0;
    for (size_t i = 0; i < scopes->n; i++) {
        if (tsr_strlist_contains(consented, scopes->v[i]))
            scopes->v[kept++] = scopes->v[i];
        else
            free(scopes->v[i]);
    }
    scopes->n = kept;
}

bool tsr_mgmt_client_grant_stands(const struct tsr_strlist *grant_types,
                                  const char *token_endpoint_auth_method)
{
    return tsr_strlist_contains(grant_types, "client_credentials") &&
           token_endpoint_auth_method != NULL && strcmp(token_endpoint_auth_method, "none") != 0;
}

int tsr_mgmt_rate_key(const char *azp, const char *sub, bool person, char *out, size_t len)
{
    /* A digest keeps the key short and fixed whatever the user id's length. */
    char digest[65];
    if (len < 64)
        return TSR_EINVAL;
    if (!person) {
        snprintf(out, len, "%s", azp);
        return 0;
    }
    if (tsr_sha256_hex(sub, digest) != 0)
        return TSR_ECRYPTO;
    snprintf(out, len, "%.32s/%.24s", azp, digest);
    return 0;
}
