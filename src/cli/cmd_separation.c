/* cmd_separation.c -- `dyadfit separation` (not yet available). */
#include "cli.h"

int cmd_separation(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "separation is not available yet");
}
