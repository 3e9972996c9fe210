/*
 * checks.h -- private to src/api: checks every estimator makes on its
 * design before fitting (checks.c).
 */
#ifndef DF_API_CHECKS_H
#define DF_API_CHECKS_H

#include <stddef.h>
#include "dyadfit.h"
#include "../design/design.h"

/* DYADFIT_ERR_DATA "N observations for K coefficients: too few" when the
 * d->n rows left after listwise deletion are no more than the k parameters
 * the estimator has (columns of X plus e.g. a scale or absorbed effects;
 * `detail`, or NULL, says what k counts). With n <= k a binary model fits
 * every row exactly, so the fit would only report separation or a
 * singular matrix. */
int df_api_check_nobs(const df_design *d, size_t k, const char *detail,
                      dyadfit_error *err);

#endif
