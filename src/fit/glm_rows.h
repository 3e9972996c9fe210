/*
 * glm_rows.h -- per-row binomial log-likelihood, score and curvature for
 * the logit, probit and cloglog links. Shared by the in-memory fit
 * (glm.c) and the streaming fit (src/stream/), so both sum the very same
 * row terms. Static inline: the fused pass in glm.c calls them in its hot
 * loop, where a call across files would cost the inlining.
 */
#ifndef DF_GLM_ROWS_H
#define DF_GLM_ROWS_H

#include <math.h>
#include <gsl/gsl_sf_erf.h>
#include "fit.h"

#define GLM_SQRT1_2 0.70710678118654752440
#define GLM_LN2 0.69314718055994530942
#define GLM_LN_SQRT_2PI 0.91893853320467274178

/* log Phi(x): erfc is accurate to a few ulps until it underflows; beyond,
 * GSL's log_erfc uses the asymptotic expansion. */
static inline double log_pnorm(double x)
{
    double z = -x * GLM_SQRT1_2;
    double e = erfc(z);
    if (e > 1e-300) return log(0.5 * e);
    return gsl_sf_log_erfc(z) - GLM_LN2;
}

/* For one row at eta with outcome y: log-likelihood l, dl/deta, observed
 * curvature -d2l/deta2 and expected curvature f^2 / (F (1 - F)). */
static inline void row_eval(df_link link, double eta, double y, double *l,
                     double *dl, double *hobs, double *hexp)
{
    *l = *dl = *hobs = *hexp = 0;
    switch (link) {
    case DF_LINK_LOGIT: {
        /* one exp and one log1p: with e = exp(-|eta|) and lp = log(1 + e),
         * log mu and log(1 - mu) are -lp and -|eta| - lp in some order
         * (identical to -log1pexp(-eta) and -log1pexp(eta)), and mu, 1 - mu
         * are 1/(1+e) and e/(1+e), each free of cancellation */
        double a = fabs(eta), e = exp(-a), lp = log1p(e), inv = 1 / (1 + e);
        double lF, l1F, mu, mu1;
        if (eta >= 0) {
            lF = -lp; l1F = -a - lp; mu = inv; mu1 = e * inv;
        } else {
            lF = -a - lp; l1F = -lp; mu = e * inv; mu1 = inv;
        }
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

/* Log-likelihood contribution only (the step-halving trials need no more):
 * the same expressions as row_eval for l. */
static inline double row_loglik(df_link link, double eta, double y)
{
    if (link == DF_LINK_LOGIT) {
        double a = fabs(eta), lp = log1p(exp(-a));
        double lF = eta >= 0 ? -lp : -a - lp, l1F = eta >= 0 ? -a - lp : -lp;
        return (y > 0 ? y * lF : 0) + (y < 1 ? (1 - y) * l1F : 0);
    }
    double l, dl, ho, he;
    row_eval(link, eta, y, &l, &dl, &ho, &he);
    return l;
}

#endif
