/*
 * user.c - users of a tenant: records and rows; get, find, insert, update,
 * delete, list; login checks; ending a user's sessions; Auth0's JSON shape.
 */
#include "core/user.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/password.h"
#include "core/refresh_token.h"
#include "core/rows.h"
#include "store/like.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

#define USER_ID_PREFIX "auth0|"
#define USER_ID_RANDOM_BYTES 12
/* Longest email or username looked up; longer ones cannot exist (254 / 128 characters). */
#define IDENTIFIER_MAX 320
#define SEARCH_MAX 256

void tsr_user_cleanup(struct tsr_user *u)
{
    free(u->tenant_id);
    free(u->user_id);
    free(u->connection_id);
    free(u->email);
    free(u->username);
    free(u->name);
    free(u->nickname);
    free(u->given_name);
    free(u->family_name);
    free(u->picture);
    free(u->user_metadata);
    free(u->app_metadata);
    tsr_wipe_free_str(u->password_hash);
    free(u->last_ip);
    memset(u, 0, sizeof *u);
}

/* The members that are never NULL in a valid record. */
static bool complete(const struct tsr_user *u)
{
    return u->tenant_id && u->user_id && u->connection_id && u->name && u->nickname &&
           u->given_name && u->family_name && u->picture && u->user_metadata && u->app_metadata &&
           u->password_hash && u->last_ip;
}

int tsr_user_init_new(struct tsr_user *u, const char *tenant_id, const char *connection_id)
{
    uint8_t raw[USER_ID_RANDOM_BYTES];
    char id[sizeof USER_ID_PREFIX + 2 * USER_ID_RANDOM_BYTES] = USER_ID_PREFIX;
    memset(u, 0, sizeof *u);
    if (tsr_random_bytes(raw, sizeof raw) != 0)
        return TSR_ECRYPTO;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(id + strlen(USER_ID_PREFIX) + 2 * i, 3, "%02x", raw[i]);
    u->tenant_id = strdup(tenant_id);
    u->user_id = strdup(id);
    u->connection_id = strdup(connection_id);
    u->name = strdup("");
    u->nickname = strdup("");
    u->given_name = strdup("");
    u->family_name = strdup("");
    u->picture = strdup("");
    u->user_metadata = strdup("{}");
    u->app_metadata = strdup("{}");
    u->password_hash = strdup("");
    u->last_ip = strdup("");
    u->created_at = u->updated_at = tsr_clock_now();
    if (!complete(u)) {
        tsr_user_cleanup(u);
        return TSR_ENOMEM;
    }
    return 0;
}

char *tsr_user_email_lower(const char *email)
{
    char *s = strdup(email);
    for (char *p = s; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

bool tsr_user_username_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > TSR_USERNAME_MAX)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && strchr("_+-.!#$'^`~", *p) == NULL)
            return false;
    return true;
}

static int set_text(char **dst, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return TSR_ENOMEM;
    free(*dst);
    *dst = copy;
    return 0;
}

int tsr_user_fill_defaults(struct tsr_user *u)
{
    const char *who = u->email ? u->email : u->username ? u->username : "";
    int rc = 0;
    if (u->name == NULL || u->name[0] == '\0')
        rc = set_text(&u->name, who);
    if (rc == 0 && (u->nickname == NULL || u->nickname[0] == '\0')) {
        size_t len = strcspn(who, "@");
        char *nick = strndup(who, len);
        if (nick == NULL)
            return TSR_ENOMEM;
        free(u->nickname);
        u->nickname = nick;
    }
    return rc;
}

static int read_row(tsr_stmt *q, void *record)
{
    struct tsr_user *u = record;
    memset(u, 0, sizeof *u);
    u->tenant_id = tsr_stmt_text_dup(q, 0);
    u->user_id = tsr_stmt_text_dup(q, 1);
    u->connection_id = tsr_stmt_text_dup(q, 2);
    u->email = tsr_stmt_text_dup(q, 3);
    u->email_verified = tsr_stmt_int64(q, 4) != 0;
    u->username = tsr_stmt_text_dup(q, 5);
    u->name = tsr_stmt_text_dup(q, 6);
    u->nickname = tsr_stmt_text_dup(q, 7);
    u->given_name = tsr_stmt_text_dup(q, 8);
    u->family_name = tsr_stmt_text_dup(q, 9);
    u->picture = tsr_stmt_text_dup(q, 10);
    u->user_metadata = tsr_stmt_text_dup(q, 11);
    u->app_metadata = tsr_stmt_text_dup(q, 12);
    u->blocked = tsr_stmt_int64(q, 13) != 0;
    u->password_hash = tsr_stmt_text_dup(q, 14);
    u->last_login = tsr_stmt_is_null(q, 15) ? 0 : tsr_stmt_int64(q, 15);
    u->last_ip = tsr_stmt_text_dup(q, 16);
    u->logins_count = tsr_stmt_int64(q, 17);
    u->last_password_reset = tsr_stmt_is_null(q, 18) ? 0 : tsr_stmt_int64(q, 18);
    u->created_at = tsr_stmt_int64(q, 19);
    u->updated_at = tsr_stmt_int64(q, 20);
    bool ok = complete(u) && (u->email != NULL || tsr_stmt_is_null(q, 3)) &&
              (u->username != NULL || tsr_stmt_is_null(q, 5));
    if (!ok) {
        tsr_user_cleanup(u);
        return TSR_ENOMEM;
    }
    return 0;
}

static void cleanup_cb(void *record)
{
    tsr_user_cleanup(record);
}

int tsr_user_get(tsr_store *st, const char *tenant_id, const char *user_id, struct tsr_user *out)
{
    return tsr_rows_one(st, read_row, out, TSR_Q_USER_GET, tenant_id, user_id);
}

/*
 * Usernames cannot hold '@' (tsr_user_username_ok), so an identifier with
 * one is an email and one without is a username: never ambiguous.
 */
int tsr_user_find_login(tsr_store *st, const char *tenant_id, const char *connection_id,
                        const char *email_or_username, struct tsr_user *out)
{
    memset(out, 0, sizeof *out);
    if (email_or_username == NULL || email_or_username[0] == '\0' ||
        strlen(email_or_username) > IDENTIFIER_MAX)
        return TSR_ENOTFOUND;
    if (strchr(email_or_username, '@') == NULL)
        return tsr_rows_one(st, read_row, out, TSR_Q_USER_FIND_USERNAME, tenant_id, connection_id,
                            email_or_username);
    char *email = tsr_user_email_lower(email_or_username);
    if (email == NULL)
        return TSR_ENOMEM;
    int rc =
        tsr_rows_one(st, read_row, out, TSR_Q_USER_FIND_EMAIL, tenant_id, connection_id, email);
    free(email);
    return rc;
}

/* Times that never happened are 0 in the record (NULL in the row). */
int tsr_user_insert(tsr_store *st, const struct tsr_user *u)
{
    return tsr_store_q_run(st, NULL, TSR_Q_USER_INSERT, u->tenant_id, u->user_id, u->connection_id,
                           u->email, (int64_t)u->email_verified, u->username, u->name, u->nickname,
                           u->given_name, u->family_name, u->picture, u->user_metadata,
                           u->app_metadata, (int64_t)u->blocked, u->password_hash, u->last_login,
                           u->last_ip, u->logins_count, u->last_password_reset, u->created_at,
                           u->updated_at);
}

int tsr_user_update(tsr_store *st, const struct tsr_user *u)
{
    return tsr_rows_change(st, TSR_Q_USER_UPDATE, u->email, (int64_t)u->email_verified, u->username,
                           u->name, u->nickname, u->given_name, u->family_name, u->picture,
                           u->user_metadata, u->app_metadata, (int64_t)u->blocked, u->password_hash,
                           u->last_login, u->last_ip, u->logins_count, u->last_password_reset,
                           u->updated_at, u->tenant_id, u->user_id);
}

int tsr_user_delete(tsr_store *st, const char *tenant_id, const char *user_id)
{
    return tsr_rows_change(st, TSR_Q_USER_DELETE, tenant_id, user_id);
}

int tsr_user_end_sessions(tsr_store *st, const char *tenant_id, const char *user_id)
{
    int rc = tsr_store_q_run(st, NULL, TSR_Q_USER_END_SESSIONS, tenant_id, user_id);
    if (rc == 0)
        rc = tsr_refresh_token_revoke_user(st, tenant_id, user_id);
    return rc;
}

/*
 * A LIKE ... ESCAPE '\' pattern, lowercased, with the wildcards of text
 * escaped: "%text%" when contains, else text itself, or a prefix when it
 * ends in '*' (Auth0's wildcard).
 */
static char *user_pattern(const char *text, bool contains)
{
    size_t len = strlen(text);
    bool prefix = !contains && len > 0 && text[len - 1] == '*';
    char *p = tsr_store_like_pattern(text, prefix ? len - 1 : len,
                                     contains ? TSR_LIKE_CONTAINS
                                              : prefix ? TSR_LIKE_ANY_AFTER : 0);
    /* Lowercasing leaves the escapes and wildcards alone: none is a letter. */
    for (char *c = p; c != NULL && *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    return p;
}

/*
 * Columns a list may be sorted by (Auth0's names, which are also the
 * column names), each with its searches: descending, ascending.
 */
static const struct {
    const char *column;
    enum tsr_query_id q[2];
} sorts[] = {
    {"created_at", {TSR_Q_USER_SEARCH_BY_CREATED_AT_DESC, TSR_Q_USER_SEARCH_BY_CREATED_AT_ASC}},
    {"updated_at", {TSR_Q_USER_SEARCH_BY_UPDATED_AT_DESC, TSR_Q_USER_SEARCH_BY_UPDATED_AT_ASC}},
    {"last_login", {TSR_Q_USER_SEARCH_BY_LAST_LOGIN_DESC, TSR_Q_USER_SEARCH_BY_LAST_LOGIN_ASC}},
    {"logins_count",
     {TSR_Q_USER_SEARCH_BY_LOGINS_COUNT_DESC, TSR_Q_USER_SEARCH_BY_LOGINS_COUNT_ASC}},
    {"email", {TSR_Q_USER_SEARCH_BY_EMAIL_DESC, TSR_Q_USER_SEARCH_BY_EMAIL_ASC}},
    {"name", {TSR_Q_USER_SEARCH_BY_NAME_DESC, TSR_Q_USER_SEARCH_BY_NAME_ASC}},
    {"nickname", {TSR_Q_USER_SEARCH_BY_NICKNAME_DESC, TSR_Q_USER_SEARCH_BY_NICKNAME_ASC}},
    {"username", {TSR_Q_USER_SEARCH_BY_USERNAME_DESC, TSR_Q_USER_SEARCH_BY_USERNAME_ASC}},
    {"user_id", {TSR_Q_USER_SEARCH_BY_USER_ID_DESC, TSR_Q_USER_SEARCH_BY_USER_ID_ASC}},
};

/* The index of column in sorts, or -1. */
static int sort_index(const char *column)
{
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
        if (strcmp(column, sorts[i].column) == 0)
            return (int)i;
    return -1;
}

bool tsr_user_sort_ok(const char *column)
{
    return sort_index(column) >= 0;
}

/* The filter's bound values: patterns made from it (owned), and what is bound as given. */
struct filter_args {
    char *email, *search, *email_like, *name, *nickname, *username;
};

static void filter_args_free(struct filter_args *a)
{
    free(a->email);
    free(a->search);
    free(a->email_like);
    free(a->name);
    free(a->nickname);
    free(a->username);
}

static bool too_long(const char *s, size_t max)
{
    return s != NULL && strlen(s) > max;
}

/* Pattern of text (NULL stays NULL); false when out of memory. */
static bool pattern(const char *text, bool contains, char **out)
{
    *out = text ? user_pattern(text, contains) : NULL;
    return text == NULL || *out != NULL;
}

static int filter_args_make(const struct tsr_user_filter *f, struct filter_args *a)
{
    memset(a, 0, sizeof *a);
    if (too_long(f->email, IDENTIFIER_MAX) || too_long(f->email_domain, IDENTIFIER_MAX) ||
        too_long(f->search, SEARCH_MAX) || too_long(f->name, SEARCH_MAX) ||
        too_long(f->nickname, SEARCH_MAX) || too_long(f->username, SEARCH_MAX) ||
        too_long(f->connection, SEARCH_MAX) || (f->email_prefix && f->email_domain))
        return TSR_EINVAL;
    bool ok = (f->email == NULL || (a->email = tsr_user_email_lower(f->email)) != NULL) &&
              pattern(f->search, true, &a->search) &&
              pattern(f->email_prefix, false, &a->email_like) &&
              pattern(f->name, false, &a->name) && pattern(f->nickname, false, &a->nickname) &&
              pattern(f->username, false, &a->username);
    /* The domain keeps its '%': only its own wildcards are escaped. */
    if (ok && f->email_domain) {
        char *tail = user_pattern(f->email_domain, false);
        ok = tail != NULL && (a->email_like = malloc(strlen(tail) + 3)) != NULL;
        if (ok)
            snprintf(a->email_like, strlen(tail) + 3, "%%@%s", tail);
        free(tail);
    }
    if (!ok)
        filter_args_free(a);
    return ok ? 0 : TSR_ENOMEM;
}

int tsr_user_search(tsr_store *st, const char *tenant_id, const struct tsr_user_filter *f,
                    const char *sort, bool ascending, int64_t offset, int64_t limit,
                    struct tsr_user **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    int by = sort_index(sort);
    if (by < 0)
        return TSR_EINVAL;
    struct filter_args a;
    int rc = filter_args_make(f, &a);
    if (rc != 0)
        return rc;
    int64_t verified = f->email_verified, blocked = f->blocked;
    /* Each condition bound twice, NULL (or -1) when left out: queries/user.def. */
#define FILTER_ARGS                                                                                \
    tenant_id, a.email, a.email, a.search, a.search, a.search, a.search, a.search, a.email_like,   \
        a.email_like, a.name, a.name, a.nickname, a.nickname, a.username, a.username, verified,    \
        verified, blocked, blocked, f->connection, f->connection
    tsr_stmt *q = NULL;
    if (total != NULL)
        rc = tsr_rows_count(st, total, TSR_Q_USER_SEARCH_COUNT, FILTER_ARGS);
    if (rc == 0)
        rc = tsr_store_q(st, &q, sorts[by].q[ascending], FILTER_ARGS, limit, offset);
#undef FILTER_ARGS
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_row, cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    filter_args_free(&a);
    return rc;
}

int tsr_user_list(tsr_store *st, const char *tenant_id, const char *email, const char *search,
                  int64_t offset, int64_t limit, struct tsr_user **out, size_t *n,
                  int64_t *total)
{
    struct tsr_user_filter f = {.email = email, .search = search, .email_verified = -1,
                                .blocked = -1};
    return tsr_user_search(st, tenant_id, &f, "created_at", false, offset, limit, out, n, total);
}

void tsr_user_list_free(struct tsr_user *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, cleanup_cb);
}

/* ---- logins ---- */

int tsr_user_authenticate(tsr_store *st, const struct tsr_connection *c, const char *identifier,
                          const char *password, struct tsr_user *out,
                          enum tsr_login_result *result)
{
    *result = TSR_LOGIN_UNKNOWN_USER;
    int rc = tsr_user_find_login(st, c->tenant_id, c->id, identifier, out);
    if (rc == TSR_ENOTFOUND) {
        tsr_password_verify_dummy(password);
        return 0;
    }
    if (rc != 0)
        return rc;
    /*
     * The password is checked before the blocked flag, so only someone who
     * knows the password learns that the account is blocked.
     */
    if (out->password_hash[0] == '\0') {
        tsr_password_verify_dummy(password);
        *result = TSR_LOGIN_WRONG_PASSWORD;
    } else if (!tsr_password_verify(out->password_hash, password)) {
        *result = TSR_LOGIN_WRONG_PASSWORD;
    } else {
        *result = out->blocked ? TSR_LOGIN_BLOCKED : TSR_LOGIN_OK;
    }
    if (*result == TSR_LOGIN_WRONG_PASSWORD)
        tsr_user_cleanup(out);
    return 0;
}

int tsr_user_record_login(tsr_store *st, struct tsr_user *u, const char *ip)
{
    int64_t now = tsr_clock_now();
    char *ipcopy = strdup(ip ? ip : "");
    if (ipcopy == NULL)
        return TSR_ENOMEM;
    int rc =
        tsr_rows_change(st, TSR_Q_USER_RECORD_LOGIN, now, ipcopy, now, u->tenant_id, u->user_id);
    if (rc != 0) {
        free(ipcopy);
        return rc;
    }
    free(u->last_ip);
    u->last_ip = ipcopy;
    u->last_login = u->updated_at = now;
    u->logins_count++;
    return 0;
}

/* ---- JSON ---- */

void tsr_iso8601(int64_t t, char out[32])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00.000Z");
}

static json_t *object_of(const char *text)
{
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_object(o))
        return o;
    json_decref(o);
    return json_object();
}

static int set_time(json_t *o, const char *key, int64_t t)
{
    char iso[32];
    tsr_iso8601(t, iso);
    return json_object_set_new(o, key, json_string(iso));
}

static int add_optional(json_t *o, const struct tsr_user *u)
{
    int rc = 0;
    if (u->email)
        rc |= json_object_set_new(o, "email", json_string(u->email));
    if (u->username)
        rc |= json_object_set_new(o, "username", json_string(u->username));
    if (u->given_name[0])
        rc |= json_object_set_new(o, "given_name", json_string(u->given_name));
    if (u->family_name[0])
        rc |= json_object_set_new(o, "family_name", json_string(u->family_name));
    if (u->blocked)
        rc |= json_object_set_new(o, "blocked", json_true());
    if (u->last_login)
        rc |= set_time(o, "last_login", u->last_login);
    if (u->last_ip[0])
        rc |= json_object_set_new(o, "last_ip", json_string(u->last_ip));
    if (u->last_password_reset)
        rc |= set_time(o, "last_password_reset", u->last_password_reset);
    return rc;
}

json_t *tsr_user_to_json(const struct tsr_user *u, const char *connection_name)
{
    const char *bare = u->user_id;
    if (strncmp(bare, USER_ID_PREFIX, strlen(USER_ID_PREFIX)) == 0)
        bare += strlen(USER_ID_PREFIX);
    json_t *o = json_pack("{s:s, s:b, s:s, s:s, s:s, s:o, s:o, s:I, s:[{s:s, s:s, s:s, s:b}]}",
                          "user_id", u->user_id, "email_verified", u->email_verified, "name",
                          u->name, "nickname", u->nickname, "picture", u->picture,
                          "user_metadata", object_of(u->user_metadata), "app_metadata",
                          object_of(u->app_metadata), "logins_count", (json_int_t)u->logins_count,
                          "identities", "connection", connection_name ? connection_name : "",
                          "provider", "auth0", "user_id", bare, "isSocial", 0);
    if (o == NULL)
        return NULL;
    int rc = add_optional(o, u);
    rc |= set_time(o, "created_at", u->created_at);
    rc |= set_time(o, "updated_at", u->updated_at);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
