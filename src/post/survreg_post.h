/*
 * survreg_post.h -- predictions from a saved Weibull or exponential fit
 * (survreg_post.c): at each profile the linear predictor, the median
 * survival time and, with times, the survival S(t | x), each with a
 * delta-method standard error and interval, in the metric of the fit
 * (AFT: survival::survreg's; PH: Stata streg's).
 */
#ifndef DF_SURVREG_POST_H
#define DF_SURVREG_POST_H

#include "post.h"

/* The metric of a saved Weibull/exponential fit: 1 AFT, 0 PH, -1 when it
 * cannot be told. Weibull fits show it in their scale parameter's name
 * ("Log(scale...)" AFT, "/ln_p" PH); an exponential fit has none, so the
 * saved JSON (f->json_path) is read again: "model"."metric" ("aft"/"ph")
 * when present, else the subtitle the fit wrote. */
int df_post_survreg_metric(const df_post_fit *f);

/* For an attached Weibull/exponential fit and nprof profiles (others MEAN
 * or MEDIAN; df_post_profile_x gives the design row, which for these fits
 * has the design's columns: f->k minus the intercept and scale
 * parameters):
 *   survival = 0: per profile a row "xb" (the linear predictor, survreg's
 *     predict type = "lp" or streg's xb; normal interval, z and p), then
 *     per scale (one, or one per stratum: term "PROFILE | STRATUM") a row
 *     "median" (predict type = "quantile", p = 0.5; interval on the log
 *     scale, statistic and p.value NaN);
 *   survival = 1: per profile, scale and time a row "S(t=T)" with S(t | x),
 *     std.error by the delta method, interval on the log(-log S) scale (as
 *     the Cox curve), statistic and p.value NaN; ntimes >= 1 required.
 * DYADFIT_ERR_SPEC for another estimator or a fit whose metric cannot be
 * told; DYADFIT_ERR_USAGE for simulation, --others observed, no profile,
 * no or bad times. */
int df_post_survreg_predict(const df_post_fit *f, const df_post_profile *prof, size_t nprof,
                            int survival, const double *times, size_t ntimes,
                            const df_post_opts *o, df_post_table *out, dyadfit_error *err);

#endif
