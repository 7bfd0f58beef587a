#include "core/auth_code.h"

#include <stdlib.h>
#include <string.h>

#include "core/rows.h"
#include "http/request.h"
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
    int64_t now = tsr_now();
    *code_out = NULL;
    int rc = tsr_random_secret(code, hash);
    if (rc == 0)
        rc = tsr_store_run(st, NULL,
                           "INSERT INTO authorization_codes (tenant_id, code, client_id, user_id, "
                           "sid, redirect_uri, scope, audience, nonce, code_challenge, "
                           "code_challenge_method, auth_time, created_at, expires_at) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           "sssssssssssiii", tenant_id, hash, c->client_id, c->user_id, c->sid,
                           c->redirect_uri, c->scope, c->audience, c->nonce, c->code_challenge,
                           c->code_challenge_method, c->auth_time, now, now + TSR_AUTH_CODE_TTL);
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

int tsr_auth_code_redeem(tsr_store *st, const char *tenant_id, const char *code,
                         struct tsr_auth_code *out)
{
    char hash[65];
    memset(out, 0, sizeof *out);
    if (code == NULL || strlen(code) > 128 || tsr_sha256_hex(code, hash) != 0)
        return TSR_ENOTFOUND;
    int rc = tsr_rows_one(st, read_row, out,
                          "SELECT code, client_id, user_id, sid, redirect_uri, scope, audience, "
                          "nonce, code_challenge, code_challenge_method, auth_time, expires_at, "
                          "used_at FROM authorization_codes WHERE tenant_id = ? AND code = ?",
                          "ss", tenant_id, hash);
    if (rc != 0)
        return rc;
    /* The conditional update makes two concurrent redemptions see one winner. */
    rc = tsr_rows_change(st,
                         "UPDATE authorization_codes SET used_at = ? WHERE tenant_id = ? AND "
                         "code = ? AND used_at IS NULL",
                         "iss", tsr_now(), tenant_id, hash);
    if (rc == TSR_ENOTFOUND)
        return TSR_EBUSY;
    if (rc != 0)
        tsr_auth_code_cleanup(out);
    return rc;
}
