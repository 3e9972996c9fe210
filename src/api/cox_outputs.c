/*
 * cox_outputs.c -- the Cox model's tables after the fit (dyadfit.h,
 * dyadfit_cox_outputs): the baseline cumulative hazard with the numbers at
 * risk, and residuals of every type residuals.coxph offers, each a
 * dyadfit_table the caller writes with dyadfit_write.
 *
 * Input: the design d (rows, strata ids in order of first appearance,
 * (start, stop], event, weights), the fit cf (martingale, score, weighted
 * score, Schoenfeld residuals, information, hazard increments summed per
 * event time) and the source table t (strata labels).
 *
 * Strata are put in R's order: survival's strata() makes a factor whose
 * levels sort the first variable, then the next (numbers by value, strings
 * by bytes, as R in the C locale). Labels follow strata(): values alone when
 * every variable is a string ("east"), else "name=value" joined by ", ".
 *
 * Baseline hazard: at a stop time t of stratum s, n_risk = sum w over rows
 * with start < t <= stop = W(start < t) - W(stop < t), two running sums over
 * the rows sorted by start and by stop; cumhaz is the fit's cumulative
 * hazard at the last event time <= t (survfit's step function).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cox_outputs.h"
#include "strata_labels.h"
#include "../util/lapack.h"


static const char *const resid_names[] = {"none", "martingale", "deviance", "score",
                                          "schoenfeld", "dfbeta"};

const char *dyadfit_residual_name(dyadfit_residual r)
{
    return (unsigned)r < sizeof resid_names / sizeof *resid_names ? resid_names[r] : "unknown";
}

int dyadfit_residual_parse(const char *name)
{
    for (size_t j = 1; name && j < sizeof resid_names / sizeof *resid_names; j++)
        if (strcmp(name, resid_names[j]) == 0) return (int)j;
    return -1;
}

void dyadfit_cox_outputs_free(dyadfit_cox_outputs *o)
{
    if (!o) return;
    dyadfit_table_free(o->basehaz_table);
    dyadfit_table_free(o->residual_table);
    o->basehaz_table = o->residual_table = NULL;
}

/* ------------------------------------------------------------- strata */

/* --------------------------------------------------------- sort orders */

typedef struct {
    size_t stratum;           /* rank in R order */
    double key;
    size_t i;                 /* design row */
} rowkey;

static int cmp_rowkey(const void *pa, const void *pb)
{
    const rowkey *a = pa, *b = pb;
    if (a->stratum != b->stratum) return a->stratum < b->stratum ? -1 : 1;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Design rows sorted by (stratum rank, key, row); only rows with
 * use[i] != 0 when use is given; *n_out rows. */
static rowkey *sorted_rows(const df_design *d, const df_strata_labels *si, const double *key,
                           const double *use, size_t *n_out)
{
    rowkey *r = df_malloc(d->n ? d->n : 1, sizeof *r);
    size_t n = 0;
    if (!r) return NULL;
    for (size_t i = 0; i < d->n; i++) {
        if (use && use[i] == 0) continue;
        r[n++] = (rowkey){d->strata ? si->rank[d->strata[i]] : 0, key[i], i};
    }
    qsort(r, n, sizeof *r, cmp_rowkey);
    *n_out = n;
    return r;
}

/* ------------------------------------------------------ baseline hazard */

static int basehaz(const df_design *d, const df_cox_fit *cf, const df_strata_labels *si,
                   dyadfit_table **out, dyadfit_error *err)
{
    size_t n = d->n, ns = d->strata ? d->nstrata : 1, nstop = 0, nstart = 0, nt = 0;
    rowkey *bystop = sorted_rows(d, si, d->stop, NULL, &nstop);
    rowkey *bystart = d->start ? sorted_rows(d, si, d->start, NULL, &nstart) : NULL;
    size_t *hfirst = df_calloc(ns + 1, sizeof *hfirst);
    double *col[5] = {NULL};
    const char **slab = d->strata ? df_malloc(n, sizeof *slab) : NULL;
    int rc = DYADFIT_ERR_SYSTEM;

    for (int c = 0; c < 5; c++) col[c] = df_malloc(n, sizeof(double));
    if (!bystop || (d->start && !bystart) || !hfirst || !col[0] || !col[1] || !col[2] ||
        !col[3] || !col[4] || (d->strata && !slab)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (baseline hazard)");
        goto cleanup;
    }
    /* the fit's event times: stratum s (design id) at hfirst[s]..hfirst[s+1]-1 */
    for (size_t u = 0; u < cf->nhaz; u++) hfirst[cf->haz_stratum[u] + 1]++;
    for (size_t s = 0; s < ns; s++) hfirst[s + 1] += hfirst[s];

    size_t p = 0, q = 0;
    while (p < nstop) {
        size_t rk = bystop[p].stratum, s = d->strata ? d->strata[bystop[p].i] : 0;
        size_t h = hfirst[s], end = p;
        double wstop = 0, wstart = 0, wtotal = 0; /* W(stop < t), W(start < t) */
        while (end < nstop && bystop[end].stratum == rk) {
            wtotal += d->w ? d->w[bystop[end].i] : 1;
            end++;
        }
        while (p < end) {
            double t = bystop[p].key, nev = 0, cum = 0;
            if (d->start)
                for (; q < nstart && bystart[q].stratum == rk && bystart[q].key < t; q++)
                    wstart += d->w ? d->w[bystart[q].i] : 1;
            double atrisk = (d->start ? wstart : wtotal) - wstop;
            for (; p < end && bystop[p].key == t; p++) {
                double w = d->w ? d->w[bystop[p].i] : 1;
                wstop += w;
                nev += d->y[bystop[p].i] != 0 ? w : 0;
            }
            while (h < hfirst[s + 1] && cf->haz_time[h] <= t) h++;
            if (h > hfirst[s]) cum = cf->haz_cum[h - 1];
            if (slab) slab[nt] = si->label[s];
            col[0][nt] = t;
            col[1][nt] = atrisk;
            col[2][nt] = nev;
            col[3][nt] = cum;
            col[4][nt] = exp(-cum);
            nt++;
        }
        /* the start-sorted rows of this stratum not yet passed */
        while (q < nstart && bystart[q].stratum == rk) q++;
    }
    static const char *const names[5] = {"time", "n_risk", "n_event", "cumhaz", "survival"};
    if ((rc = dyadfit_table_new(nt, out, err))) goto cleanup;
    if (slab && (rc = dyadfit_table_add_string(*out, "strata", slab, err))) goto fail;
    for (size_t j = 0; j < 5; j++)
        if ((rc = dyadfit_table_add_numeric(*out, names[j], col[j], err))) goto fail;
    goto cleanup;
fail:
    dyadfit_table_free(*out);
    *out = NULL;
cleanup:
    free(bystop);
    free(bystart);
    free(hfirst);
    free(slab);
    for (int c = 0; c < 5; c++) free(col[c]);
    return rc;
}

/* ------------------------------------------------------------ residuals */

/* V = info^-1 (k x k, full) in place; nonzero when not positive definite */
static int invert_info(double *V, size_t k)
{
    int ik = (int)k, info = 0;
    dpotrf_("L", &ik, V, &ik, &info);
    if (info == 0) dpotri_("L", &ik, V, &ik, &info);
    if (info != 0) return 1;
    for (size_t j = 0; j < k; j++)
        for (size_t l = j + 1; l < k; l++) V[l * k + j] = V[j * k + l]; /* lower -> upper */
    return 0;
}

static int residual_table(const df_design *d, const df_cox_fit *cf, const df_strata_labels *si,
                          dyadfit_residual type, dyadfit_table **out, dyadfit_error *err)
{
    size_t n = d->n, k = cf->k, nrow = n;
    int rc = DYADFIT_ERR_SYSTEM;
    rowkey *ord = NULL;
    double *vals = NULL, *rows = NULL, *times = NULL, *V = NULL;
    const char **slab = NULL;
    size_t nval = (type == DYADFIT_RESID_MARTINGALE || type == DYADFIT_RESID_DEVIANCE) ? 1 : k;

    if (type == DYADFIT_RESID_SCHOENFELD) {
        if (!cf->schoenfeld)
            return df_error(err, DYADFIT_ERR_USAGE, "Schoenfeld residuals were not computed by the fit");
        if (!(ord = sorted_rows(d, si, d->stop, d->y, &nrow))) goto nomem;
    }
    vals = df_malloc(nrow * nval + 1, sizeof *vals);
    rows = df_malloc(nrow + 1, sizeof *rows);
    if (!vals || !rows) goto nomem;
    for (size_t r = 0; r < nrow; r++) rows[r] = (double)d->rows[ord ? ord[r].i : r] + 1;

    switch (type) {
    case DYADFIT_RESID_MARTINGALE:
        memcpy(vals, cf->martingale, n * sizeof *vals);
        break;
    case DYADFIT_RESID_DEVIANCE:
        /* sign(m) sqrt(-2 (m + delta log(delta - m))), as residuals.coxph */
        for (size_t i = 0; i < n; i++) {
            double mr = cf->martingale[i], dl = d->y[i] != 0 ? 1 : 0;
            double dv = -2 * (mr + (dl > 0 ? log(dl - mr) : 0));
            vals[i] = (mr > 0 ? 1 : mr < 0 ? -1 : 0) * sqrt(dv > 0 ? dv : 0);
        }
        break;
    case DYADFIT_RESID_SCORE:
        memcpy(vals, cf->score, n * k * sizeof *vals);
        break;
    case DYADFIT_RESID_DFBETA:
        if (!(V = df_malloc(k * k, sizeof *V))) goto nomem;
        memcpy(V, cf->info, k * k * sizeof *V);
        if (invert_info(V, k)) {
            rc = df_error(err, DYADFIT_ERR_ESTIM,
                          "dfbeta residuals: the information matrix is not positive definite");
            goto cleanup;
        }
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (size_t l = 0; l < k; l++) s += cf->scorew[l * n + i] * V[l * k + j];
                vals[j * n + i] = s;
            }
        break;
    case DYADFIT_RESID_SCHOENFELD:
        times = df_malloc(nrow + 1, sizeof *times);
        slab = d->strata ? df_malloc(nrow + 1, sizeof *slab) : NULL;
        if (!times || (d->strata && !slab)) goto nomem;
        for (size_t r = 0; r < nrow; r++) {
            size_t i = ord[r].i;
            times[r] = d->stop[i];
            if (slab) slab[r] = si->label[d->strata[i]];
            for (size_t j = 0; j < k; j++) vals[j * nrow + r] = cf->schoenfeld[j * n + i];
        }
        break;
    default:
        rc = df_error(err, DYADFIT_ERR_USAGE, "unknown residual type %d", (int)type);
        goto cleanup;
    }

    if ((rc = dyadfit_table_new(nrow, out, err))) goto cleanup;
    rc = dyadfit_table_add_numeric(*out, "row", rows, err);
    if (!rc && slab) rc = dyadfit_table_add_string(*out, "strata", slab, err);
    if (!rc && times) rc = dyadfit_table_add_numeric(*out, "time", times, err);
    for (size_t j = 0; !rc && j < nval; j++)
        rc = dyadfit_table_add_numeric(*out, nval == 1 && k != nval ? dyadfit_residual_name(type)
                                       : type == DYADFIT_RESID_MARTINGALE ||
                                         type == DYADFIT_RESID_DEVIANCE
                                       ? dyadfit_residual_name(type) : d->terms[j],
                                       vals + j * nrow, err);
    if (rc) {
        dyadfit_table_free(*out);
        *out = NULL;
    }
    goto cleanup;
nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Cox residuals)");
cleanup:
    free(ord);
    free(vals);
    free(rows);
    free(times);
    free(slab);
    free(V);
    return rc;
}

int df_api_cox_outputs(const dyadfit_table *t, const dyadfit_model *m,
                       const df_design *d, const df_cox_fit *cf,
                       dyadfit_cox_outputs *o, dyadfit_error *err)
{
    df_strata_labels si;
    int rc = DYADFIT_OK;
    memset(&si, 0, sizeof si);
    if (!o->basehaz && o->residuals == DYADFIT_RESID_NONE) return DYADFIT_OK;
    if (d->strata && (rc = df_strata_labels_make(t, m->formula, d, &si, err))) return rc;
    if (o->basehaz) rc = basehaz(d, cf, &si, &o->basehaz_table, err);
    if (!rc && o->residuals != DYADFIT_RESID_NONE)
        rc = residual_table(d, cf, &si, o->residuals, &o->residual_table, err);
    df_strata_labels_free(&si);
    if (rc) dyadfit_cox_outputs_free(o);
    return rc;
}
