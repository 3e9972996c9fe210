/* cmd_plot.c -- `dyadfit plot` (not yet available). */
#include "cli.h"

int cmd_plot(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "plot is not available yet");
}
