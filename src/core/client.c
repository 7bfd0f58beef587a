#include "core/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"
#include "util/url.h"

void tsr_client_cleanup(struct tsr_client *c)
{
    free(c->tenant_id);
    free(c->client_id);
    free(c->name);
    free(c->description);
    free(c->app_type);
    free(c->logo_uri);
    free(c->secret_hash);
    free(c->token_endpoint_auth_method);
    tsr_strlist_cleanup(&c->grant_types);
    tsr_strlist_cleanup(&c->callbacks);
    tsr_strlist_cleanup(&c->allowed_origins);
    tsr_strlist_cleanup(&c->web_origins);
    tsr_strlist_cleanup(&c->allowed_logout_urls);
    free(c->client_metadata);
    free(c->refresh_token.rotation_type);
    free(c->refresh_token.expiration_type);
    memset(c, 0, sizeof *c);
}

int tsr_client_init_new(struct tsr_client *c, const char *tenant_id)
{
    char id[TSR_CLIENT_ID_LEN + 1];
    memset(c, 0, sizeof *c);
    if (tsr_random_alnum(id, TSR_CLIENT_ID_LEN) != 0)
        return TSR_ECRYPTO;
    c->tenant_id = strdup(tenant_id);
    c->client_id = strdup(id);
    c->name = strdup("");
    c->description = strdup("");
    c->app_type = strdup("");
    c->logo_uri = strdup("");
    c->secret_hash = strdup("");
    c->token_endpoint_auth_method = strdup("client_secret_post");
    c->client_metadata = strdup("{}");
    c->is_first_party = true;
    c->oidc_conformant = true;
    c->jwt_lifetime_in_seconds = 36000;
    c->refresh_token.rotation_type = strdup("non-rotating");
    c->refresh_token.expiration_type = strdup("non-expiring");
    c->refresh_token.token_lifetime = 2592000;
    c->refresh_token.idle_token_lifetime = 1296000;
    c->refresh_token.infinite_token_lifetime = true;
    c->refresh_token.infinite_idle_token_lifetime = true;
    c->created_at = c->updated_at = tsr_clock_now();
    if (!c->tenant_id || !c->client_id || !c->name || !c->description || !c->app_type ||
        !c->logo_uri || !c->secret_hash || !c->token_endpoint_auth_method || !c->client_metadata ||
        !c->refresh_token.rotation_type || !c->refresh_token.expiration_type) {
        tsr_client_cleanup(c);
        return TSR_ENOMEM;
    }
    return 0;
}

int tsr_client_new_secret(struct tsr_client *c, char **secret_out)
{
    *secret_out = NULL;
    char secret[TSR_CLIENT_SECRET_LEN + 1];
    char hash[65];
    int rc = tsr_random_token(secret, sizeof secret, TSR_CLIENT_SECRET_BYTES);
    if (rc == 0)
        rc = tsr_sha256_hex(secret, hash);
    if (rc == 0) {
        char *h = strdup(hash), *s = strdup(secret);
        if (h == NULL || s == NULL) {
            free(h);
            tsr_wipe_free_str(s);
            rc = TSR_ENOMEM;
        } else {
            free(c->secret_hash);
            c->secret_hash = h;
            *secret_out = s;
        }
    }
    tsr_wipe(secret, sizeof secret);
    return rc;
}

bool tsr_client_is_public(const struct tsr_client *c)
{
    return strcmp(c->token_endpoint_auth_method, "none") == 0;
}

bool tsr_client_method_allows(const struct tsr_client *c, enum tsr_client_cred how)
{
    const char *m = c->token_endpoint_auth_method;
    if (strcmp(m, "none") == 0)
        return how == TSR_CRED_ID_ONLY;
    if (strcmp(m, "client_secret_basic") == 0)
        return how != TSR_CRED_POST;
    if (strcmp(m, "client_secret_post") == 0)
        return how != TSR_CRED_BASIC;
    return false; /* a method this server does not implement */
}

bool tsr_client_method_change_revokes(const char *old_method, const char *new_method)
{
    return strcmp(old_method, "none") != 0 && strcmp(new_method, "none") == 0;
}

bool tsr_client_secret_matches(const struct tsr_client *c, const char *secret)
{
    char hash[65];
    if (c->secret_hash == NULL || strlen(c->secret_hash) != 64 || secret == NULL)
        return false;
    if (tsr_sha256_hex(secret, hash) != 0)
        return false;
    return tsr_ct_equal(hash, c->secret_hash, 64);
}

static int read_row(tsr_stmt *q, struct tsr_client *c)
{
    memset(c, 0, sizeof *c);
    c->tenant_id = tsr_stmt_text_dup(q, 0);
    c->client_id = tsr_stmt_text_dup(q, 1);
    c->name = tsr_stmt_text_dup(q, 2);
    c->description = tsr_stmt_text_dup(q, 3);
    c->app_type = tsr_stmt_text_dup(q, 4);
    c->logo_uri = tsr_stmt_text_dup(q, 5);
    c->is_first_party = tsr_stmt_int64(q, 6) != 0;
    c->oidc_conformant = tsr_stmt_int64(q, 7) != 0;
    c->is_system = tsr_stmt_int64(q, 8) != 0;
    c->secret_hash = tsr_stmt_text_dup(q, 9);
    c->token_endpoint_auth_method = tsr_stmt_text_dup(q, 10);
    c->client_metadata = tsr_stmt_text_dup(q, 16);
    c->jwt_lifetime_in_seconds = tsr_stmt_int64(q, 17);
    c->created_at = tsr_stmt_int64(q, 18);
    c->updated_at = tsr_stmt_int64(q, 19);
    c->refresh_token.rotation_type = tsr_stmt_text_dup(q, 20);
    c->refresh_token.expiration_type = tsr_stmt_text_dup(q, 21);
    c->refresh_token.leeway = tsr_stmt_int64(q, 22);
    c->refresh_token.token_lifetime = tsr_stmt_int64(q, 23);
    c->refresh_token.idle_token_lifetime = tsr_stmt_int64(q, 24);
    c->refresh_token.infinite_token_lifetime = tsr_stmt_int64(q, 25) != 0;
    c->refresh_token.infinite_idle_token_lifetime = tsr_stmt_int64(q, 26) != 0;
    c->allow_implicit_access_tokens = tsr_stmt_int64(q, 27) != 0;
    int rc = 0;
    if (!c->tenant_id || !c->client_id || !c->name || !c->description || !c->app_type ||
        !c->logo_uri || !c->secret_hash || !c->token_endpoint_auth_method || !c->client_metadata ||
        !c->refresh_token.rotation_type || !c->refresh_token.expiration_type)
        rc = TSR_ENOMEM;
    if (rc == 0)
        rc = tsr_strlist_from_text(&c->grant_types, tsr_stmt_text(q, 11));
    if (rc == 0)
        rc = tsr_strlist_from_text(&c->callbacks, tsr_stmt_text(q, 12));
    if (rc == 0)
        rc = tsr_strlist_from_text(&c->allowed_origins, tsr_stmt_text(q, 13));
    if (rc == 0)
        rc = tsr_strlist_from_text(&c->web_origins, tsr_stmt_text(q, 14));
    if (rc == 0)
        rc = tsr_strlist_from_text(&c->allowed_logout_urls, tsr_stmt_text(q, 15));
    if (rc != 0)
        tsr_client_cleanup(c);
    return rc == TSR_EFORMAT ? TSR_ESTORE : rc;
}

static int read_row_cb(tsr_stmt *q, void *record)
{
    return read_row(q, record);
}

static void cleanup_cb(void *record)
{
    tsr_client_cleanup(record);
}

int tsr_client_get(tsr_store *st, const char *tenant_id, const char *client_id,
                   struct tsr_client *out)
{
    return tsr_rows_one(st, read_row_cb, out, TSR_Q_CLIENT_GET, tenant_id, client_id);
}

/* The JSON text of each list column, in column order; freed by free_lists. */
struct list_texts {
    char *v[5];
};

static int lists_to_text(const struct tsr_client *c, struct list_texts *t)
{
    t->v[0] = tsr_strlist_to_text(&c->grant_types);
    t->v[1] = tsr_strlist_to_text(&c->callbacks);
    t->v[2] = tsr_strlist_to_text(&c->allowed_origins);
    t->v[3] = tsr_strlist_to_text(&c->web_origins);
    t->v[4] = tsr_strlist_to_text(&c->allowed_logout_urls);
    for (int i = 0; i < 5; i++)
        if (t->v[i] == NULL)
            return TSR_ENOMEM;
    return 0;
}

static void free_lists(struct list_texts *t)
{
    for (int i = 0; i < 5; i++)
        free(t->v[i]);
}

/* ---- origins as rows (what the CORS lookup searches) ---- */

/* Copies an origin with ASCII letters lowered into out (TSR_CLIENT_ORIGIN_MAX + 1 bytes). */
static bool origin_key(const char *origin, char *out)
{
    size_t len = strlen(origin);
    if (len > TSR_CLIENT_ORIGIN_MAX)
        return false;
    for (size_t i = 0; i <= len; i++)
        out[i] = (origin[i] >= 'A' && origin[i] <= 'Z') ? (char)(origin[i] - 'A' + 'a') : origin[i];
    return true;
}

/* Adds each origin of l to c's rows; one too long to be an origin is left out. */
static int add_origins(tsr_store *st, const struct tsr_client *c, const struct tsr_strlist *l)
{
    char key[TSR_CLIENT_ORIGIN_MAX + 1];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->n; i++)
        if (origin_key(l->v[i], key))
            rc = tsr_store_q_run(st, NULL, TSR_Q_CLIENT_ORIGINS_ADD, c->tenant_id, c->client_id,
                                 key);
    return rc;
}

/* Replaces c's origin rows with its web and allowed origins. */
static int write_origins(tsr_store *st, const struct tsr_client *c)
{
    int rc = tsr_store_q_run(st, NULL, TSR_Q_CLIENT_ORIGINS_CLEAR, c->tenant_id, c->client_id);
    if (rc == 0)
        rc = add_origins(st, c, &c->web_origins);
    if (rc == 0)
        rc = add_origins(st, c, &c->allowed_origins);
    return rc;
}

int tsr_client_insert(tsr_store *st, const struct tsr_client *c)
{
    struct list_texts t = {0};
    bool own = false;
    int rc = lists_to_text(c, &t);
    if (rc == 0)
        rc = tsr_store_begin_own(st, &own);
    if (rc == 0)
        rc = tsr_store_q_run(
            st, NULL, TSR_Q_CLIENT_INSERT, c->tenant_id, c->client_id, c->name, c->description,
            c->app_type, c->logo_uri, (int64_t)c->is_first_party, (int64_t)c->oidc_conformant,
            (int64_t)c->is_system, c->secret_hash, c->token_endpoint_auth_method, t.v[0], t.v[1],
            t.v[2], t.v[3], t.v[4], c->client_metadata, c->jwt_lifetime_in_seconds, c->created_at,
            c->updated_at, c->refresh_token.rotation_type, c->refresh_token.expiration_type,
            c->refresh_token.leeway, c->refresh_token.token_lifetime,
            c->refresh_token.idle_token_lifetime, (int64_t)c->refresh_token.infinite_token_lifetime,
            (int64_t)c->refresh_token.infinite_idle_token_lifetime,
            (int64_t)c->allow_implicit_access_tokens);
    if (rc == 0)
        rc = write_origins(st, c);
    rc = tsr_store_finish_own(st, own, rc);
    free_lists(&t);
    return rc;
}

int tsr_client_update(tsr_store *st, const struct tsr_client *c)
{
    struct list_texts t = {0};
    bool own = false;
    int rc = lists_to_text(c, &t);
    if (rc == 0)
        rc = tsr_store_begin_own(st, &own);
    if (rc == 0)
        rc = tsr_rows_change(st, TSR_Q_CLIENT_UPDATE, c->name, c->description, c->app_type,
                             c->logo_uri, (int64_t)c->is_first_party, (int64_t)c->oidc_conformant,
                             c->secret_hash, c->token_endpoint_auth_method, t.v[0], t.v[1], t.v[2],
                             t.v[3], t.v[4], c->client_metadata, c->jwt_lifetime_in_seconds,
                             tsr_clock_now(), c->refresh_token.rotation_type,
                             c->refresh_token.expiration_type, c->refresh_token.leeway,
                             c->refresh_token.token_lifetime, c->refresh_token.idle_token_lifetime,
                             (int64_t)c->refresh_token.infinite_token_lifetime,
                             (int64_t)c->refresh_token.infinite_idle_token_lifetime,
                             (int64_t)c->allow_implicit_access_tokens, c->tenant_id, c->client_id);
    if (rc == 0)
        rc = write_origins(st, c);
    rc = tsr_store_finish_own(st, own, rc);
    free_lists(&t);
    return rc;
}

int tsr_client_delete(tsr_store *st, const char *tenant_id, const char *client_id)
{
    return tsr_rows_change(st, TSR_Q_CLIENT_DELETE, tenant_id, client_id);
}

/*
 * The app types a client can have (the Management API accepts no other).
 * A filter binds each one it names into a slot of its own and NULL into the
 * others, so the statement has a fixed number of parameters; a name outside
 * this set could match no client and is left out.
 */
static const char *const app_types[TSR_CLIENT_APP_TYPE_SLOTS] = {"native", "spa", "regular_web",
                                                                 "non_interactive"};

int tsr_client_list(tsr_store *st, const char *tenant_id, const struct tsr_client_filter *f,
                    int64_t offset, int64_t limit, struct tsr_client **out, size_t *n,
                    int64_t *total)
{
    *out = NULL;
    *n = 0;
    const char *t[TSR_CLIENT_APP_TYPE_SLOTS] = {0};
    int64_t filtered = f && f->app_types && f->app_types->n > 0;
    int64_t first = f ? f->is_first_party : -1;
    for (size_t i = 0; filtered && i < TSR_CLIENT_APP_TYPE_SLOTS; i++)
        t[i] = tsr_strlist_contains(f->app_types, app_types[i]) ? app_types[i] : NULL;
    int rc = 0;
    tsr_stmt *q = NULL;
    if (total != NULL && (rc = tsr_rows_count(st, total, TSR_Q_CLIENT_COUNT, tenant_id, filtered,
                                              t[0], t[1], t[2], t[3], first, first)) != 0)
        return rc;
    rc = tsr_store_q(st, &q, TSR_Q_CLIENT_LIST, tenant_id, filtered, t[0], t[1], t[2], t[3], first,
                     first, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row_cb, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_client_list_tenant(tsr_store *st, const char *tenant_id, struct tsr_client **out, size_t *n,
                           size_t *skipped)
{
    *out = NULL;
    *n = 0;
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_CLIENT_LIST_TENANT, tenant_id);
    if (rc == 0)
        rc = tsr_rows_collect_skipping(q, sizeof **out, read_row_cb, cleanup_cb, (void **)out, n,
                                       skipped);
    tsr_stmt_finalize(q);
    return rc;
}

int tsr_client_origins_tenant(tsr_store *st, const char *tenant_id, struct tsr_strlist *out)
{
    memset(out, 0, sizeof *out);
    tsr_stmt *q = NULL;
    int rc = tsr_store_q(st, &q, TSR_Q_CLIENT_ORIGINS_TENANT, tenant_id);
    while (rc == 0) {
        int step = tsr_stmt_step(q);
        if (step != TSR_STORE_ROW) {
            rc = step == TSR_STORE_DONE ? 0 : TSR_ESTORE;
            break;
        }
        const char *o = tsr_stmt_text(q, 0);
        rc = tsr_strlist_push(out, o ? o : "");
    }
    tsr_stmt_finalize(q);
    if (rc != 0)
        tsr_strlist_cleanup(out);
    return rc;
}

void tsr_client_list_free(struct tsr_client *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}

/* scheme://host[:port] with nothing that could break out of a JSON string. */
static bool plausible_origin(const char *o)
{
    struct tsr_url u;
    if (strlen(o) > 256 || tsr_url_split(o, &u) != 0 || !u.authority.present ||
        (strncmp(u.scheme.p, "http:", 5) != 0 && strncmp(u.scheme.p, "https:", 6) != 0))
        return false;
    const char *host = u.authority.p;
    if (*host == '\0')
        return false;
    /* Quotes, backslashes, '%', '_' and '/' are refused as they always were
     * (when the lookup searched the JSON text with LIKE). */
    for (const char *c = host; *c; c++)
        if (*c <= ' ' || *c == '"' || *c == '\\' || *c == '%' || *c == '_' || *c == '/')
            return false;
    return true;
}

bool tsr_client_origin_lookup_key(const char *origin, char key[TSR_CLIENT_ORIGIN_MAX + 1])
{
    /* Origins are kept with ASCII letters lowered: the match ignores their case. */
    return origin != NULL && plausible_origin(origin) && origin_key(origin, key);
}
