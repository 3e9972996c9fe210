/*
 * glm.c -- binomial GLM (logit, probit, cloglog) by Newton-Raphson.
 *
 * Input:  df_design (X n x k column-major, y in [0,1], optional prior
 *         weights w >= 0 and offset), link, which information to report.
 * Output: beta (original scale), information at beta (observed = negative
 *         Hessian, Stata's OIM; or expected = Fisher, R's glm), the score
 *         multiplier u_i = w_i dl_i/deta_i (so s_i = u_i x_i), loglik, the
 *         constant-only loglik0, iterations, convergence and a message.
 *
 * Numerics:
 * - Columns are scaled internally by a power of two near max |x_j| (the
 *   intercept is left alone). A power of two makes the scaling exact in
 *   floating point, so the mapping back (beta_j = theta_j / s_j,
 *   info_beta = D info_theta D) adds no rounding at all, while the
 *   Newton/Cholesky work and the gradient test see columns of unit size.
 * - One fused pass per evaluation over blocks of rows: eta, the row
 *   log-likelihood, dl/deta and the curvature weight, the gradient, and
 *   X'WX (lower triangle) accumulated by a small register-blocked kernel
 *   (for k around 15 BLAS dsyrk spends its time packing and dispatching
 *   threads: measured 2x slower). The step-halving trials ask for the
 *   log-likelihood alone, and the final information and scores come from
 *   the driver's polish pass when it lands on the estimate, so a fit costs
 *   one pass per iteration plus the start, the polish and any halving
 *   trials. Memory beyond the design is O(block + k^2).
 * - The iterations always use the observed information (true Newton,
 *   quadratic convergence; the log-likelihood of all three links is
 *   concave in eta, so it is positive semi-definite); the information of
 *   the requested type is computed once at the final beta. They coincide
 *   for logit.
 * - Tails are computed on the log scale: logit through log1p(exp(-|eta|)),
 *   probit through log Phi with the Mills ratios phi/Phi and phi/(1-Phi)
 *   formed as exp(log phi - log Phi), cloglog through expm1/log1p.
 * - Separation: when rows are fitted with probability numerically 1 for
 *   their observed outcome, a few extra Newton steps are taken from the
 *   converged point; at a genuine maximum they do not move, under
 *   separation the linear predictor keeps running off. Then converged = 0
 *   and the message names separation.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_erf.h>
#include "fit.h"
#include "glm_rows.h"
#include "kernels.h"
#include "../util/util.h"

/* Rows per block of the fused pass: the block's columns of X (4096 x k
 * doubles, 480 KB for k = 15) are read from memory once, by the eta sweep,
 * and stay in L2 for the gradient and X'WX sweeps. */
#define GLM_BLOCK_ROWS 4096
/* Designs with at least this many rows are split into two halves, one per
 * thread (a pass over 64K rows is a few ms, far above the cost of starting
 * a thread). */
#define GLM_SPLIT_ROWS ((size_t)1 << 16)

struct glm_ctx;

/* One worker's share of a pass: rows [i0, i1) and its own buffers and
 * partial sums (gradient and information on the X scale). */
typedef struct {
    struct glm_ctx *c;
    size_t i0, i1;
    int full, want_info;
    double *eta, *hw, *uw;   /* block each */
    const double **xcol;     /* k: the block's columns of X */
    double *gx;              /* k */
    double *info;            /* k x k, lower triangle */
    double ll;
    size_t ndet;
} glm_part;

typedef struct glm_ctx {
    const df_design *d;
    df_link link;
    int expected;        /* curvature weight: 1 expected, 0 observed */
    int ones;            /* constant-only model: k = 1, x_i = 1 */
    size_t k;
    const double *scale; /* k: column scales (ones mode: NULL) */
    const double *onesv; /* ones mode: GLM_BLOCK_ROWS ones, the column */
    int avx2;            /* the kernels' AVX2 compilation may run */
    double *bx;          /* k: coefficients on the X scale */
    glm_part part[2];    /* the two halves of the rows (see glm_objective) */
    double *u_out;       /* n or NULL: receives u_i on passes with info */
    size_t ndetermined;  /* rows fitted with probability ~1 (last pass) */
    /* The last pass that computed the information, kept so that the final
     * pass can be skipped when the driver's last evaluation (the polish
     * step) was at the returned estimate: theta, loglik, gradient, info
     * (observed), ndetermined; u_out then holds its scores. */
    int last_ok;
    double *last_theta, *last_grad, *last_info, last_ll;
    size_t last_ndet;
    /* DYADFIT_PASS_TIMING set: wall time of the passes with the
     * information (df_glm_last_pass_timing; bench/phases.c prints it) */
    int timing;
    size_t timed;
    double tmin, tsum;
} glm_ctx;

/* the last timed fit's passes (DYADFIT_PASS_TIMING; one fit at a time) */
static struct { size_t passes; double min, mean; } last_timing;

void df_glm_last_pass_timing(size_t *passes, double *min_s, double *mean_s)
{
    *passes = last_timing.passes;
    *min_s = last_timing.min;
    *mean_s = last_timing.mean;
}

static double glm_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *glm_range(void *vp)
{
    glm_part *p = vp;
    const glm_ctx *c = p->c;
    const df_design *d = c->d;
    size_t n = d->n, k = c->k;
    const double *w = d->w, *y = d->y, *off = d->offset;
    double ll = 0;
    size_t ndet = 0;
    memset(p->gx, 0, k * sizeof *p->gx);
    if (p->want_info) memset(p->info, 0, k * k * sizeof *p->info);
    for (size_t i0 = p->i0; i0 < p->i1; i0 += GLM_BLOCK_ROWS) {
        size_t m = p->i1 - i0 < GLM_BLOCK_ROWS ? p->i1 - i0 : GLM_BLOCK_ROWS;
        double *restrict eta = p->eta;
        if (off) memcpy(eta, off + i0, m * sizeof *eta);
        else memset(eta, 0, m * sizeof *eta);
        if (c->ones) {
            df_axpy1(eta, c->onesv, c->bx[0], m);
        } else {
            size_t j = 0, j1;
            /* skip zero coefficients (the start has only the intercept) */
            while (j < k) {
                while (j < k && c->bx[j] == 0) j++;
                if (j >= k) break;
                j1 = j + 1;
                while (j1 < k && c->bx[j1] == 0) j1++;
                if (j1 < k) {
                    df_axpy2(c->avx2, eta, d->X + j * n + i0, c->bx[j],
                          d->X + j1 * n + i0, c->bx[j1], m);
                    j = j1 + 1;
                } else {
                    df_axpy1(eta, d->X + j * n + i0, c->bx[j], m);
                    j = k;
                }
            }
        }
        if (!p->full) {
            double s = 0;
            for (size_t r = 0; r < m; r++) {
                double wr = w ? w[i0 + r] : 1;
                s += wr * row_loglik(c->link, eta[r], y[i0 + r]);
            }
            ll += s;
            continue;
        }
        /* the block's log-likelihood is summed apart and then added, exactly
         * as in the log-likelihood-only branch above: the step-halving test
         * compares values from both branches at a tolerance of 1e-13 |ll|,
         * below the rounding noise of summing differently */
        double *restrict uw = p->uw, *restrict hw = p->hw, sb = 0;
        for (size_t r = 0; r < m; r++) {
            double wr = w ? w[i0 + r] : 1, l, dl, ho, he;
            row_eval(c->link, eta[r], y[i0 + r], &l, &dl, &ho, &he);
            sb += wr * l;
            if (wr > 0 && l > -1e-10) ndet++;
            uw[r] = wr * dl;
            hw[r] = wr * (c->expected ? he : ho);
        }
        ll += sb;
        if (c->u_out && p->want_info) memcpy(c->u_out + i0, uw, m * sizeof *uw);
        for (size_t j = 0; j < k; j++) {
            const double *x = c->ones ? c->onesv : d->X + j * n + i0;
            p->xcol[j] = x;
            p->gx[j] += df_dot4(x, uw, m);
        }
        if (p->want_info) df_xwx_block(c->avx2, p->xcol, hw, m, k, p->info);
    }
    p->ll = ll;
    p->ndet = ndet;
    return NULL;
}

/* The fused pass. beta here is theta, the coefficient on scaled columns
 * (z_j = x_j / s_j). The pass works on X itself with b = theta / s and
 * rescales the gradient and information at the end: s_j are powers of two,
 * so that is exact. One sweep per block of rows: eta; then per row the
 * log-likelihood, dl/deta and the curvature weight; then the gradient
 * (dot products over the block, still in cache) and X'WX (xwx_block).
 * Without grad and info only eta and the log-likelihood are formed.
 * Large designs are split at a fixed row (the block boundary nearest the
 * middle) into two halves, the second run by a second thread; the halves'
 * sums are added in a fixed order, so the result is the same whether the
 * thread could be started (or was allowed: dyadfit_set_threads(1) runs
 * the halves one after the other), and on any number of cores. */
static int glm_objective(void *vctx, const double *theta, double *loglik,
                         double *grad, double *info)
{
    glm_ctx *c = vctx;
    size_t n = c->d->n, k = c->k;
    int full = grad || info;
    for (size_t j = 0; j < k; j++)
        c->bx[j] = c->ones ? theta[j] : theta[j] / c->scale[j];
    size_t split = n;
    if (n >= GLM_SPLIT_ROWS)
        split = (n / 2 + GLM_BLOCK_ROWS - 1) / GLM_BLOCK_ROWS * GLM_BLOCK_ROWS;
    int nparts = split < n ? 2 : 1;
    for (int q = 0; q < nparts; q++) {
        c->part[q].c = c;   /* a copied context (constant-only fit) too */
        c->part[q].full = full;
        c->part[q].want_info = info != NULL;
        c->part[q].i0 = q ? split : 0;
        c->part[q].i1 = q ? n : split;
    }
    pthread_t th;
    double t0 = c->timing && info ? glm_clock() : 0;
    int threaded = nparts == 2 && df_threads() > 1 &&
                   pthread_create(&th, NULL, glm_range, &c->part[1]) == 0;
    glm_range(&c->part[0]);
    if (threaded) pthread_join(th, NULL);
    else if (nparts == 2) glm_range(&c->part[1]);
    if (c->timing && info) {
        double dt = glm_clock() - t0;
        if (!c->timed || dt < c->tmin) c->tmin = dt;
        c->tsum += dt;
        c->timed++;
    }

    double ll = c->part[0].ll;
    size_t ndet = c->part[0].ndet;
    if (nparts == 2) {
        ll += c->part[1].ll;
        ndet += c->part[1].ndet;
    }
    if (grad)
        for (size_t j = 0; j < k; j++) {
            double g = c->part[0].gx[j] + (nparts == 2 ? c->part[1].gx[j] : 0);
            grad[j] = c->ones ? g : g / c->scale[j];
        }
    if (info) {
        for (size_t a = 0; a < k; a++)
            for (size_t b = a; b < k; b++) {
                double v = c->part[0].info[a * k + b] +
                           (nparts == 2 ? c->part[1].info[a * k + b] : 0);
                if (!c->ones) v /= c->scale[a] * c->scale[b];
                info[a * k + b] = info[b * k + a] = v;
            }
    }
    if (full) c->ndetermined = ndet;
    *loglik = ll;
    if (info && grad && !c->ones) {
        c->last_ok = isfinite(ll);
        memcpy(c->last_theta, theta, k * sizeof *theta);
        memcpy(c->last_grad, grad, k * sizeof *grad);
        memcpy(c->last_info, info, k * k * sizeof *info);
        c->last_ll = ll;
        c->last_ndet = ndet;
    }
    return isfinite(ll) ? 0 : 1;
}

static double link_fun(df_link link, double p)
{
    switch (link) {
    case DF_LINK_PROBIT: return gsl_cdf_ugaussian_Pinv(p);
    case DF_LINK_CLOGLOG: return log(-log1p(-p));
    default: return log(p / (1 - p));
    }
}

static const char *link_name(df_link l)
{
    return l == DF_LINK_PROBIT ? "probit" : l == DF_LINK_CLOGLOG ? "cloglog"
                                                                 : "logit";
}

void df_glm_fit_free(df_glm_fit *f)
{
    if (!f) return;
    free(f->beta);
    free(f->info);
    free(f->u);
    f->beta = f->info = f->u = NULL;
}

/* Checks the inputs and sets the column scales (k); returns 0 or an error
 * naming the row. */
static int glm_check(const df_design *d, double *ybar, double *scale,
                     dyadfit_error *err)
{
    double sw = 0, swy = 0;
    if (d->n == 0) return df_error(err, DYADFIT_ERR_DATA, "no observations");
    if (d->k == 0)
        return df_error(err, DYADFIT_ERR_SPEC, "the model has no coefficients");
    if (d->k > (size_t)1 << 20 || d->n > (size_t)1 << 62)
        return df_error(err, DYADFIT_ERR_SPEC, "model too large (k = %zu)", d->k);
    for (size_t i = 0; i < d->n; i++) {
        double y = d->y[i], w = d->w ? d->w[i] : 1;
        if (!(y >= 0 && y <= 1))
            return df_error(err, DYADFIT_ERR_DATA,
                            "outcome must lie in [0, 1]: %g at row %zu", y, i + 1);
        if (!(w >= 0) || !isfinite(w))
            return df_error(err, DYADFIT_ERR_DATA,
                            "weights must be finite and >= 0: %g at row %zu", w, i + 1);
        if (d->offset && !isfinite(d->offset[i]))
            return df_error(err, DYADFIT_ERR_DATA,
                            "offset is not finite at row %zu", i + 1);
        sw += w;
        swy += w * y;
    }
    if (!(sw > 0))
        return df_error(err, DYADFIT_ERR_DATA, "all weights are zero");
    *ybar = swy / sw;
    if (*ybar <= 0 || *ybar >= 1)
        return df_error(err, DYADFIT_ERR_ESTIM,
                        "outcome does not vary: every observation is %s",
                        *ybar <= 0 ? "a failure (0)" : "a success (1)");
    /* one sweep over X: finiteness and the column scales (a power of two
     * near max |x_j|: mx = f 2^e, f in [0.5, 1), so |x / 2^e| <= 1) */
    for (size_t j = 0; j < d->k; j++) {
        const double *x = d->X + j * d->n;
        double mx = 0;
        int nan = 0;
        for (size_t i = 0; i < d->n; i++) {
            double a = fabs(x[i]);
            nan |= a != a;
            mx = a > mx ? a : mx;
        }
        if (!isfinite(mx) || nan) {
            for (size_t i = 0; i < d->n; i++)
                if (!isfinite(x[i]))
                    return df_error(err, DYADFIT_ERR_DATA,
                                    "column %s is not finite at row %zu",
                                    d->terms ? d->terms[j] : "?", i + 1);
        }
        int e = 0;
        frexp(mx, &e);
        scale[j] = (mx > 0 && !(d->intercept && j == 0)) ? ldexp(1.0, e) : 1;
    }
    return 0;
}

int df_glm(const df_design *d, const df_glm_opts *o, df_glm_fit *out,
           dyadfit_error *err)
{
    int rc;
    size_t k = d->k;
    double ybar = 0;
    double *scale = NULL, *theta = NULL, *probe = NULL, *work = NULL;
    const double **xcols = NULL;
    glm_ctx c;
    df_newton_status st, st0;
    df_newton_opts nopt = o->newton;

    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    scale = df_malloc(k ? k : 1, sizeof *scale);
    if (!scale) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (glm)");
        goto cleanup;
    }
    if ((rc = glm_check(d, &ybar, scale, err))) goto cleanup;
    {
        /* unset (zero) options take the defaults */
        df_newton_opts def;
        df_newton_defaults(&def);
        if (nopt.maxiter <= 0) nopt.maxiter = def.maxiter;
        if (!(nopt.tol > 0)) nopt.tol = def.tol;
        if (!(nopt.gradtol > 0)) nopt.gradtol = def.gradtol;
        if (nopt.maxhalve <= 0) nopt.maxhalve = def.maxhalve;
    }
    /* the polish evaluation also forms the information and the scores,
     * which then make the final pass unnecessary */
    nopt.polish_info = 1;

    theta = df_calloc(k, sizeof *theta);
    probe = df_malloc(k, sizeof *probe);
    /* ones (block); bx, last_theta, last_grad (k each), last_info (k x k);
     * per part: eta, hw, uw (block each), gx (k), info (k x k) */
    size_t per_part = 3 * GLM_BLOCK_ROWS + k + k * k;
    work = df_malloc(GLM_BLOCK_ROWS + 3 * k + k * k + 2 * per_part, sizeof *work);
    xcols = (const double **)df_malloc(2 * k, sizeof *xcols);
    out->beta = df_malloc(k, sizeof *out->beta);
    out->info = df_malloc(k * k, sizeof *out->info);
    out->u = df_malloc(d->n, sizeof *out->u);
    if (!theta || !probe || !work || !xcols || !out->beta || !out->info ||
        !out->u) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (glm, n = %zu, k = %zu)",
                      d->n, k);
        goto cleanup;
    }
    out->k = k;

    c.d = d;
    c.link = o->link;
    c.k = k;
    c.scale = scale;
    c.avx2 = df_kern_avx2();
    double *onesv = work;
    for (size_t r = 0; r < GLM_BLOCK_ROWS; r++) onesv[r] = 1;
    c.onesv = onesv;
    c.bx = onesv + GLM_BLOCK_ROWS;
    c.last_theta = c.bx + k;
    c.last_grad = c.last_theta + k;
    c.last_info = c.last_grad + k;
    for (int q = 0; q < 2; q++) {
        double *pw = c.last_info + k * k + q * per_part;
        glm_part *p = &c.part[q];
        p->eta = pw;
        p->hw = pw + GLM_BLOCK_ROWS;
        p->uw = pw + 2 * GLM_BLOCK_ROWS;
        p->gx = pw + 3 * GLM_BLOCK_ROWS;
        p->info = p->gx + k;
        p->xcol = xcols + q * k;
    }

    /* start: the caller's (scaled as the columns: exact, the scales being
     * powers of two), else eta = offset + link(weighted mean of y) when
     * there is an intercept, eta = offset otherwise. The scores of every
     * pass with the information go to out->u, so that those of the polish
     * pass are there when it lands on the estimate. */
    if (o->start)
        for (size_t j = 0; j < k; j++) theta[j] = o->start[j] * scale[j];
    else if (d->intercept)
        theta[0] = link_fun(o->link, ybar);
    c.timing = getenv("DYADFIT_PASS_TIMING") != NULL;
    c.u_out = out->u;
    rc = df_newton(glm_objective, &c, k, theta, &nopt, &st, err);
    c.u_out = NULL;
    if (rc) goto cleanup;
    if (c.timing) {
        last_timing.passes = c.timed;
        last_timing.min = c.tmin;
        last_timing.mean = c.timed ? c.tsum / (double)c.timed : 0;
    }
    out->iterations = st.iterations;
    out->converged = st.converged;
    snprintf(out->message, sizeof out->message, "%s", st.message);

    /* final pass at theta: loglik, scores and the requested information,
     * unless the driver's last pass with the information was at theta and
     * computed the same information (observed = expected for logit) */
    double *g = probe; /* reuse: gradient on the scaled parameters */
    int want_expected = o->information == DYADFIT_INFO_EXPECTED &&
                        o->link != DF_LINK_LOGIT;
    size_t ndet;
    if (c.last_ok && !want_expected &&
        memcmp(c.last_theta, theta, k * sizeof *theta) == 0) {
        out->loglik = c.last_ll;
        memcpy(g, c.last_grad, k * sizeof *g);
        memcpy(out->info, c.last_info, k * k * sizeof *out->info);
        ndet = c.last_ndet;
    } else {
        c.expected = o->information == DYADFIT_INFO_EXPECTED;
        c.u_out = out->u;
        glm_objective(&c, theta, &out->loglik, g, out->info);
        c.u_out = NULL;
        c.expected = 0;
        ndet = c.ndetermined;
    }
    out->max_gradient = 0;
    for (size_t j = 0; j < k; j++)
        if (fabs(g[j]) > out->max_gradient) out->max_gradient = fabs(g[j]);
    for (size_t j = 0; j < k; j++) out->beta[j] = theta[j] / scale[j];
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) out->info[b * k + a] *= scale[a] * scale[b];

    /* separation probe: only when some rows are fitted perfectly */
    if (ndet > 0) {
        int moved = df_newton_diverges(glm_objective, &c, k, theta, &nopt, probe);
        if (moved || !st.converged) {
            out->converged = 0;
            snprintf(out->message, sizeof out->message,
                     "separation: %zu observations are predicted perfectly "
                     "(fitted probabilities numerically 0 or 1) and the %s "
                     "coefficients diverge (%d iterations%s): the "
                     "maximum-likelihood estimate does not exist", ndet,
                     link_name(o->link), st.iterations,
                     st.converged ? "" : ", no convergence");
        }
    }

    /* constant-only model with the same weights and offset. Without an
     * offset its MLE is mu = weighted mean of y for every link. */
    if (!d->offset) {
        double ll0 = 0;
        for (size_t i = 0; i < d->n; i++) {
            double w = d->w ? d->w[i] : 1, y = d->y[i];
            if (y > 0) ll0 += w * y * log(ybar);
            if (y < 1) ll0 += w * (1 - y) * log1p(-ybar);
        }
        out->loglik0 = ll0;
    } else {
        glm_ctx c0 = c;
        double t0 = link_fun(o->link, ybar);
        c0.ones = 1;
        c0.k = 1;
        c0.scale = NULL;
        dyadfit_error err0;
        int rc0 = df_newton(glm_objective, &c0, 1, &t0, &nopt, &st0, &err0);
        if (rc0 == DYADFIT_ERR_INTERRUPTED) {   /* not a missing loglik0: stop */
            rc = df_error(err, rc0, "%s", err0.message);
            goto cleanup;
        }
        out->loglik0 = rc0 == 0 ? st0.loglik : NAN;
    }
    rc = 0;

cleanup:
    free((void *)xcols);
    free(scale);
    free(theta);
    free(probe);
    free(work);
    if (rc) df_glm_fit_free(out);
    return rc;
}
