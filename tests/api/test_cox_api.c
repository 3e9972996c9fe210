/*
 * test_cox_api.c -- the Cox model through the public C API: a fit on
 * survival::lung against survival::coxph (values written by
 * tests/reference/make_reference_cox.R), the same model in counting-process
 * form and with strata, and every specification and data error (message
 * contents and code).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"

/* coxph(Surv(time, status01) ~ age + sex + ph.ecog, lung) loglik, printed
 * with %.17g by R 4.2.2, survival 3.5.3 (eps 1e-13) */
static const double LL_EFRON[2] = {-744.48045576144023, -729.23012137486171};
static const double LL_BRESLOW[2] = {-744.69281926616088, -729.48870517677324};

static dyadfit_table *lung(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(tu_path("tests/data/models/lung.csv"), NULL, &t, &err);
    if (rc) fprintf(stderr, "  %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return t;
}

static dyadfit_result *fit(const dyadfit_table *t, const char *f, dyadfit_ties ties,
                           dyadfit_vce vce, const char *cluster, int expect, const char *msg)
{
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_COX;
    m.formula = f;
    m.ties = ties;
    m.vce = vce;
    m.ssc = DYADFIT_SSC_HC0;
    m.cluster[0] = cluster;
    int rc = dyadfit_fit(t, &m, &r, &err);
    if (rc != expect || (msg && !strstr(err.message, msg)))
        fprintf(stderr, "  %s: rc %d (want %d): %s (want '%s')\n", f, rc, expect,
                rc ? err.message : "", msg ? msg : "");
    CU_ASSERT_EQUAL(rc, expect);
    if (expect) {
        CU_ASSERT_PTR_NULL(r);
        CU_ASSERT_EQUAL(err.code, expect);
        if (msg) CU_ASSERT_PTR_NOT_NULL(strstr(err.message, msg));
    }
    return r;
}

static void check_ref(const dyadfit_result *r, const char *ref, double min)
{
    tu_check_result_ref(r, ref, "cox", min);
}

static void test_lung_reference(void)
{
    dyadfit_table *t = lung();
    const char *f = "Surv(time, status01) ~ age + sex + ph.ecog";
    dyadfit_result *r = fit(t, f, DYADFIT_TIES_EFRON, DYADFIT_VCE_OIM, NULL, 0, NULL);
    if (r) {
        check_ref(r, "tests/reference/values/cox_lung_efron_oim.csv", 9);
        TU_CHECK_LRE("loglik cox", dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), LL_EFRON[1], 11);
        TU_CHECK_LRE("loglik cox", dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK0), LL_EFRON[0], 11);
        CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NOBS), 227);
        CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NROWS_DROPPED), 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "164 events in 227 rows"));
        CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "ph.ecog 1"));
    }
    dyadfit_result_free(r);
    r = fit(t, f, DYADFIT_TIES_BRESLOW, DYADFIT_VCE_OIM, NULL, 0, NULL);
    if (r) {
        check_ref(r, "tests/reference/values/cox_lung_breslow_oim.csv", 9);
        TU_CHECK_LRE("loglik cox", dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), LL_BRESLOW[1], 11);
        TU_CHECK_LRE("loglik cox", dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK0), LL_BRESLOW[0], 11);
    }
    dyadfit_result_free(r);
    r = fit(t, f, DYADFIT_TIES_EFRON, DYADFIT_VCE_ROBUST, NULL, 0, NULL);
    if (r) check_ref(r, "tests/reference/values/cox_lung_efron_robust_hc0.csv", 8);
    dyadfit_result_free(r);
    /* status coded 1/2 as in survival::lung, factor() and strata() */
    r = fit(t, "Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)",
            DYADFIT_TIES_EFRON, DYADFIT_VCE_OIM, NULL, 0, NULL);
    if (r) {
        check_ref(r, "tests/reference/values/cox_lung_factor_strata_efron_oim.csv", 9);
        CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "2 strata (0 without any event"));
    }
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

/* Right-censored data written as (0, time]: the same partial likelihood;
 * "- 1" changes nothing (coxph has no intercept). */
static void test_counting_form_equal(void)
{
    dyadfit_table *t = lung();
    dyadfit_error err;
    size_t n = dyadfit_table_nrow(t);
    double *zero = calloc(n, sizeof *zero);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "t0", zero, &err), 0);
    free(zero);
    dyadfit_result *a = fit(t, "Surv(time, status01) ~ age + sex + ph.ecog", DYADFIT_TIES_EFRON,
                            DYADFIT_VCE_OIM, NULL, 0, NULL);
    dyadfit_result *b = fit(t, "Surv(t0, time, status01) ~ age + sex + ph.ecog - 1",
                            DYADFIT_TIES_EFRON, DYADFIT_VCE_OIM, NULL, 0, NULL);
    if (a && b) {
        size_t k;
        const double *ba = dyadfit_result_coef(a, &k), *bb = dyadfit_result_coef(b, &k);
        CU_ASSERT_EQUAL(k, 3);
        for (size_t j = 0; j < k; j++) TU_ASSERT_LRE(bb[j], ba[j], 12);
    }
    dyadfit_result_free(a);
    dyadfit_result_free(b);
    dyadfit_table_free(t);
}

static dyadfit_table *small(void)
{
    /* row 2 has a missing x: rows named in errors are rows of the data */
    double t0[6] = {0, 0, 0, 3, 0, 0};
    double t1[6] = {5, 4, 3, 3, 2, 6};
    double ev[6] = {1, 0, 1, 1, 0, 1};
    double none[6] = {0, 0, 0, 0, 0, 0};
    double odd[6] = {0, 1, 3, 0, 1, 0};
    double x[6] = {0.5, NAN, 1.5, 0.2, 2, 1};
    double g[6] = {1, 1, 2, 2, 1, 2};
    dyadfit_table *t = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(6, &t, &err), 0);
    dyadfit_table_add_numeric(t, "t0", t0, &err);
    dyadfit_table_add_numeric(t, "t1", t1, &err);
    dyadfit_table_add_numeric(t, "ev", ev, &err);
    dyadfit_table_add_numeric(t, "none", none, &err);
    dyadfit_table_add_numeric(t, "odd", odd, &err);
    dyadfit_table_add_numeric(t, "x", x, &err);
    dyadfit_table_add_numeric(t, "g", g, &err);
    const char *s[6] = {"a", "b", "a", "b", "a", "b"};
    dyadfit_table_add_string(t, "s", s, &err);
    return t;
}

static void test_errors(void)
{
    dyadfit_table *t = small();
    const dyadfit_ties E = DYADFIT_TIES_EFRON;
    const dyadfit_vce O = DYADFIT_VCE_OIM;
    /* stop <= start: row 4 of the data (3, 3] */
    fit(t, "Surv(t0, t1, ev) ~ x", E, O, NULL, DYADFIT_ERR_DATA,
        "stop time (3) is not after the start time (3) at row 4");
    /* no events */
    fit(t, "Surv(t1, none) ~ x", E, O, NULL, DYADFIT_ERR_ESTIM, NULL);
    /* an event value that is neither 0/1 nor 1/2 */
    fit(t, "Surv(t1, odd) ~ x", E, O, NULL, DYADFIT_ERR_DATA, "found 3 at row 3");
    /* arity */
    fit(t, "Surv(t1) ~ x", E, O, NULL, DYADFIT_ERR_SPEC, "Surv() takes 2 arguments");
    fit(t, "Surv(t0, t1, ev, x) ~ x", E, O, NULL, DYADFIT_ERR_SPEC, "found 4");
    fit(t, "Surv(time = t1, ev) ~ x", E, O, NULL, DYADFIT_ERR_SPEC, "by position");
    /* strata of an unknown variable, strata inside an interaction */
    fit(t, "Surv(t1, ev) ~ x + strata(region)", E, O, NULL, DYADFIT_ERR_SPEC,
        "strata variable 'region' not found");
    fit(t, "Surv(t1, ev) ~ x:strata(g)", E, O, NULL, DYADFIT_ERR_SPEC,
        "strata() can only be added as a term");
    fit(t, "Surv(t1, ev) ~ x + strata(log(g))", E, O, NULL, DYADFIT_ERR_SPEC,
        "strata() takes variable names");
    /* only strata: nothing to estimate */
    fit(t, "Surv(t1, ev) ~ strata(g)", E, O, NULL, DYADFIT_ERR_SPEC, "no covariates");
    /* unknown Surv() variable (with a suggestion), string time */
    fit(t, "Surv(t2, ev) ~ x", E, O, NULL, DYADFIT_ERR_SPEC, "Surv() variable 't2' not found");
    fit(t, "Surv(s, ev) ~ x", E, O, NULL, DYADFIT_ERR_SPEC, "'s' is a string variable");
    /* response forms and estimators that do not go together */
    fit(t, "ev ~ x", E, O, NULL, DYADFIT_ERR_SPEC, "needs a Surv(time, event)");
    {
        dyadfit_model m;
        dyadfit_result *r = NULL;
        dyadfit_error err;
        dyadfit_model_init(&m);
        m.formula = "Surv(t1, ev) ~ x";
        CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_SPEC);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "needs the cox estimator"));
        CU_ASSERT_PTR_NULL(r);
    }
    /* a good small fit, strata by a string and a numeric variable */
    dyadfit_result *r = fit(t, "Surv(t1, ev) ~ x + strata(s, g)", E, O, NULL, 0, NULL);
    if (r) CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "strata"));
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

/* m.id: one subject's (start, stop] rows may not overlap (an error naming
 * both data rows and the intervals); touching intervals, separate subjects
 * and rows with a missing id dropped listwise are fine; the fit with a
 * valid id equals the fit without. */
static void test_id_overlap(void)
{
    static const double dy[] = {1, 1, 2, 2, 3, 3, 4, 4};
    static const double t0[] = {0, 1, 0, 1, 0, 2, 0, 3};
    static const double t1[] = {1, 3, 1, 4, 2, 3, 3, 5};
    static const double ev[] = {0, 1, 1, 0, 1, 0, 0, 1};
    static const double x[] = {0.5, 1, 0.2, 0.1, 0.9, 0.3, 0.4, 0.8};
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(8, &t, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "dyad", dy, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "t0", t0, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "t1", t1, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "ev", ev, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "x", x, &err), 0);
    /* subject 5: rows 9 and 10 overlap, (0, 4] and (2, 6] */
    static const double dy2[] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    static const double s0[] = {0, 1, 0, 1, 0, 2, 0, 3, 0, 2};
    static const double s1[] = {1, 3, 1, 4, 2, 3, 3, 5, 4, 6};
    static const double e2[] = {0, 1, 1, 0, 1, 0, 0, 1, 0, 1};
    static const double x2[] = {0.5, 1, 0.2, 0.1, 0.9, 0.3, 0.4, 0.8, 0.6, 0.7};
    dyadfit_table *u = NULL;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(10, &u, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(u, "dyad", dy2, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(u, "t0", s0, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(u, "t1", s1, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(u, "ev", e2, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(u, "x", x2, &err), 0);

    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_COX;
    m.formula = "Surv(t0, t1, ev) ~ x";
    dyadfit_result *a = NULL, *b = NULL, *r = NULL;
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &a, &err), 0);
    m.id = "dyad";
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &b, &err), 0);
    if (a && b) {
        CU_ASSERT_EQUAL(dyadfit_result_coef(a, NULL)[0], dyadfit_result_coef(b, NULL)[0]);
    }
    dyadfit_result_free(a);
    dyadfit_result_free(b);
    CU_ASSERT_EQUAL(dyadfit_fit(u, &m, &r, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rows 9 and 10 have the same dyad and "
                                               "overlapping intervals (0, 4] and (2, 6]"));
    /* without the id nothing is checked (survival does the same) */
    m.id = NULL;
    CU_ASSERT_EQUAL(dyadfit_fit(u, &m, &r, &err), 0);
    dyadfit_result_free(r);
    r = NULL;
    /* an id for another estimator, an unknown id */
    m.id = "dyad";
    m.estimator = DYADFIT_LOGIT;
    m.formula = "ev ~ x";
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is for the cox estimator"));
    m.estimator = DYADFIT_COX;
    m.formula = "Surv(t0, t1, ev) ~ x";
    m.id = "dyadd";
    CU_ASSERT_NOT_EQUAL(dyadfit_fit(t, &m, &r, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "dyadd"));
    CU_ASSERT_PTR_NULL(r);
    dyadfit_table_free(t);
    dyadfit_table_free(u);
}

int main(void)
{
    static const tu_test tests[] = {
        {"lung against survival::coxph", test_lung_reference},
        {"right-censored equals (0, t] counting form", test_counting_form_equal},
        {"specification and data errors", test_errors},
        {"--id: overlapping intervals of one subject", test_id_overlap},
        {NULL, NULL}};
    int rc = tu_run("cox-api", tests);
    tu_print_lre();
    return rc;
}
