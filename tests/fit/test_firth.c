/*
 * test_firth.c -- Firth logit, FLIC and FLAC against R's logistf 1.26 and
 * brglm2 (tests/reference/unit_rare.R -> ref_firth.h).
 *
 * Precision: coefficients, Wald SEs, penalised log-likelihood, hat values
 * LRE >= 9 against logistf run at xconv = gconv = 1e-13; profile CI bounds
 * and penalised LR p-values LRE >= 8 (logistf's profile search stops at
 * lconv/xconv 1e-13, an intrinsically less precise root); brglm2
 * coefficients and SEs LRE >= 8 (its own stopping rule, epsilon 1e-14).
 * Variance: logistf >= 1.24 reports the augmented-data variance
 * (augmented_variance = 1), brglm2 the classical (X'WX)^-1 (default).
 * Data sets: A general (n = 120, also with weights and offset), B rare
 * outcome (15 events in 500), C completely separated on x1 (no ML
 * estimate).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "fit/rare.h"
#include "ref_firth.h"

static df_design mk(size_t n, size_t k, const double *X, const double *y,
                    const double *w, const double *off)
{
    df_design d;
    memset(&d, 0, sizeof d);
    d.n = n;
    d.k = k;
    d.X = (double *)X;
    d.y = (double *)y;
    d.w = (double *)w;
    d.offset = (double *)off;
    d.intercept = 1;
    return d;
}

static void check(const df_design *d, const double *beta, const double *se,
                  const double *lo, const double *hi, const double *p,
                  const double *hat, double loglik)
{
    df_firth_fit f;
    df_firth_opts o;
    dyadfit_error err = {0, ""};
    /* logistf >= 1.24 reports the augmented-data variance */
    df_firth_defaults(&o);
    o.augmented_variance = 1;
    int rc = df_firth(d, &o, &f, &err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    if (rc) { fprintf(stderr, "%s\n", err.message); return; }
    CU_ASSERT_EQUAL(f.converged, 1);
    CU_ASSERT_EQUAL(f.profile_failures, 0);
    for (size_t j = 0; j < d->k; j++) {
        TU_ASSERT_LRE(f.beta[j], beta[j], 9);
        TU_ASSERT_LRE(f.se[j], se[j], 9);
        TU_ASSERT_LRE(f.ci_lower[j], lo[j], 8);
        TU_ASSERT_LRE(f.ci_upper[j], hi[j], 8);
        TU_ASSERT_LRE(f.pvalue[j], p[j], 8);
        CU_ASSERT(f.ci_lower[j] < f.beta[j] && f.beta[j] < f.ci_upper[j]);
    }
    for (size_t i = 0; i < d->n; i++) TU_ASSERT_LRE(f.hat[i], hat[i], 9);
    TU_ASSERT_LRE(f.loglik, loglik, 10);
    df_firth_fit_free(&f);
}

static void test_general(void)
{
    df_design d = mk(FA_N, FA_K, FA_X, FA_y, NULL, NULL);
    check(&d, FA_beta, FA_se, FA_lo, FA_hi, FA_p, FA_hat, FA_loglik);
}

static void test_weights_offset(void)
{
    df_design d = mk(FA_N, FA_K, FA_X, FA_y, FA_w, FA_off);
    check(&d, FAW_beta, FAW_se, FAW_lo, FAW_hi, FAW_p, FAW_hat, FAW_loglik);
}

static void test_rare(void)
{
    df_design d = mk(FB_N, FB_K, FB_X, FB_y, NULL, NULL);
    check(&d, FB_beta, FB_se, FB_lo, FB_hi, FB_p, FB_hat, FB_loglik);
}

static void test_separated(void)
{
    df_design d = mk(FC_N, FC_K, FC_X, FC_y, NULL, NULL);
    check(&d, FC_beta, FC_se, FC_lo, FC_hi, FC_p, FC_hat, FC_loglik);
}

static void test_brglm2(void)
{
    struct { df_design d; const double *ref, *se; } c[3] = {
        { mk(FA_N, FA_K, FA_X, FA_y, NULL, NULL), FA_brglm2, FA_brglm2_se },
        { mk(FB_N, FB_K, FB_X, FB_y, NULL, NULL), FB_brglm2, FB_brglm2_se },
        { mk(FC_N, FC_K, FC_X, FC_y, NULL, NULL), FC_brglm2, FC_brglm2_se },
    };
    df_firth_opts o;
    df_firth_defaults(&o);
    o.profile = 0;
    for (int t = 0; t < 3; t++) {
        df_firth_fit f;
        dyadfit_error err;
        CU_ASSERT_EQUAL_FATAL(df_firth(&c[t].d, &o, &f, &err), 0);
        CU_ASSERT_PTR_NULL(f.ci_lower);
        for (size_t j = 0; j < c[t].d.k; j++) {
            TU_ASSERT_LRE(f.beta[j], c[t].ref[j], 8);
            /* default variance: the classical (X'WX)^-1, as brglm2 */
            TU_ASSERT_LRE(f.se[j], c[t].se[j], 8);
        }
        df_firth_fit_free(&f);
    }
}

/* the separated data have no ML estimate; Firth's is finite and its hat
 * values sum to k (trace of a projection) */
static void test_hat_trace(void)
{
    df_design d = mk(FC_N, FC_K, FC_X, FC_y, NULL, NULL);
    df_firth_opts o;
    df_firth_fit f;
    dyadfit_error err;
    df_firth_defaults(&o);
    o.profile = 0;
    CU_ASSERT_EQUAL_FATAL(df_firth(&d, &o, &f, &err), 0);
    double s = 0;
    for (size_t i = 0; i < d.n; i++) s += f.hat[i];
    TU_ASSERT_LRE(s, (double)FC_K, 12);
    df_firth_fit_free(&f);
}

static void test_flic(void)
{
    df_design d = mk(FB_N, FB_K, FB_X, FB_y, NULL, NULL);
    df_firth_fit f;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(df_flic(&d, NULL, &f, &err), 0);
    for (size_t j = 0; j < d.k; j++) TU_ASSERT_LRE(f.beta[j], FB_flic_beta[j], 9);
    TU_ASSERT_LRE(f.se[0], FB_flic_se0, 9);
    /* FLIC's defining property: the average predicted probability equals
     * the observed event rate */
    double pbar = 0, ybar = 0;
    for (size_t i = 0; i < d.n; i++) {
        double eta = 0;
        for (size_t j = 0; j < d.k; j++) eta += FB_X[j * d.n + i] * f.beta[j];
        pbar += 1 / (1 + exp(-eta));
        ybar += FB_y[i];
    }
    TU_ASSERT_LRE(pbar, ybar, 10);
    df_firth_fit_free(&f);

    d = mk(FC_N, FC_K, FC_X, FC_y, NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(df_flic(&d, NULL, &f, &err), 0);
    for (size_t j = 0; j < d.k; j++) TU_ASSERT_LRE(f.beta[j], FC_flic_beta[j], 9);
    df_firth_fit_free(&f);
}

static void test_flac(void)
{
    df_design d = mk(FB_N, FB_K, FB_X, FB_y, NULL, NULL);
    df_firth_fit f;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(df_flac(&d, NULL, &f, &err), 0);
    for (size_t j = 0; j < d.k; j++) {
        TU_ASSERT_LRE(f.beta[j], FB_flac_beta[j], 9);
        TU_ASSERT_LRE(f.se[j], FB_flac_se[j], 9);
        /* profile CIs of the ML fit on the augmented data */
        TU_ASSERT_LRE(f.ci_lower[j], FB_flac_lo[j], 8);
        TU_ASSERT_LRE(f.ci_upper[j], FB_flac_hi[j], 8);
        TU_ASSERT_LRE(f.pvalue[j], FB_flac_p[j], 8);
    }
    df_firth_fit_free(&f);

    d = mk(FC_N, FC_K, FC_X, FC_y, NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(df_flac(&d, NULL, &f, &err), 0);
    for (size_t j = 0; j < d.k; j++) TU_ASSERT_LRE(f.beta[j], FC_flac_beta[j], 9);
    df_firth_fit_free(&f);
}

/* ------------------------------------------------------- bad input */

static void expect_error(const df_design *d, const df_firth_opts *o,
                         int code, const char *needle)
{
    df_firth_fit f;
    dyadfit_error err = {0, ""};
    int rc = df_firth(d, o, &f, &err);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(err.code, code);
    if (!strstr(err.message, needle))
        fprintf(stderr, "  message '%s' lacks '%s'\n", err.message, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
    CU_ASSERT_PTR_NULL(f.beta);
    df_firth_fit_free(&f);
}

static void test_bad_input(void)
{
    double y[FC_N], w[FC_N], X[2 * FC_N];
    memcpy(y, FC_y, sizeof y);
    y[6] = 2;
    df_design d = mk(FC_N, FC_K, FC_X, y, NULL, NULL);
    expect_error(&d, NULL, DYADFIT_ERR_SPEC, "row 7 has 2");

    for (size_t i = 0; i < FC_N; i++) w[i] = 1;
    w[3] = -1;
    d = mk(FC_N, FC_K, FC_X, FC_y, w, NULL);
    expect_error(&d, NULL, DYADFIT_ERR_SPEC, "row 4 has -1");

    d = mk(FC_N, 0, FC_X, FC_y, NULL, NULL);
    expect_error(&d, NULL, DYADFIT_ERR_SPEC, "no coefficients");

    /* collinear: the intercept twice */
    for (size_t i = 0; i < FC_N; i++) X[i] = X[FC_N + i] = 1;
    d = mk(FC_N, 2, X, FC_y, NULL, NULL);
    expect_error(&d, NULL, DYADFIT_ERR_ESTIM, "not positive definite");

    memcpy(X, FC_X, sizeof X);
    X[FC_N + 5] = NAN;
    d = mk(FC_N, 2, X, FC_y, NULL, NULL);
    expect_error(&d, NULL, DYADFIT_ERR_SPEC, "row 6, column 2");

    df_firth_opts o;
    df_firth_defaults(&o);
    o.level = 1.5;
    d = mk(FC_N, FC_K, FC_X, FC_y, NULL, NULL);
    expect_error(&d, &o, DYADFIT_ERR_USAGE, "level");

    /* FLIC needs an intercept column */
    d = mk(FC_N, 2, FC_X + FC_N, FC_y, NULL, NULL);
    df_firth_fit f;
    dyadfit_error err = {0, ""};
    CU_ASSERT_EQUAL(df_flic(&d, NULL, &f, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "intercept"));
    df_firth_fit_free(&f);
}

/* non-convergence is a flag and a message, not an error */
static void test_maxiter(void)
{
    df_design d = mk(FA_N, FA_K, FA_X, FA_y, NULL, NULL);
    df_firth_opts o;
    df_firth_fit f;
    dyadfit_error err;
    df_firth_defaults(&o);
    o.maxiter = 1;
    o.profile = 0;
    CU_ASSERT_EQUAL_FATAL(df_firth(&d, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "no convergence after 1"));
    df_firth_fit_free(&f);
}

int main(void)
{
    static const tu_test tests[] = {
        {"general (logistf)", test_general},
        {"weights + offset (logistf)", test_weights_offset},
        {"rare outcome (logistf)", test_rare},
        {"complete separation (logistf)", test_separated},
        {"coefficients (brglm2 AS_mean)", test_brglm2},
        {"hat values sum to k", test_hat_trace},
        {"FLIC (logistf::flic)", test_flic},
        {"FLAC (logistf::flac)", test_flac},
        {"bad input", test_bad_input},
        {"maxiter reached", test_maxiter},
        {NULL, NULL}
    };
    return tu_run("firth", tests);
}
