/* result.c -- accessors of dyadfit_result and the derived coefficient rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include "result.h"

const char *df_estimator_name(dyadfit_estimator e)
{
    switch (e) {
    case DYADFIT_LOGIT: return "logit";
    case DYADFIT_PROBIT: return "probit";
    case DYADFIT_CLOGLOG: return "cloglog";
    case DYADFIT_RELOGIT: return "relogit";
    case DYADFIT_FIRTH: return "firth";
    case DYADFIT_COX: return "cox";
    case DYADFIT_CLOGIT: return "clogit";
    case DYADFIT_FELOGIT: return "felogit";
    case DYADFIT_WEIBULL: return "weibull";
    case DYADFIT_EXPONENTIAL: return "exponential";
    }
    return "unknown";
}

const char *df_estimator_title(dyadfit_estimator e)
{
    switch (e) {
    case DYADFIT_LOGIT: return "Logistic regression";
    case DYADFIT_PROBIT: return "Probit regression";
    case DYADFIT_CLOGLOG: return "Complementary log-log regression";
    case DYADFIT_RELOGIT: return "Rare-events logistic regression";
    case DYADFIT_FIRTH: return "Penalized (Firth) logistic regression";
    case DYADFIT_COX: return "Cox proportional hazards regression";
    case DYADFIT_CLOGIT: return "Conditional (fixed-effects) logistic regression";
    case DYADFIT_FELOGIT: return "Logistic regression with absorbed fixed effects";
    case DYADFIT_WEIBULL: return "Weibull regression";
    case DYADFIT_EXPONENTIAL: return "Exponential regression";
    }
    return "Regression";
}

const char *df_vce_name(dyadfit_vce v)
{
    switch (v) {
    case DYADFIT_VCE_OIM: return "oim";
    case DYADFIT_VCE_ROBUST: return "robust";
    case DYADFIT_VCE_CLUSTER: return "cluster";
    case DYADFIT_VCE_BOOTSTRAP: return "bootstrap";
    }
    return "unknown";
}

const char *df_ssc_name(dyadfit_ssc s)
{
    switch (s) {
    case DYADFIT_SSC_STATA: return "stata";
    case DYADFIT_SSC_HC0: return "hc0";
    case DYADFIT_SSC_HC1: return "hc1";
    }
    return "unknown";
}

df_coef_row df_result_row(const dyadfit_result *r, size_t j)
{
    df_coef_row row;
    double q = gsl_cdf_ugaussian_Pinv(0.5 + r->level / 2);
    row.estimate = r->coef[j];
    row.std_error = sqrt(r->vcov[j * r->k + j]);
    row.statistic = row.estimate / row.std_error;
    /* erfc keeps precision for large |z| where 1 - Phi(|z|) underflows */
    row.p_value = erfc(fabs(row.statistic) * 0.70710678118654752440);
    row.conf_low = row.estimate - q * row.std_error;
    row.conf_high = row.estimate + q * row.std_error;
    /* estimators with other inference (profile likelihood) supply their own */
    if (r->p_value) row.p_value = r->p_value[j];
    if (r->conf_low) row.conf_low = r->conf_low[j];
    if (r->conf_high) row.conf_high = r->conf_high[j];
    return row;
}

void dyadfit_result_free(dyadfit_result *r)
{
    if (!r) return;
    free(r->formula);
    free(r->filter);
    free(r->response);
    free(r->data_path);
    if (r->terms)
        for (size_t j = 0; j < r->k; j++) free(r->terms[j]);
    free(r->terms);
    free(r->coef);
    free(r->vcov);
    free(r->cluster[0]);
    free(r->cluster[1]);
    free(r->weights);
    free(r->offset);
    free(r->spells.event);
    free(r->spells.time);
    free(r->spells.unit);
    free(r->spells.ongoing);
    free(r->spells.name);
    free(r->spells.spell_name);
    free(r->spells.drop_name);
    free(r->spells.number_name);
    free(r->spells.spline_prefix);
    free(r->notes);
    free(r->p_value);
    free(r->conf_low);
    free(r->conf_high);
    free(r->inference);
    free(r->subtitle);
    free(r);
}

size_t dyadfit_result_ncoef(const dyadfit_result *r) { return r->k; }

const char *dyadfit_result_term(const dyadfit_result *r, size_t j)
{
    return j < r->k ? r->terms[j] : NULL;
}

const double *dyadfit_result_coef(const dyadfit_result *r, size_t *k)
{
    if (k) *k = r->k;
    return r->coef;
}

const double *dyadfit_result_vcov(const dyadfit_result *r) { return r->vcov; }

const char *dyadfit_result_notes(const dyadfit_result *r)
{
    return r->notes ? r->notes : "";
}

double dyadfit_result_stat(const dyadfit_result *r, dyadfit_stat s)
{
    switch (s) {
    case DYADFIT_STAT_NOBS: return r->nobs;
    case DYADFIT_STAT_NROWS_USED: return (double)r->nrows_used;
    case DYADFIT_STAT_NROWS_DROPPED: return (double)r->nrows_dropped;
    case DYADFIT_STAT_LOGLIK: return r->loglik;
    case DYADFIT_STAT_LOGLIK0: return r->loglik0;
    case DYADFIT_STAT_PSEUDO_R2: return 1 - r->loglik / r->loglik0;
    case DYADFIT_STAT_ITERATIONS: return r->iterations;
    case DYADFIT_STAT_CONVERGED: return r->converged;
    case DYADFIT_STAT_NCLUSTER1: return (double)r->ng[0];
    case DYADFIT_STAT_NCLUSTER2: return (double)r->ng[1];
    case DYADFIT_STAT_SSC_FACTOR: return r->ssc_factor;
    case DYADFIT_STAT_MAX_GRADIENT: return r->max_gradient;
    case DYADFIT_STAT_NROWS_FILTERED: return (double)r->nrows_filtered;
    }
    return NAN;
}

/* "cluster-robust by dyad (1,234 clusters), small-sample factor stata
 * c = 1.0008" -- shared by the renderers' footers. */
void df_vce_description(const dyadfit_result *r, char *buf, size_t size)
{
    const char *info = r->information == DYADFIT_INFO_OBSERVED
                           ? "observed information" : "expected information";
    switch (r->vce) {
    case DYADFIT_VCE_OIM:
        snprintf(buf, size, "oim (inverse %s)", info);
        break;
    case DYADFIT_VCE_ROBUST:
        snprintf(buf, size, "robust (sandwich, %s), small-sample factor %s c = %.6g",
                 info, df_ssc_name(r->ssc), r->ssc_factor);
        break;
    case DYADFIT_VCE_CLUSTER:
        if (r->ncluster == 2)
            snprintf(buf, size,
                     "two-way cluster by %s (%zu) and %s (%zu), intersection %zu "
                     "(Cameron-Gelbach-Miller, %s), small-sample factor %s "
                     "c = %.6g, %.6g, %.6g",
                     r->cluster[0], r->ng[0], r->cluster[1], r->ng[1], r->ng[2],
                     info, df_ssc_name(r->ssc), r->ssc_factors[0],
                     r->ssc_factors[1], r->ssc_factors[2]);
        else
            snprintf(buf, size,
                     "cluster by %s (%zu clusters, %s), small-sample factor %s "
                     "c = %.6g",
                     r->cluster[0], r->ng[0], info, df_ssc_name(r->ssc),
                     r->ssc_factor);
        break;
    case DYADFIT_VCE_BOOTSTRAP:
        /* the replications and the seed are in the notes */
        if (r->ncluster)
            snprintf(buf, size, "bootstrap, clusters of %s resampled (%zu clusters)",
                     r->cluster[0] ? r->cluster[0] : "?", r->ng[0]);
        else
            snprintf(buf, size, "bootstrap, rows resampled");
        break;
    default:
        snprintf(buf, size, "unknown");
    }
}
