#include <stdio.h>

#include "cli/commands.h"
#include "core/app.h"

int tsr_cli_init(int argc, char **argv)
{
    struct tsr_settings s;
    struct tsr_app app;
    char err[512] = "";
    if (tsr_settings_load(&s, argc, argv, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "tessera: %s\n", err);
        return 2;
    }
    /* Opening the app migrates the database and bootstraps the default tenant once. */
    int rc = tsr_app_open(&app, &s, NULL, stdout, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "tessera: %s\n", err);
    else
        printf("Data directory %s is ready (%zu tenant%s).\n", s.data_dir, app.tenants->n,
               app.tenants->n == 1 ? "" : "s");
    tsr_app_close(&app);
    return rc == 0 ? 0 : 1;
}
