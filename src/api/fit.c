/*
 * fit.c -- dyadfit_fit: the one path every caller takes
 *   table -> design (listwise deletion, terms) -> separation check
 *   -> estimator -> variance -> result.
 * The CLI and the R package both come through here, so the numbers cannot
 * depend on the path taken.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../util/util.h"
#include "../table/table.h"
#include "../design/design.h"
#include "../fit/fit.h"
#include "../vce/vce.h"
#include "../report/result.h"

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
}

/* Appends a formatted line to r->notes. */
static int add_note(dyadfit_result *r, const char *fmt, ...) DF_PRINTF(2, 3);
static int add_note(dyadfit_result *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t old = r->notes ? strlen(r->notes) : 0, add = strlen(line);
    char *n = realloc(r->notes, old + add + 2);
    if (!n) return -1;
    memcpy(n + old, line, add);
    n[old + add] = '\n';
    n[old + add + 1] = 0;
    r->notes = n;
    return 0;
}

static int check_model(const dyadfit_model *m, dyadfit_error *err)
{
    if (!m->formula || !*m->formula)
        return df_error(err, DYADFIT_ERR_SPEC, "no formula given");
    if (m->estimator < DYADFIT_LOGIT || m->estimator > DYADFIT_CLOGLOG)
        return df_error(err, DYADFIT_ERR_SPEC, "unknown estimator %d", (int)m->estimator);
    if (m->vce == DYADFIT_VCE_CLUSTER && !m->cluster[0])
        return df_error(err, DYADFIT_ERR_SPEC, "cluster variance needs a cluster variable");
    if (!(m->level > 0 && m->level < 1))
        return df_error(err, DYADFIT_ERR_SPEC,
                        "confidence level %g is not between 0 and 1", m->level);
    if (m->weight_type != DYADFIT_WEIGHT_NONE && !m->weights)
        return df_error(err, DYADFIT_ERR_SPEC, "a weight type was given without a weight variable");
    if (m->maxiter < 1)
        return df_error(err, DYADFIT_ERR_SPEC, "maxiter must be at least 1");
    return DYADFIT_OK;
}

/* Separation: by default an error naming the terms; with drop_separated the
 * terms and the rows they predict are dropped, as Stata's logit does. */
static int handle_separation(df_design *d, const dyadfit_model *m,
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
    add_note(r, "separation: %s; dropped those terms and %zu rows", report, nrows);
    r->nrows_dropped += nrows;
    rc = df_design_subset(d, droprow, dropcol, err);
cleanup:
    free(dropcol);
    free(droprow);
    return rc;
}

static int fill_design_notes(const df_design *d, dyadfit_result *r)
{
    if (d->ndropped) {
        char buf[600];
        size_t o = 0;
        buf[0] = 0;
        for (size_t v = 0; v < d->ndrops && o < sizeof buf - 64; v++)
            if (d->drops[v].rows)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s %zu",
                                      o ? ", " : "", d->drops[v].variable,
                                      d->drops[v].rows);
        add_note(r, "%zu rows dropped for missing values (rows missing in: %s)",
                 d->ndropped, buf);
    }
    for (size_t j = 0; j < d->ncollinear; j++)
        add_note(r, "%s dropped because of collinearity", d->collinear[j]);
    return 0;
}

static int copy_strings(dyadfit_result *r, const dyadfit_model *m,
                        const df_design *d, const char *path, const char *sha256,
                        const char *const cluster[2], const char *weights,
                        const char *offset)
{
    r->formula = df_strdup(m->formula);
    r->response = df_strdup(d->response ? d->response : "y");
    if (path && !(r->data_path = df_strdup(path))) return -1;
    snprintf(r->sha256, sizeof r->sha256, "%s", sha256);
    for (int c = 0; c < 2; c++)
        if (m->vce == DYADFIT_VCE_CLUSTER && cluster[c] &&
            !(r->cluster[c] = df_strdup(cluster[c])))
            return -1;
    if (weights && !(r->weights = df_strdup(weights))) return -1;
    if (offset && !(r->offset = df_strdup(offset))) return -1;
    return (!r->formula || !r->response) ? -1 : 0;
}

static df_link link_of(dyadfit_estimator e)
{
    return e == DYADFIT_PROBIT ? DF_LINK_PROBIT
         : e == DYADFIT_CLOGLOG ? DF_LINK_CLOGLOG : DF_LINK_LOGIT;
}

/* Everything after the design: separation, estimation, variance, result.
 * Takes ownership of nothing; fills r (allocated by the caller). */
static int fit_design(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                      dyadfit_error *err)
{
    df_glm_fit g;
    int rc;
    memset(&g, 0, sizeof g);
    r->estimator = m->estimator;
    r->level = m->level;
    r->vce = m->vce;
    r->ssc = m->ssc;
    r->information = m->information;
    r->weight_type = m->weight_type;
    r->nrows_source = d->nrow_source;
    r->nrows_dropped = d->ndropped;
    fill_design_notes(d, r);
    if ((rc = handle_separation(d, m, r, err))) goto cleanup;

    df_glm_opts go;
    memset(&go, 0, sizeof go);
    go.link = link_of(m->estimator);
    go.information = m->information;
    go.frequency_weights = m->weight_type == DYADFIT_WEIGHT_FREQUENCY;
    df_newton_defaults(&go.newton);
    go.newton.maxiter = m->maxiter;
    go.newton.tol = m->tolerance;
    if ((rc = df_glm(d, &go, &g, err))) goto cleanup;

    r->k = d->k;
    r->terms = df_calloc(d->k, sizeof *r->terms);
    r->coef = df_malloc(d->k, sizeof(double));
    r->vcov = df_malloc(d->k * d->k, sizeof(double));
    if (!r->terms || !r->coef || !r->vcov) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t j = 0; j < d->k; j++)
        if (!(r->terms[j] = df_strdup(d->terms[j]))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
    memcpy(r->coef, g.beta, d->k * sizeof(double));

    /* frequency weights: N is their sum; otherwise the rows used */
    r->nrows_used = d->n;
    r->nobs = (double)d->n;
    if (d->w && m->weight_type == DYADFIT_WEIGHT_FREQUENCY) {
        r->nobs = 0;
        for (size_t i = 0; i < d->n; i++) r->nobs += d->w[i];
    }

    df_scores sc = {d->n, d->k, d->X, g.u, NULL,
                    (d->w && go.frequency_weights) ? d->w : NULL};
    df_vce_opts vo;
    memset(&vo, 0, sizeof vo);
    vo.type = m->vce;
    vo.ssc = m->ssc;
    vo.fix_psd = m->fix_psd;
    vo.ncluster = m->vce == DYADFIT_VCE_CLUSTER ? d->ncluster : 0;
    for (size_t c = 0; c < vo.ncluster; c++) {
        vo.cl[c] = d->cl[c];
        vo.ng[c] = d->ng[c];
    }
    df_vce_info vi;
    memset(&vi, 0, sizeof vi);
    if ((rc = df_vce(g.info, &sc, &vo, r->vcov, &vi, err))) goto cleanup;
    r->ssc_factor = m->vce == DYADFIT_VCE_OIM ? 1 : vi.factor;
    memcpy(r->ssc_factors, vi.factors, sizeof r->ssc_factors);
    r->ncluster = vo.ncluster;
    memcpy(r->ng, vi.ng, sizeof r->ng);
    if (vi.note[0]) add_note(r, "%s", vi.note);

    r->loglik = g.loglik;
    r->loglik0 = g.loglik0;
    r->iterations = g.iterations;
    r->converged = g.converged;
    r->max_gradient = g.max_gradient;
    if (!g.converged)
        add_note(r, "convergence not achieved: %s", g.message);
    rc = DYADFIT_OK;
cleanup:
    df_glm_fit_free(&g);
    return rc;
}

int dyadfit_fit(const dyadfit_table *t, const dyadfit_model *m,
                dyadfit_result **out, dyadfit_error *err)
{
    df_design *d = NULL;
    dyadfit_result *r = NULL;
    int rc;

    *out = NULL;
    df_gsl_quiet();
    if ((rc = check_model(m, err))) return rc;

    df_design_spec spec = {m->formula, m->weights, m->offset, {NULL, NULL}, 1};
    if (m->vce == DYADFIT_VCE_CLUSTER) {
        spec.cluster[0] = m->cluster[0];
        spec.cluster[1] = m->cluster[1];
    }
    if ((rc = df_design_build(t, &spec, &d, err))) goto cleanup;
    if (!(r = df_calloc(1, sizeof *r))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (copy_strings(r, m, d, t->path, t->sha256, m->cluster, m->weights, m->offset)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    rc = fit_design(d, m, r, err);
cleanup:
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
    if ((rc = check_model(&mm, err))) return rc;
    if ((rc = df_design_from_matrix(x, 1, &d, err))) goto cleanup;
    if (mm.vce != DYADFIT_VCE_CLUSTER) d->ncluster = 0;
    if (!(r = df_calloc(1, sizeof *r))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (copy_strings(r, &mm, d, NULL, "", mm.cluster, mm.weights, mm.offset)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    rc = fit_design(d, &mm, r, err);
cleanup:
    df_design_free(d);
    if (rc) dyadfit_result_free(r);
    else *out = r;
    return rc;
}
