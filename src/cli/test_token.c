/*
 * test_token.c - `tessera test token`: gets an access token the way an
 * application would (client credentials, or the password grant for a
 * named user) and explains it: opaque or JWT and why, its header and
 * claims, its lifetime and the scopes granted against those asked.
 *
 * Tessera keeps only a hash of an application's secret, so the secret is
 * read from a file or the environment, never from the server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "util/b64url.h"
#include "util/secure.h"

#define SECRET_MAX 4096
#define GRANT_PASSWORD_REALM "http://auth0.com/oauth/grant-type/password-realm"

static const struct tsr_cli_opt token_opts[] = {
    {"app", "ID", "the application's client_id (or give it as the operand)", 0},
    {"audience", "API", "the API's identifier: a JWT for it (none: the tenant's default)", 0},
    {"scopes", "LIST", "scopes to ask for (none: all the app may have)", TSR_CLI_OPT_REPEAT},
    {"app-secret-file", "FILE",
     "file holding the app's secret, '-' for standard input (or TESSERA_APP_SECRET)", 0},
    {"username", "NAME", "get a user's token with the password grant instead", 0},
    {"password-file", "FILE", "file holding that user's password, '-' for standard input", 0},
    {"connection", "NAME", "the user's database connection (the realm; default: the tenant's)", 0},
    {NULL, NULL, NULL, 0},
};

/* What the command learned, for the explanation and --json. */
struct got {
    const char *app_id;
    const char *grant; /* "client_credentials" or a password grant */
    json_t *app;       /* GET clients/{id} */
    json_t *asked;     /* --scopes as an array */
    json_t *reply;     /* /oauth/token's answer */
    json_t *header;    /* NULL: opaque */
    json_t *claims;
    json_t *api; /* the audience's resource server, when a JWT; else NULL */
};

/* Reads a secret from path ('-': standard input), bounded, trailing newlines dropped. */
static char *read_secret(const struct tsr_cli_args *a, const char *opt, const char *path, int *rc)
{
    bool in = strcmp(path, "-") == 0;
    FILE *f = in ? stdin : fopen(path, "re");
    if (f == NULL) {
        *rc = tsr_cli_usage(a, "--%s: cannot read %s: %s", opt, path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(SECRET_MAX + 1);
    size_t n = buf != NULL ? fread(buf, 1, SECRET_MAX + 1, f) : 0;
    if (!in)
        fclose(f);
    if (buf == NULL || n == 0 || n > SECRET_MAX) {
        *rc = tsr_cli_usage(a, "--%s: %s is empty or larger than %d bytes", opt, path, SECRET_MAX);
        if (buf != NULL)
            tsr_wipe(buf, SECRET_MAX + 1);
        free(buf);
        return NULL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    return buf;
}

static bool has_string(const json_t *array, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(array, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

/* The part of a compact JWS as JSON, or NULL. */
static json_t *jws_part(const char *part, size_t len)
{
    uint8_t *raw = NULL;
    size_t rawlen = 0;
    json_t *j = NULL;
    if (tsr_b64url_decode_alloc(part, len, &raw, &rawlen) == 0)
        j = json_loadb((const char *)raw, rawlen, 0, NULL);
    free(raw);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* Splits a JWT into its header and claims; both stay NULL for an opaque token. */
static void decode(const char *tok, struct got *g)
{
    const char *d1 = strchr(tok, '.');
    const char *d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
    if (d2 == NULL || strchr(d2 + 1, '.') != NULL)
        return;
    g->header = jws_part(tok, (size_t)(d1 - tok));
    g->claims = jws_part(d1 + 1, (size_t)(d2 - d1 - 1));
    if (g->header == NULL || g->claims == NULL) {
        json_decref(g->header);
        json_decref(g->claims);
        g->header = g->claims = NULL;
    }
}

/* The API the JWT is for: its aud, or the first aud that is not the issuer's /userinfo. */
static const char *api_audience(const json_t *claims)
{
    const json_t *aud = json_object_get(claims, "aud");
    if (json_is_string(aud))
        return json_string_value(aud);
    size_t i;
    const json_t *v;
    json_array_foreach(aud, i, v)
    {
        const char *s = json_string_value(v);
        size_t n = s != NULL ? strlen(s) : 0;
        if (n > 0 && (n < 9 || strcmp(s + n - 9, "/userinfo") != 0))
            return s;
    }
    return NULL;
}

/* "86400 s (24 h)" */
static void lifetime_text(json_int_t s, char *out, size_t outlen)
{
    if (s >= 3600 && s % 3600 == 0)
        snprintf(out, outlen, "%lld s (%lld h)", (long long)s, (long long)(s / 3600));
    else if (s >= 60 && s % 60 == 0)
        snprintf(out, outlen, "%lld s (%lld min)", (long long)s, (long long)(s / 60));
    else
        snprintf(out, outlen, "%lld s", (long long)s);
}

/* Why the token is what it is, one paragraph. */
static void explain_kind(FILE *out, const struct got *g)
{
    const char *url = json_string_value(json_object_get(g->claims, "iss"));
    if (g->header == NULL) {
        fputs("Opaque: no audience was asked for and the tenant has no default_audience, so\n"
              "the token is good only at /userinfo (the user's profile).  For a token your\n"
              "API can check itself, pass --audience with the API's identifier.\n",
              out);
        return;
    }
    fputs("JWT: its audience is ", out);
    tsr_cli_put_text(out, api_audience(g->claims));
    const char *name = json_string_value(json_object_get(g->api, "name"));
    if (name != NULL) {
        fputs(" (the API \"", out);
        tsr_cli_put_text(out, name);
        fputs("\")", out);
    }
    fputs(", so the API verifies it\nitself: signature with the keys at ", out);
    tsr_cli_put_text(out, url != NULL ? url : "{issuer}");
    fputs(
        ".well-known/jwks.json,\nthen iss, aud and exp (\"tessera token verify\" does the same).\n",
        out);
    if (json_is_array(json_object_get(g->claims, "aud")))
        fputs("Its audience also names /userinfo (openid was granted), where it works too.\n", out);
}

static void explain_lifetime(FILE *out, const struct got *g)
{
    char text[64];
    json_int_t exp = json_integer_value(json_object_get(g->reply, "expires_in"));
    json_int_t api_life = json_integer_value(json_object_get(g->api, "token_lifetime"));
    lifetime_text(exp, text, sizeof text);
    fprintf(out, "Expires in %s", text);
    if (g->header == NULL)
        fputs(", the fixed lifetime of opaque tokens.\n", out);
    else if (g->api != NULL && api_life == exp)
        fputs(", set by the API's token_lifetime.\n", out);
    else
        fputs(".\n", out);
}

/* The granted scopes as an array (the reply's space-separated scope). */
static json_t *granted_scopes(const struct got *g)
{
    json_t *list = json_array();
    const char *s = json_string_value(json_object_get(g->reply, "scope"));
    while (list != NULL && s != NULL && *s != '\0') {
        size_t len = strcspn(s, " ");
        if (len > 0)
            json_array_append_new(list, json_stringn(s, len));
        s += len;
        s += *s == ' ';
    }
    return list;
}

static void explain_scopes(FILE *out, const struct got *g)
{
    char cell[1024];
    json_t *granted = granted_scopes(g);
    tsr_cli_cell(granted, cell, sizeof cell);
    fprintf(out, "Scopes granted: %s\n", cell[0] != '\0' ? cell : "(none)");
    if (json_array_size(g->asked) == 0) {
        fprintf(out, "Scopes asked: none, so %s\n",
                strcmp(g->grant, "client_credentials") == 0
                    ? "all that the app's client grant for this API allows."
                    : "the grant's defaults.");
    } else {
        tsr_cli_cell(g->asked, cell, sizeof cell);
        fprintf(out, "Scopes asked: %s\n", cell);
        json_t *missing = json_array();
        size_t i;
        const json_t *v;
        json_array_foreach(g->asked, i, v)
        {
            if (missing != NULL && !has_string(granted, json_string_value(v)))
                json_array_append(missing, (json_t *)v);
        }
        if (json_array_size(missing) > 0) {
            tsr_cli_cell(missing, cell, sizeof cell);
            fprintf(out, "Not granted: %s (%s)\n", cell,
                    strcmp(g->grant, "client_credentials") == 0
                        ? "not in the app's client grant for this API"
                        : "not defined by the API, or not held by the user's roles");
        }
        json_decref(missing);
    }
    if (json_object_get(g->claims, "permissions") != NULL) {
        tsr_cli_cell(json_object_get(g->claims, "permissions"), cell, sizeof cell);
        fprintf(out, "Permissions (%s): %s\n",
                strcmp(g->grant, "client_credentials") == 0
                    ? "the scopes of the app's client grant, as RBAC puts them in the token"
                    : "from the user's roles and own permissions",
                cell);
    }
    json_decref(granted);
}

static void print_json_part(FILE *out, const char *title, const json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fprintf(out, "\n%s:\n%s\n", title, text != NULL ? text : "");
    free(text);
}

static int print_result(const struct tsr_cli_args *a, const struct got *g)
{
    const char *tok = json_string_value(json_object_get(g->reply, "access_token"));
    if (tsr_cli_json(a)) {
        json_t *o = json_pack(
            "{s:s, s:O?, s:O?, s:O?, s:s, s:O?, s:O?}", "access_token", tok, "token_type",
            json_object_get(g->reply, "token_type"), "expires_in",
            json_object_get(g->reply, "expires_in"), "scope", json_object_get(g->reply, "scope"),
            "kind", g->header != NULL ? "jwt" : "opaque", "header", g->header, "claims", g->claims);
        if (o == NULL)
            return tsr_cli_fail(a, "out of memory");
        if (json_object_get(o, "header") == NULL)
            json_object_set_new(o, "header", json_null());
        if (json_object_get(o, "claims") == NULL)
            json_object_set_new(o, "claims", json_null());
        tsr_cli_print_json(stdout, o);
        json_decref(o);
        return 0;
    }
    printf("Access token (%s, %s):\n", g->header != NULL ? "JWT" : "opaque",
           strcmp(g->grant, "client_credentials") == 0 ? "client credentials" : "password grant");
    tsr_cli_put_text(stdout, tok);
    fputs("\n\n", stdout);
    explain_kind(stdout, g);
    explain_lifetime(stdout, g);
    explain_scopes(stdout, g);
    if (g->header != NULL) {
        print_json_part(stdout, "header", g->header);
        print_json_part(stdout, "claims", g->claims);
    }
    return 0;
}

/* The likely cause of a token endpoint error, for its one line. */
static const char *likely_cause(const struct got *g, const char *error, const char *desc)
{
    bool cc = strcmp(g->grant, "client_credentials") == 0;
    if (error == NULL)
        return "";
    if (strcmp(error, "access_denied") == 0 && desc != NULL && strstr(desc, "client-grant"))
        return "; the app has no client grant for this API: tessera apps authorize APP_ID "
               "--api API --scopes ...";
    if (strcmp(error, "access_denied") == 0 && desc != NULL && strstr(desc, "Service not found"))
        return "; no API has that identifier: check --audience against GET "
               "/api/v2/resource-servers";
    if (strcmp(error, "access_denied") == 0 && desc != NULL && strstr(desc, "No audience"))
        return "; pass --audience, or set the tenant's default_audience";
    if (strcmp(error, "invalid_client") == 0)
        return "; the app's secret is wrong: check --app-secret-file (POST "
               "/api/v2/clients/ID/rotate-secret makes a new one)";
    if (strcmp(error, "unauthorized_client") == 0)
        return cc ? "; add client_credentials to the app's grant_types"
                  : "; add password to the app's grant_types";
    if (strcmp(error, "invalid_grant") == 0 && !cc)
        return "; wrong username or password, or the user is blocked";
    if (strcmp(error, "invalid_scope") == 0)
        return "; ask only for scopes the API defines";
    if (desc != NULL && strstr(desc, "default connection") != NULL)
        return "; pass --connection, or set the tenant's default_directory";
    if (desc != NULL && strstr(desc, "Unknown realm") != NULL)
        return "; check --connection: no database connection of that name is enabled for the "
               "app";
    if (strcmp(error, "too_many_attempts") == 0)
        return "; the account or address is locked after failed logins";
    return "";
}

/*
 * Checks the app can get a token this way and picks the password grant it
 * allows (Tessera reads realm in both); one line and exit 1 otherwise.
 */
static int check_app(const struct tsr_cli_args *a, struct got *g, bool confidential)
{
    const json_t *grants = json_object_get(g->app, "grant_types");
    char type[64];
    tsr_cli_cell(json_object_get(g->app, "app_type"), type, sizeof type);
    if (strcmp(g->grant, "client_credentials") == 0) {
        if (!confidential || !has_string(grants, "client_credentials"))
            return tsr_cli_fail(
                a,
                "app %s (%s) cannot use client credentials: %s; test token logs a user in "
                "only with --username and --password-file (the password grant), not in a browser",
                g->app_id, type[0] ? type : "no app_type",
                confidential ? "client_credentials is not in its grant_types"
                             : "it has no secret (token_endpoint_auth_method none)");
        return 0;
    }
    if (has_string(grants, "password"))
        return 0;
    g->grant = GRANT_PASSWORD_REALM;
    if (!has_string(grants, GRANT_PASSWORD_REALM))
        return tsr_cli_fail(a,
                            "app %s (%s) cannot use the password grant: add password to its "
                            "grant_types (PATCH /api/v2/clients/%s)",
                            g->app_id, type[0] ? type : "no app_type", g->app_id);
    return 0;
}

/* POST /oauth/token as the app; one line with the likely cause on a refusal. */
static int request_token(const struct tsr_cli_args *a, tsr_remote *r, struct got *g,
                         const char *secret, const char *password, bool basic)
{
    char scope[2048] = "";
    const char *fields[20];
    size_t n = 0, i;
    const json_t *v;
    json_array_foreach(g->asked, i, v)
    {
        size_t len = strlen(scope);
        if (len + 1 + strlen(json_string_value(v)) >= sizeof scope)
            return tsr_cli_usage(a, "--scopes: more than %zu characters", sizeof scope - 1);
        snprintf(scope + len, sizeof scope - len, "%s%s", len ? " " : "", json_string_value(v));
    }
    const char *connection = tsr_cli_opt(a, "connection");
    fields[n++] = "grant_type";
    fields[n++] = g->grant;
    if (!basic) {
        fields[n++] = "client_id";
        fields[n++] = g->app_id;
    }
    if (secret != NULL && !basic) {
        fields[n++] = "client_secret";
        fields[n++] = secret;
    }
    if (tsr_cli_opt(a, "audience") != NULL) {
        fields[n++] = "audience";
        fields[n++] = tsr_cli_opt(a, "audience");
    }
    if (scope[0] != '\0') {
        fields[n++] = "scope";
        fields[n++] = scope;
    }
    if (password != NULL) {
        fields[n++] = "username";
        fields[n++] = tsr_cli_opt(a, "username");
        fields[n++] = "password";
        fields[n++] = password;
    }
    if (connection != NULL) {
        fields[n++] = "realm";
        fields[n++] = connection;
    }
    fields[n] = NULL;
    long status = 0;
    int rc = basic ? tsr_remote_post_form_basic(r, "oauth/token", fields, g->app_id, secret,
                                                &status, &g->reply)
                   : tsr_remote_post_form(r, "oauth/token", fields, &status, &g->reply);
    if (rc != 0)
        return rc;
    if (status == 200 && json_is_string(json_object_get(g->reply, "access_token")))
        return 0;
    char line[512];
    tsr_remote_error_line(status, g->reply, line, sizeof line);
    return tsr_cli_fail(
        a, "the server refused the token: %s%s", line,
        likely_cause(g, json_string_value(json_object_get(g->reply, "error")),
                     json_string_value(json_object_get(g->reply, "error_description"))));
}

/* The resource server the JWT is for (its name and token_lifetime); NULL when unreadable. */
static json_t *read_api(tsr_remote *r, const json_t *claims)
{
    const char *aud = api_audience(claims);
    json_t *api = NULL;
    if (aud == NULL)
        return NULL;
    char *path = tsr_remote_path("resource-servers/", aud, "?fields=name,token_lifetime");
    /* Failing here only loses detail from the explanation. */
    if (path != NULL && tsr_remote_call_quiet(r, "GET", path, NULL, &api) != 0)
        api = NULL;
    free(path);
    return api;
}

static int test_token(const struct tsr_cli_args *a)
{
    struct got g = {0};
    tsr_remote *r = NULL;
    char *secret = NULL, *password = NULL, *path = NULL;
    int rc = 0;
    const char *op = tsr_cli_operand(a, 0), *opt = tsr_cli_opt(a, "app");
    if (op != NULL && opt != NULL && strcmp(op, opt) != 0)
        return tsr_cli_usage(a, "two different apps: give the app once");
    if ((g.app_id = opt != NULL ? opt : op) == NULL)
        return tsr_cli_usage(a, "--app is required");
    if (tsr_cli_has(a, "username") != tsr_cli_has(a, "password-file"))
        return tsr_cli_usage(a, "--username and --password-file go together");
    if (tsr_cli_has(a, "connection") && !tsr_cli_has(a, "username"))
        return tsr_cli_usage(a, "--connection needs --username");
    if ((rc = tsr_cli_opt_list(a, "scopes", &g.asked)) != 0)
        return rc;
    if (tsr_cli_opt(a, "password-file") != NULL &&
        (password = read_secret(a, "password-file", tsr_cli_opt(a, "password-file"), &rc)) == NULL)
        goto out;
    const char *sfile = tsr_cli_opt(a, "app-secret-file");
    const char *senv = getenv("TESSERA_APP_SECRET");
    if (sfile != NULL) {
        if (password != NULL && strcmp(sfile, "-") == 0 &&
            strcmp(tsr_cli_opt(a, "password-file"), "-") == 0) {
            rc = tsr_cli_usage(a, "only one of the files can be standard input");
            goto out;
        }
        if ((secret = read_secret(a, "app-secret-file", sfile, &rc)) == NULL)
            goto out;
    } else if (senv != NULL && senv[0] != '\0' && (secret = strdup(senv)) == NULL) {
        rc = tsr_cli_fail(a, "out of memory");
        goto out;
    }
    if ((path = tsr_remote_path("clients/", g.app_id,
                                "?fields=client_id,name,app_type,grant_types,"
                                "token_endpoint_auth_method&include_fields=true")) == NULL) {
        rc = tsr_cli_fail(a, "out of memory");
        goto out;
    }
    if ((rc = tsr_remote_open(a, &r)) != 0 ||
        (rc = tsr_remote_call(r, "GET", path, NULL, &g.app)) != 0)
        goto out;
    const char *method = json_string_value(json_object_get(g.app, "token_endpoint_auth_method"));
    bool confidential = method != NULL && strcmp(method, "none") != 0;
    g.grant = tsr_cli_has(a, "username") ? "password" : "client_credentials";
    if ((rc = check_app(a, &g, confidential)) != 0)
        goto out;
    if (confidential && secret == NULL) {
        rc = tsr_cli_usage(a,
                           "app %s needs its secret: pass --app-secret-file or set "
                           "TESSERA_APP_SECRET (the server keeps only its hash)",
                           g.app_id);
        goto out;
    }
    if ((rc = request_token(a, r, &g, confidential ? secret : NULL, password,
                            method != NULL && strcmp(method, "client_secret_basic") == 0)) != 0)
        goto out;
    decode(json_string_value(json_object_get(g.reply, "access_token")), &g);
    if (g.claims != NULL)
        g.api = read_api(r, g.claims);
    rc = print_result(a, &g);
out:
    if (secret != NULL)
        tsr_wipe_free_str(secret);
    if (password != NULL)
        tsr_wipe_free_str(password);
    free(path);
    json_decref(g.app);
    json_decref(g.asked);
    json_decref(g.reply);
    json_decref(g.header);
    json_decref(g.claims);
    json_decref(g.api);
    tsr_remote_close(r);
    return rc;
}

const struct tsr_cli_command tsr_cli_test_commands[] = {
    {.name = "test token",
     .operands = "[APP_ID]",
     .summary = "get a token the way an app would, and explain it",
     .details = "A machine-to-machine app gets its token with client credentials; with\n"
                "--username and --password-file, any app allowed the password grant gets a\n"
                "user's token instead (nothing opens a browser).  The app's secret comes from\n"
                "--app-secret-file or TESSERA_APP_SECRET: the server keeps only its hash.\n"
                "\n"
                "Prints the token, then why it is opaque (no audience: good only at /userinfo)\n"
                "or a JWT (for an API, which checks it with the JWKS), its lifetime, the scopes\n"
                "granted against those asked, and a JWT's header and claims.  --json prints\n"
                "{access_token, token_type, expires_in, scope, kind, header, claims}.  A refusal\n"
                "is one line with the server's error and its likely cause (exit 1).\n"
                "Lists of values: repeat the option or separate the values with commas.\n",
     .opts = token_opts,
     .kind = TSR_CLI_REMOTE,
     .run = test_token},
    {0},
};
