/* cmd_margins.c -- `dyadfit margins` (not yet available). */
#include "cli.h"

int cmd_margins(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "margins is not available yet");
}
