/*
 * tenants.c - `tessera tenants list|create|delete`: local commands on the
 * data directory's database, also while the server runs (it picks a
 * change up within a second through its generation check, core/app.h).
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "config/values.h"
#include "core/bootstrap.h"
#include "core/datadir.h"
#include "core/masterkey.h"
#include "core/tenant.h"
#include "server/router.h"
#include "util/err.h"
#include "util/secure.h"

#define NAME_MAX_LEN 63

/* The database of a data directory, held like a server holds it. */
struct local {
    tsr_store *st;
    int lock;
};

/* --data-dir, else TESSERA_DATA_DIR, else ./data: as the other commands find it. */
static const char *data_dir(const struct tsr_cli_args *a)
{
    const char *dir = tsr_cli_opt(a, "data-dir");
    if (dir == NULL || dir[0] == '\0')
        dir = getenv("TESSERA_DATA_DIR");
    return dir != NULL && dir[0] != '\0' ? dir : "./data";
}

static void local_close(struct local *l)
{
    tsr_store_close(l->st);
    l->st = NULL;
    tsr_datadir_unlock(l->lock); /* after the database: the lock outlives every use */
    l->lock = -1;
}

/* Opens an initialised data directory: never creates one, never during a restore. */
static int local_open(const struct tsr_cli_args *a, struct local *l)
{
    char why[512], db[TSR_SETTINGS_MAX_PATH + 16];
    long holder = 0;
    const char *dir = data_dir(a);
    l->st = NULL;
    l->lock = -1;
    snprintf(db, sizeof db, "%s/tessera.db", dir);
    if (access(db, R_OK | W_OK) != 0)
        return tsr_cli_fail(a, "%s: %s (run tessera init first)", db, strerror(errno));
    int rc = tsr_datadir_lock(dir, TSR_DATADIR_SHARED, &l->lock, &holder, why, sizeof why);
    if (rc == TSR_EBUSY)
        return tsr_cli_fail(a, "%s is being restored; try again when it is done", dir);
    if (rc != 0)
        return tsr_cli_fail(a, "%s", why);
    int applied = 0;
    if (tsr_store_open(db, &l->st) != 0 || tsr_store_migrate(l->st, &applied) != 0) {
        rc = tsr_cli_fail(a, "cannot open the database %s: %s", db,
                          l->st ? tsr_store_errmsg(l->st) : "open failed");
        local_close(l);
        return rc;
    }
    return 0;
}

static json_t *tenant_json(const struct tsr_tenant *t)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:I}", "id", t->id, "name", t->name, "issuer", t->issuer,
                     "default", t->is_default, "created_at", (json_int_t)t->created_at);
}

static const struct tsr_cli_col tenant_cols[] = {
    {"ID", "id"}, {"NAME", "name"}, {"ISSUER", "issuer"}, {"DEFAULT", "default"}, {NULL, NULL},
};

static int tenants_list(const struct tsr_cli_args *a)
{
    struct local l;
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    int rc = local_open(a, &l);
    if (rc != 0)
        return rc;
    if (tsr_tenant_list(l.st, &list, &n) != 0) {
        rc = tsr_cli_fail(a, "cannot read the tenants: %s", tsr_store_errmsg(l.st));
        local_close(&l);
        return rc;
    }
    json_t *rows = json_array();
    for (size_t i = 0; rows != NULL && i < n; i++)
        if (json_array_append_new(rows, tenant_json(&list[i])) != 0)
            rc = TSR_CLI_FAILED;
    if (rows == NULL || rc != 0)
        rc = tsr_cli_fail(a, "out of memory");
    else
        tsr_cli_print(a, tenant_cols, rows);
    json_decref(rows);
    tsr_tenant_list_free(list, n);
    local_close(&l);
    return rc;
}

/* Lowercase letters, digits and hyphens, as Auth0 names tenants; "default" is the default's. */
static bool name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NAME_MAX_LEN || name[0] == '-' || strcmp(name, "default") == 0)
        return false;
    for (const char *p = name; *p != '\0'; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return false;
    return true;
}

/*
 * A path prefix whose first segment starts one of the server's routes would
 * take those routes away from every tenant on the same host.  "login" and
 * "logout" are Auth0 paths kept free as well.
 */
static bool prefix_ok(const char *prefix)
{
    static const char *const reserved[] = {"login", "logout", NULL};
    const char *seg = prefix + 1, *end = strchr(seg, '/');
    size_t len = end != NULL ? (size_t)(end - seg) : strlen(seg);
    if (len == 0)
        return true;
    for (size_t i = 0; reserved[i] != NULL; i++)
        if (strlen(reserved[i]) == len && strncmp(seg, reserved[i], len) == 0)
            return false;
    return !tsr_router_claims_segment(seg, len);
}

static void print_created(const json_t *creds, const char *path)
{
    printf("Created tenant %s (%s) at %s.\n"
           "Management API credentials (shown once, also saved to %s):\n"
           "  client_id:     %s\n  client_secret: %s\n  audience:      %s\n",
           json_string_value(json_object_get(creds, "tenant_name")),
           json_string_value(json_object_get(creds, "tenant_id")),
           json_string_value(json_object_get(creds, "issuer")), path,
           json_string_value(json_object_get(creds, "client_id")),
           json_string_value(json_object_get(creds, "client_secret")),
           json_string_value(json_object_get(creds, "audience")));
}

static int tenants_create(const struct tsr_cli_args *a)
{
    const char *issuer = tsr_cli_opt(a, "issuer"), *name = tsr_cli_opt(a, "name");
    char why[256] = "", host[256], prefix[256], path[TSR_SETTINGS_MAX_PATH + 96];
    struct tsr_settings *norm = calloc(1, sizeof *norm);
    struct local l = {.st = NULL, .lock = -1};
    json_t *creds = NULL;
    char err[1024];
    int rc = 0;
    if (norm == NULL)
        return tsr_cli_fail(a, "out of memory");
    if (issuer == NULL || tsr_cfg_parse_public_url(issuer, norm, why) != 0) {
        rc = tsr_cli_usage(a, "--issuer %s", issuer ? why : "needs the new tenant's issuer URL");
        goto out;
    }
    if (name == NULL || !name_ok(name)) {
        rc = tsr_cli_usage(a,
                           "--name needs 1 to %d lowercase letters, digits and hyphens "
                           "(not \"default\")",
                           NAME_MAX_LEN);
        goto out;
    }
    if (tsr_issuer_split(norm->public_url, host, sizeof host, prefix, sizeof prefix) != 0 ||
        !prefix_ok(prefix)) {
        rc = tsr_cli_usage(a, "--issuer %s: its path starts with one of the server's routes",
                           norm->public_url);
        goto out;
    }
    if ((rc = local_open(a, &l)) != 0)
        goto out;
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    if (tsr_tenant_list(l.st, &list, &n) != 0) {
        rc = tsr_cli_fail(a, "cannot read the tenants: %s", tsr_store_errmsg(l.st));
        goto out;
    }
    bool taken = false, has_default = false;
    for (size_t i = 0; i < n; i++) {
        taken = taken || strcmp(list[i].name, name) == 0;
        has_default = has_default || list[i].is_default;
    }
    tsr_tenant_list_free(list, n);
    if (!has_default) {
        rc = tsr_cli_fail(a, "the data directory has no default tenant yet: run tessera init");
        goto out;
    }
    if (taken) {
        rc = tsr_cli_fail(a, "a tenant named %s exists", name);
        goto out;
    }
    uint8_t mk[TSR_MASTER_KEY_LEN];
    if (tsr_masterkey_load(data_dir(a), NULL, false, mk, NULL, err, sizeof err) != 0) {
        tsr_wipe(mk, sizeof mk);
        rc = tsr_cli_fail(a, "%s", err);
        goto out;
    }
    snprintf(path, sizeof path, "%s/" TSR_BOOTSTRAP_TENANT_FILE, data_dir(a), name);
    struct tsr_tenant_new spec = {
        .issuer = norm->public_url, .name = name, .is_default = false, .creds_path = path};
    int crc = tsr_tenant_create(l.st, &spec, mk, &creds, NULL, err, sizeof err);
    tsr_wipe(mk, sizeof mk);
    if (crc != 0) {
        rc = tsr_cli_fail(a, "%s", err);
        goto out;
    }
    if (tsr_cli_json(a))
        tsr_cli_print_json(stdout, creds);
    else
        print_created(creds, path);
out:
    if (creds != NULL)
        tsr_wipe_creds(creds);
    local_close(&l);
    free(norm);
    return rc;
}

static int tenants_delete(const struct tsr_cli_args *a)
{
    const char *which = tsr_cli_operand(a, 0);
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    struct local l;
    if (which == NULL || which[0] == '\0')
        return tsr_cli_usage(a, "needs the tenant's id or name");
    if (!tsr_cli_has(a, "force"))
        return tsr_cli_usage(a, "deleting a tenant removes all of its users, applications and "
                                "keys: confirm with --force");
    int rc = local_open(a, &l);
    if (rc != 0)
        return rc;
    if (tsr_tenant_list(l.st, &list, &n) != 0) {
        rc = tsr_cli_fail(a, "cannot read the tenants: %s", tsr_store_errmsg(l.st));
        goto out;
    }
    const struct tsr_tenant *t = NULL;
    for (size_t i = 0; t == NULL && i < n; i++)
        if (strcmp(list[i].id, which) == 0 || strcmp(list[i].name, which) == 0)
            t = &list[i];
    if (t == NULL) {
        rc = tsr_cli_fail(a, "no tenant %s", which);
        goto out;
    }
    if (t->is_default) {
        rc = tsr_cli_fail(a, "%s is the default tenant, which is never deleted", which);
        goto out;
    }
    int drc = tsr_tenant_delete(l.st, t->id);
    if (drc != 0) {
        rc = tsr_cli_fail(a, "cannot delete tenant %s: %s (%s)", which, tsr_strerror(drc),
                          tsr_store_errmsg(l.st));
        goto out;
    }
    char path[TSR_SETTINGS_MAX_PATH + 96];
    snprintf(path, sizeof path, "%s/" TSR_BOOTSTRAP_TENANT_FILE, data_dir(a), t->name);
    bool removed = unlink(path) == 0;
    if (tsr_cli_json(a)) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "deleted", t->id, "name", t->name, "issuer",
                              t->issuer, "credentials_removed", removed);
        tsr_cli_print_json(stdout, j);
        json_decref(j);
    } else {
        printf("Deleted tenant %s (%s) at %s with all of its records%s.\n", t->name, t->id,
               t->issuer, removed ? " and its credentials file" : "");
    }
out:
    tsr_tenant_list_free(list, n);
    local_close(&l);
    return rc;
}

static const struct tsr_cli_opt list_opts[] = {
    {"data-dir", "DIR", "data directory (./data; TESSERA_DATA_DIR)", 0},
    {"json", NULL, "print the tenants as JSON", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt create_opts[] = {
    {"issuer", "URL", "the tenant's issuer: its own host, or a path prefix on a shared one",
     TSR_CLI_OPT_REQUIRED},
    {"name", "NAME", "lowercase letters, digits and hyphens (dev, stage, ...)",
     TSR_CLI_OPT_REQUIRED},
    {"data-dir", "DIR", "data directory (./data; TESSERA_DATA_DIR)", 0},
    {"json", NULL, "print the new tenant's credentials as JSON", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt delete_opts[] = {
    {"force", NULL, "confirm: every record of the tenant is deleted", 0},
    {"data-dir", "DIR", "data directory (./data; TESSERA_DATA_DIR)", 0},
    {"json", NULL, "print what was deleted as JSON", 0},
    {NULL, NULL, NULL, 0},
};

const struct tsr_cli_command tsr_cli_tenants_commands[] = {
    {.name = "tenants list",
     .summary = "list the tenants of the data directory: id, name, issuer, default",
     .opts = list_opts,
     .kind = TSR_CLI_PARSED,
     .run = tenants_list,
     .exit_status = "0 listed, 1 failed (one line on stderr says why), 2 usage"},
    {.name = "tenants create",
     .summary = "add a tenant with its own issuer, keys, users and Management API",
     .details = "The new tenant gets what the default tenant got on the first start: signing\n"
                "keys, the Management API, a machine-to-machine client granted all of its\n"
                "scopes, and the Username-Password-Authentication connection. Its issuer is\n"
                "either its own host (https://dev.id.example.com/) or a path prefix on a host\n"
                "another tenant serves (http://localhost:8080/dev/); a request goes to the\n"
                "tenant whose issuer matches its Host header and path, else to the default\n"
                "tenant. Prints the client's credentials once; they are also written to\n"
                "{data-dir}/bootstrap-client-NAME.json (mode 0600). Works while the server\n"
                "runs: it serves the new tenant within a second.\n",
     .opts = create_opts,
     .kind = TSR_CLI_PARSED,
     .run = tenants_create,
     .exit_status = "0 created, 1 failed (one line on stderr says why), 2 usage"},
    {.name = "tenants delete",
     .operands = "ID|NAME",
     .summary = "delete a tenant and every record of it (not the default tenant)",
     .details = "Deletes the tenant's users, sessions, tokens, applications, APIs, keys,\n"
                "roles and logs, and {data-dir}/bootstrap-client-NAME.json. A running\n"
                "server stops serving it within a second.\n",
     .opts = delete_opts,
     .kind = TSR_CLI_PARSED,
     .run = tenants_delete,
     .exit_status = "0 deleted, 1 failed (one line on stderr says why), 2 usage"},
    {0},
};
