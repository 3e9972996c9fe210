/* main.c -- the dyadfit command: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "util/util.h"

static const char *usage =
"usage: dyadfit COMMAND [arguments]\n"
"\n"
"commands:\n"
"  fit ESTIMATOR \"FORMULA\" FILE [options]   fit a model: logit, probit, cloglog,\n"
"                                           relogit, firth, cox, clogit, felogit,\n"
"                                           weibull, exponential\n"
"  describe FILE [VARS...] [--if EXPR]      variables of a data file: N, missing,\n"
"                                           mean, sd, min, max, distinct, labels\n"
"  btscs FILE --event V --time V --unit V --out FILE   add peace years\n"
"  separation ESTIMATOR \"FORMULA\" FILE      which terms separate the outcome\n"
"  predict FIT.json --at \"x=1 z=0\"          predicted probabilities at profiles\n"
"  margins FIT.json --dydx x                average marginal effects\n"
"  table FIT.json ... [--format latex]      several saved fits side by side\n"
"  alliances DYADS --alliances F --capabilities F --out F   alliance measures\n"
"  plot coef|predict|survival FIT.json ... --out F.svg   figures as SVG\n"
"  test FIT.json \"defense = neutrality\"    Wald test of linear restrictions\n"
"  lrtest FIT0.json FIT1.json               likelihood-ratio test of nested fits\n"
"  fitstat FIT.json [--cutoff 0.5]          AIC, BIC, R2s, AUC, Brier, classification\n"
"\n"
"  dyadfit COMMAND --help    options and an example for a command\n"
"  dyadfit --version         versions of dyadfit, GSL, OpenBLAS, ReadStat\n"
"  man dyadfit               the manual\n"
"\n"
"exit codes: 0 success, 1 usage, 2 input data, 3 model specification,\n"
"            4 estimation (separation, non-convergence), 5 system\n";

typedef struct {
    const char *name;
    int (*fn)(int, char **);
} command;

static const command commands[] = {
    {"fit", cmd_fit},           {"describe", cmd_describe},
    {"btscs", cmd_btscs},       {"separation", cmd_separation},
    {"predict", cmd_predict},   {"margins", cmd_margins},
    {"table", cmd_table},       {"alliances", cmd_alliances},
    {"plot", cmd_plot},         {"test", cmd_test},
    {"lrtest", cmd_lrtest},     {"fitstat", cmd_fitstat},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

/* The closest command within a third of the name's length (at least 1,
 * at most 3 edits), or NULL. */
static const char *closest_command(const char *cmd)
{
    size_t best = (size_t)-1, len = strlen(cmd);
    size_t lim = len <= 3 ? 1 : (len / 3 < 2 ? 2 : (len / 3 > 3 ? 3 : len / 3));
    /* (a swap of two letters, "yaer" for "year", is 2 edits) */
    const char *name = NULL;
    for (size_t k = 0; k < NCOMMANDS; k++) {
        size_t d = df_edit_distance(cmd, commands[k].name);
        if (d < best) { best = d; name = commands[k].name; }
    }
    return best <= lim ? name : NULL;
}

static void print_versions(void)
{
    /* "dyadfit 0.1.0; GSL 2.7.1; OpenBLAS ...; ReadStat 1.1.8": one per line */
    const char *v = dyadfit_versions();
    printf("dyadfit %s\n", dyadfit_version());
    const char *p = strstr(v, "; ");
    while (p) {
        const char *q = strstr(p + 2, "; ");
        printf("  %.*s\n", (int)(q ? q - (p + 2) : (long)strlen(p + 2)), p + 2);
        p = q;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return DYADFIT_ERR_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 ||
        strcmp(cmd, "version") == 0) {
        print_versions();
        return fflush(stdout) == 0 ? 0 : DYADFIT_ERR_SYSTEM;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        /* `dyadfit help describe` is `dyadfit describe --help` */
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            for (size_t k = 0; k < NCOMMANDS; k++)
                if (strcmp(argv[2], commands[k].name) == 0) {
                    char *sub[] = {argv[2], "--help", NULL};
                    return commands[k].fn(2, sub);
                }
        }
        fputs(usage, stdout);
        return 0;
    }
    for (size_t k = 0; k < NCOMMANDS; k++)
        if (strcmp(cmd, commands[k].name) == 0)
            return commands[k].fn(argc - 1, argv + 1);
    const char *near = closest_command(cmd);
    if (near)
        return cli_fail(DYADFIT_ERR_USAGE, "unknown command '%s'; did you mean '%s'?",
                        cmd, near);
    if (cmd[0] == '-')
        return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit --help)", cmd);
    return cli_fail(DYADFIT_ERR_USAGE, "unknown command '%s' (see dyadfit --help)", cmd);
}
