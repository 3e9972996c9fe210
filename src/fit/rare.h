/*
 * rare.h -- logit estimators for rare events and small samples (layer 4):
 *
 *   relogit  King & Zeng (2001), "Logistic Regression in Rare Events Data",
 *            Political Analysis 9:137-163: prior correction or weighting
 *            correction for case-control sampling (tau), small-sample bias
 *            correction, approximate-Bayes probability correction.
 *   firth    Firth (1993) penalised likelihood l(b) + 0.5 log|I(b)| as in
 *            R's logistf (Heinze & Schemper 2002): Wald SEs, profile
 *            penalised-likelihood CIs and penalised LR tests; FLIC and FLAC
 *            (Puhr, Heinze, Nold, Lusa & Geroldinger 2017).
 *
 * All take a df_design (X n x k column-major, y 0/1, optional w, offset).
 * Out-structs are owned by the caller and released with the matching
 * *_free (safe on a zeroed or partly filled struct).
 */
#ifndef DF_RARE_H
#define DF_RARE_H

#include <stddef.h>
#include "dyadfit.h"
#include "fit.h"
#include "../design/design.h"
#include "../vce/vce.h"

/* ----- shared logit pass (firth.c) ----- */

/* One pass at beta over blocks of rows, with row weight
 * v_i = (d->w ? d->w[i] : 1) * (rw ? rw[i] : 1):
 *   pi (n, or NULL), loglik = sum v_i [y log pi + (1 - y) log(1 - pi)],
 *   info = X' diag(v pi (1 - pi)) X (k x k, full symmetric, dsyrk),
 *   L = its lower Cholesky factor (k x k) when L != NULL,
 *   q (n) with q_i = x_i' info^-1 x_i = ||L^-1 x_i||^2 when q != NULL
 *   (needs L; never forms an n x n matrix).
 * Returns 0, DYADFIT_ERR_ESTIM when info is not positive definite (a
 * message names the problem), DYADFIT_ERR_SYSTEM when out of memory. */
int df_logit_pass(const df_design *d, const double *rw, const double *beta,
                  double *pi, double *loglik, double *info, double *L,
                  double *q, dyadfit_error *err);

/* ----- relogit (relogit.c) ----- */

typedef enum {
    DF_RELOGIT_PRIOR = 0,     /* ML fit, intercept shifted by the prior */
    DF_RELOGIT_WEIGHTING = 1  /* weighted ML, w1 = tau/ybar, w0 = ... */
} df_relogit_correction;

typedef struct {
    int ntau;                 /* 0: no case-control correction (tau = ybar),
                                 1: tau[0], 2: range tau[0]..tau[1]
                                 (df_relogit_bounds only) */
    double tau[2];            /* population fraction of ones, in (0, 1) */
    df_relogit_correction correction;
    int bias_correct;         /* default 1 */
    /* Variance of the uncorrected b^ before the (n/(n+k))^2 factor. NULL:
     * inverse information for prior/no correction; robust sandwich with
     * c = 1 (HC0) under weighting, as King & Zeng recommend. */
    const df_vce_opts *vce;
    df_newton_opts newton;
} df_relogit_opts;

typedef struct {
    size_t n, k;
    double tau, ybar;         /* tau = ybar when ntau == 0 */
    double w1, w0;            /* case weights (1, 1 without weighting) */
    double *beta_ml;          /* k: b^ (weighted ML; prior shift applied) */
    double *bias;             /* k: (X'WX)^-1 X'W xi (zeros if no correction) */
    double *beta;             /* k: b~ = b^ - bias */
    double *V_ml;             /* k x k: V(b^) */
    double *V;                /* k x k: (n/(n+k))^2 V(b^) (V(b^) if no bias
                                 correction) */
    double prior_shift;       /* log[((1-tau)/tau)(ybar/(1-ybar))], 0 if none */
    double loglik;            /* of the (weighted) ML fit */
    int iterations, converged;
    char message[256];
} df_relogit_fit;

void df_relogit_defaults(df_relogit_opts *o);
/* Errors: DYADFIT_ERR_SPEC (tau outside (0,1), ntau == 2, y not 0/1, no
 * ones or no zeros with tau given, prior correction without an intercept
 * in column 0, weights in the design: relogit makes its own), and
 * DYADFIT_ERR_ESTIM / _SYSTEM from the fit. */
int df_relogit(const df_design *d, const df_relogit_opts *o,
               df_relogit_fit *out, dyadfit_error *err);
/* Fits at tau[0] and tau[1] (o->ntau == 2; lower <- min, upper <- max). */
int df_relogit_bounds(const df_design *d, const df_relogit_opts *o,
                      df_relogit_fit *lower, df_relogit_fit *upper,
                      dyadfit_error *err);
void df_relogit_fit_free(df_relogit_fit *f);

/* For m rows x0 (X0 m x k column-major): p_tilde = logistic(x0 b~) and
 * p_bayes = p_tilde + C, C = (0.5 - p~) p~ (1 - p~) x0 V(b~) x0'. Either
 * output may be NULL. */
int df_relogit_predict(const df_relogit_fit *f, const double *X0, size_t m,
                       double *p_tilde, double *p_bayes, dyadfit_error *err);

/* ----- Firth logit (firth.c) ----- */

typedef struct {
    int maxiter;              /* default 200 */
    int maxhalve;             /* step halvings per iteration, default 30 */
    double maxstep;           /* largest |change| of a coefficient per
                                 iteration, default 5 (logistf) */
    double xconv;             /* max |delta_j| / (1 + |b_j|), default 1e-12 */
    double gconv;             /* max |U*_j| / sqrt(I_jj), default 1e-9 */
    int profile;              /* profile CIs and penalised LR tests (1) */
    /* V (and se): 0 = I(b)^-1 = (X'WX)^-1 (Firth; brglm2, Stata's
     * firthlogit, logistf < 1.24); 1 = (X' diag(pi (1 - pi) (w + h)) X)^-1,
     * the information of the data augmented with the pseudo-observations
     * (logistf >= 1.24 reports this one). Default 0. */
    int augmented_variance;
    double level;             /* default 0.95 */
} df_firth_opts;

typedef struct {
    size_t n, k;
    double *beta;             /* k */
    double *V;                /* k x k: I(b)^-1 at the estimate (or the
                                 augmented-data variance, see options) */
    double *se;               /* k: Wald */
    double *hat;              /* n: diag of W^1/2 X I^-1 X' W^1/2 */
    double *ci_lower, *ci_upper; /* k: profile penalised-likelihood CI (NULL
                                 without profile); +-INFINITY if unbounded */
    double *chisq, *pvalue;   /* k: penalised LR test of b_j = 0 */
    double loglik;            /* penalised: l + 0.5 log|I| */
    double loglik_unpen;      /* l(b) */
    int iterations, converged;
    double max_score;         /* max |U*_j| / sqrt(I_jj) at the end */
    int profile_failures;     /* profile fits / root searches that failed */
    char message[256];
} df_firth_fit;

void df_firth_defaults(df_firth_opts *o);
/* Errors: DYADFIT_ERR_SPEC (y not in [0, 1], negative weight, k == 0),
 * DYADFIT_ERR_ESTIM (information singular, e.g. collinear X),
 * DYADFIT_ERR_SYSTEM. Non-convergence is a flag + message, not an error. */
int df_firth(const df_design *d, const df_firth_opts *o, df_firth_fit *out,
             dyadfit_error *err);
void df_firth_fit_free(df_firth_fit *f);

/* FLIC: Firth fit, then the intercept (column 1, must be all ones) refitted
 * by ML with the Firth linear predictor (without intercept) as offset. V =
 * (X'WX)^-1 at the FLIC fitted values (se from it; logistf::flic reports
 * only the intercept's SE that way); intercept CI and test are Wald, the
 * other CIs/tests and the hat values are the Firth fit's (as logistf).
 * FLAC: ML fit on the data augmented with pseudo-observations (x_i, y_i)
 * and (x_i, 1 - y_i) weighted h_i / 2 and an indicator column for them
 * (the offset, if any, carried to every copy); beta, V, se and the profile
 * likelihood CIs/tests exclude the indicator (as logistf::flac). FLAC
 * leaves hat NULL. */
int df_flic(const df_design *d, const df_firth_opts *o, df_firth_fit *out,
            dyadfit_error *err);
int df_flac(const df_design *d, const df_firth_opts *o, df_firth_fit *out,
            dyadfit_error *err);

#endif
