/*
 * args.c - parsing a command's options against its table row, and the
 * getters and message helpers every command uses.
 */
#include "cli/args.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <strings.h>
#include <unistd.h>

#include "cli/output.h"
#include "util/secure.h"

#define MAX_OPTS 64
#define MAX_SHOWN 80
#define MAX_SECRET 4096

struct slot {
    const struct tsr_cli_opt *opt;
    const char **vals; /* every value given, in order */
    size_t n;
    bool given;
};

struct tsr_cli_args {
    const struct tsr_cli_command *cmd;
    struct slot slots[MAX_OPTS];
    size_t nslots;
    const char **operands;
    size_t noperands;
};

/* Copies s for a message: bounded, control characters as '?'. */
static const char *shown(const char *s, char buf[MAX_SHOWN + 4])
{
    size_t i = 0;
    for (; s[i] != '\0' && i < MAX_SHOWN; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    if (s[i] != '\0') {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

static void vreport(const struct tsr_cli_args *a, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    tsr_cli_sanitize(msg, false);
    fprintf(stderr, "tessera %s: %s\n", a != NULL ? a->cmd->name : "", msg);
}

int tsr_cli_usage(const struct tsr_cli_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(a, fmt, ap);
    va_end(ap);
    fprintf(stderr, "(see: tessera %s --help)\n", a->cmd->name);
    return TSR_CLI_USAGE;
}

int tsr_cli_fail(const struct tsr_cli_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(a, fmt, ap);
    va_end(ap);
    return TSR_CLI_FAILED;
}

int tsr_cli_fail_with(const struct tsr_cli_args *a, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(a, fmt, ap);
    va_end(ap);
    return status;
}

/* The slot of option name; NULL when the command does not declare it. */
static struct slot *find(const struct tsr_cli_args *a, const char *name, size_t len)
{
    for (size_t i = 0; i < a->nslots; i++) {
        const char *n = a->slots[i].opt->name;
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return (struct slot *)&a->slots[i];
    }
    return NULL;
}

static int add_opts(struct tsr_cli_args *a, const struct tsr_cli_opt *opts)
{
    for (size_t i = 0; opts != NULL && opts[i].name != NULL; i++) {
        if (a->nslots == MAX_OPTS)
            return -1;
        a->slots[a->nslots++].opt = &opts[i];
    }
    return 0;
}

/* How many operands the synopsis allows: words; "[X]" optional; "X..." any number. */
static void operand_bounds(const char *syn, size_t *min, size_t *max)
{
    *min = 0;
    *max = 0;
    if (syn == NULL)
        return;
    const char *p = syn;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        size_t len = strcspn(p, " ");
        if (len >= 3 && memcmp(p + len - 3, "...", 3) == 0)
            *max = SIZE_MAX;
        else if (*max != SIZE_MAX)
            (*max)++;
        if (p[0] != '[')
            (*min)++;
        p += len;
    }
}

static int add_value(struct slot *s, const char *v)
{
    const char **nv = realloc(s->vals, (s->n + 1) * sizeof *nv);
    if (nv == NULL)
        return -1;
    s->vals = nv;
    s->vals[s->n++] = v;
    return 0;
}

int tsr_cli_args_parse(const struct tsr_cli_command *c, int argc, char **argv,
                       struct tsr_cli_args **out)
{
    char b1[MAX_SHOWN + 4];
    int rc = TSR_CLI_USAGE;
    struct tsr_cli_args *a = calloc(1, sizeof *a);
    *out = NULL;
    if (a == NULL || (argc > 0 && (a->operands = calloc((size_t)argc, sizeof *a->operands)) == NULL)) {
        fprintf(stderr, "tessera %s: out of memory\n", c->name);
        rc = TSR_CLI_FAILED;
        goto fail;
    }
    a->cmd = c;
    if (add_opts(a, c->opts) != 0 ||
        (c->kind == TSR_CLI_REMOTE && add_opts(a, tsr_cli_remote_opts) != 0)) {
        rc = tsr_cli_fail(a, "too many options declared");
        goto fail;
    }

    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        /* Every option is long, so a word with one dash is a value: kids and client ids are
         * base64url, and one in 64 starts with '-'. */
        if (options_done || arg[0] != '-' || arg[1] != '-') {
            a->operands[a->noperands++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
        struct slot *s = find(a, name, nlen);
        if (s == NULL) {
            tsr_cli_usage(a, "unknown option %s", shown(arg, b1));
            goto fail;
        }
        const char *value;
        if (s->opt->arg == NULL) {
            if (eq != NULL) {
                tsr_cli_usage(a, "--%s takes no value", s->opt->name);
                goto fail;
            }
            value = "";
        } else if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            tsr_cli_usage(a, "--%s needs a value (%s)", s->opt->name, s->opt->arg);
            goto fail;
        }
        if (s->given && !(s->opt->flags & TSR_CLI_OPT_REPEAT) && s->opt->arg != NULL) {
            tsr_cli_usage(a, "--%s is given twice", s->opt->name);
            goto fail;
        }
        s->given = true;
        if (s->opt->arg != NULL && add_value(s, value) != 0) {
            rc = tsr_cli_fail(a, "out of memory");
            goto fail;
        }
    }
    for (size_t i = 0; i < a->nslots; i++) {
        if ((a->slots[i].opt->flags & TSR_CLI_OPT_REQUIRED) && !a->slots[i].given) {
            tsr_cli_usage(a, "--%s is required", a->slots[i].opt->name);
            goto fail;
        }
    }
    size_t min, max;
    operand_bounds(c->operands, &min, &max);
    if (a->noperands < min) {
        tsr_cli_usage(a, "missing %s", c->operands);
        goto fail;
    }
    if (a->noperands > max) {
        tsr_cli_usage(a, "unexpected argument \"%s\"", shown(a->operands[max], b1));
        goto fail;
    }
    *out = a;
    return 0;
fail:
    tsr_cli_args_free(a);
    return rc;
}

void tsr_cli_args_free(struct tsr_cli_args *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->nslots; i++)
        free(a->slots[i].vals);
    free(a->operands);
    free(a);
}

const struct tsr_cli_command *tsr_cli_args_command(const struct tsr_cli_args *a)
{
    return a->cmd;
}

/* A command asking for an option it did not declare is a bug in the table. */
static const struct slot *slot_of(const struct tsr_cli_args *a, const char *name)
{
    const struct slot *s = find(a, name, strlen(name));
    if (s == NULL) {
        fprintf(stderr, "tessera %s: internal error: undeclared option --%s\n", a->cmd->name,
                name);
        abort();
    }
    return s;
}

const char *tsr_cli_opt(const struct tsr_cli_args *a, const char *name)
{
    const struct slot *s = slot_of(a, name);
    return s->n > 0 ? s->vals[s->n - 1] : NULL;
}

bool tsr_cli_has(const struct tsr_cli_args *a, const char *name)
{
    return slot_of(a, name)->given;
}

size_t tsr_cli_opts(const struct tsr_cli_args *a, const char *name, const char *const **vals)
{
    const struct slot *s = slot_of(a, name);
    *vals = s->vals;
    return s->n;
}

bool tsr_cli_json(const struct tsr_cli_args *a)
{
    const struct slot *s = find(a, "json", 4);
    return s != NULL && s->given;
}

size_t tsr_cli_noperands(const struct tsr_cli_args *a)
{
    return a->noperands;
}

const char *tsr_cli_operand(const struct tsr_cli_args *a, size_t i)
{
    return i < a->noperands ? a->operands[i] : NULL;
}

int tsr_cli_opt_uint(const struct tsr_cli_args *a, const char *name, uint64_t min, uint64_t max,
                     uint64_t def, uint64_t *out)
{
    char b1[MAX_SHOWN + 4];
    const char *v = tsr_cli_opt(a, name);
    if (v == NULL) {
        *out = def;
        return 0;
    }
    uint64_t n = 0;
    bool ok = v[0] != '\0' && strlen(v) <= 19;
    for (const char *p = v; ok && *p != '\0'; p++) {
        ok = *p >= '0' && *p <= '9';
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (!ok || n < min || n > max)
        return tsr_cli_usage(a, "--%s: expected a number from %llu to %llu, got \"%s\"", name,
                             (unsigned long long)min, (unsigned long long)max, shown(v, b1));
    *out = n;
    return 0;
}

int tsr_cli_opt_bool(const struct tsr_cli_args *a, const char *name, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    char b1[MAX_SHOWN + 4];
    const char *v = tsr_cli_opt(a, name);
    if (v == NULL)
        return 0;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
            *out = strcasecmp(v, yes[i]) == 0;
            return 0;
        }
    }
    return tsr_cli_usage(a, "--%s: expected true or false, got \"%s\"", name, shown(v, b1));
}

int tsr_cli_opt_choice(const struct tsr_cli_args *a, const char *name, const char *const *choices,
                       int *out)
{
    char b1[MAX_SHOWN + 4];
    char list[256] = "";
    const char *v = tsr_cli_opt(a, name);
    *out = -1;
    if (v == NULL)
        return 0;
    for (int i = 0; choices[i] != NULL; i++) {
        if (strcmp(v, choices[i]) == 0) {
            *out = i;
            return 0;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i > 0 ? ", " : "", choices[i]);
    }
    return tsr_cli_usage(a, "--%s: expected one of %s, got \"%s\"", name, list, shown(v, b1));
}

int tsr_cli_opt_list(const struct tsr_cli_args *a, const char *name, json_t **out)
{
    const char *const *vals;
    size_t n = tsr_cli_opts(a, name, &vals);
    json_t *list = json_array();
    *out = NULL;
    if (list == NULL)
        return tsr_cli_fail(a, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *p = vals[i];
        for (;;) {
            size_t len = strcspn(p, ",");
            const char *b = p, *e = p + len;
            while (b < e && *b == ' ')
                b++;
            while (e > b && e[-1] == ' ')
                e--;
            if (b == e) {
                json_decref(list);
                return tsr_cli_usage(a, "--%s: an empty item in a comma-separated list", name);
            }
            json_t *item = json_stringn(b, (size_t)(e - b));
            if (item == NULL) {
                json_decref(list);
                return tsr_cli_usage(a, "--%s: not valid UTF-8", name);
            }
            if (json_array_append_new(list, item) != 0) {
                json_decref(list);
                return tsr_cli_fail(a, "out of memory");
            }
            if (p[len] == '\0')
                break;
            p += len + 1;
        }
    }
    *out = list;
    return 0;
}

char *tsr_cli_read_secret(const struct tsr_cli_args *a, const char *opt, const char *path,
                          int *rc)
{
    char b1[MAX_SHOWN + 4];
    bool in = strcmp(path, "-") == 0;
    /* No prompt: typed at a terminal, the secret would be echoed on the screen. */
    if (in && isatty(STDIN_FILENO)) {
        *rc = tsr_cli_usage(a, "--%s -: standard input is a terminal; pipe the secret in or "
                               "name a file", opt);
        return NULL;
    }
    FILE *f = in ? stdin : fopen(path, "re");
    if (f == NULL) {
        *rc = tsr_cli_usage(a, "--%s: cannot read %s: %s", opt, shown(path, b1), strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_SECRET + 1);
    size_t n = buf != NULL ? fread(buf, 1, MAX_SECRET + 1, f) : 0;
    if (!in)
        fclose(f);
    if (buf != NULL && n <= MAX_SECRET) {
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        buf[n] = '\0';
    }
    if (buf == NULL || n == 0 || n > MAX_SECRET) {
        *rc = tsr_cli_usage(a, "--%s: %s is empty or larger than %d bytes", opt,
                            in ? "standard input" : shown(path, b1), MAX_SECRET);
        if (buf != NULL)
            tsr_wipe(buf, MAX_SECRET + 1);
        free(buf);
        return NULL;
    }
    return buf;
}
