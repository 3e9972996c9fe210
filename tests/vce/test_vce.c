/* test_vce.c -- variance estimators against sandwich::vcovHC / vcovCL
 * (reference values: tests/reference/unit_glm.R -> ref_vce.h). The fits
 * come from df_glm on the same data (tested in tests/fit). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "fit/fit.h"
#include "vce/vce.h"
#include "../fit/ref_glm.h"
#include "ref_vce.h"

#define LRE_MIN 9.0
#define K REF_K

#define CHECK(cat, got, want) TU_CHECK_LRE((cat), (got), (want), LRE_MIN)

static double X[REF_N * K];
static char *terms5[] = {"(Intercept)", "x1", "x2", "x3", "d"};

static void fit(df_link link, dyadfit_information inf, const double *w,
                df_glm_fit *f)
{
    df_design d;
    df_glm_opts o;
    dyadfit_error err = {0, ""};
    memset(&d, 0, sizeof d);
    for (size_t i = 0; i < REF_N; i++) {
        X[i] = 1;
        X[REF_N + i] = ref_x1[i];
        X[2 * REF_N + i] = ref_x2[i];
        X[3 * REF_N + i] = ref_x3[i];
        X[4 * REF_N + i] = ref_d[i];
    }
    d.n = REF_N;
    d.k = K;
    d.X = X;
    d.y = (double *)ref_y;
    d.w = (double *)w;
    d.offset = (double *)ref_off;
    d.terms = terms5;
    d.intercept = 1;
    memset(&o, 0, sizeof o);
    o.link = link;
    o.information = inf;
    df_newton_defaults(&o.newton);
    CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, f, &err), 0);
    CU_ASSERT_EQUAL_FATAL(f->converged, 1);
}

static void scores(const df_glm_fit *f, const double *fw, df_scores *s)
{
    s->n = REF_N;
    s->k = K;
    s->X = X;
    s->u = f->u;
    s->S = NULL;
    s->fw = fw;
}

static void vopts(df_vce_opts *o, dyadfit_vce type, dyadfit_ssc ssc, size_t ncl)
{
    memset(o, 0, sizeof *o);
    o->type = type;
    o->ssc = ssc;
    o->ncluster = ncl;
    o->cl[0] = ref_cla;
    o->cl[1] = ref_clb;
    o->ng[0] = REF_GA;
    o->ng[1] = REF_GB;
}

static void check_se(const df_glm_fit *f, const double *fw, dyadfit_vce type,
                     dyadfit_ssc ssc, size_t ncl, const double *se)
{
    df_scores s;
    df_vce_opts o;
    df_vce_info vi;
    dyadfit_error err = {0, ""};
    double V[K * K];
    scores(f, fw, &s);
    vopts(&o, type, ssc, ncl);
    CU_ASSERT_EQUAL_FATAL(df_vce(f->info, &s, &o, V, &vi, &err), 0);
    static const char *names[3][3] = {
        {"SE oim", "SE oim", "SE oim"},
        {"SE robust stata", "SE robust HC0", "SE robust HC1"},
        {"SE cluster stata", "SE cluster HC0", "SE cluster HC1"}};
    for (int j = 0; j < K; j++)
        CHECK(names[type][ssc], sqrt(V[j * K + j]), se[j]);
}

/* full matrix on the correlation scale: |V - R|_ab / sqrt(R_aa R_bb) */
static void check_V(const double *V, const double *R, size_t k)
{
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            double sc = sqrt(fabs(R[a * k + a] * R[b * k + b]));
            CHECK("V elements (correlation scale)", 1 + (V[b * k + a] - R[b * k + a]) / sc, 1.0);
        }
}

static void check_twoway(const df_glm_fit *f, dyadfit_ssc ssc, const double *R)
{
    df_scores s;
    df_vce_opts o;
    df_vce_info vi;
    dyadfit_error err = {0, ""};
    double V[K * K];
    scores(f, NULL, &s);
    vopts(&o, DYADFIT_VCE_CLUSTER, ssc, 2);
    CU_ASSERT_EQUAL_FATAL(df_vce(f->info, &s, &o, V, &vi, &err), 0);
    check_V(V, R, K);
    for (int j = 0; j < K; j++) CHECK("SE two-way", sqrt(V[j * K + j]), sqrt(R[j * K + j]));
    CU_ASSERT_EQUAL(vi.ng[0], REF_GA);
    CU_ASSERT_EQUAL(vi.ng[1], REF_GB);
    CU_ASSERT(vi.ng[2] > REF_GA && vi.ng[2] <= REF_N);
    CU_ASSERT(vi.min_eigen > 0);
    CU_ASSERT_EQUAL(vi.psd_fixed, 0);
    double ga = REF_GA, gab = (double)vi.ng[2];
    double hc1 = ssc == DYADFIT_SSC_HC1 ? (REF_N - 1.0) / (REF_N - K) : 1;
    if (ssc == DYADFIT_SSC_HC0) {
        CU_ASSERT_DOUBLE_EQUAL(vi.factors[0], 1, 1e-15);
        CU_ASSERT_DOUBLE_EQUAL(vi.factors[2], 1, 1e-15);
    } else {
        CU_ASSERT_DOUBLE_EQUAL(vi.factors[0], ga / (ga - 1) * hc1, 1e-15);
        CU_ASSERT_DOUBLE_EQUAL(vi.factors[2], gab / (gab - 1) * hc1, 1e-15);
    }
}

#define LINK_TESTS(L, LINK)                                                   \
    static void test_##L(void)                                                \
    {                                                                         \
        df_glm_fit f, fo;                                                     \
        fit(LINK, DYADFIT_INFO_EXPECTED, NULL, &f);                           \
        check_se(&f, NULL, DYADFIT_VCE_ROBUST, DYADFIT_SSC_HC0, 0, ref_##L##_se_hc0); \
        check_se(&f, NULL, DYADFIT_VCE_ROBUST, DYADFIT_SSC_HC1, 0, ref_##L##_se_hc1); \
        check_se(&f, NULL, DYADFIT_VCE_ROBUST, DYADFIT_SSC_STATA, 0, ref_##L##_se_rstata); \
        check_se(&f, NULL, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_STATA, 1, ref_##L##_se_cl_stata); \
        check_se(&f, NULL, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_HC1, 1, ref_##L##_se_cl_hc1); \
        check_se(&f, NULL, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_HC0, 1, ref_##L##_se_cl_hc0); \
        check_twoway(&f, DYADFIT_SSC_STATA, ref_##L##_V_cl2_stata);           \
        check_twoway(&f, DYADFIT_SSC_HC1, ref_##L##_V_cl2_hc1);               \
        check_twoway(&f, DYADFIT_SSC_HC0, ref_##L##_V_cl2_hc0);               \
        df_glm_fit_free(&f);                                                  \
        /* Stata's vce(robust): observed information as the bread */         \
        fit(LINK, DYADFIT_INFO_OBSERVED, NULL, &fo);                          \
        check_se(&fo, NULL, DYADFIT_VCE_ROBUST, DYADFIT_SSC_STATA, 0, ref_##L##_se_rstata_obs); \
        df_glm_fit_free(&fo);                                                 \
        /* probability weights */                                             \
        fit(LINK, DYADFIT_INFO_EXPECTED, ref_pw, &f);                         \
        check_se(&f, NULL, DYADFIT_VCE_ROBUST, DYADFIT_SSC_HC0, 0, ref_##L##_pw_se_hc0); \
        check_se(&f, NULL, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_STATA, 1, ref_##L##_pw_se_cl_stata); \
        df_glm_fit_free(&f);                                                  \
        /* frequency weights: the expanded data set's sandwich */            \
        fit(LINK, DYADFIT_INFO_EXPECTED, ref_fw, &f);                         \
        check_se(&f, ref_fw, DYADFIT_VCE_ROBUST, DYADFIT_SSC_HC1, 0, ref_##L##_fw_se_hc1); \
        check_se(&f, ref_fw, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_STATA, 1, ref_##L##_fw_se_cl_stata); \
        check_se(&f, ref_fw, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_HC1, 1, ref_##L##_fw_se_cl_hc1); \
        df_glm_fit_free(&f);                                                  \
    }
LINK_TESTS(logit, DF_LINK_LOGIT)
LINK_TESTS(probit, DF_LINK_PROBIT)
LINK_TESTS(cloglog, DF_LINK_CLOGLOG)

/* a full score matrix gives the same V as u and X; oim is info^-1 */
static void test_score_matrix_and_oim(void)
{
    df_glm_fit f;
    df_scores s1, s2;
    df_vce_opts o;
    df_vce_info vi;
    dyadfit_error err = {0, ""};
    static double S[REF_N * K];
    double V1[K * K], V2[K * K], Ai[K * K];
    fit(DF_LINK_PROBIT, DYADFIT_INFO_EXPECTED, NULL, &f);
    for (size_t j = 0; j < K; j++)
        for (size_t i = 0; i < REF_N; i++)
            S[j * REF_N + i] = f.u[i] * X[j * REF_N + i];
    scores(&f, NULL, &s1);
    memset(&s2, 0, sizeof s2);
    s2.n = REF_N;
    s2.k = K;
    s2.S = S;
    for (int t = 0; t < 2; t++) {
        vopts(&o, t ? DYADFIT_VCE_CLUSTER : DYADFIT_VCE_ROBUST, DYADFIT_SSC_STATA, 2);
        CU_ASSERT_EQUAL(df_vce(f.info, &s1, &o, V1, &vi, &err), 0);
        CU_ASSERT_EQUAL(df_vce(f.info, &s2, &o, V2, &vi, &err), 0);
        for (int j = 0; j < K * K; j++) CU_ASSERT(tu_lre(V2[j], V1[j]) > 13);
    }
    vopts(&o, DYADFIT_VCE_OIM, DYADFIT_SSC_STATA, 0);
    CU_ASSERT_EQUAL(df_vce(f.info, &s1, &o, V1, &vi, &err), 0);
    CU_ASSERT_EQUAL(df_spd_inverse(f.info, K, Ai), 0);
    for (int j = 0; j < K * K; j++) CU_ASSERT_EQUAL(V1[j], Ai[j]);
    for (int j = 0; j < K; j++) CHECK("SE oim", sqrt(V1[j * K + j]), ref_probit_se_exp[j]);
    CU_ASSERT_EQUAL(vi.factor, 1);
    df_glm_fit_free(&f);
}

/* two-way V with a negative eigenvalue: detected, and clipped on request */
static void test_not_psd(void)
{
    static double Xq[NPSD_N * 2];
    char *terms[] = {"(Intercept)", "z"};
    df_design d;
    df_glm_opts go;
    df_glm_fit f;
    df_scores s;
    df_vce_opts o;
    df_vce_info vi;
    dyadfit_error err = {0, ""};
    double V[4];
    memset(&d, 0, sizeof d);
    for (size_t i = 0; i < NPSD_N; i++) {
        Xq[i] = 1;
        Xq[NPSD_N + i] = npsd_z[i];
    }
    d.n = NPSD_N;
    d.k = 2;
    d.X = Xq;
    d.y = (double *)npsd_y;
    d.terms = terms;
    d.intercept = 1;
    memset(&go, 0, sizeof go);
    go.information = DYADFIT_INFO_EXPECTED;
    df_newton_defaults(&go.newton);
    CU_ASSERT_EQUAL_FATAL(df_glm(&d, &go, &f, &err), 0);
    CHECK("coefficients", f.beta[1], ref_npsd_coef[1]);
    memset(&s, 0, sizeof s);
    s.n = NPSD_N;
    s.k = 2;
    s.X = Xq;
    s.u = f.u;
    memset(&o, 0, sizeof o);
    o.type = DYADFIT_VCE_CLUSTER;
    o.ssc = DYADFIT_SSC_STATA;
    o.ncluster = 2;
    o.cl[0] = npsd_ga;
    o.cl[1] = npsd_gb;
    o.ng[0] = o.ng[1] = 3;
    CU_ASSERT_EQUAL_FATAL(df_vce(f.info, &s, &o, V, &vi, &err), 0);
    check_V(V, ref_npsd_V, 2);
    CHECK("min eigenvalue (non-PSD)", vi.min_eigen, ref_npsd_min_eigen[0]);
    CU_ASSERT(vi.min_eigen < 0);
    CU_ASSERT_EQUAL(vi.psd_fixed, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(vi.note, "not positive semi-definite: 1 eigenvalue < 0"));
    o.fix_psd = 1;
    CU_ASSERT_EQUAL_FATAL(df_vce(f.info, &s, &o, V, &vi, &err), 0);
    CU_ASSERT_EQUAL(vi.psd_fixed, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vi.note, "set to 0"));
    check_V(V, ref_npsd_Vfix, 2);
    /* the clipped V has eigenvalues {0, l_max}: det 0 */
    CU_ASSERT(fabs(V[0] * V[3] - V[1] * V[2]) < 1e-12 * V[0] * V[3]);
    df_glm_fit_free(&f);
}

static void test_spd_inverse(void)
{
    double A[4] = {4, 2, 2, 3}, Ai[4];
    CU_ASSERT_EQUAL(df_spd_inverse(A, 2, Ai), 0);
    CHECK("spd inverse", Ai[0], 3.0 / 8);
    CHECK("spd inverse", Ai[1], -2.0 / 8);
    CHECK("spd inverse", Ai[2], -2.0 / 8);
    CHECK("spd inverse", Ai[3], 4.0 / 8);
    /* badly scaled: D A D with D = diag(1e-6, 1e6) */
    double B[4] = {4e-12, 2, 2, 3e12};
    CU_ASSERT_EQUAL(df_spd_inverse(B, 2, Ai), 0);
    CHECK("spd inverse", Ai[0], 3.0 / 8 * 1e12);
    CHECK("spd inverse", Ai[3], 4.0 / 8 * 1e-12);
    double C[4] = {1, 2, 2, 1}; /* indefinite */
    CU_ASSERT_NOT_EQUAL(df_spd_inverse(C, 2, Ai), 0);
}

static void test_errors(void)
{
    df_glm_fit f;
    df_scores s;
    df_vce_opts o;
    df_vce_info vi;
    dyadfit_error err = {0, ""};
    double V[K * K], info[K * K], fw[REF_N];
    size_t badcl[REF_N];
    fit(DF_LINK_LOGIT, DYADFIT_INFO_EXPECTED, NULL, &f);
    scores(&f, NULL, &s);

    /* singular information */
    memcpy(info, f.info, sizeof info);
    for (int j = 0; j < K; j++) info[4 * K + j] = info[j * K + 4] = 0;
    vopts(&o, DYADFIT_VCE_OIM, DYADFIT_SSC_STATA, 0);
    CU_ASSERT_EQUAL(df_vce(info, &s, &o, V, &vi, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "singular"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "coefficient 5 of 5"));

    /* cluster id out of range */
    memcpy(badcl, ref_cla, sizeof badcl);
    badcl[17] = REF_GA;
    vopts(&o, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_STATA, 1);
    o.cl[0] = badcl;
    CU_ASSERT_EQUAL(df_vce(f.info, &s, &o, V, &vi, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 18"));

    /* one cluster */
    for (size_t i = 0; i < REF_N; i++) badcl[i] = 0;
    o.ng[0] = 1;
    CU_ASSERT_EQUAL(df_vce(f.info, &s, &o, V, &vi, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "1 cluster"));

    /* bad frequency weight */
    for (size_t i = 0; i < REF_N; i++) fw[i] = 1;
    fw[5] = 0;
    scores(&f, fw, &s);
    vopts(&o, DYADFIT_VCE_ROBUST, DYADFIT_SSC_STATA, 0);
    CU_ASSERT_EQUAL(df_vce(f.info, &s, &o, V, &vi, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 6"));

    /* three cluster dimensions */
    scores(&f, NULL, &s);
    vopts(&o, DYADFIT_VCE_CLUSTER, DYADFIT_SSC_STATA, 3);
    CU_ASSERT_EQUAL(df_vce(f.info, &s, &o, V, &vi, &err), DYADFIT_ERR_SPEC);
    df_glm_fit_free(&f);
}

static void test_report_lre(void)
{
    tu_print_lre();
    CU_ASSERT(tu_min_lre() >= LRE_MIN);
}

int main(void)
{
    static const tu_test tests[] = {
        {"logit robust/cluster/two-way", test_logit},
        {"probit robust/cluster/two-way", test_probit},
        {"cloglog robust/cluster/two-way", test_cloglog},
        {"score matrix and oim", test_score_matrix_and_oim},
        {"two-way not PSD", test_not_psd},
        {"spd inverse", test_spd_inverse},
        {"errors", test_errors},
        {"minimum LRE", test_report_lre},
        {NULL, NULL}};
    return tu_run("vce", tests);
}
