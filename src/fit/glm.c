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
 *   X'WX accumulated with dsyrk on the block of sqrt(weight)-scaled rows.
 *   Memory beyond the design is O(block * k + k^2).
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
#include <cblas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_erf.h>
#include "fit.h"
#include "../util/util.h"

#define GLM_BLOCK_ROWS 1024
#define GLM_SQRT1_2 0.70710678118654752440
#define GLM_LN2 0.69314718055994530942
#define GLM_LN_SQRT_2PI 0.91893853320467274178

typedef struct {
    const df_design *d;
    df_link link;
    int expected;        /* curvature weight: 1 expected, 0 observed */
    int ones;            /* constant-only model: k = 1, x_i = 1 */
    size_t k;
    const double *scale; /* k: column scales (ones mode: NULL) */
    double *blk;         /* block rows x k */
    double *eta, *hw, *uw;
    double *u_out;       /* n or NULL: receives u_i */
    size_t ndetermined;  /* rows fitted with probability ~1 (last pass) */
} glm_ctx;

/* log(1 + exp(x)) without overflow or loss for large |x| */
static double log1pexp(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* log Phi(x): erfc is accurate to a few ulps until it underflows; beyond,
 * GSL's log_erfc uses the asymptotic expansion. */
static double log_pnorm(double x)
{
    double z = -x * GLM_SQRT1_2;
    double e = erfc(z);
    if (e > 1e-300) return log(0.5 * e);
    return gsl_sf_log_erfc(z) - GLM_LN2;
}

/* For one row at eta with outcome y: log-likelihood l, dl/deta, observed
 * curvature -d2l/deta2 and expected curvature f^2 / (F (1 - F)). */
static void row_eval(df_link link, double eta, double y, double *l,
                     double *dl, double *hobs, double *hexp)
{
    *l = *dl = *hobs = *hexp = 0;
    switch (link) {
    case DF_LINK_LOGIT: {
        double e = exp(-fabs(eta));
        /* mu and 1 - mu each computed without cancellation */
        double mu = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
        double mu1 = eta >= 0 ? e / (1 + e) : 1 / (1 + e);
        double lF = -log1pexp(-eta), l1F = -log1pexp(eta);
        *l = (y > 0 ? y * lF : 0) + (y < 1 ? (1 - y) * l1F : 0);
        *dl = y * mu1 - (1 - y) * mu;
        *hobs = *hexp = mu * mu1;
        break;
    }
    case DF_LINK_PROBIT: {
        double lF = log_pnorm(eta), l1F = log_pnorm(-eta);
        double lphi = -0.5 * eta * eta - GLM_LN_SQRT_2PI;
        double lam1 = exp(lphi - lF);  /* phi / Phi */
        double lam0 = exp(lphi - l1F); /* phi / (1 - Phi) */
        *l = (y > 0 ? y * lF : 0) + (y < 1 ? (1 - y) * l1F : 0);
        *dl = y * lam1 - (1 - y) * lam0;
        *hobs = (y > 0 ? y * lam1 * (eta + lam1) : 0) +
                (y < 1 ? (1 - y) * lam0 * (lam0 - eta) : 0);
        *hexp = lam1 * lam0;
        break;
    }
    case DF_LINK_CLOGLOG: {
        /* t = exp(eta) = -log(1 - mu) */
        double t = exp(eta), em = expm1(t);
        double lF = t < GLM_LN2 ? log(-expm1(-t)) : log1p(-exp(-t));
        double a = t > 1e-300 ? t / em : 1; /* f / mu; -> 1 as t -> 0 */
        /* t e^t - expm1(t) loses digits for small t: use its series */
        double c = t < 1e-3
            ? t * t * (0.5 + t * (1.0 / 3 + t * (1.0 / 8 + t / 30)))
            : t * exp(t) - em;
        double h1 = isfinite(em) ? t * c / (em * em) : 0;
        *l = (y > 0 ? y * lF : 0) + (y < 1 ? -(1 - y) * t : 0);
        *dl = y * a - (1 - y) * t;
        *hobs = (y > 0 ? y * h1 : 0) + (y < 1 ? (1 - y) * t : 0);
        *hexp = isfinite(em) ? t * a : 0;
        break;
    }
    }
}

/* The fused pass. beta here is theta, the coefficient on scaled columns. */
static int glm_objective(void *vctx, const double *theta, double *loglik,
                         double *grad, double *info)
{
    glm_ctx *c = vctx;
    const df_design *d = c->d;
    size_t n = d->n, k = c->k;
    double ll = 0;
    size_t ndet = 0;
    if (grad) memset(grad, 0, k * sizeof *grad);
    if (info) memset(info, 0, k * k * sizeof *info);
    for (size_t i0 = 0; i0 < n; i0 += GLM_BLOCK_ROWS) {
        size_t m = n - i0 < GLM_BLOCK_ROWS ? n - i0 : GLM_BLOCK_ROWS;
        double *eta = c->eta;
        for (size_t r = 0; r < m; r++)
            eta[r] = d->offset ? d->offset[i0 + r] : 0;
        if (c->ones) {
            for (size_t r = 0; r < m; r++) eta[r] += theta[0];
        } else {
            for (size_t j = 0; j < k; j++) {
                double b = theta[j] / c->scale[j];
                const double *x = d->X + j * n + i0;
                if (b != 0)
                    for (size_t r = 0; r < m; r++) eta[r] += x[r] * b;
            }
        }
        for (size_t r = 0; r < m; r++) {
            double w = d->w ? d->w[i0 + r] : 1, l, dl, ho, he;
            row_eval(c->link, eta[r], d->y[i0 + r], &l, &dl, &ho, &he);
            ll += w * l;
            if (w > 0 && l > -1e-10) ndet++;
            c->uw[r] = w * dl;
            c->hw[r] = sqrt(w * (c->expected ? he : ho));
        }
        if (c->u_out) memcpy(c->u_out + i0, c->uw, m * sizeof *c->uw);
        if (grad) {
            for (size_t j = 0; j < k; j++) {
                double s = 0;
                if (c->ones) {
                    for (size_t r = 0; r < m; r++) s += c->uw[r];
                } else {
                    const double *x = d->X + j * n + i0;
                    for (size_t r = 0; r < m; r++) s += x[r] * c->uw[r];
                    s /= c->scale[j];
                }
                grad[j] += s;
            }
        }
        if (info) {
            /* rows sqrt(h_i) z_i into the block, then H += B'B (lower) */
            for (size_t j = 0; j < k; j++) {
                double *b = c->blk + j * m;
                if (c->ones) {
                    for (size_t r = 0; r < m; r++) b[r] = c->hw[r];
                } else {
                    const double *x = d->X + j * n + i0;
                    double is = 1 / c->scale[j];
                    for (size_t r = 0; r < m; r++) b[r] = x[r] * is * c->hw[r];
                }
            }
            cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, (int)k, (int)m,
                        1.0, c->blk, (int)m, 1.0, info, (int)k);
        }
    }
    if (info)
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++) info[b * k + a] = info[a * k + b];
    c->ndetermined = ndet;
    *loglik = ll;
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

/* Checks the inputs; returns 0 or an error naming the row. */
static int glm_check(const df_design *d, double *ybar, dyadfit_error *err)
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
    for (size_t j = 0; j < d->k; j++)
        for (size_t i = 0; i < d->n; i++)
            if (!isfinite(d->X[j * d->n + i]))
                return df_error(err, DYADFIT_ERR_DATA,
                                "column %s is not finite at row %zu",
                                d->terms ? d->terms[j] : "?", i + 1);
    return 0;
}

int df_glm(const df_design *d, const df_glm_opts *o, df_glm_fit *out,
           dyadfit_error *err)
{
    int rc;
    size_t k = d->k;
    double ybar = 0;
    double *scale = NULL, *theta = NULL, *probe = NULL, *work = NULL;
    glm_ctx c;
    df_newton_status st, st0;
    df_newton_opts nopt = o->newton;

    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if ((rc = glm_check(d, &ybar, err))) goto cleanup;
    {
        /* unset (zero) options take the defaults */
        df_newton_opts def;
        df_newton_defaults(&def);
        if (nopt.maxiter <= 0) nopt.maxiter = def.maxiter;
        if (!(nopt.tol > 0)) nopt.tol = def.tol;
        if (!(nopt.gradtol > 0)) nopt.gradtol = def.gradtol;
        if (nopt.maxhalve <= 0) nopt.maxhalve = def.maxhalve;
    }

    scale = df_malloc(k, sizeof *scale);
    theta = df_calloc(k, sizeof *theta);
    probe = df_malloc(k, sizeof *probe);
    work = df_malloc(GLM_BLOCK_ROWS * (k + 3), sizeof *work);
    out->beta = df_malloc(k, sizeof *out->beta);
    out->info = df_malloc(k * k, sizeof *out->info);
    out->u = df_malloc(d->n, sizeof *out->u);
    if (!scale || !theta || !probe || !work || !out->beta || !out->info ||
        !out->u) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (glm, n = %zu, k = %zu)",
                      d->n, k);
        goto cleanup;
    }
    out->k = k;

    for (size_t j = 0; j < k; j++) {
        double mx = 0;
        const double *x = d->X + j * d->n;
        for (size_t i = 0; i < d->n; i++)
            if (fabs(x[i]) > mx) mx = fabs(x[i]);
        int e = 0;
        frexp(mx, &e); /* mx = f 2^e, f in [0.5, 1): |x / 2^e| <= 1 */
        scale[j] = (mx > 0 && !(d->intercept && j == 0)) ? ldexp(1.0, e) : 1;
    }

    c.d = d;
    c.link = o->link;
    c.k = k;
    c.scale = scale;
    c.blk = work;
    c.eta = work + GLM_BLOCK_ROWS * k;
    c.hw = c.eta + GLM_BLOCK_ROWS;
    c.uw = c.hw + GLM_BLOCK_ROWS;

    /* start: eta = offset + link(weighted mean of y) when there is an
     * intercept, eta = offset otherwise */
    if (d->intercept) theta[0] = link_fun(o->link, ybar);
    if ((rc = df_newton(glm_objective, &c, k, theta, &nopt, &st, err)))
        goto cleanup;
    out->iterations = st.iterations;
    out->converged = st.converged;
    snprintf(out->message, sizeof out->message, "%s", st.message);

    /* final pass at theta: loglik, scores and the requested information */
    c.expected = o->information == DYADFIT_INFO_EXPECTED;
    c.u_out = out->u;
    double *g = probe; /* reuse: gradient on the scaled parameters */
    glm_objective(&c, theta, &out->loglik, g, out->info);
    c.u_out = NULL;
    c.expected = 0;
    size_t ndet = c.ndetermined;
    out->max_gradient = 0;
    for (size_t j = 0; j < k; j++)
        if (fabs(g[j]) > out->max_gradient) out->max_gradient = fabs(g[j]);
    for (size_t j = 0; j < k; j++) out->beta[j] = theta[j] / scale[j];
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) out->info[b * k + a] *= scale[a] * scale[b];

    /* separation probe: only when some rows are fitted perfectly. Newton
     * steps from a genuine maximum do not move; under separation the
     * coefficients run off by O(1) per step. */
    if (ndet > 0) {
        df_newton_opts po = nopt;
        df_newton_status ps;
        dyadfit_error perr;
        po.maxiter = 5;
        po.tol = -1; /* never "converges": take the 5 steps */
        memcpy(probe, theta, k * sizeof *probe);
        int moved = 0;
        if (df_newton(glm_objective, &c, k, probe, &po, &ps, &perr) == 0) {
            for (size_t j = 0; j < k; j++)
                if (fabs(probe[j] - theta[j]) > 0.1) moved = 1;
        }
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
        if (df_newton(glm_objective, &c0, 1, &t0, &nopt, &st0, &err0) == 0)
            out->loglik0 = st0.loglik;
        else
            out->loglik0 = NAN;
    }
    rc = 0;

cleanup:
    free(scale);
    free(theta);
    free(probe);
    free(work);
    if (rc) df_glm_fit_free(out);
    return rc;
}
