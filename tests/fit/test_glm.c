/* test_glm.c -- the Newton driver and the binomial GLM against R's glm
 * (reference values: tests/reference/unit_glm.R -> ref_glm.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "fit/fit.h"
#include "vce/vce.h"
#include "ref_glm.h"

#define LRE_MIN 9.0

#define CHECK(cat, got, want) TU_CHECK_LRE((cat), (got), (want), LRE_MIN)

static char *terms5[] = {"(Intercept)", "x1", "x2", "x3", "d"};

/* the reference design: intercept, x1, x2 (1e-6 scale), x3 (1e6), d */
static void ref_design(df_design *d, double *X, const double *w)
{
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < REF_N; i++) {
        X[i] = 1;
        X[REF_N + i] = ref_x1[i];
        X[2 * REF_N + i] = ref_x2[i];
        X[3 * REF_N + i] = ref_x3[i];
        X[4 * REF_N + i] = ref_d[i];
    }
    d->n = REF_N;
    d->k = REF_K;
    d->X = X;
    d->y = (double *)ref_y;
    d->w = (double *)w;
    d->offset = (double *)ref_off;
    d->terms = terms5;
    d->intercept = 1;
}

static void opts(df_glm_opts *o, df_link link, dyadfit_information inf, int fw)
{
    memset(o, 0, sizeof *o);
    o->link = link;
    o->information = inf;
    o->frequency_weights = fw;
    df_newton_defaults(&o->newton);
}

/* fit and compare coef, loglik, loglik0 and the SEs from info^-1 */
static void check_fit(df_link link, dyadfit_information inf, const double *w,
                      const double *coef, double ll, double ll0,
                      const double *se)
{
    static double X[REF_N * REF_K];
    df_design d;
    df_glm_opts o;
    df_glm_fit f;
    dyadfit_error err = {0, ""};
    double V[REF_K * REF_K];
    ref_design(&d, X, w);
    opts(&o, link, inf, w == ref_fw);
    CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 1);
    CU_ASSERT(f.iterations > 0 && f.iterations < 50);
    CU_ASSERT(f.max_gradient < 1e-6);
    for (int j = 0; j < REF_K; j++) CHECK("coefficients", f.beta[j], coef[j]);
    CHECK("loglik", f.loglik, ll);
    CHECK("loglik0", f.loglik0, ll0);
    CU_ASSERT_EQUAL(df_spd_inverse(f.info, REF_K, V), 0);
    for (int j = 0; j < REF_K; j++) CHECK(inf == DYADFIT_INFO_EXPECTED ? "SE expected information"
                                          : link == DF_LINK_LOGIT ? "SE oim (observed) logit"
                                          : link == DF_LINK_PROBIT ? "SE oim (observed) probit"
                                          : "SE oim (observed) cloglog",
                                          sqrt(V[j * REF_K + j]), se[j]);
    df_glm_fit_free(&f);
}

static void test_logit(void)
{
    check_fit(DF_LINK_LOGIT, DYADFIT_INFO_OBSERVED, NULL, ref_logit_coef,
              ref_logit_loglik[0], ref_logit_loglik0[0], ref_logit_se_obs);
    /* observed and expected information coincide for logit */
    check_fit(DF_LINK_LOGIT, DYADFIT_INFO_EXPECTED, NULL, ref_logit_coef,
              ref_logit_loglik[0], ref_logit_loglik0[0], ref_logit_se_exp);
}

static void test_probit(void)
{
    check_fit(DF_LINK_PROBIT, DYADFIT_INFO_OBSERVED, NULL, ref_probit_coef,
              ref_probit_loglik[0], ref_probit_loglik0[0], ref_probit_se_obs);
    check_fit(DF_LINK_PROBIT, DYADFIT_INFO_EXPECTED, NULL, ref_probit_coef,
              ref_probit_loglik[0], ref_probit_loglik0[0], ref_probit_se_exp);
}

static void test_cloglog(void)
{
    check_fit(DF_LINK_CLOGLOG, DYADFIT_INFO_OBSERVED, NULL, ref_cloglog_coef,
              ref_cloglog_loglik[0], ref_cloglog_loglik0[0], ref_cloglog_se_obs);
    check_fit(DF_LINK_CLOGLOG, DYADFIT_INFO_EXPECTED, NULL, ref_cloglog_coef,
              ref_cloglog_loglik[0], ref_cloglog_loglik0[0], ref_cloglog_se_exp);
}

static void test_pweights(void)
{
    check_fit(DF_LINK_LOGIT, DYADFIT_INFO_EXPECTED, ref_pw, ref_logit_pw_coef,
              ref_logit_pw_loglik[0], ref_logit_pw_loglik0[0], ref_logit_pw_se_exp);
    check_fit(DF_LINK_PROBIT, DYADFIT_INFO_EXPECTED, ref_pw, ref_probit_pw_coef,
              ref_probit_pw_loglik[0], ref_probit_pw_loglik0[0], ref_probit_pw_se_exp);
    check_fit(DF_LINK_CLOGLOG, DYADFIT_INFO_EXPECTED, ref_pw, ref_cloglog_pw_coef,
              ref_cloglog_pw_loglik[0], ref_cloglog_pw_loglik0[0],
              ref_cloglog_pw_se_exp);
}

/* frequency weights reproduce the fit on the expanded data set */
static void test_fweights(void)
{
    check_fit(DF_LINK_LOGIT, DYADFIT_INFO_EXPECTED, ref_fw, ref_logit_fw_coef,
              ref_logit_fw_loglik[0], ref_logit_fw_loglik0[0], ref_logit_fw_se_exp);
    check_fit(DF_LINK_PROBIT, DYADFIT_INFO_EXPECTED, ref_fw, ref_probit_fw_coef,
              ref_probit_fw_loglik[0], ref_probit_fw_loglik0[0], ref_probit_fw_se_exp);
    check_fit(DF_LINK_CLOGLOG, DYADFIT_INFO_EXPECTED, ref_fw, ref_cloglog_fw_coef,
              ref_cloglog_fw_loglik[0], ref_cloglog_fw_loglik0[0],
              ref_cloglog_fw_se_exp);
}

/* y ~ 0 + x1 + d: loglik0 is still the constant-only model */
static void test_no_intercept(void)
{
    static double X[REF_N * 2];
    char *terms[] = {"x1", "d"};
    df_design d;
    df_glm_opts o;
    df_glm_fit f;
    dyadfit_error err = {0, ""};
    double V[4];
    memset(&d, 0, sizeof d);
    memcpy(X, ref_x1, sizeof ref_x1);
    memcpy(X + REF_N, ref_d, sizeof ref_d);
    d.n = REF_N;
    d.k = 2;
    d.X = X;
    d.y = (double *)ref_y;
    d.offset = (double *)ref_off;
    d.terms = terms;
    opts(&o, DF_LINK_LOGIT, DYADFIT_INFO_OBSERVED, 0);
    CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 1);
    for (int j = 0; j < 2; j++) CHECK("coefficients", f.beta[j], ref_noint_coef[j]);
    CHECK("loglik", f.loglik, ref_noint_loglik[0]);
    CHECK("loglik0", f.loglik0, ref_logit_loglik0[0]);
    CU_ASSERT_EQUAL(df_spd_inverse(f.info, 2, V), 0);
    CHECK("SE oim (observed) logit", sqrt(V[0]), ref_noint_se[0]);
    CHECK("SE oim (observed) logit", sqrt(V[3]), ref_noint_se[1]);
    df_glm_fit_free(&f);
}

/* no offset: the constant-only loglik has a closed form */
static void test_no_offset(void)
{
    static double X[REF_N * REF_K];
    df_design d;
    df_glm_opts o;
    df_glm_fit f;
    dyadfit_error err = {0, ""};
    ref_design(&d, X, ref_pw);
    d.offset = NULL;
    opts(&o, DF_LINK_CLOGLOG, DYADFIT_INFO_EXPECTED, 0);
    CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 1);
    for (int j = 0; j < REF_K; j++) CHECK("coefficients", f.beta[j], ref_nooff_coef[j]);
    CHECK("loglik", f.loglik, ref_nooff_loglik[0]);
    CHECK("loglik0", f.loglik0, ref_nooff_loglik0[0]);
    df_glm_fit_free(&f);
}

/* scores: u_i x_i sum to ~0 at the estimate, and u_i = w_i (y_i - mu_i)
 * for logit */
static void test_scores(void)
{
    static double X[REF_N * REF_K];
    df_design d;
    df_glm_opts o;
    df_glm_fit f;
    dyadfit_error err = {0, ""};
    ref_design(&d, X, ref_pw);
    opts(&o, DF_LINK_LOGIT, DYADFIT_INFO_OBSERVED, 0);
    CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &f, &err), 0);
    double maxerr = 0;
    for (size_t i = 0; i < REF_N; i++) {
        double eta = ref_off[i];
        for (int j = 0; j < REF_K; j++) eta += X[j * REF_N + i] * f.beta[j];
        double mu = 1 / (1 + exp(-eta));
        double e = fabs(f.u[i] - ref_pw[i] * (ref_y[i] - mu));
        if (e > maxerr) maxerr = e;
    }
    CU_ASSERT(maxerr < 1e-13);
    for (int j = 0; j < REF_K; j++) {
        double s = 0, sa = 0;
        for (size_t i = 0; i < REF_N; i++) {
            s += f.u[i] * X[j * REF_N + i];
            sa += fabs(f.u[i] * X[j * REF_N + i]);
        }
        CU_ASSERT(fabs(s) <= 1e-12 * sa);
    }
    df_glm_fit_free(&f);
}

/* complete separation: y = (x > 0) */
static void sep_design(df_design *d, double *X, double *y, size_t n, int quasi)
{
    static char *terms[] = {"(Intercept)", "x", "z"};
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < n; i++) {
        double x = (double)i / (double)n - 0.5;
        double z = sin(7.0 * (double)i);
        X[i] = 1;
        X[n + i] = quasi ? (i % 4 == 0) : x;
        X[2 * n + i] = z;
        /* quasi: rows with x = 1 all fail, the rest vary */
        y[i] = quasi ? (i % 4 == 0 ? 0 : (z + 0.3 * cos(3.0 * i) > 0))
                     : (x > 0);
    }
    d->n = n;
    d->k = 3;
    d->X = X;
    d->y = y;
    d->terms = terms;
    d->intercept = 1;
}

static void test_separation_flagged(void)
{
    static double X[300 * 3], y[300];
    df_design d;
    df_glm_opts o;
    df_glm_fit f;
    dyadfit_error err = {0, ""};
    for (int quasi = 0; quasi < 2; quasi++)
        for (int link = 0; link < 3; link++) {
            sep_design(&d, X, y, 300, quasi);
            opts(&o, (df_link)link, DYADFIT_INFO_OBSERVED, 0);
            CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &f, &err), 0);
            CU_ASSERT_EQUAL(f.converged, 0);
            CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "separation"));
            if (f.converged || !strstr(f.message, "separation"))
                fprintf(stderr, "  quasi %d link %d: converged %d, %s\n", quasi,
                        link, f.converged, f.message);
            df_glm_fit_free(&f);
        }
}

/* a legitimate fit with a row fitted with probability ~1 is not flagged */
static void test_no_false_separation(void)
{
    static double X[400 * 2], y[400];
    char *terms[] = {"(Intercept)", "x"};
    df_design d;
    df_glm_opts o;
    df_glm_fit f;
    dyadfit_error err = {0, ""};
    memset(&d, 0, sizeof d);
    for (size_t i = 0; i < 400; i++) {
        X[i] = 1;
        X[400 + i] = sin(3.0 * i);
        y[i] = (sin(3.0 * i) + cos(5.0 * i)) > 0.2;
    }
    X[400 + 7] = 40; /* outlier: eta ~ huge, y = 1 */
    y[7] = 1;
    d.n = 400;
    d.k = 2;
    d.X = X;
    d.y = y;
    d.terms = terms;
    d.intercept = 1;
    opts(&o, DF_LINK_LOGIT, DYADFIT_INFO_OBSERVED, 0);
    CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 1);
    if (!f.converged) fprintf(stderr, "  %s\n", f.message);
    /* the outlier row is fitted with probability 1 - 1e-10 or closer, so
     * the separation probe did run */
    CU_ASSERT(f.beta[0] + 40 * f.beta[1] > 23);
    df_glm_fit_free(&f);
}

static void test_bad_input(void)
{
    static double X[REF_N * REF_K], y[REF_N], w[REF_N];
    df_design d;
    df_glm_opts o;
    df_glm_fit f;
    dyadfit_error err = {0, ""};
    ref_design(&d, X, NULL);
    opts(&o, DF_LINK_LOGIT, DYADFIT_INFO_OBSERVED, 0);

    memcpy(y, ref_y, sizeof y);
    y[2] = 2;
    d.y = y;
    CU_ASSERT_EQUAL(df_glm(&d, &o, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 3"));
    CU_ASSERT_PTR_NULL(f.beta);

    memset(y, 0, sizeof y);
    CU_ASSERT_EQUAL(df_glm(&d, &o, &f, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "does not vary"));

    d.y = (double *)ref_y;
    for (size_t i = 0; i < REF_N; i++) w[i] = 1;
    w[9] = -1;
    d.w = w;
    CU_ASSERT_EQUAL(df_glm(&d, &o, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 10"));

    d.w = NULL;
    X[3 * REF_N + 4] = NAN;
    CU_ASSERT_EQUAL(df_glm(&d, &o, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "x3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 5"));

    d.n = 0;
    CU_ASSERT_EQUAL(df_glm(&d, &o, &f, &err), DYADFIT_ERR_DATA);
}

/* ---- the driver on small objectives ---- */

/* log(b) - b: maximum at 1; domain b > 0 forces step-halving from b = 10 */
static int obj_log(void *ctx, const double *b, double *ll, double *g, double *H)
{
    (void)ctx;
    if (!(b[0] > 0)) return 1;
    *ll = log(b[0]) - b[0];
    if (g) g[0] = 1 / b[0] - 1;
    if (H) H[0] = 1 / (b[0] * b[0]);
    return 0;
}

/* exp(-b^2): the Hessian is positive (not concave) for |b| > 0.71 */
static int obj_bump(void *ctx, const double *b, double *ll, double *g, double *H)
{
    (void)ctx;
    double e = exp(-b[0] * b[0]);
    *ll = e;
    if (g) g[0] = -2 * b[0] * e;
    if (H) H[0] = (2 - 4 * b[0] * b[0]) * e;
    return 0;
}

static void test_newton_driver(void)
{
    df_newton_opts o;
    df_newton_status st;
    dyadfit_error err = {0, ""};
    double b = 10;
    df_newton_defaults(&o);
    CU_ASSERT_EQUAL(o.maxiter, 100);
    CU_ASSERT_EQUAL(df_newton(obj_log, NULL, 1, &b, &o, &st, &err), 0);
    CU_ASSERT_EQUAL(st.converged, 1);
    CU_ASSERT(fabs(b - 1) < 1e-14);
    CU_ASSERT(fabs(st.loglik + 1) < 1e-15);

    b = 1.5;
    CU_ASSERT_EQUAL(df_newton(obj_bump, NULL, 1, &b, &o, &st, &err), 0);
    CU_ASSERT_EQUAL(st.converged, 1);
    CU_ASSERT(fabs(b) < 1e-8);

    /* maxiter reached: a flag and a message, not an error */
    b = 10;
    o.maxiter = 2;
    CU_ASSERT_EQUAL(df_newton(obj_log, NULL, 1, &b, &o, &st, &err), 0);
    CU_ASSERT_EQUAL(st.converged, 0);
    CU_ASSERT_EQUAL(st.iterations, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(st.message, "no convergence after 2 iterations"));

    /* start outside the domain: an error */
    b = -1;
    o.maxiter = 100;
    CU_ASSERT_EQUAL(df_newton(obj_log, NULL, 1, &b, &o, &st, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "start"));
}

static void test_report_lre(void)
{
    tu_print_lre();
    CU_ASSERT(tu_min_lre() >= LRE_MIN);
}

int main(void)
{
    static const tu_test tests[] = {
        {"newton driver", test_newton_driver},
        {"logit", test_logit},
        {"probit observed/expected", test_probit},
        {"cloglog observed/expected", test_cloglog},
        {"probability weights", test_pweights},
        {"frequency weights = expanded data", test_fweights},
        {"no intercept", test_no_intercept},
        {"no offset", test_no_offset},
        {"scores", test_scores},
        {"separation flagged", test_separation_flagged},
        {"outlier is not separation", test_no_false_separation},
        {"bad input", test_bad_input},
        {"minimum LRE", test_report_lre},
        {NULL, NULL}};
    return tu_run("glm", tests);
}
