/*
 * fit_rare.c -- relogit (King & Zeng 2001) and Firth's penalised-likelihood
 * logit through the public API: model checks, the fit (src/fit/relogit.c,
 * firth.c), the model's variance options and the result's optional fields.
 *
 * relogit: the reported coefficients are b~ = b^ - bias (or b^ with
 *   no_bias_correction). V(b^) comes from df_api_vce on the (weighted) ML
 *   fit's information and scores, so every --vce (oim, robust, one- and
 *   two-way cluster, all presets) applies; the bias-corrected estimate's
 *   variance is (n/(n+k))^2 V(b^) (King & Zeng 2001, eq. 14) whatever
 *   V(b^) is. The intercept-only log likelihood is that of the same
 *   (weighted) sample fit. With a tau range (tau, tau_upper) the result is
 *   the fit at tau and a note gives the mean predicted probability at both
 *   ends (King & Zeng's bounds on a probability).
 * firth: loglik is the penalised log likelihood l(b) + 0.5 log|I(b)| and
 *   loglik0 the penalised intercept-only value, maximised over the first
 *   column with the others fixed at 0 and the penalty from the full
 *   information (as logistf's loglik["null"]). Intervals and p-values are
 *   profile penalised likelihood and penalised LR tests unless wald_ci, or
 *   unless the variance is robust/cluster (a sandwich with the modified
 *   scores; profile intervals belong to the likelihood, so Wald is used).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "checks.h"
#include "../fit/rare.h"

static double expit(double eta)
{
    return eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta));
}

/* max_j |sum_i u_i x_ij|: the gradient left at the estimate */
static double max_gradient(const df_design *d, const double *u)
{
    double g = 0;
    for (size_t j = 0; j < d->k; j++) {
        const double *xj = d->X + j * d->n;
        double s = 0;
        for (size_t i = 0; i < d->n; i++) s += xj[i] * u[i];
        if (fabs(s) > g) g = fabs(s);
    }
    return g;
}

/* ------------------------------------------------------------ relogit */

static int relogit_check(const df_design *d, const dyadfit_model *m,
                         dyadfit_error *err)
{
    if (!(m->tau >= 0 && m->tau < 1))
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: tau (the population "
                        "fraction of ones) must lie strictly between 0 and 1, "
                        "got %g", m->tau);
    if (m->tau_upper != 0) {
        if (m->tau == 0)
            return df_error(err, DYADFIT_ERR_SPEC, "relogit: --tau-upper "
                            "(%g) needs --tau, the lower end of the range",
                            m->tau_upper);
        if (!(m->tau_upper > m->tau && m->tau_upper < 1))
            return df_error(err, DYADFIT_ERR_SPEC, "relogit: --tau-upper (%g) "
                            "must lie above --tau (%g) and below 1",
                            m->tau_upper, m->tau);
    }
    if (m->correction == DYADFIT_CORRECTION_WEIGHTING && m->tau == 0)
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: the weighting "
                        "correction needs --tau (the population fraction of "
                        "ones)");
    if (m->correction != DYADFIT_CORRECTION_PRIOR &&
        m->correction != DYADFIT_CORRECTION_WEIGHTING)
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: unknown correction %d",
                        (int)m->correction);
    if (d->w)
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: weights are not "
                        "supported (the weighting correction makes its own "
                        "case weights from tau)");
    return DYADFIT_OK;
}

/* Mean predicted probability over the estimation rows at b~, plain and with
 * the approximate-Bayes correction (King & Zeng eq. 21); offset included. */
static void mean_prob(const df_design *d, const df_relogit_fit *f,
                      double *pt, double *pb)
{
    size_t n = d->n, k = d->k;
    double st = 0, sb = 0;
    for (size_t i = 0; i < n; i++) {
        double eta = d->offset ? d->offset[i] : 0, qv = 0;
        for (size_t j = 0; j < k; j++) {
            double x = d->X[j * n + i], s = 0;
            eta += x * f->beta[j];
            for (size_t l = 0; l < k; l++) s += f->V[j * k + l] * d->X[l * n + i];
            qv += x * s;
        }
        double p = expit(eta);
        st += p;
        sb += p + (0.5 - p) * p * (1 - p) * qv;
    }
    *pt = st / (double)n;
    *pb = sb / (double)n;
}

static int fit_relogit(df_design *d, const dyadfit_model *m,
                       dyadfit_result *r, dyadfit_error *err)
{
    df_relogit_fit f, fu;
    df_glm_fit g0;
    df_relogit_opts o;
    int rc;
    double *wi = NULL, *pi = NULL, *u = NULL, *info = NULL, *b = NULL,
           *ones = NULL;
    memset(&f, 0, sizeof f);
    memset(&fu, 0, sizeof fu);
    memset(&g0, 0, sizeof g0);
    if ((rc = df_api_check_nobs(d, d->k, NULL, err))) goto cleanup;
    if ((rc = relogit_check(d, m, err))) goto cleanup;
    if ((rc = df_api_separation(d, m, r, err))) goto cleanup;

    df_relogit_defaults(&o);
    o.ntau = m->tau > 0 ? 1 : 0;
    o.tau[0] = m->tau;
    o.correction = m->correction == DYADFIT_CORRECTION_WEIGHTING
                       ? DF_RELOGIT_WEIGHTING : DF_RELOGIT_PRIOR;
    o.bias_correct = !m->no_bias_correction;
    o.newton.maxiter = m->maxiter;
    o.newton.tol = m->tolerance;
    int range = m->tau_upper > 0;
    if (range) {
        o.ntau = 2;
        o.tau[1] = m->tau_upper;
        rc = df_relogit_bounds(d, &o, &f, &fu, err);
    } else {
        rc = df_relogit(d, &o, &f, err);
    }
    if (rc) goto cleanup;
    if ((rc = df_api_set_coef(r, d, f.beta, err))) goto cleanup;

    /* V(b^) with the model's variance options, from the information and
     * scores of the (weighted) ML fit at b^ before the prior shift */
    size_t n = d->n, k = d->k;
    int weighting = o.ntau >= 1 && o.correction == DF_RELOGIT_WEIGHTING;
    df_design dw = *d;
    pi = df_malloc(n, sizeof *pi);
    u = df_malloc(n, sizeof *u);
    info = df_malloc(k * k, sizeof *info);
    b = df_malloc(k, sizeof *b);
    ones = df_malloc(n, sizeof *ones);
    if (weighting) wi = df_malloc(n, sizeof *wi);
    if (!pi || !u || !info || !b || !ones || (weighting && !wi)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (relogit)");
        goto cleanup;
    }
    if (weighting) {
        for (size_t i = 0; i < n; i++) wi[i] = d->y[i] == 1 ? f.w1 : f.w0;
        dw.w = wi;
    }
    memcpy(b, f.beta_ml, k * sizeof *b);
    b[0] += f.prior_shift;
    double ll;
    if ((rc = df_logit_pass(&dw, NULL, b, pi, &ll, info, NULL, NULL, err)))
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        u[i] = (weighting ? wi[i] : 1) * (d->y[i] - pi[i]);
    df_scores sc = {n, k, d->X, u, NULL, NULL};
    if ((rc = df_api_vce(r, d, m, info, &sc, err))) goto cleanup;
    double fac = o.bias_correct ? (double)n / ((double)n + (double)k) : 1;
    for (size_t j = 0; j < k * k; j++) r->vcov[j] *= fac * fac;

    /* intercept-only fit of the same (weighted) sample, offset kept */
    for (size_t i = 0; i < n; i++) ones[i] = 1;
    df_design d0 = dw;
    d0.X = ones;
    d0.k = 1;
    df_glm_opts go;
    memset(&go, 0, sizeof go);
    go.link = DF_LINK_LOGIT;
    go.information = DYADFIT_INFO_EXPECTED;
    df_newton_defaults(&go.newton);
    go.newton.maxiter = m->maxiter;
    go.newton.tol = m->tolerance;
    if ((rc = df_glm(&d0, &go, &g0, err))) goto cleanup;

    r->loglik = f.loglik;
    r->loglik0 = g0.loglik;
    r->iterations = f.iterations;
    r->converged = f.converged;
    r->max_gradient = max_gradient(d, u);

    char sub[128];
    const char *bc = o.bias_correct ? ", bias-corrected" : ", no bias correction";
    if (o.ntau == 0)
        snprintf(sub, sizeof sub, "tau not given%s", bc);
    else
        snprintf(sub, sizeof sub, "%s, tau = %g%s",
                 weighting ? "weighting corr." : "prior correction", m->tau,
                 o.bias_correct ? ", bias-corrected" : ", no bias corr.");
    if (!(r->subtitle = df_strdup(sub))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (o.ntau == 0)
        df_api_note(r, "relogit: tau not given, so no case-control correction "
                    "(sample fraction of ones %.6g)", f.ybar);
    else if (weighting)
        df_api_note(r, "relogit: weighting correction, tau = %g, sample "
                    "fraction of ones %.6g; case weights w1 = %.6g (y = 1), "
                    "w0 = %.6g (y = 0); log likelihoods are weighted",
                    m->tau, f.ybar, f.w1, f.w0);
    else
        df_api_note(r, "relogit: prior correction, tau = %g, sample fraction "
                    "of ones %.6g; intercept shifted by -%.6g", m->tau, f.ybar,
                    f.prior_shift);
    if (o.bias_correct)
        df_api_note(r, "relogit: coefficients corrected for small-sample bias "
                    "(King & Zeng 2001 eq. 12); variance (n/(n+k))^2 V(b^) "
                    "= %.8g V(b^), V(b^) from the %s variance", fac * fac,
                    df_vce_name(m->vce));
    if (weighting && m->vce == DYADFIT_VCE_OIM)
        df_api_note(r, "relogit: under the weighting correction the inverse "
                    "weighted information understates the variance; King & "
                    "Zeng use the robust sandwich (--vce robust or cluster)");
    if (range) {
        double pt0, pb0, pt1, pb1;
        mean_prob(d, &f, &pt0, &pb0);
        mean_prob(d, &fu, &pt1, &pb1);
        df_api_note(r, "relogit: tau range (%g, %g): mean predicted "
                    "probability %.6g to %.6g (approximate Bayes %.6g to "
                    "%.6g); coefficients reported at tau = %g", m->tau,
                    m->tau_upper, pt0, pt1, pb0, pb1, m->tau);
    }
    if (!f.converged)
        df_api_note(r, "convergence not achieved: %s", f.message);
    rc = DYADFIT_OK;
cleanup:
    df_relogit_fit_free(&f);
    df_relogit_fit_free(&fu);
    df_glm_fit_free(&g0);
    free(wi);
    free(pi);
    free(u);
    free(info);
    free(b);
    free(ones);
    return rc;
}

/* -------------------------------------------------------------- Firth */

/* Penalised intercept-only log likelihood as logistf's loglik["null"]:
 * maximise l*(b) over b_0 with b_1.. = 0, the penalty 0.5 log|I(b)| from
 * the full k-column information. The derivative is the first modified
 * score U*_0 = sum x_i0 [w(y - pi) + h (0.5 - pi)]; the step divides it by
 * I_00 (the quasi-Newton step of Firth's iteration in one coordinate),
 * halved while l* falls. Without an intercept: l* at b = 0. */
static int firth_null(const df_design *d, double *out, int *conv,
                      dyadfit_error *err)
{
    size_t n = d->n, k = d->k;
    int rc = 0;
    double *b = df_calloc(k, sizeof *b), *pi = df_malloc(n, sizeof *pi),
           *q = df_malloc(n, sizeof *q), *info = df_malloc(k * k, sizeof *info),
           *L = df_malloc(k * k, sizeof *L);
    *conv = 1;
    if (!b || !pi || !q || !info || !L) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Firth null)");
        goto cleanup;
    }
    /* l*(b) = l + sum log L_jj */
#define PEN(bb, lls)                                                          \
    do {                                                                      \
        double ll_;                                                           \
        if ((rc = df_logit_pass(d, NULL, (bb), pi, &ll_, info, L, q, err)))   \
            goto cleanup;                                                     \
        lls = ll_;                                                            \
        for (size_t j_ = 0; j_ < k; j_++) lls += log(L[j_ * k + j_]);          \
    } while (0)
    double lls;
    if (d->intercept) {
        /* start at the (weighted) logit of the mean: within O(k/n) */
        double sw = 0, sy = 0;
        for (size_t i = 0; i < n; i++) {
            double v = d->w ? d->w[i] : 1;
            sw += v;
            sy += v * d->y[i];
        }
        double yb = (sy + 0.5) / (sw + 1);
        b[0] = log(yb / (1 - yb));
    }
    PEN(b, lls);
    if (!d->intercept) goto done;
    *conv = 0;
    for (int it = 0; it < 100; it++) {
        double U = 0;
        for (size_t i = 0; i < n; i++) {
            double v = d->w ? d->w[i] : 1, p = pi[i];
            double h = v * p * (1 - p) * q[i];
            U += d->X[i] * (v * (d->y[i] - p) + h * (0.5 - p));
        }
        /* l* is concave in b_0; I_00 underestimates its curvature by
         * O(k/n), so the step converges without overshooting */
        double score = fabs(U) / sqrt(info[0]), step = U / info[0];
        if (score < 1e-9 || fabs(step) <= 1e-13 * (1 + fabs(b[0]))) {
            *conv = 1;
            break;
        }
        if (step > 5) step = 5;
        if (step < -5) step = -5;
        double b0 = b[0], lnew = -INFINITY;
        int ok = 0;
        for (int h = 0; h < 30; h++) {
            b[0] = b0 + step;
            PEN(b, lnew);
            if (lnew > lls) { ok = 1; break; }
            step *= 0.5;
        }
        /* no ascent left: U carries the rounding of the hat values
         * (ill-conditioned X'X), so stop at the best point found */
        if (!ok) {
            /* no ascent left at rounding level */
            b[0] = b0;
            PEN(b, lls);
            *conv = score < 1e-5;
            break;
        }
        lls = lnew;
    }
#undef PEN
done:
    *out = lls;
cleanup:
    free(b);
    free(pi);
    free(q);
    free(info);
    free(L);
    return rc;
}

static double *copy_k(const double *x, size_t k)
{
    double *y = df_malloc(k, sizeof *y);
    if (y) memcpy(y, x, k * sizeof *y);
    return y;
}

static int fit_firth(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                     dyadfit_error *err)
{
    df_firth_fit f;
    df_firth_opts o;
    int rc;
    double *pi = NULL, *u = NULL, *info = NULL, *L = NULL, *q = NULL;
    memset(&f, 0, sizeof f);
    if (m->weights && m->weight_type == DYADFIT_WEIGHT_PROBABILITY) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "Firth logit: probability "
                      "weights are not supported (the penalised likelihood "
                      "takes frequency weights, as logistf)");
        goto cleanup;
    }
    if ((rc = df_api_check_nobs(d, d->k, NULL, err))) goto cleanup;
    int profile = !m->wald_ci && m->vce == DYADFIT_VCE_OIM;
    df_firth_defaults(&o);
    o.level = m->level;
    if (m->maxiter > o.maxiter) o.maxiter = m->maxiter;
    o.profile = profile;
    if ((rc = df_firth(d, &o, &f, err))) goto cleanup;
    if ((rc = df_api_set_coef(r, d, f.beta, err))) goto cleanup;
    if (d->w) {
        r->nobs = 0;
        for (size_t i = 0; i < d->n; i++) r->nobs += d->w[i];
    }

    /* Variance: the information X'WX at the estimate (oim gives Firth's
     * (X'WX)^-1) and the modified score contributions w(y - pi) +
     * h (0.5 - pi), which sum to zero there, for robust/cluster. */
    size_t n = d->n, k = d->k;
    pi = df_malloc(n, sizeof *pi);
    u = df_malloc(n, sizeof *u);
    q = df_malloc(n, sizeof *q);
    info = df_malloc(k * k, sizeof *info);
    L = df_malloc(k * k, sizeof *L);
    if (!pi || !u || !q || !info || !L) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Firth logit)");
        goto cleanup;
    }
    double ll;
    if ((rc = df_logit_pass(d, NULL, f.beta, pi, &ll, info, L, q, err)))
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        double v = d->w ? d->w[i] : 1, p = pi[i];
        double h = v * p * (1 - p) * q[i];
        u[i] = v * (d->y[i] - p) + h * (0.5 - p);
    }
    df_scores sc = {n, k, d->X, u, NULL, d->w};
    if ((rc = df_api_vce(r, d, m, info, &sc, err))) goto cleanup;

    double ll0 = NAN;
    int conv0;
    if ((rc = firth_null(d, &ll0, &conv0, err))) goto cleanup;
    r->loglik = f.loglik;
    r->loglik0 = ll0;
    r->iterations = f.iterations;
    r->converged = f.converged;
    r->max_gradient = max_gradient(d, u);

    if (profile) {
        r->p_value = copy_k(f.pvalue, k);
        r->conf_low = copy_k(f.ci_lower, k);
        r->conf_high = copy_k(f.ci_upper, k);
        r->inference = df_strdup("profile penalised likelihood intervals, "
                                 "penalised likelihood ratio tests");
    }
    r->subtitle = df_strdup("Firth penalised likelihood");
    if (!r->subtitle || (profile && (!r->p_value || !r->conf_low ||
                                     !r->conf_high || !r->inference))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_api_note(r, "Firth logit: log likelihoods are penalised, l(b) + 0.5 "
                "log|I(b)| (intercept-only: b_1.. = 0, full penalty, as "
                "logistf); unpenalised log likelihood %.10g", f.loglik_unpen);
    if (!m->wald_ci && !profile)
        df_api_note(r, "Firth logit: Wald intervals and p-values from the %s "
                    "variance (profile likelihood intervals go with --vce "
                    "oim only)", df_vce_name(m->vce));
    if (profile && f.profile_failures)
        df_api_note(r, "Firth logit: %d profile fits or interval searches "
                    "did not converge; intervals may be inaccurate",
                    f.profile_failures);
    if (profile)
        for (size_t j = 0; j < k; j++)
            if (isinf(f.ci_lower[j]) || isinf(f.ci_upper[j]))
                df_api_note(r, "Firth logit: the profile interval of %s is "
                            "unbounded", d->terms[j]);
    if (!conv0)
        df_api_note(r, "Firth logit: the intercept-only penalised fit did "
                    "not converge");
    if (!f.converged)
        df_api_note(r, "convergence not achieved: %s", f.message);
    rc = DYADFIT_OK;
cleanup:
    df_firth_fit_free(&f);
    free(pi);
    free(u);
    free(q);
    free(info);
    free(L);
    return rc;
}

int df_api_fit_rare(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                    dyadfit_error *err)
{
    if (m->estimator == DYADFIT_RELOGIT) return fit_relogit(d, m, r, err);
    if (m->estimator == DYADFIT_FIRTH) return fit_firth(d, m, r, err);
    return df_error(err, DYADFIT_ERR_SPEC, "estimator %s is not a rare-events "
                    "logit", df_estimator_name(m->estimator));
}
