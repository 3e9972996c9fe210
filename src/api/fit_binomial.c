/* fit_binomial.c -- logit, probit and cloglog from a design: the
 * separation check, the Newton fit and the variance. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "checks.h"
#include "../fit/separation_lp.h"
#include "../vce/bootstrap.h"

/* Separation: by default an error naming the terms; with drop_separated the
 * terms and the rows they predict are dropped, as Stata's logit does. */
int df_api_separation(df_design *d, const dyadfit_model *m,
                             dyadfit_result *r, dyadfit_error *err)
{
    unsigned char *dropcol = df_calloc(d->k, 1), *droprow = df_calloc(d->n, 1);
    char report[400];
    int rc = DYADFIT_OK;
    report[0] = 0;
    if (!dropcol || !droprow) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    size_t nproblems = df_separation_check(d, dropcol, droprow, report, sizeof report);
    if (nproblems == 0) goto cleanup;
    size_t len = strlen(report);
    while (len && report[len - 1] == '\n') report[--len] = 0;
    if (!m->drop_separated) {
        rc = df_error(err, DYADFIT_ERR_ESTIM,
                      "separation: %s; estimates would not exist. Use Firth's "
                      "logit, or --drop-separated to drop these terms and the "
                      "rows they predict (as Stata does)", report);
        goto cleanup;
    }
    size_t nrows = 0;
    for (size_t i = 0; i < d->n; i++) nrows += droprow[i];
    if (nrows == d->n) {
        rc = df_error(err, DYADFIT_ERR_ESTIM,
                      "separation: %s; dropping would leave no rows", report);
        goto cleanup;
    }
    for (size_t j = 0; j < d->k; j++) dropcol[j] = !dropcol[j];
    for (size_t i = 0; i < d->n; i++) droprow[i] = !droprow[i];
    df_api_note(r, "separation: %s; dropped those terms and %zu rows", report, nrows);
    r->nrows_dropped += nrows;
    rc = df_design_subset(d, droprow, dropcol, err);
cleanup:
    free(dropcol);
    free(droprow);
    return rc;
}

/* After a fit that did not converge: the separation LP names the terms
 * whose estimates diverge, when a combination of terms (which the
 * per-column check before the fit cannot see) separates the outcome. */
static void lp_separation_note(const df_design *d, dyadfit_result *r)
{
    int *dir = df_calloc(d->k, sizeof *dir), sep = 0;
    dyadfit_error e;
    char list[400];
    size_t o = 0;
    if (!dir) return;
    list[0] = 0;
    if (df_separation_lp(d, dir, &sep, &e) == 0 && sep) {
        for (size_t j = 0; j < d->k && o < sizeof list - 80; j++)
            if (dir[j])
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s %s",
                                      o ? ", " : "", d->terms[j],
                                      dir[j] > 0 ? "+Inf" : "-Inf");
        df_api_note(r, "separation by a combination of terms: infinite "
                    "estimates for %s; use Firth's logit (dyadfit fit firth)", list);
    }
    free(dir);
}

static df_link link_of(dyadfit_estimator e)
{
    return e == DYADFIT_PROBIT ? DF_LINK_PROBIT
         : e == DYADFIT_CLOGLOG ? DF_LINK_CLOGLOG : DF_LINK_LOGIT;
}

/* A bootstrap replication: the same design with the replication's row
 * weights (X, y, offset and cluster ids shared, not copied), fitted by the
 * same Newton fit as the full sample, started from the full sample's
 * estimate (as Stata's bootstrap and R's boot-style refits). */
typedef struct {
    const df_design *d;
    const df_glm_opts *go;
    double *work;              /* k x k */
} boot_ctx;

static int boot_refit(void *vctx, const double *w, double *beta,
                      dyadfit_error *err)
{
    boot_ctx *c = vctx;
    df_design dd = *c->d;
    df_glm_fit g;
    dyadfit_error e = {0, ""};
    dd.w = (double *)w;
    /* a column that predicts the outcome perfectly in the rows drawn (the
     * check the full sample had, rows of weight 0 ignored): the MLE does
     * not exist, and Newton may still stop, "converged", at a coefficient
     * of -20 that would swamp the variance. Stata's bootstrap leaves such
     * replications out too (the coefficient cannot be estimated there). */
    if (df_separation_check(&dd, NULL, NULL, NULL, 0)) return DF_BOOT_NOT_CONVERGED;
    int rc = df_glm(&dd, c->go, &g, &e);
    if (rc == DYADFIT_ERR_SYSTEM || rc == DYADFIT_ERR_INTERRUPTED)
        return df_error(err, rc, "bootstrap replication: %s", e.message);
    if (rc) return DF_BOOT_DEGENERATE;   /* e.g. the outcome does not vary */
    int st = DF_BOOT_OK;
    if (!g.converged) st = DF_BOOT_NOT_CONVERGED;
    /* a coefficient the sample does not identify (a column that is zero
     * in every row drawn) leaves the information singular */
    else if (df_spd_inverse(g.info, dd.k, c->work)) st = DF_BOOT_DEGENERATE;
    else memcpy(beta, g.beta, dd.k * sizeof *beta);
    df_glm_fit_free(&g);
    return st;
}

/* The bootstrap variance of a fitted binomial model into r->vcov: the
 * replications (shared between MPI ranks when the command line set
 * df_boot_set_dist), their covariance, and notes saying how many
 * there were, the seed, and how many failed. beta and info are the full
 * sample's; every replication starts from beta. */
static int bootstrap_vce(dyadfit_result *r, const df_design *d,
                         const dyadfit_model *m, const df_glm_opts *go,
                         const double *beta, const double *info,
                         dyadfit_error *err)
{
    df_vce_opts vo;
    df_vce_info vi;
    df_boot_opts bo;
    df_boot_info bi;
    /* replications need no expected information (probit, cloglog): the
     * observed one tells whether the sample identifies every coefficient */
    df_glm_opts rgo = *go;
    rgo.information = DYADFIT_INFO_OBSERVED;
    rgo.start = beta;
    boot_ctx c = {d, &rgo, NULL};
    int rc;
    /* the full sample's information must be invertible, as for every
     * other variance (the message names the coefficient) */
    memset(&vo, 0, sizeof vo);
    memset(&vi, 0, sizeof vi);
    vo.type = DYADFIT_VCE_OIM;
    df_scores sc = {d->n, d->k, d->X, NULL, NULL, NULL};
    if ((rc = df_vce(info, &sc, &vo, r->vcov, &vi, err))) return rc;

    memset(&bo, 0, sizeof bo);
    bo.n = d->n;
    bo.k = d->k;
    bo.cl = d->ncluster ? d->cl[0] : NULL;
    bo.ng = d->ncluster ? d->ng[0] : 0;
    bo.w = d->w;
    bo.fweights = d->w && m->weight_type == DYADFIT_WEIGHT_FREQUENCY;
    bo.wname = m->weights;
    bo.rows = d->rows;
    bo.reps = m->reps;
    bo.seed = m->seed;
    bo.dist = df_boot_get_dist();
    if (!(c.work = df_malloc(d->k ? d->k * d->k : 1, sizeof *c.work)))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    /* with an allocation failure here the processes still agree on it */
    if (!c.work) {
        if (bo.dist && bo.dist->size > 1 && bo.dist->agree) bo.dist->agree(rc, err);
        return rc;
    }
    rc = df_bootstrap(&bo, boot_refit, &c, r->vcov, &bi, err);
    free(c.work);
    if (rc) return rc;

    r->ssc_factor = 1;
    memset(r->ssc_factors, 0, sizeof r->ssc_factors);
    r->ssc_factors[0] = 1;
    r->ncluster = bo.cl ? 1 : 0;
    memset(r->ng, 0, sizeof r->ng);
    r->ng[0] = bo.ng;
    if (bo.cl)
        df_api_note(r, "bootstrap: %d replications (seed %lu), each drawing %zu clusters "
                    "of %s with replacement", bi.reps, m->seed, bo.ng,
                    m->cluster[0] ? m->cluster[0] : "the cluster variable");
    else if (bo.fweights)
        df_api_note(r, "bootstrap: %d replications (seed %lu), each drawing %.17g "
                    "observations (the frequency weights' sum) with replacement",
                    bi.reps, m->seed, r->nobs);
    else
        df_api_note(r, "bootstrap: %d replications (seed %lu), each drawing %zu rows "
                    "with replacement", bi.reps, m->seed, d->n);
    if (bi.failed)
        df_api_note(r, "%d of %d bootstrap replications failed (%d did not converge or "
                    "were separated, %d had a singular or degenerate sample; the first: "
                    "replication %d) and were left out: the variance is that of the %d "
                    "that succeeded", bi.failed, bi.reps, bi.not_converged,
                    bi.failed - bi.not_converged, bi.first_failed + 1,
                    bi.reps - bi.failed);
    return DYADFIT_OK;
}

/* logit, probit, cloglog on a built design: separation check, Newton,
 * variance; fills r (allocated by the caller, which owns d). */
int df_api_fit_binomial(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                        dyadfit_error *err)
{
    df_glm_fit g;
    int rc;
    memset(&g, 0, sizeof g);
    if ((rc = df_api_check_nobs(d, d->k, NULL, err))) goto cleanup;
    if ((rc = df_api_separation(d, m, r, err))) goto cleanup;

    df_glm_opts go;
    memset(&go, 0, sizeof go);
    go.link = link_of(m->estimator);
    go.information = m->information;
    go.frequency_weights = m->weight_type == DYADFIT_WEIGHT_FREQUENCY;
    df_newton_defaults(&go.newton);
    go.newton.maxiter = m->maxiter;
    go.newton.tol = m->tolerance;
    if ((rc = df_glm(d, &go, &g, err))) goto cleanup;

    if ((rc = df_api_set_coef(r, d, g.beta, err))) goto cleanup;

    /* frequency weights: N is their sum; otherwise the rows used */
    if (d->w && m->weight_type == DYADFIT_WEIGHT_FREQUENCY) {
        r->nobs = 0;
        for (size_t i = 0; i < d->n; i++) r->nobs += d->w[i];
    }

    if (m->vce == DYADFIT_VCE_BOOTSTRAP) {
        if ((rc = bootstrap_vce(r, d, m, &go, g.beta, g.info, err))) goto cleanup;
    } else {
        df_scores sc = {d->n, d->k, d->X, g.u, NULL,
                        (d->w && go.frequency_weights) ? d->w : NULL};
        if ((rc = df_api_vce(r, d, m, g.info, &sc, err))) goto cleanup;
    }

    r->loglik = g.loglik;
    r->loglik0 = g.loglik0;
    r->iterations = g.iterations;
    r->converged = g.converged;
    r->max_gradient = g.max_gradient;
    if (!g.converged) {
        df_api_note(r, "convergence not achieved: %s", g.message);
        lp_separation_note(d, r);
    }
    rc = DYADFIT_OK;
cleanup:
    df_glm_fit_free(&g);
    return rc;
}

