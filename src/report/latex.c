/* latex.c -- a booktabs table ready to paste into a paper. */
#include <math.h>
#include "result.h"
#include "../design/utf8.h"

/* LaTeX specials escaped; text that is not UTF-8 converted (utf8.h). */
static void tex_escape(const char *s, FILE *out)
{
    int valid = df_utf8_valid(s);
    char ch[5];
    size_t n;
    for (; (n = df_utf8_next(s, valid, ch)) > 0; s += n) {
        switch (*s) {
        case '_': case '&': case '%': case '$': case '#': case '{': case '}':
            fputc('\\', out); fputc(*s, out); break;
        case '^': fputs("\\^{}", out); break;
        case '~': fputs("\\textasciitilde{}", out); break;
        case '\\': fputs("\\textbackslash{}", out); break;
        default: fputs(ch, out);
        }
    }
}

int df_report_latex(const dyadfit_result *r, FILE *out)
{
    char vce[512];
    fputs("\\begin{table}[htbp]\n\\centering\n\\begin{tabular}{lrrrr}\n"
          "\\toprule\n Term & Estimate & Std. error & $z$ & $p$ \\\\\n\\midrule\n", out);
    for (size_t j = 0; j < r->k; j++) {
        df_coef_row c = df_result_row(r, j);
        tex_escape(r->terms[j], out);
        fprintf(out, " & %.4f & %.4f & %.2f & %.3f \\\\\n", c.estimate,
                c.std_error, c.statistic, c.p_value);
    }
    fprintf(out, "\\midrule\n$N$ & \\multicolumn{4}{r}{%.0f} \\\\\n"
            "Log likelihood & \\multicolumn{4}{r}{%.3f} \\\\\n"
            "Pseudo $R^2$ & \\multicolumn{4}{r}{%.4f} \\\\\n\\bottomrule\n"
            "\\end{tabular}\n\\caption{", r->nobs, r->loglik,
            1 - r->loglik / r->loglik0);
    df_vce_description(r, vce, sizeof vce);
    tex_escape(df_estimator_title(r->estimator), out);
    fputs(" of ", out);
    tex_escape(r->response, out);
    fputs(". Standard errors: ", out);
    tex_escape(vce, out);
    fputs(".}\n\\end{table}\n", out);
    return 0;
}
