#include "core/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/key_cert.h"
#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

struct ring_entry {
    char *kid;
    char *state;
    tsr_jwk *key;
    json_t *public_jwk;
};

#define ALG_SLOTS (TSR_ALG_HS256 + 1)

struct tsr_keyring {
    struct ring_entry *entries;
    size_t n;
    const tsr_jwk *current[ALG_SLOTS]; /* the signing key of each alg, by enum value */
};

static void seal_context(char *buf, size_t len, const char *tenant_id, const char *kid)
{
    /* Binds each sealed key to its row, so keys cannot be swapped between rows. */
    snprintf(buf, len, "signing-key:%s:%s", tenant_id, kid);
}

static int store_new_key(tsr_store *st, const char *tenant_id,
                         const uint8_t master_key[TSR_MASTER_KEY_LEN], enum tsr_jws_alg alg,
                         const char *state, int64_t now)
{
    tsr_jwk *key = NULL;
    uint8_t *pem = NULL;
    size_t pemlen = 0;
    char *sealed = NULL, *pub_text = NULL;
    json_t *pub = NULL;
    char ctx[256];
    int rc = tsr_jwk_generate(alg, &key);
    if (rc != 0)
        goto out;
    if ((rc = tsr_jwk_private_pem(key, &pem, &pemlen)) != 0)
        goto out;
    seal_context(ctx, sizeof ctx, tenant_id, tsr_jwk_kid(key));
    if ((rc = tsr_seal(master_key, ctx, pem, pemlen, &sealed)) != 0)
        goto out;
    if ((rc = tsr_jwk_to_public_json(key, &pub)) != 0)
        goto out;
    pub_text = json_dumps(pub, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (pub_text == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    bool current = strcmp(state, "current") == 0;
    rc = tsr_store_q_run(st, NULL, current ? TSR_Q_KEYS_INSERT_CURRENT : TSR_Q_KEYS_INSERT,
                         tenant_id, tsr_jwk_kid(key), tsr_jws_alg_name(alg), state, sealed,
                         pub_text, now, now);
out:
    if (pem != NULL) {
        tsr_wipe(pem, pemlen);
        free(pem);
    }
    free(sealed);
    free(pub_text);
    json_decref(pub);
    tsr_jwk_free(key);
    return rc;
}

static int create_pair(tsr_store *st, const char *tenant_id,
                       const uint8_t master_key[TSR_MASTER_KEY_LEN], enum tsr_jws_alg alg)
{
    int64_t now = tsr_clock_now();
    int rc = store_new_key(st, tenant_id, master_key, alg, "current", now);
    if (rc == 0)
        rc = store_new_key(st, tenant_id, master_key, alg, "next", now);
    return rc;
}

int tsr_keys_create_initial(tsr_store *st, const char *tenant_id,
                            const uint8_t master_key[TSR_MASTER_KEY_LEN])
{
    return create_pair(st, tenant_id, master_key, TSR_ALG_RS256);
}

bool tsr_keys_alg_is_tenant_key(enum tsr_jws_alg alg)
{
    return alg == TSR_ALG_RS256 || alg == TSR_ALG_PS256 || alg == TSR_ALG_ES256 ||
           alg == TSR_ALG_EDDSA;
}

int tsr_keys_ensure_alg(tsr_store *st, const char *tenant_id,
                        const uint8_t master_key[TSR_MASTER_KEY_LEN], const char *alg_name,
                        bool *created)
{
    enum tsr_jws_alg alg;
    int64_t have = 0;
    bool own = false;
    *created = false;
    if (tsr_jws_alg_parse(alg_name, &alg) != 0)
        return TSR_EINVAL;
    /* HS256 APIs sign with their own secret: no tenant key. */
    if (!tsr_keys_alg_is_tenant_key(alg))
        return 0;
    int rc = tsr_store_begin_own(st, &own);
    if (rc == 0)
        rc = tsr_rows_count(st, &have, TSR_Q_KEYS_HAS_ALG, tenant_id, alg_name);
    if (rc == 0 && have == 0) {
        rc = create_pair(st, tenant_id, master_key, alg);
        *created = rc == 0;
    }
    rc = tsr_store_finish_own(st, own, rc);
    if (rc != 0)
        *created = false;
    return rc;
}

int tsr_keys_count(tsr_store *st, const char *tenant_id, int64_t *out)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_KEYS_COUNT, tenant_id);
    if (rc == 0 && (rc = tsr_stmt_step(q)) == TSR_STORE_ROW) {
        *out = tsr_stmt_int64(q, 0);
        rc = 0;
    } else if (rc == TSR_STORE_DONE) {
        rc = TSR_ESTORE;
    }
    tsr_stmt_finalize(q);
    return rc;
}

/*
 * Adds x5c and x5t to the entry's public JWK, as Auth0's JWKS has them: the
 * key's certificate, the same one the Management API shows (core/key_cert.h).
 */
static int add_certificate(struct ring_entry *e, const char *cn, int64_t created_at)
{
    struct tsr_key_cert cert;
    /* From the key loaded just before: its PEM is read once per load, not twice. */
    int rc = tsr_key_cert_jwks(tsr_jwk_evp_pkey(e->key), e->kid, cn, created_at, &cert);
    if (rc == TSR_EINVAL) /* not RSA: no deterministic certificate, none published */
        return 0;
    if (rc != 0)
        return rc;
    if (json_object_set_new(e->public_jwk, "x5t", json_string(cert.x5t)) != 0 ||
        json_object_set_new(e->public_jwk, "x5c", json_pack("[s]", cert.x5c)) != 0)
        rc = TSR_ENOMEM;
    tsr_key_cert_cleanup(&cert);
    return rc;
}

static int load_entry(tsr_stmt *q, const char *tenant_id, const char *cn,
                      const uint8_t master_key[TSR_MASTER_KEY_LEN], struct ring_entry *e)
{
    const char *kid = tsr_stmt_text(q, 0), *alg_name = tsr_stmt_text(q, 1);
    const char *sealed = tsr_stmt_text(q, 3), *pub = tsr_stmt_text(q, 4);
    enum tsr_jws_alg alg;
    uint8_t *pem = NULL;
    size_t pemlen = 0;
    char ctx[256];
    if (!kid || !alg_name || !sealed || !pub || tsr_jws_alg_parse(alg_name, &alg) != 0)
        return TSR_ESTORE;
    seal_context(ctx, sizeof ctx, tenant_id, kid);
    int rc = tsr_unseal(master_key, ctx, sealed, &pem, &pemlen);
    if (rc != 0)
        return rc == TSR_EFORMAT ? TSR_ESTORE : rc;
    rc = tsr_jwk_from_private_pem((const char *)pem, pemlen, alg, kid, &e->key);
    if (rc == 0) {
        e->kid = strdup(kid);
        e->state = tsr_stmt_text_dup(q, 2);
        e->public_jwk = json_loads(pub, 0, NULL);
        rc = e->kid && e->state && e->public_jwk ? 0 : TSR_ENOMEM;
    }
    if (rc == 0 && cn != NULL)
        rc = add_certificate(e, cn, tsr_stmt_int64(q, 5));
    tsr_wipe(pem, pemlen);
    free(pem);
    return rc;
}

int tsr_keyring_load(tsr_store *st, const char *tenant_id, const char *cn,
                     const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_keyring **out)
{
    *out = NULL;
    tsr_stmt *q = NULL;
    struct tsr_keyring *ring = calloc(1, sizeof *ring);
    if (ring == NULL)
        return TSR_ENOMEM;
    /* Current first, then next, then previous: the JWKS lists them in this order. */
    int rc = tsr_store_q(st, &q, TSR_Q_KEYS_SIGNING, tenant_id);
    if (rc != 0)
        goto out;
    while ((rc = tsr_stmt_step(q)) == TSR_STORE_ROW) {
        struct ring_entry *grown = realloc(ring->entries, (ring->n + 1) * sizeof *grown);
        if (grown == NULL) {
            rc = TSR_ENOMEM;
            goto out;
        }
        ring->entries = grown;
        struct ring_entry *e = &ring->entries[ring->n++];
        memset(e, 0, sizeof *e);
        if ((rc = load_entry(q, tenant_id, cn, master_key, e)) != 0)
            goto out;
        enum tsr_jws_alg alg = tsr_jwk_alg(e->key);
        if ((size_t)alg < ALG_SLOTS && ring->current[alg] == NULL &&
            strcmp(e->state, "current") == 0)
            ring->current[alg] = e->key;
    }
    if (rc != TSR_STORE_DONE)
        goto out;
    /* RS256 signs ID tokens: a tenant always has it. */
    rc = ring->current[TSR_ALG_RS256] ? 0 : TSR_ENOTFOUND;
out:
    tsr_stmt_finalize(q);
    if (rc == 0)
        *out = ring;
    else
        tsr_keyring_free(ring);
    return rc;
}

void tsr_keyring_free(struct tsr_keyring *ring)
{
    if (ring == NULL)
        return;
    for (size_t i = 0; i < ring->n; i++) {
        free(ring->entries[i].kid);
        free(ring->entries[i].state);
        tsr_jwk_free(ring->entries[i].key);
        json_decref(ring->entries[i].public_jwk);
    }
    free(ring->entries);
    free(ring);
}

const tsr_jwk *tsr_keyring_current(const struct tsr_keyring *ring)
{
    return ring->current[TSR_ALG_RS256];
}

const tsr_jwk *tsr_keyring_current_for(const struct tsr_keyring *ring, enum tsr_jws_alg alg)
{
    return (size_t)alg < ALG_SLOTS ? ring->current[alg] : NULL;
}

const tsr_jwk *tsr_keyring_find(const struct tsr_keyring *ring, const char *kid)
{
    for (size_t i = 0; i < ring->n; i++)
        if (strcmp(ring->entries[i].kid, kid) == 0)
            return ring->entries[i].key;
    return NULL;
}

char *tsr_keyring_jwks_text(const struct tsr_keyring *ring)
{
    json_t *keys = json_array();
    for (size_t i = 0; keys != NULL && i < ring->n; i++)
        json_array_append(keys, ring->entries[i].public_jwk);
    json_t *doc = json_pack("{s:o}", "keys", keys);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    return text;
}

static void key_info_cleanup(void *record)
{
    struct tsr_key_info *k = record;
    free(k->kid);
    free(k->alg);
    free(k->state);
    free(k->public_jwk);
}

static int64_t optional(tsr_stmt *q, int col)
{
    return tsr_stmt_is_null(q, col) ? 0 : tsr_stmt_int64(q, col);
}

static int read_key_info(tsr_stmt *q, void *record)
{
    struct tsr_key_info *k = record;
    memset(k, 0, sizeof *k);
    k->kid = tsr_stmt_text_dup(q, 0);
    k->alg = tsr_stmt_text_dup(q, 1);
    k->state = tsr_stmt_text_dup(q, 2);
    k->public_jwk = tsr_stmt_text_dup(q, 3);
    k->created_at = tsr_stmt_int64(q, 4);
    k->current_since = optional(q, 5);
    k->current_until = optional(q, 6);
    k->revoked_at = optional(q, 7);
    if (!k->kid || !k->alg || !k->state || !k->public_jwk) {
        key_info_cleanup(k);
        return TSR_ENOMEM;
    }
    return 0;
}

void tsr_key_info_list_free(struct tsr_key_info *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, key_info_cleanup);
}

int tsr_keys_list(tsr_store *st, const char *tenant_id, struct tsr_key_info **out, size_t *n)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_KEYS_LIST, tenant_id);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_key_info, key_info_cleanup, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

/* Reads the first column's text: a kid, a state or a sealed key. */
static int read_text(tsr_stmt *q, void *record)
{
    char **kid = record;
    *kid = tsr_stmt_text_dup(q, 0);
    return *kid ? 0 : TSR_ENOMEM;
}

int tsr_keys_private_pem(tsr_store *st, const char *tenant_id,
                         const uint8_t master_key[TSR_MASTER_KEY_LEN], const char *kid,
                         uint8_t **pem, size_t *len)
{
    char *sealed = NULL;
    char ctx[256];
    *pem = NULL;
    int rc = tsr_rows_one(st, read_text, &sealed, TSR_Q_KEYS_PRIVATE, tenant_id, kid);
    if (rc != 0)
        return rc;
    seal_context(ctx, sizeof ctx, tenant_id, kid);
    rc = tsr_unseal(master_key, ctx, sealed, pem, len);
    free(sealed);
    return rc == TSR_EFORMAT ? TSR_ESTORE : rc;
}

static void text_cleanup(void *record)
{
    free(*(char **)record);
}

/* The algs of the tenant's current keys, RS256 first. */
static int current_algs(tsr_store *st, const char *tenant_id, char ***algs, size_t *n)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_KEYS_ALGS, tenant_id);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **algs, read_text, text_cleanup, (void **)algs, n);
    tsr_stmt_finalize(q);
    return rc;
}

/* Rotates the keys of one alg; *new_current receives the kid now signing. */
static int rotate_alg(tsr_store *st, const char *tenant_id,
                      const uint8_t master_key[TSR_MASTER_KEY_LEN], const char *alg_name,
                      int64_t now, char **new_current)
{
    enum tsr_jws_alg alg;
    if (tsr_jws_alg_parse(alg_name, &alg) != 0 || !tsr_keys_alg_is_tenant_key(alg))
        return TSR_ESTORE;
    int rc = tsr_rows_one(st, read_text, new_current, TSR_Q_KEYS_NEXT, tenant_id, alg_name);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_KEYS_RETIRE_CURRENT, now, tenant_id, alg_name);
    if (rc == 0)
        rc = tsr_rows_change(st, TSR_Q_KEYS_MAKE_CURRENT, now, tenant_id, *new_current);
    if (rc == 0)
        rc = store_new_key(st, tenant_id, master_key, alg, "next", now);
    return rc;
}

int tsr_keys_rotate(tsr_store *st, const char *tenant_id,
                    const uint8_t master_key[TSR_MASTER_KEY_LEN], char **new_current)
{
    int64_t now = tsr_clock_now();
    char **algs = NULL, *rs256 = NULL;
    size_t n = 0;
    *new_current = NULL;
    int rc = tsr_store_begin(st);
    if (rc == 0)
        rc = current_algs(st, tenant_id, &algs, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *kid = NULL;
        rc = rotate_alg(st, tenant_id, master_key, algs[i], now, &kid);
        if (rc == 0 && rs256 == NULL && strcmp(algs[i], "RS256") == 0) {
            rs256 = kid;
            kid = NULL;
        }
        free(kid);
    }
    if (rc == 0 && rs256 == NULL) /* every tenant signs ID tokens with RS256 */
        rc = TSR_ENOTFOUND;
    tsr_rows_free(algs, n, sizeof *algs, text_cleanup);
    if ((rc = tsr_store_finish(st, rc)) != 0) {
        free(rs256);
        return rc;
    }
    *new_current = rs256;
    return 0;
}

int tsr_keys_revoke(tsr_store *st, const char *tenant_id, const char *kid)
{
    char *state = NULL;
    int rc = tsr_rows_one(st, read_text, &state, TSR_Q_KEYS_STATE, tenant_id, kid);
    if (rc != 0)
        return rc;
    bool previous = strcmp(state, "previous") == 0;
    free(state);
    if (!previous)
        return TSR_EINVAL;
    return tsr_rows_change(st, TSR_Q_KEYS_REVOKE, tsr_clock_now(), tenant_id, kid);
}
