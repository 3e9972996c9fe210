/* checks.c -- checks on a built design before any estimator runs. */
#include <stdio.h>
#include "checks.h"
#include "../util/util.h"

int df_api_check_nobs(const df_design *d, size_t k, const char *detail,
                      dyadfit_error *err)
{
    if (d->n > k) return DYADFIT_OK;
    char why[200] = "";
    size_t o = 0;
    if (d->ncollinear)
        o += (size_t)snprintf(why, sizeof why, "; %zu more term%s dropped as collinear",
                              d->ncollinear, d->ncollinear > 1 ? "s" : "");
    if (d->ndropped && o < sizeof why)
        snprintf(why + o, sizeof why - o, "; %zu row%s dropped for missing values",
                 d->ndropped, d->ndropped > 1 ? "s" : "");
    return df_error(err, DYADFIT_ERR_DATA,
                    "%zu observation%s for %zu coefficients%s%s%s: too few (the "
                    "model needs more observations than coefficients%s)",
                    d->n, d->n == 1 ? "" : "s", k, detail ? " (" : "",
                    detail ? detail : "", detail ? ")" : "", why);
}
