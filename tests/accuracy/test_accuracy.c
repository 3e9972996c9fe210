/*
 * test_accuracy.c -- numerical accuracy on hard problems with answers known
 * to far more digits than a double holds (tests/accuracy/ref_accuracy.h,
 * written by tests/reference/make_reference_accuracy.R with 256-bit Newton
 * iterations in Rmpfr). Each problem is fitted by logit, probit and cloglog
 * through dyadfit_fit on an in-memory table; coefficients and OIM standard
 * errors (and the cluster SE for "oneobs") must reach the problem's floor.
 *
 * Floors. A backward-stable solver in double precision loses about
 * log10(cond) of its 16 digits, cond the 2-norm condition number of the
 * information at the MLE after scaling it to unit diagonal (the raw one of
 * "scaled" is 1e18, but column scaling makes that problem benign). Both are
 * in the header per problem. Every problem but one has scaled cond < 10 and
 * reaches 13.9 digits or more; its floor is 11, leaving room for another
 * BLAS or compiler while still catching a loss of a few digits. The nearly
 * collinear problem has scaled cond 2e8, so about 16 - 8.3 = 7.7 digits are
 * all a double can give (8.3 reached for the SEs); its floor is 6. The
 * table of achieved values is docs/accuracy.md;
 * `test_accuracy` prints it on stderr.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"
#include "ref_accuracy.h"

static const dyadfit_estimator ests[3] = {DYADFIT_LOGIT, DYADFIT_PROBIT,
                                          DYADFIT_CLOGLOG};
static const char *est_name[3] = {"logit", "probit", "cloglog"};

/* Smallest LRE per problem, estimator and quantity (coef, se, cluster se),
 * printed as the docs/accuracy.md table. */
static double min_lre[16][3][3];
static int seen[16][3][3];

/* tu_note_lre keeps the category pointer, so categories live here. */
static const char *category(const char *prob, int e, const char *what)
{
    static char pool[96][48];
    static int npool;
    char buf[48];
    snprintf(buf, sizeof buf, "%-9s %-7s %s", prob, est_name[e], what);
    for (int i = 0; i < npool; i++)
        if (strcmp(pool[i], buf) == 0) return pool[i];
    if (npool == 96) return "other";
    memcpy(pool[npool], buf, sizeof buf);
    return pool[npool++];
}

static void check(size_t pi, int e, int what, double x, double ref, double fl)
{
    static const char *wn[3] = {"coef", "se", "se cluster"};
    double l = tu_lre(x, ref);
    if (!seen[pi][e][what] || l < min_lre[pi][e][what]) min_lre[pi][e][what] = l;
    seen[pi][e][what] = 1;
    TU_CHECK_LRE(category(acc_problems[pi].name, e, wn[what]), x, ref, fl);
}

/* The floor per problem: 11 digits unless the conditioning forbids it. */
static double floor_for(const acc_problem *p)
{
    if (strcmp(p->name, "collinear") == 0) return 6;   /* cond 2e8 */
    return 11;
}

static dyadfit_table *make_table(const acc_problem *p)
{
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    if (dyadfit_table_new(p->n, &t, &err) != 0) return NULL;
    for (int j = 0; j < p->ncol; j++)
        if (dyadfit_table_add_numeric(t, p->colname[j], p->col[j], &err) != 0) {
            fprintf(stderr, "  %s: %s\n", p->name, err.message);
            dyadfit_table_free(t);
            return NULL;
        }
    return t;
}

static dyadfit_result *fit(const dyadfit_table *t, const acc_problem *p,
                           dyadfit_estimator e, dyadfit_vce vce)
{
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_model_init(&m);
    m.estimator = e;
    m.formula = p->formula;
    m.weights = p->weights;
    m.weight_type = (dyadfit_weight_type)p->weight_type;
    m.vce = vce;
    m.information = DYADFIT_INFO_OBSERVED;
    m.ssc = DYADFIT_SSC_STATA;
    if (vce == DYADFIT_VCE_CLUSTER) m.cluster[0] = p->cluster;
    int rc = dyadfit_fit(t, &m, &r, &err);
    if (rc != 0) {
        fprintf(stderr, "  %s %s: fit failed (%d): %s\n", p->name,
                est_name[e], rc, err.message);
        return NULL;
    }
    return r;
}

static void run_problem(const char *name)
{
    const acc_problem *p = NULL;
    size_t pi = 0;
    for (size_t i = 0; i < ACC_NPROBLEMS; i++)
        if (strcmp(acc_problems[i].name, name) == 0) p = &acc_problems[pi = i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    dyadfit_table *t = make_table(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    double fl = floor_for(p);
    for (int e = 0; e < 3; e++) {
        dyadfit_result *r = fit(t, p, ests[e], DYADFIT_VCE_OIM);
        CU_ASSERT_PTR_NOT_NULL(r);
        if (!r) continue;
        size_t k;
        const double *b = dyadfit_result_coef(r, &k);
        const double *V = dyadfit_result_vcov(r);
        CU_ASSERT_EQUAL(k, (size_t)p->k);
        for (size_t j = 0; j < k && j < (size_t)p->k; j++) {
            CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, j), p->term[j]);
            check(pi, e, 0, b[j], p->coef[e][j], fl);
            check(pi, e, 1, sqrt(V[j * k + j]), p->se[e][j], fl);
        }
        dyadfit_result_free(r);
    }
    if (p->cluster) {
        dyadfit_result *r = fit(t, p, DYADFIT_LOGIT, DYADFIT_VCE_CLUSTER);
        CU_ASSERT_PTR_NOT_NULL(r);
        if (r) {
            size_t k;
            dyadfit_result_coef(r, &k);
            const double *V = dyadfit_result_vcov(r);
            for (size_t j = 0; j < k && j < (size_t)p->k; j++)
                check(pi, 0, 2, sqrt(V[j * k + j]), p->cl_se[j], fl);
            CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NCLUSTER1), 50);
            dyadfit_result_free(r);
        }
    }
    dyadfit_table_free(t);
}

static void test_scaled(void) { run_problem("scaled"); }
static void test_nearsep(void) { run_problem("nearsep"); }
static void test_collinear(void) { run_problem("collinear"); }
static void test_oneobs(void) { run_problem("oneobs"); }
static void test_weights(void) { run_problem("weights"); }
static void test_rare(void) { run_problem("rare"); }
static void test_counts(void) { run_problem("counts"); }

/* The floor can fail: a coefficient perturbed in its 8th digit is caught. */
static void test_floor_bites(void)
{
    const acc_problem *p = &acc_problems[0];
    double off = p->coef[0][1] * (1 + 1e-8);
    CU_ASSERT(tu_lre(off, p->coef[0][1]) < floor_for(p));
}

static void test_print(void)
{
    tu_print_lre();
    fprintf(stderr, "\n| problem | estimator | min LRE coef | min LRE SE "
            "| cond(I) | cond(scaled I) | floor |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < ACC_NPROBLEMS; i++)
        for (int e = 0; e < 3; e++) {
            if (!seen[i][e][0]) continue;
            fprintf(stderr, "| %s | %s | %.1f | %.1f", acc_problems[i].name,
                    est_name[e], min_lre[i][e][0], min_lre[i][e][1]);
            if (seen[i][e][2])
                fprintf(stderr, " (cluster %.1f)", min_lre[i][e][2]);
            fprintf(stderr, " | %.2g | %.2g | %.0f |\n", acc_problems[i].cond[e],
                    acc_problems[i].cond_scaled[e], floor_for(&acc_problems[i]));
        }
}

int main(void)
{
    static const tu_test tests[] = {
        {"badly scaled columns 1e-8..1e9", test_scaled},
        {"near separation", test_nearsep},
        {"nearly collinear", test_collinear},
        {"one-observation clusters", test_oneobs},
        {"weights 1e-3..1e4", test_weights},
        {"rare outcome 1/1000", test_rare},
        {"fweights summing to 1e9", test_counts},
        {"floor can fail", test_floor_bites},
        {"print LRE table", test_print},
        {NULL, NULL}};
    return tu_run("accuracy", tests);
}
