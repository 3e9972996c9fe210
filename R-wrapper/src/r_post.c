/*
 * r_post.c -- .Call glue for dyad_predictions() and dyad_margins(): the
 * library's post-estimation (src/post/effects.c) on a fit made in R,
 * without a saved fit or a data file.
 *
 * The command line re-reads a saved fit's data file (df_post_attach); here
 * the df_post_fit is put together in memory instead: the model's raw
 * variables (the rows the R fit used, as a library table from
 * dyadfit_r_table), the formula text, the R fit's coefficients and variance,
 * and the design the library builds from them. The design must give the
 * fit's rows and columns (`expected`: R's term names in the library's
 * spelling); otherwise the model cannot be rebuilt in C and we say so.
 * From there the same df_post_predict / df_post_dydx / df_post_fd run as
 * for `dyadfit predict` and `dyadfit margins`, streaming over the rows.
 *
 * Everything the library allocates is held by one external pointer whose
 * finalizer frees it, so an R error (a longjmp) anywhere cannot leak.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "fit/fit.h"
#include "post/post.h"
#include "r_glue.h"

typedef struct {
    df_post_fit *f;
    df_post_profile *prof;
    size_t nprof;
    df_post_table tab;
} post_state;

static void state_free(post_state *s)
{
    if (!s) return;
    for (size_t p = 0; s->prof && p < s->nprof; p++) df_post_profile_free(&s->prof[p]);
    free(s->prof);
    df_post_table_free(&s->tab);
    df_post_fit_free(s->f);     /* frees its table and design too */
    free(s);
}

static void state_finalizer(SEXP p)
{
    post_state *s = (post_state *)R_ExternalPtrAddr(p);
    if (s) {
        state_free(s);
        R_ClearExternalPtr(p);
    }
}

static char *dup_or_null(SEXP s, R_xlen_t i)
{
    SEXP e = STRING_ELT(s, i);
    return e == NA_STRING ? NULL : strdup(Rf_translateCharUTF8(e));
}

/* estimator name -> enum and link (as load.c reads a saved fit) */
static int estimator_of(const char *s, dyadfit_estimator *e, int *link)
{
    static const struct { const char *name; dyadfit_estimator e; int link; } t[] = {
        {"logit", DYADFIT_LOGIT, DF_LINK_LOGIT},
        {"probit", DYADFIT_PROBIT, DF_LINK_PROBIT},
        {"cloglog", DYADFIT_CLOGLOG, DF_LINK_CLOGLOG},
        {"relogit", DYADFIT_RELOGIT, DF_LINK_LOGIT},
        {"firth", DYADFIT_FIRTH, DF_LINK_LOGIT},
        {"cox", DYADFIT_COX, -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            *e = t[i].e;
            *link = t[i].link;
            return 0;
        }
    return -1;
}

/* A failure after the state exists: copy the message, then raise (the
 * finalizer frees the state). */
static void fail(int rc, const dyadfit_error *err) __attribute__((noreturn));
static void fail(int rc, const dyadfit_error *err) { dyadfit_r_fail(rc, err); }

static SEXP table_list(const df_post_table *t)
{
    enum { NF = 8 };
    const char *fields[NF] = {"term", "contrast", "estimate", "std.error", "statistic",
                              "p.value", "conf.low", "conf.high"};
    R_xlen_t n = (R_xlen_t)t->n;
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, NF + 2));
    SEXP nms = PROTECT(Rf_allocVector(STRSXP, NF + 2));
    for (int i = 0; i < NF; i++) SET_STRING_ELT(nms, i, Rf_mkChar(fields[i]));
    SET_STRING_ELT(nms, NF, Rf_mkChar("what"));
    SET_STRING_ELT(nms, NF + 1, Rf_mkChar("note"));
    Rf_setAttrib(ans, R_NamesSymbol, nms);
    SEXP term = PROTECT(Rf_allocVector(STRSXP, n));
    SEXP con = PROTECT(Rf_allocVector(STRSXP, n));
    for (R_xlen_t i = 0; i < n; i++) {
        SET_STRING_ELT(term, i, Rf_mkCharCE(t->rows[i].term, CE_UTF8));
        SET_STRING_ELT(con, i, t->rows[i].contrast ? Rf_mkCharCE(t->rows[i].contrast, CE_UTF8)
                                                   : NA_STRING);
    }
    SET_VECTOR_ELT(ans, 0, term);
    SET_VECTOR_ELT(ans, 1, con);
    for (int c = 0; c < 6; c++) {
        SEXP v = PROTECT(Rf_allocVector(REALSXP, n));
        for (R_xlen_t i = 0; i < n; i++) {
            const df_post_row *r = &t->rows[i];
            double x[6] = {r->estimate, r->std_error, r->statistic, r->p_value, r->conf_low,
                           r->conf_high};
            REAL(v)[i] = x[c];
        }
        SET_VECTOR_ELT(ans, 2 + c, v);
        UNPROTECT(1);
    }
    SET_VECTOR_ELT(ans, NF, Rf_mkString(t->what ? t->what : ""));
    SET_VECTOR_ELT(ans, NF + 1, Rf_mkString(t->note ? t->note : ""));
    UNPROTECT(4);
    return ans;
}

/*
 * cols      named list of the model's raw variables (double or character),
 *           the fitted rows only, plus the weight/offset columns named in
 *           labels
 * labels    c(formula, estimator, weights column, offset column, vce label),
 *           NA where absent
 * coef      k coefficients (the estimated ones, in design order)
 * vcov      k x k
 * expected  k term names the library's design must give
 * what      0 predict, 1 dydx, 2 fd
 * profiles  character: "x=1 z=0" texts (predict: >= 1; dydx: 0 or 1; fd: 2)
 * vars      character: dydx variables
 * iopt      c(others (0 mean, 1 median, 2 observed), method (0 delta,
 *           1 simulation))
 * dopt      c(draws, seed, level, rows the fit used)
 */
SEXP dyadfit_r_post(SEXP cols, SEXP labels, SEXP coef, SEXP vcov, SEXP expected,
                    SEXP what, SEXP profiles, SEXP vars, SEXP iopt, SEXP dopt)
{
    /* ---- validate every argument first */
    if (!Rf_isString(labels) || XLENGTH(labels) != 5 || STRING_ELT(labels, 0) == NA_STRING ||
        STRING_ELT(labels, 1) == NA_STRING)
        Rf_error("dyadfit internal: labels must be c(formula, estimator, weights, offset, vce)");
    if (!Rf_isReal(coef) || XLENGTH(coef) < 1)
        Rf_error("dyadfit internal: coef must be a non-empty double vector");
    R_xlen_t k = XLENGTH(coef);
    if (!Rf_isReal(vcov) || XLENGTH(vcov) != k * k)
        Rf_error("dyadfit internal: vcov must be a %lld x %lld double matrix", (long long)k,
                 (long long)k);
    if (!Rf_isString(expected) || XLENGTH(expected) != k)
        Rf_error("dyadfit internal: expected must name the %lld coefficients", (long long)k);
    for (R_xlen_t j = 0; j < k; j++)
        if (STRING_ELT(expected, j) == NA_STRING)
            Rf_error("dyadfit internal: expected term %lld is NA", (long long)j + 1);
    int w = Rf_asInteger(what);
    if (w < 0 || w > 2) Rf_error("dyadfit internal: what must be 0, 1 or 2");
    if (!Rf_isString(profiles) || !Rf_isString(vars))
        Rf_error("dyadfit internal: profiles and vars must be character vectors");
    for (R_xlen_t p = 0; p < XLENGTH(profiles); p++)
        if (STRING_ELT(profiles, p) == NA_STRING) Rf_error("dyadfit internal: profile is NA");
    for (R_xlen_t p = 0; p < XLENGTH(vars); p++)
        if (STRING_ELT(vars, p) == NA_STRING) Rf_error("dyadfit internal: variable is NA");
    if ((w == 0 && XLENGTH(profiles) < 1) || (w == 1 && XLENGTH(profiles) > 1) ||
        (w == 1 && XLENGTH(vars) < 1) || (w == 2 && XLENGTH(profiles) != 2))
        Rf_error("dyadfit internal: wrong number of profiles or variables");
    if (TYPEOF(iopt) != INTSXP || XLENGTH(iopt) != 2)
        Rf_error("dyadfit internal: iopt must be 2 integers");
    if (!Rf_isReal(dopt) || XLENGTH(dopt) != 4)
        Rf_error("dyadfit internal: dopt must be 4 numbers");
    const int *io = INTEGER(iopt);
    const double *dop = REAL(dopt);
    if (io[0] < 0 || io[0] > 2 || io[1] < 0 || io[1] > 1)
        Rf_error("dyadfit internal: bad others or method code");
    if (!(dop[0] >= 2 && dop[0] <= 1e7) || !(dop[1] >= 0 && dop[1] < 4294967296.0) ||
        !(dop[2] > 0 && dop[2] < 1) || !(dop[3] >= 1))
        Rf_error("dyadfit internal: bad draws, seed or level");
    dyadfit_estimator est;
    int link;
    const char *ename = Rf_translateCharUTF8(STRING_ELT(labels, 1));
    if (estimator_of(ename, &est, &link))
        Rf_error("predictions and marginal effects are not available for a '%s' model "
                 "(logit, probit, cloglog, relogit, firth, cox)", ename);
    /* strings R must translate, before anything is allocated outside R */
    const char **vn = (const char **)R_alloc((size_t)XLENGTH(vars) + 1, sizeof(char *));
    for (R_xlen_t p = 0; p < XLENGTH(vars); p++)
        vn[p] = Rf_translateCharUTF8(STRING_ELT(vars, p));
    const char **pt = (const char **)R_alloc((size_t)XLENGTH(profiles) + 1, sizeof(char *));
    for (R_xlen_t p = 0; p < XLENGTH(profiles); p++)
        pt[p] = Rf_translateCharUTF8(STRING_ELT(profiles, p));

    /* ---- the state, held from the start */
    SEXP holder = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(holder, state_finalizer, TRUE);
    post_state *s = calloc(1, sizeof *s);
    if (!s) Rf_error("out of memory");
    R_SetExternalPtrAddr(holder, s);
    dyadfit_error err = {0, ""};

    dyadfit_table *t = NULL;
    SEXP thold = dyadfit_r_table(cols, &t);   /* PROTECTed */
    df_post_fit *f = s->f = calloc(1, sizeof *f);
    if (!f) Rf_error("out of memory");
    f->table = t;                             /* the fit owns it now */
    R_ClearExternalPtr(thold);
    f->est = est;
    f->link = link;
    f->estimator = strdup(ename);
    f->formula = dup_or_null(labels, 0);
    f->weights = dup_or_null(labels, 2);
    f->offset = dup_or_null(labels, 3);
    f->vce = dup_or_null(labels, 4);
    f->json_path = strdup("(R fit)");
    f->data_used = strdup("the model's data");
    f->table_subset = 1;
    f->weight_type = f->weights ? DYADFIT_WEIGHT_FREQUENCY : DYADFIT_WEIGHT_NONE;
    f->level = dop[2];
    f->k = (size_t)k;
    f->coef = malloc((size_t)k * sizeof(double));
    f->vcov = malloc((size_t)(k * k) * sizeof(double));
    f->terms = calloc((size_t)k, sizeof(char *));
    if (!f->estimator || !f->formula || !f->json_path || !f->data_used || !f->coef ||
        !f->vcov || !f->terms || (STRING_ELT(labels, 2) != NA_STRING && !f->weights) ||
        (STRING_ELT(labels, 3) != NA_STRING && !f->offset) ||
        (STRING_ELT(labels, 4) != NA_STRING && !f->vce))
        Rf_error("out of memory");
    memcpy(f->coef, REAL(coef), (size_t)k * sizeof(double));
    memcpy(f->vcov, REAL(vcov), (size_t)(k * k) * sizeof(double));
    for (R_xlen_t j = 0; j < k; j++)
        if (!(f->terms[j] = dup_or_null(expected, j))) Rf_error("out of memory");

    /* ---- the design of the fitted rows, as df_post_attach makes it */
    df_design_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.formula = f->formula;
    spec.weights = f->weights;
    spec.offset = f->offset;
    spec.binary_response = est != DYADFIT_COX;
    int rc = est == DYADFIT_COX ? df_design_build_survival(t, &spec, &f->design, &err)
                                : df_design_build(t, &spec, &f->design, &err);
    if (rc) {
        char msg[sizeof err.message];
        snprintf(msg, sizeof msg, "%s", err.message);
        Rf_error("the library cannot rebuild this model's design from its formula: %s", msg);
    }
    f->rows_used = f->design->n;
    f->nobs = (double)f->design->n;
    if (f->design->n != (size_t)dop[3])
        Rf_error("the library's design of this model has %llu rows where the fit used %llu "
                 "(a term missing or not finite in C but not in R, rows dropped by "
                 "drop_separated, or data changed since the fit?)",
                 (unsigned long long)f->design->n, (unsigned long long)dop[3]);
    int same = f->design->k == (size_t)k;
    for (size_t j = 0; same && j < (size_t)k; j++)
        same = strcmp(f->design->terms[j], f->terms[j]) == 0;
    if (!same) {
        char got[256] = "", want[256] = "";
        size_t j = 0;
        while (j < f->design->k && j < (size_t)k && !strcmp(f->design->terms[j], f->terms[j])) j++;
        snprintf(got, sizeof got, "%s", j < f->design->k ? f->design->terms[j] : "(none)");
        snprintf(want, sizeof want, "%s", j < (size_t)k ? f->terms[j] : "(none)");
        Rf_error("the library rebuilds this model with %llu columns instead of the fit's %llu "
                 "(column %llu: '%s' where the fit has '%s'); predictions and effects need "
                 "terms the library's formula parser knows (variables, factor(), log(), I(), "
                 "poly(x, k, raw = TRUE), interactions)",
                 (unsigned long long)f->design->k, (unsigned long long)k,
                 (unsigned long long)j + 1, got, want);
    }

    /* ---- profiles, then the computation */
    df_post_opts o;
    df_post_opts_init(&o);
    o.others = (df_post_others)io[0];
    o.method = (df_post_method)io[1];
    o.draws = (size_t)dop[0];
    o.seed = (unsigned long)dop[1];
    o.level = dop[2];
    s->nprof = (size_t)XLENGTH(profiles);
    if (!(s->prof = calloc(s->nprof ? s->nprof : 1, sizeof *s->prof))) Rf_error("out of memory");
    for (size_t p = 0; p < s->nprof; p++)
        if ((rc = df_post_profile_parse(f, pt[p], &s->prof[p], &err))) fail(rc, &err);
    if (w == 0) rc = df_post_predict(f, s->prof, s->nprof, &o, &s->tab, &err);
    else if (w == 1)
        rc = df_post_dydx(f, vn, (size_t)XLENGTH(vars), s->nprof ? &s->prof[0] : NULL, &o,
                          &s->tab, &err);
    else rc = df_post_fd(f, &s->prof[0], &s->prof[1], &o, &s->tab, &err);
    if (rc) fail(rc, &err);
    SEXP ans = PROTECT(table_list(&s->tab));
    state_free(s);
    R_ClearExternalPtr(holder);
    UNPROTECT(3);
    return ans;
}
