/*
 * test_survreg.c -- Weibull and exponential regression (src/fit/survreg.c
 * and the API in src/api/fit_survreg.c): fits against survival::survreg,
 * the streg (PH) metric against survreg's fit transformed by the delta
 * method, left truncation against a hand-written likelihood (all written by
 * tests/reference/make_reference_survreg.R), the AFT/PH identities, and
 * every data and specification error (code and message).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"
#include "fit/survreg.h"

/* survreg(Surv(time, status) ~ age + sex + ph.ecog, lung)$loglik[2] and
 * the spells Weibull, printed by the reference script (R 4.2, survival 3.5.3) */
static const double LL_LUNG_WEIBULL = -1132.43874588;
static const double LL_SPELLS_WEIBULL = -11443.9945713;

static dyadfit_table *read_table(const char *path)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(tu_path(path), NULL, &t, &err);
    if (rc) fprintf(stderr, "  %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return t;
}

static dyadfit_result *fit(const dyadfit_table *t, dyadfit_estimator est, const char *f,
                           int aft, dyadfit_vce vce, const char *cluster,
                           int expect, const char *msg)
{
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_model_init(&m);
    m.estimator = est;
    m.formula = f;
    m.aft = aft;
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

static void check_ref(const dyadfit_result *r, const char *id, double min)
{
    char path[256];
    snprintf(path, sizeof path, "tests/reference/values/%s.csv", id);
    tu_check_result_ref(r, path, "survreg", min);
}

#define FL "Surv(time, status) ~ age + sex + ph.ecog"
#define FS "Surv(duration, event) ~ defense + contig + log(cap_ratio) + jointdem + majpow"
#define FT "Surv(entry, exit, event) ~ defense + contig + log(cap_ratio) + jointdem + majpow"

static void test_lung_weibull(void)
{
    dyadfit_table *t = read_table("tests/data/models/lung.csv");
    dyadfit_result *r = fit(t, DYADFIT_WEIBULL, FL, 1, DYADFIT_VCE_OIM, NULL, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_ref(r, "survreg_lung_weibull_aft_oim", 10);
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), LL_LUNG_WEIBULL, 10);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "164 events in 227 rows"));
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_WEIBULL, FL, 1, DYADFIT_VCE_ROBUST, NULL, 0, NULL);
    check_ref(r, "survreg_lung_weibull_aft_robust_hc0", 9);
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_WEIBULL, FL, 0, DYADFIT_VCE_ROBUST, NULL, 0, NULL);
    check_ref(r, "survreg_lung_weibull_ph_robust_hc0", 9);
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_EXPONENTIAL, FL, 1, DYADFIT_VCE_OIM, NULL, 0, NULL);
    check_ref(r, "survreg_lung_exponential_aft_oim", 10);
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_EXPONENTIAL, FL, 1, DYADFIT_VCE_ROBUST, NULL, 0, NULL);
    check_ref(r, "survreg_lung_exponential_aft_robust_hc0", 9);
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

static void test_spells(void)
{
    dyadfit_table *t = read_table("tests/data/models/spells.csv");
    dyadfit_result *r = fit(t, DYADFIT_WEIBULL, FS, 1, DYADFIT_VCE_OIM, NULL, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_ref(r, "survreg_spells_weibull_aft_oim", 10);
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), LL_SPELLS_WEIBULL, 10);
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_WEIBULL, FS, 0, DYADFIT_VCE_OIM, NULL, 0, NULL);
    check_ref(r, "survreg_spells_weibull_ph_oim", 10);
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_WEIBULL, FS, 1, DYADFIT_VCE_CLUSTER, "dyad", 0, NULL);
    check_ref(r, "survreg_spells_weibull_aft_cluster_hc0", 9);
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_EXPONENTIAL, FS, 0, DYADFIT_VCE_OIM, NULL, 0, NULL);
    check_ref(r, "survreg_spells_exponential_ph_oim", 10);
    dyadfit_result_free(r);
    /* left truncation: numerical-derivative reference, 7 digits */
    r = fit(t, DYADFIT_WEIBULL, FT, 0, DYADFIT_VCE_OIM, NULL, 0, NULL);
    check_ref(r, "survreg_spells_weibull_ph_truncated_oim", 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "left-truncated"));
    dyadfit_result_free(r);
    r = fit(t, DYADFIT_EXPONENTIAL, FT, 0, DYADFIT_VCE_OIM, NULL, 0, NULL);
    check_ref(r, "survreg_spells_exponential_ph_truncated_oim", 7);
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

/* PH = -AFT / scale and ln_p = -log(scale), same log-likelihood */
static void test_metrics(void)
{
    dyadfit_table *t = read_table("tests/data/models/lung.csv");
    dyadfit_result *a = fit(t, DYADFIT_WEIBULL, FL, 1, DYADFIT_VCE_OIM, NULL, 0, NULL);
    dyadfit_result *p = fit(t, DYADFIT_WEIBULL, FL, 0, DYADFIT_VCE_OIM, NULL, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t k = 0;
    const double *ba = dyadfit_result_coef(a, &k), *bp = dyadfit_result_coef(p, &k);
    CU_ASSERT_EQUAL(k, 5);
    double s = exp(ba[4]);
    for (size_t j = 0; j < 4; j++) TU_ASSERT_LRE(bp[j], -ba[j] / s, 11);
    TU_ASSERT_LRE(bp[4], -ba[4], 11);
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(p, 4), "/ln_p");
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(a, 4), "Log(scale)");
    TU_ASSERT_LRE(dyadfit_result_stat(p, DYADFIT_STAT_LOGLIK), dyadfit_result_stat(a, DYADFIT_STAT_LOGLIK), 12);
    dyadfit_result_free(a);
    dyadfit_result_free(p);
    dyadfit_table_free(t);
}

static void test_bad_api(void)
{
    dyadfit_table *t = read_table("tests/data/models/lung.csv");
    /* strata() with the Weibull model: tests/fit/test_survreg_strata.c */
    fit(t, DYADFIT_EXPONENTIAL, "Surv(time, status) ~ age + strata(sex)", 1, DYADFIT_VCE_OIM,
        NULL, DYADFIT_ERR_SPEC, "the exponential model fixes the scale at 1");
    /* time - 306 is 0 in the first row (row 1 of the file) */
    fit(t, DYADFIT_WEIBULL, "Surv(time - 306, status) ~ age", 1, DYADFIT_VCE_OIM,
        NULL, DYADFIT_ERR_DATA, "row 1: survival time 0 is not positive");
    dyadfit_table_free(t);
}

static void test_bad_data(void)
{
    double X[4] = {1, 1, 1, 1}, stop[4] = {1, 2, 3, 4}, ev[4] = {1, 0, 1, 1};
    double start[4] = {0, 0, 0, 0}, w[4] = {1, 1, 1, 1};
    df_survreg_data d;
    df_survreg_fit f;
    dyadfit_error err;
    df_survreg_defaults(&d);
    d.n = 4; d.k = 1; d.X = X; d.stop = stop; d.event = ev;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), 0);
    /* one-parameter exponential: the MLE of the rate is events / exposure */
    d.dist = DF_SURV_EXPONENTIAL;
    d.metric = DF_SURV_PH;
    df_survreg_fit_free(&f);
    CU_ASSERT_EQUAL_FATAL(df_survreg(&d, &f, &err), 0);
    TU_ASSERT_LRE(f.theta[0], log(3.0 / 10.0), 12);
    TU_ASSERT_LRE(f.info[0], 3.0, 12);
    df_survreg_fit_free(&f);

    stop[2] = -1;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 3: survival time -1 is not positive"));
    stop[2] = 3;
    d.start = start;
    start[1] = 2;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 2: stop time 2 is not after the start time 2"));
    start[1] = -1;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 2: start time -1 is negative"));
    start[1] = 0;
    ev[3] = 2;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 4: event 2 is not 0 or 1"));
    ev[0] = ev[1] = ev[2] = ev[3] = 0;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no events"));
    ev[0] = 1;
    d.weights = w;
    w[2] = 0;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 3: weight 0 is not positive"));
    w[2] = 1;
    X[1] = NAN;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 2"));
    X[1] = 1;
    d.k = 0;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NULL(f.theta);
}

int main(void)
{
    static const tu_test tests[] = {
        {"Weibull/exponential on lung vs survreg (oim, robust, PH)", test_lung_weibull},
        {"peace spells vs survreg, PH metric, cluster, left truncation", test_spells},
        {"PH metric = -AFT / scale, ln_p = -log(scale)", test_metrics},
        {"API errors: strata(), t <= 0", test_bad_api},
        {"data errors name the row; exponential closed form", test_bad_data},
        {NULL, NULL}};
    return tu_run("survreg", tests);
}
