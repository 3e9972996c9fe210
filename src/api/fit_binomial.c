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

/* Everything after the design: separation, estimation, variance, result.
 * Takes ownership of nothing; fills r (allocated by the caller). */
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

    df_scores sc = {d->n, d->k, d->X, g.u, NULL,
                    (d->w && go.frequency_weights) ? d->w : NULL};
    if ((rc = df_api_vce(r, d, m, g.info, &sc, err))) goto cleanup;

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

