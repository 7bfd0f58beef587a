#include "core/opaque_token.h"

#include <stdlib.h>
#include <string.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

void tsr_opaque_token_cleanup(struct tsr_opaque_token *t)
{
    free(t->client_id);
    free(t->user_id);
    free(t->scope);
    memset(t, 0, sizeof *t);
}

int tsr_opaque_token_create(tsr_store *st, const char *tenant_id, const char *family_id,
                            const char *client_id, const char *user_id, const char *scope,
                            char **secret_out)
{
    char secret[64], hash[65];
    int64_t now = tsr_clock_now();
    *secret_out = NULL;
    int rc = tsr_random_secret(secret, hash);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_OPAQUE_TOKEN_INSERT, tenant_id, hash,
                             family_id ? family_id : "", client_id, user_id, scope, now,
                             now + TSR_OPAQUE_TOKEN_TTL);
    if (rc == 0 && (*secret_out = strdup(secret)) == NULL)
        rc = TSR_ENOMEM;
    tsr_wipe(secret, sizeof secret);
    return rc;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_opaque_token *t = record;
    t->client_id = tsr_stmt_text_dup(q, 0);
    t->user_id = tsr_stmt_text_dup(q, 1);
    t->scope = tsr_stmt_text_dup(q, 2);
    t->expires_at = tsr_stmt_int64(q, 3);
    if (!t->client_id || !t->user_id || !t->scope) {
        tsr_opaque_token_cleanup(t);
        return TSR_ENOMEM;
    }
    return 0;
}

int tsr_opaque_token_find(tsr_store *st, const char *tenant_id, const char *secret,
                          struct tsr_opaque_token *out)
{
    char hash[65];
    memset(out, 0, sizeof *out);
    if (strlen(secret) > 128 || tsr_sha256_hex(secret, hash) != 0)
        return TSR_ENOTFOUND;
    return tsr_rows_one(st, read_row, out, TSR_Q_OPAQUE_TOKEN_FIND, tenant_id, hash,
                        tsr_clock_now());
}
