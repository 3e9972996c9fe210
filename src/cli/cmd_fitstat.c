/* cmd_fitstat.c -- `dyadfit fitstat` (not yet available). */
#include "cli.h"

int cmd_fitstat(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "fitstat is not available yet");
}
