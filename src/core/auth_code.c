#include "core/auth_code.h"

#include <stdlib.h>
#include <string.h>

#include "core/rows.h"
#include "util/b64url.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

void tsr_auth_code_cleanup(struct tsr_auth_code *c)
{
    free(c->hash);
    free(c->client_id);
    free(c->user_id);
    free(c->sid);
    free(c->redirect_uri);
    free(c->scope);
    free(c->audience);
    free(c->nonce);
    free(c->code_challenge);
    free(c->code_challenge_method);
    memset(c, 0, sizeof *c);
}

int tsr_auth_code_create(tsr_store *st, const char *tenant_id, struct tsr_auth_code *c,
                         char **code_out)
{
    char code[64], hash[65];
    int64_t now = tsr_clock_now();
    *code_out = NULL;
    int rc = tsr_random_secret(code, hash);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_AUTH_CODE_INSERT, tenant_id, hash, c->client_id,
                             c->user_id, c->sid, c->redirect_uri, c->scope, c->audience, c->nonce,
                             c->code_challenge, c->code_challenge_method, c->auth_time, now,
                             now + TSR_AUTH_CODE_TTL);
    if (rc == 0 && (*code_out = strdup(code)) == NULL)
        rc = TSR_ENOMEM;
    tsr_wipe(code, sizeof code);
    return rc;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_auth_code *c = record;
    char **texts[] = {&c->hash,  &c->client_id, &c->user_id,        &c->sid,
                      &c->redirect_uri, &c->scope, &c->audience, &c->nonce,
                      &c->code_challenge, &c->code_challenge_method};
    for (int i = 0; i < 10; i++) {
        if ((*texts[i] = tsr_stmt_text_dup(q, i)) == NULL) {
            tsr_auth_code_cleanup(c);
            return TSR_ENOMEM;
        }
    }
    c->auth_time = tsr_stmt_int64(q, 10);
    c->expires_at = tsr_stmt_int64(q, 11);
    c->used_at = tsr_stmt_is_null(q, 12) ? 0 : tsr_stmt_int64(q, 12);
    return 0;
}

int tsr_auth_code_find(tsr_store *st, const char *tenant_id, const char *code,
                       struct tsr_auth_code *out)
{
    char hash[65];
    memset(out, 0, sizeof *out);
    if (code == NULL || strlen(code) > 128 || tsr_sha256_hex(code, hash) != 0)
        return TSR_ENOTFOUND;
    return tsr_rows_one(st, read_row, out, TSR_Q_AUTH_CODE_GET, tenant_id, hash);
}

int tsr_auth_code_mark_used(tsr_store *st, const char *tenant_id, const char *hash)
{
    int rc = tsr_rows_change(st, TSR_Q_AUTH_CODE_MARK_USED, tsr_clock_now(), tenant_id, hash);
    return rc == TSR_ENOTFOUND ? TSR_EBUSY : rc;
}

bool tsr_pkce_matches(const char *challenge, const char *verifier)
{
    if (challenge == NULL || challenge[0] == '\0')
        return verifier == NULL;
    if (verifier == NULL)
        return false;
    size_t len = strlen(verifier);
    if (len < 43 || len > 128 ||
        strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") !=
            len)
        return false;
    uint8_t digest[TSR_SHA256_LEN];
    char computed[48];
    if (tsr_sha256(verifier, len, digest) != 0 ||
        tsr_b64url_encode(digest, sizeof digest, computed, sizeof computed) != 0)
        return false;
    return strlen(challenge) == 43 && tsr_ct_equal(computed, challenge, 43);
}

enum tsr_code_verdict tsr_auth_code_check(const struct tsr_auth_code *c, const char *client_id,
                                          const char *redirect_uri, const char *verifier,
                                          int64_t now)
{
    if (client_id == NULL || strcmp(c->client_id, client_id) != 0)
        return TSR_CODE_WRONG_CLIENT;
    if (redirect_uri == NULL || strcmp(redirect_uri, c->redirect_uri) != 0)
        return TSR_CODE_WRONG_REDIRECT;
    if (!tsr_pkce_matches(c->code_challenge, verifier))
        return TSR_CODE_WRONG_VERIFIER;
    if (c->used_at != 0)
        return TSR_CODE_REPLAYED;
    return c->expires_at <= now ? TSR_CODE_EXPIRED : TSR_CODE_OK;
}
