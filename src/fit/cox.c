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
 * Cost (issue 8; 400k spells, k = 8): the sorts are LSD radix sorts on the
 * times' bits (stable, bytes shared by every row skipped); the sweep reads
 * a row-major copy of Z in sweep order (see coxctx), so a row is one or
 * two cache lines, not k misses; second moments are kept only when the
 * information is asked for; Newton's first evaluation is the
 * log-likelihood at 0 and its polish evaluation (with the information) is
 * the final pass when accepted, so neither is repeated; the n-row arrays
 * share one block and the outputs are backed by the kernel from a helper
 * thread (first touches of fresh memory were a third of the time). Every
 * sum is formed in the order of the plain sweep: the results are the same
 * to the last bit as with column-major X and qsort.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cox.h"
#include "../util/util.h"

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

/*
 * Layout: the sweep reads rows in one fixed order (by stratum, stop time
 * descending, row ascending: "sorted position" p), so everything it needs
 * is stored in that order, the covariates row-major (Z[p*k .. p*k+k-1],
 * one or two cache lines for a row): adding a row reads memory in sequence
 * and removing one (in start order, through qpos) touches a single row,
 * where column-major X by data row costs k cache misses per row. The
 * arithmetic, and the order of every sum, is that of the straightforward
 * sweep, so the results do not depend on the layout.
 */
typedef struct {
    const df_cox_data *d;
    size_t n, k, ns;
    double *Z;                /* n x k centred, scaled X, row-major by
                                 sorted position */
    double *r;                /* n workspace, by sorted position: eta, then
                                 exp(eta - max eta) */
    double *stop;             /* n stop times by sorted position */
    unsigned char *dead;      /* n events by sorted position */
    double *w;                /* n weights by sorted position, or NULL */
    double *off;              /* n offsets by sorted position, or NULL */
    double *start;            /* n start times in start order, or NULL */
    size_t *qpos;             /* n: sorted position of the q-th row in
                                 start order (by stratum, start descending) */
    double *wrq;              /* n: w r of the q-th row in start order */
    size_t *sbeg;             /* ns + 1 stratum boundaries in both orders */
    double *S1, *S2, *S1d, *S2d, *xb; /* k, k*k, k, k*k, k */
    double shift;             /* max eta subtracted in the last sweep */
    deathtab *dt;             /* filled by every sweep when non-NULL */
    /* the last evaluation, so that the fit need not repeat it: the
     * log-likelihood at 0 is Newton's first evaluation, and the final pass
     * at the estimate is Newton's polish evaluation when it was accepted */
    int have_ll0, ll0_failed;
    double ll0;
    int last_ok, last_info;   /* last sweep succeeded; formed information */
    double last_ll;
    double *last_g;           /* k */
    double *last_infomat;     /* k x k */
} coxctx;

#define COX_PREFETCH 16 /* rows ahead */

/* rank-one update S += a z z' (upper triangle only, S2[j*k+m], m >= j)
 * and S1 += a z, z one row of k values; with S2 NULL only S1 (the sweeps
 * that form no information) */
static void add_row(double *S1, double *S2, const double *z, size_t k, double a)
{
    if (!S2) {
        for (size_t j = 0; j < k; j++) S1[j] += a * z[j];
        return;
    }
    for (size_t j = 0; j < k; j++) {
        double zj = a * z[j];
        S1[j] += zj;
        for (size_t m = j; m < k; m++) S2[j * k + m] += zj * z[m];
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
    size_t n = c->n, k = c->k;
    const double *Z = c->Z, *w = c->w, *stop = c->stop, *start = c->start;
    const unsigned char *dead = c->dead;
    const size_t *qpos = c->qpos;
    double *r = c->r;
    double *S1 = c->S1, *S1d = c->S1d, *xb = c->xb;
    /* the second moments only when the information is asked for */
    double *S2 = info ? c->S2 : NULL, *S2d = info ? c->S2d : NULL;
    double ll = 0, shift = -INFINITY;

    for (size_t p = 0; p < n; p++) {
        const double *z = Z + p * k;
        double e = c->off ? c->off[p] : 0;
        for (size_t j = 0; j < k; j++) e += z[j] * g[j];
        if (!isfinite(e)) return 1;
        r[p] = e;
        if (e > shift) shift = e;
    }
    c->shift = shift;
    for (size_t p = 0; p < n; p++) r[p] = exp(r[p] - shift);
    /* w r in start order for the removals: a gather whose loads overlap,
     * where the sweep would wait for each one */
    if (start)
        for (size_t q = 0; q < n; q++) {
            size_t i = qpos[q];
            c->wrq[q] = (w ? w[i] : 1) * r[i];
        }
    if (grad) memset(grad, 0, k * sizeof *grad);
    if (info) memset(info, 0, k * k * sizeof *info);
    size_t idt = c->dt ? c->dt->ndt : 0; /* filled from the top, descending */

    for (size_t s = c->ns; s-- > 0;) {
        size_t p = c->sbeg[s], q = c->sbeg[s], end = c->sbeg[s + 1];
        size_t atrisk = 0;
        double S0 = 0;
        memset(S1, 0, k * sizeof *S1);
        if (S2) memset(S2, 0, k * k * sizeof *S2);
        while (p < end) {
            double t = stop[p];
            /* rows entering at or after t have left the risk set: they
             * were added when their (later) stop was reached */
            if (start) {
                while (q < end && start[q] >= t) {
                    /* the rows removed next: their Z rows are fetched
                     * while this one is added */
                    if (q + COX_PREFETCH < n)
                        __builtin_prefetch(Z + qpos[q + COX_PREFETCH] * k);
                    double wr = c->wrq[q];
                    size_t i = qpos[q++];
                    S0 -= wr;
                    add_row(S1, S2, Z + i * k, k, -wr);
                    /* exact zero once empty: no drift from cancellation */
                    if (--atrisk == 0) {
                        S0 = 0;
                        memset(S1, 0, k * sizeof *S1);
                        if (S2) memset(S2, 0, k * k * sizeof *S2);
                    }
                }
            }
            double S0d = 0, dw = 0;
            size_t nd = 0;
            memset(S1d, 0, k * sizeof *S1d);
            if (S2d) memset(S2d, 0, k * k * sizeof *S2d);
            for (; p < end && stop[p] == t; p++) {
                const double *z = Z + p * k;
                double wi = w ? w[p] : 1, wr = wi * r[p];
                S0 += wr;
                add_row(S1, S2, z, k, wr);
                atrisk++;
                if (dead[p]) {
                    nd++;
                    dw += wi;
                    S0d += wr;
                    add_row(S1d, S2d, z, k, wr);
                    /* eta - shift of this row, as the first loop
                     * computed it (the same sums, so the same value) */
                    double e = c->off ? c->off[p] : 0;
                    for (size_t j = 0; j < k; j++) e += z[j] * g[j];
                    ll += wi * (e - shift);
                    if (grad)
                        for (size_t j = 0; j < k; j++) grad[j] += wi * z[j];
                }
            }
            if (nd == 0) continue;
            /* Breslow: one term with weight dw; Efron: d terms, each with
             * the deaths' mean weight, the dead leaving gradually */
            int efron = c->d->ties == DF_COX_EFRON && nd > 1;
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

/* Newton's objective: a sweep, remembered (see coxctx) */
static int objective(void *ctx, const double *beta, double *loglik,
                     double *grad, double *info)
{
    coxctx *c = ctx;
    size_t k = c->k;
    int zero = 1;
    for (size_t j = 0; j < k; j++) zero &= beta[j] == 0;
    c->last_ok = 0;
    int rc = sweep(c, beta, loglik, grad, info);
    if (zero && !c->have_ll0) {
        if (rc) c->ll0_failed = 1;
        else {
            c->have_ll0 = 1;
            c->ll0 = *loglik;
        }
    }
    if (rc) return rc;
    c->last_ok = 1;
    c->last_info = info != NULL;
    c->last_ll = *loglik;
    memcpy(c->last_g, beta, k * sizeof *beta);
    if (info) memcpy(c->last_infomat, info, k * k * sizeof *info);
    return 0;
}

/* Order of the rows by stratum, then key descending, then row ascending
 * (a total order): LSD radix sort on the key's bits mapped to an unsigned
 * integer in descending order (stable, so tied keys keep the rows
 * ascending), bytes that are equal for every row skipped, then a stable
 * counting pass by stratum. ord gets n rows; work holds 2n uint64_t and
 * 2n size_t. Returns 0, or 1 when out of memory. */
static int order_by(const double *key, const size_t *strata, size_t ns,
                    size_t n, size_t *ord, void *work)
{
    uint64_t *ka = work, *kb = ka + n;
    size_t *ia = (size_t *)(kb + n), *ib = ia + n;
    size_t (*cnt)[256] = df_calloc(8, sizeof *cnt);
    int rc = 1;
    if (!cnt) goto done;
    for (size_t i = 0; i < n; i++) {
        double v = key[i] + 0.0; /* -0 -> +0: they compare equal */
        uint64_t u;
        memcpy(&u, &v, sizeof u);
        u = (u >> 63) ? ~u : u | ((uint64_t)1 << 63); /* ascending */
        u = ~u;                                          /* descending */
        ka[i] = u;
        ia[i] = i;
        for (int b = 0; b < 8; b++) cnt[b][(u >> (8 * b)) & 255]++;
    }
    for (int b = 0; b < 8; b++) {
        size_t *cb = cnt[b], sum = 0;
        int trivial = 0;
        for (int v = 0; v < 256; v++)
            if (cb[v] == n) trivial = 1;
        if (trivial) continue;
        for (int v = 0; v < 256; v++) {
            size_t t = cb[v];
            cb[v] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            size_t o = cb[(ka[i] >> (8 * b)) & 255]++;
            kb[o] = ka[i];
            ib[o] = ia[i];
        }
        uint64_t *tk = ka;
        ka = kb;
        kb = tk;
        size_t *ti = ia;
        ia = ib;
        ib = ti;
    }
    if (!strata) {
        memcpy(ord, ia, n * sizeof *ord);
    } else {
        size_t *beg = df_calloc(ns + 1, sizeof *beg);
        if (!beg) goto done;
        for (size_t i = 0; i < n; i++) beg[strata[i] + 1]++;
        for (size_t s = 0; s < ns; s++) beg[s + 1] += beg[s];
        for (size_t p = 0; p < n; p++) ord[beg[strata[ia[p]]]++] = ia[p];
        free(beg);
    }
    rc = 0;
done:
    free(cnt);
    return rc;
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
    /* branch-free: the row's times are unrelated to the last row's, so a
     * branch per step would be mispredicted half the time */
    if (hi <= lo) return 0;
    const double *b = times + lo;
    size_t len = hi - lo;
    while (len > 1) {
        size_t half = len / 2;
        b = b[half] <= t ? b + half : b;
        len -= half;
    }
    return (size_t)(b - (times + lo)) + (*b <= t);
}

/* martingale and score residuals, baseline hazard, from the death table
 * of a sweep at the estimate (internal scale). */
static int residuals(coxctx *c, const size_t *pos, const double *scale,
                     const double *mean, const double *beta, df_cox_fit *out)
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
        /* rows are visited in data order, their Z rows in sort order: ask
         * for the ones a few rows ahead */
        if (i + COX_PREFETCH < n) {
            __builtin_prefetch(c->Z + pos[i + COX_PREFETCH] * k);
            __builtin_prefetch(c->r + pos[i + COX_PREFETCH]);
        }
        size_t s = d->strata ? d->strata[i] : 0;
        size_t lo = dt->first[s], hi = dt->first[s + 1], base = lo + s;
        size_t a = d->start ? count_le(dt->time, lo, hi, d->start[i]) : 0;
        size_t b = count_le(dt->time, lo, hi, d->stop[i]);
        size_t p = pos[i];
        const double *zp = c->Z + p * k;
        double r = c->r[p], dH = cH[base + b] - cH[base + a];
        int dead = d->event[i] != 0;
        size_t u = lo + b - 1; /* the event time equal to stop_i if dead */
        if (dead) dH += dt->h2[u] - dt->h1[u];
        out->martingale[i] = (dead ? 1 : 0) - r * dH;
        double w = d->weights ? d->weights[i] : 1;
        for (size_t j = 0; j < k; j++) {
            double z = zp[j];
            double dG = cG[(base + b) * k + j] - cG[(base + a) * k + j];
            if (dead) dG += dt->g2[u * k + j] - dt->g1[u * k + j];
            double sc = -r * (dH * z - dG);
            if (dead) sc += z - dt->xbm[u * k + j];
            /* back to the scale of X: g_j = beta_j scale_j, so
             * d/dbeta_j = scale_j d/dg_j */
            sc *= scale[j];
            out->score[j * n + i] = sc;
            if (out->scorew != out->score) out->scorew[j * n + i] = w * sc;
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
    free(f->martingale); /* lp is martingale + n */
    if (f->scorew != f->score) free(f->scorew);
    free(f->score);
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
    double *mean = NULL, *scale = NULL, *g = NULL;
    size_t *dcount = NULL, *pos = NULL, *ord = NULL;
    void *arena = NULL, *sortwork = NULL;
    df_prefault *pf = NULL;
    double *xown = d->own_X;  /* freed once Z is built, on every path */
    memset(&c, 0, sizeof c);
    memset(&dt, 0, sizeof dt);
    memset(out, 0, sizeof *out);
    size_t nevents = 0;
    if ((rc = validate(d, &nevents, err))) {
        free(xown);
        return rc;
    }
    size_t n = d->n, k = d->k, ns = d->strata ? d->nstrata : 1;
    c.d = d;
    c.n = n;
    c.k = k;
    c.ns = ns;
    /* the n-row arrays in one block (fresh memory is faulted in by huge
     * pages, which a block of a few MB each would not get): Z, r (its
     * room holds the sort order ord while the fit is set up), stop, pos, then start, qpos, wrq, w, off as present, dead; each 64-byte aligned */
    size_t nk = n * k;
    if (nk / k != n || n > ((size_t)1 << 40) / (k + 16)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox model, n = %zu, k = %zu)", n, k);
        goto cleanup;
    }
#define COX_ROUND(b) (((b) + 63) & ~(size_t)63)
    size_t nb = COX_ROUND(n * sizeof(double));
    size_t nblocks = 3 + (d->start ? 3 : 0) + (d->weights ? 1 : 0) + (d->offset ? 1 : 0);
    size_t zbytes = COX_ROUND(nk * sizeof(double));
    arena = df_malloc(zbytes + nblocks * nb + COX_ROUND(n), 1);
    if (arena) {
        char *a = arena;
        c.Z = (double *)a;
        a += zbytes;
        c.r = (double *)a;
        ord = (size_t *)a;
        a += nb;
        c.stop = (double *)a;
        a += nb;
        pos = (size_t *)a;
        a += nb;
        if (d->start) {
            c.start = (double *)a;
            a += nb;
            c.qpos = (size_t *)a;
            a += nb;
            c.wrq = (double *)a;
            a += nb;
        }
        if (d->weights) {
            c.w = (double *)a;
            a += nb;
        }
        if (d->offset) {
            c.off = (double *)a;
            a += nb;
        }
        c.dead = (unsigned char *)a;
    }
#undef COX_ROUND
    c.sbeg = df_calloc(ns + 1, sizeof *c.sbeg);
    c.S1 = df_malloc(k, sizeof *c.S1);
    c.S1d = df_malloc(k, sizeof *c.S1d);
    c.xb = df_malloc(k, sizeof *c.xb);
    c.S2 = df_malloc(k * k, sizeof *c.S2);
    c.S2d = df_malloc(k * k, sizeof *c.S2d);
    c.last_g = df_malloc(k, sizeof *c.last_g);
    c.last_infomat = df_malloc(k * k, sizeof *c.last_infomat);
    mean = df_malloc(k, sizeof *mean);
    scale = df_malloc(k, sizeof *scale);
    g = df_calloc(k, sizeof *g);
    dcount = df_calloc(ns, sizeof *dcount);
    out->beta = df_malloc(k, sizeof *out->beta);
    out->info = df_malloc(k * k, sizeof *out->info);
    /* the sort's workspace (4n words) is the room of Z when it is large
     * enough (k >= 4; Z is filled after the sorts): memory touched once */
    sortwork = k >= 4 ? (void *)c.Z : df_malloc(4 * n, sizeof(uint64_t));
    if (arena) {
        /* the kernel backs the block from a helper thread while the sort
         * runs (a speed hint only) */
        void *blocks[1] = {arena};
        size_t bytes[1] = {zbytes + nblocks * nb + n};
        pf = df_prefault_start(blocks, bytes, 1);
    }
    if (!arena || !sortwork || !c.sbeg || !c.S1 || !c.S1d || !c.xb || !c.S2 || !c.S2d || !c.last_g ||
        !c.last_infomat || !mean || !scale || !g || !dcount ||
        !out->beta || !out->info) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox model, n = %zu, k = %zu)", n, k);
        goto cleanup;
    }

    /* sort orders: by stratum, then time descending, then row */
    for (size_t i = 0; i < n; i++) c.sbeg[(d->strata ? d->strata[i] : 0) + 1]++;
    for (size_t s = 0; s < ns; s++) c.sbeg[s + 1] += c.sbeg[s];
    if (order_by(d->stop, d->strata, ns, n, ord, sortwork)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox model, sorting %zu rows)", n);
        goto cleanup;
    }
    for (size_t p = 0; p < n; p++) {
        size_t i = ord[p];
        pos[i] = p;
        c.stop[p] = d->stop[i];
        c.dead[p] = d->event[i] != 0;
        if (c.w) c.w[p] = d->weights[i];
        if (c.off) c.off[p] = d->offset[i];
    }
    if (d->start) {
        if (order_by(d->start, d->strata, ns, n, ord, sortwork)) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox model, sorting %zu rows)", n);
            goto cleanup;
        }
        for (size_t q = 0; q < n; q++) {
            c.start[q] = d->start[ord[q]];
            c.qpos[q] = pos[ord[q]];
        }
    }
    if (sortwork != (void *)c.Z) free(sortwork);
    sortwork = NULL;

    /* centre and scale (unweighted, as survival centres; any centring
     * leaves beta unchanged), into the sorted row-major layout */
    for (size_t j = 0; j < k; j++) {
        const double *x = d->X + j * n;
        double m = 0, ss = 0;
        for (size_t i = 0; i < n; i++) m += x[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
        double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
        mean[j] = m;
        scale[j] = sd > 0 ? sd : 1;
    }
    for (size_t i = 0; i < n; i++) {
        double *z = c.Z + pos[i] * k;
        for (size_t j = 0; j < k; j++) z[j] = (d->X[j * n + i] - mean[j]) / scale[j];
    }
    df_prefault_end(pf);
    pf = NULL;
    /* X handed over: not needed any more (lp is then not computed) */
    free(xown);
    xown = NULL;

    /* the outputs, backed by the kernel from a helper thread while Newton
     * runs: the score residuals, w s (the same array with unit weights),
     * martingale residuals and lp in one block (freed through martingale:
     * one big block is backed by huge pages, two of n doubles may not be) */
    out->score = df_malloc(nk, sizeof *out->score);
    out->scorew = d->weights ? df_malloc(nk, sizeof *out->scorew) : out->score;
    out->schoenfeld = d->schoenfeld ? df_malloc(nk, sizeof *out->schoenfeld) : NULL;
    out->martingale = df_malloc(2 * n, sizeof *out->martingale);
    out->lp = d->own_X || !out->martingale ? NULL : out->martingale + n;
    if (!out->score || !out->scorew || (d->schoenfeld && !out->schoenfeld) ||
        !out->martingale) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox residuals, n = %zu, k = %zu)", n, k);
        goto cleanup;
    }
    {
        void *blocks[4] = {out->score, out->martingale,
                           d->weights ? out->scorew : NULL, out->schoenfeld};
        size_t bytes[4] = {nk * sizeof(double), (d->own_X ? 1 : 2) * n * sizeof(double),
                           d->weights ? nk * sizeof(double) : 0,
                           out->schoenfeld ? nk * sizeof(double) : 0};
        pf = df_prefault_start(blocks, bytes, 4);
    }

    /* distinct event times per stratum (for the residual pass) */
    for (size_t s = 0; s < ns; s++) {
        double last = NAN;
        for (size_t p = c.sbeg[s]; p < c.sbeg[s + 1]; p++) {
            if (c.dead[p] && !(c.stop[p] == last)) {
                dcount[s]++;
                last = c.stop[p];
            }
        }
        if (dcount[s] == 0) out->nstrata_noevent++;
        dt.ndt += dcount[s];
    }
    /* the death table, which every sweep fills */
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

    /* Newton from 0: its first evaluation gives the log-likelihood at 0;
     * the polish evaluation forms the information, so that when it is
     * accepted it is the final pass at the estimate */
    df_newton_opts nopt = d->newton;
    nopt.polish_info = 1;
    df_newton_status st;
    rc = df_newton(objective, &c, k, g, &nopt, &st, err);
    if (c.ll0_failed) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "Cox model: the partial likelihood cannot be evaluated at beta = 0");
        goto cleanup;
    }
    if (rc) goto cleanup;
    double ll0 = c.ll0;
    if (!c.have_ll0) { /* not reached: Newton starts at 0 */
        double *g0 = df_calloc(k, sizeof *g0);
        int bad = !g0 || objective(&c, g0, &ll0, NULL, NULL);
        free(g0);
        if (bad) {
            rc = df_error(err, DYADFIT_ERR_ESTIM, "Cox model: the partial likelihood cannot be evaluated at beta = 0");
            goto cleanup;
        }
    }

    /* final pass at the estimate: information and the death table (the
     * last evaluation when it was at g with the information) */
    double ll;
    if (c.last_ok && c.last_info && memcmp(c.last_g, g, k * sizeof *g) == 0) {
        ll = c.last_ll;
        memcpy(out->info, c.last_infomat, k * k * sizeof *out->info);
    } else if (objective(&c, g, &ll, NULL, out->info)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "Cox model: the partial likelihood cannot be evaluated at the estimate");
        goto cleanup;
    }
    df_prefault_end(pf);
    pf = NULL;
    for (size_t j = 0; j < k; j++) out->beta[j] = g[j] / scale[j];
    for (size_t j = 0; j < k; j++)
        for (size_t m = 0; m < k; m++) out->info[j * k + m] *= scale[j] * scale[m];
    if (out->lp)
        for (size_t i = 0; i < n; i++) {
            double e = d->offset ? d->offset[i] : 0;
            for (size_t j = 0; j < k; j++) e += d->X[j * n + i] * out->beta[j];
            out->lp[i] = e;
        }
    if (residuals(&c, pos, scale, mean, out->beta, out)) {
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
    df_prefault_end(pf); /* before any block is freed */
    free(xown);
    if (sortwork != (void *)c.Z) free(sortwork);
    free(arena);
    free(c.sbeg);
    free(c.S1);
    free(c.S1d);
    free(c.xb);
    free(c.S2);
    free(c.S2d);
    free(c.last_g);
    free(c.last_infomat);
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
