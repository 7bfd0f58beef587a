/*
 * config.c - `tessera config export|apply|diff`: a tenant as a file in
 * the shape of Auth0 Deploy CLI's tenant.yaml, kept in version control
 * and applied to each environment's tenant (core/tenant_doc.h).  Local
 * commands on the data directory, like backup: they need no credentials
 * and work while the server runs (a running server reloads the tenant
 * within a second of an apply).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/masterkey.h"
#include "core/tenant_doc.h"
#include "core/tenant_doc_keywords.h"
#include "core/tenant_doc_yaml.h"
#include "util/err.h"
#include "util/secure.h"

/* diff(1)'s statuses: 0 the same, 1 different, 2 trouble (usage or a failure). */
enum { DIFF_SAME = 0, DIFF_DRIFT = 1, DIFF_TROUBLE = 2 };

static const char *data_dir(const struct tsr_cli_args *a)
{
    const char *dir = tsr_cli_opt(a, "data-dir");
    if (dir == NULL || dir[0] == '\0')
        dir = getenv("TESSERA_DATA_DIR");
    return dir != NULL && dir[0] != '\0' ? dir : "./data";
}

static const char *env(const char *name)
{
    return getenv(name);
}

/* Reads at most max bytes of path into a new NUL-terminated buffer. */
static int read_file(const char *path, size_t max, char **out, size_t *len, char *err,
                     size_t errlen)
{
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (f == NULL) {
        snprintf(err, errlen, "cannot read %.1000s: %s", path, strerror(errno));
        return TSR_EIO;
    }
    char *buf = malloc(max + 2);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (buf == NULL)
        return TSR_ENOMEM;
    if (bad) {
        free(buf);
        snprintf(err, errlen, "cannot read %.1000s", path);
        return TSR_EIO;
    }
    if (n > max) {
        free(buf);
        snprintf(err, errlen, "%.1000s is too big: more than %zu bytes", path, max);
        return TSR_ETOOBIG;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* The keyword mappings: AUTH0_KEYWORD_REPLACE_MAPPINGS, then --keywords FILE (JSON or YAML). */
static int keywords(const struct tsr_cli_args *a, json_t **out, char *err, size_t errlen)
{
    const char *path = tsr_cli_opt(a, "keywords");
    json_t *file = NULL;
    int rc = 0;
    if (path != NULL) {
        char *text = NULL;
        size_t len = 0;
        if ((rc = read_file(path, 1024u * 1024u, &text, &len, err, errlen)) != 0)
            return rc;
        char inner[400];
        rc = tsr_yaml_parse(text, len, NULL, &file, inner, sizeof inner);
        free(text);
        if (rc != 0) {
            snprintf(err, errlen, "%.1000s: %s", path, inner);
            return rc;
        }
    }
    rc = tsr_keywords_merge(getenv("AUTH0_KEYWORD_REPLACE_MAPPINGS"), file, out, err, errlen);
    json_decref(file);
    return rc;
}

/*
 * The first @@KEY@@ left in text into out ("" when none): a keyword with no
 * mapping stays as written, which YAML cannot read where a list goes.
 */
static void unmapped_keyword(const char *text, char *out, size_t outsz)
{
    out[0] = '\0';
    for (const char *p = strstr(text, "@@"); p != NULL; p = strstr(p + 2, "@@")) {
        size_t n =
            strspn(p + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");
        if (n > 0 && strncmp(p + 2 + n, "@@", 2) == 0) {
            snprintf(out, outsz, "%.*s", (int)(n + 4), p);
            return;
        }
    }
}

/* The document of FILE with its keywords replaced. */
static int load_doc(const struct tsr_cli_args *a, json_t **doc, char *err, size_t errlen)
{
    const char *path = tsr_cli_operand(a, 0);
    char *text = NULL, *replaced = NULL;
    size_t len = 0;
    json_t *map = NULL;
    char inner[600];
    int rc = keywords(a, &map, err, errlen);
    if (rc == 0)
        rc = read_file(path, TSR_YAML_MAX_BYTES, &text, &len, err, errlen);
    if (rc == 0 && (rc = tsr_keywords_replace(text, len, map, TSR_YAML_MAX_BYTES, &replaced, inner,
                                              sizeof inner)) != 0)
        snprintf(err, errlen, "%.1000s: %s", path, inner);
    if (rc == 0 &&
        (rc = tsr_yaml_parse(replaced, strlen(replaced), NULL, doc, inner, sizeof inner)) != 0) {
        char key[160];
        unmapped_keyword(replaced, key, sizeof key);
        snprintf(err, errlen, "%.1000s: %s%s%s%s", path, inner, key[0] ? " (" : "", key,
                 key[0] ? " has no mapping: pass --keywords FILE or set "
                          "AUTH0_KEYWORD_REPLACE_MAPPINGS)"
                        : "");
    }
    free(text);
    free(replaced);
    json_decref(map);
    return rc;
}

static const char *op_word(enum tsr_doc_op op)
{
    static const char *const words[] = {"create", "update", "delete", "extra"};
    return words[op];
}

static json_t *plan_json(const struct tsr_doc_plan *p)
{
    json_t *changes = json_array(), *extra = json_array();
    for (size_t i = 0; i < p->n; i++) {
        const struct tsr_doc_change *c = &p->v[i];
        json_t *o = json_pack("{s:s, s:s, s:s}", "op", op_word(c->op), "section", c->section,
                              "name", c->name);
        if (c->op == TSR_DOC_UPDATE)
            json_object_set_new(o, "fields", tsr_strlist_to_json(&c->fields));
        json_array_append_new(c->op == TSR_DOC_EXTRA ? extra : changes, o);
    }
    return json_pack("{s:o, s:o, s:o}", "changes", changes, "kept", extra, "ignored",
                     tsr_strlist_to_json(&p->ignored));
}

static void print_plan(const struct tsr_cli_args *a, const struct tsr_doc_plan *p)
{
    if (tsr_cli_json(a)) {
        json_t *j = plan_json(p);
        tsr_cli_print_json(stdout, j);
        json_decref(j);
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        const struct tsr_doc_change *c = &p->v[i];
        char fields[1024] = "";
        for (size_t k = 0; k < c->fields.n; k++) {
            size_t len = strlen(fields);
            snprintf(fields + len, sizeof fields - len, "%s%s", k ? ", " : "", c->fields.v[k]);
        }
        switch (c->op) {
        case TSR_DOC_CREATE:
            tsr_cli_say(stdout, "+ create %s[%s]\n", c->section, c->name);
            break;
        case TSR_DOC_UPDATE:
            if (strcmp(c->section, "tenant") == 0)
                tsr_cli_say(stdout, "~ update tenant: %s\n", fields);
            else
                tsr_cli_say(stdout, "~ update %s[%s]: %s\n", c->section, c->name, fields);
            break;
        case TSR_DOC_DELETE:
            tsr_cli_say(stdout, "- delete %s[%s]\n", c->section, c->name);
            break;
        case TSR_DOC_EXTRA:
            tsr_cli_say(stdout, "  keep %s[%s] (not in the document; --allow-delete deletes it)\n",
                        c->section, c->name);
            break;
        }
    }
    for (size_t i = 0; i < p->ignored.n; i++)
        /* A reason is given after ": "; else the property is one `config` leaves alone. */
        tsr_cli_say(stderr,
                    strstr(p->ignored.v[i], ": ") != NULL
                        ? "note: %s\n"
                        : "note: %s is not one tessera config manages; ignored\n",
                    p->ignored.v[i]);
}

/* Opens the store and plans FILE.  Returns 0 or the status to exit with. */
static int plan_file(const struct tsr_cli_args *a, int trouble, tsr_store **st, char **tenant_id,
                     int *lock, json_t **doc, struct tsr_doc_plan *plan)
{
    char err[2048];
    if (load_doc(a, doc, err, sizeof err) != 0)
        return tsr_cli_fail_with(a, trouble, "%s", err);
    if (tsr_tenant_doc_open(data_dir(a), tsr_cli_opt(a, "tenant"), st, tenant_id, lock, err,
                            sizeof err) != 0)
        return tsr_cli_fail_with(a, trouble, "%s", err);
    int rc = tsr_tenant_doc_plan(*st, *tenant_id, *doc, tsr_cli_has(a, "allow-delete"), plan, err,
                                 sizeof err);
    if (rc != 0)
        return tsr_cli_fail_with(a, trouble, "%s", rc == TSR_EINVAL ? err : tsr_strerror(rc));
    return 0;
}

static int diff_run(const struct tsr_cli_args *a)
{
    tsr_store *st = NULL;
    char *tenant_id = NULL;
    int lock = -1;
    json_t *doc = NULL;
    struct tsr_doc_plan plan = {0};
    int status = plan_file(a, DIFF_TROUBLE, &st, &tenant_id, &lock, &doc, &plan);
    if (status == 0) {
        print_plan(a, &plan);
        status = tsr_doc_plan_changes(&plan) > 0 ? DIFF_DRIFT : DIFF_SAME;
        if (status == DIFF_SAME && !tsr_cli_json(a))
            printf("No changes: the tenant matches the document.\n");
    }
    tsr_doc_plan_cleanup(&plan);
    json_decref(doc);
    free(tenant_id);
    tsr_tenant_doc_close(st, lock);
    return status;
}

static int apply_run(const struct tsr_cli_args *a)
{
    tsr_store *st = NULL;
    char *tenant_id = NULL;
    int lock = -1;
    json_t *doc = NULL;
    struct tsr_doc_plan plan = {0};
    uint8_t key[TSR_MASTER_KEY_LEN];
    char err[2048];
    bool dry = tsr_cli_has(a, "dry-run");
    int status = plan_file(a, TSR_CLI_FAILED, &st, &tenant_id, &lock, &doc, &plan);
    if (status != 0)
        goto done;
    if (tsr_masterkey_load(data_dir(a), env, false, key, NULL, err, sizeof err) != 0) {
        status = tsr_cli_fail(a, "%s", err);
        goto done;
    }
    int rc = tsr_tenant_doc_apply(st, tenant_id, key, &plan, dry, err, sizeof err);
    tsr_wipe(key, sizeof key);
    if (rc != 0) {
        status = tsr_cli_fail(a, "%s (nothing was changed)",
                              err[0]            ? err
                              : rc == TSR_EBUSY ? "the database is busy; try again"
                                                : tsr_strerror(rc));
        goto done;
    }
    print_plan(a, &plan);
    if (!tsr_cli_json(a)) {
        size_t n = tsr_doc_plan_changes(&plan);
        printf(dry ? "Dry run: %zu %s checked, nothing written.\n" : "Applied %zu %s.\n", n,
               n == 1 ? "change" : "changes");
    }
done:
    tsr_doc_plan_cleanup(&plan);
    json_decref(doc);
    free(tenant_id);
    tsr_tenant_doc_close(st, lock);
    return status;
}

/* Writes text to path through a temporary file renamed over it. */
static int write_file(const char *path, const char *text, char *err, size_t errlen)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, errlen, "the file name is too long");
        return TSR_EINVAL;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %.1000s: %s", tmp, strerror(errno));
        return TSR_EIO;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off < len || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %.1000s: %s", path, strerror(errno));
        unlink(tmp);
        return TSR_EIO;
    }
    return 0;
}

static int export_run(const struct tsr_cli_args *a)
{
    static const char *const formats[] = {"yaml", "json", NULL};
    tsr_store *st = NULL;
    int lock = -1;
    char *tenant_id = NULL, *text = NULL;
    json_t *doc = NULL;
    char err[2048];
    int status = TSR_CLI_OK;
    int fmt = -1;
    if (tsr_cli_opt_choice(a, "format", formats, &fmt) != 0)
        return TSR_CLI_USAGE;
    if (tsr_tenant_doc_open(data_dir(a), tsr_cli_opt(a, "tenant"), &st, &tenant_id, &lock, err,
                            sizeof err) != 0)
        return tsr_cli_fail(a, "%s", err);
    int rc = tsr_tenant_doc_export(st, tenant_id, &doc, err, sizeof err);
    if (rc != 0) {
        status = tsr_cli_fail(a, "%s", rc == TSR_ECONFLICT ? err : tsr_strerror(rc));
        goto done;
    }
    if (fmt == 1) {
        char *js = json_dumps(doc, JSON_INDENT(2));
        size_t n = js ? strlen(js) : 0;
        text = js ? realloc(js, n + 2) : NULL;
        if (text != NULL)
            memcpy(text + n, "\n", 2);
        else
            free(js);
        rc = text ? 0 : TSR_ENOMEM;
    } else {
        rc = tsr_yaml_emit(doc, &text);
    }
    if (rc != 0) {
        status = tsr_cli_fail(a, "cannot write the document: %s", tsr_strerror(rc));
        goto done;
    }
    const char *out = tsr_cli_opt(a, "output");
    if (out != NULL && out[0] != '\0') {
        if (write_file(out, text, err, sizeof err) != 0)
            status = tsr_cli_fail(a, "%s", err);
    } else {
        fputs(text, stdout);
    }
done:
    free(text);
    json_decref(doc);
    free(tenant_id);
    tsr_tenant_doc_close(st, lock);
    return status;
}

#define COMMON_OPTS                                                                                \
    {"data-dir", "DIR", "data directory (./data; TESSERA_DATA_DIR)", 0},                           \
    {                                                                                              \
        "tenant", "NAME", "the tenant, by name, id or issuer URL (the default tenant)", 0          \
    }

static const struct tsr_cli_opt export_opts[] = {
    {"format", "FORMAT", "yaml (the Deploy CLI's tenant.yaml) or json", 0},
    {"output", "FILE", "write to FILE instead of standard output", 0},
    COMMON_OPTS,
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt apply_opts[] = {
    {"keywords", "FILE", "keyword mappings (JSON or YAML object) for ##KEY## and @@KEY@@", 0},
    {"allow-delete", NULL, "delete what a section of the document leaves out", 0},
    {"dry-run", NULL, "check every change, then write nothing", 0},
    {"json", NULL, "print the plan as JSON", 0},
    COMMON_OPTS,
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt diff_opts[] = {
    {"keywords", "FILE", "keyword mappings (JSON or YAML object) for ##KEY## and @@KEY@@", 0},
    {"allow-delete", NULL, "count what apply --allow-delete would delete as drift", 0},
    {"json", NULL, "print the plan as JSON", 0},
    COMMON_OPTS,
    {NULL, NULL, NULL, 0},
};

#define DOC_DETAILS                                                                                \
    "The document has the sections of Auth0 Deploy CLI's tenant.yaml that Tessera keeps:\n"        \
    "tenant, clients, databases, resourceServers, clientGrants, roles. Records are matched\n"      \
    "by name (resourceServers by identifier); clients are referred to by name, so one file\n"      \
    "fits every environment. Never in it: client secrets, signing secrets and keys,\n"             \
    "passwords. Other sections and properties are reported and ignored.\n"

#define KEYWORD_DETAILS                                                                            \
    "\n"                                                                                           \
    "Keywords are replaced as the Deploy CLI does, before the YAML is read: @@KEY@@ by\n"          \
    "the JSON of the value (lists, objects), ##KEY## by the value as it is. Mappings come\n"       \
    "from AUTH0_KEYWORD_REPLACE_MAPPINGS (a JSON object) and --keywords FILE (its keys win).\n"

const struct tsr_cli_command tsr_cli_config_commands[] = {
    {.name = "config export",
     .summary = "write the tenant as a tenant.yaml document (no secrets)",
     .details =
         DOC_DETAILS "\nA local command on the data directory, also while the server runs.\n",
     .opts = export_opts,
     .kind = TSR_CLI_PARSED,
     .run = export_run,
     .exit_status = "0 written, 1 failed (one line on stderr says why), 2 usage"},
    {.name = "config apply",
     .operands = "FILE",
     .summary = "make the tenant match a tenant.yaml document",
     .details = DOC_DETAILS
     "\nOnly what the document gives is changed; a section it leaves out is left alone.\n"
     "Every change goes through the Management API's checks, in one transaction: one\n"
     "refusal and nothing is written. Prints the plan (+ create, ~ update, - delete).\n"
     "A running server sees the changes within a second. A new confidential client\n"
     "gets a secret nobody knows: `tessera apps rotate-secret` hands one out.\n" KEYWORD_DETAILS,
     .opts = apply_opts,
     .kind = TSR_CLI_PARSED,
     .run = apply_run,
     .exit_status = "0 applied (or nothing to do), 1 refused or failed (nothing written), 2 usage"},
    {.name = "config diff",
     .operands = "FILE",
     .summary = "show what config apply would change",
     .details = DOC_DETAILS
     "\nPrints the plan apply would carry out and writes nothing.\n" KEYWORD_DETAILS,
     .opts = diff_opts,
     .kind = TSR_CLI_PARSED,
     .run = diff_run,
     .exit_status = "0 no drift, 1 drift (the plan is printed), 2 usage or a failure"},
    {0},
};
