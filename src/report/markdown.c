/* markdown.c -- a pipe table with the fit statistics below it. */
#include <math.h>
#include "result.h"
#include "../design/utf8.h"

int df_report_markdown(const dyadfit_result *r, FILE *out)
{
    char vce[512];
    int pct = (int)lround(r->level * 100);
    fprintf(out, "| term | estimate | std. error | z | p | %d%% CI low | %d%% CI high |\n",
            pct, pct);
    fputs("|:--|--:|--:|--:|--:|--:|--:|\n", out);
    for (size_t j = 0; j < r->k; j++) {
        df_coef_row c = df_result_row(r, j);
        fputs("| `", out);
        df_utf8_put(r->terms[j], out);
        fprintf(out, "` | %.4f | %.4f | %.2f | %.3g | %.4f | %.4f |\n",
                c.estimate, c.std_error, c.statistic, c.p_value, c.conf_low,
                c.conf_high);
    }
    df_vce_description(r, vce, sizeof vce);
    fprintf(out, "\n%s (", df_estimator_title(r->estimator));
    df_utf8_put(r->formula, out);
    fprintf(out, "). N = %.0f, %zu rows dropped. Log likelihood = %.4f, "
            "pseudo R2 = %.4f. Std. errors: ", r->nobs,
            r->nrows_dropped, r->loglik, 1 - r->loglik / r->loglik0);
    df_utf8_put(vce, out);
    fputs(".\n", out);
    return 0;
}
