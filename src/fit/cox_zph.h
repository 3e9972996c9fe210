/*
 * cox_zph.h -- the proportional-hazards test of survival::cox.zph
 * (survival >= 3.0, terms = FALSE) after a Cox fit (cox_zph.c).
 *
 * For each covariate j the test is the score test, at the fitted beta and
 * gamma = 0, for adding beta_j(t) = beta_j + gamma_j g(t), with g the
 * transformed event time centred on its mean over the event rows:
 *   chisq_j = u_j^2 [I^-1]_(gamma_j, gamma_j) on the (beta, gamma_j) block
 * and GLOBAL the same with every gamma (df = k). I is the 2k x 2k
 * information of (beta, gamma); ties are handled as in the fit (Breslow or
 * Efron), risk sets are counting-process (start, stop], strata separate.
 * Transforms: identity (t), rank (average ranks of the stop times over all
 * rows), km (1 - the Kaplan-Meier estimate just before t, from all rows
 * pooled over strata, unweighted, as survfitKM).
 */
#ifndef DF_COX_ZPH_H
#define DF_COX_ZPH_H

#include <stddef.h>
#include "dyadfit.h"
#include "cox.h"

typedef struct {
    size_t k;
    double *chisq;            /* k + 1: per covariate, then GLOBAL */
    int *df;                  /* k + 1: 1 ... 1, k */
    double *p;                /* k + 1: upper chi-square tail */
} df_cox_zph_result;

/* d: the data the model was fitted to (d->ties as fitted); lp: the fit's
 * linear predictors (df_cox_fit.lp). transform: DYADFIT_ZPH_KM, _IDENTITY
 * or _RANK. Errors: DYADFIT_ERR_SPEC (transform NONE or unknown),
 * DYADFIT_ERR_ESTIM (no events, or the information is singular),
 * DYADFIT_ERR_SYSTEM. */
int df_cox_zph(const df_cox_data *d, const double *lp, dyadfit_zph transform,
               df_cox_zph_result *out, dyadfit_error *err);
void df_cox_zph_free(df_cox_zph_result *r);

#endif
