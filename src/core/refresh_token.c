#include "core/refresh_token.h"

#include <stdlib.h>
#include <string.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

void tsr_refresh_token_cleanup(struct tsr_refresh_token *t)
{
    free(t->hash);
    free(t->family_id);
    free(t->client_id);
    free(t->user_id);
    free(t->sid);
    free(t->scope);
    free(t->audience);
    memset(t, 0, sizeof *t);
}

int tsr_refresh_token_create(tsr_store *st, const char *tenant_id,
                             const struct tsr_refresh_token *t, char **secret_out)
{
    char secret[64], hash[65];
    int64_t now = tsr_clock_now();
    *secret_out = NULL;
    int rc = tsr_random_secret(secret, hash);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_REFRESH_TOKEN_INSERT, tenant_id, hash, t->family_id,
                             t->client_id, t->user_id, t->sid, t->scope, t->audience, t->auth_time,
                             now, now, t->expires_at);
    if (rc == 0 && (*secret_out = strdup(secret)) == NULL)
        rc = TSR_ENOMEM;
    tsr_wipe(secret, sizeof secret);
    return rc;
}

static int64_t optional(tsr_stmt *q, int col)
{
    return tsr_stmt_is_null(q, col) ? 0 : tsr_stmt_int64(q, col);
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_refresh_token *t = record;
    char **texts[] = {&t->hash, &t->family_id, &t->client_id, &t->user_id,
                      &t->sid,  &t->scope,     &t->audience};
    for (int i = 0; i < 7; i++) {
        if ((*texts[i] = tsr_stmt_text_dup(q, i)) == NULL) {
            tsr_refresh_token_cleanup(t);
            return TSR_ENOMEM;
        }
    }
    t->auth_time = tsr_stmt_int64(q, 7);
    t->created_at = tsr_stmt_int64(q, 8);
    t->last_used_at = tsr_stmt_int64(q, 9);
    t->expires_at = optional(q, 10);
    t->rotated_at = optional(q, 11);
    t->revoked_at = optional(q, 12);
    return 0;
}

int tsr_refresh_token_find(tsr_store *st, const char *tenant_id, const char *secret,
                           struct tsr_refresh_token *out)
{
    char hash[65];
    memset(out, 0, sizeof *out);
    if (secret == NULL || strlen(secret) > 128 || tsr_sha256_hex(secret, hash) != 0)
        return TSR_ENOTFOUND;
    return tsr_rows_one(st, read_row, out, TSR_Q_REFRESH_TOKEN_FIND, tenant_id, hash);
}

int tsr_refresh_token_rotate(tsr_store *st, const char *tenant_id, const char *hash)
{
    int64_t now = tsr_clock_now();
    return tsr_rows_change(st, TSR_Q_REFRESH_TOKEN_ROTATE, now, now, tenant_id, hash);
}

int tsr_refresh_token_touch(tsr_store *st, const char *tenant_id, const char *hash)
{
    return tsr_rows_change(st, TSR_Q_REFRESH_TOKEN_TOUCH, tsr_clock_now(), tenant_id, hash);
}

/* Revokes the refresh tokens, then the opaque access tokens, that one query pair names. */
static int revoke_where(tsr_store *st, const char *tenant_id, enum tsr_query_id refresh,
                        enum tsr_query_id access, const char *value)
{
    int64_t now = tsr_clock_now();
    int rc = tsr_store_q_run(st, NULL, refresh, now, tenant_id, value);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, access, now, tenant_id, value);
    return rc;
}

int tsr_refresh_token_revoke_family(tsr_store *st, const char *tenant_id, const char *family_id)
{
    return revoke_where(st, tenant_id, TSR_Q_REFRESH_TOKEN_REVOKE_FAMILY,
                        TSR_Q_REFRESH_TOKEN_REVOKE_FAMILY_ACCESS, family_id);
}

int tsr_refresh_token_revoke_client(tsr_store *st, const char *tenant_id, const char *client_id)
{
    return revoke_where(st, tenant_id, TSR_Q_REFRESH_TOKEN_REVOKE_CLIENT,
                        TSR_Q_REFRESH_TOKEN_REVOKE_CLIENT_ACCESS, client_id);
}

int tsr_refresh_token_revoke_user(tsr_store *st, const char *tenant_id, const char *user_id)
{
    return revoke_where(st, tenant_id, TSR_Q_REFRESH_TOKEN_REVOKE_USER,
                        TSR_Q_REFRESH_TOKEN_REVOKE_USER_ACCESS, user_id);
}

int tsr_refresh_token_revoke_session(tsr_store *st, const char *tenant_id, const char *sid)
{
    if (sid == NULL || sid[0] == '\0')
        return 0;
    return tsr_store_q_run(st, NULL, TSR_Q_REFRESH_TOKEN_REVOKE_SESSION, tsr_clock_now(), tenant_id,
                           sid);
}
