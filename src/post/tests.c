/*
 * tests.c -- Wald and likelihood-ratio tests and fit statistics from saved
 * fits (see tests.h).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include "tests.h"
#include "../fit/fit.h"
#include "../util/util.h"

/* ------------------------------------------------------ restriction parser */

typedef struct {
    const df_post_fit *f;
    const char *s, *p;        /* text and cursor */
    double *row;              /* k coefficients of the side being read */
    double c;                 /* its constant */
    dyadfit_error *err;
} rparse;

static void skip_ws(rparse *P) { while (isspace((unsigned char)*P->p)) P->p++; }

static int at_boundary(char c)
{
    return c == 0 || isspace((unsigned char)c) || c == '+' || c == '-' || c == '*' ||
           c == '/' || c == '=';
}

/* Term at the cursor: in backquotes, else the longest term name that
 * starts here and ends at an operator, space or the end. -1 if none. */
static long match_term(rparse *P, int *bad)
{
    const df_post_fit *f = P->f;
    *bad = 0;
    if (*P->p == '`') {
        const char *e = strchr(P->p + 1, '`');
        if (!e) {
            *bad = df_error(P->err, DYADFIT_ERR_USAGE, "restriction '%s': unmatched backquote", P->s);
            return -1;
        }
        size_t len = (size_t)(e - P->p - 1);
        for (size_t j = 0; j < f->k; j++)
            if (strlen(f->terms[j]) == len && strncmp(f->terms[j], P->p + 1, len) == 0) {
                P->p = e + 1;
                return (long)j;
            }
        *bad = df_error(P->err, DYADFIT_ERR_USAGE, "restriction '%s': unknown term '%.*s'",
                        P->s, (int)len, P->p + 1);
        return -1;
    }
    long best = -1;
    size_t blen = 0;
    for (size_t j = 0; j < f->k; j++) {
        size_t len = strlen(f->terms[j]);
        if (len > blen && strncmp(f->terms[j], P->p, len) == 0 && at_boundary(P->p[len])) {
            best = (long)j;
            blen = len;
        }
    }
    if (best >= 0) P->p += blen;
    return best;
}

/* factor = number | term; sets *term (-1 for a number) and *val. */
static int factor(rparse *P, long *term, double *val)
{
    int bad;
    skip_ws(P);
    *term = match_term(P, &bad);
    if (bad) return bad;
    if (*term >= 0) {
        *val = 1;
        return 0;
    }
    char *end;
    if (isdigit((unsigned char)*P->p) || *P->p == '.') {
        *val = strtod(P->p, &end);
        if (end != P->p && at_boundary(*end) && isfinite(*val)) {
            P->p = end;
            return 0;
        }
    }
    if (!*P->p || at_boundary(*P->p))
        return df_error(P->err, DYADFIT_ERR_USAGE,
                        "restriction '%s': malformed (expected a term or a number at '%s')",
                        P->s, *P->p ? P->p : "the end");
    size_t n = strcspn(P->p, " \t+-*/=");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(n < 100 ? n : 100), P->p);
    size_t bestd = (size_t)-1, bj = 0;
    for (size_t j = 0; j < P->f->k; j++) {
        size_t d = df_edit_distance(name, P->f->terms[j]);
        if (d < bestd) { bestd = d; bj = j; }
    }
    if (bestd <= 3)
        return df_error(P->err, DYADFIT_ERR_USAGE,
                        "restriction '%s': unknown term '%s' (did you mean '%s'?)", P->s, name,
                        P->f->terms[bj]);
    return df_error(P->err, DYADFIT_ERR_USAGE, "restriction '%s': unknown term '%s'", P->s, name);
}

/* side = [+-] product { [+-] product }, product = factor { (*|/) factor };
 * accumulates sign * product into row / c. Stops at '=' or the end. */
static int side(rparse *P, double sign)
{
    for (;;) {
        skip_ws(P);
        double s = 1;
        while (*P->p == '+' || *P->p == '-') {
            if (*P->p == '-') s = -s;
            P->p++;
            skip_ws(P);
        }
        long term = -1;
        double v = 1;
        int rc;
        long t;
        double x;
        if ((rc = factor(P, &t, &x))) return rc;
        if (t >= 0) term = t;
        v = x;
        for (;;) {
            skip_ws(P);
            char op = *P->p;
            if (op != '*' && op != '/') break;
            P->p++;
            if ((rc = factor(P, &t, &x))) return rc;
            if (t >= 0 && (term >= 0 || op == '/'))
                return df_error(P->err, DYADFIT_ERR_USAGE,
                                "restriction '%s' is not linear in the coefficients "
                                "(a %s)", P->s, op == '/' ? "division by a term" : "product of two terms");
            if (t >= 0) term = t;
            if (op == '/') {
                if (x == 0)
                    return df_error(P->err, DYADFIT_ERR_USAGE, "restriction '%s': division by zero", P->s);
                v /= x;
            } else {
                v *= x;
            }
        }
        if (term >= 0) P->row[term] += sign * s * v;
        else P->c += sign * s * v;
        skip_ws(P);
        if (!*P->p || *P->p == '=') return 0;
        if (*P->p != '+' && *P->p != '-')
            return df_error(P->err, DYADFIT_ERR_USAGE,
                            "restriction '%s': malformed at '%s' (expected + - * / or =)", P->s, P->p);
    }
}

/* Parses one restriction into row (k, zeroed here) and *rhs. */
static int parse_restriction(const df_post_fit *f, const char *s, double *row, double *rhs,
                             dyadfit_error *err)
{
    rparse P = {f, s, s, row, 0, err};
    int rc;
    memset(row, 0, f->k * sizeof *row);
    skip_ws(&P);
    if (!*P.p) return df_error(err, DYADFIT_ERR_USAGE, "empty restriction");
    if ((rc = side(&P, 1))) return rc;
    if (*P.p == '=') {
        P.p++;
        skip_ws(&P);
        if (!*P.p)
            return df_error(err, DYADFIT_ERR_USAGE, "restriction '%s': nothing after '='", s);
        if ((rc = side(&P, -1))) return rc;
        if (*P.p == '=')
            return df_error(err, DYADFIT_ERR_USAGE, "restriction '%s': more than one '='", s);
    }
    int any = 0;
    for (size_t j = 0; j < f->k; j++) any |= row[j] != 0;
    if (!any)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "restriction '%s' involves no coefficient (terms cancel or none named)", s);
    /* row b + c_left = c_right, P.c holds c_left - c_right */
    *rhs = -P.c;
    return 0;
}

/* "defense - neutrality = 0" */
static char *normal_form(const df_post_fit *f, const double *row, double rhs)
{
    size_t cap = 64;
    for (size_t j = 0; j < f->k; j++) cap += strlen(f->terms[j]) + 40;
    char *t = df_malloc(cap, 1);
    if (!t) return NULL;
    size_t n = 0;
    int first = 1;
    for (size_t j = 0; j < f->k; j++) {
        if (row[j] == 0) continue;
        double a = fabs(row[j]);
        const char *sg = row[j] < 0 ? (first ? "-" : " - ") : (first ? "" : " + ");
        if (a == 1) n += (size_t)snprintf(t + n, cap - n, "%s%s", sg, f->terms[j]);
        else n += (size_t)snprintf(t + n, cap - n, "%s%.15g*%s", sg, a, f->terms[j]);
        first = 0;
    }
    snprintf(t + n, cap - n, " = %.15g", rhs == 0 ? 0.0 : rhs);
    return t;
}

void df_wald_free(df_wald *w)
{
    if (!w) return;
    free(w->R);
    free(w->r);
    if (w->text)
        for (size_t i = 0; i < w->q; i++) free(w->text[i]);
    free(w->text);
    memset(w, 0, sizeof *w);
}

int df_wald_test(const df_post_fit *f, const char *const *restr, size_t nrestr,
                 df_wald *out, dyadfit_error *err)
{
    size_t k = f->k, q = nrestr;
    double *M = NULL, *d = NULL;
    int rc = DYADFIT_OK;

    memset(out, 0, sizeof *out);
    if (q == 0) return df_error(err, DYADFIT_ERR_USAGE, "no restriction given");
    if (!f->vcov) return df_error(err, DYADFIT_ERR_DATA, "saved fit '%s' has no variance matrix", f->json_path);
    out->q = q;
    out->k = k;
    if (!(out->R = df_calloc(q * k, sizeof *out->R)) || !(out->r = df_calloc(q, sizeof *out->r)) ||
        !(out->text = df_calloc(q, sizeof *out->text)) || !(M = df_calloc(q * q, sizeof *M)) ||
        !(d = df_calloc(q, sizeof *d))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < q; i++) {
        double *row = out->R + i * k;
        if ((rc = parse_restriction(f, restr[i], row, &out->r[i], err))) goto cleanup;
        if (!(out->text[i] = normal_form(f, row, out->r[i]))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        for (size_t j = 0; j < k; j++)
            if (row[j] != 0 && !(isfinite(f->coef[j]) && isfinite(f->vcov[j * k + j]))) {
                rc = df_error(err, DYADFIT_ERR_USAGE,
                              "restriction '%s': term '%s' has no estimate in '%s'", restr[i],
                              f->terms[j], f->json_path);
                goto cleanup;
            }
    }
    /* d = R b - r; M = R V R' (V is symmetric, so row/column order of the
     * saved vcov does not matter) */
    for (size_t i = 0; i < q; i++) {
        const double *ri = out->R + i * k;
        double s = -out->r[i];
        for (size_t j = 0; j < k; j++) if (ri[j] != 0) s += ri[j] * f->coef[j];
        d[i] = s;
        for (size_t l = 0; l <= i; l++) {
            const double *rl = out->R + l * k;
            double m = 0;
            for (size_t a = 0; a < k; a++) {
                if (ri[a] == 0) continue;
                for (size_t b = 0; b < k; b++)
                    if (rl[b] != 0) m += ri[a] * f->vcov[a * k + b] * rl[b];
            }
            M[i * q + l] = M[l * q + i] = m;
        }
    }
    /* Cholesky of R V R'; a failure or a pivot tiny against the diagonal
     * means the restrictions are dependent (Stata drops such constraints;
     * we ask the user to). */
    double maxdiag = 0;
    for (size_t i = 0; i < q; i++) if (M[i * q + i] > maxdiag) maxdiag = M[i * q + i];
    df_gsl_quiet();
    gsl_matrix_view mv = gsl_matrix_view_array(M, q, q);
    int chol = gsl_linalg_cholesky_decomp1(&mv.matrix);
    int dep = chol != 0 || !(maxdiag > 0);
    for (size_t i = 0; !dep && i < q; i++) {
        double piv = M[i * q + i];
        dep = !(piv * piv > 1e-12 * maxdiag);
    }
    if (dep) {
        rc = df_error(err, DYADFIT_ERR_USAGE,
                      "the %zu restrictions are linearly dependent (or R V R' is singular): "
                      "drop the redundant ones", q);
        goto cleanup;
    }
    gsl_vector_view dv = gsl_vector_view_array(d, q);
    /* W = |L^-1 d|^2 with R V R' = L L' */
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &mv.matrix, &dv.vector);
    double w = 0;
    for (size_t i = 0; i < q; i++) w += d[i] * d[i];
    out->chi2 = w;
    out->p_value = gsl_cdf_chisq_Q(w, (double)q);
cleanup:
    free(M);
    free(d);
    if (rc) df_wald_free(out);
    return rc;
}

/* ---------------------------------------------------------------- LR test */

static int term_index(const df_post_fit *f, const char *t)
{
    for (size_t j = 0; j < f->k; j++) if (strcmp(f->terms[j], t) == 0) return (int)j;
    return -1;
}

static int subset(const df_post_fit *a, const df_post_fit *b)
{
    for (size_t j = 0; j < a->k; j++) if (term_index(b, a->terms[j]) < 0) return 0;
    return 1;
}

static int same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int robust_like(const df_post_fit *f)
{
    return (f->vce && strcmp(f->vce, "oim") != 0) || f->weight_type == DYADFIT_WEIGHT_PROBABILITY;
}

int df_lr_test(const df_post_fit *a, const df_post_fit *b, int force, df_lrtest *out,
               dyadfit_error *err)
{
    memset(out, 0, sizeof *out);
    if (!same_str(a->estimator, b->estimator))
        return df_error(err, DYADFIT_ERR_USAGE,
                        "'%s' is a %s fit and '%s' a %s fit: LR tests need the same estimator",
                        a->json_path, a->estimator, b->json_path, b->estimator);
    if (strcmp(a->sha256, b->sha256) != 0 || !a->sha256[0])
        return df_error(err, DYADFIT_ERR_USAGE,
                        "'%s' and '%s' were fitted on different data (sha256 %.12s... vs %.12s...)",
                        a->json_path, b->json_path, a->sha256[0] ? a->sha256 : "none",
                        b->sha256[0] ? b->sha256 : "none");
    if (!same_str(a->filter, b->filter))
        return df_error(err, DYADFIT_ERR_USAGE,
                        "'%s' and '%s' used different filters ('%s' vs '%s')", a->json_path,
                        b->json_path, a->filter ? a->filter : "", b->filter ? b->filter : "");
    if (!same_str(a->weights, b->weights) || a->weight_type != b->weight_type)
        return df_error(err, DYADFIT_ERR_USAGE, "'%s' and '%s' used different weights",
                        a->json_path, b->json_path);
    if (!same_str(a->offset, b->offset))
        return df_error(err, DYADFIT_ERR_USAGE, "'%s' and '%s' used different offsets",
                        a->json_path, b->json_path);
    if (a->nobs != b->nobs || a->rows_used != b->rows_used)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "'%s' (N = %.15g) and '%s' (N = %.15g) were fitted on different "
                        "observations (missing values in a variable of one model only?)",
                        a->json_path, a->nobs, b->json_path, b->nobs);
    if (!isfinite(a->loglik) || !isfinite(b->loglik))
        return df_error(err, DYADFIT_ERR_USAGE, "'%s' has no log likelihood",
                        isfinite(a->loglik) ? b->json_path : a->json_path);
    const df_post_fit *s = a, *g = b;
    if (!subset(a, b)) {
        if (!subset(b, a)) {
            size_t j = 0;
            while (j < a->k && term_index(b, a->terms[j]) >= 0) j++;
            return df_error(err, DYADFIT_ERR_USAGE,
                            "the models are not nested: neither's terms contain the other's "
                            "('%s' of '%s' is not in '%s')", j < a->k ? a->terms[j] : "?",
                            a->json_path, b->json_path);
        }
        s = b;
        g = a;
        out->swapped = 1;
    }
    if (s->k == g->k)
        return df_error(err, DYADFIT_ERR_USAGE, "'%s' and '%s' have the same terms (df = 0)",
                        a->json_path, b->json_path);
    if (robust_like(a) || robust_like(b)) {
        const df_post_fit *r = robust_like(a) ? a : b;
        if (!force)
            return df_error(err, DYADFIT_ERR_USAGE,
                            "'%s' used %s: the LR test assumes the model's likelihood and "
                            "ignores that variance (use a Wald test, or --force)",
                            r->json_path,
                            r->weight_type == DYADFIT_WEIGHT_PROBABILITY
                                ? "probability weights" : (strcmp(r->vce, "cluster") == 0
                                                           ? "a cluster-robust variance"
                                                           : "a robust variance"));
        out->forced = 1;
    }
    out->small = s;
    out->big = g;
    out->lr = 2 * (g->loglik - s->loglik);
    out->df = (double)(g->k - s->k);
    /* a negative LR (the bigger model fitted worse: not converged?) has
     * p = 1 */
    out->p_value = out->lr > 0 ? gsl_cdf_chisq_Q(out->lr, out->df) : 1;
    return DYADFIT_OK;
}

/* ----------------------------------------------------------- fit statistics */

typedef struct { double p, y, w; } pyw;

static int cmp_p(const void *a, const void *b)
{
    double x = ((const pyw *)a)->p, y = ((const pyw *)b)->p;
    return (x > y) - (x < y);
}

static double inv_link(int link, double eta)
{
    switch (link) {
    case DF_LINK_PROBIT: return gsl_cdf_ugaussian_P(eta);
    case DF_LINK_CLOGLOG: return -expm1(-exp(eta));
    default: return eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta));
    }
}

static int classify(df_post_fit *f, double cutoff, df_fitstat *o, dyadfit_error *err)
{
    const df_design *d = f->design;
    size_t n = d->n, k = d->k;
    pyw *v = df_malloc(n ? n : 1, sizeof *v);
    if (!v) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    double w1 = 0, w0 = 0, sw = 0, bs = 0;
    o->tp = o->fp = o->tn = o->fn = 0;
    for (size_t i = 0; i < n; i++) {
        double eta = d->offset ? d->offset[i] : 0;
        for (size_t j = 0; j < k; j++) eta += d->X[j * n + i] * f->coef[j];
        double p = inv_link(f->link, eta), y = d->y[i], w = d->w ? d->w[i] : 1;
        v[i] = (pyw){p, y, w};
        sw += w;
        bs += w * (y - p) * (y - p);
        if (y > 0.5) w1 += w; else w0 += w;
        if (p >= cutoff) { if (y > 0.5) o->tp += w; else o->fp += w; }
        else { if (y > 0.5) o->fn += w; else o->tn += w; }
    }
    o->brier = bs / sw;
    /* AUC as the Mann-Whitney statistic: the (weighted) share of
     * (positive, negative) pairs ordered correctly, ties counting one half;
     * one pass over the rows sorted by p, tie group by tie group. */
    qsort(v, n, sizeof *v, cmp_p);
    double below0 = 0, sum = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        double g1 = 0, g0 = 0;
        while (e < n && v[e].p == v[i].p) {
            if (v[e].y > 0.5) g1 += v[e].w; else g0 += v[e].w;
            e++;
        }
        sum += g1 * (below0 + 0.5 * g0);
        below0 += g0;
        i = e;
    }
    o->auc = w1 > 0 && w0 > 0 ? sum / (w1 * w0) : NAN;
    o->sensitivity = o->tp / (o->tp + o->fn);
    o->specificity = o->tn / (o->tn + o->fp);
    o->ppv = o->tp + o->fp > 0 ? o->tp / (o->tp + o->fp) : NAN;
    o->npv = o->tn + o->fn > 0 ? o->tn / (o->tn + o->fn) : NAN;
    o->correct = (o->tp + o->tn) / sw;
    o->cutoff = cutoff;
    o->binary = 1;
    free(v);
    return DYADFIT_OK;
}

int df_fit_stat(df_post_fit *f, double cutoff, df_fitstat *o, dyadfit_error *err)
{
    memset(o, 0, sizeof *o);
    if (!(cutoff > 0 && cutoff < 1))
        return df_error(err, DYADFIT_ERR_USAGE, "cut-off %g is not between 0 and 1", cutoff);
    /* parameters: the coefficients with an estimate */
    double k = 0;
    for (size_t j = 0; j < f->k; j++) k += isfinite(f->coef[j]);
    o->n = f->nobs;
    o->k = k;
    o->loglik = f->loglik;
    o->loglik0 = f->loglik0;
    double ll = f->loglik, l0 = f->loglik0, n = f->nobs;
    o->aic = -2 * ll + 2 * k;
    o->bic = -2 * ll + k * log(n);
    o->r2_mcfadden = 1 - ll / l0;
    o->r2_mcfadden_adj = 1 - (ll - k) / l0;
    /* Cox-Snell 1 - (L0/L)^(2/n), and Nagelkerke's rescaling by its
     * maximum 1 - L0^(2/n); expm1 keeps the small differences accurate */
    o->r2_coxsnell = -expm1(2 * (l0 - ll) / n);
    o->r2_nagelkerke = o->r2_coxsnell / -expm1(2 * l0 / n);
    if (f->link < 0) return DYADFIT_OK;
    int rc;
    if (!f->design && (rc = df_post_attach(f, err))) return rc;
    return classify(f, cutoff, o, err);
}
