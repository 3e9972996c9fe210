/*
 * test_survreg_strata.c -- the Weibull model with strata() (issue #4):
 * survival::survreg's model, one scale per stratum and shared
 * coefficients. Estimates, standard errors (oim, robust, cluster), the
 * log-likelihoods and the scales against survreg, and left-truncated rows
 * against a hand-written likelihood (values written by
 * tests/reference/make_reference_survreg_strata.R); identities that need no
 * reference (stratum intercepts + strata = separate fits; one stratum = no
 * strata); and every refusal: the exponential model, the PH metric, a
 * stratum with one row or no events, a stratum id out of range.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"
#include "fit/survreg.h"

#define LS "tests/data/models/lung_strata.csv"
#define FL "Surv(time, status) ~ age + ph.ecog"

static dyadfit_table *read_table(const char *path)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(tu_path(path), NULL, &t, &err);
    if (rc) fprintf(stderr, "  %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return t;
}

typedef struct {
    dyadfit_estimator est;
    const char *formula, *filter, *cluster;
    int aft;
    dyadfit_vce vce;
    dyadfit_ssc ssc;
} spec;

static dyadfit_result *fit(const dyadfit_table *t, spec s, int expect, const char *msg)
{
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_model_init(&m);
    m.estimator = s.est;
    m.formula = s.formula;
    m.filter = s.filter;
    m.aft = s.aft;
    m.vce = s.vce;
    m.ssc = s.ssc;
    m.cluster[0] = s.cluster;
    int rc = dyadfit_fit(t, &m, &r, &err);
    if (rc != expect || (msg && !strstr(err.message, msg)))
        fprintf(stderr, "  %s: rc %d (want %d): %s (want '%s')\n", s.formula, rc, expect,
                rc ? err.message : "", msg ? msg : "");
    CU_ASSERT_EQUAL(rc, expect);
    if (expect) {
        CU_ASSERT_PTR_NULL(r);
        if (msg) CU_ASSERT_PTR_NOT_NULL(strstr(err.message, msg));
    }
    return r;
}

/* The fit against values/<id>.csv: terms, estimates and standard errors. */
static void check_ref(const dyadfit_result *r, const char *id, double min)
{
    char path[256];
    snprintf(path, sizeof path, "tests/reference/values/%s.csv", id);
    tu_check_result_ref(r, path, "strata", min);
}

/* loglik, loglik0 (LRE >= min) and the scales (>= min_scale) of case id in
 * values/survreg_strata_loglik.tsv */
static void check_loglik(const dyadfit_result *r, const char *id, double min, double min_scale)
{
    char *txt = tu_slurp(tu_path("tests/reference/values/survreg_strata_loglik.tsv"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
    char *line = strstr(txt, id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    char *p = line + strlen(id), *q;
    double ll = strtod(p, &p), ll0 = strtod(p, &q);   /* "NA": hand-written reference */
    TU_CHECK_LRE("loglik strata", dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), ll, min);
    if (q != p) {
        TU_CHECK_LRE("loglik strata", dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK0), ll0, min);
        p = q;
    } else {
        p += strspn(p, "\t") + 2;
    }
    size_t k = 0, s = 0;
    const double *b = dyadfit_result_coef(r, &k);
    for (size_t j = 0; j < k; j++) {
        if (strncmp(dyadfit_result_term(r, j), "Log(scale[", 10)) continue;
        double sc = strtod(p, &p);
        TU_CHECK_LRE("scale strata", exp(b[j]), sc, min_scale);
        s++;
    }
    CU_ASSERT(s >= 2);
    free(txt);
}

static void test_lung(void)
{
    dyadfit_table *t = read_table(LS);
    spec s = {DYADFIT_WEIBULL, FL " + strata(sex)", NULL, NULL, 1, DYADFIT_VCE_OIM, DYADFIT_SSC_HC0};
    dyadfit_result *r = fit(t, s, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_ref(r, "survreg_strata_lung_sex_oim", 10);
    check_loglik(r, "survreg_strata_lung_sex_oim", 10, 10);
    const char *notes = dyadfit_result_notes(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(notes, "stratum sex=1: scale = 0.78342110"));
    CU_ASSERT_PTR_NOT_NULL(strstr(notes, "stratum sex=2: scale = 0.65478304"));
    dyadfit_result_free(r);

    s.vce = DYADFIT_VCE_ROBUST;
    r = fit(t, s, 0, NULL);
    check_ref(r, "survreg_strata_lung_sex_robust_hc0", 10);
    dyadfit_result_free(r);
    s.vce = DYADFIT_VCE_CLUSTER;
    s.cluster = "inst";
    s.ssc = DYADFIT_SSC_STATA;
    r = fit(t, s, 0, NULL);
    check_ref(r, "survreg_strata_lung_sex_cluster_stata", 10);
    check_loglik(r, "survreg_strata_lung_sex_cluster_stata", 10, 10);
    dyadfit_result_free(r);

    /* labels: strings alone within a term, name=value otherwise; R's
     * level order (sorted), not the order of first appearance (m before f) */
    spec s2 = {DYADFIT_WEIBULL, FL " + strata(sexlab, site)", NULL, NULL, 1, DYADFIT_VCE_OIM, DYADFIT_SSC_HC0};
    r = fit(t, s2, 0, NULL);
    check_ref(r, "survreg_strata_lung_sexlab_site_oim", 10);
    check_loglik(r, "survreg_strata_lung_sexlab_site_oim", 10, 10);
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, 3), "Log(scale[f, a])");
    dyadfit_result_free(r);
    s2.formula = FL " + strata(sexlab) + strata(site2)";
    r = fit(t, s2, 0, NULL);
    check_ref(r, "survreg_strata_lung_two_terms_oim", 10);
    dyadfit_result_free(r);
    s2.formula = "Surv(time, status) ~ age + strata(big)";
    r = fit(t, s2, 0, NULL);
    check_ref(r, "survreg_strata_lung_big_oim", 10);
    check_loglik(r, "survreg_strata_lung_big_oim", 10, 10);
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

static void test_spells(void)
{
    dyadfit_table *t = read_table("tests/data/models/spells.csv");
    spec s = {DYADFIT_WEIBULL, "Surv(duration, event) ~ defense + log(cap_ratio) + jointdem + "
              "majpow + strata(contig)", NULL, NULL, 1, DYADFIT_VCE_OIM, DYADFIT_SSC_HC0};
    dyadfit_result *r = fit(t, s, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_ref(r, "survreg_strata_spells_contig_oim", 10);
    check_loglik(r, "survreg_strata_spells_contig_oim", 10, 10);
    dyadfit_result_free(r);
    s.vce = DYADFIT_VCE_CLUSTER;
    s.cluster = "dyad";
    r = fit(t, s, 0, NULL);
    check_ref(r, "survreg_strata_spells_contig_cluster_hc0", 10);
    dyadfit_result_free(r);
    /* left-truncated spells (entry > 0): a hand-written likelihood in R
     * maximised with numerical derivatives, so 7 digits (loglik: 10) */
    s.formula = "Surv(entry, exit, event) ~ defense + log(cap_ratio) + jointdem + majpow + "
                "strata(contig)";
    s.vce = DYADFIT_VCE_OIM;
    r = fit(t, s, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_ref(r, "survreg_strata_spells_truncated_oim", 7);
    check_loglik(r, "survreg_strata_spells_truncated_oim", 10, 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "left-truncated"));
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

/* factor(sex) + factor(sex):age + strata(sex): each stratum its own
 * intercept, slope and scale, so the fit is two separate Weibull fits of
 * ~ age (--if sex == 1, sex == 2): same summed log-likelihood, estimates
 * and variances. And a filter that leaves one stratum is the unstratified
 * model, PH metric and exponential too. (~ 1 is refused by the design
 * layer as a Cox model without covariates: not used here.) */
static void test_identities(void)
{
    dyadfit_table *t = read_table(LS);
    spec s = {DYADFIT_WEIBULL, "Surv(time, status) ~ factor(sex) + factor(sex):age + strata(sex)",
              NULL, NULL, 1, DYADFIT_VCE_OIM, DYADFIT_SSC_HC0};
    dyadfit_result *r = fit(t, s, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    spec one = {DYADFIT_WEIBULL, "Surv(time, status) ~ age", "sex == 1", NULL, 1,
                DYADFIT_VCE_OIM, DYADFIT_SSC_HC0};
    dyadfit_result *r1 = fit(t, one, 0, NULL);
    one.filter = "sex == 2";
    dyadfit_result *r2 = fit(t, one, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
    size_t k, k1;
    const double *b = dyadfit_result_coef(r, &k), *b1 = dyadfit_result_coef(r1, &k1),
                 *b2 = dyadfit_result_coef(r2, &k1);
    const double *V = dyadfit_result_vcov(r), *V1 = dyadfit_result_vcov(r1),
                 *V2 = dyadfit_result_vcov(r2);
    /* (Intercept) factor(sex)2 factor(sex)1:age factor(sex)2:age, 2 log scales */
    CU_ASSERT_EQUAL_FATAL(k, 6);
    CU_ASSERT_EQUAL_FATAL(k1, 3);
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, 4), "Log(scale[sex=1])");
    TU_ASSERT_LRE(b[0], b1[0], 9);
    TU_ASSERT_LRE(b[0] + b[1], b2[0], 9);
    TU_ASSERT_LRE(b[2], b1[1], 9);
    TU_ASSERT_LRE(b[3], b2[1], 9);
    TU_ASSERT_LRE(b[4], b1[2], 9);
    TU_ASSERT_LRE(b[5], b2[2], 9);
    TU_ASSERT_LRE(V[0], V1[0], 9);                      /* stratum 1's intercept */
    TU_ASSERT_LRE(V[2 * 6 + 2], V1[1 * 3 + 1], 9);      /* its slope */
    TU_ASSERT_LRE(V[3 * 6 + 3], V2[1 * 3 + 1], 9);
    TU_ASSERT_LRE(V[4 * 6 + 4], V1[2 * 3 + 2], 9);      /* log scales */
    TU_ASSERT_LRE(V[5 * 6 + 5], V2[2 * 3 + 2], 9);
    CU_ASSERT(fabs(V[4 * 6 + 5]) < 1e-12);              /* the strata are independent */
    CU_ASSERT(fabs(V[2 * 6 + 3]) < 1e-12);
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK),
                  dyadfit_result_stat(r1, DYADFIT_STAT_LOGLIK) +
                  dyadfit_result_stat(r2, DYADFIT_STAT_LOGLIK), 11);
    dyadfit_result_free(r);
    dyadfit_result_free(r1);

    /* one stratum left: no strata (one "Log(scale)"; PH and exponential allowed) */
    spec st = {DYADFIT_WEIBULL, "Surv(time, status) ~ age + strata(sex)", "sex == 2", NULL, 1,
               DYADFIT_VCE_OIM, DYADFIT_SSC_HC0};
    r = fit(t, st, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    b = dyadfit_result_coef(r, &k);
    CU_ASSERT_EQUAL(k, 3);
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, 2), "Log(scale)");
    for (size_t j = 0; j < 3; j++) TU_ASSERT_LRE(b[j], b2[j], 12);
    dyadfit_result_free(r);
    st.aft = 0;
    r = fit(t, st, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, 2), "/ln_p");
    dyadfit_result_free(r);
    st.est = DYADFIT_EXPONENTIAL;
    r = fit(t, st, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL(r);
    dyadfit_result_free(r);
    dyadfit_result_free(r2);
    dyadfit_table_free(t);
}

static void test_refusals(void)
{
    dyadfit_table *t = read_table(LS);
    spec s = {DYADFIT_EXPONENTIAL, FL " + strata(sex)", NULL, NULL, 1, DYADFIT_VCE_OIM, DYADFIT_SSC_HC0};
    fit(t, s, DYADFIT_ERR_SPEC, "exponential: strata() would give each stratum its own scale, "
        "but the exponential model fixes the scale at 1");
    s.est = DYADFIT_WEIBULL;
    s.aft = 0;
    fit(t, s, DYADFIT_ERR_SPEC, "there is no single proportional-hazards metric; use --metric aft");
    /* lung: ph.ecog = 3 is one row (row 28 of the file, an event) */
    s.aft = 1;
    s.formula = "Surv(time, status) ~ age + strata(ph.ecog)";
    fit(t, s, DYADFIT_ERR_ESTIM, "weibull: stratum ph.ecog=3 has a single observation (row 28): "
        "with its own scale the likelihood is unbounded");
    /* ph.ecog = 2 with its events filtered out: 6 censored rows */
    s.filter = "ph.ecog != 3 & (ph.ecog != 2 | status == 1)";
    fit(t, s, DYADFIT_ERR_ESTIM, "weibull: stratum ph.ecog=2 has no events (6 rows, all censored)");
    s.filter = NULL;
    s.formula = "Surv(time, status) ~ age + strata(nosuch)";
    fit(t, s, DYADFIT_ERR_SPEC, "nosuch");
    dyadfit_table_free(t);
}

/* The fit layer on its own: ids, refusals, and nstrata = 1 = no strata. */
static void test_fit_layer(void)
{
    double X[6] = {1, 1, 1, 1, 1, 1}, stop[6] = {1, 2, 3, 4, 5, 6}, ev[6] = {1, 0, 1, 1, 1, 0};
    size_t st[6] = {0, 0, 0, 1, 1, 1};
    df_survreg_data d;
    df_survreg_fit f, g;
    dyadfit_error err;
    df_survreg_defaults(&d);
    d.n = 6; d.k = 1; d.X = X; d.stop = stop; d.event = ev;
    CU_ASSERT_EQUAL_FATAL(df_survreg(&d, &g, &err), 0);
    d.strata = st;
    d.nstrata = 1;
    st[3] = st[4] = st[5] = 0;
    CU_ASSERT_EQUAL_FATAL(df_survreg(&d, &f, &err), 0);
    CU_ASSERT_EQUAL(f.k, 2);
    TU_ASSERT_LRE(f.theta[1], g.theta[1], 13);
    TU_ASSERT_LRE(f.loglik, g.loglik, 13);
    df_survreg_fit_free(&f);
    df_survreg_fit_free(&g);

    st[3] = st[4] = st[5] = 1;
    d.nstrata = 2;
    CU_ASSERT_EQUAL_FATAL(df_survreg(&d, &f, &err), 0);
    CU_ASSERT_EQUAL(f.k, 3);
    /* each row's score is zero in the other stratum's log scale */
    CU_ASSERT_EQUAL(f.scorew[2 * 6 + 0], 0);
    CU_ASSERT_EQUAL(f.scorew[1 * 6 + 5], 0);
    CU_ASSERT(f.info[1 * 3 + 2] == 0 && f.info[2 * 3 + 1] == 0);
    df_survreg_fit_free(&f);

    st[1] = 5;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 2: stratum id 5 is not below the 2 strata"));
    st[1] = 0;
    d.metric = DF_SURV_PH;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no single proportional-hazards metric"));
    d.metric = DF_SURV_AFT;
    d.dist = DF_SURV_EXPONENTIAL;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no scale to vary"));
    d.dist = DF_SURV_WEIBULL;
    ev[3] = ev[4] = 0;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "stratum 2 has no events (3 rows, all censored)"));
    ev[3] = ev[4] = 1;
    st[0] = st[1] = st[2] = st[3] = st[4] = 1;
    st[5] = 0;
    ev[5] = 1;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "stratum 1 has a single observation"));
    st[5] = 2;
    d.nstrata = 3;
    CU_ASSERT_EQUAL(df_survreg(&d, &f, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "stratum 1 has no rows"));
    CU_ASSERT_PTR_NULL(f.theta);
}

int main(void)
{
    static const tu_test tests[] = {
        {"lung vs survreg with strata: oim, robust, cluster, labels, loglik", test_lung},
        {"peace spells vs survreg with strata(contig), cluster, left truncation", test_spells},
        {"factor(g) + factor(g):x + strata(g) = separate fits; one stratum = no strata", test_identities},
        {"refused: exponential, PH metric, one-row and event-less strata", test_refusals},
        {"fit layer: stratum ids, refusals, nstrata = 1", test_fit_layer},
        {NULL, NULL}};
    int rc = tu_run("survreg_strata", tests);
    tu_print_lre();
    return rc;
}
