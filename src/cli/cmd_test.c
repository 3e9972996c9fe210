/* cmd_test.c -- `dyadfit test` (not yet available). */
#include "cli.h"

int cmd_test(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "test is not available yet");
}
