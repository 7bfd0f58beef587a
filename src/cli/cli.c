/*
 * cli.c - dispatching `tessera <words> [options]` to a row of the command
 * table, and the help printed from that table.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/generate.h"
#include "cli/settings_help.h"

#define OPT_COLUMN 30

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* How many of argv's words spell c->name ("apps create"); 0 when they do not. */
static int match(const char *name, int argc, char **argv)
{
    int words = 0;
    const char *p = name;
    while (*p != '\0') {
        size_t len = strcspn(p, " ");
        if (words >= argc || strlen(argv[words]) != len || memcmp(argv[words], p, len) != 0)
            return 0;
        words++;
        p += len;
        while (*p == ' ')
            p++;
    }
    return words;
}

static void print_opts(FILE *out, const struct tsr_cli_opt *opts)
{
    for (size_t i = 0; opts != NULL && opts[i].name != NULL; i++) {
        char left[128];
        int n = snprintf(left, sizeof left, "  --%s%s%s", opts[i].name, opts[i].arg ? " " : "",
                         opts[i].arg ? opts[i].arg : "");
        const char *req = (opts[i].flags & TSR_CLI_OPT_REQUIRED) ? " (required)" : "";
        const char *rep = (opts[i].flags & TSR_CLI_OPT_REPEAT) ? " (repeatable)" : "";
        if (n >= OPT_COLUMN)
            fprintf(out, "%s\n%*s%s%s%s\n", left, OPT_COLUMN, "", opts[i].help, req, rep);
        else
            fprintf(out, "%-*s%s%s%s\n", OPT_COLUMN, left, opts[i].help, req, rep);
    }
}

void tsr_cli_print_command_help(const struct tsr_cli_command *c, FILE *out)
{
    fprintf(out, "usage: tessera %s%s%s%s\n\n%s\n", c->name,
            c->kind == TSR_CLI_RAW || c->opts != NULL || c->kind == TSR_CLI_REMOTE ? " [options]"
                                                                                   : "",
            c->operands != NULL ? " " : "", c->operands != NULL ? c->operands : "", c->summary);
    if (c->details != NULL)
        fprintf(out, "\n%s", c->details);
    if (c->opts != NULL && c->opts[0].name != NULL) {
        fputs("\noptions:\n", out);
        print_opts(out, c->opts);
    }
    if (c->kind == TSR_CLI_REMOTE) {
        fputs("\nconnection (every command that calls the Management API):\n", out);
        print_opts(out, tsr_cli_remote_opts);
    }
    if (c->help_more != NULL) {
        fputc('\n', out);
        c->help_more(out);
    }
    if (c->exit_status != NULL)
        fprintf(out, "\nexit status: %s\n", c->exit_status);
    else if (c->kind == TSR_CLI_REMOTE)
        fputs("\nexit status: 0 done, 1 failed, 2 usage, 3 server unreachable or credentials "
              "refused\n",
              out);
    else
        fputs("\nexit status: 0 done, 1 failed, 2 usage\n", out);
}

static void print_family_help(const struct tsr_cli_family *f, FILE *out)
{
    int w = 24; /* the longest name sets the column */
    for (const struct tsr_cli_command *c = f->commands; c->name != NULL; c++)
        if ((int)strlen(c->name) + 1 > w)
            w = (int)strlen(c->name) + 1;
    fprintf(out, "usage: tessera %s <command> [options]\n\n%s\n\ncommands:\n", f->name, f->summary);
    for (const struct tsr_cli_command *c = f->commands; c->name != NULL; c++)
        fprintf(out, "  %-*s %s\n", w, c->name, c->summary);
    fprintf(out, "\nRun \"tessera %s <command> --help\" for its options.\n", f->name);
}

/* The commands; with_settings: then every setting of serve and init (config/keys.h). */
static void print_usage(FILE *out, bool with_settings)
{
    fputs("usage: tessera <command> [options]\n\ncommands:\n", out);
    for (const struct tsr_cli_family *f = tsr_cli_families; f->name != NULL; f++)
        fprintf(out, "  %-10s %s\n", f->name, f->summary);
    fputs("  version    print the version\n"
          "\n"
          "Run \"tessera <command> --help\" for a command's options, and man tessera for all.\n"
          "exit status: 0 done, 1 failed, 2 usage, 3 server unreachable or credentials "
          "refused\n",
          out);
    if (with_settings) {
        fputc('\n', out);
        tsr_cli_settings_help(out);
    }
}

/* The command argv names (*words: how many words its name took), or NULL. */
static const struct tsr_cli_command *find_command(const struct tsr_cli_family *f, int argc,
                                                  char **argv, int *words)
{
    const struct tsr_cli_command *best = NULL;
    *words = 0;
    for (const struct tsr_cli_command *c = f->commands; c->name != NULL; c++) {
        int n = match(c->name, argc, argv);
        if (n > *words) {
            *words = n;
            best = c;
        }
    }
    return best;
}

/* True when word is the middle word of a family's three-word commands ("apps callbacks add"). */
static bool is_group(const struct tsr_cli_family *f, const char *word)
{
    size_t flen = strlen(f->name), wlen = strlen(word);
    for (const struct tsr_cli_command *c = f->commands; c->name != NULL; c++) {
        const char *w = c->name + flen + 1;
        if (strlen(c->name) > flen + 1 + wlen && strncmp(w, word, wlen) == 0 && w[wlen] == ' ')
            return true;
    }
    return false;
}

static int run(const struct tsr_cli_command *c, int argc, char **argv)
{
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_help(argv[i])) {
            tsr_cli_print_command_help(c, stdout);
            return TSR_CLI_OK;
        }
    }
    if (c->kind == TSR_CLI_RAW)
        return c->run_raw(argc, argv);
    struct tsr_cli_args *a = NULL;
    int rc = tsr_cli_args_parse(c, argc, argv, &a);
    if (rc != 0)
        return rc;
    rc = c->run(a);
    tsr_cli_args_free(a);
    return rc;
}

int tsr_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr, false);
        return TSR_CLI_USAGE;
    }
    if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            /* `tessera help apps create` = `tessera apps create --help` */
            char *help[] = {"--help"};
            for (const struct tsr_cli_family *f = tsr_cli_families; f->name != NULL; f++) {
                int words;
                if (strcmp(f->name, argv[2]) != 0)
                    continue;
                const struct tsr_cli_command *c = find_command(f, argc - 2, argv + 2, &words);
                if (c != NULL && words == argc - 2)
                    return run(c, 1, help);
                print_family_help(f, stdout);
                return TSR_CLI_OK;
            }
        }
        print_usage(stdout, true);
        return TSR_CLI_OK;
    }
    if (strcmp(argv[1], "generate") == 0) /* the build's: man pages, the config file */
        return tsr_cli_generate(argc - 2, argv + 2);
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("tessera %s\n", TSR_VERSION);
        return TSR_CLI_OK;
    }
    for (const struct tsr_cli_family *f = tsr_cli_families; f->name != NULL; f++) {
        if (strcmp(f->name, argv[1]) != 0)
            continue;
        int words;
        const struct tsr_cli_command *c = find_command(f, argc - 1, argv + 1, &words);
        if (c != NULL)
            return run(c, argc - 1 - words, argv + 1 + words);
        /* `apps --help` and `apps callbacks --help` list the family's commands. */
        bool group = argc > 2 && is_group(f, argv[2]);
        if (argc > 2 && (is_help(argv[2]) || (group && argc > 3 && is_help(argv[3])))) {
            print_family_help(f, stdout);
            return TSR_CLI_OK;
        }
        if (group)
            fprintf(stderr, "tessera %s %s: which command?\n\n", f->name, argv[2]);
        else if (argc > 2)
            fprintf(stderr, "tessera %s: unknown command '%s'\n\n", f->name, argv[2]);
        else
            fprintf(stderr, "tessera %s: which command?\n\n", f->name);
        print_family_help(f, stderr);
        return TSR_CLI_USAGE;
    }
    fprintf(stderr, "tessera: unknown command '%s'\n\n", argv[1]);
    print_usage(stderr, false);
    return TSR_CLI_USAGE;
}
