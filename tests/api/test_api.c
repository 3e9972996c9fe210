/*
 * test_api.c -- the public C API end to end on in-memory tables.
 *
 * Reference values are closed forms, independent of any software: with one
 * binary covariate the binomial model is saturated, so the MLE reproduces
 * the two cell proportions p0, p1 exactly: b0 = g(p0), b1 = g(p1) - g(p0)
 * for the link g, and (observed = expected information at a saturated MLE)
 * Var(g(p_c)) = p_c (1 - p_c) / (n_c h'(eta_c)^2) with h the inverse link;
 * Var(b0) = V0, Var(b1) = V0 + V1, Cov(b0, b1) = -V0.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "dyadfit.h"
#include "testutil.h"

/* cell 0: n0 rows with k0 events; cell 1: n1 rows with k1 events */
enum { N0 = 300, K0 = 45, N1 = 200, K1 = 110 };

static dyadfit_table *two_cells(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    double *x = malloc((N0 + N1) * sizeof *x), *y = malloc((N0 + N1) * sizeof *y);
    for (int i = 0; i < N0 + N1; i++) {
        x[i] = i >= N0;
        y[i] = i < N0 ? i < K0 : (i - N0) < K1;
    }
    CU_ASSERT_EQUAL(dyadfit_table_new(N0 + N1, &t, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "y", y, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "x", x, &err), 0);
    free(x);
    free(y);
    return t;
}

typedef struct { double eta, dmu; } link_at;

static link_at link_eval(dyadfit_estimator e, double p)
{
    link_at l;
    switch (e) {
    case DYADFIT_PROBIT:
        l.eta = gsl_cdf_ugaussian_Pinv(p);
        l.dmu = exp(-l.eta * l.eta / 2) / sqrt(2 * M_PI);
        break;
    case DYADFIT_CLOGLOG:
        l.eta = log(-log1p(-p));
        l.dmu = exp(l.eta - exp(l.eta));
        break;
    default:
        l.eta = log(p / (1 - p));
        l.dmu = p * (1 - p);
    }
    return l;
}

static void check_saturated(dyadfit_estimator e)
{
    dyadfit_table *t = two_cells();
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_model_init(&m);
    m.estimator = e;
    m.formula = "y ~ x";
    int rc = dyadfit_fit(t, &m, &r, &err);
    if (rc) fprintf(stderr, "  fit failed: %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);

    double p0 = (double)K0 / N0, p1 = (double)K1 / N1;
    link_at l0 = link_eval(e, p0), l1 = link_eval(e, p1);
    double v0 = p0 * (1 - p0) / (N0 * l0.dmu * l0.dmu);
    double v1 = p1 * (1 - p1) / (N1 * l1.dmu * l1.dmu);
    size_t k;
    const double *b = dyadfit_result_coef(r, &k);
    const double *V = dyadfit_result_vcov(r);
    CU_ASSERT_EQUAL_FATAL(k, 2);
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, 0), "(Intercept)");
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, 1), "x");
    TU_ASSERT_LRE(b[0], l0.eta, 10);
    TU_ASSERT_LRE(b[1], l1.eta - l0.eta, 10);
    TU_ASSERT_LRE(V[0], v0, 10);
    TU_ASSERT_LRE(V[3], v0 + v1, 10);
    TU_ASSERT_LRE(V[1], -v0, 10);
    double ll = K0 * log(p0) + (N0 - K0) * log1p(-p0) + K1 * log(p1) + (N1 - K1) * log1p(-p1);
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), ll, 11);
    double pbar = (double)(K0 + K1) / (N0 + N1);
    double ll0 = (K0 + K1) * log(pbar) + (N0 + N1 - K0 - K1) * log1p(-pbar);
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK0), ll0, 11);
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_CONVERGED), 1);
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NOBS), N0 + N1);
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

static void test_logit_closed_form(void) { check_saturated(DYADFIT_LOGIT); }
static void test_probit_closed_form(void) { check_saturated(DYADFIT_PROBIT); }
static void test_cloglog_closed_form(void) { check_saturated(DYADFIT_CLOGLOG); }

static void expect_error(const dyadfit_model *m, int code, const char *needle)
{
    dyadfit_table *t = two_cells();
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    int rc = dyadfit_fit(t, m, &r, &err);
    if (rc != code || !strstr(err.message, needle))
        fprintf(stderr, "  want code %d with '%s', got %d: %s\n", code, needle, rc,
                err.message);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
    CU_ASSERT_PTR_NULL(r);
    dyadfit_table_free(t);
}

static void test_spec_errors(void)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    expect_error(&m, DYADFIT_ERR_SPEC, "no formula");
    m.formula = "y ~ z";
    expect_error(&m, DYADFIT_ERR_SPEC, "'z'");
    m.formula = "y ~ x";
    m.vce = DYADFIT_VCE_CLUSTER;
    expect_error(&m, DYADFIT_ERR_SPEC, "cluster variable");
    m.vce = DYADFIT_VCE_OIM;
    m.level = 1.5;
    expect_error(&m, DYADFIT_ERR_SPEC, "confidence level");
}

/* A dummy that is 1 only where y = 0 predicts failure perfectly. */
static void test_separation_is_an_error(void)
{
    enum { N = 40 };
    double y[N], x[N], z[N];
    for (int i = 0; i < N; i++) {
        y[i] = i % 2;
        x[i] = (i % 4 == 0);            /* x = 1 only when y = 0 */
        z[i] = (double)((i * 7) % 11);
    }
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_result *r = NULL;
    dyadfit_table_new(N, &t, &err);
    dyadfit_table_add_numeric(t, "y", y, &err);
    dyadfit_table_add_numeric(t, "x", x, &err);
    dyadfit_table_add_numeric(t, "z", z, &err);
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.formula = "y ~ x + z";
    int rc = dyadfit_fit(t, &m, &r, &err);
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "x"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "predicts failure perfectly"));
    CU_ASSERT_PTR_NULL(r);
    m.drop_separated = 1;
    rc = dyadfit_fit(t, &m, &r, &err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(dyadfit_result_ncoef(r), 2);
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NROWS_USED), N - N / 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "separation"));
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

int main(void)
{
    static const tu_test tests[] = {
        {"logit: saturated model, closed form", test_logit_closed_form},
        {"probit: saturated model, closed form", test_probit_closed_form},
        {"cloglog: saturated model, closed form", test_cloglog_closed_form},
        {"specification errors", test_spec_errors},
        {"separation: error by default, dropped on request", test_separation_is_an_error},
        {NULL, NULL}};
    return tu_run("api", tests);
}
