/* main.c -- the dyadfit command: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char *usage =
"usage: dyadfit COMMAND [arguments]\n"
"\n"
"commands:\n"
"  fit ESTIMATOR \"FORMULA\" FILE [options]   fit a model (logit, probit, cloglog)\n"
"  describe FILE                            list the variables of a data file\n"
"  btscs FILE --event V --time V --unit V --out FILE   add peace years\n"
"  separation ESTIMATOR \"FORMULA\" FILE      which terms separate the outcome\n"
"  predict FIT.json --at \"x=1 z=0\"          predicted probabilities at profiles\n"
"  margins FIT.json --dydx x                average marginal effects\n"
"  table FIT.json ... [--format latex]      several saved fits side by side\n"
"  alliances DYADS --alliances F --capabilities F --out F   alliance measures\n"
"\n"
"  dyadfit COMMAND --help    options of a command\n"
"  dyadfit --version\n"
"\n"
"exit codes: 0 success, 1 usage, 2 input data, 3 model specification,\n"
"            4 estimation (separation, non-convergence), 5 system\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return DYADFIT_ERR_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("dyadfit %s\n", dyadfit_version());
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "fit") == 0) return cmd_fit(argc - 1, argv + 1);
    if (strcmp(cmd, "describe") == 0) return cmd_describe(argc - 1, argv + 1);
    if (strcmp(cmd, "btscs") == 0) return cmd_btscs(argc - 1, argv + 1);
    if (strcmp(cmd, "separation") == 0) return cmd_separation(argc - 1, argv + 1);
    if (strcmp(cmd, "predict") == 0) return cmd_predict(argc - 1, argv + 1);
    if (strcmp(cmd, "margins") == 0) return cmd_margins(argc - 1, argv + 1);
    if (strcmp(cmd, "table") == 0) return cmd_table(argc - 1, argv + 1);
    if (strcmp(cmd, "alliances") == 0) return cmd_alliances(argc - 1, argv + 1);
    return cli_fail(DYADFIT_ERR_USAGE, "unknown command '%s' (see dyadfit --help)", cmd);
}
