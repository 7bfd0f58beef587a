/*
 * settings_help.c - the settings' part of --help, from config/keys.h.
 */
#include "cli/settings_help.h"

#include <string.h>

#include "config/keys.h"

#define WIDTH 100
#define INDENT "      "

size_t tsr_cli_settings_groups(const char **out, size_t max)
{
    size_t n = 0;
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        const char *g = tsr_setting_key(k)->group;
        size_t i = 0;
        while (i < n && strcmp(out[i], g) != 0)
            i++;
        if (i == n && n < max)
            out[n++] = g;
    }
    return n;
}

static void print_key(FILE *out, const struct tsr_setting_key_info *i)
{
    char head[96];
    snprintf(head, sizeof head, "  --%s%s%s", i->flag, i->arg ? " " : "", i->arg ? i->arg : "");
    fprintf(out, "%-40s %s\n", head, i->env);
    if (i->def == NULL) {
        fprintf(out, INDENT "%s\n", i->help);
        return;
    }
    /* The default on the help's line when both fit, else on its own. */
    size_t len = strlen(INDENT) + strlen(i->help) + strlen("; default: ") + strlen(i->def);
    if (len <= WIDTH)
        fprintf(out, INDENT "%s; default: %s\n", i->help, i->def);
    else
        fprintf(out, INDENT "%s\n" INDENT "default: %s\n", i->help, i->def);
}

void tsr_cli_settings_help(FILE *out)
{
    const char *groups[TSR_SK_COUNT];
    size_t ngroups = tsr_cli_settings_groups(groups, TSR_SK_COUNT);

    fputs("Settings of serve and init: a flag wins over its environment variable, which\n"
          "wins over the config file's key (the flag without \"--\"; see --config), which\n"
          "wins over the default.\n"
          "A boolean's flag alone turns it on; elsewhere it takes true or false.  A RATE is\n"
          "COUNT/SECONDS (at most COUNT in a window of SECONDS) or off.  The rate limits,\n"
          "the account throttle and the lockout are each tenant's defaults: a tenant may\n"
          "set its own through the Management API.\n",
          out);
    for (size_t g = 0; g < ngroups; g++) {
        fprintf(out, "\n%s:\n", groups[g]);
        for (int k = 0; k < TSR_SK_COUNT; k++) {
            if (strcmp(tsr_setting_key(k)->group, groups[g]) == 0)
                print_key(out, tsr_setting_key(k));
        }
    }
    fputs("\nTESSERA_MASTER_KEY (64 hex characters) overrides {data-dir}/master.key.\n", out);
}
