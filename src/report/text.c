/* text.c -- a Stata-like coefficient table for the terminal. */
#include <math.h>
#include <string.h>
#include "result.h"

/* 1234567 -> "1,234,567" */
static const char *thousands(double x, char *buf, size_t size)
{
    char raw[64];
    snprintf(raw, sizeof raw, "%.0f", x);
    size_t len = strlen(raw), o = 0, start = raw[0] == '-';
    for (size_t i = 0; i < len && o + 2 < size; i++) {
        if (i > start && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = 0;
    return buf;
}

/* x with as many significant digits (at most 7) as fit in `width` chars */
static const char *fit_num(double x, int width, char *buf, size_t size)
{
    for (int prec = 7; prec >= 1; prec--) {
        snprintf(buf, size, "%.*g", prec, x);
        if ((int)strlen(buf) <= width) break;
    }
    return buf;
}

static void rule(FILE *out, int w, int total, char cross)
{
    for (int i = 0; i < w + 1; i++) fputc('-', out);
    fputc(cross, out);
    for (int i = 0; i < total - w - 2; i++) fputc('-', out);
    fputc('\n', out);
}

int df_report_text(const dyadfit_result *r, FILE *out)
{
    char a[64], b[64], vce[512];
    int w = 12;
    for (size_t j = 0; j < r->k; j++)
        if ((int)strlen(r->terms[j]) > w) w = (int)strlen(r->terms[j]);
    if ((int)strlen(r->response) > w) w = (int)strlen(r->response);
    if (w > 40) w = 40;
    int total = w + 2 + 65;

    fprintf(out, "%-46s Number of obs    = %12s\n", df_estimator_title(r->estimator),
            thousands(r->nobs, a, sizeof a));
    fprintf(out, "%-46.46s Rows dropped     = %12s\n", r->subtitle ? r->subtitle : "",
            thousands((double)r->nrows_dropped, b, sizeof b));
    if (r->nrows_filtered)
        fprintf(out, "%-46s Rows excluded    = %12s\n", "",
                thousands((double)r->nrows_filtered, b, sizeof b));
    if (r->vce == DYADFIT_VCE_CLUSTER || r->vce == DYADFIT_VCE_BOOTSTRAP)
        for (size_t d = 0; d < r->ncluster; d++) {
            char lab[32];
            snprintf(lab, sizeof lab, "Clusters (%.5s)", r->cluster[d]);
            fprintf(out, "%-46s %-16s = %12s\n", "", lab,
                    thousands((double)r->ng[d], a, sizeof a));
        }
    fprintf(out, "%-46s Log likelihood   = %12.6g\n", "", r->loglik);
    fprintf(out, "%-46s Pseudo R2        = %12.4f\n", "", 1 - r->loglik / r->loglik0);
    fprintf(out, "%-46s Iterations       = %12d\n", "", r->iterations);
    fputc('\n', out);

    int pct = (int)lround(r->level * 100);
    rule(out, w, total, '-');
    fprintf(out, "%*.*s | %11s %11s %8s %7s    [%d%% conf. interval]\n", w, w,
            r->response, "Coefficient", "Std. err.", "z", "P>|z|", pct);
    rule(out, w, total, '+');
    for (size_t j = 0; j < r->k; j++) {
        df_coef_row c = df_result_row(r, j);
        const char *t = r->terms[j];
        size_t len = strlen(t);
        /* long names keep their end, where factor levels are */
        if ((int)len > w) t += len - (size_t)w;
        char n1[32], n2[32], n3[32], n4[32];
        fprintf(out, "%*s | %11s %11s %8.2f %7.3f %11s %11s\n", w, t,
                fit_num(c.estimate, 11, n1, sizeof n1),
                fit_num(c.std_error, 11, n2, sizeof n2), c.statistic, c.p_value,
                fit_num(c.conf_low, 11, n3, sizeof n3),
                fit_num(c.conf_high, 11, n4, sizeof n4));
    }
    rule(out, w, total, '-');

    df_vce_description(r, vce, sizeof vce);
    fprintf(out, "Std. err.: %s\n", vce);
    if (r->inference) fprintf(out, "p-values and intervals: %s\n", r->inference);
    if (!r->converged) fputs("WARNING: convergence not achieved\n", out);
    if (r->notes && *r->notes) {
        fputs("Notes:\n", out);
        const char *p = r->notes;
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            fprintf(out, "  %.*s\n", (int)len, p);
            p += len + (e != NULL);
        }
    }
    if (r->data_path)
        fprintf(out, "Data: %s (sha256 %s)\n", r->data_path, r->sha256);
    fprintf(out, "dyadfit %s\n", DYADFIT_VERSION);
    return 0;
}
