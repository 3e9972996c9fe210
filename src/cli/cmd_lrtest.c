/* cmd_lrtest.c -- `dyadfit lrtest M0.json M1.json`: likelihood-ratio test
 * of nested saved fits; argument parsing and printing only. */
#include <string.h>
#include "cli.h"
#include "../post/post.h"
#include "../post/tests.h"

static const char *usage =
"usage: dyadfit lrtest M0.json M1.json [--force] [--format text|csv|json]\n"
"\n"
"Likelihood-ratio test LR = 2 (ll1 - ll0), df = k1 - k0, of two fits saved with\n"
"--save, one nested in the other (same estimator, data, filter, weights and\n"
"observations). Refused after a robust or cluster variance or probability\n"
"weights, where the likelihood does not give valid inference, unless --force.\n";

int cmd_lrtest(int argc, char **argv)
{
    const char *fits[2] = {NULL, NULL}, *format = "text";
    int nfit = 0, force = 0, rc = 0;
    df_post_fit *f[2] = {NULL, NULL};
    df_lrtest t;
    dyadfit_error err = {0, ""};

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(o, "--force") == 0) {
            force = 1;
        } else if (strcmp(o, "--format") == 0) {
            if (i + 1 >= argc) return cli_fail(DYADFIT_ERR_USAGE, "--format needs a value");
            format = argv[++i];
            if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json"))
                return cli_fail(DYADFIT_ERR_USAGE, "--format: '%s' is not text, csv or json", format);
        } else if (o[0] == '-' && o[1] == '-') {
            return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit lrtest --help)", o);
        } else {
            if (nfit == 2)
                return cli_fail(DYADFIT_ERR_USAGE, "unexpected argument '%s': lrtest takes two saved fits", o);
            fits[nfit++] = o;
        }
    }
    if (nfit != 2)
        return cli_fail(DYADFIT_ERR_USAGE, "lrtest needs two saved fits (see dyadfit lrtest --help)");
    for (int i = 0; i < 2; i++)
        if ((rc = df_post_load(fits[i], &f[i], &err))) {
            rc = cli_fail(rc, "%s", err.message);
            goto cleanup;
        }
    if ((rc = df_lr_test(f[0], f[1], force, &t, &err))) {
        rc = cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    if (t.forced)
        fprintf(stderr, "dyadfit: note: LR test forced although a fit used a robust or cluster "
                        "variance or probability weights; it ignores them\n");
    if (strcmp(format, "csv") == 0) {
        printf("\"test\",\"statistic\",\"df\",\"p.value\",\"loglik0\",\"loglik1\"\n"
               "\"lr\",%.17g,%.17g,%.17g,%.17g,%.17g\n", t.lr, t.df, t.p_value,
               t.small->loglik, t.big->loglik);
    } else if (strcmp(format, "json") == 0) {
        printf("{\"test\": \"lr\", \"statistic\": %.17g, \"df\": %.17g, \"p_value\": %.17g, "
               "\"loglik0\": %.17g, \"loglik1\": %.17g}\n", t.lr, t.df, t.p_value,
               t.small->loglik, t.big->loglik);
    } else {
        printf("Likelihood-ratio test\n  nested: %s (k = %zu, log likelihood %.4f)\n"
               "  full:   %s (k = %zu, log likelihood %.4f)\n\n"
               "        LR chi2(%3.0f) = %10.2f\n        Prob > chi2 = %10.4f\n",
               t.small->json_path, t.small->k, t.small->loglik, t.big->json_path, t.big->k,
               t.big->loglik, t.df, t.lr, t.p_value);
    }
cleanup:
    df_post_fit_free(f[0]);
    df_post_fit_free(f[1]);
    return rc;
}
