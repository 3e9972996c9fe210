/* cmd_table.c -- `dyadfit table` (not yet available). */
#include "cli.h"

int cmd_table(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "table is not available yet");
}
