/*
 * r_cox.c -- .Call glue for a Cox fit's outputs in R:
 *   dyadfit_r_cox_outputs  refits the model with dyadfit_model.cox_outputs
 *                          and returns the baseline hazard and one type of
 *                          residuals as lists of columns (dyad_basehaz(),
 *                          residuals())
 *   dyadfit_r_cox_survival S(t | x) with survfit's standard errors at
 *                          profiles (predict(type = "survival")), by the
 *                          command line's code (post/cox_post.c) on a
 *                          df_post_fit built in memory instead of a saved
 *                          fit.
 * Both take the table columns, labels and options fit_table_model() kept.
 * Library objects sit in external pointers with finalizers from the moment
 * they exist, so an R error (a longjmp) cannot leak them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "table/table.h"
#include "design/design.h"
#include "post/post.h"
#include "r_glue.h"

/* ---------------------------------------------------------- holders */

static void result_finalizer(SEXP p)
{
    dyadfit_result *r = (dyadfit_result *)R_ExternalPtrAddr(p);
    if (r) {
        dyadfit_result_free(r);
        R_ClearExternalPtr(p);
    }
}

static void outputs_finalizer(SEXP p)
{
    dyadfit_cox_outputs *o = (dyadfit_cox_outputs *)R_ExternalPtrAddr(p);
    if (o) {
        dyadfit_cox_outputs_free(o);
        free(o);
        R_ClearExternalPtr(p);
    }
}

static void design_finalizer(SEXP p)
{
    df_design *d = (df_design *)R_ExternalPtrAddr(p);
    if (d) {
        df_design_free(d);
        R_ClearExternalPtr(p);
    }
}

static void posttab_finalizer(SEXP p)
{
    df_post_table *t = (df_post_table *)R_ExternalPtrAddr(p);
    if (t) {
        df_post_table_free(t);
        free(t);
        R_ClearExternalPtr(p);
    }
}

static SEXP new_holder(R_CFinalizer_t fin)
{
    SEXP h = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(h, fin, TRUE);
    UNPROTECT(1);
    return h;
}

/* ------------------------------------------------------ table -> R */

/* A library table as a named list of double (missing: NA) and character
 * columns; NULL for no table. */
static SEXP table_list(const dyadfit_table *t)
{
    if (!t) return R_NilValue;
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, (R_xlen_t)t->ncol));
    SEXP nms = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)t->ncol));
    for (size_t j = 0; j < t->ncol; j++) {
        const df_column *c = &t->cols[j];
        SEXP v;
        SET_STRING_ELT(nms, (R_xlen_t)j, Rf_mkCharCE(c->name, CE_UTF8));
        if (c->type == DF_COL_STRING) {
            v = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)t->nrow));
            for (size_t i = 0; i < t->nrow; i++) {
                int32_t code = c->code[i];
                SET_STRING_ELT(v, (R_xlen_t)i,
                               code < 0 || (size_t)code >= c->nlevels
                                   ? NA_STRING : Rf_mkCharCE(c->levels[code], CE_UTF8));
            }
        } else {
            v = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)t->nrow));
            for (size_t i = 0; i < t->nrow; i++)
                REAL(v)[i] = isnan(c->num[i]) ? NA_REAL : c->num[i];
        }
        SET_VECTOR_ELT(ans, (R_xlen_t)j, v);
        UNPROTECT(1);
    }
    Rf_setAttrib(ans, R_NamesSymbol, nms);
    UNPROTECT(2);
    return ans;
}

/* The model of fit_table_model()'s labels and options (names only: the
 * strings point into R's memory for the duration of the call). */
static void table_model(dyadfit_model *m, SEXP labels, SEXP clnames, SEXP iopt,
                        SEXP dopt)
{
    dyadfit_r_check_opts(labels, 5, iopt, dopt);
    if (STRING_ELT(labels, 0) == NA_STRING)
        Rf_error("dyadfit internal: the formula is NA");
    if (!Rf_isString(clnames) || XLENGTH(clnames) > 2)
        Rf_error("dyadfit internal: clnames must be at most 2 names");
    dyadfit_r_set_model(m, iopt, dopt);
    if (m->estimator != DYADFIT_COX)
        Rf_error("dyadfit internal: not a Cox model");
    m->formula = Rf_translateCharUTF8(STRING_ELT(labels, 0));
    if (STRING_ELT(labels, 1) != NA_STRING)
        m->weights = Rf_translateCharUTF8(STRING_ELT(labels, 1));
    for (R_xlen_t c = 0; c < XLENGTH(clnames); c++) {
        if (STRING_ELT(clnames, c) == NA_STRING)
            Rf_error("dyadfit internal: cluster name %d is NA", (int)c + 1);
        m->cluster[c] = Rf_translateCharUTF8(STRING_ELT(clnames, c));
    }
}

/* ------------------------------------------- baseline hazard, residuals */

/* what: c(basehaz 0/1, residual type 0..5). Returns list(basehaz,
 * residuals), each NULL or a list of columns (dyadfit.h, cox_outputs). */
SEXP dyadfit_r_cox_outputs(SEXP cols, SEXP labels, SEXP clnames, SEXP iopt,
                           SEXP dopt, SEXP what)
{
    if (TYPEOF(what) != INTSXP || XLENGTH(what) != 2)
        Rf_error("dyadfit internal: what must be 2 integers");
    int bh = INTEGER(what)[0], rt = INTEGER(what)[1];
    if ((bh != 0 && bh != 1) || rt < 0 || rt > DYADFIT_RESID_DFBETA)
        Rf_error("dyadfit internal: bad outputs requested");
    dyadfit_model m;
    table_model(&m, labels, clnames, iopt, dopt);

    dyadfit_table *t = NULL;
    SEXP thold = dyadfit_r_table(cols, &t);          /* PROTECTed */
    SEXP rhold = PROTECT(new_holder(result_finalizer));
    SEXP ohold = PROTECT(new_holder(outputs_finalizer));
    dyadfit_cox_outputs *co = calloc(1, sizeof *co);
    if (!co) Rf_error("out of memory");
    R_SetExternalPtrAddr(ohold, co);
    co->basehaz = bh;
    co->residuals = (dyadfit_residual)rt;
    m.cox_outputs = co;

    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_r_intr intr;
    dyadfit_r_intr_begin(&intr);
    int rc = dyadfit_fit(t, &m, &r, &err);
    dyadfit_r_intr_end();
    if (r) R_SetExternalPtrAddr(rhold, r);
    if (intr.hit) dyadfit_r_interrupted();            /* finalizers free all */
    if (rc) dyadfit_r_fail(rc, &err);

    SEXP ans = PROTECT(Rf_allocVector(VECSXP, 2));
    SEXP nms = PROTECT(Rf_allocVector(STRSXP, 2));
    SET_STRING_ELT(nms, 0, Rf_mkChar("basehaz"));
    SET_STRING_ELT(nms, 1, Rf_mkChar("residuals"));
    Rf_setAttrib(ans, R_NamesSymbol, nms);
    SET_VECTOR_ELT(ans, 0, table_list(co->basehaz_table));
    SET_VECTOR_ELT(ans, 1, table_list(co->residual_table));

    dyadfit_result_free(r);
    R_ClearExternalPtr(rhold);
    dyadfit_cox_outputs_free(co);
    free(co);
    R_ClearExternalPtr(ohold);
    dyadfit_table_free(t);
    R_ClearExternalPtr(thold);
    UNPROTECT(5);
    return ans;
}

/* ------------------------------------------------------ survival curve */

/* pcols: named list of columns, one value per profile (double, or
 * character for string columns of the table): every covariate of the
 * model. coef, vcov: the fit's (k, k x k, in the design's column order).
 * Returns list(estimate, std.error, conf.low, conf.high, stratum, time),
 * one element per profile, stratum (R's order) and time, in that nesting. */
SEXP dyadfit_r_cox_survival(SEXP cols, SEXP labels, SEXP clnames, SEXP iopt,
                            SEXP dopt, SEXP coef, SEXP vcov, SEXP pcols,
                            SEXP times)
{
    dyadfit_model m;
    table_model(&m, labels, clnames, iopt, dopt);
    if (!Rf_isReal(coef) || !Rf_isReal(vcov) ||
        XLENGTH(vcov) != XLENGTH(coef) * XLENGTH(coef))
        Rf_error("dyadfit internal: coef and vcov must be double, k and k x k");
    if (!Rf_isReal(times) || XLENGTH(times) < 1)
        Rf_error("dyadfit internal: times must be a non-empty double vector");
    if (!Rf_isNewList(pcols) || XLENGTH(pcols) < 1)
        Rf_error("dyadfit internal: pcols must be a non-empty list");
    SEXP pn = Rf_getAttrib(pcols, R_NamesSymbol);
    if (!Rf_isString(pn) || XLENGTH(pn) != XLENGTH(pcols))
        Rf_error("dyadfit internal: pcols must be named");
    R_xlen_t nv = XLENGTH(pcols), np = XLENGTH(VECTOR_ELT(pcols, 0));
    for (R_xlen_t v = 0; v < nv; v++) {
        SEXP c = VECTOR_ELT(pcols, v);
        if ((!Rf_isReal(c) && !Rf_isString(c)) || XLENGTH(c) != np)
            Rf_error("dyadfit internal: profile column %d must be double or character "
                     "of length %lld", (int)v + 1, (long long)np);
    }
    if (np < 1) Rf_error("dyadfit internal: no profiles");

    /* the profiles, in R_alloc memory (nothing to free) */
    df_post_profile *prof = (df_post_profile *)R_alloc((size_t)np, sizeof *prof);
    for (R_xlen_t p = 0; p < np; p++) {
        prof[p].text = (char *)"p";
        prof[p].n = (size_t)nv;
        prof[p].a = (df_post_assign *)R_alloc((size_t)nv, sizeof *prof[p].a);
        for (R_xlen_t v = 0; v < nv; v++) {
            SEXP c = VECTOR_ELT(pcols, v);
            df_post_assign *a = &prof[p].a[v];
            a->var = (char *)Rf_translateCharUTF8(STRING_ELT(pn, v));
            a->value = NAN;
            a->level = NULL;
            if (Rf_isReal(c)) {
                a->value = REAL(c)[p];
                if (!R_finite(a->value))
                    Rf_error("'newdata' row %lld: '%s' is missing or not finite",
                             (long long)p + 1, a->var);
            } else {
                if (STRING_ELT(c, p) == NA_STRING)
                    Rf_error("'newdata' row %lld: '%s' is missing", (long long)p + 1, a->var);
                a->level = (char *)Rf_translateCharUTF8(STRING_ELT(c, p));
            }
        }
    }

    dyadfit_table *t = NULL;
    SEXP thold = dyadfit_r_table(cols, &t);          /* PROTECTed */
    SEXP dhold = PROTECT(new_holder(design_finalizer));
    SEXP ohold = PROTECT(new_holder(posttab_finalizer));
    df_post_table *out = calloc(1, sizeof *out);
    if (!out) Rf_error("out of memory");
    R_SetExternalPtrAddr(ohold, out);

    /* the fitted rows, as the fit chose them (clusters join the deletion) */
    df_design_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.formula = m.formula;
    spec.weights = m.weights;
    spec.cluster[0] = m.cluster[0];
    spec.cluster[1] = m.cluster[1];
    df_design *d = NULL;
    dyadfit_error err = {0, ""};
    int rc = df_design_build_survival(t, &spec, &d, &err);
    if (d) R_SetExternalPtrAddr(dhold, d);
    if (rc) dyadfit_r_fail(rc, &err);
    if (d->k != (size_t)XLENGTH(coef))
        Rf_error("dyadfit internal: the model has %d columns, the fit %d coefficients",
                 (int)d->k, (int)XLENGTH(coef));

    df_post_fit f;
    memset(&f, 0, sizeof f);
    f.json_path = (char *)"(R fit)";
    f.estimator = (char *)"cox";
    f.est = DYADFIT_COX;
    f.link = -1;
    f.breslow = m.ties == DYADFIT_TIES_BRESLOW;
    f.formula = (char *)m.formula;
    f.weights = (char *)m.weights;
    f.weight_type = m.weight_type;
    f.vce = (char *)(m.vce == DYADFIT_VCE_OIM ? "oim" : m.vce == DYADFIT_VCE_ROBUST
                     ? "robust" : "cluster");
    f.level = m.level;
    f.k = d->k;
    f.terms = d->terms;
    f.coef = REAL(coef);
    f.vcov = REAL(vcov);
    f.rows_used = d->n;
    f.table = t;
    f.design = d;

    df_post_opts o;
    df_post_opts_init(&o);
    o.others = DF_POST_MEAN;
    o.level = m.level;
    rc = df_post_survival(&f, prof, (size_t)np, REAL(times), (size_t)XLENGTH(times), &o,
                          out, &err);
    if (rc) dyadfit_r_fail(rc, &err);

    const char *fields[] = {"estimate", "std.error", "conf.low", "conf.high", "stratum",
                            "time"};
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, 6));
    SEXP nms = PROTECT(Rf_allocVector(STRSXP, 6));
    for (int j = 0; j < 6; j++) {
        SET_STRING_ELT(nms, j, Rf_mkChar(fields[j]));
        SET_VECTOR_ELT(ans, j, Rf_allocVector(j == 4 ? STRSXP : REALSXP, (R_xlen_t)out->n));
    }
    Rf_setAttrib(ans, R_NamesSymbol, nms);
    size_t nt = (size_t)XLENGTH(times);
    for (size_t i = 0; i < out->n; i++) {
        const df_post_row *row = &out->rows[i];
        REAL(VECTOR_ELT(ans, 0))[i] = row->estimate;
        REAL(VECTOR_ELT(ans, 1))[i] = row->std_error;
        REAL(VECTOR_ELT(ans, 2))[i] = isnan(row->conf_low) ? NA_REAL : row->conf_low;
        REAL(VECTOR_ELT(ans, 3))[i] = isnan(row->conf_high) ? NA_REAL : row->conf_high;
        /* term "p | STRATUM" or "p" */
        const char *lab = strncmp(row->term, "p | ", 4) == 0 ? row->term + 4 : "";
        SET_STRING_ELT(VECTOR_ELT(ans, 4), (R_xlen_t)i, Rf_mkCharCE(lab, CE_UTF8));
        REAL(VECTOR_ELT(ans, 5))[i] = REAL(times)[i % nt];
    }
    df_post_table_free(out);
    free(out);
    R_ClearExternalPtr(ohold);
    df_design_free(d);
    R_ClearExternalPtr(dhold);
    dyadfit_table_free(t);
    R_ClearExternalPtr(thold);
    UNPROTECT(5);
    return ans;
}
