/* cmd_fitstat.c -- `dyadfit fitstat FIT.json`: fit statistics of a saved
 * fit; argument parsing and printing only (src/post/tests.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../post/post.h"
#include "../post/tests.h"

static const char *usage =
"usage: dyadfit fitstat FIT.json [--cutoff 0.5] [--format text|csv|json]\n"
"\n"
"N, log likelihood (model and intercept-only), AIC, BIC, McFadden's (and\n"
"adjusted), Cox-Snell and Nagelkerke's R2; for binary models, re-reading the\n"
"data, also ROC AUC, Brier score and the classification table at the cut-off\n"
"(predicted 1 when p >= cut-off): sensitivity, specificity, PPV, NPV and the\n"
"share correctly classified.\n";

typedef struct { const char *name; double v; } stat;

int cmd_fitstat(int argc, char **argv)
{
    const char *fit = NULL, *format = "text";
    double cutoff = 0.5;
    df_post_fit *f = NULL;
    df_fitstat s;
    dyadfit_error err = {0, ""};
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(o, "--format") == 0 || strcmp(o, "--cutoff") == 0) {
            if (i + 1 >= argc) return cli_fail(DYADFIT_ERR_USAGE, "%s needs a value", o);
            const char *v = argv[++i];
            if (o[2] == 'f') {
                format = v;
                if (strcmp(v, "text") && strcmp(v, "csv") && strcmp(v, "json"))
                    return cli_fail(DYADFIT_ERR_USAGE, "--format: '%s' is not text, csv or json", v);
            } else {
                char *end;
                cutoff = strtod(v, &end);
                if (*end || end == v || !(cutoff > 0 && cutoff < 1))
                    return cli_fail(DYADFIT_ERR_USAGE, "--cutoff: '%s' is not a number between 0 and 1", v);
            }
        } else if (o[0] == '-' && o[1] == '-') {
            return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit fitstat --help)", o);
        } else if (fit) {
            return cli_fail(DYADFIT_ERR_USAGE, "unexpected argument '%s' (see dyadfit fitstat --help)", o);
        } else {
            fit = o;
        }
    }
    if (!fit) return cli_fail(DYADFIT_ERR_USAGE, "no saved fit given (see dyadfit fitstat --help)");
    if ((rc = df_post_load(fit, &f, &err)) || (rc = df_fit_stat(f, cutoff, &s, &err))) {
        rc = cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    stat st[] = {
        {"N", s.n}, {"parameters", s.k}, {"loglik", s.loglik}, {"loglik0", s.loglik0},
        {"AIC", s.aic}, {"BIC", s.bic}, {"r2_mcfadden", s.r2_mcfadden},
        {"r2_mcfadden_adj", s.r2_mcfadden_adj}, {"r2_coxsnell", s.r2_coxsnell},
        {"r2_nagelkerke", s.r2_nagelkerke}, {"auc", s.auc}, {"brier", s.brier},
        {"cutoff", s.cutoff}, {"true_pos", s.tp}, {"false_pos", s.fp}, {"true_neg", s.tn},
        {"false_neg", s.fn}, {"sensitivity", s.sensitivity}, {"specificity", s.specificity},
        {"ppv", s.ppv}, {"npv", s.npv}, {"correct", s.correct}};
    size_t ns = s.binary ? sizeof st / sizeof *st : 10;
    if (strcmp(format, "csv") == 0) {
        printf("\"statistic\",\"value\"\n");
        for (size_t i = 0; i < ns; i++)
            if (isfinite(st[i].v)) printf("\"%s\",%.17g\n", st[i].name, st[i].v);
            else printf("\"%s\",NA\n", st[i].name);
    } else if (strcmp(format, "json") == 0) {
        printf("{");
        for (size_t i = 0; i < ns; i++)
            if (isfinite(st[i].v)) printf("%s\"%s\": %.17g", i ? ", " : "", st[i].name, st[i].v);
            else printf("%s\"%s\": null", i ? ", " : "", st[i].name);
        printf("}\n");
    } else {
        printf("Fit statistics, %s (%s)\n\n", fit, f->estimator);
        printf("  N                        %14.0f\n  parameters               %14.0f\n", s.n, s.k);
        printf("  log likelihood           %14.4f\n  log likelihood, null     %14.4f\n",
               s.loglik, s.loglik0);
        printf("  AIC                      %14.4f\n  BIC                      %14.4f\n", s.aic, s.bic);
        printf("  McFadden R2              %14.4f\n  McFadden adjusted R2     %14.4f\n",
               s.r2_mcfadden, s.r2_mcfadden_adj);
        printf("  Cox-Snell R2             %14.4f\n  Nagelkerke R2            %14.4f\n",
               s.r2_coxsnell, s.r2_nagelkerke);
        if (s.binary) {
            printf("  ROC AUC                  %14.4f\n  Brier score              %14.6f\n",
                   s.auc, s.brier);
            printf("\nClassified 1 when p >= %g\n\n", s.cutoff);
            printf("               observed 1   observed 0\n");
            printf("  predicted 1 %12.0f %12.0f\n  predicted 0 %12.0f %12.0f\n\n", s.tp, s.fp,
                   s.fn, s.tn);
            printf("  sensitivity              %13.2f%%\n  specificity              %13.2f%%\n",
                   100 * s.sensitivity, 100 * s.specificity);
            /* PPV/NPV have no value when nothing is predicted 1 (or 0) */
            if (isfinite(s.ppv)) printf("  positive predictive      %13.2f%%\n", 100 * s.ppv);
            else printf("  positive predictive                   .\n");
            if (isfinite(s.npv)) printf("  negative predictive      %13.2f%%\n", 100 * s.npv);
            else printf("  negative predictive                   .\n");
            printf("  correctly classified     %13.2f%%\n", 100 * s.correct);
        }
    }
cleanup:
    df_post_fit_free(f);
    return rc;
}
