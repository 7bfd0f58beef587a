/*
 * apis.c - `tessera apis list|show|create|update|delete`: the tenant's
 * APIs (resource servers) through /api/v2/resource-servers.
 *
 * An HS256 API's signing secret is readable through the Management API;
 * these commands print it only with --reveal-secrets, in tables and in
 * --json alike.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/body.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"

#define LIST_DEFAULT 100
#define LIFETIME_MAX 2592000 /* 30 days, the Management API's bound */
#define SCOPE_TEXT_MAX 1024

static const char *const algs[] = {"RS256", "PS256", "ES256", "EdDSA", "HS256", NULL};
static const char *const dialects[] = {"access_token", "access_token_authz", "rfc9068_profile",
                                       "rfc9068_profile_authz", NULL};

static const struct tsr_cli_col api_cols[] = {
    {"ID", "id"},         {"NAME", "name"}, {"IDENTIFIER", "identifier"},
    {"SCOPES", "scopes"}, {NULL, NULL},
};

static const struct tsr_cli_col api_fields[] = {
    {"ID", "id"},
    {"NAME", "name"},
    {"IDENTIFIER", "identifier"},
    {"SCOPES", "scopes"},
    {"TOKEN LIFETIME", "token_lifetime"},
    {"TOKEN LIFETIME WEB", "token_lifetime_for_web"},
    {"SIGNING ALG", "signing_alg"},
    {"SIGNING SECRET", "signing_secret"},
    {"OFFLINE ACCESS", "allow_offline_access"},
    {"RBAC", "enforce_policies"},
    {"TOKEN DIALECT", "token_dialect"},
    {"SKIP CONSENT", "skip_consent_for_verifiable_first_party_clients"},
    {"SYSTEM", "is_system"},
    {NULL, NULL},
};

/* scopes as "value (description)" strings, for people. */
static void scopes_for_people(json_t *api)
{
    json_t *scopes = json_object_get(api, "scopes");
    json_t *shown = json_array();
    size_t i;
    json_t *s;
    if (!json_is_array(scopes) || shown == NULL) {
        json_decref(shown);
        return;
    }
    json_array_foreach(scopes, i, s)
    {
        const char *v = json_string_value(json_object_get(s, "value"));
        const char *d = json_string_value(json_object_get(s, "description"));
        char text[SCOPE_TEXT_MAX];
        if (v == NULL)
            continue;
        if (d != NULL && d[0] != '\0')
            snprintf(text, sizeof text, "%s (%s)", v, d);
        else
            snprintf(text, sizeof text, "%s", v);
        json_array_append_new(shown, json_string(text));
    }
    json_object_set_new(api, "scopes", shown);
}

/* Without --reveal-secrets: no signing secret in --json, a pointer to the option in tables. */
static void guard_secret(const struct tsr_cli_args *a, json_t *api)
{
    if (tsr_cli_has(a, "reveal-secrets") || json_object_get(api, "signing_secret") == NULL)
        return;
    if (tsr_cli_json(a))
        json_object_del(api, "signing_secret");
    else
        json_object_set_new(api, "signing_secret",
                            json_string("(hidden: --reveal-secrets shows it)"));
}

static void print_api(const struct tsr_cli_args *a, json_t *api)
{
    guard_secret(a, api);
    if (tsr_cli_json(a)) {
        tsr_cli_print_json(stdout, api);
        return;
    }
    struct tsr_cli_col cols[sizeof api_fields / sizeof api_fields[0]];
    size_t n = 0;
    for (size_t i = 0; api_fields[i].title != NULL; i++)
        if (strcmp(api_fields[i].path, "signing_secret") != 0 ||
            json_object_get(api, "signing_secret") != NULL)
            cols[n++] = api_fields[i];
    cols[n] = (struct tsr_cli_col){NULL, NULL};
    scopes_for_people(api);
    tsr_cli_print_fields(stdout, cols, api);
}

static int apis_list(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *list = NULL;
    uint64_t number;
    int rc = tsr_cli_opt_uint(a, "number", 1, TSR_REMOTE_LIST_MAX, LIST_DEFAULT, &number);
    if (rc == 0)
        rc = tsr_remote_open(a, &r);
    if (rc == 0)
        rc = tsr_remote_list(r, "resource-servers", number, &list);
    if (rc == 0) {
        size_t i;
        json_t *api;
        json_array_foreach(list, i, api)
        {
            guard_secret(a, api);
            /* A table has room for how many: apis show lists them. */
            if (!tsr_cli_json(a))
                json_object_set_new(
                    api, "scopes",
                    json_integer((json_int_t)json_array_size(json_object_get(api, "scopes"))));
        }
        tsr_cli_print(a, api_cols, list);
    }
    json_decref(list);
    tsr_remote_close(r);
    return rc;
}

/* GET resource-servers/{id}: id is the API's id or its identifier. */
static int get_api(const struct tsr_cli_args *a, tsr_remote *r, const char *id, json_t **out)
{
    char *path = tsr_remote_path("resource-servers/", id, "");
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory")
                          : tsr_remote_call(r, "GET", path, NULL, out);
    free(path);
    return rc;
}

static int apis_show(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *api = NULL;
    int rc = tsr_remote_open(a, &r);
    if (rc == 0 && (rc = get_api(a, r, tsr_cli_operand(a, 0), &api)) == 0)
        print_api(a, api);
    json_decref(api);
    tsr_remote_close(r);
    return rc;
}

/* --scopes VALUE[=DESCRIPTION],... as [{value, description}]. */
static int add_scopes(const struct tsr_cli_args *a, json_t *body)
{
    json_t *items = NULL;
    int rc = tsr_cli_list(a, "scopes", &items);
    if (rc != 0 || items == NULL)
        return rc;
    json_t *scopes = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *text = json_string_value(item);
        const char *eq = strchr(text, '=');
        json_t *s = eq == NULL ? json_pack("{s:s, s:s}", "value", text, "description", "")
                               : json_pack("{s:s%, s:s}", "value", text, (size_t)(eq - text),
                                           "description", eq + 1);
        if (eq == text) {
            json_decref(s);
            rc = tsr_cli_usage(a, "--scopes: \"%.80s\" has no scope before '='", text);
            break;
        }
        if (s == NULL || json_array_append_new(scopes, s) != 0) {
            rc = tsr_cli_fail(a, "out of memory");
            break;
        }
    }
    json_decref(items);
    if (rc == 0 && json_object_set_new(body, "scopes", scopes) != 0)
        return tsr_cli_fail(a, "out of memory");
    if (rc != 0)
        json_decref(scopes);
    return rc;
}

/*
 * --token-dialect, or --add-permissions-in-token as the dialect with or
 * without "_authz" (current: the API's dialect now, NULL when creating).
 */
static int add_dialect(const struct tsr_cli_args *a, json_t *body, const char *current)
{
    int idx;
    bool perms = false;
    int rc = tsr_cli_opt_choice(a, "token-dialect", dialects, &idx);
    if (rc != 0 || (rc = tsr_cli_opt_bool(a, "add-permissions-in-token", &perms)) != 0)
        return rc;
    const char *dialect = idx >= 0 ? dialects[idx] : NULL;
    if (tsr_cli_has(a, "add-permissions-in-token")) {
        if (dialect != NULL)
            return tsr_cli_usage(a, "--add-permissions-in-token and --token-dialect both set "
                                    "the token dialect: give one");
        bool rfc = current != NULL && strncmp(current, "rfc9068_profile", 15) == 0;
        dialect = rfc ? (perms ? "rfc9068_profile_authz" : "rfc9068_profile")
                      : (perms ? "access_token_authz" : "access_token");
    }
    if (dialect != NULL && json_object_set_new(body, "token_dialect", json_string(dialect)) != 0)
        return tsr_cli_fail(a, "out of memory");
    return 0;
}

static const struct tsr_cli_field api_body_fields[] = {
    {"name", "name", TSR_CLI_FIELD_STR, 0, 0},
    {"token-lifetime", "token_lifetime", TSR_CLI_FIELD_UINT, 1, LIFETIME_MAX},
    {"token-lifetime-web", "token_lifetime_for_web", TSR_CLI_FIELD_UINT, 1, LIFETIME_MAX},
    {"offline-access", "allow_offline_access", TSR_CLI_FIELD_BOOL, 0, 0},
    {"enforce-policies", "enforce_policies", TSR_CLI_FIELD_BOOL, 0, 0},
    {"skip-consent", "skip_consent_for_verifiable_first_party_clients", TSR_CLI_FIELD_BOOL, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* The body of create and update; current: the API's dialect now (update), or NULL. */
static int api_body(const struct tsr_cli_args *a, const char *current, json_t **out)
{
    json_t *body = json_object();
    int idx;
    int rc = body == NULL ? tsr_cli_fail(a, "out of memory") : 0;
    if (rc == 0)
        rc = tsr_cli_body_add(a, api_body_fields, body);
    if (rc == 0)
        rc = tsr_cli_opt_choice(a, "signing-alg", algs, &idx);
    if (rc == 0 && idx >= 0 && json_object_set_new(body, "signing_alg", json_string(algs[idx])))
        rc = tsr_cli_fail(a, "out of memory");
    if (rc == 0)
        rc = add_scopes(a, body);
    if (rc == 0)
        rc = add_dialect(a, body, current);
    if (rc != 0) {
        json_decref(body);
        body = NULL;
    }
    *out = body;
    return rc;
}

static int apis_create(const struct tsr_cli_args *a)
{
    static const struct tsr_cli_field identifier[] = {
        {"identifier", "identifier", TSR_CLI_FIELD_STR, 0, 0},
        {NULL, NULL, 0, 0, 0},
    };
    tsr_remote *r = NULL;
    json_t *body = NULL, *api = NULL;
    int rc = api_body(a, NULL, &body);
    if (rc == 0)
        rc = tsr_cli_body_add(a, identifier, body);
    if (rc == 0 && (rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = tsr_remote_call(r, "POST", "resource-servers", body, &api)) == 0)
        print_api(a, api);
    json_decref(body);
    json_decref(api);
    tsr_remote_close(r);
    return rc;
}

static int apis_update(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *body = NULL, *api = NULL, *now = NULL;
    char *path = NULL;
    const char *id = tsr_cli_operand(a, 0);
    /* Parse everything before any call: a usage error never needs the server. */
    int rc = api_body(a, NULL, &body);
    if (rc == 0 && json_object_size(body) == 0)
        rc = tsr_cli_usage(a, "nothing to change: give at least one option");
    if (rc == 0)
        rc = tsr_remote_open(a, &r);
    if (rc == 0 && tsr_cli_has(a, "add-permissions-in-token")) {
        /* The dialect with permissions depends on the one the API has. */
        if ((rc = get_api(a, r, id, &now)) == 0) {
            json_decref(body);
            body = NULL;
            rc = api_body(a, json_string_value(json_object_get(now, "token_dialect")), &body);
        }
    }
    if (rc == 0 && (path = tsr_remote_path("resource-servers/", id, "")) == NULL)
        rc = tsr_cli_fail(a, "out of memory");
    if (rc == 0 && (rc = tsr_remote_call(r, "PATCH", path, body, &api)) == 0)
        print_api(a, api);
    free(path);
    json_decref(body);
    json_decref(now);
    json_decref(api);
    tsr_remote_close(r);
    return rc;
}

static int apis_delete(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    int rc = tsr_remote_open(a, &r);
    for (size_t i = 0; rc == 0 && i < tsr_cli_noperands(a); i++) {
        char *path = tsr_remote_path("resource-servers/", tsr_cli_operand(a, i), "");
        rc = path == NULL ? tsr_cli_fail(a, "out of memory")
                          : tsr_remote_call(r, "DELETE", path, NULL, NULL);
        free(path);
        if (rc == 0 && !tsr_cli_json(a))
            tsr_cli_say(stdout, "Deleted API %s.\n", tsr_cli_operand(a, i));
    }
    tsr_remote_close(r);
    return rc;
}

// clang-format off
#define REVEAL_OPT {"reveal-secrets", NULL, "print an HS256 API's signing secret", 0}

#define API_OPTS                                                                                  \
    {"name", "NAME", "the API's name (default: its identifier)", 0},                              \
        {"scopes", "SCOPES", "its scopes, each SCOPE or SCOPE=DESCRIPTION", TSR_CLI_OPT_REPEAT},  \
        {"token-lifetime", "SECONDS", "access token lifetime, 1 to 2592000 (86400)", 0},          \
        {"token-lifetime-web", "SECONDS",                                                         \
         "lifetime of tokens from browser flows (at most --token-lifetime)", 0},                  \
        {"signing-alg", "ALG",                                                                    \
         "RS256, PS256, ES256 or EdDSA (the tenant's keys) or HS256 (a secret of the API)", 0},   \
        {"offline-access", "true|false", "allow refresh tokens for this API", 0},                 \
        {"enforce-policies", "true|false", "RBAC: grant only the scopes a user's roles allow", 0},\
        {"add-permissions-in-token", "true|false",                                                \
         "put the permissions claim in access tokens", 0},                                        \
        {"token-dialect", "DIALECT",                                                              \
         "access_token, access_token_authz, rfc9068_profile or rfc9068_profile_authz", 0},        \
        {"skip-consent", "true|false", "first-party applications skip the consent page", 0},      \
        REVEAL_OPT
// clang-format on

static const struct tsr_cli_opt create_opts[] = {
    {"identifier", "IDENTIFIER", "the audience tokens are asked for; cannot change later",
     TSR_CLI_OPT_REQUIRED},
    API_OPTS,
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt update_opts[] = {
    API_OPTS,
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt list_opts[] = {
    {"number", "N", "how many to list, 1 to 1000 (100)", 0},
    REVEAL_OPT,
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt show_opts[] = {
    REVEAL_OPT,
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt delete_opts[] = {
    {"force", NULL, "accepted for Auth0's CLI: delete never asks", 0},
    {NULL, NULL, NULL, 0},
};

#define ID_IS_EITHER                                                                               \
    "ID is the API's id or its identifier (as given at creation: matched exactly,\n"               \
    "a trailing slash included).\n"

#define SCOPES_RULE                                                                                \
    "--scopes lists every scope, each SCOPE or SCOPE=DESCRIPTION (a scope such as\n"               \
    "read:orders holds a colon, so '=' starts the description); it may be repeated and\n"          \
    "each value is split at commas, so a description cannot hold a comma. On update it\n"          \
    "replaces all the scopes; \"--scopes ''\" removes them.\n"

const struct tsr_cli_command tsr_cli_apis_commands[] = {
    {.name = "apis list",
     .summary = "list the APIs: id, name, identifier, how many scopes",
     .details = "The Management API itself is listed too (SYSTEM true in apis show).\n",
     .opts = list_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apis_list},
    {.name = "apis show",
     .operands = "ID",
     .summary = "show an API's settings",
     .details = ID_IS_EITHER,
     .opts = show_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apis_show},
    {.name = "apis create",
     .summary = "create an API (a resource server) that applications ask tokens for",
     .details = "The identifier is the audience: a name, usually a URL, that need not resolve.\n"
                "Tokens carry it exactly as given (a trailing slash makes another audience)\n"
                "and it cannot be changed later.\n\n" SCOPES_RULE "\nexample:\n"
                "  tessera apis create --name Orders --identifier https://orders.example.com/ \\\n"
                "    --scopes 'read:orders=Read orders,write:orders' --offline-access true\n",
     .opts = create_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apis_create},
    {.name = "apis update",
     .operands = "ID",
     .summary = "change an API's settings (not its identifier)",
     .details = ID_IS_EITHER "Only the options given change.\n\n" SCOPES_RULE,
     .opts = update_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apis_update},
    {.name = "apis delete",
     .operands = "ID...",
     .summary = "delete APIs",
     .details = ID_IS_EITHER "Asks nothing. Stops at the first id the server refuses.\n",
     .opts = delete_opts,
     .kind = TSR_CLI_REMOTE,
     .run = apis_delete},
    {0},
};
