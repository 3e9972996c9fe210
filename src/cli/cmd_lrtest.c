/* cmd_lrtest.c -- `dyadfit lrtest` (not yet available). */
#include "cli.h"

int cmd_lrtest(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "lrtest is not available yet");
}
