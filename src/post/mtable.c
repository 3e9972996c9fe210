/* mtable.c -- several saved fits side by side (dyadfit table): one column
 * per model, rows = the union of terms in order of first appearance, the
 * SE or interval under each estimate, and N, log-likelihood, AIC
 * (-2 ll + 2k), BIC (-2 ll + k log N), McFadden pseudo R2, clusters and the
 * variance type at the bottom (or the ones chosen, in the order chosen);
 * terms shown under display names when given (labels.c makes them from the
 * data's labels). Renders text, markdown, latex, csv, html. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "post.h"
#include "../util/util.h"

typedef struct {
    size_t nrow, ncol;
    char ***cell;             /* nrow x (ncol + 1): label, then models */
    size_t nterm_rows;        /* rows before the statistics block */
} grid;

static int grid_add(grid *g, dyadfit_error *err)
{
    char ***c = realloc(g->cell, (g->nrow + 1) * sizeof *c);
    if (!c) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    g->cell = c;
    if (!(g->cell[g->nrow] = df_calloc(g->ncol + 1, sizeof(char *))))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    g->nrow++;
    return DYADFIT_OK;
}

static void grid_free(grid *g)
{
    for (size_t r = 0; r < g->nrow; r++) {
        for (size_t c = 0; c <= g->ncol; c++) free(g->cell[r][c]);
        free(g->cell[r]);
    }
    free(g->cell);
}

static int set(grid *g, size_t r, size_t c, const char *s)
{
    free(g->cell[r][c]);
    return (g->cell[r][c] = df_strdup(s)) ? 0 : -1;
}

static const char *stars(double p)
{
    return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : "";
}

static void fmt(char *b, size_t n, double x, int digits)
{
    if (!isfinite(x)) snprintf(b, n, " ");
    else if (x != 0 && (fabs(x) < pow(10, -digits) || fabs(x) >= 1e7)) snprintf(b, n, "%.*e", digits - 1, x);
    else snprintf(b, n, "%.*f", digits, x);
}

/* The statistics rows' keys, in build()'s order of stat[] */
#define NSTAT 7
static const char *const stat_key[NSTAT] = {"N", "ll", "aic", "bic", "r2", "clusters", "vce"};

/* Parses o->stats ("N,aic,vce"; NULL: all, in the default order) into
 * indices of stat_key. */
static int stats_wanted(const char *list, int *order, size_t *n, dyadfit_error *err)
{
    *n = 0;
    if (!list) {
        for (int s = 0; s < NSTAT; s++) order[(*n)++] = s;
        return DYADFIT_OK;
    }
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int s = -1;
        for (int k = 0; k < NSTAT && s < 0; k++)
            if (strlen(stat_key[k]) == len && strncmp(stat_key[k], p, len) == 0) s = k;
        if (s < 0)
            return df_error(err, DYADFIT_ERR_USAGE, "--stats: '%.*s' is not one of N, ll, aic, bic, "
                            "r2, clusters, vce", (int)len, p);
        for (size_t q = 0; q < *n; q++)
            if (order[q] == s)
                return df_error(err, DYADFIT_ERR_USAGE, "--stats: '%s' given twice", stat_key[s]);
        order[(*n)++] = s;
        if (!end) break;
        p = end + 1;
    }
    return DYADFIT_OK;
}

static int build(const df_post_fit *const *fits, size_t nfit, const df_mt_opts *o, grid *g,
                 dyadfit_error *err)
{
    int rc;
    char b1[64], b2[64], buf[160];
    int dg = o->digits > 0 ? o->digits : 3;
    memset(g, 0, sizeof *g);
    g->ncol = nfit;
    /* union of terms, order of first appearance: two rows each */
    for (size_t m = 0; m < nfit; m++) {
        const df_post_fit *f = fits[m];
        double z = gsl_cdf_ugaussian_Pinv(0.5 + f->level / 2);
        for (size_t j = 0; j < f->k; j++) {
            size_t r;
            for (r = 0; r < g->nrow; r += 2)
                if (strcmp(g->cell[r][0], f->terms[j]) == 0) break;
            if (r >= g->nrow) {
                if ((rc = grid_add(g, err)) || (rc = grid_add(g, err))) return rc;
                if (set(g, r, 0, f->terms[j]) || set(g, r + 1, 0, ""))
                    return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            }
            double est = f->coef[j], se = sqrt(f->vcov[j * f->k + j]);
            double p = erfc(fabs(est / se) * 0.70710678118654752440);
            fmt(b1, sizeof b1, est, dg);
            snprintf(buf, sizeof buf, "%s%s", b1, o->stars ? stars(p) : "");
            if (set(g, r, m + 1, buf)) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            if (o->ci) {
                fmt(b1, sizeof b1, est - z * se, dg);
                fmt(b2, sizeof b2, est + z * se, dg);
                snprintf(buf, sizeof buf, "[%s, %s]", b1, b2);
            } else {
                fmt(b1, sizeof b1, se, dg);
                snprintf(buf, sizeof buf, "(%s)", b1);
            }
            if (set(g, r + 1, m + 1, buf)) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        }
    }
    g->nterm_rows = g->nrow;
    for (size_t r = 0; r < g->nterm_rows; r += 2)
        for (size_t i = 0; i < o->nrename; i++)
            if (o->rename_from[i] && o->rename_to[i] && strcmp(g->cell[r][0], o->rename_from[i]) == 0) {
                if (set(g, r, 0, o->rename_to[i])) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
                break;
            }
    static const char *stat[] = {"N", "Log-likelihood", "AIC", "BIC", "Pseudo R2",
                                 "Clusters", "Std. errors"};
    int order[NSTAT];
    size_t nstat;
    if ((rc = stats_wanted(o->stats, order, &nstat, err))) return rc;
    for (size_t q = 0; q < nstat; q++) {
        size_t s = (size_t)order[q];
        if ((rc = grid_add(g, err))) return rc;
        size_t r = g->nrow - 1;
        if (set(g, r, 0, stat[s])) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        for (size_t m = 0; m < nfit; m++) {
            const df_post_fit *f = fits[m];
            double ll = f->loglik, k = (double)f->k;
            buf[0] = 0;
            switch (s) {
            case 0: snprintf(buf, sizeof buf, "%.0f", f->nobs); break;
            case 1: fmt(buf, sizeof buf, ll, dg); break;
            case 2: fmt(buf, sizeof buf, -2 * ll + 2 * k, dg); break;
            case 3: fmt(buf, sizeof buf, -2 * ll + k * log(f->nobs), dg); break;
            case 4: fmt(buf, sizeof buf, 1 - ll / f->loglik0, dg); break;
            case 5:
                if (f->ncluster == 1) snprintf(buf, sizeof buf, "%zu", f->nclusters[0]);
                else if (f->ncluster == 2)
                    snprintf(buf, sizeof buf, "%zu x %zu", f->nclusters[0], f->nclusters[1]);
                break;
            case 6:
                if (f->vce && strcmp(f->vce, "cluster") == 0 && f->ncluster)
                    snprintf(buf, sizeof buf, "cluster (%s%s%s)", f->cluster[0],
                             f->cluster[1] ? ", " : "", f->cluster[1] ? f->cluster[1] : "");
                else snprintf(buf, sizeof buf, "%s", f->vce ? f->vce : "");
                break;
            }
            if (set(g, r, m + 1, buf)) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        }
    }
    for (size_t r = 0; r < g->nrow; r++)
        for (size_t c = 0; c <= g->ncol; c++)
            if (!g->cell[r][c] && set(g, r, c, ""))
                return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    return DYADFIT_OK;
}

/* text escapes per format */
static void put(const char *s, df_mt_format f, FILE *out)
{
    for (; *s; s++) {
        if (f == DF_MT_LATEX && strchr("_%&#$^{}", *s)) {
            if (*s == '^') fputs("\\^{}", out);
            else fprintf(out, "\\%c", *s);
        } else if (f == DF_MT_HTML && *s == '<') fputs("&lt;", out);
        else if (f == DF_MT_HTML && *s == '>') fputs("&gt;", out);
        else if (f == DF_MT_HTML && *s == '&') fputs("&amp;", out);
        else if (f == DF_MT_MARKDOWN && (*s == '|' || *s == '*')) fprintf(out, "\\%c", *s);
        else fputc(*s, out);
    }
}

static void csv_put(const char *s, FILE *out)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"') fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else fputs(s, out);
}

int df_post_model_table(const df_post_fit *const *fits, size_t nfit, const char *const *names,
                        const df_mt_opts *o, FILE *out, dyadfit_error *err)
{
    grid g;
    int rc;
    char nm[32];
    if (nfit == 0) return df_error(err, DYADFIT_ERR_USAGE, "no saved fit to tabulate");
    if ((rc = build(fits, nfit, o, &g, err))) {
        grid_free(&g);
        return rc;
    }
    size_t w0 = 4, w = 8;
    for (size_t r = 0; r < g.nrow; r++) {
        if (strlen(g.cell[r][0]) > w0) w0 = strlen(g.cell[r][0]);
        for (size_t c = 1; c <= g.ncol; c++)
            if (strlen(g.cell[r][c]) > w) w = strlen(g.cell[r][c]);
    }
    df_mt_format f = o->format;
#define NAME(m) (names && names[m] ? names[m] : (snprintf(nm, sizeof nm, "(%zu)", (m) + 1), nm))
    if (f == DF_MT_LATEX) {
        fputs("\\begin{tabular}{l", out);
        for (size_t m = 0; m < nfit; m++) fputc('c', out);
        fputs("}\n\\hline\n", out);
        for (size_t m = 0; m < nfit; m++) { fputs(" & ", out); put(NAME(m), f, out); }
        fputs(" \\\\\n\\hline\n", out);
    } else if (f == DF_MT_HTML) {
        fputs("<table>\n<thead><tr><th></th>", out);
        for (size_t m = 0; m < nfit; m++) { fputs("<th>", out); put(NAME(m), f, out); fputs("</th>", out); }
        fputs("</tr></thead>\n<tbody>\n", out);
    } else if (f == DF_MT_CSV) {
        fputs("term", out);
        for (size_t m = 0; m < nfit; m++) { fputc(',', out); csv_put(NAME(m), out); }
        fputc('\n', out);
    } else if (f == DF_MT_MARKDOWN) {
        fputs("| |", out);
        for (size_t m = 0; m < nfit; m++) { fputc(' ', out); put(NAME(m), f, out); fputs(" |", out); }
        fputs("\n|:---|", out);
        for (size_t m = 0; m < nfit; m++) fputs("---:|", out);
        fputc('\n', out);
    } else {
        fprintf(out, "%-*s", (int)w0, "");
        for (size_t m = 0; m < nfit; m++) fprintf(out, "  %*s", (int)w, NAME(m));
        fputc('\n', out);
        for (size_t i = 0; i < w0 + nfit * (w + 2); i++) fputc('-', out);
        fputc('\n', out);
    }
    for (size_t r = 0; r < g.nrow; r++) {
        if (r == g.nterm_rows) {
            if (f == DF_MT_LATEX) fputs("\\hline\n", out);
            else if (f == DF_MT_TEXT) {
                for (size_t i = 0; i < w0 + nfit * (w + 2); i++) fputc('-', out);
                fputc('\n', out);
            }
        }
        if (f == DF_MT_CSV) {
            csv_put(g.cell[r][0], out);
            for (size_t c = 1; c <= g.ncol; c++) { fputc(',', out); csv_put(g.cell[r][c], out); }
            fputc('\n', out);
        } else if (f == DF_MT_LATEX) {
            put(g.cell[r][0], f, out);
            for (size_t c = 1; c <= g.ncol; c++) { fputs(" & ", out); put(g.cell[r][c], f, out); }
            fputs(" \\\\\n", out);
        } else if (f == DF_MT_HTML) {
            fputs("<tr><td>", out);
            put(g.cell[r][0], f, out);
            fputs("</td>", out);
            for (size_t c = 1; c <= g.ncol; c++) { fputs("<td>", out); put(g.cell[r][c], f, out); fputs("</td>", out); }
            fputs("</tr>\n", out);
        } else if (f == DF_MT_MARKDOWN) {
            fputs("| ", out);
            put(g.cell[r][0], f, out);
            fputs(" |", out);
            for (size_t c = 1; c <= g.ncol; c++) { fputc(' ', out); put(g.cell[r][c], f, out); fputs(" |", out); }
            fputc('\n', out);
        } else {
            fprintf(out, "%-*s", (int)w0, g.cell[r][0]);
            for (size_t c = 1; c <= g.ncol; c++) fprintf(out, "  %*s", (int)w, g.cell[r][c]);
            fputc('\n', out);
        }
    }
    const char *foot = o->ci ? "95% confidence intervals in brackets (each model's level)"
                             : "Standard errors in parentheses";
    if (f == DF_MT_LATEX) {
        fputs("\\hline\n\\end{tabular}\n", out);
        fprintf(out, "%% %s%s\n", foot, o->stars ? "; * p<0.05, ** p<0.01, *** p<0.001" : "");
    } else if (f == DF_MT_HTML) {
        fprintf(out, "</tbody>\n</table>\n<p>%s%s</p>\n", foot,
                o->stars ? "; * p&lt;0.05, ** p&lt;0.01, *** p&lt;0.001" : "");
    } else if (f != DF_MT_CSV) {
        fprintf(out, "\n%s%s\n", foot, o->stars ? "; * p<0.05, ** p<0.01, *** p<0.001" : "");
    }
#undef NAME
    grid_free(&g);
    if (ferror(out)) return df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the table");
    return DYADFIT_OK;
}
