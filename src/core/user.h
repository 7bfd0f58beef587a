/*
 * user.h - users of a tenant, as stored, with Auth0's fields.
 *
 * user_id is "auth0|" followed by 24 hex characters for database users.
 * Emails are stored lowercased.  Metadata are JSON object texts.
 */
#ifndef TSR_CORE_USER_H
#define TSR_CORE_USER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/connection.h"
#include "store/store.h"

struct tsr_user {
    char *tenant_id;
    char *user_id;
    char *connection_id;
    char *email;    /* NULL when none */
    bool email_verified;
    char *username; /* NULL when none */
    char *name;
    char *nickname;
    char *given_name;
    char *family_name;
    char *picture;
    char *user_metadata; /* JSON object text */
    char *app_metadata;  /* JSON object text */
    bool blocked;
    char *password_hash; /* "" when the user has no password */
    int64_t last_login;  /* 0 when never */
    char *last_ip;
    int64_t logins_count;
    int64_t last_password_reset; /* 0 when never */
    int64_t created_at;
    int64_t updated_at;
};

/* Longest username (characters); see tsr_user_username_ok. */
#define TSR_USERNAME_MAX 128

void tsr_user_cleanup(struct tsr_user *u);

/* A new lowercased (ASCII) copy of email (caller frees), or NULL. */
char *tsr_user_email_lower(const char *email);

/*
 * True for a username Tessera accepts: 1..TSR_USERNAME_MAX of letters,
 * digits and _+-.!#$'^`~.  No '@', so a login identifier with '@' is
 * always an email.
 */
bool tsr_user_username_ok(const char *s);

/*
 * Auth0's profile defaults: an empty name becomes the email (or the
 * username), an empty nickname the part of it before '@'.
 */
int tsr_user_fill_defaults(struct tsr_user *u);

/*
 * Fills u with a new user of connection_id: fresh user_id, empty profile,
 * timestamps now.
 */
int tsr_user_init_new(struct tsr_user *u, const char *tenant_id, const char *connection_id);

int tsr_user_get(tsr_store *st, const char *tenant_id, const char *user_id, struct tsr_user *out);

/*
 * Finds the user of a connection by email (case-insensitive) or username.
 * Returns 0, TSR_ENOTFOUND or the store's error.
 */
int tsr_user_find_login(tsr_store *st, const char *tenant_id, const char *connection_id,
                        const char *email_or_username, struct tsr_user *out);

/* Inserts u.  TSR_ECONFLICT when the email or username is taken in the connection. */
int tsr_user_insert(tsr_store *st, const struct tsr_user *u);
/*
 * Writes every mutable column of u (all but ids and created_at; the
 * caller sets u->updated_at).  Returns 0, TSR_ENOTFOUND, TSR_ECONFLICT
 * (email or username taken) or TSR_ESTORE.
 */
int tsr_user_update(tsr_store *st, const struct tsr_user *u);

/* Deletes a user; sessions, tokens, consents and tickets go by cascade. */
int tsr_user_delete(tsr_store *st, const char *tenant_id, const char *user_id);

/*
 * Ends every session of the user and revokes its refresh tokens and
 * opaque access tokens: for a user who got blocked or whose password was
 * set (reset page, Management API).  Run it in the transaction that
 * writes that change.
 */
int tsr_user_end_sessions(tsr_store *st, const char *tenant_id, const char *user_id);

/*
 * Lists users, newest first, optionally filtered by an exact email
 * (case-insensitive; NULL for all) or a search text matched as a
 * case-insensitive substring of email, name, nickname and username (NULL
 * for none).  *total (may be NULL) counts every match.  Returns 0,
 * TSR_EINVAL (email over 320 or search over 256 bytes) or the store's error.
 */
int tsr_user_list(tsr_store *st, const char *tenant_id, const char *email, const char *search,
                  int64_t offset, int64_t limit, struct tsr_user **out, size_t *n,
                  int64_t *total);
/* True when column is one a user list may be sorted by (created_at, email, logins_count, ...). */
bool tsr_user_sort_ok(const char *column);

/*
 * What a search keeps; NULL members (and -1) leave a condition out.
 * name, nickname, username and email_prefix match case-insensitively,
 * exactly or, ending in '*', as a prefix.
 */
struct tsr_user_filter {
    const char *email;        /* exact, case-insensitive */
    const char *email_prefix; /* "ana*" */
    const char *email_domain; /* the part after '@' (not with email_prefix) */
    const char *search;       /* a substring of email, name, nickname or username */
    const char *name;
    const char *nickname;
    const char *username;
    const char *connection; /* the connection's name */
    int email_verified;     /* 0, 1, or -1: any */
    int blocked;            /* 0, 1, or -1: any */
};

/*
 * Lists the users f keeps, sorted by column (tsr_user_sort_ok) ascending or
 * descending, users without a value last, then by user_id.  *total (may be
 * NULL) counts every match.  TSR_EINVAL for another column, a value over
 * its bound, or both email_prefix and email_domain.
 */
int tsr_user_search(tsr_store *st, const char *tenant_id, const struct tsr_user_filter *f,
                    const char *sort, bool ascending, int64_t offset, int64_t limit,
                    struct tsr_user **out, size_t *n, int64_t *total);
void tsr_user_list_free(struct tsr_user *list, size_t n);

enum tsr_login_result {
    TSR_LOGIN_OK,
    TSR_LOGIN_UNKNOWN_USER, /* event "fu" */
    TSR_LOGIN_WRONG_PASSWORD, /* event "fp" */
    TSR_LOGIN_BLOCKED,      /* event "f" with "user is blocked" */
};

/*
 * Checks a login through a database connection.  *result says what
 * happened (callers show the same message for unknown user and wrong
 * password); on TSR_LOGIN_OK and TSR_LOGIN_BLOCKED, *out holds the user.
 * Unknown users cost one dummy password verification.  Returns 0 or the
 * store's error.
 */
int tsr_user_authenticate(tsr_store *st, const struct tsr_connection *c, const char *identifier,
                          const char *password, struct tsr_user *out,
                          enum tsr_login_result *result);

/* Records a successful login: last_login now, last_ip, logins_count + 1. */
int tsr_user_record_login(tsr_store *st, struct tsr_user *u, const char *ip);

/*
 * The user as Auth0's Management API shows it (user_id, email, ...,
 * identities, created_at ISO 8601, ...), without the password hash.
 * connection_name fills identities[0].connection.
 */
json_t *tsr_user_to_json(const struct tsr_user *u, const char *connection_name);

/* ISO 8601 UTC with milliseconds ("2026-11-27T09:38:34.000Z") of Unix seconds. */
void tsr_iso8601(int64_t t, char out[32]);

#endif
