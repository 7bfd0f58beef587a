/*
 * apps.c - `tessera apps list|show|create|update|delete|rotate-secret|
 * authorize|callbacks`: the tenant's applications through /api/v2/clients,
 * and their client grants (/api/v2/client-grants).  `apps callbacks` is
 * in callbacks.c.
 *
 * Types and grants have the short names of Auth0's CLI (spa, regular,
 * native, m2m; code, refresh-token, credentials, ...) besides the
 * Management API's own.  A client secret is stored only as a hash, so it
 * is printed exactly when it is made: by create and by rotate-secret.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/body.h"
#include "cli/callbacks.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "util/strbuf.h"

#define LIST_DEFAULT 100

/* The CLI's type names and the app_type each stands for (both are accepted). */
static const char *const type_names[] = {"spa",         "regular",         "native", "m2m",
                                         "regular_web", "non_interactive", NULL};
static const char *const type_values[] = {
    "spa", "regular_web", "native", "non_interactive", "regular_web", "non_interactive"};

static const char *const method_names[] = {
    "none", "post", "basic", "client_secret_post", "client_secret_basic", NULL};
static const char *const method_values[] = {"none", "client_secret_post", "client_secret_basic",
                                            "client_secret_post", "client_secret_basic"};

/* Grant names: Auth0's CLI's short ones, then the Management API's. */
static const struct {
    const char *name;
    const char *value;
} grants[] = {
    {"code", "authorization_code"},
    {"authorization-code", "authorization_code"},
    {"implicit", "implicit"},
    {"refresh-token", "refresh_token"},
    {"credentials", "client_credentials"},
    {"client-credentials", "client_credentials"},
    {"password", "password"},
    {"password-realm", "http://auth0.com/oauth/grant-type/password-realm"},
    {"authorization_code", "authorization_code"},
    {"refresh_token", "refresh_token"},
    {"client_credentials", "client_credentials"},
    {"http://auth0.com/oauth/grant-type/password-realm",
     "http://auth0.com/oauth/grant-type/password-realm"},
};

static const char *const rotations[] = {"rotating", "non-rotating", NULL};

static const struct tsr_cli_col app_cols[] = {
    {"CLIENT ID", "client_id"},
    {"NAME", "name"},
    {"TYPE", "app_type"},
    {NULL, NULL},
};

static const struct tsr_cli_col app_fields[] = {
    {"CLIENT ID", "client_id"},
    {"NAME", "name"},
    {"DESCRIPTION", "description"},
    {"TYPE", "app_type"},
    {"AUTH METHOD", "token_endpoint_auth_method"},
    {"CALLBACKS", "callbacks"},
    {"LOGOUT URLS", "allowed_logout_urls"},
    {"ALLOWED ORIGINS", "allowed_origins"},
    {"WEB ORIGINS", "web_origins"},
    {"GRANTS", "grant_types"},
    {"REFRESH ROTATION", "refresh_token.rotation_type"},
    {"REFRESH EXPIRATION", "refresh_token.expiration_type"},
    {"FIRST PARTY", "is_first_party"},
    {"CLIENT SECRET", "client_secret"},
    {NULL, NULL},
};

/* app_type as the CLI names it, for people (--json keeps the server's). */
static void short_type(json_t *app)
{
    const char *t = json_string_value(json_object_get(app, "app_type"));
    for (size_t i = 0; t != NULL && i < 4; i++) {
        if (strcmp(t, type_values[i]) == 0) {
            json_object_set_new(app, "app_type", json_string(type_names[i]));
            return;
        }
    }
}

/* Prints one app: fields (the secret only when the server sent one) or --json. */
static void print_app(const struct tsr_cli_args *a, json_t *app)
{
    if (tsr_cli_json(a)) {
        tsr_cli_print_json(stdout, app);
        return;
    }
    struct tsr_cli_col cols[sizeof app_fields / sizeof app_fields[0]];
    size_t n = 0;
    for (size_t i = 0; app_fields[i].title != NULL; i++)
        if (strcmp(app_fields[i].path, "client_secret") != 0 ||
            json_object_get(app, "client_secret") != NULL)
            cols[n++] = app_fields[i];
    cols[n] = (struct tsr_cli_col){NULL, NULL};
    short_type(app);
    tsr_cli_print_fields(stdout, cols, app);
    if (json_object_get(app, "client_secret") != NULL)
        fputs("\nThe client secret is shown only this once: store it now. "
              "`tessera apps rotate-secret` replaces it.\n",
              stdout);
}

static int apps_list(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *list = NULL;
    uint64_t number;
    int rc = tsr_cli_opt_uint(a, "number", 1, TSR_REMOTE_LIST_MAX, LIST_DEFAULT, &number);
    if (rc == 0 && tsr_cli_has(a, "reveal-secrets"))
        rc = tsr_cli_usage(a, "--reveal-secrets: a client secret is stored only as a hash and "
                              "cannot be shown again; `tessera apps rotate-secret ID` issues a "
                              "new one");
    if (rc == 0)
        rc = tsr_remote_open(a, &r);
    if (rc == 0)
        rc = tsr_remote_list(r, "clients", number, &list);
    if (rc == 0) {
        if (!tsr_cli_json(a)) {
            size_t i;
            json_t *app;
            json_array_foreach(list, i, app) short_type(app);
        }
        tsr_cli_print(a, app_cols, list);
    }
    json_decref(list);
    tsr_remote_close(r);
    return rc;
}

static int apps_show(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *app = NULL;
    char *path = NULL;
    int rc = 0;
    if (tsr_cli_has(a, "reveal-secrets"))
        return tsr_cli_usage(a, "--reveal-secrets: a client secret is stored only as a hash and "
                                "cannot be shown again; `tessera apps rotate-secret ID` issues "
                                "a new one");
    if ((path = tsr_remote_path("clients/", tsr_cli_operand(a, 0), "")) == NULL)
        return tsr_cli_fail(a, "out of memory");
    if ((rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = tsr_remote_call(r, "GET", path, NULL, &app)) == 0) {
        tsr_cli_hide(app, "client_secret"); /* never sent by the server; never printed here */
        print_app(a, app);
    }
    free(path);
    json_decref(app);
    tsr_remote_close(r);
    return rc;
}

/* --grants as the Management API's grant_types; a name it does not know is a usage error. */
static int add_grants(const struct tsr_cli_args *a, json_t *body)
{
    json_t *names = NULL;
    int rc = tsr_cli_list(a, "grants", &names);
    if (rc != 0 || names == NULL)
        return rc;
    json_t *values = json_array();
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name)
    {
        const char *n = json_string_value(name);
        size_t g = 0;
        while (g < sizeof grants / sizeof grants[0] && strcmp(grants[g].name, n) != 0)
            g++;
        if (g == sizeof grants / sizeof grants[0]) {
            rc = tsr_cli_usage(a,
                               "--grants: unknown grant \"%.80s\" (code, implicit, "
                               "refresh-token, credentials, password, password-realm)",
                               n);
            break;
        }
        if (json_array_append_new(values, json_string(grants[g].value)) != 0) {
            rc = tsr_cli_fail(a, "out of memory");
            break;
        }
    }
    json_decref(names);
    if (rc == 0 && json_object_set_new(body, "grant_types", values) != 0)
        return tsr_cli_fail(a, "out of memory");
    if (rc != 0)
        json_decref(values);
    return rc;
}

/* A choice option as the member its table maps it to. */
static int add_choice(const struct tsr_cli_args *a, json_t *body, const char *opt,
                      const char *const *names, const char *const *values, const char *member)
{
    int idx;
    int rc = tsr_cli_opt_choice(a, opt, names, &idx);
    if (rc != 0 || idx < 0)
        return rc;
    if (tsr_cli_body_set(body, member, json_string(values[idx])) != 0)
        return tsr_cli_fail(a, "out of memory");
    return 0;
}

static const struct tsr_cli_field app_body_fields[] = {
    {"name", "name", TSR_CLI_FIELD_STR, 0, 0},
    {"description", "description", TSR_CLI_FIELD_STR, 0, 0},
    {"callbacks", "callbacks", TSR_CLI_FIELD_LIST, 0, 0},
    {"logout-urls", "allowed_logout_urls", TSR_CLI_FIELD_LIST, 0, 0},
    {"origins", "allowed_origins", TSR_CLI_FIELD_LIST, 0, 0},
    {"web-origins", "web_origins", TSR_CLI_FIELD_LIST, 0, 0},
    {"first-party", "is_first_party", TSR_CLI_FIELD_BOOL, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* The body of create and update: only the options given. */
static int app_body(const struct tsr_cli_args *a, json_t **out)
{
    json_t *body = json_object();
    int rc = body == NULL ? tsr_cli_fail(a, "out of memory") : 0;
    if (rc == 0)
        rc = tsr_cli_body_add(a, app_body_fields, body);
    if (rc == 0)
        rc = add_choice(a, body, "type", type_names, type_values, "app_type");
    if (rc == 0)
        rc = add_choice(a, body, "auth-method", method_names, method_values,
                        "token_endpoint_auth_method");
    if (rc == 0)
        rc = add_choice(a, body, "refresh-rotation", rotations, rotations,
                        "refresh_token.rotation_type");
    if (rc == 0)
        rc = add_grants(a, body);
    if (rc != 0) {
        json_decref(body);
        body = NULL;
    }
    *out = body;
    return rc;
}

static int apps_create(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *body = NULL, *app = NULL;
    int rc = app_body(a, &body);
    if (rc == 0 && (rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = tsr_remote_call(r, "POST", "clients", body, &app)) == 0)
        print_app(a, app);
    json_decref(body);
    json_decref(app);
    tsr_remote_close(r);
    return rc;
}

static int apps_update(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *body = NULL, *app = NULL;
    char *path = NULL;
    int rc = app_body(a, &body);
    if (rc == 0 && json_object_size(body) == 0)
        rc = tsr_cli_usage(a, "nothing to change: give at least one option");
    if (rc == 0 && (path = tsr_remote_path("clients/", tsr_cli_operand(a, 0), "")) == NULL)
        rc = tsr_cli_fail(a, "out of memory");
    if (rc == 0 && (rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = tsr_remote_call(r, "PATCH", path, body, &app)) == 0)
        print_app(a, app);
    free(path);
    json_decref(body);
    json_decref(app);
    tsr_remote_close(r);
    return rc;
}

static int apps_delete(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    int rc = tsr_remote_open(a, &r);
    for (size_t i = 0; rc == 0 && i < tsr_cli_noperands(a); i++) {
        char *path = tsr_remote_path("clients/", tsr_cli_operand(a, i), "");
        rc = path == NULL ? tsr_cli_fail(a, "out of memory")
                          : tsr_remote_call(r, "DELETE", path, NULL, NULL);
        free(path);
        if (rc == 0 && !tsr_cli_json(a))
            tsr_cli_say(stdout, "Deleted app %s.\n", tsr_cli_operand(a, i));
    }
    tsr_remote_close(r);
    return rc;
}

static int apps_rotate_secret(const struct tsr_cli_args *a)
{
    static const struct tsr_cli_col cols[] = {
        {"CLIENT ID", "client_id"}, {"NAME", "name"}, {"CLIENT SECRET", "client_secret"}, {0}};
    tsr_remote *r = NULL;
    json_t *app = NULL;
    char *path = tsr_remote_path("clients/", tsr_cli_operand(a, 0), "/rotate-secret");
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_call(r, "POST", path, NULL, &app)) == 0) {
        if (tsr_cli_json(a)) {
            tsr_cli_print_json(stdout, app);
        } else {
            tsr_cli_print_fields(stdout, cols, app);
            fputs("\nThe old secret no longer works and the refresh tokens issued under it are "
                  "revoked.\nThe new secret is shown only this once: store it now.\n",
                  stdout);
        }
    }
    free(path);
    json_decref(app);
    tsr_remote_close(r);
    return rc;
}

/* The grant of client id for audience: its id in *grant_id (caller frees), NULL when none. */
static int find_grant(const struct tsr_cli_args *a, tsr_remote *r, const char *id,
                      const char *audience, char **grant_id)
{
    struct tsr_strbuf b = {0};
    json_t *list = NULL;
    *grant_id = NULL;
    tsr_strbuf_append(&b, "client-grants?client_id=");
    tsr_strbuf_append_urlenc(&b, id);
    tsr_strbuf_append(&b, "&audience=");
    tsr_strbuf_append_urlenc(&b, audience);
    char *path = tsr_strbuf_take(&b, NULL);
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_list(r, path, 1, &list);
    const char *gid = json_string_value(json_object_get(json_array_get(list, 0), "id"));
    if (rc == 0 && gid != NULL && (*grant_id = strdup(gid)) == NULL)
        rc = tsr_cli_fail(a, "out of memory");
    free(path);
    json_decref(list);
    return rc;
}

static int apps_authorize(const struct tsr_cli_args *a)
{
    static const struct tsr_cli_col cols[] = {{"GRANT ID", "id"},
                                              {"CLIENT ID", "client_id"},
                                              {"AUDIENCE", "audience"},
                                              {"SCOPES", "scope"},
                                              {NULL, NULL}};
    tsr_remote *r = NULL;
    json_t *scopes = NULL, *body = NULL, *grant = NULL;
    char *grant_id = NULL, *path = NULL;
    const char *id = tsr_cli_operand(a, 0);
    const char *audience = tsr_cli_opt(a, "api");
    int rc = tsr_cli_list(a, "scopes", &scopes);
    if (rc == 0 && scopes == NULL && (scopes = json_array()) == NULL)
        rc = tsr_cli_fail(a, "out of memory");
    if (rc == 0)
        rc = tsr_remote_open(a, &r);
    /* Authorizing again replaces the scopes of the grant the pair already has. */
    if (rc == 0)
        rc = find_grant(a, r, id, audience, &grant_id);
    if (rc == 0 && grant_id != NULL) {
        body = json_pack("{s:O}", "scope", scopes);
        path = tsr_remote_path("client-grants/", grant_id, "");
        rc = body == NULL || path == NULL ? tsr_cli_fail(a, "out of memory")
                                          : tsr_remote_call(r, "PATCH", path, body, &grant);
    } else if (rc == 0) {
        body = json_pack("{s:s, s:s, s:O}", "client_id", id, "audience", audience, "scope", scopes);
        rc = body == NULL ? tsr_cli_fail(a, "out of memory")
                          : tsr_remote_call(r, "POST", "client-grants", body, &grant);
    }
    if (rc == 0)
        tsr_cli_print(a, cols, grant);
    free(grant_id);
    free(path);
    json_decref(scopes);
    json_decref(body);
    json_decref(grant);
    tsr_remote_close(r);
    return rc;
}

#define LIST_RULE                                                                                  \
    "Lists of values: repeat the option or separate the values with commas\n"                      \
    "(\"--callbacks a,b\" is \"--callbacks a --callbacks b\"); \"--callbacks ''\" is the empty\n"  \
    "list, which on update clears it.\n"

// clang-format off
#define APP_OPTS(required)                                                                        \
    {"name", "NAME", "the application's name", required},                                        \
        {"type", "TYPE", "spa, regular, native or m2m (or regular_web, non_interactive)",         \
         required},                                                                               \
        {"description", "TEXT", "what it is for (at most 140 characters)", 0},                    \
        {"callbacks", "URLS", "where the login may return (redirect URIs)", TSR_CLI_OPT_REPEAT},  \
        {"logout-urls", "URLS", "where the logout may return", TSR_CLI_OPT_REPEAT},               \
        {"origins", "URLS", "allowed origins (CORS)", TSR_CLI_OPT_REPEAT},                        \
        {"web-origins", "URLS", "allowed web origins (silent login, web_message)",                \
         TSR_CLI_OPT_REPEAT},                                                                     \
        {"grants", "GRANTS",                                                                      \
         "code, implicit, refresh-token, credentials, password, password-realm",                 \
         TSR_CLI_OPT_REPEAT},                                                                     \
        {"auth-method", "METHOD", "token endpoint authentication: none, post or basic", 0},       \
        {"refresh-rotation", "MODE", "refresh tokens: rotating or non-rotating", 0},              \
        {"first-party", "true|false", "a first-party application (may skip consent)", 0}
// clang-format on

static const struct tsr_cli_opt create_opts[] = {
    APP_OPTS(TSR_CLI_OPT_REQUIRED),
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt update_opts[] = {
    APP_OPTS(0),
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt list_opts[] = {
    {"number", "N", "how many to list, 1 to 1000 (100)", 0},
    {"reveal-secrets", NULL, "refused: secrets are stored as hashes (see apps rotate-secret)", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt show_opts[] = {
    {"reveal-secrets", NULL, "refused: secrets are stored as hashes (see apps rotate-secret)", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt authorize_opts[] = {
    {"api", "IDENTIFIER", "the API's identifier (the audience)", TSR_CLI_OPT_REQUIRED},
    {"scopes", "SCOPES", "the API's scopes the application may ask for", TSR_CLI_OPT_REPEAT},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt delete_opts[] = {
    {"force", NULL, "accepted for Auth0's CLI: delete never asks", 0},
    {NULL, NULL, NULL, 0},
};

const struct tsr_cli_command tsr_cli_apps_commands[] = {
    {.name = "apps list",
     .summary = "list the applications: client id, name, type",
     .details = "Types are shown as spa, regular, native or m2m; --json prints the\n"
                "Management API's objects (app_type regular_web, non_interactive, ...).\n",
     .opts = list_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apps_list},
    {.name = "apps show",
     .operands = "ID",
     .summary = "show an application's settings",
     .details = "A client secret is stored only as a hash: it is printed once, by apps create\n"
                "and apps rotate-secret, and never afterwards.\n",
     .opts = show_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apps_show},
    {.name = "apps create",
     .summary = "create an application; prints its client secret once",
     .details = "The type sets the defaults: spa and native are public clients (no secret,\n"
                "PKCE); regular and m2m get a client secret, printed this once only. A new\n"
                "spa gets rotating refresh tokens.\n\n" LIST_RULE "\nexample:\n"
                "  tessera apps create --name Shop --type spa \\\n"
                "    --callbacks http://localhost:3000/callback --web-origins "
                "http://localhost:3000\n",
     .opts = create_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apps_create},
    {.name = "apps update",
     .operands = "ID",
     .summary = "change an application's settings",
     .details =
         "Only the options given change; a list option replaces the whole list.\n\n" LIST_RULE,
     .opts = update_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apps_update},
    {.name = "apps delete",
     .operands = "ID...",
     .summary = "delete applications and revoke their refresh tokens",
     .details = "Asks nothing. Stops at the first id the server refuses.\n",
     .opts = delete_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apps_delete},
    {.name = "apps rotate-secret",
     .operands = "ID",
     .summary = "replace a confidential application's client secret; prints it once",
     .details = "The old secret stops working at once, and the refresh tokens issued under it\n"
                "are revoked.\n",
     .kind = TSR_CLI_REMOTE,
     .run = apps_rotate_secret},
    {.name = "apps authorize",
     .operands = "ID",
     .summary = "let an application get tokens for an API by client credentials",
     .details = "Creates the client grant of the application and the API, or replaces its\n"
                "scopes when there is one already (no --scopes: none).\n\n" LIST_RULE "\nexample:\n"
                "  tessera apps authorize CLIENT_ID --api https://orders.example.com/ \\\n"
                "    --scopes read:orders,write:orders\n",
     .opts = authorize_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apps_authorize},
    {.name = "apps callbacks add",
     .operands = "[URL...]",
     .summary = "add callback, logout and origin URLs to an application, safely in parallel",
     .details = "URL operands go to callbacks, the options to the other lists; URLs already\n"
                "there are left alone. The application is read with its ETag and written with\n"
                "If-Match, so concurrent runs (two preview deploys) never erase each other's\n"
                "URLs: a run that lost the race reads again, after a random pause, up to\n"
                "--attempts times.\n\n" LIST_RULE "\nexample:\n"
                "  tessera apps callbacks add --app CLIENT_ID https://pr-42.example.com/cb \\\n"
                "    --logout-url https://pr-42.example.com/ --web-origin "
                "https://pr-42.example.com\n",
     .opts = tsr_cli_callbacks_opts,
     .kind = TSR_CLI_REMOTE,
     .run = tsr_cli_callbacks_add},
    {.name = "apps callbacks remove",
     .operands = "[URL...]",
     .summary = "remove callback, logout and origin URLs from an application, safely in parallel",
     .details = "The counterpart of apps callbacks add: URL operands leave callbacks, the\n"
                "options leave the other lists; a URL that is not there is no error.\n\n" LIST_RULE,
     .opts = tsr_cli_callbacks_opts,
     .kind = TSR_CLI_REMOTE,
     .run = tsr_cli_callbacks_remove},
    {0},
};
