/* cmd_test.c -- `dyadfit test FIT.json "x = z" ["w = 0" ...]`: Wald test of
 * linear restrictions; argument parsing and printing only (src/post/tests.c). */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../post/post.h"
#include "../post/tests.h"

static const char *usage =
"usage: dyadfit test FIT.json \"RESTRICTION\" [\"RESTRICTION\" ...] [--format text|csv|json]\n"
"\n"
"Wald test (chi2) that all restrictions hold jointly, with the saved fit's\n"
"variance. A restriction is a linear equation in the fit's term names, e.g.\n"
"  \"defense = neutrality\"  \"contig = 0\"  \"2*defense - entente = 0.5\"\n"
"  \"log(cap_ratio) = 0\" (or `log(cap_ratio)` in backquotes); \"x\" means x = 0.\n";

int cmd_test(int argc, char **argv)
{
    const char *fit = NULL, *format = "text";
    const char **restr = calloc((size_t)argc + 1, sizeof *restr);
    size_t nr = 0;
    df_post_fit *f = NULL;
    df_wald w;
    dyadfit_error err = {0, ""};
    int rc = 0;

    memset(&w, 0, sizeof w);
    if (!restr) return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage, stdout);
            goto cleanup;
        }
        if (strcmp(o, "--format") == 0) {
            if (i + 1 >= argc) { rc = cli_fail(DYADFIT_ERR_USAGE, "--format needs a value"); goto cleanup; }
            format = argv[++i];
            if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json")) {
                rc = cli_fail(DYADFIT_ERR_USAGE, "--format: '%s' is not text, csv or json", format);
                goto cleanup;
            }
        } else if (o[0] == '-' && o[1] == '-') {
            rc = cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit test --help)", o);
            goto cleanup;
        } else if (!fit) {
            fit = o;
        } else {
            restr[nr++] = o;
        }
    }
    if (!fit) { rc = cli_fail(DYADFIT_ERR_USAGE, "no saved fit given (see dyadfit test --help)"); goto cleanup; }
    if (!nr) { rc = cli_fail(DYADFIT_ERR_USAGE, "no restriction given (see dyadfit test --help)"); goto cleanup; }
    if ((rc = df_post_load(fit, &f, &err)) || (rc = df_wald_test(f, restr, nr, &w, &err))) {
        rc = cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    if (strcmp(format, "csv") == 0) {
        printf("\"test\",\"statistic\",\"df\",\"p.value\"\n\"wald\",%.17g,%zu,%.17g\n", w.chi2,
               w.q, w.p_value);
    } else if (strcmp(format, "json") == 0) {
        printf("{\"test\": \"wald\", \"restrictions\": [");
        for (size_t i = 0; i < w.q; i++) {
            printf("%s\"", i ? ", " : "");
            for (const char *c = w.text[i]; *c; c++) {
                if (*c == '"' || *c == '\\') putchar('\\');
                putchar(*c);
            }
            putchar('"');
        }
        printf("], \"statistic\": %.17g, \"df\": %zu, \"p_value\": %.17g}\n", w.chi2, w.q, w.p_value);
    } else {
        printf("Wald test, %s (vce %s)\n\n", fit, f->vce ? f->vce : "oim");
        for (size_t i = 0; i < w.q; i++) printf(" (%2zu)  %s\n", i + 1, w.text[i]);
        printf("\n           chi2(%3zu) = %10.2f\n         Prob > chi2 = %10.4f\n", w.q, w.chi2,
               w.p_value);
    }
cleanup:
    df_wald_free(&w);
    df_post_fit_free(f);
    free(restr);
    return rc;
}
