/* cmd_predict.c -- `dyadfit predict` (not yet available). */
#include "cli.h"

int cmd_predict(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "predict is not available yet");
}
