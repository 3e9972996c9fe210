/*
 * cox.h -- Cox proportional hazards model (cox.c), counting-process form,
 * matched to R's survival::coxph (agfit4.c / coxfit6.c).
 *
 * Ownership: df_cox fills a df_cox_fit whose arrays belong to the caller
 * until df_cox_fit_free (free them only through it: lp lives in
 * martingale's block, and scorew is score itself when there are no
 * weights); the input arrays are only read, except own_X.
 */
#ifndef DF_COX_H
#define DF_COX_H

#include <stddef.h>
#include "dyadfit.h"
#include "fit.h"

typedef enum { DF_COX_BRESLOW = 0, DF_COX_EFRON = 1 } df_cox_ties;

typedef struct {
    size_t n, k;              /* rows, covariates (k >= 1, no intercept) */
    const double *X;          /* n x k, column-major */
    double *own_X;            /* NULL, or X itself handed over (a block
                                 from df_malloc the caller forgets): df_cox
                                 frees it as soon as it has its centred
                                 copy, on every path, errors included, and
                                 then leaves lp NULL (it needs X); peak
                                 memory is then one n x k array lower */
    const double *start;      /* n entry times, or NULL (right-censored:
                                 every row at risk from -infinity) */
    const double *stop;       /* n exit times; a row is at risk at t when
                                 start < t <= stop */
    const double *event;      /* n, 0 (censored) or 1 (event at stop) */
    const double *weights;    /* n case weights > 0, or NULL */
    const double *offset;     /* n, or NULL */
    const size_t *strata;     /* n dense ids 0..nstrata-1, or NULL */
    size_t nstrata;           /* ignored when strata is NULL */
    df_cox_ties ties;
    df_newton_opts newton;
    int schoenfeld;           /* 1: also fill df_cox_fit.schoenfeld */
} df_cox_data;

typedef struct {
    size_t n, k;
    double *beta;             /* k */
    double *info;             /* k x k observed information at beta */
    double loglik;            /* partial log-likelihood at beta */
    double loglik0;           /* at beta = 0 (with offset): coxph loglik[1] */
    int iterations;
    int converged;
    double max_gradient;      /* in the internal (centred, scaled) metric */
    char message[256];        /* why Newton stopped when not converged */
    size_t nevents;           /* rows with event = 1 */
    size_t nstrata;           /* 1 when unstratified */
    size_t nstrata_noevent;   /* strata without any event (they add nothing) */
    double *lp;               /* n: x_i'beta + offset_i (uncentred), or
                                 NULL when own_X was given */
    double *martingale;       /* n: residuals(fit, "martingale") */
    double *score;            /* n x k: residuals(fit, "score"), unweighted */
    double *scorew;           /* n x k: w_i * score_i, rows sum to the
                                 gradient; the S that df_vce sums (these
                                 are probability-weight scores: pass no
                                 fw to df_vce) */
    double *schoenfeld;       /* n x k when asked for (d->schoenfeld), else
                                 NULL: residuals(fit, "schoenfeld") at the
                                 event rows (x_i minus the risk-set mean at
                                 the row's time, Efron-averaged over tied
                                 deaths), 0 at censored rows */
    /* Baseline cumulative hazard at x = 0 and offset 0 (survival's
     * basehaz(fit, centered = FALSE)): one row per distinct event time in
     * each stratum, strata in order, times ascending. Breslow fits give the
     * Breslow estimator, Efron fits the Efron-adjusted one, as survfit's
     * default ctype does. */
    size_t nhaz;
    double *haz_time;
    double *haz_cum;
    size_t *haz_stratum;
} df_cox_fit;

/* Fills d with defaults: no start/weights/offset/strata, Efron ties, the
 * default Newton options. Callers then set n, k, X, stop, event. */
void df_cox_defaults(df_cox_data *d);

/* Fits the model. Errors: DYADFIT_ERR_DATA (a row with stop <= start, an
 * event not 0/1, a non-finite value, a weight <= 0, a stratum id out of
 * range; the message names the 1-based row), DYADFIT_ERR_SPEC (k = 0),
 * DYADFIT_ERR_ESTIM (no events), DYADFIT_ERR_SYSTEM. Non-convergence is
 * not an error: converged = 0 and message. On error out holds nothing. */
int df_cox(const df_cox_data *d, df_cox_fit *out, dyadfit_error *err);
void df_cox_fit_free(df_cox_fit *f);

/* Variance (vce layer, called by the caller, not here): df_vce(info,
 * &(df_scores){.n = n, .k = k, .S = scorew}, ...). With DYADFIT_VCE_CLUSTER
 * and DYADFIT_SSC_HC0 that is coxph(..., cluster = id)'s robust variance
 * (survival applies no small-sample factor); DYADFIT_SSC_STATA multiplies
 * it by G/(G-1) as stcox's vce(cluster) does. Robust without clusters:
 * DYADFIT_VCE_ROBUST with HC0 is coxph(..., robust = TRUE) with one row
 * per subject. */

#endif
