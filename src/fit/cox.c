/*
 * cox.c -- Cox proportional hazards model by maximum partial likelihood.
 *
 * Input:  X (n x k), (start, stop], event, optional weights w, offset,
 *         strata; Breslow or Efron ties (see cox.h).
 * Output: beta, observed information, partial log-likelihood at beta and at
 *         0, martingale and score residuals, baseline cumulative hazard.
 *
 * Likelihood (survival's agfit4.c for counting-process data; coxfit6.c is
 * the special case start = -inf). Within a stratum, at each distinct event
 * time t the risk set is R(t) = {i : start_i < t <= stop_i}; with
 * r_i = exp(eta_i), eta_i = z_i'g + offset_i, the running sums are
 *   S0 = sum_R w r,  S1 = sum_R w r z,  S2 = sum_R w r z z'
 * and the same over the d rows dying at t: S0d, S1d, S2d, dw = sum w.
 *   Breslow: l += sum_dead w eta - dw log S0, gradient and information
 *            from xbar = S1/S0, V = S2/S0 - xbar xbar', weighted by dw.
 *   Efron:   for l = 0..d-1, f = l/d, the denominator is S0 - f S0d (the
 *            tied deaths leave the risk set gradually) and each of the d
 *            terms carries the deaths' mean weight dw/d.
 *
 * Method: rows are sorted once per stratum by stop (descending) and by
 * start (descending); a sweep from the last time to the first adds rows
 * as their stop is reached and removes them once start >= t, so an
 * iteration costs O(n k^2), never O(n^2). Columns of X are centred and
 * scaled to unit sd before Newton (as survival centres them): beta and the
 * log-likelihood are invariant, the exponentials stay in range and the
 * driver's gradient test is scale-free. Before each sweep the largest eta
 * is subtracted from all of them: the partial likelihood is invariant to
 * a common shift and no r_i can overflow.
 *
 * Residuals (survival's agmart3 / agscore3; Schoenfeld as coxscho): with
 * the hazard increments dL_l = (dw/d) / (S0 - f S0d) at each event time,
 *   martingale_i = delta_i - r_i sum_{t in (start_i, stop_i]} c_il dL_l
 *   score_i = delta_i (z_i - mean_l xbar_l)
 *             - r_i sum_{t in (start_i, stop_i]} c_il dL_l (z_i - xbar_l)
 *   schoenfeld_i = delta_i (z_i - mean_l xbar_l)   (on request)
 * where c_il = 1, except for a row dying at t under Efron, which is in the
 * l-th denominator with weight (1 - l/d). Both sums are differences of
 * cumulative sums over the event times, found by binary search, so this
 * pass too is O(n k + n log n). sum_i w_i score_i is the gradient.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cox.h"
#include "../util/util.h"

/* one row in sort order */
typedef struct {
    size_t stratum;
    double key;
    size_t row;
} sortrec;

/* per distinct event time (in a stratum) of the residual pass */
typedef struct {
    size_t ndt;               /* distinct event times, all strata */
    size_t *first;            /* nstrata + 1: event times of stratum s are
                                 first[s] .. first[s+1]-1, ascending */
    double *time;             /* ndt */
    double *h1, *h2;          /* ndt: sum_l dL_l, sum_l (1-l/d) dL_l */
    double *g1, *g2;          /* ndt x k (row-major by time): the same
                                 weighted by xbar_l */
    double *xbm;              /* ndt x k: mean over l of xbar_l */
} deathtab;

typedef struct {
    const df_cox_data *d;
    size_t n, k, ns;
    double *Z;                /* n x k centred, scaled X */
    double *eta, *r;          /* n workspace */
    size_t *ord_stop, *ord_start; /* n: rows by stratum, time descending */
    size_t *sbeg;             /* ns + 1 stratum boundaries in both orders */
    double *S1, *S2, *S1d, *S2d, *xb; /* k, k*k, k, k*k, k */
    double shift;             /* max eta subtracted in the last sweep */
    deathtab *dt;             /* filled by the sweep when non-NULL */
} coxctx;

static int cmp_rec(const void *a, const void *b)
{
    const sortrec *x = a, *y = b;
    if (x->stratum != y->stratum) return x->stratum < y->stratum ? -1 : 1;
    if (x->key != y->key) return x->key > y->key ? -1 : 1; /* descending */
    return x->row < y->row ? -1 : x->row > y->row;
}

/* rank-one update S += a z z' (lower triangle only) and S1 += a z */
static void add_row(double *S1, double *S2, const double *Z, size_t n,
                    size_t k, size_t i, double a)
{
    for (size_t j = 0; j < k; j++) {
        double zj = a * Z[j * n + i];
        S1[j] += zj;
        for (size_t m = j; m < k; m++) S2[j * k + m] += zj * Z[m * n + i];
    }
}

/*
 * One sweep over all strata at internal coefficients g: loglik, gradient
 * and information (when non-NULL); with c->dt set it also records the
 * hazard increments per event time for the residuals.
 */
static int sweep(coxctx *c, const double *g, double *loglik, double *grad,
                 double *info)
{
    const df_cox_data *d = c->d;
    size_t n = c->n, k = c->k;
    double *S1 = c->S1, *S2 = c->S2, *S1d = c->S1d, *S2d = c->S2d,
           *xb = c->xb;
    double ll = 0, shift = -INFINITY;

    for (size_t i = 0; i < n; i++) {
        double e = d->offset ? d->offset[i] : 0;
        for (size_t j = 0; j < k; j++) e += c->Z[j * n + i] * g[j];
        if (!isfinite(e)) return 1;
        c->eta[i] = e;
        if (e > shift) shift = e;
    }
    c->shift = shift;
    for (size_t i = 0; i < n; i++) {
        c->eta[i] -= shift;
        c->r[i] = exp(c->eta[i]);
    }
    if (grad) memset(grad, 0, k * sizeof *grad);
    if (info) memset(info, 0, k * k * sizeof *info);
    size_t idt = c->dt ? c->dt->ndt : 0; /* filled from the top, descending */

    for (size_t s = c->ns; s-- > 0;) {
        size_t p = c->sbeg[s], q = c->sbeg[s], end = c->sbeg[s + 1];
        size_t atrisk = 0;
        double S0 = 0;
        memset(S1, 0, k * sizeof *S1);
        memset(S2, 0, k * k * sizeof *S2);
        while (p < end) {
            double t = d->stop[c->ord_stop[p]];
            /* rows entering at or after t have left the risk set: they
             * were added when their (later) stop was reached */
            if (d->start) {
                while (q < end && d->start[c->ord_start[q]] >= t) {
                    size_t i = c->ord_start[q++];
                    double wr = (d->weights ? d->weights[i] : 1) * c->r[i];
                    S0 -= wr;
                    add_row(S1, S2, c->Z, n, k, i, -wr);
                    /* exact zero once empty: no drift from cancellation */
                    if (--atrisk == 0) {
                        S0 = 0;
                        memset(S1, 0, k * sizeof *S1);
                        memset(S2, 0, k * k * sizeof *S2);
                    }
                }
            }
            double S0d = 0, dw = 0;
            size_t nd = 0;
            memset(S1d, 0, k * sizeof *S1d);
            memset(S2d, 0, k * k * sizeof *S2d);
            for (; p < end && d->stop[c->ord_stop[p]] == t; p++) {
                size_t i = c->ord_stop[p];
                double w = d->weights ? d->weights[i] : 1, wr = w * c->r[i];
                S0 += wr;
                add_row(S1, S2, c->Z, n, k, i, wr);
                atrisk++;
                if (d->event[i] != 0) {
                    nd++;
                    dw += w;
                    S0d += wr;
                    add_row(S1d, S2d, c->Z, n, k, i, wr);
                    ll += w * c->eta[i];
                    if (grad)
                        for (size_t j = 0; j < k; j++)
                            grad[j] += w * c->Z[j * n + i];
                }
            }
            if (nd == 0) continue;
            /* Breslow: one term with weight dw; Efron: d terms, each with
             * the deaths' mean weight, the dead leaving gradually */
            int efron = d->ties == DF_COX_EFRON && nd > 1;
            size_t nterm = efron ? nd : 1;
            double wt = efron ? dw / (double)nd : dw;
            double h1 = 0, h2 = 0;
            deathtab *dt = c->dt;
            if (dt) {
                idt--;
                dt->time[idt] = t;
                memset(dt->g1 + idt * k, 0, k * sizeof(double));
                memset(dt->g2 + idt * k, 0, k * sizeof(double));
                memset(dt->xbm + idt * k, 0, k * sizeof(double));
            }
            for (size_t l = 0; l < nterm; l++) {
                double f = efron ? (double)l / (double)nd : 0;
                double den = S0 - f * S0d;
                if (!(den > 0)) return 1;
                ll -= wt * log(den);
                for (size_t j = 0; j < k; j++) xb[j] = (S1[j] - f * S1d[j]) / den;
                if (grad)
                    for (size_t j = 0; j < k; j++) grad[j] -= wt * xb[j];
                if (info)
                    for (size_t j = 0; j < k; j++)
                        for (size_t m = j; m < k; m++)
                            info[j * k + m] +=
                                wt * ((S2[j * k + m] - f * S2d[j * k + m]) / den -
                                      xb[j] * xb[m]);
                if (dt) {
                    double dl = wt / den, dl2 = (1 - f) * dl;
                    h1 += dl;
                    h2 += dl2;
                    for (size_t j = 0; j < k; j++) {
                        dt->g1[idt * k + j] += dl * xb[j];
                        dt->g2[idt * k + j] += dl2 * xb[j];
                        dt->xbm[idt * k + j] += xb[j] / (double)nterm;
                    }
                }
            }
            if (dt) {
                dt->h1[idt] = h1;
                dt->h2[idt] = h2;
            }
        }
    }
    if (info) /* mirror the lower triangle (stored as info[j*k+m], m >= j) */
        for (size_t j = 0; j < k; j++)
            for (size_t m = j + 1; m < k; m++) info[m * k + j] = info[j * k + m];
    *loglik = ll;
    return isfinite(ll) ? 0 : 1;
}

static int objective(void *ctx, const double *beta, double *loglik,
                     double *grad, double *info)
{
    return sweep(ctx, beta, loglik, grad, info);
}

/* checks the input; returns 0 or an error with a 1-based row number */
static int validate(const df_cox_data *d, size_t *nevents, dyadfit_error *err)
{
    if (d->n == 0) return df_error(err, DYADFIT_ERR_DATA, "Cox model: no observations");
    if (d->k == 0)
        return df_error(err, DYADFIT_ERR_SPEC, "Cox model: no covariates");
    if (!d->X || !d->stop || !d->event)
        return df_error(err, DYADFIT_ERR_USAGE, "Cox model: X, stop and event are required");
    if (d->strata && d->nstrata == 0)
        return df_error(err, DYADFIT_ERR_USAGE, "Cox model: strata given but nstrata is 0");
    size_t ne = 0;
    for (size_t i = 0; i < d->n; i++) {
        double t1 = d->stop[i];
        if (!isfinite(t1))
            return df_error(err, DYADFIT_ERR_DATA, "stop time at row %zu is not finite (%g)", i + 1, t1);
        if (d->start) {
            double t0 = d->start[i];
            if (!isfinite(t0))
                return df_error(err, DYADFIT_ERR_DATA, "start time at row %zu is not finite (%g)", i + 1, t0);
            if (t1 == t0)
                return df_error(err, DYADFIT_ERR_DATA, "interval (%g, %g] at row %zu has zero length", t0, t1, i + 1);
            if (t1 < t0)
                return df_error(err, DYADFIT_ERR_DATA, "interval (%g, %g] at row %zu ends before it starts", t0, t1, i + 1);
        }
        double e = d->event[i];
        if (e != 0 && e != 1)
            return df_error(err, DYADFIT_ERR_DATA, "event at row %zu is %g: must be 0 or 1", i + 1, e);
        ne += e == 1;
        if (d->weights && !(d->weights[i] > 0 && isfinite(d->weights[i])))
            return df_error(err, DYADFIT_ERR_DATA, "weight at row %zu is %g: must be positive and finite", i + 1, d->weights[i]);
        if (d->offset && !isfinite(d->offset[i]))
            return df_error(err, DYADFIT_ERR_DATA, "offset at row %zu is not finite (%g)", i + 1, d->offset[i]);
        if (d->strata && d->strata[i] >= d->nstrata)
            return df_error(err, DYADFIT_ERR_DATA, "stratum id %zu at row %zu is outside 0..%zu", d->strata[i], i + 1, d->nstrata - 1);
        for (size_t j = 0; j < d->k; j++)
            if (!isfinite(d->X[j * d->n + i]))
                return df_error(err, DYADFIT_ERR_DATA, "covariate %zu at row %zu is not finite (%g)", j + 1, i + 1, d->X[j * d->n + i]);
    }
    if (ne == 0)
        return df_error(err, DYADFIT_ERR_ESTIM, "Cox model: no events (all %zu rows are censored)", d->n);
    *nevents = ne;
    return 0;
}

/* number of event times <= t in the ascending times[lo..hi) */
static size_t count_le(const double *times, size_t lo, size_t hi, double t)
{
    size_t a = lo, b = hi;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (times[mid] <= t) a = mid + 1;
        else b = mid;
    }
    return a - lo;
}

/* martingale and score residuals, baseline hazard, from the death table
 * of a sweep at the estimate (internal scale). */
static int residuals(coxctx *c, const double *scale, const double *mean,
                     const double *beta, df_cox_fit *out)
{
    const df_cox_data *d = c->d;
    deathtab *dt = c->dt;
    size_t n = c->n, k = c->k, ndt = dt->ndt;
    int rc = DYADFIT_ERR_SYSTEM;
    /* cumulative sums over event times, ascending within each stratum:
     * index 0 of stratum s is "before the first time" */
    double *cH = df_malloc(ndt + c->ns, sizeof *cH);
    double *cG = df_malloc((ndt + c->ns) * k, sizeof *cG);
    if (!cH || !cG) goto cleanup;
    for (size_t s = 0; s < c->ns; s++) {
        size_t base = dt->first[s] + s; /* slot of the leading zero */
        cH[base] = 0;
        for (size_t j = 0; j < k; j++) cG[base * k + j] = 0;
        for (size_t u = dt->first[s]; u < dt->first[s + 1]; u++) {
            size_t o = u + s + 1;
            cH[o] = cH[o - 1] + dt->h1[u];
            for (size_t j = 0; j < k; j++)
                cG[o * k + j] = cG[(o - 1) * k + j] + dt->g1[u * k + j];
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t s = d->strata ? d->strata[i] : 0;
        size_t lo = dt->first[s], hi = dt->first[s + 1], base = lo + s;
        size_t a = d->start ? count_le(dt->time, lo, hi, d->start[i]) : 0;
        size_t b = count_le(dt->time, lo, hi, d->stop[i]);
        double r = c->r[i], dH = cH[base + b] - cH[base + a];
        int dead = d->event[i] != 0;
        size_t u = lo + b - 1; /* the event time equal to stop_i if dead */
        if (dead) dH += dt->h2[u] - dt->h1[u];
        out->martingale[i] = (dead ? 1 : 0) - r * dH;
        double w = d->weights ? d->weights[i] : 1;
        for (size_t j = 0; j < k; j++) {
            double z = c->Z[j * n + i];
            double dG = cG[(base + b) * k + j] - cG[(base + a) * k + j];
            if (dead) dG += dt->g2[u * k + j] - dt->g1[u * k + j];
            double sc = -r * (dH * z - dG);
            if (dead) sc += z - dt->xbm[u * k + j];
            /* back to the scale of X: g_j = beta_j scale_j, so
             * d/dbeta_j = scale_j d/dg_j */
            sc *= scale[j];
            out->score[j * n + i] = sc;
            out->scorew[j * n + i] = w * sc;
            if (out->schoenfeld)
                out->schoenfeld[j * n + i] =
                    dead ? (z - dt->xbm[u * k + j]) * scale[j] : 0;
        }
    }
    /* baseline hazard at x = 0, offset 0: the sweep's risk scores were
     * exp((x - mean)'beta + offset - shift) */
    double adj = c->shift;
    for (size_t j = 0; j < k; j++) adj += mean[j] * beta[j];
    double fac = exp(-adj);
    out->nhaz = ndt;
    out->haz_time = df_malloc(ndt, sizeof(double));
    out->haz_cum = df_malloc(ndt, sizeof(double));
    out->haz_stratum = df_malloc(ndt, sizeof(size_t));
    if (!out->haz_time || !out->haz_cum || !out->haz_stratum) goto cleanup;
    for (size_t s = 0; s < c->ns; s++)
        for (size_t u = dt->first[s]; u < dt->first[s + 1]; u++) {
            out->haz_time[u] = dt->time[u];
            out->haz_cum[u] = cH[u + s + 1] * fac;
            out->haz_stratum[u] = s;
        }
    rc = 0;
cleanup:
    free(cH);
    free(cG);
    return rc;
}

void df_cox_defaults(df_cox_data *d)
{
    memset(d, 0, sizeof *d);
    d->ties = DF_COX_EFRON;
    df_newton_defaults(&d->newton);
}

void df_cox_fit_free(df_cox_fit *f)
{
    if (!f) return;
    free(f->beta);
    free(f->info);
    free(f->lp);
    free(f->martingale);
    free(f->score);
    free(f->scorew);
    free(f->schoenfeld);
    free(f->haz_time);
    free(f->haz_cum);
    free(f->haz_stratum);
    memset(f, 0, sizeof *f);
}

int df_cox(const df_cox_data *d, df_cox_fit *out, dyadfit_error *err)
{
    int rc = 0;
    coxctx c;
    deathtab dt;
    sortrec *rec = NULL;
    double *mean = NULL, *scale = NULL, *g = NULL;
    size_t *dcount = NULL;
    memset(&c, 0, sizeof c);
    memset(&dt, 0, sizeof dt);
    memset(out, 0, sizeof *out);
    size_t nevents = 0;
    if ((rc = validate(d, &nevents, err))) return rc;
    size_t n = d->n, k = d->k, ns = d->strata ? d->nstrata : 1;
    c.d = d;
    c.n = n;
    c.k = k;
    c.ns = ns;
    c.Z = df_malloc(n * k, sizeof *c.Z);
    c.eta = df_malloc(n, sizeof *c.eta);
    c.r = df_malloc(n, sizeof *c.r);
    c.ord_stop = df_malloc(n, sizeof *c.ord_stop);
    c.ord_start = d->start ? df_malloc(n, sizeof *c.ord_start) : NULL;
    c.sbeg = df_calloc(ns + 1, sizeof *c.sbeg);
    c.S1 = df_malloc(k, sizeof *c.S1);
    c.S1d = df_malloc(k, sizeof *c.S1d);
    c.xb = df_malloc(k, sizeof *c.xb);
    c.S2 = df_malloc(k * k, sizeof *c.S2);
    c.S2d = df_malloc(k * k, sizeof *c.S2d);
    rec = df_malloc(n, sizeof *rec);
    mean = df_malloc(k, sizeof *mean);
    scale = df_malloc(k, sizeof *scale);
    g = df_calloc(k, sizeof *g);
    dcount = df_calloc(ns, sizeof *dcount);
    out->beta = df_malloc(k, sizeof *out->beta);
    out->info = df_malloc(k * k, sizeof *out->info);
    out->lp = df_malloc(n, sizeof *out->lp);
    out->martingale = df_malloc(n, sizeof *out->martingale);
    out->score = df_malloc(n * k, sizeof *out->score);
    out->scorew = df_malloc(n * k, sizeof *out->scorew);
    out->schoenfeld = d->schoenfeld ? df_malloc(n * k, sizeof *out->schoenfeld) : NULL;
    if ((d->schoenfeld && !out->schoenfeld) ||
        !c.Z || !c.eta || !c.r || !c.ord_stop || (d->start && !c.ord_start) ||
        !c.sbeg || !c.S1 || !c.S1d || !c.xb || !c.S2 || !c.S2d || !rec ||
        !mean || !scale || !g || !dcount || !out->beta || !out->info ||
        !out->lp || !out->martingale || !out->score || !out->scorew) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox model, n = %zu, k = %zu)", n, k);
        goto cleanup;
    }

    /* centre and scale (unweighted, as survival centres; any centring
     * leaves beta unchanged) */
    for (size_t j = 0; j < k; j++) {
        const double *x = d->X + j * n;
        double m = 0, ss = 0;
        for (size_t i = 0; i < n; i++) m += x[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
        double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
        mean[j] = m;
        scale[j] = sd > 0 ? sd : 1;
        for (size_t i = 0; i < n; i++) c.Z[j * n + i] = (x[i] - m) / scale[j];
    }

    /* sort orders: by stratum, then time descending */
    for (size_t i = 0; i < n; i++) {
        rec[i].stratum = d->strata ? d->strata[i] : 0;
        rec[i].key = d->stop[i];
        rec[i].row = i;
        c.sbeg[rec[i].stratum + 1]++;
    }
    for (size_t s = 0; s < ns; s++) c.sbeg[s + 1] += c.sbeg[s];
    qsort(rec, n, sizeof *rec, cmp_rec);
    for (size_t i = 0; i < n; i++) c.ord_stop[i] = rec[i].row;
    if (d->start) {
        for (size_t i = 0; i < n; i++) {
            rec[i].stratum = d->strata ? d->strata[i] : 0;
            rec[i].key = d->start[i];
            rec[i].row = i;
        }
        qsort(rec, n, sizeof *rec, cmp_rec);
        for (size_t i = 0; i < n; i++) c.ord_start[i] = rec[i].row;
    }

    /* distinct event times per stratum (for the residual pass) */
    for (size_t s = 0; s < ns; s++) {
        double last = NAN;
        for (size_t p = c.sbeg[s]; p < c.sbeg[s + 1]; p++) {
            size_t i = c.ord_stop[p];
            if (d->event[i] != 0 && !(d->stop[i] == last)) {
                dcount[s]++;
                last = d->stop[i];
            }
        }
        if (dcount[s] == 0) out->nstrata_noevent++;
        dt.ndt += dcount[s];
    }

    double ll0;
    if (sweep(&c, g, &ll0, NULL, NULL)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "Cox model: the partial likelihood cannot be evaluated at beta = 0");
        goto cleanup;
    }
    df_newton_status st;
    if ((rc = df_newton(objective, &c, k, g, &d->newton, &st, err))) goto cleanup;

    /* final pass at the estimate: information and the death table */
    dt.first = df_malloc(ns + 1, sizeof *dt.first);
    dt.time = df_malloc(dt.ndt, sizeof *dt.time);
    dt.h1 = df_malloc(dt.ndt, sizeof *dt.h1);
    dt.h2 = df_malloc(dt.ndt, sizeof *dt.h2);
    dt.g1 = df_malloc(dt.ndt * k, sizeof *dt.g1);
    dt.g2 = df_malloc(dt.ndt * k, sizeof *dt.g2);
    dt.xbm = df_malloc(dt.ndt * k, sizeof *dt.xbm);
    if (!dt.first || !dt.time || !dt.h1 || !dt.h2 || !dt.g1 || !dt.g2 || !dt.xbm) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox residuals, %zu event times)", dt.ndt);
        goto cleanup;
    }
    /* the sweep runs strata last to first and times descending, filling
     * the table from its end: stratum s ends where s+1 begins */
    dt.first[0] = 0;
    for (size_t s = 0; s < ns; s++) dt.first[s + 1] = dt.first[s] + dcount[s];
    c.dt = &dt;
    double ll;
    if (sweep(&c, g, &ll, NULL, out->info)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "Cox model: the partial likelihood cannot be evaluated at the estimate");
        goto cleanup;
    }
    for (size_t j = 0; j < k; j++) out->beta[j] = g[j] / scale[j];
    for (size_t j = 0; j < k; j++)
        for (size_t m = 0; m < k; m++) out->info[j * k + m] *= scale[j] * scale[m];
    for (size_t i = 0; i < n; i++) {
        double e = d->offset ? d->offset[i] : 0;
        for (size_t j = 0; j < k; j++) e += d->X[j * n + i] * out->beta[j];
        out->lp[i] = e;
    }
    if (residuals(&c, scale, mean, out->beta, out)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox residuals)");
        goto cleanup;
    }
    out->n = n;
    out->k = k;
    out->loglik = ll;
    out->loglik0 = ll0;
    out->iterations = st.iterations;
    out->converged = st.converged;
    out->max_gradient = st.max_gradient;
    memcpy(out->message, st.message, sizeof out->message);
    out->nevents = nevents;
    out->nstrata = ns;

cleanup:
    free(c.Z);
    free(c.eta);
    free(c.r);
    free(c.ord_stop);
    free(c.ord_start);
    free(c.sbeg);
    free(c.S1);
    free(c.S1d);
    free(c.xb);
    free(c.S2);
    free(c.S2d);
    free(rec);
    free(mean);
    free(scale);
    free(g);
    free(dcount);
    free(dt.first);
    free(dt.time);
    free(dt.h1);
    free(dt.h2);
    free(dt.g1);
    free(dt.g2);
    free(dt.xbm);
    if (rc) df_cox_fit_free(out);
    return rc;
}
