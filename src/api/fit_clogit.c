/* fit_clogit.c -- conditional logit and absorbed fixed effects (not yet
 * available). */
#include "api_int.h"

int df_api_fit_clogit(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                      dyadfit_error *err)
{
    (void)d; (void)r;
    return df_error(err, DYADFIT_ERR_SPEC, "estimator %s is not available yet",
                    df_estimator_name(m->estimator));
}
