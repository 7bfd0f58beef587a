#include "core/bootstrap.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/api.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/grant.h"
#include "core/keys.h"
#include "core/tenant.h"
#include "util/err.h"
#include "util/secure.h"

const char *const tsr_mgmt_scopes[][2] = {
    {"read:clients", "Read Clients"},
    {"create:clients", "Create Clients"},
    {"update:clients", "Update Clients"},
    {"delete:clients", "Delete Clients"},
    {"read:client_keys", "Read Client Keys"},
    {"create:client_keys", "Create Client Keys"},
    {"update:client_keys", "Update Client Keys"},
    {"delete:client_keys", "Delete Client Keys"},
    {"read:client_grants", "Read Client Grants"},
    {"create:client_grants", "Create Client Grants"},
    {"update:client_grants", "Update Client Grants"},
    {"delete:client_grants", "Delete Client Grants"},
    {"read:resource_servers", "Read Resource Servers"},
    {"create:resource_servers", "Create Resource Servers"},
    {"update:resource_servers", "Update Resource Servers"},
    {"delete:resource_servers", "Delete Resource Servers"},
    {"read:connections", "Read Connections"},
    {"create:connections", "Create Connections"},
    {"update:connections", "Update Connections"},
    {"delete:connections", "Delete Connections"},
    {"read:users", "Read Users"},
    {"create:users", "Create Users"},
    {"update:users", "Update Users"},
    {"delete:users", "Delete Users"},
    {"read:users_app_metadata", "Read Users App Metadata"},
    {"create:users_app_metadata", "Create Users App Metadata"},
    {"update:users_app_metadata", "Update Users App Metadata"},
    {"delete:users_app_metadata", "Delete Users App Metadata"},
    {"create:user_tickets", "Create User Tickets"},
    {"read:roles", "Read Roles"},
    {"create:roles", "Create Roles"},
    {"update:roles", "Update Roles"},
    {"delete:roles", "Delete Roles"},
    {"read:role_members", "Read Role Members"},
    {"create:role_members", "Create Role Members"},
    {"delete:role_members", "Delete Role Members"},
    {"read:logs", "Read Logs"},
    {"read:logs_users", "Read Users Logs"},
    {"read:tenant_settings", "Read Tenant Settings"},
    {"update:tenant_settings", "Update Tenant Settings"},
    {"read:signing_keys", "Read Signing Keys"},
    {"create:signing_keys", "Create Signing Keys"},
    {"update:signing_keys", "Update Signing Keys"},
    {"read:grants", "Read Grants"},
    {"delete:grants", "Delete Grants"},
    {"read:attack_protection", "Read Attack Protection"},
    {"update:attack_protection", "Update Attack Protection"},
    {"read:branding", "Read Branding Settings"},
    {"update:branding", "Update Branding Settings"},
    {"read:prompts", "Read Prompts"},
    {"update:prompts", "Update Prompts"},
    {"read:email_provider", "Read Email Provider"},
    {"create:email_provider", "Create Email Provider"},
    {"update:email_provider", "Update Email Provider"},
    {"read:email_templates", "Read Email Templates"},
    {"create:email_templates", "Create Email Templates"},
    {"update:email_templates", "Update Email Templates"},
    {"read:actions", "Read Actions"},
    {NULL, NULL},
};

static int create_mgmt_api(tsr_store *st, const char *tenant_id, const char *audience)
{
    struct tsr_api api;
    struct tsr_api_scope scopes[sizeof tsr_mgmt_scopes / sizeof tsr_mgmt_scopes[0]];
    size_t n = 0;
    int rc = tsr_api_init_new(&api, tenant_id);
    if (rc != 0)
        return rc;
    for (; tsr_mgmt_scopes[n][0] != NULL; n++) {
        scopes[n].value = (char *)tsr_mgmt_scopes[n][0];
        scopes[n].description = (char *)tsr_mgmt_scopes[n][1];
    }
    free(api.identifier);
    free(api.name);
    api.identifier = strdup(audience);
    api.name = strdup("Auth0 Management API");
    api.is_system = true;
    if (api.identifier == NULL || api.name == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0)
        rc = tsr_api_set_scopes(&api, scopes, n);
    if (rc == 0)
        rc = tsr_api_insert(st, &api);
    tsr_api_cleanup(&api);
    return rc;
}

static int create_client_and_grant(tsr_store *st, const char *tenant_id, const char *audience,
                                   struct tsr_client *c, char **secret)
{
    struct tsr_grant g;
    int rc = tsr_client_init_new(c, tenant_id);
    if (rc != 0)
        return rc;
    free(c->name);
    free(c->app_type);
    c->name = strdup("Bootstrap Management Client");
    c->app_type = strdup("non_interactive");
    if (c->name == NULL || c->app_type == NULL)
        return TSR_ENOMEM;
    if ((rc = tsr_strlist_push(&c->grant_types, "client_credentials")) != 0 ||
        (rc = tsr_client_new_secret(c, secret)) != 0 || (rc = tsr_client_insert(st, c)) != 0)
        return rc;
    if ((rc = tsr_grant_init_new(&g, tenant_id)) != 0)
        return rc;
    free(g.client_id);
    free(g.audience);
    g.client_id = strdup(c->client_id);
    g.audience = strdup(audience);
    rc = (g.client_id && g.audience) ? 0 : TSR_ENOMEM;
    for (size_t i = 0; rc == 0 && tsr_mgmt_scopes[i][0] != NULL; i++)
        rc = tsr_strlist_push(&g.scope, tsr_mgmt_scopes[i][0]);
    if (rc == 0)
        rc = tsr_grant_insert(st, &g);
    tsr_grant_cleanup(&g);
    return rc;
}

/* Writes the credentials file with O_EXCL: an existing file is never replaced. */
static int write_credentials(const char *path, const char *text, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "bootstrap: cannot create %s: %s", path, strerror(errno));
        return TSR_EIO;
    }
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    int ok = w == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        unlink(path);
        snprintf(err, errlen, "bootstrap: cannot write %s", path);
        return TSR_EIO;
    }
    return 0;
}

/* Refuses an issuer that would share or shadow another tenant's routes (inside the transaction). */
static int issuer_free(tsr_store *st, const char *issuer, char *err, size_t errlen)
{
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    int rc = tsr_tenant_list(st, &list, &n);
    const char *why = rc == 0 ? tsr_tenant_issuer_clash(list, n, issuer) : NULL;
    if (why != NULL) {
        snprintf(err, errlen, "cannot create the tenant %s: %s", issuer, why);
        rc = TSR_ECONFLICT;
    }
    tsr_tenant_list_free(list, n);
    return rc;
}

int tsr_tenant_create(tsr_store *st, const struct tsr_tenant_new *spec,
                      const uint8_t master_key[TSR_MASTER_KEY_LEN], json_t **creds_out,
                      char **tenant_id, char *err, size_t errlen)
{
    struct tsr_tenant t = {0};
    struct tsr_client c = {0};
    char *secret = NULL, *text = NULL;
    char audience[TSR_SETTINGS_MAX_URL + 16], token_endpoint[TSR_SETTINGS_MAX_URL + 16];
    bool file_written = false;
    json_t *creds = NULL;
    err[0] = '\0';
    *creds_out = NULL;
    if (tenant_id != NULL)
        *tenant_id = NULL;

    int rc = tsr_store_begin(st);
    if (rc != 0)
        goto out;
    t.issuer = strdup(spec->issuer);
    t.name = strdup(spec->name);
    t.friendly_name = strdup(spec->name); /* where to start: settings may change it */
    t.is_default = spec->is_default;
    snprintf(audience, sizeof audience, "%sapi/v2/", spec->issuer);
    snprintf(token_endpoint, sizeof token_endpoint, "%soauth/token", spec->issuer);
    if (!t.issuer || !t.name || !t.friendly_name) {
        rc = TSR_ENOMEM;
        goto out;
    }
    if ((rc = issuer_free(st, spec->issuer, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_tenant_insert(st, &t)) != 0 ||
        (rc = tsr_keys_create_initial(st, t.id, master_key)) != 0 ||
        (rc = create_mgmt_api(st, t.id, audience)) != 0 ||
        (rc = create_client_and_grant(st, t.id, audience, &c, &secret)) != 0 ||
        (rc = tsr_connection_ensure_default(st, t.id)) != 0)
        goto out;
    creds =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "client_id", c.client_id, "client_secret", secret,
                  "issuer", spec->issuer, "audience", audience, "token_endpoint", token_endpoint);
    text = creds ? json_dumps(creds, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    /* The file keeps the default tenant's shape; the caller also learns which tenant. */
    if (text == NULL || json_object_set_new(creds, "tenant_id", json_string(t.id)) != 0 ||
        json_object_set_new(creds, "tenant_name", json_string(spec->name)) != 0) {
        rc = TSR_ENOMEM;
        goto out;
    }
    if (tenant_id != NULL && (*tenant_id = strdup(t.id)) == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    if ((rc = write_credentials(spec->creds_path, text, err, errlen)) != 0)
        goto out;
    file_written = true;
    if ((rc = tsr_store_commit(st)) != 0)
        goto out;
    *creds_out = creds;
    creds = NULL;
out:
    if (rc != 0) {
        if (err[0] == '\0')
            snprintf(err, errlen, "cannot create the tenant %s: %s (%s)", spec->issuer,
                     rc == TSR_ECONFLICT ? "another tenant has this issuer" : tsr_strerror(rc),
                     tsr_store_errmsg(st));
        tsr_store_rollback(st);
        if (file_written)
            unlink(spec->creds_path);
        if (tenant_id != NULL) {
            free(*tenant_id);
            *tenant_id = NULL;
        }
    }
    if (text != NULL)
        tsr_wipe_free_str(text);
    if (creds != NULL)
        tsr_wipe_creds(creds);
    tsr_wipe_free_str(secret);
    tsr_client_cleanup(&c);
    tsr_tenant_cleanup(&t);
    return rc;
}

void tsr_wipe_creds(json_t *creds)
{
    const char *s = json_string_value(json_object_get(creds, "client_secret"));
    if (s != NULL) /* jansson keeps its own copy; wipe it before freeing */
        tsr_wipe((void *)s, strlen(s));
    json_decref(creds);
}

int tsr_bootstrap(tsr_store *st, const char *issuer, const char *data_dir,
                  const uint8_t master_key[TSR_MASTER_KEY_LEN], FILE *out, char *err, size_t errlen)
{
    char path[TSR_SETTINGS_MAX_PATH + 32];
    json_t *creds = NULL;
    snprintf(path, sizeof path, "%s/" TSR_BOOTSTRAP_FILE, data_dir);
    struct tsr_tenant_new spec = {
        .issuer = issuer, .name = "default", .is_default = true, .creds_path = path};
    int rc = tsr_tenant_create(st, &spec, master_key, &creds, NULL, err, errlen);
    if (rc == 0 && out != NULL) {
        fprintf(out,
                "\nCreated the default tenant.  Management API credentials (shown once, also "
                "saved to %s):\n"
                "  client_id:     %s\n  client_secret: %s\n  audience:      %s\n\n",
                path, json_string_value(json_object_get(creds, "client_id")),
                json_string_value(json_object_get(creds, "client_secret")),
                json_string_value(json_object_get(creds, "audience")));
        fflush(out);
    }
    if (creds != NULL)
        tsr_wipe_creds(creds);
    return rc;
}
