/*
 * relogit.c -- rare-events logit (King & Zeng 2001, "Logistic Regression in
 * Rare Events Data", Political Analysis 9:137-163).
 *
 * Input:  df_design (X n x k with the intercept in column 0, y 0/1,
 *         optional offset; no weights: relogit makes its own), options:
 *         tau (population fraction of ones) or none, prior or weighting
 *         correction, bias correction on/off, variance options.
 * Output: b^ (ML; under prior correction with the intercept shifted),
 *         bias, b~ = b^ - bias, V(b^) and V(b~) = (n/(n+k))^2 V(b^).
 *
 * Method (paper section 4):
 * - prior correction: ML logit, then b0 -= log[((1 - tau)/tau)
 *   (ybar/(1 - ybar))] (eq. 7);
 * - weighting correction: ML with case weights w1 = tau/ybar (y = 1) and
 *   w0 = (1 - tau)/(1 - ybar) (y = 0) (eq. 8); V(b^) the Huber-White
 *   sandwich by default, since the weighted information is not the
 *   variance of a weighted estimator;
 * - bias (eq. 12): bias(b^) = (X'WX)^-1 X'W xi, W = diag{pi (1 - pi) w_i},
 *   xi_i = 0.5 Q_ii [(1 + w1) pi_i - w1], Q_ii = x_i (X'WX)^-1 x_i'. With
 *   no weighting w_i = w1 = 1 (xi_i = 0.5 Q_ii (2 pi_i - 1)); the bias is
 *   taken at the uncorrected ML fit and the prior shift applied after, as
 *   the paper and Zelig do. Q_ii = ||L^-1 x_i||^2 from the Cholesky factor
 *   X'WX = LL' (df_logit_pass: blocked dtrsm, no n x n matrix).
 * - variance of b~ (eq. 14): (n/(n+k))^2 V(b^);
 * - probability (eq. 21): Pr(y = 1 | x0) ~ pi~ + C, C = (0.5 - pi~)
 *   pi~ (1 - pi~) x0 V(b~) x0'.
 *
 * Note: Zelig's relogit() uses (1 + w0) pi - w0 in xi and the case weights
 * even under prior correction; we follow the paper.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rare.h"
#include "../util/util.h"
#include "../util/lapack.h"

void df_relogit_defaults(df_relogit_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ntau = 0;
    o->correction = DF_RELOGIT_PRIOR;
    o->bias_correct = 1;
    o->vce = NULL;
    df_newton_defaults(&o->newton);
}

void df_relogit_fit_free(df_relogit_fit *f)
{
    if (!f) return;
    free(f->beta_ml);
    free(f->bias);
    free(f->beta);
    free(f->V_ml);
    free(f->V);
    f->beta_ml = f->bias = f->beta = f->V_ml = f->V = NULL;
}

static int relogit_check(const df_design *d, const df_relogit_opts *o,
                         double *ybar, dyadfit_error *err)
{
    if (!d || !d->X || !d->y || d->k == 0)
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: the model has no "
                        "coefficients");
    if (d->n == 0)
        return df_error(err, DYADFIT_ERR_DATA, "relogit: no observations");
    if (d->w)
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: weights are not "
                        "supported (the weighting correction makes its own "
                        "case weights from tau)");
    if (o->ntau < 0 || o->ntau > 1)
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: %d values of tau "
                        "(a range of two needs df_relogit_bounds)", o->ntau);
    double s = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->y[i] != 0 && d->y[i] != 1)
            return df_error(err, DYADFIT_ERR_SPEC, "relogit: the response "
                            "must be 0/1; row %zu has %g", i + 1, d->y[i]);
        s += d->y[i];
    }
    *ybar = s / (double)d->n;
    if (o->ntau == 1) {
        double tau = o->tau[0];
        if (!(tau > 0 && tau < 1))
            return df_error(err, DYADFIT_ERR_SPEC, "relogit: tau (the "
                            "population fraction of ones) must lie strictly "
                            "between 0 and 1, got %g", tau);
        if (s == 0)
            return df_error(err, DYADFIT_ERR_SPEC, "relogit: tau = %g given "
                            "but the data have no ones (events); the case-"
                            "control correction needs 0 < ybar < 1", tau);
        if (s == (double)d->n)
            return df_error(err, DYADFIT_ERR_SPEC, "relogit: tau = %g given "
                            "but the data have no zeros; the case-control "
                            "correction needs 0 < ybar < 1", tau);
        if (o->correction == DF_RELOGIT_PRIOR) {
            for (size_t i = 0; i < d->n; i++)
                if (d->X[i] != 1)
                    return df_error(err, DYADFIT_ERR_SPEC, "relogit: prior "
                                    "correction needs the intercept in "
                                    "column 1 (all ones)");
        }
    }
    return 0;
}

int df_relogit(const df_design *d, const df_relogit_opts *o,
               df_relogit_fit *out, dyadfit_error *err)
{
    df_relogit_opts def;
    df_glm_fit g;
    df_design dw;
    int rc = 0;
    double ybar = 0;
    double *wi = NULL, *pi = NULL, *q = NULL, *info = NULL, *L = NULL;
    memset(out, 0, sizeof *out);
    memset(&g, 0, sizeof g);
    if (!o) {
        df_relogit_defaults(&def);
        o = &def;
    }
    if ((rc = relogit_check(d, o, &ybar, err))) return rc;
    size_t n = d->n, k = d->k;
    int weighting = o->ntau == 1 && o->correction == DF_RELOGIT_WEIGHTING;
    out->n = n;
    out->k = k;
    out->ybar = ybar;
    out->tau = o->ntau == 1 ? o->tau[0] : ybar;
    out->w1 = out->w0 = 1;
    if (o->ntau == 1) {
        out->w1 = out->tau / ybar;
        out->w0 = (1 - out->tau) / (1 - ybar);
    }
    out->beta_ml = df_malloc(k, sizeof(double));
    out->bias = df_calloc(k, sizeof(double));
    out->beta = df_malloc(k, sizeof(double));
    out->V_ml = df_malloc(k * k, sizeof(double));
    out->V = df_malloc(k * k, sizeof(double));
    if (weighting) wi = df_malloc(n, sizeof *wi);
    if (!out->beta_ml || !out->bias || !out->beta || !out->V_ml || !out->V ||
        (weighting && !wi)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (relogit, "
                      "k = %zu)", k);
        goto cleanup;
    }

    /* (weighted) ML fit */
    dw = *d;
    if (weighting) {
        for (size_t i = 0; i < n; i++)
            wi[i] = d->y[i] == 1 ? out->w1 : out->w0;
        dw.w = wi;
    }
    df_glm_opts go;
    memset(&go, 0, sizeof go);
    go.link = DF_LINK_LOGIT;
    go.information = DYADFIT_INFO_EXPECTED;
    go.frequency_weights = 0;
    go.newton = o->newton;
    if ((rc = df_glm(&dw, &go, &g, err))) goto cleanup;
    out->loglik = g.loglik;
    out->iterations = g.iterations;
    out->converged = g.converged;
    snprintf(out->message, sizeof out->message, "%s", g.message);

    /* V(b^): inverse information, or the sandwich under weighting */
    df_vce_opts vo;
    const df_vce_opts *vp = o->vce;
    if (!vp) {
        memset(&vo, 0, sizeof vo);
        vo.type = weighting ? DYADFIT_VCE_ROBUST : DYADFIT_VCE_OIM;
        vo.ssc = DYADFIT_SSC_HC0;
        vp = &vo;
    }
    df_scores sc = { n, k, d->X, g.u, NULL, NULL };
    if ((rc = df_vce(g.info, &sc, vp, out->V_ml, NULL, err))) goto cleanup;

    memcpy(out->beta_ml, g.beta, k * sizeof(double));
    if (o->bias_correct) {
        pi = df_malloc(n, sizeof *pi);
        q = df_malloc(n, sizeof *q);
        info = df_malloc(k * k, sizeof *info);
        L = df_malloc(k * k, sizeof *L);
        if (!pi || !q || !info || !L) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (relogit "
                          "bias correction, n = %zu)", n);
            goto cleanup;
        }
        double ll;
        /* X'WX = LL' with W = pi (1 - pi) w_i, and Q_ii, at b^ */
        rc = df_logit_pass(&dw, NULL, g.beta, pi, &ll, info, L, q, err);
        if (rc) goto cleanup;
        double wb = weighting ? out->w1 : 1;
        /* right-hand side X'W xi, accumulated column by column; the
         * solve reuses the factor */
        for (size_t i = 0; i < n; i++) {
            double v = weighting ? wi[i] : 1;
            double xi = 0.5 * q[i] * ((1 + wb) * pi[i] - wb);
            q[i] = v * pi[i] * (1 - pi[i]) * xi;      /* W_i xi_i */
        }
        for (size_t j = 0; j < k; j++) {
            const double *xj = d->X + j * n;
            double s = 0;
            for (size_t i = 0; i < n; i++) s += xj[i] * q[i];
            out->bias[j] = s;
        }
        int ik = (int)k, one = 1, inf = 0;
        dpotrs_("L", &ik, &one, L, &ik, out->bias, &ik, &inf);
        if (inf != 0) {
            rc = df_error(err, DYADFIT_ERR_ESTIM, "relogit: bias correction "
                          "solve failed (LAPACK info %d)", inf);
            goto cleanup;
        }
    }
    if (o->ntau == 1 && !weighting) {
        out->prior_shift = log(((1 - out->tau) / out->tau) *
                               (ybar / (1 - ybar)));
        out->beta_ml[0] -= out->prior_shift;
    }
    double f = o->bias_correct ? (double)n / ((double)n + (double)k) : 1;
    for (size_t j = 0; j < k; j++) out->beta[j] = out->beta_ml[j] - out->bias[j];
    for (size_t j = 0; j < k * k; j++) out->V[j] = f * f * out->V_ml[j];

cleanup:
    df_glm_fit_free(&g);
    free(wi);
    free(pi);
    free(q);
    free(info);
    free(L);
    if (rc) df_relogit_fit_free(out);
    return rc;
}

int df_relogit_bounds(const df_design *d, const df_relogit_opts *o,
                      df_relogit_fit *lower, df_relogit_fit *upper,
                      dyadfit_error *err)
{
    memset(lower, 0, sizeof *lower);
    memset(upper, 0, sizeof *upper);
    if (!o || o->ntau != 2)
        return df_error(err, DYADFIT_ERR_SPEC, "relogit: a tau range needs "
                        "two values (lower, upper)");
    for (int t = 0; t < 2; t++)
        if (!(o->tau[t] > 0 && o->tau[t] < 1))
            return df_error(err, DYADFIT_ERR_SPEC, "relogit: tau (the "
                            "population fraction of ones) must lie strictly "
                            "between 0 and 1, got %g", o->tau[t]);
    df_relogit_opts a = *o;
    a.ntau = 1;
    a.tau[0] = fmin(o->tau[0], o->tau[1]);
    int rc = df_relogit(d, &a, lower, err);
    if (rc) return rc;
    a.tau[0] = fmax(o->tau[0], o->tau[1]);
    rc = df_relogit(d, &a, upper, err);
    if (rc) df_relogit_fit_free(lower);
    return rc;
}

int df_relogit_predict(const df_relogit_fit *f, const double *X0, size_t m,
                       double *p_tilde, double *p_bayes, dyadfit_error *err)
{
    if (!f || !f->beta || !f->V)
        return df_error(err, DYADFIT_ERR_USAGE, "relogit predict: no fit");
    size_t k = f->k;
    for (size_t r = 0; r < m; r++) {
        double eta = 0, qv = 0;
        for (size_t j = 0; j < k; j++) {
            double x = X0[j * m + r];
            if (!isfinite(x))
                return df_error(err, DYADFIT_ERR_DATA, "relogit predict: x0 "
                                "not finite in row %zu, column %zu", r + 1,
                                j + 1);
            eta += x * f->beta[j];
            /* x0 V x0' (V symmetric) */
            double s = 0;
            for (size_t l = 0; l < k; l++) s += f->V[j * k + l] * X0[l * m + r];
            qv += x * s;
        }
        double p = eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta));
        if (p_tilde) p_tilde[r] = p;
        if (p_bayes) p_bayes[r] = p + (0.5 - p) * p * (1 - p) * qv;
    }
    return 0;
}
