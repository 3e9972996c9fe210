/*
 * r_fit.c -- .Call glue for dyad_logit(): an R design (model.matrix, y,
 * weights, offset, cluster codes) goes to dyadfit_fit_matrix, the result
 * comes back as a plain list, so R shows the numbers the command line shows.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "r_glue.h"

#define NIOPT 8
#define NDOPT 2

/* The result lives in an external pointer from the start, so that an R
 * allocation failure (a longjmp) cannot leak it: the finalizer frees it. */
static void result_finalizer(SEXP p)
{
    dyadfit_result *r = (dyadfit_result *)R_ExternalPtrAddr(p);
    if (r) {
        dyadfit_result_free(r);
        R_ClearExternalPtr(p);
    }
}

static void check_double(SEXP x, R_xlen_t n, const char *what)
{
    if (!Rf_isReal(x))
        Rf_error("dyadfit internal: %s must be a double vector", what);
    if (n >= 0 && XLENGTH(x) != n)
        Rf_error("dyadfit internal: %s has length %lld, expected %lld", what,
                 (long long)XLENGTH(x), (long long)n);
}

static const char *utf8_or_null(SEXP s, R_xlen_t i)
{
    SEXP e = STRING_ELT(s, i);
    return e == NA_STRING ? NULL : Rf_translateCharUTF8(e);
}

/* Renders the result in one format into an R string (NA on failure: the
 * numbers are already safe in the list, a missing rendering is not fatal). */
static SEXP render(const dyadfit_result *r, dyadfit_format f)
{
    char *buf = NULL;
    size_t len = 0;
    dyadfit_error err = {0, ""};
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return NA_STRING;
    int rc = dyadfit_report(r, f, mem, &err);
    if (fclose(mem) != 0) rc = 1;
    if (rc || !buf) {
        free(buf);
        return NA_STRING;
    }
    /* copy into R-managed memory before any R allocation can longjmp */
    char *copy = R_alloc(len + 1, 1);
    memcpy(copy, buf, len + 1);
    free(buf);
    return Rf_mkCharLenCE(copy, (int)len, CE_UTF8);
}

SEXP dyadfit_r_fit(SEXP X, SEXP y, SEXP w, SEXP off, SEXP cl, SEXP clnames,
                   SEXP terms, SEXP labels, SEXP iopt, SEXP dopt)
{
    /* ---- validate every argument before touching the library */
    check_double(y, -1, "y");
    R_xlen_t n = XLENGTH(y);
    if (!Rf_isString(terms) || XLENGTH(terms) < 1)
        Rf_error("dyadfit internal: terms must be a non-empty character vector");
    R_xlen_t k = XLENGTH(terms);
    check_double(X, -1, "X");
    if (XLENGTH(X) / k != n || XLENGTH(X) % k != 0)
        Rf_error("dyadfit internal: X has %lld values, expected %lld x %lld",
                 (long long)XLENGTH(X), (long long)n, (long long)k);
    if (!Rf_isNull(w)) check_double(w, n, "weights");
    if (!Rf_isNull(off)) check_double(off, n, "offset");
    if (!Rf_isNewList(cl) || XLENGTH(cl) > 2)
        Rf_error("dyadfit internal: cl must be a list of at most 2 integer vectors");
    if (!Rf_isString(clnames) || XLENGTH(clnames) != XLENGTH(cl))
        Rf_error("dyadfit internal: clnames must name each cluster vector");
    for (R_xlen_t c = 0; c < XLENGTH(cl); c++) {
        SEXP v = VECTOR_ELT(cl, c);
        if (TYPEOF(v) != INTSXP || XLENGTH(v) != n)
            Rf_error("dyadfit internal: cluster %d must be an integer vector of length %lld",
                     (int)c + 1, (long long)n);
    }
    if (!Rf_isString(labels) || XLENGTH(labels) != 2)
        Rf_error("dyadfit internal: labels must be c(formula, response)");
    if (TYPEOF(iopt) != INTSXP || XLENGTH(iopt) != NIOPT)
        Rf_error("dyadfit internal: iopt must be %d integers", NIOPT);
    check_double(dopt, NDOPT, "dopt");

    /* ---- the design, pointing into R's memory (read, not kept) */
    const char **tn = (const char **)R_alloc((size_t)k, sizeof(char *));
    for (R_xlen_t j = 0; j < k; j++) {
        tn[j] = utf8_or_null(terms, j);
        if (!tn[j]) Rf_error("dyadfit internal: term name %lld is NA", (long long)j + 1);
    }
    dyadfit_matrix x;
    memset(&x, 0, sizeof x);
    x.n = (size_t)n;
    x.k = (size_t)k;
    x.X = REAL(X);
    x.terms = tn;
    x.y = REAL(y);
    x.weights = Rf_isNull(w) ? NULL : REAL(w);
    x.offset = Rf_isNull(off) ? NULL : REAL(off);
    for (R_xlen_t c = 0; c < XLENGTH(cl); c++) {
        x.cluster[c] = INTEGER(VECTOR_ELT(cl, c));
        x.cluster_names[c] = utf8_or_null(clnames, c);
    }
    x.response = utf8_or_null(labels, 1);

    const int *io = INTEGER(iopt);
    const double *dop = REAL(dopt);
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = (dyadfit_estimator)io[0];
    m.vce = (dyadfit_vce)io[1];
    m.ssc = (dyadfit_ssc)io[2];
    m.information = (dyadfit_information)io[3];
    m.weight_type = (dyadfit_weight_type)io[4];
    m.drop_separated = io[5];
    m.maxiter = io[6];
    m.fix_psd = io[7];
    m.tolerance = dop[0];
    m.level = dop[1];
    m.formula = utf8_or_null(labels, 0);
    /* names only, for the report; the arrays above carry the data */
    for (R_xlen_t c = 0; c < XLENGTH(cl); c++) m.cluster[c] = x.cluster_names[c];
    if (x.weights) m.weights = "(weights)";
    if (x.offset) m.offset = "(offset)";

    /* ---- fit */
    SEXP holder = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(holder, result_finalizer, TRUE);
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    int rc = dyadfit_fit_matrix(&x, &m, &r, &err);
    if (rc) {
        char msg[sizeof err.message + 64];
        snprintf(msg, sizeof msg, "%s", err.message[0] ? err.message
                 : dyadfit_strerror(rc));
        if (r) dyadfit_result_free(r);   /* not expected, but never leak */
        UNPROTECT(1);
        Rf_error("%s", msg);
    }
    R_SetExternalPtrAddr(holder, r);

    /* ---- copy the result into R objects */
    size_t kk = 0;
    const double *b = dyadfit_result_coef(r, &kk);
    const double *V = dyadfit_result_vcov(r);
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, 6));
    SEXP nms = PROTECT(Rf_allocVector(STRSXP, 6));
    const char *fields[] = {"coefficients", "vcov", "stats", "notes",
                            "reports", "version"};
    for (int i = 0; i < 6; i++) SET_STRING_ELT(nms, i, Rf_mkChar(fields[i]));
    Rf_setAttrib(ans, R_NamesSymbol, nms);

    SEXP tnames = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)kk));
    for (size_t j = 0; j < kk; j++)
        SET_STRING_ELT(tnames, (R_xlen_t)j,
                       Rf_mkCharCE(dyadfit_result_term(r, j), CE_UTF8));
    SEXP coef = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)kk));
    if (kk) memcpy(REAL(coef), b, kk * sizeof(double));
    Rf_setAttrib(coef, R_NamesSymbol, tnames);
    SET_VECTOR_ELT(ans, 0, coef);

    SEXP vc = PROTECT(Rf_allocMatrix(REALSXP, (int)kk, (int)kk));
    if (kk) memcpy(REAL(vc), V, kk * kk * sizeof(double));
    SEXP dn = PROTECT(Rf_allocVector(VECSXP, 2));
    SET_VECTOR_ELT(dn, 0, tnames);
    SET_VECTOR_ELT(dn, 1, tnames);
    Rf_setAttrib(vc, R_DimNamesSymbol, dn);
    SET_VECTOR_ELT(ans, 1, vc);

    static const char *stat_names[] = {
        "nobs", "nrows_used", "nrows_dropped", "loglik", "loglik0",
        "pseudo_r2", "iterations", "converged", "ncluster1", "ncluster2",
        "ssc_factor", "max_gradient"};
    const int nstat = (int)(sizeof stat_names / sizeof *stat_names);
    SEXP st = PROTECT(Rf_allocVector(REALSXP, nstat));
    SEXP stn = PROTECT(Rf_allocVector(STRSXP, nstat));
    for (int s = 0; s < nstat; s++) {
        REAL(st)[s] = dyadfit_result_stat(r, (dyadfit_stat)s);
        SET_STRING_ELT(stn, s, Rf_mkChar(stat_names[s]));
    }
    Rf_setAttrib(st, R_NamesSymbol, stn);
    SET_VECTOR_ELT(ans, 2, st);

    const char *notes = dyadfit_result_notes(r);
    SET_VECTOR_ELT(ans, 3, Rf_allocVector(STRSXP, 1));
    SET_STRING_ELT(VECTOR_ELT(ans, 3), 0, Rf_mkCharCE(notes ? notes : "", CE_UTF8));

    static const char *fmt_names[] = {"text", "csv", "json", "markdown", "latex"};
    SEXP rep = PROTECT(Rf_allocVector(STRSXP, 5));
    SEXP repn = PROTECT(Rf_allocVector(STRSXP, 5));
    for (int f = 0; f < 5; f++) {
        SET_STRING_ELT(rep, f, render(r, (dyadfit_format)f));
        SET_STRING_ELT(repn, f, Rf_mkChar(fmt_names[f]));
    }
    Rf_setAttrib(rep, R_NamesSymbol, repn);
    SET_VECTOR_ELT(ans, 4, rep);
    SET_VECTOR_ELT(ans, 5, Rf_mkString(dyadfit_version()));

    dyadfit_result_free(r);
    R_ClearExternalPtr(holder);
    UNPROTECT(11);
    return ans;
}

SEXP dyadfit_r_version(void)
{
    return Rf_mkString(dyadfit_version());
}
