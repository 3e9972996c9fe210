/*
 * test_cox.c -- the Cox model (src/fit/cox.c) against survival::coxph.
 * Reference values: tests/fit/ref_cox.h, written by
 * tests/reference/unit_cox.R (survival 3.5-3, eps = 1e-14).
 *
 * Precision asserted (log relative error): coefficients, log-likelihoods
 * and model-based SEs >= 11; cluster-robust SEs, martingale and score
 * residuals, baseline cumulative hazard >= 10 (residuals near zero are
 * compared on the scale of the largest residual, see lre_vec). Achieved
 * (survival 3.5-3, OpenBLAS, x86-64): 13.6 or more everywhere; run with
 * TU_VERBOSE=1 to print the smallest LRE of each kind per case.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "fit/cox.h"
#include "vce/vce.h"
#include "ref_cox.h"

/* a reference case: data and what coxph reported */
typedef struct {
    const char *name;
    size_t n, k;
    const double *X, *start, *stop, *w, *off;
    const int *event, *strata, *cluster;
    size_t nstrata, ncluster;
    df_cox_ties ties;
    const double *coef, *loglik, *var, *rvar, *mart, *score, *haz_time,
        *haz_cum;
    const int *haz_str;
    size_t nhaz;
} refcase;

/* the variance from the fit's information and weighted score residuals */
static int cox_vce(const df_cox_fit *f, const df_vce_opts *o, double *V,
                   df_vce_info *vi, dyadfit_error *err)
{
    df_scores sc;
    memset(&sc, 0, sizeof sc);
    sc.n = f->n;
    sc.k = f->k;
    sc.S = f->scorew;
    return df_vce(f->info, &sc, o, V, vi, err);
}

/* owned copies of the integer columns in the types df_cox takes */
typedef struct {
    double *event;
    size_t *strata, *cluster;
} conv;

static void setup(const refcase *rc, df_cox_data *d, conv *cv)
{
    df_cox_defaults(d);
    d->n = rc->n;
    d->k = rc->k;
    d->X = rc->X;
    d->start = rc->start;
    d->stop = rc->stop;
    d->weights = rc->w;
    d->offset = rc->off;
    d->ties = rc->ties;
    cv->event = malloc(rc->n * sizeof(double));
    cv->strata = rc->strata ? malloc(rc->n * sizeof(size_t)) : NULL;
    cv->cluster = malloc(rc->n * sizeof(size_t));
    for (size_t i = 0; i < rc->n; i++) {
        cv->event[i] = rc->event[i];
        cv->cluster[i] = rc->cluster ? (size_t)rc->cluster[i] : i;
        if (rc->strata) cv->strata[i] = (size_t)rc->strata[i];
    }
    d->event = cv->event;
    d->strata = cv->strata;
    d->nstrata = rc->nstrata;
}

static void conv_free(conv *cv)
{
    free(cv->event);
    free(cv->strata);
    free(cv->cluster);
}

/* smallest LRE over a vector, errors measured relative to max |ref| so
 * that entries near zero do not demand absolute precision below 1e-16 */
static double lre_vec(const double *x, const double *ref, size_t m)
{
    double scale = 0, worst = 17;
    for (size_t i = 0; i < m; i++)
        if (fabs(ref[i]) > scale) scale = fabs(ref[i]);
    for (size_t i = 0; i < m; i++) {
        double d = fabs(x[i] - ref[i]), l;
        if (isnan(x[i])) return 0;
        l = d == 0 ? 17 : -log10(d / scale);
        if (l < worst) worst = l;
    }
    return worst;
}

static void check_case(const refcase *rc)
{
    df_cox_data d;
    conv cv;
    df_cox_fit f;
    dyadfit_error err = {0, ""};
    size_t k = rc->k;
    setup(rc, &d, &cv);
    int r = df_cox(&d, &f, &err);
    CU_ASSERT_EQUAL_FATAL(r, 0);
    if (r) {
        fprintf(stderr, "%s: %s\n", rc->name, err.message);
        conv_free(&cv);
        return;
    }
    CU_ASSERT(f.converged);
    for (size_t j = 0; j < k; j++) TU_ASSERT_LRE(f.beta[j], rc->coef[j], 11);
    TU_ASSERT_LRE(f.loglik0, rc->loglik[0], 11);
    TU_ASSERT_LRE(f.loglik, rc->loglik[1], 11);

    /* model-based (oim) variance: coxph's naive.var */
    double V[16], Vs[16];
    df_vce_opts o;
    df_vce_info vi;
    memset(&o, 0, sizeof o);
    o.type = DYADFIT_VCE_OIM;
    CU_ASSERT_EQUAL_FATAL(cox_vce(&f, &o, V, &vi, &err), 0);
    for (size_t j = 0; j < k; j++)
        TU_ASSERT_LRE(sqrt(V[j * k + j]), sqrt(rc->var[j * k + j]), 11);
    CU_ASSERT(lre_vec(V, rc->var, k * k) >= 11);

    /* cluster-robust, no small-sample factor (coxph's robust var) */
    o.type = DYADFIT_VCE_CLUSTER;
    o.ssc = DYADFIT_SSC_HC0;
    o.ncluster = 1;
    o.cl[0] = cv.cluster;
    o.ng[0] = rc->ncluster;
    CU_ASSERT_EQUAL_FATAL(cox_vce(&f, &o, V, &vi, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(vi.factor, 1.0, 0);
    for (size_t j = 0; j < k; j++)
        TU_ASSERT_LRE(sqrt(V[j * k + j]), sqrt(rc->rvar[j * k + j]), 10);
    CU_ASSERT(lre_vec(V, rc->rvar, k * k) >= 10);
    if (!rc->cluster) { /* one row per cluster: plain robust, HC0 */
        df_vce_opts ro;
        memset(&ro, 0, sizeof ro);
        ro.type = DYADFIT_VCE_ROBUST;
        ro.ssc = DYADFIT_SSC_HC0;
        CU_ASSERT_EQUAL_FATAL(cox_vce(&f, &ro, Vs, &vi, &err), 0);
        CU_ASSERT(lre_vec(Vs, rc->rvar, k * k) >= 10);
    }
    /* Stata's stcox vce(cluster): the same times G/(G-1) */
    o.ssc = DYADFIT_SSC_STATA;
    CU_ASSERT_EQUAL_FATAL(cox_vce(&f, &o, Vs, &vi, &err), 0);
    double G = (double)rc->ncluster;
    TU_ASSERT_LRE(vi.factor, G / (G - 1), 15);
    for (size_t j = 0; j < k * k; j++) TU_ASSERT_LRE(Vs[j], V[j] * G / (G - 1), 13);

    /* residuals */
    double lm = lre_vec(f.martingale, rc->mart, rc->n);
    double ls = lre_vec(f.score, rc->score, rc->n * k);
    if (lm < 10 || ls < 10)
        fprintf(stderr, "  %s: martingale LRE %.2f, score LRE %.2f\n", rc->name, lm, ls);
    CU_ASSERT(lm >= 10);
    CU_ASSERT(ls >= 10);
    /* the weighted score residuals add up to the gradient: 0 at the MLE */
    for (size_t j = 0; j < k; j++) {
        double s = 0, a = 0;
        for (size_t i = 0; i < rc->n; i++) {
            s += f.scorew[j * rc->n + i];
            a += fabs(f.scorew[j * rc->n + i]);
        }
        CU_ASSERT(fabs(s) <= 1e-9 * a);
    }

    /* baseline cumulative hazard */
    CU_ASSERT_EQUAL(f.nhaz, rc->nhaz);
    if (f.nhaz == rc->nhaz) {
        for (size_t u = 0; u < f.nhaz; u++) {
            CU_ASSERT_EQUAL(f.haz_time[u], rc->haz_time[u]);
            CU_ASSERT_EQUAL(f.haz_stratum[u], (size_t)rc->haz_str[u]);
        }
        double lh = 17;
        for (size_t u = 0; u < f.nhaz; u++) {
            double l = tu_lre(f.haz_cum[u], rc->haz_cum[u]);
            if (l < lh) lh = l;
        }
        if (lh < 10) fprintf(stderr, "  %s: baseline hazard LRE %.2f\n", rc->name, lh);
        CU_ASSERT(lh >= 10);
    }
    if (getenv("TU_VERBOSE")) {
        double lb = 17, lse = 17, lr = 17, lh = 17;
        for (size_t j = 0; j < k; j++) {
            double a = tu_lre(f.beta[j], rc->coef[j]);
            double b = tu_lre(sqrt(V[j * k + j]), sqrt(rc->rvar[j * k + j]));
            lb = a < lb ? a : lb;
            lr = b < lr ? b : lr;
        }
        df_vce_opts oo;
        memset(&oo, 0, sizeof oo);
        cox_vce(&f, &oo, Vs, &vi, &err);
        for (size_t j = 0; j < k; j++) {
            double a = tu_lre(sqrt(Vs[j * k + j]), sqrt(rc->var[j * k + j]));
            lse = a < lse ? a : lse;
        }
        for (size_t u = 0; u < f.nhaz && f.nhaz == rc->nhaz; u++) {
            double l = tu_lre(f.haz_cum[u], rc->haz_cum[u]);
            lh = l < lh ? l : lh;
        }
        fprintf(stderr, "  %s: min LRE coef %.1f, loglik %.1f/%.1f, se %.1f, "
                "cluster se %.1f, martingale %.1f, score %.1f, hazard %.1f; "
                "%d iterations\n", rc->name, lb,
                tu_lre(f.loglik0, rc->loglik[0]), tu_lre(f.loglik, rc->loglik[1]),
                lse, lr, lm, ls, lh, f.iterations);
    }
    df_cox_fit_free(&f);
    conv_free(&cv);
}

/* ---------------------------------------------------------- the cases */

#define D1(nm, ties_, strat, wt, of, P)                                  \
    refcase rc = {nm, D1_N, 4, d1_x, NULL, d1_time, wt, of, d1_status,   \
                  strat, d1_cl, 3, 160, ties_, P##_coef, P##_loglik,     \
                  P##_var, P##_rvar, P##_mart, P##_score, P##_haz_time,  \
                  P##_haz_cum, P##_haz_str, 0};

static void test_efron(void)
{
    D1("A efron", DF_COX_EFRON, NULL, NULL, NULL, fa)
    rc.nhaz = FA_NHAZ;
    check_case(&rc);
}

static void test_breslow(void)
{
    D1("B breslow", DF_COX_BRESLOW, NULL, NULL, NULL, fb)
    rc.nhaz = FB_NHAZ;
    check_case(&rc);
}

static void test_strata_weights_offset_efron(void)
{
    D1("C strata+w+offset efron", DF_COX_EFRON, d1_strata, d1_w, d1_off, fc)
    rc.nhaz = FC_NHAZ;
    check_case(&rc);
}

static void test_strata_weights_offset_breslow(void)
{
    D1("D strata+w+offset breslow", DF_COX_BRESLOW, d1_strata, d1_w, d1_off, fd)
    rc.nhaz = FD_NHAZ;
    check_case(&rc);
}

static void test_counting_efron_strata(void)
{
    refcase rc = {"E (start,stop] efron strata", D2_N, 3, d2_x, d2_start,
                  d2_stop, NULL, NULL, d2_event, d2_strata, d2_id, 2, 500,
                  DF_COX_EFRON, fe_coef, fe_loglik, fe_var, fe_rvar, fe_mart,
                  fe_score, fe_haz_time, fe_haz_cum, fe_haz_str, FE_NHAZ};
    check_case(&rc);
}

static void test_counting_breslow_weights(void)
{
    refcase rc = {"F (start,stop] breslow weights", D2_N, 3, d2_x, d2_start,
                  d2_stop, d2_w, NULL, d2_event, NULL, d2_id, 1, 500,
                  DF_COX_BRESLOW, ff_coef, ff_loglik, ff_var, ff_rvar, ff_mart,
                  ff_score, ff_haz_time, ff_haz_cum, ff_haz_str, FF_NHAZ};
    check_case(&rc);
}

static void test_counting_efron_robust(void)
{
    /* cluster = NULL: each row its own cluster, i.e. robust = TRUE */
    refcase rc = {"G (start,stop] efron weights robust", D2_N, 3, d2_x,
                  d2_start, d2_stop, d2_w, NULL, d2_event, NULL, NULL, 1,
                  D2_N, DF_COX_EFRON, fg_coef, fg_loglik, fg_var, fg_rvar,
                  fg_mart, fg_score, fg_haz_time, fg_haz_cum, fg_haz_str,
                  FG_NHAZ};
    check_case(&rc);
}

static void test_lung(void)
{
    refcase rc = {"lung efron", LUNG_N, 3, lung_x, NULL, lung_time, NULL,
                  NULL, lung_status, NULL, lung_inst, 1, 0, DF_COX_EFRON,
                  fl_coef, fl_loglik, fl_var, fl_rvar, fl_mart, fl_score,
                  fl_haz_time, fl_haz_cum, fl_haz_str, FL_NHAZ};
    size_t g = 0;
    for (size_t i = 0; i < LUNG_N; i++)
        if ((size_t)lung_inst[i] + 1 > g) g = (size_t)lung_inst[i] + 1;
    rc.ncluster = g;
    check_case(&rc);
    refcase rb = rc;
    rb.name = "lung breslow";
    rb.ties = DF_COX_BRESLOW;
    rb.coef = flb_coef;
    rb.loglik = flb_loglik;
    rb.var = flb_var;
    rb.rvar = flb_rvar;
    rb.mart = flb_mart;
    rb.score = flb_score;
    rb.haz_time = flb_haz_time;
    rb.haz_cum = flb_haz_cum;
    rb.haz_str = flb_haz_str;
    rb.nhaz = FLB_NHAZ;
    check_case(&rb);
}

/* right-censored data given as (start = -huge, stop] is the same model */
static void test_start_equivalent(void)
{
    double *st = malloc(D1_N * sizeof *st);
    for (size_t i = 0; i < D1_N; i++) st[i] = -1e6;
    D1("A with start", DF_COX_EFRON, NULL, NULL, NULL, fa)
    rc.start = st;
    rc.nhaz = FA_NHAZ;
    check_case(&rc);
    free(st);
}

/* a stratum without events is counted, adds nothing, and is no error */
static void test_empty_stratum(void)
{
    df_cox_data d;
    df_cox_fit f, g;
    dyadfit_error err = {0, ""};
    double *ev = malloc(D1_N * sizeof *ev), *X2 = malloc(4 * D1_N * sizeof *X2),
           *t2 = malloc(D1_N * sizeof *t2), *ev2 = malloc(D1_N * sizeof *ev2);
    size_t *s = malloc(D1_N * sizeof *s), *s2 = malloc(D1_N * sizeof *s2);
    size_t m = 0;
    for (size_t i = 0; i < D1_N; i++) {
        s[i] = (size_t)d1_strata[i];
        ev[i] = s[i] == 2 ? 0 : d1_status[i];
    }
    /* the same data without stratum 2 */
    for (size_t i = 0; i < D1_N; i++)
        if (s[i] != 2) {
            for (size_t j = 0; j < 4; j++) X2[j * D1_N + m] = d1_x[j * D1_N + i];
            t2[m] = d1_time[i];
            ev2[m] = ev[i];
            s2[m] = s[i];
            m++;
        }
    for (size_t j = 1; j < 4; j++) /* compact the columns */
        memmove(X2 + j * m, X2 + j * D1_N, m * sizeof *X2);
    df_cox_defaults(&d);
    d.n = D1_N;
    d.k = 4;
    d.X = d1_x;
    d.stop = d1_time;
    d.event = ev;
    d.strata = s;
    d.nstrata = 3;
    CU_ASSERT_EQUAL_FATAL(df_cox(&d, &f, &err), 0);
    CU_ASSERT_EQUAL(f.nstrata, 3);
    CU_ASSERT_EQUAL(f.nstrata_noevent, 1);
    d.n = m;
    d.X = X2;
    d.stop = t2;
    d.event = ev2;
    d.strata = s2;
    d.nstrata = 2;
    CU_ASSERT_EQUAL_FATAL(df_cox(&d, &g, &err), 0);
    CU_ASSERT_EQUAL(g.nstrata_noevent, 0);
    for (size_t j = 0; j < 4; j++) TU_ASSERT_LRE(f.beta[j], g.beta[j], 11);
    TU_ASSERT_LRE(f.loglik, g.loglik, 12);
    df_cox_fit_free(&f);
    df_cox_fit_free(&g);
    free(ev);
    free(X2);
    free(t2);
    free(ev2);
    free(s);
    free(s2);
}

/* X handed over (own_X): the same numbers to the bit, lp left NULL, and
 * the block freed by df_cox on success and on error (ASan's leak check in
 * make asan sees a block that is not) */
static void test_own_x(void)
{
    df_cox_data d;
    df_cox_fit f, g;
    dyadfit_error err = {0, ""};
    size_t n = D1_N, k = 4;
    double *X = malloc(n * k * sizeof *X), *ev1 = malloc(n * sizeof *ev1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(X);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev1);
    memcpy(X, d1_x, n * k * sizeof *X);
    for (size_t i = 0; i < n; i++) ev1[i] = d1_status[i];
    df_cox_defaults(&d);
    d.n = n;
    d.k = k;
    d.X = d1_x;
    d.stop = d1_time;
    d.event = ev1;
    CU_ASSERT_EQUAL_FATAL(df_cox(&d, &f, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(f.lp);
    d.X = X;
    d.own_X = X;
    CU_ASSERT_EQUAL_FATAL(df_cox(&d, &g, &err), 0);
    CU_ASSERT_PTR_NULL(g.lp);
    CU_ASSERT_EQUAL(memcmp(f.beta, g.beta, k * sizeof *f.beta), 0);
    CU_ASSERT_EQUAL(memcmp(f.info, g.info, k * k * sizeof *f.info), 0);
    CU_ASSERT_EQUAL(memcmp(f.scorew, g.scorew, n * k * sizeof *f.scorew), 0);
    CU_ASSERT_EQUAL(memcmp(f.martingale, g.martingale, n * sizeof *f.martingale), 0);
    CU_ASSERT_EQUAL(f.loglik, g.loglik);
    df_cox_fit_free(&f);
    df_cox_fit_free(&g);
    /* an error after the hand-over: every event removed */
    double *X2 = malloc(n * k * sizeof *X2), *ev = calloc(n, sizeof *ev);
    CU_ASSERT_PTR_NOT_NULL_FATAL(X2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    memcpy(X2, d1_x, n * k * sizeof *X2);
    d.X = X2;
    d.own_X = X2;
    d.event = ev;
    CU_ASSERT_NOT_EQUAL(df_cox(&d, &g, &err), 0);
    free(ev);
    free(ev1);
}

/* ---------------------------------------------------------- bad input */

enum { EN = 6 };
static double e_x[EN] = {0.5, -1, 2, 0.1, 1.5, -0.3};
static double e_start[EN] = {0, 0, 1, 0, 2, 0};
static double e_stop[EN] = {3, 2, 4, 5, 6, 1};
static double e_event[EN] = {1, 0, 1, 1, 0, 1};
static double e_w[EN] = {1, 1, 2, 1, 1, 1};
static double e_off[EN] = {0, 0, 0, 0, 0, 0};
static size_t e_str[EN] = {0, 1, 0, 1, 0, 1};

static void e_setup(df_cox_data *d)
{
    df_cox_defaults(d);
    d->n = EN;
    d->k = 1;
    d->X = e_x;
    d->start = e_start;
    d->stop = e_stop;
    d->event = e_event;
    d->weights = e_w;
    d->offset = e_off;
    d->strata = e_str;
    d->nstrata = 2;
}

/* fits d, expects failure with code and a message containing want */
static void expect_err(const df_cox_data *d, int code, const char *want)
{
    df_cox_fit f;
    dyadfit_error err = {0, ""};
    int r = df_cox(d, &f, &err);
    CU_ASSERT_EQUAL(r, code);
    CU_ASSERT_EQUAL(err.code, code);
    if (!strstr(err.message, want))
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.message, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
    CU_ASSERT_PTR_NULL(f.beta); /* nothing handed out on error */
}

static void test_small_ok(void)
{
    df_cox_data d;
    df_cox_fit f;
    dyadfit_error err = {0, ""};
    e_setup(&d);
    CU_ASSERT_EQUAL_FATAL(df_cox(&d, &f, &err), 0);
    CU_ASSERT(isfinite(f.beta[0]));
    CU_ASSERT_EQUAL(f.nevents, 4);
    df_cox_fit_free(&f);
}

static void test_err_zero_length(void)
{
    df_cox_data d;
    double st[EN], sp[EN];
    e_setup(&d);
    memcpy(st, e_start, sizeof st);
    memcpy(sp, e_stop, sizeof sp);
    st[4] = 5;
    sp[4] = 5;
    d.start = st;
    d.stop = sp;
    expect_err(&d, DYADFIT_ERR_DATA, "interval (5, 5] at row 5 has zero length");
    sp[4] = 4;
    expect_err(&d, DYADFIT_ERR_DATA, "interval (5, 4] at row 5 ends before it starts");
}

static void test_err_event(void)
{
    df_cox_data d;
    double ev[EN];
    e_setup(&d);
    memcpy(ev, e_event, sizeof ev);
    ev[2] = 2;
    d.event = ev;
    expect_err(&d, DYADFIT_ERR_DATA, "event at row 3 is 2: must be 0 or 1");
    ev[2] = NAN;
    expect_err(&d, DYADFIT_ERR_DATA, "event at row 3 is nan");
}

static void test_err_no_events(void)
{
    df_cox_data d;
    double ev[EN] = {0};
    e_setup(&d);
    d.event = ev;
    expect_err(&d, DYADFIT_ERR_ESTIM, "no events (all 6 rows are censored)");
}

static void test_err_nonfinite(void)
{
    df_cox_data d;
    double x[EN], sp[EN], st[EN], o[EN];
    e_setup(&d);
    memcpy(x, e_x, sizeof x);
    x[3] = NAN;
    d.X = x;
    expect_err(&d, DYADFIT_ERR_DATA, "covariate 1 at row 4 is not finite");
    x[3] = INFINITY;
    expect_err(&d, DYADFIT_ERR_DATA, "covariate 1 at row 4 is not finite (inf)");
    e_setup(&d);
    memcpy(sp, e_stop, sizeof sp);
    sp[0] = NAN;
    d.stop = sp;
    expect_err(&d, DYADFIT_ERR_DATA, "stop time at row 1 is not finite");
    e_setup(&d);
    memcpy(st, e_start, sizeof st);
    st[5] = -INFINITY;
    d.start = st;
    expect_err(&d, DYADFIT_ERR_DATA, "start time at row 6 is not finite");
    e_setup(&d);
    memcpy(o, e_off, sizeof o);
    o[1] = NAN;
    d.offset = o;
    expect_err(&d, DYADFIT_ERR_DATA, "offset at row 2 is not finite");
}

static void test_err_weights_strata(void)
{
    df_cox_data d;
    double w[EN];
    size_t s[EN];
    e_setup(&d);
    memcpy(w, e_w, sizeof w);
    w[1] = 0;
    d.weights = w;
    expect_err(&d, DYADFIT_ERR_DATA, "weight at row 2 is 0: must be positive");
    w[1] = -1;
    expect_err(&d, DYADFIT_ERR_DATA, "weight at row 2 is -1");
    e_setup(&d);
    memcpy(s, e_str, sizeof s);
    s[3] = 2;
    d.strata = s;
    expect_err(&d, DYADFIT_ERR_DATA, "stratum id 2 at row 4 is outside 0..1");
}

static void test_err_shape(void)
{
    df_cox_data d;
    e_setup(&d);
    d.k = 0;
    expect_err(&d, DYADFIT_ERR_SPEC, "no covariates");
    e_setup(&d);
    d.n = 0;
    expect_err(&d, DYADFIT_ERR_DATA, "no observations");
    e_setup(&d);
    d.stop = NULL;
    expect_err(&d, DYADFIT_ERR_USAGE, "required");
}

/* right-censored data, no start: negative times are fine */
static void test_negative_times(void)
{
    df_cox_data d;
    df_cox_fit f, g;
    dyadfit_error err = {0, ""};
    double sp[EN];
    e_setup(&d);
    d.start = NULL;
    CU_ASSERT_EQUAL_FATAL(df_cox(&d, &f, &err), 0);
    for (size_t i = 0; i < EN; i++) sp[i] = e_stop[i] - 100;
    d.stop = sp;
    CU_ASSERT_EQUAL_FATAL(df_cox(&d, &g, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(f.beta[0], g.beta[0], 1e-12);
    df_cox_fit_free(&f);
    df_cox_fit_free(&g);
}

int main(void)
{
    static const tu_test tests[] = {
        {"efron, right-censored (coxph)", test_efron},
        {"breslow, right-censored (coxph)", test_breslow},
        {"strata + weights + offset, efron", test_strata_weights_offset_efron},
        {"strata + weights + offset, breslow", test_strata_weights_offset_breslow},
        {"counting process, efron, strata", test_counting_efron_strata},
        {"counting process, breslow, weights", test_counting_breslow_weights},
        {"counting process, efron, robust", test_counting_efron_robust},
        {"lung data, efron and breslow", test_lung},
        {"right-censored as (start, stop]", test_start_equivalent},
        {"stratum without events", test_empty_stratum},
        {"X handed over (own_X)", test_own_x},
        {"small data set fits", test_small_ok},
        {"error: zero-length interval", test_err_zero_length},
        {"error: event not 0/1", test_err_event},
        {"error: no events", test_err_no_events},
        {"error: non-finite values", test_err_nonfinite},
        {"error: weights and strata", test_err_weights_strata},
        {"error: shape", test_err_shape},
        {"negative times allowed", test_negative_times},
        {NULL, NULL}};
    return tu_run("cox", tests);
}
