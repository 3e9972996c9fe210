/*
 * r_fit.c -- .Call glue for dyad_logit(): an R design (model.matrix, y,
 * weights, offset, cluster codes) goes to dyadfit_fit_matrix, the result
 * comes back as a plain list, so R shows the numbers the command line shows.
 * dyadfit_r_fit_table does the same from a table (Cox: the library parses
 * Surv() and strata() itself). The optional profile intervals and p-values
 * (Firth) are read from the internal result (report/result.h): the package
 * carries the library sources and the public API has no accessor for them.
 * Both entry points let the user interrupt the fit (r_threads.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "report/result.h"
#include "r_glue.h"

#define NIOPT 15
#define NDOPT 5

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

/* The model fields from iopt/dopt (layout shared with R's fit_options(),
 * checked by dyadfit_r_check_opts()); also used by r_cox.c.
 * iopt: estimator, vce, ssc, information, weight_type, drop_separated,
 *       maxiter, fix_psd, correction, no_bias_correction, wald_ci, ties,
 *       zph, aft, reps (bootstrap; 0: the default 200)
 * dopt: tolerance, level, tau, tau_upper, seed (bootstrap; a whole number
 *       from 0 to 2^32 - 1) */
void dyadfit_r_set_model(dyadfit_model *m, SEXP iopt, SEXP dopt)
{
    const int *io = INTEGER(iopt);
    const double *dop = REAL(dopt);
    dyadfit_model_init(m);
    m->estimator = (dyadfit_estimator)io[0];
    m->vce = (dyadfit_vce)io[1];
    m->ssc = (dyadfit_ssc)io[2];
    m->information = (dyadfit_information)io[3];
    m->weight_type = (dyadfit_weight_type)io[4];
    m->drop_separated = io[5];
    m->maxiter = io[6];
    m->fix_psd = io[7];
    m->correction = (dyadfit_correction)io[8];
    m->no_bias_correction = io[9];
    m->wald_ci = io[10];
    m->ties = (dyadfit_ties)io[11];
    m->zph = (dyadfit_zph)io[12];
    m->aft = io[13];
    m->reps = io[14];
    m->seed = (unsigned long)dop[4];
    m->tolerance = dop[0];
    m->level = dop[1];
    m->tau = dop[2];
    m->tau_upper = dop[3];
}

void dyadfit_r_check_opts(SEXP labels, R_xlen_t nlabels, SEXP iopt, SEXP dopt)
{
    if (!Rf_isString(labels) || XLENGTH(labels) != nlabels)
        Rf_error("dyadfit internal: labels must be %d strings", (int)nlabels);
    if (TYPEOF(iopt) != INTSXP || XLENGTH(iopt) != NIOPT)
        Rf_error("dyadfit internal: iopt must be %d integers", NIOPT);
    check_double(dopt, NDOPT, "dopt");
    /* the seed is converted to unsigned long: a whole number in range */
    double seed = REAL(dopt)[4];
    if (!(seed >= 0 && seed <= 4294967295.0) || seed != floor(seed))
        Rf_error("dyadfit internal: the bootstrap seed must be a whole number "
                 "from 0 to 2^32 - 1");
}

static SEXP named_k(const double *v, size_t kk, SEXP tnames)
{
    if (!v) return R_NilValue;
    SEXP x = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)kk));
    if (kk) memcpy(REAL(x), v, kk * sizeof(double));
    Rf_setAttrib(x, R_NamesSymbol, tnames);
    UNPROTECT(1);
    return x;
}

/* Replaces every ':'-separated component of the result's term names found
 * in rn (from1, to1, from2, to2, ...; np pairs), so reports show R's
 * names. No R calls here: an R error would leak the buffer. */
static int rename_terms(dyadfit_result *r, const char *const *rn, R_xlen_t np)
{
    if (np == 0) return 0;
    for (size_t j = 0; j < r->k; j++) {
        const char *t = r->terms[j];
        size_t cap = 1;
        for (const char *s = t; ; ) {      /* the longest result possible */
            const char *e = strchr(s, ':');
            size_t len = e ? (size_t)(e - s) : strlen(s), best = len;
            for (R_xlen_t p = 0; p < np; p++) {
                const char *to = rn[2 * p + 1];
                if (strlen(to) > best) best = strlen(to);
            }
            cap += best + 1;
            if (!e) break;
            s = e + 1;
        }
        char *out = malloc(cap), *o = out;
        if (!out) return -1;
        for (const char *s = t; ; ) {
            const char *e = strchr(s, ':');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            const char *rep = NULL;
            for (R_xlen_t p = 0; p < np && !rep; p++) {
                const char *from = rn[2 * p];
                if (strlen(from) == len && !strncmp(from, s, len))
                    rep = rn[2 * p + 1];
            }
            if (rep) { size_t l = strlen(rep); memcpy(o, rep, l); o += l; }
            else { memcpy(o, s, len); o += len; }
            if (!e) break;
            *o++ = ':';
            s = e + 1;
        }
        *o = 0;
        free(r->terms[j]);
        r->terms[j] = out;
    }
    return 0;
}

/* The result as an R list; r stays owned by the caller's holder. */
static SEXP result_list(const dyadfit_result *r)
{
    size_t kk = 0;
    const double *b = dyadfit_result_coef(r, &kk);
    const double *V = dyadfit_result_vcov(r);
    enum { NF = 9 };
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, NF));
    SEXP nms = PROTECT(Rf_allocVector(STRSXP, NF));
    const char *fields[NF] = {"coefficients", "vcov", "stats", "notes",
                              "reports", "version", "inference", "method",
                              "subtitle"};
    for (int i = 0; i < NF; i++) SET_STRING_ELT(nms, i, Rf_mkChar(fields[i]));
    Rf_setAttrib(ans, R_NamesSymbol, nms);

    SEXP tnames = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)kk));
    for (size_t j = 0; j < kk; j++)
        SET_STRING_ELT(tnames, (R_xlen_t)j,
                       Rf_mkCharCE(dyadfit_result_term(r, j), CE_UTF8));
    SET_VECTOR_ELT(ans, 0, named_k(b, kk, tnames));

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
        "ssc_factor", "max_gradient", "nrows_filtered"};
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

    /* profile intervals and penalised LR p-values (Firth), else NULL */
    if (r->p_value && r->conf_low && r->conf_high) {
        SEXP inf = PROTECT(Rf_allocVector(VECSXP, 3));
        SEXP infn = PROTECT(Rf_allocVector(STRSXP, 3));
        SET_VECTOR_ELT(inf, 0, named_k(r->p_value, kk, tnames));
        SET_VECTOR_ELT(inf, 1, named_k(r->conf_low, kk, tnames));
        SET_VECTOR_ELT(inf, 2, named_k(r->conf_high, kk, tnames));
        SET_STRING_ELT(infn, 0, Rf_mkChar("p.value"));
        SET_STRING_ELT(infn, 1, Rf_mkChar("conf.low"));
        SET_STRING_ELT(infn, 2, Rf_mkChar("conf.high"));
        Rf_setAttrib(inf, R_NamesSymbol, infn);
        SET_VECTOR_ELT(ans, 6, inf);
        UNPROTECT(2);
    }
    SEXP s1 = PROTECT(r->inference ? Rf_mkCharCE(r->inference, CE_UTF8) : NA_STRING);
    SET_VECTOR_ELT(ans, 7, Rf_ScalarString(s1));
    SEXP s2 = PROTECT(r->subtitle ? Rf_mkCharCE(r->subtitle, CE_UTF8) : NA_STRING);
    SET_VECTOR_ELT(ans, 8, Rf_ScalarString(s2));
    UNPROTECT(2);
    UNPROTECT(9);
    return ans;
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
    dyadfit_r_check_opts(labels, 2, iopt, dopt);

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

    dyadfit_model m;
    dyadfit_r_set_model(&m, iopt, dopt);
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
    dyadfit_r_intr intr;
    dyadfit_r_intr_begin(&intr);
    int rc = dyadfit_fit_matrix(&x, &m, &r, &err);
    dyadfit_r_intr_end();
    if (rc || intr.hit) {
        if (r) dyadfit_result_free(r);   /* not expected, but never leak */
        if (intr.hit) dyadfit_r_interrupted();
        dyadfit_r_fail(rc, &err);
    }
    R_SetExternalPtrAddr(holder, r);
    SEXP ans = PROTECT(result_list(r));
    dyadfit_result_free(r);
    R_ClearExternalPtr(holder);
    UNPROTECT(2);
    return ans;
}

/* cols: named list of double/character columns (the variables the formula,
 * weights, clusters, group and absorb use); labels: c(formula, weights
 * variable, clogit group, felogit absorb 1, absorb 2), NA where unused;
 * clnames: 0-2 cluster variable names; rename: c(from, to, ...) applied to
 * term names (factor levels passed as codes). */
SEXP dyadfit_r_fit_table(SEXP cols, SEXP labels, SEXP clnames, SEXP rename,
                         SEXP iopt, SEXP dopt)
{
    dyadfit_r_check_opts(labels, 5, iopt, dopt);
    if (STRING_ELT(labels, 0) == NA_STRING)
        Rf_error("dyadfit internal: the formula is NA");
    if (!Rf_isString(clnames) || XLENGTH(clnames) > 2)
        Rf_error("dyadfit internal: clnames must be at most 2 names");
    for (R_xlen_t c = 0; c < XLENGTH(clnames); c++)
        if (STRING_ELT(clnames, c) == NA_STRING)
            Rf_error("dyadfit internal: cluster name %d is NA", (int)c + 1);
    if (!Rf_isString(rename) || XLENGTH(rename) % 2 != 0)
        Rf_error("dyadfit internal: rename must be c(from, to, ...)");
    R_xlen_t nrn = XLENGTH(rename);
    const char **rn = (const char **)R_alloc((size_t)nrn + 1, sizeof(char *));
    for (R_xlen_t i = 0; i < nrn; i++) {
        if (STRING_ELT(rename, i) == NA_STRING)
            Rf_error("dyadfit internal: rename has NA");
        rn[i] = Rf_translateCharUTF8(STRING_ELT(rename, i));
    }

    dyadfit_model m;
    dyadfit_r_set_model(&m, iopt, dopt);
    m.formula = utf8_or_null(labels, 0);
    m.weights = utf8_or_null(labels, 1);
    m.group = utf8_or_null(labels, 2);
    m.absorb[0] = utf8_or_null(labels, 3);
    m.absorb[1] = utf8_or_null(labels, 4);
    for (R_xlen_t c = 0; c < XLENGTH(clnames); c++)
        m.cluster[c] = utf8_or_null(clnames, c);

    dyadfit_table *t = NULL;
    SEXP thold = dyadfit_r_table(cols, &t);   /* PROTECTed */
    SEXP holder = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(holder, result_finalizer, TRUE);
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_r_intr intr;
    dyadfit_r_intr_begin(&intr);
    int rc = dyadfit_fit(t, &m, &r, &err);
    dyadfit_r_intr_end();
    if (rc || intr.hit) {
        if (r) dyadfit_result_free(r);
        if (intr.hit) dyadfit_r_interrupted();  /* t: freed by its finalizer */
        dyadfit_r_fail(rc, &err);
    }
    R_SetExternalPtrAddr(holder, r);
    if (rename_terms(r, rn, nrn / 2)) Rf_error("out of memory");
    SEXP ans = PROTECT(result_list(r));
    dyadfit_result_free(r);
    R_ClearExternalPtr(holder);
    dyadfit_table_free(t);
    R_ClearExternalPtr(thold);
    UNPROTECT(3);
    return ans;
}

SEXP dyadfit_r_version(void)
{
    return Rf_mkString(dyadfit_version());
}
