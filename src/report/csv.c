/* csv.c -- broom-style rows: term,estimate,std.error,statistic,p.value,
 * conf.low,conf.high at full precision (%.17g). */
#include "result.h"
#include "../design/utf8.h"

/* Terms are quoted when they hold a comma or a quote (e.g. poly(x, 3)1);
 * text that is not UTF-8 is converted (utf8.h). */
static void csv_term(const char *s, FILE *out)
{
    int quote = 0, valid = df_utf8_valid(s);
    for (const char *p = s; *p; p++)
        if (*p == ',' || *p == '"' || *p == '\n') quote = 1;
    if (!quote) {
        df_utf8_put(s, out);
        return;
    }
    char ch[5];
    size_t n;
    fputc('"', out);
    for (const char *p = s; (n = df_utf8_next(p, valid, ch)) > 0; p += n) {
        if (*p == '"') fputc('"', out);
        fputs(ch, out);
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
