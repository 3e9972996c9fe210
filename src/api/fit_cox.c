/* fit_cox.c -- the Cox model through the public API: Surv() design,
 * df_cox, variance from the weighted score residuals, result.
 *
 * Variance: oim is the inverse information. Robust and cluster use the
 * score residuals w_i s_i (Lin & Wei 1989) through df_vce: with the HC0
 * preset that is survival::coxph(robust = TRUE / cluster = id) exactly (no
 * small-sample factor); the stata preset multiplies by G/(G-1) as stcox's
 * vce(cluster) does. Weights are case weights (coxph's weights =).
 *
 * With m->zph the proportional-hazards test of survival::cox.zph(fit,
 * transform, terms = FALSE) follows the fit as note lines: a header, one
 * line per coefficient and GLOBAL, with chisq, df and p.
 *
 * With m->cox_outputs the baseline hazard and residual tables it asks for
 * are made from the fit (cox_outputs.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "../fit/cox.h"
#include "../fit/cox_zph.h"
#include "checks.h"
#include "cox_outputs.h"

typedef struct {
    size_t subject;
    double start;
    size_t i;
} subject_row;

static int cmp_subject_start(const void *a, const void *b)
{
    const subject_row *x = a, *y = b;
    if (x->subject != y->subject) return x->subject < y->subject ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* One subject's counting-process rows may not overlap: (0, 2] and (1, 3]
 * for the same dyad put it twice in the risk set at time 2 (survival's
 * survcheck calls this an overlap). Sorted by (subject, start), each row
 * must start at or after the stop of the one before. */
static int check_overlap(const df_design *d, const char *id, dyadfit_error *err)
{
    if (!d->group[0] || d->n < 2) return DYADFIT_OK;
    subject_row *o = df_malloc(d->n, sizeof *o);
    if (!o) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t i = 0; i < d->n; i++) {
        o[i].subject = d->group[0][i];
        o[i].start = d->start ? d->start[i] : 0;
        o[i].i = i;
    }
    qsort(o, d->n, sizeof *o, cmp_subject_start);
    int rc = DYADFIT_OK;
    for (size_t q = 1; q < d->n; q++) {
        size_t a = o[q - 1].i, b = o[q].i;
        if (o[q - 1].subject != o[q].subject || o[q].start >= d->stop[a]) continue;
        size_t lo = a < b ? a : b, hi = a < b ? b : a;
        rc = df_error(err, DYADFIT_ERR_DATA,
                      "Surv(): rows %zu and %zu have the same %s and overlapping intervals "
                      "(%g, %g] and (%g, %g]: a subject can be at risk only once at a time "
                      "(split the spell, or check --id)",
                      d->rows[lo] + 1, d->rows[hi] + 1, id, d->start ? d->start[lo] : 0,
                      d->stop[lo], d->start ? d->start[hi] : 0, d->stop[hi]);
        break;
    }
    free(o);
    return rc;
}

int df_api_fit_cox(const dyadfit_table *t, const dyadfit_model *m,
                   dyadfit_result **out, dyadfit_error *err)
{
    df_design *d = NULL;
    dyadfit_result *r = NULL;
    df_cox_fit cf;
    unsigned char *filter = NULL;
    int rc;

    memset(&cf, 0, sizeof cf);
    *out = NULL;
    if (!t) return df_error(err, DYADFIT_ERR_USAGE, "no data given");
    if (m->cox_outputs && (m->cox_outputs->basehaz_table || m->cox_outputs->residual_table))
        return df_error(err, DYADFIT_ERR_USAGE,
                        "cox: the tables of an earlier fit are still in cox_outputs; free "
                        "them first (dyadfit_cox_outputs_free)");
    if (m->cox_outputs && (unsigned)m->cox_outputs->residuals > DYADFIT_RESID_DFBETA)
        return df_error(err, DYADFIT_ERR_USAGE, "cox: unknown residual type %d",
                        (int)m->cox_outputs->residuals);
    if (m->weight_type == DYADFIT_WEIGHT_FREQUENCY && m->vce != DYADFIT_VCE_OIM)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "cox: robust or cluster variance with frequency weights is not "
                        "supported; use probability weights");

    df_design_spec spec;
    if ((rc = df_api_design_spec(t, m, 0, &spec, &filter, err))) goto cleanup;
    if ((rc = df_design_build_survival(t, &spec, &d, err))) goto cleanup;
    if (m->id && *m->id && (rc = check_overlap(d, m->id, err))) goto cleanup;
    /* the baseline hazard takes the place of an intercept (the design's
     * collinearity check counts one): n <= k + 1 rows fit exactly */
    if ((rc = df_api_check_nobs(d, d->k + 1, "with the baseline hazard, in place of an "
                                "intercept", err)))
        goto cleanup;
    if (!(r = df_calloc(1, sizeof *r))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (df_api_copy_strings(r, m, d, t->path, t->sha256, m->cluster, m->weights, m->offset)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_api_result_init(r, m, d);
    r->information = DYADFIT_INFO_OBSERVED;   /* the Cox information is observed */

    df_cox_data cd;
    df_cox_defaults(&cd);
    cd.n = d->n;
    cd.k = d->k;
    cd.X = d->X;
    cd.start = d->start;
    cd.stop = d->stop;
    cd.event = d->y;
    cd.weights = d->w;
    cd.offset = d->offset;
    cd.strata = d->strata;
    cd.nstrata = d->strata ? d->nstrata : 0;
    cd.ties = m->ties == DYADFIT_TIES_BRESLOW ? DF_COX_BRESLOW : DF_COX_EFRON;
    cd.newton.maxiter = m->maxiter;
    cd.newton.tol = m->tolerance;
    cd.schoenfeld = m->cox_outputs && m->cox_outputs->residuals == DYADFIT_RESID_SCHOENFELD;
    /* without the PH test nothing reads X after the fit (the variance and
     * the outputs use the residuals): df_cox frees it once it has its own
     * centred copy, and the peak holds one n x k array fewer */
    int give_x = m->zph == DYADFIT_ZPH_NONE;
    if (give_x) cd.own_X = d->X;
    rc = df_cox(&cd, &cf, err);
    if (give_x) {
        d->X = NULL;
        cd.X = NULL;
    }
    if (rc) {
        /* df_cox names rows of the design: translate to rows of the data */
        if (rc == DYADFIT_ERR_DATA) {
            char *p = strstr(err->message, "row ");
            char *end = NULL;
            unsigned long long row = p ? strtoull(p + 4, &end, 10) : 0;
            if (p && end != p + 4 && row >= 1 && row <= d->n) {
                char msg[sizeof err->message];
                snprintf(msg, sizeof msg, "%.*srow %zu%s", (int)(p - err->message),
                         err->message, d->rows[row - 1] + 1, end);
                snprintf(err->message, sizeof err->message, "%s", msg);
            }
        }
        goto cleanup;
    }
    if ((rc = df_api_set_coef(r, d, cf.beta, err))) goto cleanup;
    if (d->w && m->weight_type == DYADFIT_WEIGHT_FREQUENCY) {
        r->nobs = 0;
        for (size_t i = 0; i < d->n; i++) r->nobs += d->w[i];
    }
    df_scores sc = {d->n, d->k, NULL, NULL, cf.scorew, NULL};
    if ((rc = df_api_vce(r, d, m, cf.info, &sc, err))) goto cleanup;

    r->loglik = cf.loglik;
    r->loglik0 = cf.loglik0;
    r->iterations = cf.iterations;
    r->converged = cf.converged;
    r->max_gradient = cf.max_gradient;
    r->ties = m->ties;
    if (!(r->subtitle = df_strdup(m->ties == DYADFIT_TIES_BRESLOW ? "Breslow ties"
                                                                  : "Efron ties"))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_api_note(r, "%zu events in %zu rows%s", cf.nevents, d->n,
                d->start ? " (counting process: start, stop]" : "");
    if (d->strata)
        df_api_note(r, "%zu strata (%zu without any event, which add nothing)",
                    cf.nstrata, cf.nstrata_noevent);
    if (!cf.converged)
        df_api_note(r, "convergence not achieved: %s", cf.message);
    if (m->zph != DYADFIT_ZPH_NONE) {
        df_cox_zph_result z;
        const char *tn = m->zph == DYADFIT_ZPH_KM ? "km"
                         : m->zph == DYADFIT_ZPH_RANK ? "rank" : "identity";
        if ((rc = df_cox_zph(&cd, cf.lp, m->zph, &z, err))) goto cleanup;
        df_api_note(r, "Proportional-hazards test (cox.zph, transform = \"%s\"):", tn);
        df_api_note(r, "  %-24s %18s %3s %12s", "", "chisq", "df", "p");
        for (size_t j = 0; j <= z.k; j++)
            df_api_note(r, "  %-24s %18.12g %3d %12.6g", j < z.k ? d->terms[j] : "GLOBAL",
                        z.chisq[j], z.df[j], z.p[j]);
        df_cox_zph_free(&z);
    }
    if (m->cox_outputs && (rc = df_api_cox_outputs(t, m, d, &cf, m->cox_outputs, err)))
        goto cleanup;
    rc = DYADFIT_OK;
cleanup:
    df_cox_fit_free(&cf);
    df_design_free(d);
    free(filter);
    if (rc) dyadfit_result_free(r);
    else *out = r;
    return rc;
}
