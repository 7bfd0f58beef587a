/*
 * roles.c - `tessera roles ...`: roles through /api/v2/roles, the API
 * permissions each holds, and the users it is assigned to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"

#define NUMBER_HELP "how many to list, 1 to 1000 (50)"
#define LIST_RULE                                                                                  \
    "Lists of values: repeat the option or separate the values with commas\n"                      \
    "(--opt a,b is --opt a --opt b).\n"

static const struct tsr_cli_col role_cols[] = {
    {"ID", "id"},
    {"NAME", "name"},
    {"DESCRIPTION", "description"},
    {NULL, NULL},
};

static const struct tsr_cli_col permission_cols[] = {
    {"API", "resource_server_identifier"},
    {"PERMISSION", "permission_name"},
    {"DESCRIPTION", "description"},
    {NULL, NULL},
};

static const struct tsr_cli_col member_cols[] = {
    {"USER ID", "user_id"},
    {"EMAIL", "email"},
    {"NAME", "name"},
    {NULL, NULL},
};

static const struct tsr_cli_opt list_opts[] = {
    {"number", "N", NUMBER_HELP, 0},
    {"name-filter", "TEXT", "only roles whose name contains TEXT", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt number_opts[] = {
    {"number", "N", NUMBER_HELP, 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt create_opts[] = {
    {"name", "NAME", "the role's name, unique in the tenant", TSR_CLI_OPT_REQUIRED},
    {"description", "TEXT", "what the role is for", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt update_opts[] = {
    {"name", "NAME", "a new name", 0},
    {"description", "TEXT", "a new description", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt delete_opts[] = {
    {"force", NULL, "accepted for Auth0 CLI scripts; delete never asks", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt permission_opts[] = {
    {"api", "API", "the API: its identifier (audience) or id", 0},
    {"api-id", "API", "the same as --api (the Auth0 CLI's name)", 0},
    {"permissions", "LIST", "permissions (scopes) of that API",
     TSR_CLI_OPT_REQUIRED | TSR_CLI_OPT_REPEAT},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt users_opts[] = {
    {"users", "LIST", "user ids (auth0|...)", TSR_CLI_OPT_REQUIRED | TSR_CLI_OPT_REPEAT},
    {NULL, NULL, NULL, 0},
};

/* GET path, then the reply printed with cols. */
static int show_one(const struct tsr_cli_args *a, const char *path, const struct tsr_cli_col *cols)
{
    tsr_remote *r = NULL;
    json_t *reply = NULL;
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_call(r, "GET", path, NULL, &reply)) == 0)
        tsr_cli_print(a, cols, reply);
    json_decref(reply);
    tsr_remote_close(r);
    return rc;
}

/* Up to --number items of the paged list at path, printed with cols. */
static int list_some(const struct tsr_cli_args *a, const char *path, const struct tsr_cli_col *cols)
{
    tsr_remote *r = NULL;
    json_t *items = NULL;
    uint64_t number;
    int rc = tsr_cli_opt_uint(a, "number", 1, TSR_REMOTE_LIST_MAX, 50, &number);
    if (rc == 0)
        rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_list(r, path, number, &items)) == 0)
        tsr_cli_print(a, cols, items);
    json_decref(items);
    tsr_remote_close(r);
    return rc;
}

static int roles_list(const struct tsr_cli_args *a)
{
    const char *filter = tsr_cli_opt(a, "name-filter");
    char *path =
        filter != NULL ? tsr_remote_path("roles?name_filter=", filter, "") : strdup("roles");
    int rc = list_some(a, path, role_cols);
    free(path);
    return rc;
}

static int roles_show(const struct tsr_cli_args *a)
{
    char *path = tsr_remote_path("roles/", tsr_cli_operand(a, 0), "");
    int rc = show_one(a, path, role_cols);
    free(path);
    return rc;
}

/* {name?, description?} from the options given; NULL after a message when out of memory. */
static json_t *role_body(const struct tsr_cli_args *a)
{
    json_t *body = json_object();
    const char *name = tsr_cli_opt(a, "name"), *desc = tsr_cli_opt(a, "description");
    if (body != NULL && name != NULL && json_object_set_new(body, "name", json_string(name)) != 0)
        goto oom;
    if (body != NULL && desc != NULL &&
        json_object_set_new(body, "description", json_string(desc)) != 0)
        goto oom;
    if (body != NULL)
        return body;
oom:
    json_decref(body);
    tsr_cli_fail(a, "out of memory, or a value is not UTF-8");
    return NULL;
}

/* method path with the role body, then the role printed. */
static int send_role(const struct tsr_cli_args *a, const char *method, const char *path)
{
    tsr_remote *r = NULL;
    json_t *reply = NULL, *body = NULL;
    int rc = TSR_CLI_FAILED;
    if (path == NULL) {
        rc = tsr_cli_fail(a, "out of memory");
        goto out;
    }
    if ((body = role_body(a)) == NULL)
        goto out;
    if (json_object_size(body) == 0) {
        rc = tsr_cli_usage(a, "nothing to change: give --name or --description");
        goto out;
    }
    if ((rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = tsr_remote_call(r, method, path, body, &reply)) == 0)
        tsr_cli_print(a, role_cols, reply);
out:
    json_decref(body);
    json_decref(reply);
    tsr_remote_close(r);
    return rc;
}

static int roles_create(const struct tsr_cli_args *a)
{
    return send_role(a, "POST", "roles");
}

static int roles_update(const struct tsr_cli_args *a)
{
    char *path = tsr_remote_path("roles/", tsr_cli_operand(a, 0), "");
    int rc = send_role(a, "PATCH", path);
    free(path);
    return rc;
}

static int roles_delete(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    const char *id = tsr_cli_operand(a, 0);
    char *path = tsr_remote_path("roles/", id, "");
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_call(r, "DELETE", path, NULL, NULL)) == 0) {
        if (tsr_cli_json(a))
            printf("{}\n");
        else
            printf("Deleted role %s; its users no longer hold its permissions.\n", id);
    }
    free(path);
    tsr_remote_close(r);
    return rc;
}

static int permissions_list(const struct tsr_cli_args *a)
{
    char *path = tsr_remote_path("roles/", tsr_cli_operand(a, 0), "/permissions");
    int rc = list_some(a, path, permission_cols);
    free(path);
    return rc;
}

/* The identifier of the API --api names (its id or identifier), looked up on the server. */
static int api_identifier(const struct tsr_cli_args *a, tsr_remote *r, char **out)
{
    const char *api = tsr_cli_opt(a, "api");
    const char *api_id = tsr_cli_opt(a, "api-id");
    json_t *reply = NULL;
    *out = NULL;
    if (api != NULL && api_id != NULL)
        return tsr_cli_usage(a, "give --api or --api-id, not both");
    if (api == NULL)
        api = api_id;
    if (api == NULL)
        return tsr_cli_usage(a, "--api is required");
    char *path = tsr_remote_path("resource-servers/", api, "?fields=identifier");
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory")
                          : tsr_remote_call(r, "GET", path, NULL, &reply);
    free(path);
    if (rc == 0) {
        const char *ident = json_string_value(json_object_get(reply, "identifier"));
        if (ident == NULL || (*out = strdup(ident)) == NULL)
            rc = tsr_cli_fail(a, "the server's answer has no API identifier");
    }
    json_decref(reply);
    return rc;
}

/* {"permissions": [{resource_server_identifier, permission_name}...]} */
static json_t *permissions_body(const char *identifier, const json_t *names)
{
    json_t *list = json_array();
    size_t i;
    const json_t *name;
    json_array_foreach(names, i, name)
    {
        if (list != NULL &&
            json_array_append_new(list, json_pack("{s:s, s:O}", "resource_server_identifier",
                                                  identifier, "permission_name", name)) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return list != NULL ? json_pack("{s:o}", "permissions", list) : NULL;
}

static int change_permissions(const struct tsr_cli_args *a, bool add)
{
    tsr_remote *r = NULL;
    json_t *names = NULL, *body = NULL;
    char *identifier = NULL;
    const char *role = tsr_cli_operand(a, 0);
    char *path = tsr_remote_path("roles/", role, "/permissions");
    int rc = tsr_cli_opt_list(a, "permissions", &names);
    if (rc != 0)
        goto out;
    if (!tsr_cli_has(a, "api") && !tsr_cli_has(a, "api-id")) {
        rc = tsr_cli_usage(a, "--api is required");
        goto out;
    }
    if (path == NULL) {
        rc = tsr_cli_fail(a, "out of memory");
        goto out;
    }
    if ((rc = tsr_remote_open(a, &r)) != 0 || (rc = api_identifier(a, r, &identifier)) != 0)
        goto out;
    if ((body = permissions_body(identifier, names)) == NULL) {
        rc = tsr_cli_fail(a, "out of memory");
        goto out;
    }
    if ((rc = tsr_remote_call(r, add ? "POST" : "DELETE", path, body, NULL)) != 0)
        goto out;
    if (tsr_cli_json(a)) {
        tsr_cli_print_json(stdout, json_object_get(body, "permissions"));
    } else {
        char list[512];
        tsr_cli_cell(names, list, sizeof list);
        char api[256];
        tsr_cli_cell(json_object_get(json_array_get(json_object_get(body, "permissions"), 0),
                                     "resource_server_identifier"),
                     api, sizeof api);
        printf("%s role %s: %s of %s\n", add ? "Added to" : "Removed from", role, list, api);
    }
out:
    free(path);
    free(identifier);
    json_decref(names);
    json_decref(body);
    tsr_remote_close(r);
    return rc;
}

static int permissions_add(const struct tsr_cli_args *a)
{
    return change_permissions(a, true);
}

static int permissions_remove(const struct tsr_cli_args *a)
{
    return change_permissions(a, false);
}

static int users_list(const struct tsr_cli_args *a)
{
    char *path = tsr_remote_path("roles/", tsr_cli_operand(a, 0), "/users");
    int rc = list_some(a, path, member_cols);
    free(path);
    return rc;
}

static int roles_assign(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *users = NULL;
    const char *role = tsr_cli_operand(a, 0);
    char *path = tsr_remote_path("roles/", role, "/users");
    int rc = tsr_cli_opt_list(a, "users", &users);
    if (rc == 0)
        rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_open(a, &r);
    if (rc == 0) {
        json_t *body = json_pack("{s:O}", "users", users);
        rc = body == NULL ? tsr_cli_fail(a, "out of memory")
                          : tsr_remote_call(r, "POST", path, body, NULL);
        json_decref(body);
    }
    if (rc == 0) {
        if (tsr_cli_json(a)) {
            tsr_cli_print_json(stdout, users);
        } else {
            char list[512];
            tsr_cli_cell(users, list, sizeof list);
            printf("Assigned role %s to %s\n", role, list);
        }
    }
    free(path);
    json_decref(users);
    tsr_remote_close(r);
    return rc;
}

/*
 * The API removes roles from one user at a time (DELETE /users/{id}/roles),
 * so every user is checked to exist first: an unknown id then changes no one.
 */
static int roles_unassign(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *users = NULL, *body = NULL;
    const char *role = tsr_cli_operand(a, 0);
    char *role_path = tsr_remote_path("roles/", role, "");
    size_t i;
    json_t *u;
    int rc = tsr_cli_opt_list(a, "users", &users);
    if (rc != 0)
        goto out;
    if (role_path == NULL || (body = json_pack("{s:[s]}", "roles", role)) == NULL) {
        rc = tsr_cli_fail(a, "out of memory");
        goto out;
    }
    if ((rc = tsr_remote_open(a, &r)) != 0 ||
        (rc = tsr_remote_call(r, "GET", role_path, NULL, NULL)) != 0)
        goto out;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        json_array_foreach(users, i, u)
        {
            char *path = tsr_remote_path("users/", json_string_value(u), pass ? "/roles" : "");
            rc = path == NULL ? tsr_cli_fail(a, "out of memory")
                 : pass == 0  ? tsr_remote_call(r, "GET", path, NULL, NULL)
                              : tsr_remote_call(r, "DELETE", path, body, NULL);
            free(path);
            if (rc != 0)
                break;
        }
    }
    if (rc == 0) {
        if (tsr_cli_json(a)) {
            tsr_cli_print_json(stdout, users);
        } else {
            char list[512];
            tsr_cli_cell(users, list, sizeof list);
            printf("Removed role %s from %s\n", role, list);
        }
    }
out:
    free(role_path);
    json_decref(users);
    json_decref(body);
    tsr_remote_close(r);
    return rc;
}

const struct tsr_cli_command tsr_cli_roles_commands[] = {
    {.name = "roles list",
     .summary = "list the roles: id, name, description",
     .opts = list_opts,
     .kind = TSR_CLI_REMOTE,
     .run = roles_list},
    {.name = "roles create",
     .summary = "create a role",
     .details = "A role is a named set of API permissions given to users; add them with\n"
                "\"tessera roles permissions add\" and assign the role with \"tessera roles "
                "assign\".\n",
     .opts = create_opts,
     .kind = TSR_CLI_REMOTE,
     .run = roles_create},
    {.name = "roles show",
     .operands = "ROLE_ID",
     .summary = "show one role",
     .kind = TSR_CLI_REMOTE,
     .run = roles_show},
    {.name = "roles update",
     .operands = "ROLE_ID",
     .summary = "change a role's name or description",
     .details = "Only the options given are changed.\n",
     .opts = update_opts,
     .kind = TSR_CLI_REMOTE,
     .run = roles_update},
    {.name = "roles delete",
     .operands = "ROLE_ID",
     .summary = "delete a role: its users lose its permissions",
     .details = "Asks nothing; an unknown ROLE_ID fails (exit 1).\n",
     .opts = delete_opts,
     .kind = TSR_CLI_REMOTE,
     .run = roles_delete},
    {.name = "roles permissions list",
     .operands = "ROLE_ID",
     .summary = "list the API permissions a role holds",
     .opts = number_opts,
     .kind = TSR_CLI_REMOTE,
     .run = permissions_list},
    {.name = "roles permissions add",
     .operands = "ROLE_ID",
     .summary = "give a role permissions of one API",
     .details =
         "Each permission must be a scope the API defines; all are added or none.\n" LIST_RULE
         "Example: tessera roles permissions add rol_... --api https://api.example.com/\n"
         "         --permissions read:messages,write:messages\n",
     .opts = permission_opts,
     .kind = TSR_CLI_REMOTE,
     .run = permissions_add},
    {.name = "roles permissions remove",
     .operands = "ROLE_ID",
     .summary = "take permissions of one API from a role",
     .details = LIST_RULE,
     .opts = permission_opts,
     .kind = TSR_CLI_REMOTE,
     .run = permissions_remove},
    {.name = "roles users list",
     .operands = "ROLE_ID",
     .summary = "list the users a role is assigned to",
     .opts = number_opts,
     .kind = TSR_CLI_REMOTE,
     .run = users_list},
    {.name = "roles assign",
     .operands = "ROLE_ID",
     .summary = "assign a role to users",
     .details = "All the users are assigned or, when one does not exist, none.\n" LIST_RULE,
     .opts = users_opts,
     .kind = TSR_CLI_REMOTE,
     .run = roles_assign},
    {.name = "roles unassign",
     .operands = "ROLE_ID",
     .summary = "remove a role from users",
     .details =
         "Every user is checked first: when one does not exist, no one is changed.\n" LIST_RULE,
     .opts = users_opts,
     .kind = TSR_CLI_REMOTE,
     .run = roles_unassign},
    {0},
};
