/*
 * fit.c -- dyadfit_fit and dyadfit_fit_matrix: the one path every caller
 * takes, table (or arrays) -> design -> estimator -> variance -> result.
 * The CLI and the R package both come through here, so the numbers cannot
 * depend on the path taken.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "../vce/bootstrap.h"

void dyadfit_model_init(dyadfit_model *m)
{
    memset(m, 0, sizeof *m);
    m->estimator = DYADFIT_LOGIT;
    m->weight_type = DYADFIT_WEIGHT_NONE;
    m->vce = DYADFIT_VCE_OIM;
    m->ssc = DYADFIT_SSC_STATA;
    m->information = DYADFIT_INFO_OBSERVED;
    m->maxiter = 100;
    m->tolerance = 1e-10;
    m->level = 0.95;
    m->reps = DF_BOOT_DEFAULT_REPS;
    m->seed = DF_BOOT_DEFAULT_SEED;
}

/* Dispatch on a built design to the estimator family. */
static int estimate(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                    dyadfit_error *err)
{
    df_api_result_init(r, m, d);
    switch (m->estimator) {
    case DYADFIT_RELOGIT:
    case DYADFIT_FIRTH:
        return df_api_fit_rare(d, m, r, err);
    case DYADFIT_CLOGIT:
    case DYADFIT_FELOGIT:
        return df_api_fit_clogit(d, m, r, err);
    case DYADFIT_COX:
        return df_error(err, DYADFIT_ERR_SPEC, "a Cox model needs a table with a Surv() formula");
    default:
        return df_api_fit_binomial(d, m, r, err);
    }
}

int dyadfit_fit(const dyadfit_table *t, const dyadfit_model *m,
                dyadfit_result **out, dyadfit_error *err)
{
    unsigned char *filter = NULL;
    df_design *d = NULL;
    dyadfit_result *r = NULL;
    int rc;

    *out = NULL;
    df_gsl_quiet();
    if ((rc = df_api_check_model(m, err))) return rc;
    if (m->spells) return df_api_fit_spells(t, m, out, err);
    if (m->estimator == DYADFIT_COX) return df_api_fit_cox(t, m, out, err);
    if (m->estimator == DYADFIT_WEIBULL || m->estimator == DYADFIT_EXPONENTIAL)
        return df_api_fit_survreg(t, m, out, err);

    df_design_spec spec;
    if ((rc = df_api_design_spec(t, m, 1, &spec, &filter, err))) goto cleanup;
    if ((rc = df_design_build(t, &spec, &d, err))) goto cleanup;
    if (!(r = df_calloc(1, sizeof *r))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (df_api_copy_strings(r, m, d, t->path, t->sha256, m->cluster, m->weights, m->offset)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    rc = estimate(d, m, r, err);
cleanup:
    free(filter);
    df_design_free(d);
    if (rc) dyadfit_result_free(r);
    else *out = r;
    return rc;
}

int dyadfit_fit_matrix(const dyadfit_matrix *x, const dyadfit_model *m,
                       dyadfit_result **out, dyadfit_error *err)
{
    df_design *d = NULL;
    dyadfit_result *r = NULL;
    dyadfit_model mm = *m;
    int rc;

    *out = NULL;
    df_gsl_quiet();
    if (!mm.formula) mm.formula = "";
    mm.weights = x->weights ? "(weights)" : NULL;
    mm.offset = x->offset ? "(offset)" : NULL;
    mm.cluster[0] = x->cluster[0] ? (x->cluster_names[0] ? x->cluster_names[0] : "cluster1") : NULL;
    mm.cluster[1] = x->cluster[0] && x->cluster[1]
                        ? (x->cluster_names[1] ? x->cluster_names[1] : "cluster2") : NULL;
    if (mm.weight_type == DYADFIT_WEIGHT_NONE && x->weights)
        mm.weight_type = DYADFIT_WEIGHT_FREQUENCY;
    if (!x->weights) mm.weight_type = DYADFIT_WEIGHT_NONE;
    if (!*mm.formula) mm.formula = "(design matrix)";
    if ((rc = df_api_check_model(&mm, err))) return rc;
    if ((rc = df_design_from_matrix(x, 1, &d, err))) goto cleanup;
    /* cluster ids serve the cluster variance and the cluster bootstrap */
    if (mm.vce != DYADFIT_VCE_CLUSTER && mm.vce != DYADFIT_VCE_BOOTSTRAP) d->ncluster = 0;
    if (!(r = df_calloc(1, sizeof *r))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (df_api_copy_strings(r, &mm, d, NULL, "", mm.cluster, mm.weights, mm.offset)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    rc = estimate(d, &mm, r, err);
cleanup:
    df_design_free(d);
    if (rc) dyadfit_result_free(r);
    else *out = r;
    return rc;
}
