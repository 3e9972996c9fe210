/* csv.c -- broom-style rows: term,estimate,std.error,statistic,p.value,
 * conf.low,conf.high at full precision (%.17g). */
#include "result.h"

/* Terms are quoted when they hold a comma or a quote (e.g. poly(x, 3)1). */
static void csv_term(const char *s, FILE *out)
{
    int quote = 0;
    for (const char *p = s; *p; p++)
        if (*p == ',' || *p == '"' || *p == '\n') quote = 1;
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

int df_report_csv(const dyadfit_result *r, FILE *out)
{
    fputs("term,estimate,std.error,statistic,p.value,conf.low,conf.high\n", out);
    for (size_t j = 0; j < r->k; j++) {
        df_coef_row c = df_result_row(r, j);
        csv_term(r->terms[j], out);
        fprintf(out, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", c.estimate,
                c.std_error, c.statistic, c.p_value, c.conf_low, c.conf_high);
    }
    return 0;
}
