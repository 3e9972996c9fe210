/* fit_survreg.c -- Weibull and exponential models (not yet available). */
#include "api_int.h"

int df_api_fit_survreg(const dyadfit_table *t, const dyadfit_model *m,
                       dyadfit_result **out, dyadfit_error *err)
{
    (void)t;
    *out = NULL;
    return df_error(err, DYADFIT_ERR_SPEC, "estimator %s is not available yet",
                    df_estimator_name(m->estimator));
}
