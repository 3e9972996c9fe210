/* fit_cox.c -- the Cox model through the public API (not yet wired). */
#include "api_int.h"

int df_api_fit_cox(const dyadfit_table *t, const dyadfit_model *m,
                   dyadfit_result **out, dyadfit_error *err)
{
    (void)t; (void)m;
    *out = NULL;
    return df_error(err, DYADFIT_ERR_SPEC, "estimator cox is not available yet");
}
