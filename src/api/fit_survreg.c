/* fit_survreg.c -- Weibull and exponential models through the public API:
 * Surv() design (the intercept put back in front of the columns), df_survreg
 * in the metric asked for, variance from the weighted per-row scores.
 *
 * Metrics: m->aft = 1 is survival::survreg's: coefficients of log time and
 * "Log(scale)". m->aft = 0 is Stata streg's proportional-hazards metric:
 * log relative hazards and the ancillary "/ln_p" = -Log(scale); its
 * variance is the delta-method transform of the AFT one (fitting in the PH
 * parameters gives it directly: see src/fit/survreg.h). The exponential
 * model has no ancillary parameter.
 *
 * Variance: oim is the inverse observed information; robust and cluster
 * are sandwiches over w_i * score_i. HC0 is survreg(robust = TRUE /
 * cluster = id); the stata preset is streg's vce(robust / cluster).
 * Weights are case weights (survreg's weights =). Left-truncated rows
 * (start > 0 in Surv(start, stop, event)) are conditioned on survival to
 * start, as streg does; survreg cannot fit them.
 *
 * strata() (Weibull, AFT metric): survreg's model, one scale per stratum
 * and shared coefficients, parameters named "Log(scale[sex=1])" in the
 * order of R's strata levels (strata_labels.c). Refused, with the reason:
 * the PH metric (no single set of hazard ratios when the scales differ),
 * the exponential model (no scale to vary; survreg stops too), a stratum
 * without events or with a single row (survreg returns a meaningless
 * scale). One stratum is no strata. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "checks.h"
#include "strata_labels.h"
#include "../fit/survreg.h"

/* Checks a model with several strata (see the header comment) and fills
 * ss (labels, R order) and *srank (caller frees): n rows' strata as
 * positions in R's order, then the design stratum id at each position. */
static int strata_prepare(const dyadfit_table *t, const dyadfit_model *m, const df_design *d,
                          df_strata_labels *ss, size_t **srank, dyadfit_error *err)
{
    const char *est = df_estimator_name(m->estimator);
    size_t n = d->n, ns = d->nstrata, *cnt = NULL;
    int rc;
    if (m->estimator != DYADFIT_WEIBULL)
        return df_error(err, DYADFIT_ERR_SPEC, "%s: strata() would give each stratum its own "
                        "scale, but the exponential model fixes the scale at 1 (survreg "
                        "stops too: \"The scale argument is not valid with multiple "
                        "strata\"); use weibull --metric aft, or factor() for stratum "
                        "intercepts", est);
    if (!m->aft)
        return df_error(err, DYADFIT_ERR_SPEC, "%s: strata() gives each stratum its own scale "
                        "(survreg's model), and then the hazard ratios exp(-b/scale) differ by "
                        "stratum: there is no single proportional-hazards metric; use "
                        "--metric aft (survreg's parameters), or factor() for stratum "
                        "intercepts with one shape", est);
    if ((rc = df_strata_labels_make(t, m->formula, d, ss, err))) return rc;
    *srank = df_malloc(n + ns, sizeof **srank);
    cnt = df_calloc(3 * ns, sizeof *cnt);   /* rows, events, first row */
    if (!*srank || !cnt) {
        free(cnt);
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (%zu strata)", ns);
    }
    for (size_t i = 0; i < n; i++) {
        size_t s = d->strata[i];
        (*srank)[i] = ss->rank[s];
        if (cnt[s]++ == 0) cnt[2 * ns + s] = d->rows[i] + 1;
        if (d->y[i] == 1) cnt[ns + s]++;
    }
    for (size_t s = 0; s < ns; s++) (*srank)[n + ss->rank[s]] = s;
    rc = DYADFIT_OK;
    for (size_t p = 0; p < ns && !rc; p++) {
        size_t s = (*srank)[n + p];
        if (cnt[s] == 1 && cnt[ns + s] == 1)
            rc = df_error(err, DYADFIT_ERR_ESTIM, "%s: stratum %s has a single observation "
                          "(row %zu): with its own scale the likelihood is unbounded (scale "
                          "-> 0 with that row fitted exactly; survreg reports a local maximum "
                          "or a scale near 0); leave the stratum out (--if) or merge strata",
                          est, ss->label[s], cnt[2 * ns + s]);
        else if (cnt[ns + s] == 0)
            rc = df_error(err, DYADFIT_ERR_ESTIM, "%s: stratum %s has no events (%zu row%s, "
                          "all censored): its scale has no maximum-likelihood estimate "
                          "(survreg stops at an arbitrary one); leave the stratum out (--if) "
                          "or merge strata", est, ss->label[s], cnt[s], cnt[s] == 1 ? "" : "s");
    }
    free(cnt);
    return rc;
}

int df_api_fit_survreg(const dyadfit_table *t, const dyadfit_model *m,
                       dyadfit_result **out, dyadfit_error *err)
{
    df_design *d = NULL;
    dyadfit_result *r = NULL;
    df_survreg_fit sf, s0;
    unsigned char *filter = NULL;
    double *X = NULL;
    df_strata_labels ss;
    size_t *srank = NULL;     /* n: each row's stratum in R's order */
    int rc;
    int weib = m->estimator == DYADFIT_WEIBULL;

    memset(&ss, 0, sizeof ss);
    memset(&sf, 0, sizeof sf);
    memset(&s0, 0, sizeof s0);
    *out = NULL;
    if (!t) return df_error(err, DYADFIT_ERR_USAGE, "no data given");
    if (m->weight_type == DYADFIT_WEIGHT_FREQUENCY && m->vce != DYADFIT_VCE_OIM)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "%s: robust or cluster variance with frequency weights is not "
                        "supported; use probability weights", df_estimator_name(m->estimator));

    df_design_spec spec;
    if ((rc = df_api_design_spec(t, m, 0, &spec, &filter, err))) goto cleanup;
    if ((rc = df_design_build_survival(t, &spec, &d, err))) goto cleanup;
    size_t ns = d->strata && d->nstrata > 1 ? d->nstrata : 1;
    if (ns > 1 && (rc = strata_prepare(t, m, d, &ss, &srank, err))) goto cleanup;
    size_t n = d->n, kx = d->k + 1, K = kx + (weib ? ns : 0);
    const size_t *sorder = srank ? srank + n : NULL;   /* design id by R position */
    if ((rc = df_api_check_nobs(d, K, !weib ? "with the intercept"
                                : ns > 1 ? "with the intercept and a log(scale) per stratum"
                                : "with the intercept and log(scale)", err)))
        goto cleanup;
    if (!(X = df_malloc(n * kx, sizeof *X)) || !(r = df_calloc(1, sizeof *r))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) X[i] = 1.0;
    if (d->k) memcpy(X + n, d->X, n * d->k * sizeof *X);
    if (df_api_copy_strings(r, m, d, t->path, t->sha256, m->cluster, m->weights, m->offset)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_api_result_init(r, m, d);
    r->information = DYADFIT_INFO_OBSERVED;

    df_survreg_data sd;
    df_survreg_defaults(&sd);
    sd.n = n;
    sd.k = kx;
    sd.X = X;
    sd.start = d->start;
    sd.stop = d->stop;
    sd.event = d->y;
    sd.weights = d->w;
    sd.offset = d->offset;
    sd.strata = srank;
    sd.nstrata = ns;
    sd.dist = weib ? DF_SURV_WEIBULL : DF_SURV_EXPONENTIAL;
    sd.metric = m->aft ? DF_SURV_AFT : DF_SURV_PH;
    sd.newton.maxiter = m->maxiter;
    sd.newton.tol = m->tolerance;
    if ((rc = df_survreg(&sd, &sf, err))) {
        /* df_survreg names rows of the design: translate to rows of the data */
        if (rc == DYADFIT_ERR_DATA && !strncmp(err->message, "row ", 4)) {
            char *end = NULL;
            unsigned long long row = strtoull(err->message + 4, &end, 10);
            if (end != err->message + 4 && row >= 1 && row <= n) {
                char msg[sizeof err->message];
                snprintf(msg, sizeof msg, "row %zu%s", d->rows[row - 1] + 1, end);
                snprintf(err->message, sizeof err->message, "%s", msg);
            }
        }
        goto cleanup;
    }

    r->k = K;
    r->terms = df_calloc(K, sizeof *r->terms);
    r->coef = df_malloc(K, sizeof *r->coef);
    r->vcov = df_malloc(K * K, sizeof *r->vcov);
    if (!r->terms || !r->coef || !r->vcov) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t j = 0; j < K; j++) {
        const char *nm = j == 0 ? "(Intercept)" : j < kx ? d->terms[j - 1]
                         : m->aft ? "Log(scale)" : "/ln_p";
        char buf[1100];
        if (j >= kx && ns > 1) {
            snprintf(buf, sizeof buf, "Log(scale[%s])", ss.label[sorder[j - kx]]);
            nm = buf;
        }
        if (!(r->terms[j] = df_strdup(nm))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
    }
    memcpy(r->coef, sf.theta, K * sizeof *r->coef);
    r->nrows_used = n;
    r->nobs = (double)n;
    if (d->w && m->weight_type == DYADFIT_WEIGHT_FREQUENCY) {
        r->nobs = 0;
        for (size_t i = 0; i < n; i++) r->nobs += d->w[i];
    }
    df_scores sc = {n, K, NULL, NULL, sf.scorew, NULL};
    if ((rc = df_api_vce(r, d, m, sf.info, &sc, err))) goto cleanup;
    r->loglik = sf.loglik;
    r->iterations = sf.iterations;
    r->converged = sf.converged;
    r->max_gradient = sf.max_gradient;

    /* the constant-only model (with the offset), for the LR test */
    r->loglik0 = NAN;
    sd.k = 1;
    dyadfit_error err0;
    int rc0 = df_survreg(&sd, &s0, &err0);
    if (rc0 == DYADFIT_ERR_INTERRUPTED) {   /* not a missing loglik0: stop */
        rc = df_error(err, rc0, "%s", err0.message);
        goto cleanup;
    }
    if (rc0 == 0 && s0.converged) r->loglik0 = s0.loglik;

    if (!(r->subtitle = df_strdup(m->aft ? "accelerated failure time metric (survreg)"
                                         : "proportional hazards metric (streg)"))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_api_note(r, "%zu events in %zu rows%s", sf.nevents, n,
                sf.truncated ? " (left-truncated rows: start > 0, conditioned on "
                               "survival to start as streg does)" : "");
    if (weib && ns == 1) {
        double sc_ = m->aft ? exp(sf.theta[kx]) : exp(-sf.theta[kx]);
        df_api_note(r, "scale = %.10g, p = 1/scale = %.10g", sc_, 1 / sc_);
    }
    if (ns > 1)
        for (size_t s = 0; s < ns; s++)
            df_api_note(r, "stratum %s: scale = %.10g", ss.label[sorder[s]],
                        exp(sf.theta[kx + s]));
    if (!sf.converged)
        df_api_note(r, "convergence not achieved: %s", sf.message);
    rc = DYADFIT_OK;
cleanup:
    df_strata_labels_free(&ss);
    free(srank);
    df_survreg_fit_free(&sf);
    df_survreg_fit_free(&s0);
    df_design_free(d);
    free(filter);
    free(X);
    if (rc) dyadfit_result_free(r);
    else *out = r;
    return rc;
}
