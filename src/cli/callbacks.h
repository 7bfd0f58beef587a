/*
 * callbacks.h - `tessera apps callbacks add|remove`: one application's URL
 * lists changed item by item, safely against concurrent writers (apps.c
 * lists the commands).
 */
#ifndef TSR_CLI_CALLBACKS_H
#define TSR_CLI_CALLBACKS_H

#include "cli/cli.h"

/* The options both commands take ({NULL}-terminated). */
extern const struct tsr_cli_opt tsr_cli_callbacks_opts[];

int tsr_cli_callbacks_add(const struct tsr_cli_args *a);
int tsr_cli_callbacks_remove(const struct tsr_cli_args *a);

#endif
