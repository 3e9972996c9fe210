/*
 * test_rare_api.c -- relogit and Firth logit through the public API
 * (dyadfit_read + dyadfit_fit), against the values R wrote with
 * tests/reference/make_reference_rare.R (King & Zeng's formulas with glm and
 * sandwich; logistf/brglm2 and an R profile-likelihood search for Firth):
 * coefficients, standard errors, and for Firth's profile cases the profile
 * penalised-likelihood intervals and penalised LR p-values that the CLI
 * reference test does not compare; log likelihoods; error paths; notes and
 * the JSON report's inference/subtitle.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "report/result.h"
#include "testutil.h"

#define LEEDS "data/leeds_dyads.dta"
#define RARE "tests/data/models/rare_events.dta"
#define SEPARATED "tests/data/models/separated.csv"
#define DEMO "mid_onset ~ defense + neutrality + entente + contig + " \
             "log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + " \
             "I(peaceyrs^3)"

/* ------------------------------------------------ reference files */

typedef struct {
    size_t n;
    char term[32][64];
    double v[32][6];   /* estimate, std.error, statistic, p, low, high */
} ref_tab;

static double num(const char *s)
{
    if (strcmp(s, "Inf") == 0) return INFINITY;
    if (strcmp(s, "-Inf") == 0) return -INFINITY;
    return strtod(s, NULL);
}

static int read_ref(const char *id, ref_tab *t)
{
    char path[256], line[1024];
    snprintf(path, sizeof path, "tests/reference/values/%s.csv", id);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    t->n = 0;
    if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }
    while (t->n < 32 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *save = NULL, *tok = strtok_r(line, ",", &save);
        if (!tok) continue;
        snprintf(t->term[t->n], sizeof t->term[0], "%s", tok);
        for (int c = 0; c < 6; c++) {
            tok = strtok_r(NULL, ",", &save);
            t->v[t->n][c] = tok ? num(tok) : NAN;
        }
        t->n++;
    }
    fclose(f);
    return 0;
}

/* loglik and loglik0 of a case from rare_relogit_stats.csv / firth_stats.csv */
static int read_stats(const char *file, const char *id, double *ll, double *ll0)
{
    char path[256], line[512];
    snprintf(path, sizeof path, "tests/reference/values/%s", file);
    FILE *f = fopen(path, "r");
    int found = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *tok = strtok_r(line, ",", &save);
        if (!tok || strcmp(tok, id) != 0) continue;
        strtok_r(NULL, ",", &save);                      /* n */
        *ll = strtod(strtok_r(NULL, ",", &save), NULL);
        *ll0 = strtod(strtok_r(NULL, ",\r\n", &save), NULL);
        found = 0;
    }
    fclose(f);
    return found;
}

/* ------------------------------------------------------- data */

static dyadfit_table *tab_leeds, *tab_rare, *tab_sep;

static dyadfit_table *load(dyadfit_table **slot, const char *path)
{
    dyadfit_error err;
    if (!*slot) {
        int rc = dyadfit_read(path, NULL, slot, &err);
        if (rc) fprintf(stderr, "  %s: %s\n", path, err.message);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
    }
    return *slot;
}

static dyadfit_model model(dyadfit_estimator e, const char *formula)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = e;
    m.formula = formula;
    return m;
}

static void cluster_dyad(dyadfit_model *m)
{
    m->vce = DYADFIT_VCE_CLUSTER;
    m->cluster[0] = "dyad";
    m->ssc = DYADFIT_SSC_STATA;
}

static double worst_coef = 17, worst_se = 17, worst_ci = 17, worst_p = 17;

/* Fits m on t and compares with values/<id>.csv: estimates and SEs at
 * min_lre; with `intervals`, the result's own p-values and interval limits
 * (profile) at ci_lre; log likelihoods from the stats file at min_lre. */
static dyadfit_result *check_case(const char *id, const dyadfit_table *t,
                                  const dyadfit_model *m, int intervals,
                                  double min_lre, double ci_lre)
{
    dyadfit_result *r = NULL;
    dyadfit_error err;
    ref_tab ref;
    int rc = dyadfit_fit(t, m, &r, &err);
    if (rc) fprintf(stderr, "  %s: %s\n", id, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(read_ref(id, &ref), 0);
    CU_ASSERT_EQUAL(dyadfit_result_ncoef(r), ref.n);
    const double *V = dyadfit_result_vcov(r);
    size_t k;
    const double *b = dyadfit_result_coef(r, &k);
    for (size_t j = 0; j < ref.n && j < k; j++) {
        CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, j), ref.term[j]);
        double lc = tu_lre(b[j], ref.v[j][0]);
        double ls = tu_lre(sqrt(V[j * k + j]), ref.v[j][1]);
        if (lc < worst_coef) worst_coef = lc;
        if (ls < worst_se) worst_se = ls;
        TU_ASSERT_LRE(b[j], ref.v[j][0], min_lre);
        TU_ASSERT_LRE(sqrt(V[j * k + j]), ref.v[j][1], min_lre);
        if (intervals) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(r->p_value);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r->conf_low);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r->conf_high);
            double l1 = tu_lre(r->conf_low[j], ref.v[j][4]);
            double l2 = tu_lre(r->conf_high[j], ref.v[j][5]);
            double lp = tu_lre(r->p_value[j], ref.v[j][3]);
            if (fmin(l1, l2) < worst_ci) worst_ci = fmin(l1, l2);
            if (lp < worst_p) worst_p = lp;
            TU_ASSERT_LRE(r->conf_low[j], ref.v[j][4], ci_lre);
            TU_ASSERT_LRE(r->conf_high[j], ref.v[j][5], ci_lre);
            TU_ASSERT_LRE(r->p_value[j], ref.v[j][3], ci_lre);
        }
    }
    double ll = NAN, ll0 = NAN;
    const char *sf = m->estimator == DYADFIT_FIRTH ? "firth_stats.csv"
                                                   : "rare_relogit_stats.csv";
    CU_ASSERT_EQUAL(read_stats(sf, id, &ll, &ll0), 0);
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), ll, min_lre);
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK0), ll0, min_lre);
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_CONVERGED), 1);
    return r;
}

/* --------------------------------------------------------- relogit */

static void test_relogit_leeds_oim(void)
{
    dyadfit_model m = model(DYADFIT_RELOGIT, DEMO);
    dyadfit_result *r = check_case("rare_relogit_leeds_oim",
                                   load(&tab_leeds, LEEDS), &m, 0, 8, 0);
    CU_ASSERT_PTR_NULL(r->p_value);           /* Wald, from coef/vcov */
    CU_ASSERT_PTR_NOT_NULL(strstr(r->subtitle, "bias-corrected"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "tau not given"));
    dyadfit_result_free(r);
}

static void test_relogit_leeds_cluster(void)
{
    dyadfit_model m = model(DYADFIT_RELOGIT, DEMO);
    cluster_dyad(&m);
    dyadfit_result *r = check_case("rare_relogit_leeds_cluster",
                                   load(&tab_leeds, LEEDS), &m, 0, 8, 0);
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NCLUSTER1), 3380);
    dyadfit_result_free(r);
}

static void test_relogit_leeds_prior(void)
{
    dyadfit_model m = model(DYADFIT_RELOGIT, DEMO);
    cluster_dyad(&m);
    m.tau = 0.0034;
    m.correction = DYADFIT_CORRECTION_PRIOR;
    dyadfit_result *r = check_case("rare_relogit_leeds_prior_cluster",
                                   load(&tab_leeds, LEEDS), &m, 0, 8, 0);
    CU_ASSERT_STRING_EQUAL(r->subtitle,
                           "prior correction, tau = 0.0034, bias-corrected");
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r),
                                  "(n/(n+k))^2 V(b^)"));
    dyadfit_result_free(r);
}

static void test_relogit_leeds_weighting(void)
{
    dyadfit_model m = model(DYADFIT_RELOGIT, DEMO);
    cluster_dyad(&m);
    m.tau = 0.0034;
    m.correction = DYADFIT_CORRECTION_WEIGHTING;
    dyadfit_result *r = check_case("rare_relogit_leeds_weighting_cluster",
                                   load(&tab_leeds, LEEDS), &m, 0, 8, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->subtitle, "weighting"));
    /* the oim warning is only for --vce oim */
    CU_ASSERT_PTR_NULL(strstr(dyadfit_result_notes(r), "understates"));
    dyadfit_result_free(r);
}

static void test_relogit_events_robust(void)
{
    dyadfit_model m = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    m.tau = 0.002;
    m.correction = DYADFIT_CORRECTION_WEIGHTING;
    m.vce = DYADFIT_VCE_ROBUST;
    m.ssc = DYADFIT_SSC_HC0;
    dyadfit_result *r = check_case("rare_relogit_events_weighting_robust",
                                   load(&tab_rare, RARE), &m, 0, 8, 0);
    dyadfit_result_free(r);
}

/* Without bias correction relogit is the logit fit: same slopes and
 * variance; under prior correction the intercept moves by the shift. */
static void test_relogit_nobias_is_logit(void)
{
    const dyadfit_table *t = load(&tab_rare, RARE);
    dyadfit_model ml = model(DYADFIT_LOGIT, "y ~ x1 + x2 + x3");
    dyadfit_model mr = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    mr.no_bias_correction = 1;
    mr.tau = 0.002;
    dyadfit_result *rl = NULL, *rr = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &ml, &rl, &err), 0);
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &mr, &rr, &err), 0);
    size_t k;
    const double *bl = dyadfit_result_coef(rl, &k), *br = dyadfit_result_coef(rr, &k);
    const double *Vl = dyadfit_result_vcov(rl), *Vr = dyadfit_result_vcov(rr);
    /* b0_relogit = b0_logit - shift, shift from the ybar in the notes */
    for (size_t j = 1; j < k; j++) TU_ASSERT_LRE(br[j], bl[j], 10);
    for (size_t j = 0; j < k * k; j++) TU_ASSERT_LRE(Vr[j], Vl[j], 10);
    const char *notes = dyadfit_result_notes(rr);
    const char *s = strstr(notes, "fraction of ones ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    double ybar = strtod(s + strlen("fraction of ones "), NULL);
    double shift = log((1 - 0.002) / 0.002 * ybar / (1 - ybar));
    TU_ASSERT_LRE(br[0], bl[0] - shift, 5);   /* ybar printed to 6 digits */
    CU_ASSERT_PTR_NOT_NULL(strstr(rr->subtitle, "no bias corr"));
    TU_ASSERT_LRE(dyadfit_result_stat(rr, DYADFIT_STAT_LOGLIK),
                  dyadfit_result_stat(rl, DYADFIT_STAT_LOGLIK), 12);
    TU_ASSERT_LRE(dyadfit_result_stat(rr, DYADFIT_STAT_LOGLIK0),
                  dyadfit_result_stat(rl, DYADFIT_STAT_LOGLIK0), 12);
    dyadfit_result_free(rl);
    dyadfit_result_free(rr);
}

/* A tau range reports the fit at tau and a note with both ends. */
static void test_relogit_range(void)
{
    const dyadfit_table *t = load(&tab_rare, RARE);
    dyadfit_model m1 = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    m1.tau = 0.002;
    dyadfit_model m2 = m1;
    m2.tau_upper = 0.004;
    dyadfit_model m3 = m1;
    m3.tau = 0.004;
    dyadfit_result *r1 = NULL, *r2 = NULL, *r3 = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m1, &r1, &err), 0);
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m2, &r2, &err), 0);
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m3, &r3, &err), 0);
    size_t k;
    const double *b1 = dyadfit_result_coef(r1, &k), *b2 = dyadfit_result_coef(r2, &k);
    for (size_t j = 0; j < k; j++) CU_ASSERT_EQUAL(b1[j], b2[j]);
    const char *s = strstr(dyadfit_result_notes(r2), "mean predicted probability ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    double lo = 0, hi = 0;
    CU_ASSERT_EQUAL(sscanf(s, "mean predicted probability %lf to %lf", &lo, &hi), 2);
    /* closed-form check: the mean of logistic(x b~) at each end */
    dyadfit_result *ends[2] = {r1, r3};
    double want[2];
    size_t n = dyadfit_table_nrow(t);
    for (int e = 0; e < 2; e++) {
        /* recompute from the data columns */
        const double *bb = dyadfit_result_coef(ends[e], &k);
        double s2 = 0;
        /* read x1..x3 through a csv twin of the data to stay public-API */
        FILE *f = fopen("tests/data/models/rare_events.csv", "r");
        char line[512];
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
        size_t rows = 0;
        while (fgets(line, sizeof line, f)) {
            double y, x1, x2, x3;
            if (sscanf(line, "%lf,%lf,%lf,%lf", &y, &x1, &x2, &x3) != 4) continue;
            double eta = bb[0] + bb[1] * x1 + bb[2] * x2 + bb[3] * x3;
            s2 += 1 / (1 + exp(-eta));
            rows++;
        }
        fclose(f);
        CU_ASSERT_EQUAL(rows, n);
        want[e] = s2 / (double)rows;
    }
    TU_ASSERT_LRE(lo, want[0], 5);            /* note prints 6 digits */
    TU_ASSERT_LRE(hi, want[1], 5);
    CU_ASSERT(hi > lo);
    dyadfit_result_free(r1);
    dyadfit_result_free(r2);
    dyadfit_result_free(r3);
}

static void expect_error(const dyadfit_table *t, const dyadfit_model *m,
                         int code, const char *needle)
{
    dyadfit_result *r = (dyadfit_result *)1;
    dyadfit_error err;
    err.code = 0;
    err.message[0] = 0;
    int rc = dyadfit_fit(t, m, &r, &err);
    if (rc != code || !strstr(err.message, needle))
        fprintf(stderr, "  expected %d '%s', got %d '%s'\n", code, needle, rc,
                err.message);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
}

static void test_relogit_errors(void)
{
    const dyadfit_table *t = load(&tab_rare, RARE);
    dyadfit_model m = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    m.correction = DYADFIT_CORRECTION_WEIGHTING;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "the weighting correction needs --tau");

    m = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    m.tau = 0.004;
    m.tau_upper = 0.004;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "must lie above --tau (0.004)");
    m.tau_upper = 0.001;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "--tau-upper (0.001)");

    m = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    m.tau_upper = 0.01;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "needs --tau");

    m = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    m.tau = 1.5;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "strictly between 0 and 1, got 1.5");
    m.tau = -0.1;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "strictly between 0 and 1");

    m = model(DYADFIT_RELOGIT, "y ~ x1 + x3");
    m.tau = 0.004;
    m.weights = "x2";
    m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "weights are not supported");
    m.tau = 0;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "weights are not supported");

    /* prior correction needs an intercept */
    m = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3 - 1");
    m.tau = 0.004;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "intercept");

    /* separation: relogit is an ML fit, so it refuses like logit */
    m = model(DYADFIT_RELOGIT, "y ~ x1 + x2");
    expect_error(load(&tab_sep, SEPARATED), &m, DYADFIT_ERR_ESTIM, "separation");
}

/* ----------------------------------------------------------- Firth */

static void test_firth_leeds_wald(void)
{
    dyadfit_model m = model(DYADFIT_FIRTH, DEMO);
    m.wald_ci = 1;
    dyadfit_result *r = check_case("firth_leeds_wald", load(&tab_leeds, LEEDS),
                                   &m, 0, 8, 0);
    CU_ASSERT_PTR_NULL(r->p_value);
    CU_ASSERT_PTR_NULL(r->inference);
    CU_ASSERT_STRING_EQUAL(r->subtitle, "Firth penalised likelihood");
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "penalised"));
    dyadfit_result_free(r);
}

static void test_firth_rare_profile(void)
{
    dyadfit_model m = model(DYADFIT_FIRTH, "y ~ x1 + x2 + x3");
    dyadfit_result *r = check_case("firth_rare_events_profile",
                                   load(&tab_rare, RARE), &m, 1, 8, 8);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->inference, "profile penalised likelihood"));
    dyadfit_result_free(r);
}

static void test_firth_separated(void)
{
    dyadfit_model m = model(DYADFIT_FIRTH, "y ~ x1 + x2");
    dyadfit_result *r = check_case("firth_separated_profile",
                                   load(&tab_sep, SEPARATED), &m, 1, 8, 8);
    /* the profile interval of the separating term is far from Wald's */
    size_t k;
    const double *b = dyadfit_result_coef(r, &k);
    double se = sqrt(dyadfit_result_vcov(r)[1 * k + 1]);
    CU_ASSERT(r->conf_high[1] > b[1] + 3 * se);
    CU_ASSERT(isfinite(r->conf_high[1]));
    dyadfit_result_free(r);
}

/* Robust/cluster variance for Firth: Wald intervals, a note, vcov from the
 * modified scores (it must differ from the oim one and be symmetric). */
static void test_firth_robust(void)
{
    const dyadfit_table *t = load(&tab_rare, RARE);
    dyadfit_model m = model(DYADFIT_FIRTH, "y ~ x1 + x2 + x3");
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "cl";
    dyadfit_result *r = NULL, *r0 = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &r, &err), 0);
    m.vce = DYADFIT_VCE_OIM;
    m.wald_ci = 1;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &r0, &err), 0);
    CU_ASSERT_PTR_NULL(r->p_value);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "Wald intervals"));
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NCLUSTER1), 2000);
    size_t k;
    const double *b = dyadfit_result_coef(r, &k), *b0 = dyadfit_result_coef(r0, &k);
    const double *V = dyadfit_result_vcov(r), *V0 = dyadfit_result_vcov(r0);
    for (size_t j = 0; j < k; j++) {
        CU_ASSERT_EQUAL(b[j], b0[j]);
        CU_ASSERT(V[j * k + j] > 0);
        CU_ASSERT(fabs(V[j * k + j] / V0[j * k + j] - 1) > 1e-6);
        CU_ASSERT(fabs(V[j * k + j] / V0[j * k + j] - 1) < 0.5);
        for (size_t l = 0; l < k; l++) CU_ASSERT_EQUAL(V[j * k + l], V[l * k + j]);
    }
    dyadfit_result_free(r);
    dyadfit_result_free(r0);
}

static void test_firth_errors(void)
{
    const dyadfit_table *t = load(&tab_rare, RARE);
    dyadfit_model m = model(DYADFIT_FIRTH, "y ~ x1 + x3");
    m.weights = "x2";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    expect_error(t, &m, DYADFIT_ERR_SPEC, "probability weights are not supported");
    m = model(DYADFIT_FIRTH, "x2 ~ x1");    /* x2 is continuous */
    dyadfit_result *r = NULL;
    dyadfit_error err;
    CU_ASSERT_NOT_EQUAL(dyadfit_fit(t, &m, &r, &err), 0);
    CU_ASSERT_PTR_NULL(r);
}

/* --------------------------------------------------------- reports */

static char *report(const dyadfit_result *r, dyadfit_format f)
{
    char *buf = NULL;
    size_t len = 0;
    dyadfit_error err;
    FILE *m = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(dyadfit_report(r, f, m, &err), 0);
    fclose(m);
    return buf;
}

static void test_reports(void)
{
    dyadfit_model m = model(DYADFIT_FIRTH, "y ~ x1 + x2");
    dyadfit_result *r = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(load(&tab_sep, SEPARATED), &m, &r, &err), 0);
    char *j = report(r, DYADFIT_FORMAT_JSON);
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"inference\": \"profile penalised likelihood"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"subtitle\": \"Firth penalised likelihood\""));
    free(j);
    char *tx = report(r, DYADFIT_FORMAT_TEXT);
    CU_ASSERT_PTR_NOT_NULL(strstr(tx, "p-values and intervals: profile"));
    free(tx);
    dyadfit_result_free(r);

    dyadfit_model mr = model(DYADFIT_RELOGIT, "y ~ x1 + x2 + x3");
    mr.tau = 0.002;
    mr.correction = DYADFIT_CORRECTION_WEIGHTING;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(load(&tab_rare, RARE), &mr, &r, &err), 0);
    j = report(r, DYADFIT_FORMAT_JSON);
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"subtitle\": \"weighting corr., tau = 0.002, bias-corrected\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"inference\": \"wald\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "understates"));   /* oim under weighting */
    free(j);
    dyadfit_result_free(r);
}

static void test_summary(void)
{
    fprintf(stderr, "  worst LRE: coef %.2f, se %.2f, profile CI %.2f, PLR p %.2f\n",
            worst_coef, worst_se, worst_ci, worst_p);
    dyadfit_table_free(tab_leeds);
    dyadfit_table_free(tab_rare);
    dyadfit_table_free(tab_sep);
    tab_leeds = tab_rare = tab_sep = NULL;
}

int main(void)
{
    static const tu_test tests[] = {
        {"relogit leeds oim", test_relogit_leeds_oim},
        {"relogit leeds cluster", test_relogit_leeds_cluster},
        {"relogit leeds prior cluster", test_relogit_leeds_prior},
        {"relogit leeds weighting cluster", test_relogit_leeds_weighting},
        {"relogit rare events weighting robust", test_relogit_events_robust},
        {"relogit without bias correction = logit", test_relogit_nobias_is_logit},
        {"relogit tau range", test_relogit_range},
        {"relogit errors", test_relogit_errors},
        {"firth leeds wald", test_firth_leeds_wald},
        {"firth rare events profile", test_firth_rare_profile},
        {"firth separated profile", test_firth_separated},
        {"firth cluster variance", test_firth_robust},
        {"firth errors", test_firth_errors},
        {"reports", test_reports},
        {"summary", test_summary},
        {NULL, NULL}
    };
    return tu_run("rare_api", tests);
}
