#include "core/tenant_keys.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/queries.h"
#include "util/err.h"

struct tsr_tenant_keys {
    atomic_int refs;
    char *state;    /* TENANT_SET_KEYS_STATE read before the keyring was loaded */
    char host[256]; /* the name the keyring's certificates carry */
    struct tsr_keyring *ring;
    char *jwks_json;
};

/* Every key's kid, state and times as one text (see tenant_set.def). */
static int keys_state(tsr_store *st, const char *tenant_id, char **out)
{
    tsr_stmt *q = NULL;
    *out = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_TENANT_SET_KEYS_STATE, tenant_id);
    if (rc == 0 && tsr_stmt_step(q) != TSR_STORE_ROW)
        rc = TSR_ESTORE;
    if (rc == 0) {
        const char *text = tsr_stmt_text(q, 0);
        if ((*out = strdup(text ? text : "")) == NULL)
            rc = TSR_ENOMEM;
    }
    tsr_stmt_finalize(q);
    return rc;
}

void tsr_tenant_keys_release(struct tsr_tenant_keys *k)
{
    if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
        return;
    tsr_keyring_free(k->ring);
    free(k->jwks_json);
    free(k->state);
    free(k);
}

int tsr_tenant_keys_get(tsr_store *st, const char *tenant_id, const char *host,
                        const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_tenant_keys *prev,
                        struct tsr_tenant_keys **out)
{
    char *state = NULL;
    *out = NULL;
    /* Read first: a change after this read makes the state differ at the next reload. */
    int rc = keys_state(st, tenant_id, &state);
    if (rc != 0)
        return rc;
    if (prev != NULL && strcmp(prev->state, state) == 0 && strcmp(prev->host, host) == 0) {
        free(state);
        atomic_fetch_add(&prev->refs, 1);
        *out = prev;
        return 0;
    }
    struct tsr_tenant_keys *k = calloc(1, sizeof *k);
    if (k == NULL) {
        free(state);
        return TSR_ENOMEM;
    }
    atomic_init(&k->refs, 1);
    k->state = state;
    snprintf(k->host, sizeof k->host, "%s", host);
    rc = tsr_keyring_load(st, tenant_id, host, master_key, &k->ring);
    if (rc == 0 && (k->jwks_json = tsr_keyring_jwks_text(k->ring)) == NULL)
        rc = TSR_ENOMEM;
    if (rc != 0) {
        tsr_tenant_keys_release(k);
        return rc;
    }
    *out = k;
    return 0;
}

struct tsr_keyring *tsr_tenant_keys_ring(const struct tsr_tenant_keys *k)
{
    return k->ring;
}

char *tsr_tenant_keys_jwks(const struct tsr_tenant_keys *k)
{
    return k->jwks_json;
}
