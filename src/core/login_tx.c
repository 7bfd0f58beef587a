#include "core/login_tx.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

/* The members of struct tsr_authz_request that are strings, by name, for the params JSON. */
#define AUTHZ_STRINGS(X)                                                                           \
    X(client_id) X(redirect_uri) X(response_type) X(response_mode) X(state) X(nonce) X(scope)      \
    X(audience) X(code_challenge) X(code_challenge_method) X(prompt) X(connection)             \
    X(screen_hint) X(login_hint)

void tsr_authz_request_cleanup(struct tsr_authz_request *ar)
{
#define FREE_MEMBER(m) free(ar->m);
    AUTHZ_STRINGS(FREE_MEMBER)
#undef FREE_MEMBER
    memset(ar, 0, sizeof *ar);
}

void tsr_login_tx_cleanup(struct tsr_login_tx *tx)
{
    tsr_wipe_free_str(tx->handle);
    tsr_wipe_free_str(tx->csrf);
    free(tx->user_id);
    tsr_authz_request_cleanup(&tx->ar);
    memset(tx, 0, sizeof *tx);
}

static char *params_text(const struct tsr_authz_request *ar)
{
    json_t *o = json_object();
#define SET_MEMBER(m) json_object_set_new(o, #m, json_string(ar->m ? ar->m : ""));
    AUTHZ_STRINGS(SET_MEMBER)
#undef SET_MEMBER
    json_object_set_new(o, "max_age", json_integer(ar->max_age));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static int params_read(struct tsr_authz_request *ar, const char *text)
{
    json_t *o = json_loads(text ? text : "", 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return TSR_ESTORE;
    }
    int rc = 0;
#define GET_MEMBER(m)                                                                              \
    {                                                                                              \
        const char *v = json_string_value(json_object_get(o, #m));                                 \
        if ((ar->m = strdup(v ? v : "")) == NULL)                                                  \
            rc = TSR_ENOMEM;                                                                       \
    }
    AUTHZ_STRINGS(GET_MEMBER)
#undef GET_MEMBER
    ar->max_age = json_integer_value(json_object_get(o, "max_age"));
    json_decref(o);
    return rc;
}

/* The browser binding: reuse the browser's cookie so parallel logins in one browser all work. */
static int browser_value(const char *cookie, char value[64], bool *fresh)
{
    *fresh = false;
    if (cookie != NULL && strlen(cookie) == 43) {
        memcpy(value, cookie, 44);
        return 0;
    }
    *fresh = true;
    return tsr_random_token(value, 64, 32);
}

int tsr_login_tx_create(const struct tsr_who *w, const char *cookie,
                        const struct tsr_authz_request *ar, char **handle_out,
                        char new_cookie[64])
{
    char handle[64], browser[64], csrf[64], handle_hash[65], browser_hash[65];
    bool fresh;
    char *params = NULL;
    int64_t now = tsr_clock_now();
    *handle_out = NULL;
    new_cookie[0] = '\0';
    int rc = tsr_random_secret(handle, handle_hash);
    if (rc == 0)
        rc = browser_value(cookie, browser, &fresh);
    if (rc == 0)
        rc = tsr_random_token(csrf, sizeof csrf, 24);
    if (rc == 0)
        rc = tsr_sha256_hex(browser, browser_hash);
    if (rc == 0 && (params = params_text(ar)) == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0)
        rc = tsr_store_q_run(w->store, NULL, TSR_Q_LOGIN_TX_INSERT, w->tenant->t.id,
                             handle_hash, browser_hash, csrf, params, now, now + TSR_LOGIN_TX_TTL);
    if (rc == 0 && (*handle_out = strdup(handle)) == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0 && fresh)
        memcpy(new_cookie, browser, 64);
    free(params);
    tsr_wipe(browser, sizeof browser);
    return rc;
}

struct tx_row {
    struct tsr_login_tx tx;
    char *browser_hash;
};

static int read_row(tsr_stmt *q, void *record)
{
    struct tx_row *r = record;
    r->browser_hash = tsr_stmt_text_dup(q, 0);
    r->tx.csrf = tsr_stmt_text_dup(q, 1);
    r->tx.user_id = tsr_stmt_text_dup(q, 3);
    r->tx.expires_at = tsr_stmt_int64(q, 4);
    if (r->browser_hash == NULL || r->tx.csrf == NULL)
        return TSR_ENOMEM;
    return params_read(&r->tx.ar, tsr_stmt_text(q, 2));
}

int tsr_login_tx_load(const struct tsr_who *w, const char *cookie, const char *handle,
                      struct tsr_login_tx *out)
{
    char handle_hash[65], browser_hash[65];
    struct tx_row row = {0};
    memset(out, 0, sizeof *out);
    if (handle == NULL || strlen(handle) != 43 || tsr_sha256_hex(handle, handle_hash) != 0)
        return TSR_ENOTFOUND;
    if (cookie == NULL || tsr_sha256_hex(cookie, browser_hash) != 0)
        return TSR_ENOTFOUND;
    int rc = tsr_rows_one(w->store, read_row, &row, TSR_Q_LOGIN_TX_GET, w->tenant->t.id,
                          handle_hash);
    if (rc == 0 && (row.tx.expires_at <= tsr_clock_now() ||
                    !tsr_ct_equal(row.browser_hash, browser_hash, 64)))
        rc = TSR_ENOTFOUND;
    if (rc == 0 && (row.tx.handle = strdup(handle)) == NULL)
        rc = TSR_ENOMEM;
    free(row.browser_hash);
    if (rc != 0) {
        tsr_login_tx_cleanup(&row.tx);
        return rc;
    }
    *out = row.tx;
    return 0;
}

bool tsr_login_tx_csrf_ok(const struct tsr_login_tx *tx, const char *csrf)
{
    return csrf != NULL && tx->csrf != NULL && tsr_ct_streq(tx->csrf, csrf);
}

int tsr_login_tx_set_user(const struct tsr_who *w, struct tsr_login_tx *tx, const char *user_id)
{
    char hash[65];
    char *copy = strdup(user_id);
    if (copy == NULL || tsr_sha256_hex(tx->handle, hash) != 0) {
        free(copy);
        return TSR_ENOMEM;
    }
    free(tx->user_id);
    tx->user_id = copy;
    return tsr_rows_change(w->store, TSR_Q_LOGIN_TX_SET_USER, user_id, w->tenant->t.id, hash);
}

int tsr_login_tx_finish(const struct tsr_who *w, const struct tsr_login_tx *tx)
{
    char hash[65];
    if (tsr_sha256_hex(tx->handle, hash) != 0)
        return TSR_ECRYPTO;
    /* Expired transactions of the tenant go with it: the table stays small without a sweeper. */
    tsr_store_q_run(w->store, NULL, TSR_Q_LOGIN_TX_DELETE_EXPIRED, w->tenant->t.id,
                    tsr_clock_now());
    return tsr_store_q_run(w->store, NULL, TSR_Q_LOGIN_TX_DELETE, w->tenant->t.id, hash);
}
