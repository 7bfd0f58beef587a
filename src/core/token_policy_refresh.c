/*
 * Refresh tokens at the token endpoint: which presentations are good,
 * rotation with a leeway for retries, reuse detection that revokes the
 * family (RFC 9700 section 4.14), and absolute and idle lifetimes from
 * the client's settings.
 */
#include "core/token_policy.h"

#include <string.h>

#include "util/err.h"
#include "util/secure.h"

static bool expiring(const struct tsr_client_rt *rt)
{
    return strcmp(rt->expiration_type, "expiring") == 0;
}

bool tsr_rt_rotating(const struct tsr_client *client)
{
    return tsr_client_is_public(client) ||
           strcmp(client->refresh_token.rotation_type, "rotating") == 0;
}

bool tsr_rt_expired(const struct tsr_client *client, const struct tsr_refresh_token *t, int64_t now)
{
    const struct tsr_client_rt *rt = &client->refresh_token;
    if (t->expires_at != 0 && t->expires_at <= now)
        return true;
    return expiring(rt) && !rt->infinite_idle_token_lifetime &&
           t->last_used_at + rt->idle_token_lifetime <= now;
}

enum tsr_rt_verdict tsr_rt_check(const struct tsr_client *client, const struct tsr_refresh_token *t,
                                 int64_t now)
{
    if (t->revoked_at != 0)
        return TSR_RT_REVOKED;
    if (strcmp(t->client_id, client->client_id) != 0)
        return TSR_RT_WRONG_CLIENT;
    if (tsr_rt_expired(client, t, now))
        return TSR_RT_EXPIRED;
    /* A rotated token came back after the leeway for retries: someone holds a copy. */
    if (t->rotated_at != 0 && now - t->rotated_at >= client->refresh_token.leeway)
        return TSR_RT_REUSED;
    return TSR_RT_OK;
}

int tsr_rt_present(tsr_store *st, const char *tenant_id, const struct tsr_client *client,
                   const char *value, int64_t now, struct tsr_refresh_token *out,
                   enum tsr_rt_verdict *verdict)
{
    memset(out, 0, sizeof *out);
    *verdict = TSR_RT_UNKNOWN;
    int rc = tsr_refresh_token_find(st, tenant_id, value, out);
    if (rc != 0) {
        tsr_refresh_token_cleanup(out);
        return rc == TSR_ENOTFOUND ? 0 : rc;
    }
    *verdict = tsr_rt_check(client, out, now);
    if (*verdict == TSR_RT_REUSED) {
        /* The refusal stands even when the revocation cannot be written. */
        (void)tsr_refresh_token_revoke_family(st, tenant_id, out->family_id);
    }
    return 0;
}

int tsr_rt_commit(tsr_store *st, const char *tenant_id, const struct tsr_client *client,
                  const struct tsr_refresh_token *t)
{
    if (!tsr_rt_rotating(client))
        return tsr_refresh_token_touch(st, tenant_id, t->hash);
    /* Rotated already: a retry within the leeway, which gets a new token of the family. */
    return t->rotated_at != 0 ? 0 : tsr_refresh_token_rotate(st, tenant_id, t->hash);
}

int tsr_rt_spend(tsr_store *st, const char *tenant_id, const struct tsr_client *client,
                 const struct tsr_refresh_token *t, const char *scope, char **next)
{
    *next = NULL;
    bool own = false;
    int rc = tsr_store_begin_own(st, &own);
    if (rc == 0)
        rc = tsr_rt_commit(st, tenant_id, client, t);
    if (rc == 0 && tsr_rt_rotating(client)) {
        const struct tsr_refresh_token successor = {
            .family_id = t->family_id,
            .client_id = client->client_id,
            .user_id = t->user_id,
            .sid = t->sid,
            .scope = (char *)scope,
            .audience = t->audience,
            .auth_time = t->auth_time,
            .expires_at = t->expires_at,
        };
        rc = tsr_refresh_token_create(st, tenant_id, &successor, next);
    }
    rc = tsr_store_finish_own(st, own, rc);
    if (rc != 0) {
        tsr_wipe_free_str(*next);
        *next = NULL;
    }
    return rc;
}

int64_t tsr_rt_family_expiry(const struct tsr_client *client, int64_t now)
{
    const struct tsr_client_rt *rt = &client->refresh_token;
    return expiring(rt) && !rt->infinite_token_lifetime ? now + rt->token_lifetime : 0;
}
