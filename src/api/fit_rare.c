/* fit_rare.c -- relogit and Firth through the public API (not yet wired). */
#include "api_int.h"

int df_api_fit_rare(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                    dyadfit_error *err)
{
    (void)d; (void)r;
    return df_error(err, DYADFIT_ERR_SPEC, "estimator %s is not available yet",
                    df_estimator_name(m->estimator));
}
