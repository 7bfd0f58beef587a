/*
 * users.c - `tessera users list|search|show|create|update|block|unblock|
 * delete`: the tenant's users through /api/v2/users, and the brute-force
 * blocks of /api/v2/user-blocks.
 *
 * A password never comes from the command line, where other users of the
 * machine see it in ps: it is read from a file (or standard input, "-")
 * or from TESSERA_USER_PASSWORD, and wiped from memory after the call.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/body.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "util/secure.h"
#include "util/strbuf.h"

#define LIST_DEFAULT 100
#define DEFAULT_CONNECTION "Username-Password-Authentication"
#define PASSWORD_ENV "TESSERA_USER_PASSWORD"

static const struct tsr_cli_col user_cols[] = {
    {"USER ID", "user_id"},
    {"EMAIL", "email"},
    {"USERNAME", "username"},
    {"NAME", "name"},
    {"CONNECTION", "identities.0.connection"},
    {"BLOCKED", "blocked"},
    {NULL, NULL},
};

static const struct tsr_cli_col user_fields[] = {
    {"USER ID", "user_id"},
    {"EMAIL", "email"},
    {"EMAIL VERIFIED", "email_verified"},
    {"USERNAME", "username"},
    {"NAME", "name"},
    {"NICKNAME", "nickname"},
    {"CONNECTION", "identities.0.connection"},
    {"BLOCKED", "blocked"},
    {"LOGINS", "logins_count"},
    {"LAST LOGIN", "last_login"},
    {"CREATED AT", "created_at"},
    {"UPDATED AT", "updated_at"},
    {NULL, NULL},
};

/* "blocked" is left out of a user who is not blocked: say false, for people. */
static void blocked_for_people(json_t *user)
{
    if (json_is_object(user) && json_object_get(user, "blocked") == NULL)
        json_object_set_new(user, "blocked", json_false());
}

static int list_users(const struct tsr_cli_args *a, const char *q)
{
    tsr_remote *r = NULL;
    json_t *list = NULL;
    uint64_t number;
    struct tsr_strbuf b = {0};
    const char *sort = tsr_cli_opt(a, "sort");
    int rc = tsr_cli_opt_uint(a, "number", 1, TSR_REMOTE_LIST_MAX, LIST_DEFAULT, &number);
    if (rc != 0)
        return rc;
    tsr_strbuf_append(&b, "users?search_engine=v3");
    if (q != NULL) {
        tsr_strbuf_append(&b, "&q=");
        tsr_strbuf_append_urlenc(&b, q);
    }
    if (sort != NULL) {
        tsr_strbuf_append(&b, "&sort=");
        tsr_strbuf_append_urlenc(&b, sort);
    }
    char *path = tsr_strbuf_take(&b, NULL);
    if (path == NULL)
        return tsr_cli_fail(a, "out of memory");
    if ((rc = tsr_remote_open(a, &r)) == 0 && (rc = tsr_remote_list(r, path, number, &list)) == 0) {
        size_t i;
        json_t *u;
        json_array_foreach(tsr_cli_json(a) ? NULL : list, i, u) blocked_for_people(u);
        tsr_cli_print(a, user_cols, list);
    }
    free(path);
    json_decref(list);
    tsr_remote_close(r);
    return rc;
}

static int users_list(const struct tsr_cli_args *a)
{
    return list_users(a, tsr_cli_opt(a, "query"));
}

static int users_show(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *user = NULL;
    char *path = tsr_remote_path("users/", tsr_cli_operand(a, 0), "");
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_call(r, "GET", path, NULL, &user)) == 0) {
        if (!tsr_cli_json(a))
            blocked_for_people(user);
        tsr_cli_print(a, user_fields, user);
    }
    free(path);
    json_decref(user);
    tsr_remote_close(r);
    return rc;
}

/*
 * Adds "password" to body from --password-file, else (when env_too) from
 * TESSERA_USER_PASSWORD; nothing when neither is there.
 */
static int add_password(const struct tsr_cli_args *a, json_t *body, bool env_too)
{
    int rc = 0;
    if (tsr_cli_has(a, "password"))
        return tsr_cli_usage(a, "--password: a password on the command line is visible to "
                                "other users (ps); use --password-file FILE, --password-file - "
                                "(standard input) or " PASSWORD_ENV);
    const char *file = tsr_cli_opt(a, "password-file");
    const char *env = env_too ? getenv(PASSWORD_ENV) : NULL;
    char *pw = NULL;
    if (file != NULL) {
        if ((pw = tsr_cli_read_secret(a, "password-file", file, &rc)) == NULL)
            return rc;
    } else if (env != NULL && env[0] != '\0') {
        if ((pw = strdup(env)) == NULL)
            return tsr_cli_fail(a, "out of memory");
    } else {
        return 0;
    }
    if (json_object_set_new(body, "password", json_string(pw)) != 0)
        rc = tsr_cli_fail(a, "out of memory");
    tsr_wipe_free_str(pw);
    return rc;
}

/* Wipes the password in body (jansson's copy) and frees body. */
static void body_free(json_t *body)
{
    const char *pw = json_string_value(json_object_get(body, "password"));
    if (pw != NULL)
        tsr_wipe((void *)pw, strlen(pw));
    json_decref(body);
}

static const struct tsr_cli_field user_body_fields[] = {
    {"email", "email", TSR_CLI_FIELD_STR, 0, 0},
    {"username", "username", TSR_CLI_FIELD_STR, 0, 0},
    {"name", "name", TSR_CLI_FIELD_STR, 0, 0},
    {"email-verified", "email_verified", TSR_CLI_FIELD_BOOL, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static int users_create(const struct tsr_cli_args *a)
{
    static const struct tsr_cli_field create_only[] = {
        {"verify-email", "verify_email", TSR_CLI_FIELD_BOOL, 0, 0},
        {NULL, NULL, 0, 0, 0},
    };
    tsr_remote *r = NULL;
    json_t *user = NULL;
    const char *conn = tsr_cli_opt(a, "connection");
    const char *alias = tsr_cli_opt(a, "connection-name");
    json_t *body = json_object();
    int rc = body == NULL ? tsr_cli_fail(a, "out of memory") : 0;
    if (rc == 0 && conn != NULL && alias != NULL)
        rc = tsr_cli_usage(a, "--connection and --connection-name are the same option: give one");
    if (rc == 0 && json_object_set_new(body, "connection",
                                       json_string(conn != NULL    ? conn
                                                   : alias != NULL ? alias
                                                                   : DEFAULT_CONNECTION)) != 0)
        rc = tsr_cli_fail(a, "out of memory");
    if (rc == 0)
        rc = tsr_cli_body_add(a, user_body_fields, body);
    if (rc == 0)
        rc = tsr_cli_body_add(a, create_only, body);
    if (rc == 0)
        rc = add_password(a, body, true);
    if (rc == 0 && (rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = tsr_remote_call(r, "POST", "users", body, &user)) == 0) {
        if (!tsr_cli_json(a))
            blocked_for_people(user);
        tsr_cli_print(a, user_fields, user);
    }
    body_free(body);
    json_decref(user);
    tsr_remote_close(r);
    return rc;
}

static int users_update(const struct tsr_cli_args *a)
{
    static const struct tsr_cli_field update_only[] = {
        {"blocked", "blocked", TSR_CLI_FIELD_BOOL, 0, 0},
        {NULL, NULL, 0, 0, 0},
    };
    tsr_remote *r = NULL;
    json_t *user = NULL;
    char *path = NULL;
    json_t *body = json_object();
    int rc = body == NULL ? tsr_cli_fail(a, "out of memory") : 0;
    if (rc == 0)
        rc = tsr_cli_body_add(a, user_body_fields, body);
    if (rc == 0)
        rc = tsr_cli_body_add(a, update_only, body);
    if (rc == 0)
        rc = add_password(a, body, false);
    if (rc == 0 && json_object_size(body) == 0)
        rc = tsr_cli_usage(a, "nothing to change: give at least one option");
    if (rc == 0 && (path = tsr_remote_path("users/", tsr_cli_operand(a, 0), "")) == NULL)
        rc = tsr_cli_fail(a, "out of memory");
    if (rc == 0 && (rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = tsr_remote_call(r, "PATCH", path, body, &user)) == 0) {
        if (!tsr_cli_json(a))
            blocked_for_people(user);
        tsr_cli_print(a, user_fields, user);
    }
    free(path);
    body_free(body);
    json_decref(user);
    tsr_remote_close(r);
    return rc;
}

/* PATCH users/{id} {"blocked": blocked}. */
static int set_blocked(const struct tsr_cli_args *a, tsr_remote *r, const char *id, bool blocked)
{
    json_t *body = json_pack("{s:b}", "blocked", blocked);
    char *path = tsr_remote_path("users/", id, "");
    int rc = body == NULL || path == NULL ? tsr_cli_fail(a, "out of memory")
                                          : tsr_remote_call(r, "PATCH", path, body, NULL);
    free(path);
    json_decref(body);
    return rc;
}

static int users_block(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    int rc = tsr_remote_open(a, &r);
    for (size_t i = 0; rc == 0 && i < tsr_cli_noperands(a); i++) {
        const char *id = tsr_cli_operand(a, i);
        if ((rc = set_blocked(a, r, id, true)) == 0 && !tsr_cli_json(a))
            tsr_cli_say(stdout, "Blocked %s: logins are refused until `tessera users unblock`.\n",
                        id);
    }
    tsr_remote_close(r);
    return rc;
}

static int users_unblock(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    int rc = tsr_remote_open(a, &r);
    for (size_t i = 0; rc == 0 && i < tsr_cli_noperands(a); i++) {
        const char *id = tsr_cli_operand(a, i);
        char *path = tsr_remote_path("user-blocks/", id, "");
        if ((rc = set_blocked(a, r, id, false)) == 0)
            rc = path == NULL ? tsr_cli_fail(a, "out of memory")
                              : tsr_remote_call(r, "DELETE", path, NULL, NULL);
        free(path);
        if (rc == 0 && !tsr_cli_json(a))
            tsr_cli_say(stdout,
                        "Unblocked %s: the administrator's block and brute-force "
                        "lockouts are lifted.\n",
                        id);
    }
    tsr_remote_close(r);
    return rc;
}

static int users_delete(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    int rc = tsr_remote_open(a, &r);
    for (size_t i = 0; rc == 0 && i < tsr_cli_noperands(a); i++) {
        char *path = tsr_remote_path("users/", tsr_cli_operand(a, i), "");
        /* DELETE answers 204 for an unknown id too (as Auth0's does): look first. */
        rc = path == NULL ? tsr_cli_fail(a, "out of memory")
                          : tsr_remote_call(r, "GET", path, NULL, NULL);
        if (rc == 0)
            rc = tsr_remote_call(r, "DELETE", path, NULL, NULL);
        free(path);
        if (rc == 0 && !tsr_cli_json(a))
            tsr_cli_say(stdout, "Deleted user %s.\n", tsr_cli_operand(a, i));
    }
    tsr_remote_close(r);
    return rc;
}

#define QUERY_HELP                                                                                 \
    "The query is the Management API's q, in the part of Lucene syntax Tessera\n"                  \
    "reads: terms joined by spaces or AND, each field:value or field:\"quoted value\",\n"          \
    "or one bare word (a substring of email, name, nickname or username). Fields:\n"               \
    "email (exact, or a prefix with a trailing *), email.domain, user_id, name,\n"                 \
    "nickname, username, email_verified, blocked, identities.connection. OR, NOT\n"                \
    "and ranges are refused rather than answered wrongly.\n"                                       \
    "\nexample:\n"                                                                                 \
    "  tessera users list --query 'email.domain:example.com AND blocked:true'\n"

#define PASSWORD_HELP                                                                              \
    "The password is read from --password-file (\"-\": standard input, e.g. a pipe)\n"             \
    "or, for create, from " PASSWORD_ENV "; --password VALUE is refused,\n"                        \
    "because other users of the machine can read a command line.\n"

static const struct tsr_cli_opt list_opts[] = {
    {"query", "Q", "only the users matching Q (see below)", 0},
    {"sort", "FIELD:1|-1", "order, e.g. created_at:1 (default: newest first)", 0},
    {"number", "N", "how many to list, 1 to 1000 (100)", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt search_opts[] = {
    {"query", "Q", "only the users matching Q (see below)", TSR_CLI_OPT_REQUIRED},
    {"sort", "FIELD:1|-1", "order, e.g. created_at:1 (default: newest first)", 0},
    {"number", "N", "how many to list, 1 to 1000 (100)", 0},
    {NULL, NULL, NULL, 0},
};

// clang-format off
#define USER_OPTS                                                                                 \
    {"email", "EMAIL", "the user's email address", 0},                                            \
        {"username", "NAME", "a username (when the connection asks for one)", 0},                 \
        {"name", "TEXT", "the user's full name", 0},                                              \
        {"email-verified", "true|false", "whether the address is known to be theirs", 0},         \
        {"password-file", "FILE", "read the password from FILE (\"-\": standard input)", 0},      \
        {"password", "VALUE", "refused: visible in ps (use --password-file)", 0}
// clang-format on

static const struct tsr_cli_opt create_opts[] = {
    {"connection", "NAME", "the database connection (" DEFAULT_CONNECTION ")", 0},
    {"connection-name", "NAME", "the same as --connection (Auth0 CLI's name)", 0},
    USER_OPTS,
    {"verify-email", "true|false",
     "mail a verification link (default: when the email is not verified)", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt update_opts[] = {
    USER_OPTS,
    {"blocked", "true|false", "refuse (true) or allow (false) the user's logins", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt delete_opts[] = {
    {"force", NULL, "accepted for Auth0's CLI: delete never asks", 0},
    {NULL, NULL, NULL, 0},
};

const struct tsr_cli_command tsr_cli_users_commands[] = {
    {.name = "users list",
     .summary = "list users: all, or those a query matches",
     .details = QUERY_HELP,
     .opts = list_opts,
     .kind = TSR_CLI_REMOTE,
     .run = users_list},
    {.name = "users search",
     .summary = "list the users a query matches (users list --query)",
     .details = QUERY_HELP,
     .opts = search_opts,
     .kind = TSR_CLI_REMOTE,
     .run = users_list},
    {.name = "users show",
     .operands = "ID",
     .summary = "show a user",
     .kind = TSR_CLI_REMOTE,
     .run = users_show},
    {.name = "users create",
     .summary = "create a user in a database connection",
     .details =
         PASSWORD_HELP "\nexample:\n"
                       "  printf '%s' \"$PW\" | tessera users create --email ada@example.com "
                       "--password-file -\n",
     .opts = create_opts,
     .kind = TSR_CLI_REMOTE,
     .run = users_create},
    {.name = "users update",
     .operands = "ID",
     .summary = "change a user's profile, password or block",
     .details = "Only the options given change. A new email is unverified unless\n"
                "--email-verified true is given too. A new password is read from\n"
                "--password-file only (" PASSWORD_ENV " is not read here).\n",
     .opts = update_opts,
     .kind = TSR_CLI_REMOTE,
     .run = users_update},
    {.name = "users block",
     .operands = "ID...",
     .summary = "refuse users' logins until unblocked",
     .details = "Sets blocked: the user cannot log in or refresh tokens. Stops at the first\n"
                "id the server refuses.\n",
     .kind = TSR_CLI_REMOTE,
     .run = users_block},
    {.name = "users unblock",
     .operands = "ID...",
     .summary = "allow users' logins again, lifting brute-force lockouts too",
     .details = "Clears blocked and releases every address that brute-force protection has\n"
                "locked out of the user's email and username (DELETE /user-blocks/ID).\n",
     .kind = TSR_CLI_REMOTE,
     .run = users_unblock},
    {.name = "users delete",
     .operands = "ID...",
     .summary = "delete users",
     .details = "Asks nothing. Stops at the first id the server refuses.\n",
     .opts = delete_opts,
     .kind = TSR_CLI_REMOTE,
     .run = users_delete},
    {0},
};
