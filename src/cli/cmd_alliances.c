/* cmd_alliances.c -- `dyadfit alliances` (not yet available). */
#include "cli.h"

int cmd_alliances(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "alliances is not available yet");
}
