/* tessera - command-line entry point; subcommands live in src/cli/. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return tsr_cli_main(argc, argv);
}
