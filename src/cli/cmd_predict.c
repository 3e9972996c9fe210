/* cmd_predict.c -- `dyadfit predict FIT.json --at "x=1 z=0" ...` and
 * `dyadfit margins FIT.json --dydx x,z | --fd --at A --at B`: argument
 * parsing only; the work is in src/post. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../post/post.h"
#include "../post/survreg_post.h"

static const char *predict_usage =
"usage: dyadfit predict FIT.json --at \"x=1 z=0\" [--at ...] [options]\n"
"\n"
"Predicted probability at each profile, from a fit saved with --save; for a\n"
"Cox fit the relative hazard exp(x'b) against covariates = 0 (interval on the\n"
"log scale), or with --survival the survival curve S(t | x); for a Weibull or\n"
"exponential fit the linear predictor xb (survreg's lp in the AFT metric,\n"
"streg's xb in the PH metric) and the median survival time, or with\n"
"--survival --times S(t | x).\n"
"  --at \"NAME=VALUE ...\"       a profile (repeatable); variables not named are\n"
"  --others mean|median|observed held at their mean (default, factors at their\n"
"                             mode), median, or as observed and averaged over\n"
"                             the fitted rows (Stata's margins default)\n"
"  --method delta|simulation  delta method (default; symmetric interval on the\n"
"                             probability scale, as Stata's margins) or draws of\n"
"                             the coefficients from N(b, V) (percentile interval)\n"
"  --draws 1000 --seed 1      simulation\n"
"  --level 95                 confidence level (default: the fit's)\n"
"  --survival                 Cox: S(t | x) = exp(-H0(t) exp(x'b)) in each stratum,\n"
"                             as survfit(fit, newdata); std.error with the variance\n"
"                             of H0 and b, interval on the log(-log S) scale\n"
"                             Weibull/exponential: S(t | x) with a delta-method\n"
"                             std.error, interval on the log(-log S) scale\n"
"  --times 1,5,10             --survival at these times (>= 0, increasing;\n"
"                             Cox default: every event time; required for\n"
"                             Weibull/exponential)\n"
"  --format text|csv|json     --out FILE\n";

static const char *margins_usage =
"usage: dyadfit margins FIT.json --dydx x[,z...] [--at \"z=1\"] [options]\n"
"       dyadfit margins FIT.json --fd --at \"x=1\" --at \"x=0\" [options]\n"
"\n"
"--dydx: average marginal effects over the fitted rows (--others observed, the\n"
"  default here) or at a profile (--others mean|median: marginal effect at\n"
"  means). A variable that is 0/1 in the fitted rows gets the discrete change\n"
"  P(x=1) - P(x=0); any other the derivative dP/dx.\n"
"--fd: first difference P(A) - P(B) and risk ratio P(A) / P(B) between two\n"
"  profiles (other variables at their means unless --others observed); for a\n"
"  Cox fit the hazard ratio exp((xA - xB)'b), interval on the log scale\n"
"  (--dydx is not available for Cox).\n"
"  --method delta|simulation --draws 1000 --seed 1 --level 95\n"
"  --format text|csv|json     --out FILE\n";

typedef struct {
    const char *fit;
    const char **at;
    size_t nat;
    char *dydx;
    int fd, others_set, survival;
    double *times;
    size_t ntimes;
    df_post_opts o;
    const char *format, *out;
} post_args;

/* --times 1,5,10: numbers >= 0 in increasing order */
static int parse_times(post_args *a, const char *v)
{
    size_t cap = 1;
    for (const char *p = v; *p; p++) cap += *p == ',';
    free(a->times);
    a->ntimes = 0;
    if (!(a->times = calloc(cap, sizeof *a->times)))
        return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    const char *p = v;
    for (size_t i = 0; i < cap; i++) {
        char *end;
        double t = strtod(p, &end);
        if (end == p || (*end && *end != ',') || !isfinite(t))
            return cli_fail(DYADFIT_ERR_USAGE, "--times: '%s' is not a comma-separated list of "
                            "numbers (time %zu)", v, i + 1);
        if (t < 0)
            return cli_fail(DYADFIT_ERR_USAGE, "--times: %g is negative (times are >= 0)", t);
        if (i && t <= a->times[i - 1])
            return cli_fail(DYADFIT_ERR_USAGE, "--times: %g after %g: give the times in "
                            "increasing order, each once", t, a->times[i - 1]);
        a->times[a->ntimes++] = t;
        p = *end ? end + 1 : end;
    }
    return 0;
}

static int parse(post_args *a, int argc, char **argv, int margins, int *help)
{
    df_post_opts_init(&a->o);
    a->format = "text";
    if (!(a->at = calloc((size_t)argc, sizeof *a->at)))
        return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    const char *cmd = margins ? "margins" : "predict";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            *help = 1;
            return 0;
        }
        if (o[0] != '-' || o[1] != '-') {
            if (a->fit)
                return cli_fail(DYADFIT_ERR_USAGE, "unexpected argument '%s' (see dyadfit %s --help)", o, cmd);
            a->fit = o;
            continue;
        }
        if (margins && strcmp(o, "--fd") == 0) {
            a->fd = 1;
            continue;
        }
        if (!margins && strcmp(o, "--survival") == 0) {
            a->survival = 1;
            continue;
        }
        static const char *const opts[] = {"--at", "--others", "--method", "--draws", "--seed",
                                           "--level", "--format", "--out", "--dydx", "--times",
                                           NULL};
        int known = 0;
        for (const char *const *k = opts; *k; k++) known |= strcmp(o, *k) == 0;
        if (!known || (!margins && strcmp(o, "--dydx") == 0) ||
            (margins && strcmp(o, "--times") == 0))
            return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit %s --help)", o, cmd);
        if (i + 1 >= argc)
            return cli_fail(DYADFIT_ERR_USAGE, "%s needs a value (see dyadfit %s --help)", o, cmd);
        const char *v = argv[++i];
        char *end;
        if (strcmp(o, "--at") == 0) {
            a->at[a->nat++] = v;
        } else if (strcmp(o, "--dydx") == 0) {
            free(a->dydx);
            if (!(a->dydx = strdup(v))) return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
        } else if (strcmp(o, "--others") == 0) {
            a->others_set = 1;
            if (strcmp(v, "mean") == 0) a->o.others = DF_POST_MEAN;
            else if (strcmp(v, "median") == 0) a->o.others = DF_POST_MEDIAN;
            else if (strcmp(v, "observed") == 0) a->o.others = DF_POST_OBSERVED;
            else return cli_fail(DYADFIT_ERR_USAGE, "--others: '%s' is not mean, median or observed", v);
        } else if (strcmp(o, "--method") == 0) {
            if (strcmp(v, "delta") == 0) a->o.method = DF_POST_DELTA;
            else if (strcmp(v, "simulation") == 0) a->o.method = DF_POST_SIMULATION;
            else return cli_fail(DYADFIT_ERR_USAGE, "--method: '%s' is not delta or simulation", v);
        } else if (strcmp(o, "--draws") == 0) {
            long n = strtol(v, &end, 10);
            if (*end || n < 2 || n > 10000000)
                return cli_fail(DYADFIT_ERR_USAGE, "--draws: '%s' is not a count from 2 to 10000000", v);
            a->o.draws = (size_t)n;
        } else if (strcmp(o, "--seed") == 0) {
            unsigned long s = strtoul(v, &end, 10);
            if (*end || !*v || v[0] == '-')
                return cli_fail(DYADFIT_ERR_USAGE, "--seed: '%s' is not a non-negative integer", v);
            a->o.seed = s;
        } else if (strcmp(o, "--level") == 0) {
            double l = strtod(v, &end);
            if (*end || !(l > 0 && l < 100))
                return cli_fail(DYADFIT_ERR_USAGE, "--level: '%s' is not a level such as 95 or 0.95", v);
            a->o.level = l >= 1 ? l / 100 : l;
        } else if (strcmp(o, "--format") == 0) {
            if (strcmp(v, "text") && strcmp(v, "csv") && strcmp(v, "json"))
                return cli_fail(DYADFIT_ERR_USAGE, "--format: '%s' is not text, csv or json", v);
            a->format = v;
        } else if (strcmp(o, "--out") == 0) {
            a->out = v;
        } else if (strcmp(o, "--times") == 0) {
            int rc = parse_times(a, v);
            if (rc) return rc;
        }
    }
    if (a->ntimes && !a->survival)
        return cli_fail(DYADFIT_ERR_USAGE, "--times goes with --survival (see dyadfit predict --help)");
    if (!a->fit) return cli_fail(DYADFIT_ERR_USAGE, "no saved fit given (see dyadfit %s --help)", cmd);
    return 0;
}

static int run(int argc, char **argv, int margins)
{
    post_args a;
    df_post_fit *f = NULL;
    df_post_profile *prof = NULL;
    df_post_table tab;
    dyadfit_error err = {0, ""};
    cli_output out = {0};
    char **vars = NULL;
    size_t nvars = 0;
    int rc, help = 0, have_tab = 0;

    memset(&a, 0, sizeof a);
    memset(&tab, 0, sizeof tab);
    if ((rc = parse(&a, argc, argv, margins, &help))) goto cleanup;
    if (help) {
        fputs(margins ? margins_usage : predict_usage, stdout);
        goto cleanup;
    }
    if (margins) {
        if (a.fd == !!a.dydx) {
            rc = cli_fail(DYADFIT_ERR_USAGE, "margins needs either --dydx VARS or --fd (see dyadfit margins --help)");
            goto cleanup;
        }
        if (a.fd && a.nat != 2) {
            rc = cli_fail(DYADFIT_ERR_USAGE, "--fd needs exactly two --at profiles (got %zu)", a.nat);
            goto cleanup;
        }
        if (a.dydx && a.nat > 1) {
            rc = cli_fail(DYADFIT_ERR_USAGE, "--dydx takes at most one --at profile (got %zu)", a.nat);
            goto cleanup;
        }
        if (a.dydx && !a.others_set) a.o.others = DF_POST_OBSERVED;
    } else if (a.nat == 0) {
        rc = cli_fail(DYADFIT_ERR_USAGE, "predict needs at least one --at \"x=1 z=0\" profile");
        goto cleanup;
    }
    if (a.dydx) {
        if (!(vars = calloc(strlen(a.dydx) + 1, sizeof *vars))) {
            rc = cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        for (char *t = strtok(a.dydx, ", "); t; t = strtok(NULL, ", ")) vars[nvars++] = t;
        if (!nvars) {
            rc = cli_fail(DYADFIT_ERR_USAGE, "--dydx: no variable named");
            goto cleanup;
        }
    }
    if ((rc = cli_output_open(&out, a.out, &a.fit, 1))) goto cleanup;
    if ((rc = df_post_load(a.fit, &f, &err))) {
        cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    int survreg = f->est == DYADFIT_WEIBULL || f->est == DYADFIT_EXPONENTIAL;
    if (survreg && margins) {
        rc = cli_fail(DYADFIT_ERR_SPEC, "margins is not available for a %s fit: dyadfit predict "
                      "gives the linear predictor, the median survival time and (--survival "
                      "--times) S(t | x) at profiles", f->estimator);
        goto cleanup;
    }
    if ((rc = df_post_attach(f, &err))) {
        cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    if (!(prof = calloc(a.nat ? a.nat : 1, sizeof *prof))) {
        rc = cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t p = 0; p < a.nat; p++)
        if ((rc = df_post_profile_parse(f, a.at[p], &prof[p], &err))) {
            cli_fail(rc, "%s", err.message);
            goto cleanup;
        }
    if (survreg)
        rc = df_post_survreg_predict(f, prof, a.nat, a.survival, a.times, a.ntimes, &a.o, &tab,
                                     &err);
    else if (a.survival)
        rc = df_post_survival(f, prof, a.nat, a.times, a.ntimes, &a.o, &tab, &err);
    else if (!margins) rc = df_post_predict(f, prof, a.nat, &a.o, &tab, &err);
    else if (a.fd) rc = df_post_fd(f, &prof[0], &prof[1], &a.o, &tab, &err);
    else rc = df_post_dydx(f, (const char *const *)vars, nvars, a.nat ? &prof[0] : NULL, &a.o,
                           &tab, &err);
    if (rc) {
        cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    have_tab = 1;
    if ((rc = df_post_write(&tab, a.format, out.f, &err))) cli_fail(rc, "%s", err.message);
cleanup:
    if (out.f) {
        int crc = cli_output_close(&out, rc == 0);
        if (!rc) rc = crc;
    }
    if (have_tab) df_post_table_free(&tab);
    for (size_t p = 0; prof && p < a.nat; p++) df_post_profile_free(&prof[p]);
    free(prof);
    df_post_fit_free(f);
    free(vars);
    free(a.dydx);
    free(a.times);
    free(a.at);
    return rc;
}

int cmd_predict(int argc, char **argv) { return run(argc, argv, 0); }

/* margins shares the parser and the flow (cmd_margins.c calls it). */
int cli_post_margins(int argc, char **argv);
int cli_post_margins(int argc, char **argv) { return run(argc, argv, 1); }
