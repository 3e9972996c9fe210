/*
 * cox_zph.c -- survival::cox.zph's score test (see cox_zph.h), computed as
 * survival's zph2.c does: one sweep per stratum from the largest stop time
 * down, adding rows as their stop time is reached and removing them once
 * the event time falls to their start, accumulating at each event time the
 * risk-set mean and variance of x (weights w exp(eta)), so that
 *   u_gamma  = sum_events w (x - xbar) g(t)
 *   I_bb = sum w V,  I_bg = sum w g V,  I_gg = sum w g^2 V
 * (w the event weights; with Efron ties the d tied events see the risk set
 * with (d - r)/d of their own weight, r = 0..d-1, each with the mean
 * weight). Covariates are centred and eta shifted by its mean first: the
 * sums are invariant to both and the subtractions lose less.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "cox_zph.h"
#include "../util/util.h"
#include "../util/lapack.h"

void df_cox_zph_free(df_cox_zph_result *r)
{
    if (!r) return;
    free(r->chisq);
    free(r->df);
    free(r->p);
    memset(r, 0, sizeof *r);
}

typedef struct { size_t s; double key; size_t i; } okey;

/* stratum ascending, key descending */
static int cmp_desc(const void *a, const void *b)
{
    const okey *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    if (x->key != y->key) return x->key > y->key ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* number of v[0..n-1] (sorted ascending) that are >= x */
static size_t count_ge(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x) lo = mid + 1; else hi = mid;
    }
    return n - lo;
}

/* u' A^-1 u for the m x m SPD matrix A (overwritten); -1 if not SPD */
static int quad_inv(double *A, const double *u, size_t m, double *out)
{
    int im = (int)m, one = 1, info = 0;
    double *x = df_malloc(m, sizeof *x);
    if (!x) return -2;
    memcpy(x, u, m * sizeof *x);
    dpotrf_("L", &im, A, &im, &info);
    if (info == 0) dpotrs_("L", &im, &one, A, &im, x, &im, &info);
    double q = 0;
    for (size_t j = 0; j < m; j++) q += x[j] * u[j];
    free(x);
    if (info != 0 || !isfinite(q)) return -1;
    *out = q;
    return 0;
}

int df_cox_zph(const df_cox_data *d, const double *lp, dyadfit_zph transform,
               df_cox_zph_result *out, dyadfit_error *err)
{
    size_t n = d->n, k = d->k, K = 2 * k;
    int rc = DYADFIT_OK;
    double *tt = NULL, *g = NULL, *xc = NULL, *risk = NULL, *sa = NULL, *so = NULL;
    double *u = NULL, *imat = NULL, *a = NULL, *a2 = NULL, *cm = NULL, *cm2 = NULL;
    double *sub = NULL, *usub = NULL;
    okey *o1 = NULL, *o2 = NULL;
    unsigned char *keep = NULL;
    memset(out, 0, sizeof *out);
    if (transform != DYADFIT_ZPH_KM && transform != DYADFIT_ZPH_IDENTITY &&
        transform != DYADFIT_ZPH_RANK)
        return df_error(err, DYADFIT_ERR_SPEC, "proportional-hazards test: unknown transform %d", (int)transform);
    if (k == 0) return df_error(err, DYADFIT_ERR_SPEC, "proportional-hazards test: no covariates");

    tt = df_malloc(n, sizeof *tt);
    g = df_malloc(n, sizeof *g);
    xc = df_malloc(n * k, sizeof *xc);
    risk = df_malloc(n, sizeof *risk);
    o1 = df_malloc(n, sizeof *o1);
    o2 = df_malloc(n, sizeof *o2);
    keep = df_calloc(n, 1);
    u = df_calloc(K, sizeof *u);
    imat = df_calloc(K * K, sizeof *imat);
    a = df_calloc(k, sizeof *a);
    a2 = df_calloc(k, sizeof *a2);
    cm = df_calloc(k * k, sizeof *cm);
    cm2 = df_calloc(k * k, sizeof *cm2);
    sub = df_malloc(K * K, sizeof *sub);
    usub = df_malloc(K, sizeof *usub);
    out->chisq = df_malloc(k + 1, sizeof *out->chisq);
    out->df = df_malloc(k + 1, sizeof *out->df);
    out->p = df_malloc(k + 1, sizeof *out->p);
    if (!tt || !g || !xc || !risk || !o1 || !o2 || !keep || !u || !imat || !a || !a2 ||
        !cm || !cm2 || !sub || !usub || !out->chisq || !out->df || !out->p) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (proportional-hazards test)");
        goto cleanup;
    }
    out->k = k;

    /* ---- transformed times */
    size_t nev = 0;
    for (size_t i = 0; i < n; i++) nev += d->event[i] == 1;
    if (nev == 0) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "proportional-hazards test: no events");
        goto cleanup;
    }
    if (transform == DYADFIT_ZPH_IDENTITY) {
        memcpy(tt, d->stop, n * sizeof *tt);
    } else if (transform == DYADFIT_ZPH_RANK) {
        /* average ranks of the stop times, as R's rank() */
        for (size_t i = 0; i < n; i++) o1[i] = (okey){0, d->stop[i], i};
        qsort(o1, n, sizeof *o1, cmp_desc);
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j + 1 < n && o1[j + 1].key == o1[i].key) j++;
            /* descending positions i..j are ascending ranks n-j .. n-i */
            double r = ((double)(n - j) + (double)(n - i)) / 2;
            for (size_t m = i; m <= j; m++) tt[o1[m].i] = r;
            i = j + 1;
        }
    } else {
        /* 1 - KM(t-), KM over all rows (no strata, no weights), risk set
         * start < s <= stop; needed at the event rows only */
        sa = df_malloc(n, sizeof *sa);
        so = df_malloc(n, sizeof *so);
        if (!sa || !so) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (proportional-hazards test)");
            goto cleanup;
        }
        size_t ne = 0;
        for (size_t i = 0; i < n; i++) {
            so[i] = d->stop[i];
            sa[i] = d->start ? d->start[i] : -INFINITY;
            if (d->event[i] == 1) g[ne++] = d->stop[i];   /* event times, scratch */
        }
        qsort(so, n, sizeof *so, cmp_dbl);
        qsort(sa, n, sizeof *sa, cmp_dbl);
        qsort(g, ne, sizeof *g, cmp_dbl);
        /* survival just after each distinct event time, in risk (reusing
         * risk[] and a parallel time list in g[]) */
        size_t nt = 0;
        double S = 1;
        for (size_t i = 0; i < ne;) {
            size_t j = i;
            while (j + 1 < ne && g[j + 1] == g[i]) j++;
            double s = g[i], dd = (double)(j - i + 1);
            double nrisk = (double)count_ge(so, n, s) - (double)count_ge(sa, n, s);
            S *= 1 - dd / nrisk;
            g[nt] = s;
            risk[nt] = S;
            nt++;
            i = j + 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (d->event[i] != 1) { tt[i] = 0; continue; }
            /* event times < t: binary search in g[0..nt-1] */
            size_t lo = 0, hi = nt;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (g[mid] < d->stop[i]) lo = mid + 1; else hi = mid;
            }
            tt[i] = 1 - (lo ? risk[lo - 1] : 1);
        }
    }
    double gmean = 0;
    for (size_t i = 0; i < n; i++) if (d->event[i] == 1) gmean += tt[i];
    gmean /= (double)nev;
    for (size_t i = 0; i < n; i++) g[i] = tt[i] - gmean;

    /* ---- centred covariates, shifted risk scores */
    for (size_t j = 0; j < k; j++) {
        double m = 0;
        for (size_t i = 0; i < n; i++) m += d->X[j * n + i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) xc[j * n + i] = d->X[j * n + i] - m;
    }
    double em = 0;
    for (size_t i = 0; i < n; i++) em += lp[i];
    em /= (double)n;
    for (size_t i = 0; i < n; i++) {
        risk[i] = exp(lp[i] - em) * (d->weights ? d->weights[i] : 1.0);
        if (!isfinite(risk[i])) {
            rc = df_error(err, DYADFIT_ERR_ESTIM, "proportional-hazards test: exp overflow in the risk score of row %zu", i + 1);
            goto cleanup;
        }
    }

    /* ---- the sweep */
    for (size_t i = 0; i < n; i++) {
        size_t s = d->strata ? d->strata[i] : 0;
        o2[i] = (okey){s, d->stop[i], i};
        o1[i] = (okey){s, d->start ? d->start[i] : -INFINITY, i};
    }
    qsort(o2, n, sizeof *o2, cmp_desc);
    qsort(o1, n, sizeof *o1, cmp_desc);
    size_t person = 0, indx1 = 0;
    double denom = 0;
    size_t nrisk = 0;
    size_t cstrat = (size_t)-1;
    while (person < n) {
        size_t kx, p = 0;
        double dtime = 0, timewt = 0;
        for (kx = person; kx < n; kx++) {
            if (o2[kx].s != cstrat) {
                cstrat = o2[kx].s;
                denom = 0;
                nrisk = 0;
                memset(a, 0, k * sizeof *a);
                memset(cm, 0, k * k * sizeof *cm);
                /* both orders sort by stratum first, so the stratum
                 * starts at the same position in each */
                person = kx;
                indx1 = kx;
            }
            p = o2[kx].i;
            if (d->event[p] == 1) {
                dtime = d->stop[p];
                timewt = g[p];
                break;
            }
        }
        if (kx == n) break;
        /* rows whose start is at or after dtime leave the risk set */
        for (; indx1 < n; indx1++) {
            size_t q = o1[indx1].i;
            if (o1[indx1].s != cstrat || !(o1[indx1].key >= dtime)) break;
            if (!keep[q]) continue;
            if (--nrisk == 0) {
                denom = 0;
                memset(a, 0, k * sizeof *a);
                memset(cm, 0, k * k * sizeof *cm);
            } else {
                denom -= risk[q];
                for (size_t j = 0; j < k; j++) {
                    double xj = xc[j * n + q];
                    a[j] -= risk[q] * xj;
                    for (size_t l = 0; l <= j; l++) cm[j * k + l] -= risk[q] * xj * xc[l * n + q];
                }
            }
        }
        /* rows with stop == dtime join; the events among them apart */
        double denom2 = 0, meanwt = 0, ndead = 0;
        memset(a2, 0, k * sizeof *a2);
        memset(cm2, 0, k * k * sizeof *cm2);
        for (; person < n; person++) {
            size_t q = o2[person].i;
            if (o2[person].s != cstrat || d->stop[q] < dtime) break;
            nrisk++;
            double w = d->weights ? d->weights[q] : 1.0;
            if (d->event[q] == 1) {
                keep[q] = 1;
                ndead++;
                denom2 += risk[q];
                meanwt += w;
                for (size_t j = 0; j < k; j++) {
                    double xj = xc[j * n + q];
                    u[j] += w * xj;
                    u[k + j] += w * xj * timewt;
                    a2[j] += risk[q] * xj;
                    for (size_t l = 0; l <= j; l++) cm2[j * k + l] += risk[q] * xj * xc[l * n + q];
                }
            } else if ((d->start ? d->start[q] : -INFINITY) < dtime) {
                keep[q] = 1;
                denom += risk[q];
                for (size_t j = 0; j < k; j++) {
                    double xj = xc[j * n + q];
                    a[j] += risk[q] * xj;
                    for (size_t l = 0; l <= j; l++) cm[j * k + l] += risk[q] * xj * xc[l * n + q];
                }
            } else {
                nrisk--;   /* never at risk: it is not in the sums */
            }
        }
        int efron = d->ties == DF_COX_EFRON && ndead > 1;
        size_t reps = efron ? (size_t)ndead : 1;
        double frac = efron ? 1 / ndead : 1, mw = efron ? meanwt / ndead : meanwt;
        for (size_t r = 0; r < reps; r++) {
            denom += denom2 * frac;
            for (size_t j = 0; j < k; j++) a[j] += a2[j] * frac;
            for (size_t j = 0; j < k; j++)
                for (size_t l = 0; l <= j; l++) cm[j * k + l] += cm2[j * k + l] * frac;
            for (size_t j = 0; j < k; j++) {
                double xb = a[j] / denom;
                u[j] -= mw * xb;
                u[k + j] -= mw * xb * timewt;
                for (size_t l = 0; l <= j; l++) {
                    double v = mw * (cm[j * k + l] - xb * a[l]) / denom;
                    imat[l * K + j] += v;                         /* beta-beta */
                    imat[(k + l) * K + j] += v * timewt;          /* beta-gamma */
                    if (l != j) imat[(k + j) * K + l] += v * timewt;
                    imat[(k + l) * K + k + j] += v * timewt * timewt;
                }
            }
        }
    }
    /* mirror the lower triangles into the full symmetric matrix */
    for (size_t c = 0; c < K; c++)
        for (size_t r = c + 1; r < K; r++) {
            int bb = r < k && c < k, gg = r >= k && c >= k;
            if (bb || gg) imat[r * K + c] = imat[c * K + r];
            else imat[c * K + r] = imat[r * K + c];        /* c < k <= r */
        }

    /* ---- the tests (the beta part of the score is set to 0, as R does) */
    for (size_t j = 0; j <= k; j++) {
        size_t m = j < k ? k + 1 : K;
        for (size_t c = 0; c < m; c++) {
            size_t cc = c < k ? c : (j < k ? k + j : c);
            usub[c] = c < k ? 0 : u[cc];
            for (size_t r = 0; r < m; r++) {
                size_t rr = r < k ? r : (j < k ? k + j : r);
                sub[c * m + r] = imat[cc * K + rr];
            }
        }
        int q = quad_inv(sub, usub, m, &out->chisq[j]);
        if (q == -2) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (proportional-hazards test)");
            goto cleanup;
        }
        if (q) {
            rc = df_error(err, DYADFIT_ERR_ESTIM,
                          "proportional-hazards test: the information matrix is singular%s",
                          j < k ? " (a covariate constant within strata?)" : "");
            goto cleanup;
        }
        out->df[j] = j < k ? 1 : (int)k;
        out->p[j] = gsl_cdf_chisq_Q(out->chisq[j], (double)out->df[j]);
    }
cleanup:
    free(tt); free(g); free(xc); free(risk); free(sa); free(so);
    free(u); free(imat); free(a); free(a2); free(cm); free(cm2);
    free(sub); free(usub); free(o1); free(o2); free(keep);
    if (rc) df_cox_zph_free(out);
    return rc;
}
