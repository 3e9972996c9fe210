/*
 * test_relogit.c -- rare-events logit (King & Zeng 2001) against an
 * independent R implementation of the paper's formulas (glm + matrix
 * algebra: tests/reference/unit_rare.R -> ref_relogit.h).
 *
 * Data: n = 800, 19 events (ybar = 0.02375), 3 covariates. Cases: no tau
 * (bias correction only), prior correction tau = 0.01, weighting
 * correction tau = 0.01 (HC0 sandwich), prior correction without bias
 * correction, tau range (0.005, 0.02). Precision: LRE >= 9 for b^, bias,
 * b~, V(b^), V(b~) and both probability forms (R's glm converged at
 * epsilon 1e-15).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "fit/rare.h"
#include "ref_relogit.h"

#define MINLRE 9

static df_design mk(const double *y)
{
    df_design d;
    memset(&d, 0, sizeof d);
    d.n = RL_N;
    d.k = RL_K;
    d.X = (double *)RL_X;
    d.y = (double *)y;
    d.intercept = 1;
    return d;
}

typedef struct {
    const double *beta_ml, *bias, *beta, *V, *Vml, *p_tilde, *p_bayes;
    double shift, loglik;
} ref_case;

#define REF(tag, pt, pb) \
    { tag##_beta_ml, tag##_bias, tag##_beta, tag##_V, tag##_Vml, pt, pb, \
      tag##_shift, tag##_loglik }

static void compare(const df_relogit_fit *f, const ref_case *r)
{
    CU_ASSERT_EQUAL(f->converged, 1);
    CU_ASSERT_EQUAL(f->n, RL_N);
    CU_ASSERT_EQUAL(f->k, RL_K);
    TU_ASSERT_LRE(f->ybar, RL_ybar, 15);
    TU_ASSERT_LRE(f->loglik, r->loglik, MINLRE);
    TU_ASSERT_LRE(f->prior_shift, r->shift, 12);
    for (size_t j = 0; j < RL_K; j++) {
        TU_ASSERT_LRE(f->beta_ml[j], r->beta_ml[j], MINLRE);
        TU_ASSERT_LRE(f->bias[j], r->bias[j], MINLRE);
        TU_ASSERT_LRE(f->beta[j], r->beta[j], MINLRE);
    }
    for (size_t j = 0; j < RL_K * RL_K; j++) {
        TU_ASSERT_LRE(f->V_ml[j], r->Vml[j], MINLRE);
        TU_ASSERT_LRE(f->V[j], r->V[j], MINLRE);
    }
    if (r->p_tilde) {
        double pt[RL_M], pb[RL_M];
        dyadfit_error err;
        CU_ASSERT_EQUAL_FATAL(df_relogit_predict(f, RL_X0, RL_M, pt, pb, &err), 0);
        for (size_t i = 0; i < RL_M; i++) {
            TU_ASSERT_LRE(pt[i], r->p_tilde[i], MINLRE);
            TU_ASSERT_LRE(pb[i], r->p_bayes[i], MINLRE);
        }
    }
}

static void run(const df_relogit_opts *o, const ref_case *r)
{
    df_design d = mk(RL_y);
    df_relogit_fit f;
    dyadfit_error err = {0, ""};
    int rc = df_relogit(&d, o, &f, &err);
    if (rc) fprintf(stderr, "  %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    compare(&f, r);
    df_relogit_fit_free(&f);
}

static void test_none(void)
{
    ref_case r = REF(RL_NONE, RL_NONE_p_tilde, RL_NONE_p_bayes);
    run(NULL, &r);
}

static void test_prior(void)
{
    df_relogit_opts o;
    df_relogit_defaults(&o);
    o.ntau = 1;
    o.tau[0] = 0.01;
    ref_case r = REF(RL_PRIOR, RL_PRIOR_p_tilde, RL_PRIOR_p_bayes);
    run(&o, &r);
}

static void test_weighting(void)
{
    df_relogit_opts o;
    df_relogit_defaults(&o);
    o.ntau = 1;
    o.tau[0] = 0.01;
    o.correction = DF_RELOGIT_WEIGHTING;
    ref_case r = REF(RL_WEIGHT, RL_WEIGHT_p_tilde, RL_WEIGHT_p_bayes);
    run(&o, &r);
}

static void test_nobias(void)
{
    df_relogit_opts o;
    df_relogit_defaults(&o);
    o.ntau = 1;
    o.tau[0] = 0.01;
    o.bias_correct = 0;
    ref_case r = REF(RL_NOBIAS, NULL, NULL);
    run(&o, &r);
}

/* the caller's variance options reach df_vce: HC1 = HC0 * n/(n-k) */
static void test_vce_option(void)
{
    df_design d = mk(RL_y);
    df_relogit_opts o;
    df_vce_opts vo;
    df_relogit_fit f;
    dyadfit_error err;
    df_relogit_defaults(&o);
    o.ntau = 1;
    o.tau[0] = 0.01;
    o.correction = DF_RELOGIT_WEIGHTING;
    memset(&vo, 0, sizeof vo);
    vo.type = DYADFIT_VCE_ROBUST;
    vo.ssc = DYADFIT_SSC_HC1;
    o.vce = &vo;
    CU_ASSERT_EQUAL_FATAL(df_relogit(&d, &o, &f, &err), 0);
    double c = (double)RL_N / (RL_N - RL_K);
    for (size_t j = 0; j < RL_K * RL_K; j++)
        TU_ASSERT_LRE(f.V_ml[j], c * RL_WEIGHT_Vml[j], MINLRE);
    df_relogit_fit_free(&f);
}

static void test_bounds(void)
{
    df_design d = mk(RL_y);
    df_relogit_opts o;
    df_relogit_fit lo, hi;
    dyadfit_error err;
    df_relogit_defaults(&o);
    o.ntau = 2;
    o.tau[0] = 0.02;       /* given in either order */
    o.tau[1] = 0.005;
    CU_ASSERT_EQUAL_FATAL(df_relogit_bounds(&d, &o, &lo, &hi, &err), 0);
    CU_ASSERT_EQUAL(lo.tau, 0.005);
    CU_ASSERT_EQUAL(hi.tau, 0.02);
    ref_case rl = REF(RL_LOW, RL_LOW_p_tilde, RL_LOW_p_bayes);
    ref_case rh = REF(RL_HIGH, RL_HIGH_p_tilde, RL_HIGH_p_bayes);
    compare(&lo, &rl);
    compare(&hi, &rh);
    /* a larger tau raises every predicted probability */
    double pl[RL_M], ph[RL_M];
    CU_ASSERT_EQUAL(df_relogit_predict(&lo, RL_X0, RL_M, pl, NULL, &err), 0);
    CU_ASSERT_EQUAL(df_relogit_predict(&hi, RL_X0, RL_M, ph, NULL, &err), 0);
    for (size_t i = 0; i < RL_M; i++) CU_ASSERT(pl[i] < ph[i]);
    df_relogit_fit_free(&lo);
    df_relogit_fit_free(&hi);
}

/* ------------------------------------------------------- bad input */

static void expect(const df_design *d, const df_relogit_opts *o, int code,
                   const char *needle)
{
    df_relogit_fit f;
    dyadfit_error err = {0, ""};
    CU_ASSERT_EQUAL(df_relogit(d, o, &f, &err), code);
    CU_ASSERT_EQUAL(err.code, code);
    if (!strstr(err.message, needle))
        fprintf(stderr, "  message '%s' lacks '%s'\n", err.message, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
    CU_ASSERT_PTR_NULL(f.beta);
    df_relogit_fit_free(&f);
}

static void test_bad_tau(void)
{
    df_design d = mk(RL_y);
    df_relogit_opts o;
    df_relogit_defaults(&o);
    o.ntau = 1;
    const double bad[] = {0, 1, -0.1, 1.5, NAN};
    for (size_t t = 0; t < sizeof bad / sizeof *bad; t++) {
        o.tau[0] = bad[t];
        expect(&d, &o, DYADFIT_ERR_SPEC, "strictly between 0 and 1");
    }
    o.correction = DF_RELOGIT_WEIGHTING;
    o.tau[0] = 0;
    expect(&d, &o, DYADFIT_ERR_SPEC, "got 0");

    /* two values need df_relogit_bounds; bounds need two valid values */
    o.ntau = 2;
    o.tau[0] = 0.01;
    o.tau[1] = 0.02;
    expect(&d, &o, DYADFIT_ERR_SPEC, "df_relogit_bounds");
    df_relogit_fit lo, hi;
    dyadfit_error err = {0, ""};
    o.tau[1] = 1.2;
    CU_ASSERT_EQUAL(df_relogit_bounds(&d, &o, &lo, &hi, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "got 1.2"));
    CU_ASSERT_PTR_NULL(lo.beta);
    CU_ASSERT_PTR_NULL(hi.beta);
    o.ntau = 1;
    CU_ASSERT_EQUAL(df_relogit_bounds(&d, &o, &lo, &hi, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "two values"));
}

static void test_bad_data(void)
{
    static double y[RL_N], X[RL_N * RL_K], w[RL_N];
    df_relogit_opts o;
    df_relogit_defaults(&o);
    o.ntau = 1;
    o.tau[0] = 0.01;

    /* no ones with tau */
    memset(y, 0, sizeof y);
    df_design d = mk(y);
    expect(&d, &o, DYADFIT_ERR_SPEC, "no ones");
    for (size_t i = 0; i < RL_N; i++) y[i] = 1;
    expect(&d, &o, DYADFIT_ERR_SPEC, "no zeros");

    memcpy(y, RL_y, sizeof y);
    y[41] = 0.5;
    expect(&d, &o, DYADFIT_ERR_SPEC, "row 42 has 0.5");

    d = mk(RL_y);
    for (size_t i = 0; i < RL_N; i++) w[i] = 1;
    d.w = w;
    expect(&d, &o, DYADFIT_ERR_SPEC, "weights are not supported");

    /* prior correction shifts column 1: it must be the intercept */
    memcpy(X, RL_X, sizeof X);
    X[7] = 2;
    d = mk(RL_y);
    d.X = X;
    expect(&d, &o, DYADFIT_ERR_SPEC, "intercept");

    d = mk(RL_y);
    d.k = 0;
    expect(&d, &o, DYADFIT_ERR_SPEC, "no coefficients");

    /* collinear columns: the fit reports it (estimation error) */
    memcpy(X, RL_X, sizeof X);
    memcpy(X + RL_N, X, RL_N * sizeof *X);
    d = mk(RL_y);
    d.X = X;
    df_relogit_fit f;
    dyadfit_error err = {0, ""};
    int rc = df_relogit(&d, &o, &f, &err);
    CU_ASSERT(rc == DYADFIT_ERR_ESTIM || (rc == 0 && !f.converged));
    df_relogit_fit_free(&f);

    /* predict rejects non-finite x0 */
    d = mk(RL_y);
    CU_ASSERT_EQUAL_FATAL(df_relogit(&d, &o, &f, &err), 0);
    double x0[RL_K] = {1, NAN, 0, 0}, p;
    CU_ASSERT_EQUAL(df_relogit_predict(&f, x0, 1, &p, NULL, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 1, column 2"));
    df_relogit_fit_free(&f);
}

int main(void)
{
    static const tu_test tests[] = {
        {"no tau: bias correction only", test_none},
        {"prior correction tau = 0.01", test_prior},
        {"weighting correction tau = 0.01 (sandwich)", test_weighting},
        {"prior correction, no bias correction", test_nobias},
        {"variance options pass through", test_vce_option},
        {"tau range (bounds)", test_bounds},
        {"bad tau", test_bad_tau},
        {"bad data", test_bad_data},
        {NULL, NULL}
    };
    return tu_run("relogit", tests);
}
