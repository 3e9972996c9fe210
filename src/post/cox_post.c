/*
 * cox_post.c -- the survival curve of a saved Cox fit at a profile:
 * S(t | x) = exp(-H(t | x)), H(t | x) = H0(t) exp(x'b), with H0 the baseline
 * cumulative hazard at covariates 0, per stratum, as
 * survival::survfit(coxph_fit, newdata = profile).
 *
 * Input: an attached Cox fit (design rows with (start, stop], event,
 * weights, offset, strata; the saved b and V) and the profile's model-
 * matrix row x (df_post_profile_x). Risks are taken relative to the
 * profile, r_i = exp(eta_i - eta_x), so H(t | x) is summed directly.
 *
 * At each event time t_j of a stratum (survival's agsurv, with the fit's
 * ties: Breslow for Breslow fits, Efron for Efron fits, survfit's default
 * ctype): over the risk set R_j = {start < t_j <= stop} and the deaths D_j,
 *   N = sum_R w r, E = sum_D w r, m = sum_D w (weighted deaths), d = |D|,
 *   Breslow: dH = m / N, dV = m / N^2, dX = sum_R w r (x_i - x) / N * dH
 *   Efron:   the same averaged over the d tied deaths with N - (l/d) E,
 *            l = 0..d-1 in place of N (and the D part of the x-sums
 *            removed likewise).
 * Variance (Tsiatis 1981; survfit's std.err of the cumulative hazard):
 *   var H(t | x) = sum_{t_j <= t} dV + D(t)' V D(t), D(t) = sum dX,
 * with V the fit's saved variance matrix. The interval is made on the
 * log(-log S) = log H scale (survfit's conf.type = "log-log", Stata's
 * default): exp(-H exp(+-z se(H) / H)); std.error = S se(H), as summary()
 * of a survfit reports it.
 *
 * Risk sets come from one sweep down the distinct times of a stratum:
 * rows enter when t <= stop and leave when t <= start, so every sum is
 * O(n k) per stratum after sorting, in long double.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "post.h"
#include "../util/util.h"

#define MAX_STRATA_VARS 16

/* ------------------------------------------------------------ strata */

/* Names inside the formula's strata(...) terms, in order. */
static size_t strata_vars(const char *f, char names[][256], size_t cap)
{
    size_t n = 0;
    for (const char *p = strstr(f, "strata("); p; p = strstr(p + 1, "strata(")) {
        if (p > f && (p[-1] == '_' || p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9') ||
                      ((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z')))
            continue;
        const char *a = p + 7;
        while (*a && *a != ')' && n < cap) {
            while (*a == ' ' || *a == '`') a++;
            size_t len = strcspn(a, ",)"), l = len;
            while (l > 0 && (a[l - 1] == ' ' || a[l - 1] == '`')) l--;
            snprintf(names[n++], 256, "%.*s", (int)l, a);
            a += len;
            if (*a == ',') a++;
        }
    }
    return n;
}

typedef struct {
    size_t id, row;           /* design stratum id, a source row of it */
    const df_column *const *cols;
    size_t ncol;
} skey;

static int cmp_skey(const void *pa, const void *pb)
{
    const skey *a = pa, *b = pb;
    for (size_t v = 0; v < a->ncol; v++) {
        const df_column *c = a->cols[v];
        int r = c->type == DF_COL_STRING
                    ? strcmp(c->levels[c->code[a->row]], c->levels[c->code[b->row]])
                    : (c->num[a->row] > c->num[b->row]) - (c->num[a->row] < c->num[b->row]);
        if (r) return r;
    }
    return (a->id > b->id) - (a->id < b->id);
}

/* Strata in R's order (sorted by the first variable, then the next) with
 * survival's labels ("east", or "region=2, era=1"): order[p] is the design
 * id of the p-th stratum, label[id] its label. */
static int strata_order(const df_post_fit *f, size_t **order, char ***label)
{
    const df_design *d = f->design;
    size_t ns = d->strata ? d->nstrata : 1, nv;
    char names[MAX_STRATA_VARS][256];
    const df_column *cols[MAX_STRATA_VARS];
    int all_string = 1;
    skey *keys = df_malloc(ns, sizeof *keys);
    *order = df_malloc(ns, sizeof **order);
    *label = df_calloc(ns, sizeof **label);
    if (!keys || !*order || !*label) {
        free(keys);
        return -1;
    }
    nv = d->strata ? strata_vars(f->formula, names, MAX_STRATA_VARS) : 0;
    for (size_t v = 0; v < nv; v++) {
        if (!(cols[v] = df_table_find(f->table, names[v]))) nv = 0;
        else if (cols[v]->type != DF_COL_STRING) all_string = 0;
    }
    for (size_t s = 0; s < ns; s++) keys[s] = (skey){s, 0, cols, nv};
    for (size_t i = d->n; d->strata && i-- > 0;) keys[d->strata[i]].row = d->rows[i];
    for (size_t s = 0; s < ns; s++) {
        char buf[1024] = "";
        size_t o = 0;
        for (size_t v = 0; v < nv && o < sizeof buf; v++) {
            const df_column *c = cols[v];
            size_t row = keys[s].row;
            const char *sep = v ? ", " : "";
            if (c->type == DF_COL_STRING && all_string)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", sep, c->levels[c->code[row]]);
            else if (c->type == DF_COL_STRING)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s=%s", sep, c->name,
                                      c->levels[c->code[row]]);
            else
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s=%.15g", sep, c->name,
                                      c->num[row]);
        }
        if (d->strata && !buf[0]) snprintf(buf, sizeof buf, "stratum %zu", s + 1);
        if (!((*label)[s] = df_strdup(buf))) {
            free(keys);
            return -1;
        }
    }
    if (nv > 0) qsort(keys, ns, sizeof *keys, cmp_skey);
    for (size_t p = 0; p < ns; p++) (*order)[p] = keys[p].id;
    free(keys);
    return 0;
}

/* ------------------------------------------------------- the curve */

typedef struct {
    double t;
    size_t i;
} tkey;

static int cmp_tkey_desc(const void *pa, const void *pb)
{
    const tkey *a = pa, *b = pb;
    if (a->t != b->t) return a->t < b->t ? 1 : -1;
    return (a->i > b->i) - (a->i < b->i);
}

/* One stratum's event times, cumulative hazard and the variance pieces at
 * the profile: *nt times ascending in tm, cumulative H, cumulative dV and
 * cumulative D (nt x k, row-major). */
typedef struct {
    size_t nt;
    double *tm, *H, *VH, *D;
} curve;

static void curve_free(curve *c)
{
    free(c->tm);
    free(c->H);
    free(c->VH);
    free(c->D);
    memset(c, 0, sizeof *c);
}

static int stratum_curve(const df_post_fit *f, size_t stratum, const double *x, double eta_x,
                         curve *cv, dyadfit_error *err)
{
    const df_design *d = f->design;
    size_t n = d->n, k = f->k, m = 0;
    tkey *bystop = NULL, *bystart = NULL;
    double *r = NULL;
    long double *xs = NULL, *xd = NULL;
    int rc = DYADFIT_OK;

    memset(cv, 0, sizeof *cv);
    bystop = df_malloc(n ? n : 1, sizeof *bystop);
    bystart = df_malloc(n ? n : 1, sizeof *bystart);
    r = df_malloc(n ? n : 1, sizeof *r);
    xs = calloc(k, sizeof *xs);
    xd = calloc(k, sizeof *xd);
    if (!bystop || !bystart || !r || !xs || !xd) goto oom;
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        if (d->strata && d->strata[i] != stratum) continue;
        double eta = d->offset ? d->offset[i] : 0;
        for (size_t j = 0; j < k; j++) eta += d->X[j * n + i] * f->coef[j];
        r[i] = exp(eta - eta_x);
        bystop[m] = (tkey){d->stop[i], i};
        bystart[m] = (tkey){d->start ? d->start[i] : -INFINITY, i};
        m++;
        ne += d->y[i] != 0;
    }
    qsort(bystop, m, sizeof *bystop, cmp_tkey_desc);
    qsort(bystart, m, sizeof *bystart, cmp_tkey_desc);
    /* distinct event times, descending, then reversed */
    cv->tm = df_malloc(ne ? ne : 1, sizeof *cv->tm);
    double *dH = df_malloc(ne ? ne : 1, sizeof *dH), *dV = df_malloc(ne ? ne : 1, sizeof *dV);
    double *dX = df_malloc((ne ? ne : 1) * k, sizeof *dX);
    if (!cv->tm || !dH || !dV || !dX) {
        free(dH);
        free(dV);
        free(dX);
        goto oom;
    }
    long double N = 0;        /* sum over the risk set of w r */
    size_t p = 0, q = 0, nt = 0;
    while (p < m) {
        double t = bystop[p].t;
        /* rows entering (stop >= t), then deaths at t */
        long double E = 0, mw = 0;
        size_t dn = 0;
        for (size_t j = 0; j < k; j++) xd[j] = 0;
        for (; p < m && bystop[p].t == t; p++) {
            size_t i = bystop[p].i;
            double w = d->w ? d->w[i] : 1, wr = w * r[i];
            N += wr;
            for (size_t j = 0; j < k; j++) xs[j] += wr * (d->X[j * n + i] - x[j]);
            if (d->y[i] != 0) {
                E += wr;
                mw += w;
                dn++;
                for (size_t j = 0; j < k; j++) xd[j] += wr * (d->X[j * n + i] - x[j]);
            }
        }
        /* rows leaving: at risk only while start < t */
        for (; q < m && bystart[q].t >= t; q++) {
            size_t i = bystart[q].i;
            double w = d->w ? d->w[i] : 1, wr = w * r[i];
            N -= wr;
            for (size_t j = 0; j < k; j++) xs[j] -= wr * (d->X[j * n + i] - x[j]);
        }
        if (dn == 0) continue;
        long double s1 = 0, s2 = 0;
        double *dx = dX + nt * k;
        if (f->breslow || dn == 1) {
            s1 = 1 / N;
            s2 = s1 * s1;
            for (size_t j = 0; j < k; j++) dx[j] = (double)(mw * xs[j] * s2);
        } else {
            for (size_t j = 0; j < k; j++) dx[j] = 0;
            for (size_t l = 0; l < dn; l++) {
                long double fr = (long double)l / dn, tmp = 1 / (N - fr * E);
                s1 += tmp / dn;
                s2 += tmp * tmp / dn;
                for (size_t j = 0; j < k; j++)
                    dx[j] += (double)(mw * (xs[j] - fr * xd[j]) * tmp * tmp / dn);
            }
        }
        cv->tm[nt] = t;
        dH[nt] = (double)(mw * s1);
        dV[nt] = (double)(mw * s2);
        nt++;
    }
    /* ascending times, cumulative sums */
    cv->nt = nt;
    cv->H = df_malloc(nt ? nt : 1, sizeof *cv->H);
    cv->VH = df_malloc(nt ? nt : 1, sizeof *cv->VH);
    cv->D = df_malloc((nt ? nt : 1) * k, sizeof *cv->D);
    if (!cv->H || !cv->VH || !cv->D) {
        free(dH);
        free(dV);
        free(dX);
        goto oom;
    }
    for (size_t a = 0, b = nt; a + 1 < b; a++, b--) {
        double tt = cv->tm[a];
        cv->tm[a] = cv->tm[b - 1];
        cv->tm[b - 1] = tt;
    }
    long double ch = 0, cvh = 0;
    for (size_t j = 0; j < k; j++) xs[j] = 0;
    for (size_t u = 0; u < nt; u++) {
        size_t src = nt - 1 - u;
        ch += dH[src];
        cvh += dV[src];
        cv->H[u] = (double)ch;
        cv->VH[u] = (double)cvh;
        for (size_t j = 0; j < k; j++) {
            xs[j] += dX[src * k + j];
            cv->D[u * k + j] = (double)xs[j];
        }
    }
    free(dH);
    free(dV);
    free(dX);
    goto cleanup;
oom:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (survival curve)");
    curve_free(cv);
cleanup:
    free(bystop);
    free(bystart);
    free(r);
    free(xs);
    free(xd);
    return rc;
}

/* One row: S at time t from the curve (step function: the last event time
 * <= t; 1 before the first). */
static int survival_row(const df_post_fit *f, const curve *cv, double t, double zq,
                        const char *term, df_post_row *row)
{
    size_t k = f->k, u = cv->nt;
    char contrast[64];
    while (u > 0 && cv->tm[u - 1] > t) u--;
    double H = u ? cv->H[u - 1] : 0, var = u ? cv->VH[u - 1] : 0;
    if (u) {
        const double *D = cv->D + (u - 1) * k;
        long double q = 0;
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++) q += (long double)D[i] * f->vcov[i * k + j] * D[j];
        var += (double)q;
    }
    double se = sqrt(var > 0 ? var : 0), S = exp(-H);
    snprintf(contrast, sizeof contrast, "S(t=%.10g)", t);
    if (!(row->term = df_strdup(term)) || !(row->contrast = df_strdup(contrast))) return -1;
    row->estimate = S;
    row->std_error = S * se;
    row->statistic = row->p_value = NAN;
    if (H > 0) {
        row->conf_low = exp(-H * exp(zq * se / H));
        row->conf_high = exp(-H * exp(-zq * se / H));
    } else {
        /* before the first event: S = 1 with no interval (as survfit) */
        row->conf_low = row->conf_high = NAN;
    }
    return 0;
}

int df_post_survival(const df_post_fit *f, const df_post_profile *prof, size_t nprof,
                     const double *times, size_t ntimes, const df_post_opts *o,
                     df_post_table *out, dyadfit_error *err)
{
    size_t k = f->k, ns = 0, *order = NULL;
    char **label = NULL, *term = NULL;
    double *x = df_malloc(k, sizeof *x);
    curve cv;
    int rc = DYADFIT_OK;

    memset(out, 0, sizeof *out);
    memset(&cv, 0, sizeof cv);
    if (!x) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    if (f->est != DYADFIT_COX || !f->design) {
        rc = df_error(err, DYADFIT_ERR_SPEC,
                      "--survival needs a Cox fit: saved fit '%s' is %s, which has no "
                      "baseline hazard", f->json_path, f->estimator);
        goto cleanup;
    }
    if (o->method == DF_POST_SIMULATION) {
        rc = df_error(err, DYADFIT_ERR_USAGE,
                      "--survival: intervals by the delta method only (no --method simulation)");
        goto cleanup;
    }
    if (nprof == 0) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "no profile given (--at \"x=1 z=0\")");
        goto cleanup;
    }
    for (size_t i = 0; i < ntimes; i++)
        if (!(times[i] >= 0) || !isfinite(times[i]) || (i && times[i] <= times[i - 1])) {
            rc = df_error(err, DYADFIT_ERR_USAGE,
                          "--times: %g (time %zu) is %s; give times >= 0 in increasing order",
                          times[i], i + 1,
                          !(times[i] >= 0) || !isfinite(times[i]) ? "negative or not finite"
                                                                  : "not larger than the one before");
            goto cleanup;
        }
    ns = f->design->strata ? f->design->nstrata : 1;
    if (strata_order(f, &order, &label)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    double level = o->level > 0 ? o->level : f->level;
    double zq = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
    size_t cap = 0;
    for (size_t p = 0; p < nprof; p++) {
        double off;
        if ((rc = df_post_profile_x(f, &prof[p], o, x, &off, err))) goto cleanup;
        double eta = off;
        for (size_t j = 0; j < k; j++) eta += x[j] * f->coef[j];
        for (size_t sp = 0; sp < ns; sp++) {
            size_t s = order[sp];
            if ((rc = stratum_curve(f, s, x, eta, &cv, err))) goto cleanup;
            size_t nr = ntimes ? ntimes : cv.nt;
            if (out->n + nr > cap) {
                size_t nc = (out->n + nr) * 2;
                df_post_row *nrw = realloc(out->rows, nc * sizeof *nrw);
                if (!nrw) goto oom;
                memset(nrw + cap, 0, (nc - cap) * sizeof *nrw);
                out->rows = nrw;
                cap = nc;
            }
            free(term);
            if (!(term = df_malloc(strlen(prof[p].text) + strlen(label[s]) + 4, 1))) goto oom;
            sprintf(term, "%s%s%s", prof[p].text, label[s][0] ? " | " : "", label[s]);
            for (size_t u = 0; u < nr; u++) {
                out->n++;
                if (survival_row(f, &cv, ntimes ? times[u] : cv.tm[u], zq, term,
                                 &out->rows[out->n - 1]))
                    goto oom;
            }
            curve_free(&cv);
        }
    }
    char note[640];
    snprintf(note, sizeof note,
             "S(t | x) = exp(-H0(t) exp(x'b)) at each profile (other variables %s), H0 the "
             "%s baseline cumulative hazard%s, as survfit(fit, newdata); std.error = S se(H) "
             "with the variance of H0 and of b (Tsiatis; b's from the saved %s variance); "
             "%g%% interval on the log(-log S) scale (survfit conf.type = \"log-log\"); "
             "%s; n = %zu",
             o->others == DF_POST_MEDIAN ? "at medians" : "at means", f->breslow ? "Breslow" : "Efron",
             ns > 1 ? " of each stratum" : "", f->vce ? f->vce : "?", 100 * level,
             ntimes ? "at the times given" : "at every event time", f->design->n);
    if (!(out->what = df_strdup("Survival at profiles (Cox)")) || !(out->note = df_strdup(note)))
        goto oom;
    goto cleanup;
oom:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
cleanup:
    curve_free(&cv);
    for (size_t s = 0; label && s < ns; s++) free(label[s]);
    free(label);
    free(order);
    free(term);
    free(x);
    if (rc) df_post_table_free(out);
    return rc;
}
