/*
 * survreg.h -- Weibull and exponential regression (survreg.c) for
 * right-censored and left-truncated (counting-process) data, in the AFT
 * metric of survival::survreg or the PH metric of Stata's streg.
 *
 * AFT: log T = x'b + offset + sigma W, W standard minimum extreme value;
 *      parameters (b, log sigma) ("Log(scale)" in survreg's print).
 * PH:  h(t | x) = p t^(p-1) exp(x'g + offset); parameters (g, ln p) with
 *      p = 1/sigma, g = -b/sigma (streg's default metric and its /ln_p).
 * The exponential model fixes sigma = p = 1 (no ancillary parameter).
 * Strata (AFT Weibull only, survreg's strata()): each stratum s has its own
 * sigma_s, the coefficients b are shared; parameters (b, log sigma_1 ..
 * log sigma_S). In the PH metric the hazard ratios exp(-b/sigma_s) would
 * differ by stratum, so there is no single g: refused. The exponential
 * model has no scale to vary: refused, as survreg does.
 * The log-likelihood is on the time scale (it includes -log t for each
 * event, as survreg's loglik and streg's ll). A row with start > 0 is
 * left-truncated: its contribution is conditioned on survival to start
 * (log S(stop) - log S(start)), as streg with entry times (survreg has no
 * left truncation).
 *
 * Ownership: df_survreg fills a df_survreg_fit whose arrays belong to the
 * caller until df_survreg_fit_free; the inputs are only read.
 */
#ifndef DF_SURVREG_H
#define DF_SURVREG_H

#include <stddef.h>
#include "dyadfit.h"
#include "fit.h"

typedef enum { DF_SURV_WEIBULL = 0, DF_SURV_EXPONENTIAL = 1 } df_surv_dist;
typedef enum { DF_SURV_AFT = 0, DF_SURV_PH = 1 } df_surv_metric;

typedef struct {
    size_t n, k;              /* rows, columns of X (the caller includes an
                                 intercept column if it wants one) k >= 1 */
    const double *X;          /* n x k, column-major */
    const double *start;      /* n entry times >= 0, or NULL (all 0) */
    const double *stop;       /* n exit times > start (and > 0) */
    const double *event;      /* n, 0 or 1 */
    const double *weights;    /* n case weights > 0, or NULL */
    const double *offset;     /* n, in the metric's linear predictor, or NULL */
    const size_t *strata;     /* n stratum ids in 0..nstrata-1, or NULL; each
                                 stratum gets its own log sigma (parameter
                                 k + id) */
    size_t nstrata;           /* strata when strata != NULL (>= 1) */
    df_surv_dist dist;
    df_surv_metric metric;
    df_newton_opts newton;
} df_survreg_data;

typedef struct {
    size_t n, k;              /* k: parameters (columns + 1 for Weibull, or
                                 + nstrata with strata) */
    double *theta;            /* k: coefficients, then log sigma (AFT) or
                                 ln p (PH) for Weibull, one per stratum */
    double *info;             /* k x k observed information at theta */
    double *scorew;           /* n x k column-major: w_i times the row's
                                 gradient (rows sum to the gradient) */
    double loglik;
    int iterations;
    int converged;
    double max_gradient;
    char message[256];
    size_t nevents;
    int truncated;            /* 1 when some start > 0 */
} df_survreg_fit;

void df_survreg_defaults(df_survreg_data *d);
/* Errors: DYADFIT_ERR_DATA (stop <= 0, start < 0, stop <= start, an event
 * not 0/1, a non-finite value, a weight <= 0: the message names the 1-based
 * row; a stratum id out of range), DYADFIT_ERR_SPEC (k = 0; several strata
 * with the exponential model or the PH metric), DYADFIT_ERR_ESTIM (no
 * events, a stratum without events or with a single row: "stratum N" with
 * N the 1-based id; or the likelihood cannot be evaluated),
 * DYADFIT_ERR_SYSTEM. Non-convergence is not an error (converged = 0,
 * message). */
int df_survreg(const df_survreg_data *d, df_survreg_fit *out, dyadfit_error *err);
void df_survreg_fit_free(df_survreg_fit *f);

#endif
