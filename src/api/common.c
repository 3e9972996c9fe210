/* common.c -- pieces every estimator's path through src/api shares: notes,
 * model checks, provenance strings, coefficient and variance filling. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "../table/filter.h"
#include "../vce/bootstrap.h"

/* Appends a formatted line to r->notes. */
int df_api_note(dyadfit_result *r, const char *fmt, ...)
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

int df_api_check_model(const dyadfit_model *m, dyadfit_error *err)
{
    if (!m->formula || !*m->formula)
        return df_error(err, DYADFIT_ERR_SPEC, "no formula given");
    if (m->estimator < DYADFIT_LOGIT || m->estimator > DYADFIT_EXPONENTIAL)
        return df_error(err, DYADFIT_ERR_SPEC, "unknown estimator %d", (int)m->estimator);
    if (m->vce == DYADFIT_VCE_CLUSTER && !m->cluster[0])
        return df_error(err, DYADFIT_ERR_SPEC, "cluster variance needs a cluster variable");
    if ((int)m->vce < (int)DYADFIT_VCE_OIM || (int)m->vce > (int)DYADFIT_VCE_BOOTSTRAP)
        return df_error(err, DYADFIT_ERR_USAGE, "unknown variance type %d", (int)m->vce);
    if (m->vce == DYADFIT_VCE_BOOTSTRAP) {
        if (m->estimator != DYADFIT_LOGIT && m->estimator != DYADFIT_PROBIT &&
            m->estimator != DYADFIT_CLOGLOG)
            return df_error(err, DYADFIT_ERR_USAGE, "the bootstrap variance (vce bootstrap) "
                            "is available for logit, probit and cloglog, not for %s",
                            df_estimator_name(m->estimator));
        if (m->cluster[0] && m->cluster[1])
            return df_error(err, DYADFIT_ERR_USAGE, "the bootstrap resamples the clusters "
                            "of one variable; two cluster variables (%s and %s) are not "
                            "supported (--vce cluster %s %s gives the two-way sandwich)",
                            m->cluster[0], m->cluster[1], m->cluster[0], m->cluster[1]);
        if (m->reps != 0 && (m->reps < 2 || m->reps > DF_BOOT_MAX_REPS))
            return df_error(err, DYADFIT_ERR_USAGE, "bootstrap replications (reps): %d is "
                            "not a count from 2 to %d", m->reps, DF_BOOT_MAX_REPS);
    }
    if (!(m->level > 0 && m->level < 1))
        return df_error(err, DYADFIT_ERR_SPEC,
                        "confidence level %g is not between 0 and 1", m->level);
    if (m->weight_type != DYADFIT_WEIGHT_NONE && !m->weights)
        return df_error(err, DYADFIT_ERR_SPEC, "a weight type was given without a weight variable");
    if (m->maxiter < 1)
        return df_error(err, DYADFIT_ERR_SPEC, "maxiter must be at least 1");
    if (m->id && *m->id && m->estimator != DYADFIT_COX)
        return df_error(err, DYADFIT_ERR_USAGE, "an id variable (--id %s) is for the cox "
                        "estimator's counting-process rows", m->id);
    if (m->cox_outputs && m->estimator != DYADFIT_COX &&
        (m->cox_outputs->basehaz || m->cox_outputs->residuals != DYADFIT_RESID_NONE))
        return df_error(err, DYADFIT_ERR_USAGE, "the baseline hazard and residuals "
                        "(cox_outputs, --basehaz, --residuals) are for the cox estimator");
    return DYADFIT_OK;
}

int df_api_design_notes(const df_design *d, dyadfit_result *r)
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
        df_api_note(r, "%zu rows dropped for missing values (rows missing in: %s)",
                 d->ndropped, buf);
    }
    for (size_t j = 0; j < d->ncollinear; j++)
        df_api_note(r, "%s dropped because of collinearity", d->collinear[j]);
    if (d->nutf8)
        df_api_note(r, "%zu term name%s (e.g. %s) held text that is not UTF-8 "
                    "(Latin-1 labels?): read as Windows-1252 / Latin-1 and "
                    "converted to UTF-8", d->nutf8, d->nutf8 > 1 ? "s" : "",
                    d->utf8_first);
    return 0;
}

int df_api_copy_strings(dyadfit_result *r, const dyadfit_model *m,
                        const df_design *d, const char *path, const char *sha256,
                        const char *const cluster[2], const char *weights,
                        const char *offset)
{
    r->formula = df_strdup(m->formula);
    if (m->filter && *m->filter && !(r->filter = df_strdup(m->filter))) return -1;
    r->response = df_strdup(d->response ? d->response : "y");
    if (path && !(r->data_path = df_strdup(path))) return -1;
    snprintf(r->sha256, sizeof r->sha256, "%s", sha256);
    for (int c = 0; c < 2; c++)
        if ((m->vce == DYADFIT_VCE_CLUSTER || m->vce == DYADFIT_VCE_BOOTSTRAP) && cluster[c] &&
            !(r->cluster[c] = df_strdup(cluster[c])))
            return -1;
    if (weights && !(r->weights = df_strdup(weights))) return -1;
    if (offset && !(r->offset = df_strdup(offset))) return -1;
    return (!r->formula || !r->response) ? -1 : 0;
}

/* Allocates r's terms, coef and vcov for the k columns of d and copies beta. */
int df_api_set_coef(dyadfit_result *r, const df_design *d, const double *beta,
                    dyadfit_error *err)
{
    r->k = d->k;
    r->terms = df_calloc(d->k, sizeof *r->terms);
    r->coef = df_malloc(d->k, sizeof(double));
    r->vcov = df_malloc(d->k * d->k, sizeof(double));
    if (!r->terms || !r->coef || !r->vcov)
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t j = 0; j < d->k; j++)
        if (!(r->terms[j] = df_strdup(d->terms[j])))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    memcpy(r->coef, beta, d->k * sizeof(double));
    r->nrows_used = d->n;
    r->nobs = (double)d->n;
    return DYADFIT_OK;
}

/* r->vcov from information and scores with the model's variance options;
 * records the small-sample factors, cluster counts and any note. */
int df_api_vce(dyadfit_result *r, const df_design *d, const dyadfit_model *m,
               const double *info, const df_scores *sc, dyadfit_error *err)
{
    df_vce_opts vo;
    df_vce_info vi;
    int rc;
    memset(&vo, 0, sizeof vo);
    memset(&vi, 0, sizeof vi);
    vo.type = m->vce;
    vo.ssc = m->ssc;
    vo.fix_psd = m->fix_psd;
    vo.ncluster = m->vce == DYADFIT_VCE_CLUSTER ? d->ncluster : 0;
    for (size_t c = 0; c < vo.ncluster; c++) {
        vo.cl[c] = d->cl[c];
        vo.ng[c] = d->ng[c];
    }
    if ((rc = df_vce(info, sc, &vo, r->vcov, &vi, err))) return rc;
    r->ssc_factor = m->vce == DYADFIT_VCE_OIM ? 1 : vi.factor;
    memcpy(r->ssc_factors, vi.factors, sizeof r->ssc_factors);
    r->ncluster = vo.ncluster;
    memcpy(r->ng, vi.ng, sizeof r->ng);
    if (vi.note[0]) df_api_note(r, "%s", vi.note);
    return DYADFIT_OK;
}

/* The fields every estimator sets the same way from the model and design:
 * options, row counts and the notes on rows and columns dropped. */
void df_api_result_init(dyadfit_result *r, const dyadfit_model *m,
                        const df_design *d)
{
    r->estimator = m->estimator;
    r->level = m->level;
    r->vce = m->vce;
    r->ssc = m->ssc;
    r->information = m->information;
    r->weight_type = m->weight_type;
    r->nrows_source = d->nrow_source;
    r->nrows_dropped = d->ndropped;
    r->nrows_filtered = d->nfiltered;
    if (m->filter && *m->filter)
        df_api_note(r, "%zu rows excluded by the filter: %s", d->nfiltered, m->filter);
    df_api_design_notes(d, r);
    /* Stata refuses vce(oim) with pweights; coxph's naive variance is this
     * one. Said, not refused, so that fits as in R keep working. */
    if (m->weight_type == DYADFIT_WEIGHT_PROBABILITY && m->vce == DYADFIT_VCE_OIM)
        df_api_note(r, "probability weights with the model-based (oim) variance: "
                    "the standard errors treat the weights as counts of rows; for "
                    "sampling weights use a robust or cluster variance (Stata's "
                    "default with pweights)");
}

/* The design specification of a model on a table; evaluates the model's
 * row filter (--if) into *filter (caller frees) when there is one. */
int df_api_design_spec(const dyadfit_table *t, const dyadfit_model *m,
                       int binary_response, df_design_spec *spec,
                       unsigned char **filter, dyadfit_error *err)
{
    memset(spec, 0, sizeof *spec);
    spec->formula = m->formula;
    spec->weights = m->weights;
    spec->offset = m->offset;
    spec->binary_response = binary_response;
    if (m->vce == DYADFIT_VCE_CLUSTER || m->vce == DYADFIT_VCE_BOOTSTRAP) {
        /* the cluster bootstrap's clusters (NULL: rows are resampled) */
        spec->cluster[0] = m->cluster[0];
        spec->cluster[1] = m->cluster[1];
    }
    /* clogit's matched groups / felogit's absorbed effects join listwise
     * deletion and get dense ids in the design */
    if (m->estimator == DYADFIT_CLOGIT) {
        if (!m->group || !*m->group)
            return df_error(err, DYADFIT_ERR_SPEC, "clogit needs the matched "
                            "groups: --group VARIABLE (e.g. --group dyad)");
        spec->group[0] = m->group;
    } else if (m->estimator == DYADFIT_COX && m->id && *m->id) {
        spec->group[0] = m->id;   /* dense subject ids for the overlap check */
    } else if (m->estimator == DYADFIT_FELOGIT) {
        if (!m->absorb[0] || !*m->absorb[0])
            return df_error(err, DYADFIT_ERR_SPEC, "felogit needs the fixed "
                            "effects to absorb: --absorb VARIABLE[,VARIABLE] "
                            "(e.g. --absorb dyad,year)");
        spec->group[0] = m->absorb[0];
        if (m->absorb[1] && *m->absorb[1]) {
            if (!strcmp(m->absorb[0], m->absorb[1]))
                return df_error(err, DYADFIT_ERR_SPEC, "--absorb names '%s' "
                                "twice", m->absorb[0]);
            spec->group[1] = m->absorb[1];
        }
    }
    *filter = NULL;
    if (!m->filter || !*m->filter) return DYADFIT_OK;
    if (!(*filter = df_malloc(t->nrow ? t->nrow : 1, 1)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    int rc = df_filter_rows(t, m->filter, *filter, NULL, err);
    if (rc) return rc;
    spec->row_filter = *filter;
    return DYADFIT_OK;
}
