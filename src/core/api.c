#include "core/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

/* HS256 secrets: 32 random bytes, as long as the SHA-256 output (RFC 8725 section 3.5). */
#define SIGNING_SECRET_BYTES 32

static void free_scopes(struct tsr_api_scope *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].value);
        free(list[i].description);
    }
    free(list);
}

void tsr_api_cleanup(struct tsr_api *a)
{
    free(a->tenant_id);
    free(a->id);
    free(a->identifier);
    free(a->name);
    free(a->signing_alg);
    free(a->signing_secret);
    free(a->token_dialect);
    free_scopes(a->scopes, a->nscopes);
    memset(a, 0, sizeof *a);
}

int tsr_api_init_new(struct tsr_api *a, const char *tenant_id)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[TSR_API_ID_LEN / 2];
    char id[TSR_API_ID_LEN + 1];
    memset(a, 0, sizeof *a);
    if (tsr_random_bytes(raw, sizeof raw) != 0)
        return TSR_ECRYPTO;
    for (size_t i = 0; i < sizeof raw; i++) {
        id[2 * i] = hex[raw[i] >> 4];
        id[2 * i + 1] = hex[raw[i] & 15];
    }
    id[TSR_API_ID_LEN] = '\0';
    a->tenant_id = strdup(tenant_id);
    a->id = strdup(id);
    a->identifier = strdup("");
    a->name = strdup("");
    a->signing_alg = strdup("RS256");
    a->signing_secret = strdup("");
    a->token_dialect = strdup("access_token");
    a->token_lifetime = 86400;
    a->token_lifetime_for_web = 7200;
    a->skip_consent_for_verifiable_first_party_clients = true;
    a->created_at = a->updated_at = tsr_clock_now();
    if (!a->tenant_id || !a->id || !a->identifier || !a->name || !a->signing_alg ||
        !a->signing_secret || !a->token_dialect) {
        tsr_api_cleanup(a);
        return TSR_ENOMEM;
    }
    return 0;
}

int tsr_api_set_scopes(struct tsr_api *a, const struct tsr_api_scope *list, size_t n)
{
    struct tsr_api_scope *copy = n ? calloc(n, sizeof *copy) : NULL;
    if (n > 0 && copy == NULL)
        return TSR_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        copy[i].value = strdup(list[i].value);
        copy[i].description = strdup(list[i].description ? list[i].description : "");
        if (copy[i].value == NULL || copy[i].description == NULL) {
            free_scopes(copy, n);
            return TSR_ENOMEM;
        }
    }
    free_scopes(a->scopes, a->nscopes);
    a->scopes = copy;
    a->nscopes = n;
    return 0;
}

bool tsr_api_has_scope(const struct tsr_api *a, const char *value)
{
    for (size_t i = 0; i < a->nscopes; i++)
        if (strcmp(a->scopes[i].value, value) == 0)
            return true;
    return false;
}

static void secret_context(char *buf, size_t len, const struct tsr_api *a)
{
    snprintf(buf, len, "api-signing-secret:%s:%s", a->tenant_id, a->id);
}

int tsr_api_set_signing_secret(struct tsr_api *a, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                               const uint8_t *secret, size_t len)
{
    char ctx[256];
    char *sealed = NULL;
    secret_context(ctx, sizeof ctx, a);
    int rc = tsr_seal(master_key, ctx, secret, len, &sealed);
    if (rc != 0)
        return rc;
    free(a->signing_secret);
    a->signing_secret = sealed;
    return 0;
}

int tsr_api_new_signing_secret(struct tsr_api *a, const uint8_t master_key[TSR_MASTER_KEY_LEN],
                               char **plain_out)
{
    if (plain_out != NULL)
        *plain_out = NULL;
    /* The secret is text (as in Auth0): HMAC keys are its bytes, 43 characters here. */
    char text[64];
    int rc = tsr_random_token(text, sizeof text, SIGNING_SECRET_BYTES);
    if (rc == 0)
        rc = tsr_api_set_signing_secret(a, master_key, (const uint8_t *)text, strlen(text));
    if (rc == 0 && plain_out != NULL && (*plain_out = strdup(text)) == NULL)
        rc = TSR_ENOMEM;
    tsr_wipe(text, sizeof text);
    return rc;
}

int tsr_api_open_signing_secret(const struct tsr_api *a,
                                const uint8_t master_key[TSR_MASTER_KEY_LEN], uint8_t **out,
                                size_t *outlen)
{
    char ctx[256];
    if (a->signing_secret == NULL || a->signing_secret[0] == '\0')
        return TSR_ENOTFOUND;
    secret_context(ctx, sizeof ctx, a);
    return tsr_unseal(master_key, ctx, a->signing_secret, out, outlen);
}

static int read_scopes(struct tsr_api *a, const char *text)
{
    json_t *arr = json_loads(text ? text : "[]", 0, NULL);
    size_t i;
    json_t *item;
    int rc = 0;
    if (!json_is_array(arr)) {
        rc = TSR_ESTORE;
        goto out;
    }
    a->nscopes = 0;
    a->scopes = json_array_size(arr) ? calloc(json_array_size(arr), sizeof *a->scopes) : NULL;
    if (json_array_size(arr) > 0 && a->scopes == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    json_array_foreach(arr, i, item)
    {
        const char *v = json_string_value(json_object_get(item, "value"));
        const char *d = json_string_value(json_object_get(item, "description"));
        a->scopes[i].value = strdup(v ? v : "");
        a->scopes[i].description = strdup(d ? d : "");
        a->nscopes = i + 1;
        if (a->scopes[i].value == NULL || a->scopes[i].description == NULL) {
            rc = TSR_ENOMEM;
            goto out;
        }
    }
out:
    json_decref(arr);
    return rc;
}

static char *scopes_to_text(const struct tsr_api *a)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < a->nscopes; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "value", a->scopes[i].value,
                                             "description", a->scopes[i].description));
    char *text = arr ? json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(arr);
    return text;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_api *a = record;
    memset(a, 0, sizeof *a);
    a->tenant_id = tsr_stmt_text_dup(q, 0);
    a->id = tsr_stmt_text_dup(q, 1);
    a->identifier = tsr_stmt_text_dup(q, 2);
    a->name = tsr_stmt_text_dup(q, 3);
    a->is_system = tsr_stmt_int64(q, 4) != 0;
    a->signing_alg = tsr_stmt_text_dup(q, 5);
    a->signing_secret = tsr_stmt_text_dup(q, 6);
    a->token_lifetime = tsr_stmt_int64(q, 7);
    a->token_lifetime_for_web = tsr_stmt_int64(q, 8);
    a->allow_offline_access = tsr_stmt_int64(q, 9) != 0;
    a->skip_consent_for_verifiable_first_party_clients = tsr_stmt_int64(q, 10) != 0;
    a->enforce_policies = tsr_stmt_int64(q, 11) != 0;
    a->token_dialect = tsr_stmt_text_dup(q, 12);
    a->created_at = tsr_stmt_int64(q, 14);
    a->updated_at = tsr_stmt_int64(q, 15);
    int rc = 0;
    if (!a->tenant_id || !a->id || !a->identifier || !a->name || !a->signing_alg ||
        !a->signing_secret || !a->token_dialect)
        rc = TSR_ENOMEM;
    if (rc == 0)
        rc = read_scopes(a, tsr_stmt_text(q, 13));
    if (rc != 0)
        tsr_api_cleanup(a);
    return rc;
}

static void cleanup_cb(void *record)
{
    tsr_api_cleanup(record);
}

int tsr_api_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_api *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_API_GET, tenant_id, id);
}

int tsr_api_get_by_identifier(tsr_store *st, const char *tenant_id, const char *identifier,
                              struct tsr_api *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_API_GET_BY_IDENTIFIER, tenant_id, identifier);
}

int tsr_api_insert(tsr_store *st, const struct tsr_api *a)
{
    char *scopes = scopes_to_text(a);
    if (scopes == NULL)
        return TSR_ENOMEM;
    int rc = tsr_store_q_run(
        st, NULL, TSR_Q_API_INSERT, a->tenant_id, a->id, a->identifier, a->name,
        (int64_t)a->is_system, a->signing_alg, a->signing_secret, a->token_lifetime,
        a->token_lifetime_for_web, (int64_t)a->allow_offline_access,
        (int64_t)a->skip_consent_for_verifiable_first_party_clients, (int64_t)a->enforce_policies,
        a->token_dialect, scopes, a->created_at, a->updated_at);
    free(scopes);
    return rc;
}

int tsr_api_update(tsr_store *st, const struct tsr_api *a)
{
    char *scopes = scopes_to_text(a);
    if (scopes == NULL)
        return TSR_ENOMEM;
    int rc = tsr_rows_change(
        st, TSR_Q_API_UPDATE, a->name, a->signing_alg, a->signing_secret, a->token_lifetime,
        a->token_lifetime_for_web, (int64_t)a->allow_offline_access,
        (int64_t)a->skip_consent_for_verifiable_first_party_clients, (int64_t)a->enforce_policies,
        a->token_dialect, scopes, tsr_clock_now(), a->tenant_id, a->id);
    free(scopes);
    return rc;
}

int tsr_api_delete(tsr_store *st, const char *tenant_id, const char *id)
{
    return tsr_rows_change(st, TSR_Q_API_DELETE, tenant_id, id);
}

int tsr_api_list(tsr_store *st, const char *tenant_id, const struct tsr_strlist *identifiers,
                 int64_t offset, int64_t limit, struct tsr_api **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    /* A fixed number of slots, NULL when unused: one statement with bounded parameters. */
    const char *id[TSR_API_FILTER_MAX] = {0};
    int64_t filtered = identifiers != NULL && identifiers->n > 0;
    if (filtered && identifiers->n > TSR_API_FILTER_MAX)
        return TSR_EINVAL;
    for (size_t i = 0; filtered && i < identifiers->n; i++)
        id[i] = identifiers->v[i];
    int rc = 0;
    tsr_stmt *q = NULL;
    if (total != NULL &&
        (rc = tsr_rows_count(st, total, TSR_Q_API_COUNT, tenant_id, filtered, id[0], id[1], id[2],
                             id[3], id[4], id[5], id[6], id[7], id[8], id[9])) != 0)
        return rc;
    rc = tsr_store_q(st, &q, TSR_Q_API_LIST, tenant_id, filtered, id[0], id[1], id[2], id[3], id[4],
                     id[5], id[6], id[7], id[8], id[9], limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_api_list_tenant(tsr_store *st, const char *tenant_id, struct tsr_api **out, size_t *n,
                        size_t *skipped)
{
    *out = NULL;
    *n = 0;
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_API_LIST_TENANT, tenant_id);
    if (rc == 0)
        rc = tsr_rows_collect_skipping(q, sizeof **out, read_row, cleanup_cb, (void **)out, n,
                                       skipped);
    tsr_stmt_finalize(q);
    return rc;
}

void tsr_api_list_free(struct tsr_api *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}
