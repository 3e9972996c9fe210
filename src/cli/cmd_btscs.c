/* cmd_btscs.c -- `dyadfit btscs FILE --event V --time V --unit V --out F`
 * (not yet available). */
#include "cli.h"

int cmd_btscs(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_fail(DYADFIT_ERR_USAGE, "btscs is not available yet");
}
