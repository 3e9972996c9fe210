/* test_bootstrap.c -- the bootstrap variance (src/vce/bootstrap.c and its
 * use by the binomial fits): the covariance of given replicates against a
 * hand computation, the draws (sums, independence of the replications
 * before), seeds, failed replications, the replications shared between
 * processes (simulated here: tests/mpi/run.sh runs the real thing), and
 * 2000 replications against the sandwich standard errors R computes
 * (tests/reference/make_reference_bootstrap.R -> values/bootstrap_*.csv). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "dyadfit.h"
#include "vce/bootstrap.h"
#include "fit/fit.h"

#define DATA "tests/data/models/weights.csv"

/* ---------------------------------------------------------- covariance */

static void test_vcov_by_hand(void)
{
    /* replicates (1,2), (3,1), (2,5); the fourth failed and must not count.
     * mean (2, 8/3); divisor 2:
     *   var1 = (1 + 1 + 0) / 2 = 1
     *   cov  = ((-1)(-2/3) + (1)(-5/3) + 0) / 2 = -1/2
     *   var2 = (4/9 + 25/9 + 49/9) / 2 = 13/3 */
    const double B[] = {1, 2, 3, 1, 2, 5, 100, -100};
    const unsigned char ok[] = {1, 1, 1, 0};
    double V[4] = {0, 0, 0, 0};
    size_t nok = 0;
    CU_ASSERT_EQUAL(df_boot_vcov(B, ok, 4, 2, V, &nok), 0);
    CU_ASSERT_EQUAL(nok, 3);
    CU_ASSERT_DOUBLE_EQUAL(V[0], 1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(V[1], -0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(V[2], -0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(V[3], 13.0 / 3.0, 1e-14);

    /* one success: no variance, V untouched */
    const unsigned char one[] = {0, 1, 0, 0};
    double W[4] = {7, 7, 7, 7};
    CU_ASSERT_NOT_EQUAL(df_boot_vcov(B, one, 4, 2, W, &nok), 0);
    CU_ASSERT_EQUAL(nok, 1);
    CU_ASSERT_EQUAL(W[0], 7);
    CU_ASSERT_EQUAL(W[3], 7);
}

/* --------------------------------------------------------------- draws */

#define NR 37
#define NG 7

static void opts_rows(df_boot_opts *o, unsigned long seed)
{
    memset(o, 0, sizeof *o);
    o->n = NR;
    o->k = 1;
    o->reps = 100;
    o->seed = seed;
}

static double sum(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s;
}

static int whole(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(x[i] >= 0) || x[i] != floor(x[i])) return 0;
    return 1;
}

static void test_draws_rows(void)
{
    df_boot_opts o;
    dyadfit_error err = {0, ""};
    double first[NR], again[NR], c[NR], other[NR];
    opts_rows(&o, 99);
    /* replication 5 drawn first, then after replications 0..4 */
    CU_ASSERT_EQUAL(df_boot_draw(&o, 5, first, &err), 0);
    for (size_t r = 0; r < 5; r++) CU_ASSERT_EQUAL(df_boot_draw(&o, r, c, &err), 0);
    CU_ASSERT_EQUAL(df_boot_draw(&o, 5, again, &err), 0);
    CU_ASSERT(memcmp(first, again, sizeof first) == 0);
    CU_ASSERT_EQUAL(sum(first, NR), NR);
    CU_ASSERT(whole(first, NR));
    /* another replication and another seed draw differently */
    CU_ASSERT_EQUAL(df_boot_draw(&o, 6, other, &err), 0);
    CU_ASSERT(memcmp(first, other, sizeof first) != 0);
    CU_ASSERT_EQUAL(sum(other, NR), NR);
    opts_rows(&o, 100);
    CU_ASSERT_EQUAL(df_boot_draw(&o, 5, other, &err), 0);
    CU_ASSERT(memcmp(first, other, sizeof first) != 0);
    /* over many replications every row is drawn about once on average */
    double tot[NR];
    memset(tot, 0, sizeof tot);
    for (size_t r = 0; r < 2000; r++) {
        CU_ASSERT_EQUAL_FATAL(df_boot_draw(&o, r, c, &err), 0);
        for (size_t i = 0; i < NR; i++) tot[i] += c[i];
    }
    for (size_t i = 0; i < NR; i++) CU_ASSERT(fabs(tot[i] / 2000 - 1) < 0.15);
    /* the streams' seeds differ between neighbouring replications and seeds */
    CU_ASSERT_NOT_EQUAL(df_boot_stream_seed(1, 0), df_boot_stream_seed(1, 1));
    CU_ASSERT_NOT_EQUAL(df_boot_stream_seed(1, 0), df_boot_stream_seed(2, 0));
    CU_ASSERT_NOT_EQUAL(df_boot_stream_seed(0, 0), 0);
}

static void test_draws_clusters(void)
{
    df_boot_opts o;
    dyadfit_error err = {0, ""};
    size_t cl[NR];
    double a[NG], b[NG];
    for (size_t i = 0; i < NR; i++) cl[i] = i % NG;
    opts_rows(&o, 7);
    o.cl = cl;
    o.ng = NG;
    CU_ASSERT_EQUAL(df_boot_draw(&o, 3, a, &err), 0);
    CU_ASSERT_EQUAL(sum(a, NG), NG);
    CU_ASSERT(whole(a, NG));
    for (size_t r = 0; r < 3; r++) CU_ASSERT_EQUAL(df_boot_draw(&o, r, b, &err), 0);
    CU_ASSERT_EQUAL(df_boot_draw(&o, 3, b, &err), 0);
    CU_ASSERT(memcmp(a, b, sizeof a) == 0);
}

static void test_draws_fweights(void)
{
    df_boot_opts o;
    dyadfit_error err = {0, ""};
    double w[NR], c[NR], N = 0;
    size_t rows[NR];
    for (size_t i = 0; i < NR; i++) {
        w[i] = (double)(i % 4);   /* 0, 1, 2, 3, ...: rows of weight 0 */
        rows[i] = 10 + i;
        N += w[i];
    }
    opts_rows(&o, 3);
    o.w = w;
    o.fweights = 1;
    o.rows = rows;
    o.wname = "fw";
    CU_ASSERT_EQUAL(df_boot_draw(&o, 0, c, &err), 0);
    CU_ASSERT_EQUAL(sum(c, NR), N);
    CU_ASSERT(whole(c, NR));
    for (size_t i = 0; i < NR; i += 4) CU_ASSERT_EQUAL(c[i], 0);
    /* a frequency weight that is not a whole number: named, with its row */
    w[5] = 2.5;
    CU_ASSERT_EQUAL(df_boot_draw(&o, 0, c, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'fw' is 2.5 at data row 16"));
}

/* ------------------------------------------- df_bootstrap on a mean */

/* The "estimator": the weighted mean of x and of x^2. Fails (degenerate)
 * when row 0 was not drawn, to exercise the failure rule. */
static double xs[NR];
static int fail_without_row0;

static int mean_refit(void *ctx, const double *w, double *beta, dyadfit_error *err)
{
    (void)ctx;
    (void)err;
    if (fail_without_row0 && w[0] == 0) return DF_BOOT_DEGENERATE;
    double sw = 0, s1 = 0, s2 = 0;
    for (size_t i = 0; i < NR; i++) {
        sw += w[i];
        s1 += w[i] * xs[i];
        s2 += w[i] * xs[i] * xs[i];
    }
    beta[0] = s1 / sw;
    beta[1] = s2 / sw;
    return DF_BOOT_OK;
}

/* The data xs and the options for bootstrapping the mean "estimator"
 * (k = 2) over the NR rows, with row 0's absence failing a replication
 * (fail) or not. */
static void opts_mean(df_boot_opts *o, unsigned long seed, int reps, int fail)
{
    for (size_t i = 0; i < NR; i++) xs[i] = sin(1.0 + (double)i) * 3 + (double)(i % 5);
    opts_rows(o, seed);
    o->k = 2;
    o->reps = reps;
    fail_without_row0 = fail;
}

static void test_mean_and_failures(void)
{
    df_boot_opts o;
    df_boot_info bi;
    dyadfit_error err = {0, ""};
    double V[4], V2[4];
    opts_mean(&o, 11, 2000, 0);
    CU_ASSERT_EQUAL_FATAL(df_bootstrap(&o, mean_refit, NULL, V, &bi, &err), 0);
    CU_ASSERT_EQUAL(bi.failed, 0);
    /* the bootstrap variance of a mean is close to (1/n) sum (x - xbar)^2 / n */
    double m = 0, s = 0;
    for (size_t i = 0; i < NR; i++) m += xs[i] / NR;
    for (size_t i = 0; i < NR; i++) s += (xs[i] - m) * (xs[i] - m);
    double plug = s / NR / NR;
    CU_ASSERT(fabs(V[0] / plug - 1) < 0.1);
    /* the same seed: the same bits */
    CU_ASSERT_EQUAL_FATAL(df_bootstrap(&o, mean_refit, NULL, V2, &bi, &err), 0);
    CU_ASSERT(memcmp(V, V2, sizeof V) == 0);
    /* another seed: another V */
    o.seed = 12;
    CU_ASSERT_EQUAL_FATAL(df_bootstrap(&o, mean_refit, NULL, V2, &bi, &err), 0);
    CU_ASSERT(memcmp(V, V2, sizeof V) != 0);

    /* failures: left out and counted; V is the covariance of the others,
     * recomputed here from the draws */
    o.seed = 11;
    o.reps = 300;
    fail_without_row0 = 1;
    CU_ASSERT_EQUAL_FATAL(df_bootstrap(&o, mean_refit, NULL, V, &bi, &err), 0);
    double *B = malloc(300 * 2 * sizeof *B), c[NR];
    unsigned char ok[300];
    int nfail = 0, first = -1;
    for (size_t r = 0; r < 300; r++) {
        CU_ASSERT_EQUAL_FATAL(df_boot_draw(&o, r, c, &err), 0);
        ok[r] = mean_refit(NULL, c, B + 2 * r, &err) == DF_BOOT_OK;
        if (!ok[r]) {
            nfail++;
            if (first < 0) first = (int)r;
        }
    }
    size_t nok;
    CU_ASSERT_EQUAL(df_boot_vcov(B, ok, 300, 2, V2, &nok), 0);
    free(B);
    CU_ASSERT(nfail > 50 && nfail < 200);   /* (36/37)^37 = 36% expected */
    CU_ASSERT_EQUAL(bi.failed, nfail);
    CU_ASSERT_EQUAL(bi.first_failed, first);
    CU_ASSERT_EQUAL(bi.not_converged, 0);
    CU_ASSERT(memcmp(V, V2, sizeof V) == 0);

    /* fewer than 2 successes: an error saying so */
    o.reps = 2;
    int rc = 0;
    for (unsigned long seed = 1; seed < 50 && rc == 0; seed++) {
        o.seed = seed;
        rc = df_bootstrap(&o, mean_refit, NULL, V, &bi, &err);
    }
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "of 2 bootstrap replications succeeded"));
    /* reps out of range */
    o.reps = 1;
    CU_ASSERT_EQUAL(df_bootstrap(&o, mean_refit, NULL, V, &bi, &err), DYADFIT_ERR_USAGE);
    fail_without_row0 = 0;
}

/* ---------------------- the replications shared by "processes" (simulated) */

static int sim_rank, sim_size;
static double *sim_store;   /* every simulated process's rows */

static int sim_agree(int rc, dyadfit_error *err)
{
    (void)err;
    return rc;
}

/* processes 1.. keep their rows; process 0 (run last) takes them */
static int sim_gather(double *rows, size_t nrows, size_t width)
{
    for (size_t r = 0; r < nrows; r++) {
        int mine = (int)(r % (size_t)sim_size) == sim_rank;
        if (sim_rank != 0 && mine)
            memcpy(sim_store + r * width, rows + r * width, width * sizeof *rows);
        if (sim_rank == 0 && !mine)
            memcpy(rows + r * width, sim_store + r * width, width * sizeof *rows);
    }
    return 0;
}

static void test_shared_replications(void)
{
    df_boot_opts o;
    df_boot_info bi;
    dyadfit_error err = {0, ""};
    double V1[4], Vp[4];
    opts_mean(&o, 5, 101, 1);
    CU_ASSERT_EQUAL_FATAL(df_bootstrap(&o, mean_refit, NULL, V1, &bi, &err), 0);
    int failed1 = bi.failed;
    for (int size = 2; size <= 4; size++) {
        df_boot_dist dist = {0, size, sim_agree, sim_gather};
        sim_size = size;
        sim_store = calloc(101 * 3, sizeof *sim_store);
        o.dist = &dist;
        for (int q = size - 1; q >= 0; q--) {
            dist.rank = sim_rank = q;
            CU_ASSERT_EQUAL_FATAL(df_bootstrap(&o, mean_refit, NULL, Vp, &bi, &err), 0);
        }
        CU_ASSERT(memcmp(V1, Vp, sizeof V1) == 0);
        CU_ASSERT_EQUAL(bi.failed, failed1);
        free(sim_store);
    }
    fail_without_row0 = 0;
}

/* ------------------------------------------------ fits through the API */

static dyadfit_table *read_data(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    int rc = dyadfit_read(tu_path(DATA), NULL, &t, &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    return t;
}

static void model(dyadfit_model *m, dyadfit_estimator e, const char *cluster,
                  const char *w, dyadfit_weight_type wt, int reps, unsigned long seed)
{
    dyadfit_model_init(m);
    m->estimator = e;
    m->formula = "y ~ x1 + x2";
    m->vce = DYADFIT_VCE_BOOTSTRAP;
    m->cluster[0] = cluster;
    m->weights = w;
    m->weight_type = wt;
    m->reps = reps;
    m->seed = seed;
}

static void test_defaults(void)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    CU_ASSERT_EQUAL(m.reps, 200);
    CU_ASSERT_EQUAL(m.seed, 12345UL);
}

static void test_seeds_through_fit(void)
{
    dyadfit_table *t = read_data();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    dyadfit_model m;
    dyadfit_error err = {0, ""};
    dyadfit_result *a = NULL, *b = NULL, *c = NULL, *z = NULL;
    model(&m, DYADFIT_LOGIT, "cl", NULL, DYADFIT_WEIGHT_NONE, 50, 1);
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &a, &err), 0);
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &b, &err), 0);
    m.seed = 2;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &c, &err), 0);
    size_t k = dyadfit_result_ncoef(a);
    CU_ASSERT_EQUAL(k, 3);
    const double *Va = dyadfit_result_vcov(a), *Vb = dyadfit_result_vcov(b),
                 *Vc = dyadfit_result_vcov(c);
    CU_ASSERT(memcmp(Va, Vb, k * k * sizeof *Va) == 0);
    CU_ASSERT(memcmp(Va, Vc, k * k * sizeof *Va) != 0);
    for (size_t j = 0; j < k; j++) CU_ASSERT(Va[j * k + j] > 0 && isfinite(Va[j * k + j]));
    CU_ASSERT_EQUAL(dyadfit_result_stat(a, DYADFIT_STAT_NCLUSTER1), 120);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(a), "bootstrap: 50 replications (seed 1)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(a), "120 clusters of cl"));
    /* one thread or several: the same bits */
    dyadfit_set_threads(1);
    m.seed = 1;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &z, &err), 0);
    dyadfit_set_threads(0);
    CU_ASSERT(memcmp(Va, dyadfit_result_vcov(z), k * k * sizeof *Va) == 0);
    /* the point estimates are those of any other variance */
    dyadfit_result *o = NULL;
    m.vce = DYADFIT_VCE_OIM;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &o, &err), 0);
    CU_ASSERT(memcmp(dyadfit_result_coef(a, NULL), dyadfit_result_coef(o, NULL),
                     k * sizeof(double)) == 0);
    dyadfit_result_free(o);
    dyadfit_result_free(a);
    dyadfit_result_free(b);
    dyadfit_result_free(c);
    dyadfit_result_free(z);
    dyadfit_table_free(t);
}

static void test_refusals(void)
{
    dyadfit_table *t = read_data();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    dyadfit_model m;
    dyadfit_error err = {0, ""};
    dyadfit_result *r = NULL;
    /* estimators without a bootstrap */
    model(&m, DYADFIT_FIRTH, NULL, NULL, DYADFIT_WEIGHT_NONE, 50, 1);
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not for firth"));
    CU_ASSERT_PTR_NULL(r);
    /* two cluster variables */
    model(&m, DYADFIT_LOGIT, "cl", NULL, DYADFIT_WEIGHT_NONE, 50, 1);
    m.cluster[1] = "fw";
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "two cluster variables (cl and fw)"));
    /* one replication */
    model(&m, DYADFIT_LOGIT, NULL, NULL, DYADFIT_WEIGHT_NONE, 1, 1);
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "1 is not a count from 2"));
    /* frequency weights that are not whole numbers, rows resampled */
    model(&m, DYADFIT_LOGIT, NULL, "pw", DYADFIT_WEIGHT_FREQUENCY, 50, 1);
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "weight 'pw' is 4.8747 at data row 1"));
    CU_ASSERT_PTR_NULL(r);
    dyadfit_table_free(t);
}

/* Replications that separate: a dummy with 3 ones, one of them a success.
 * Resamples without that row separate (or drop the dummy's ones), so some
 * replications fail; they are counted in the notes. */
static void test_failed_replications_noted(void)
{
    enum { N = 60 };
    double X[2 * N], y[N];
    for (size_t i = 0; i < N; i++) {
        X[i] = 1;
        X[N + i] = (i == 3 || i == 17 || i == 40) ? 1 : 0;
        y[i] = (i % 3 == 0 && i != 17 && i != 40) ? 1 : 0;   /* row 3: y = 1 */
    }
    const char *terms[] = {"(Intercept)", "d"};
    dyadfit_matrix x;
    memset(&x, 0, sizeof x);
    x.n = N;
    x.k = 2;
    x.X = X;
    x.terms = terms;
    x.y = y;
    x.response = "y";
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.vce = DYADFIT_VCE_BOOTSTRAP;
    m.reps = 100;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit_matrix(&x, &m, &r, &err), 0);
    /* which replications must fail, from their draws: unless row 3 (the
     * dummy's success) and row 17 or 40 (a failure) are both drawn, the
     * dummy's drawn rows all have one outcome (separated) or there are
     * none (the column is zero: singular) */
    df_boot_opts o;
    memset(&o, 0, sizeof o);
    o.n = N;
    o.k = 2;
    o.reps = 100;
    o.seed = DF_BOOT_DEFAULT_SEED;
    int want = 0, want_sep = 0;
    for (size_t rep = 0; rep < 100; rep++) {
        double c[N];
        CU_ASSERT_EQUAL_FATAL(df_boot_draw(&o, rep, c, &err), 0);
        int fails = !(c[3] > 0 && (c[17] > 0 || c[40] > 0));
        want += fails;
        want_sep += fails && (c[3] > 0 || c[17] > 0 || c[40] > 0);
    }
    char expect[160];
    snprintf(expect, sizeof expect, "%d of 100 bootstrap replications failed (%d did not "
             "converge or were separated, %d had a singular", want, want_sep, want - want_sep);
    const char *notes = dyadfit_result_notes(r);
    if (!strstr(notes, expect)) fprintf(stderr, "  notes: %s\n  want: %s\n", notes, expect);
    CU_ASSERT_PTR_NOT_NULL(strstr(notes, expect));
    CU_ASSERT(want > 0 && want < 90);
    /* what is left is the spread of finite maxima: no replication at a
     * coefficient of -20 (before the check some were, and the SE of d was
     * about 12) */
    const double *V = dyadfit_result_vcov(r);
    CU_ASSERT(isfinite(V[3]) && V[3] > 0 && sqrt(V[3]) < 5);
    fprintf(stderr, "  separation-prone bootstrap: %d of 100 failed (%d separated), se(d) %.4g\n",
            want, want_sep, sqrt(V[3]));
    dyadfit_result_free(r);
}

/* ------------------------------ a replication started from the estimate */

/* df_glm's start option, which a replication takes from the full-sample
 * estimate: the same maximum as from the default start, in fewer Newton
 * iterations. A column of size ~1000 checks that the start is scaled as
 * glm scales its columns. */
static void test_glm_start(void)
{
    enum { N = 400, K = 4 };
    static double X[N * K], y[N], w[N];
    char *terms[] = {"(Intercept)", "x1", "x2", "x3"};
    for (size_t i = 0; i < N; i++) {
        double x1 = sin(0.7 * (double)i), x2 = (double)(i % 7) / 3;
        double x3 = 1000 * cos(0.3 * (double)i);
        X[i] = 1;
        X[N + i] = x1;
        X[2 * N + i] = x2;
        X[3 * N + i] = x3;
        double u = fmod(sin(12.9898 * (double)i) * 43758.5453, 1.0);
        y[i] = fabs(u) < 1 / (1 + exp(-(-0.5 + x1 - 0.4 * x2 + 0.001 * x3)));
    }
    df_design d;
    memset(&d, 0, sizeof d);
    d.n = N;
    d.k = K;
    d.X = X;
    d.y = y;
    d.terms = terms;
    d.intercept = 1;
    for (int link = 0; link < 3; link++) {
        df_glm_opts o;
        df_glm_fit full, a, b;
        dyadfit_error err = {0, ""};
        memset(&o, 0, sizeof o);
        o.link = (df_link)link;
        CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &full, &err), 0);
        /* a replication's weights: row draw counts */
        df_boot_opts bo;
        opts_rows(&bo, 3);
        bo.n = N;
        CU_ASSERT_EQUAL_FATAL(df_boot_draw(&bo, (size_t)link, w, &err), 0);
        d.w = w;
        CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &a, &err), 0);
        o.start = full.beta;
        CU_ASSERT_EQUAL_FATAL(df_glm(&d, &o, &b, &err), 0);
        d.w = NULL;
        CU_ASSERT(a.converged && b.converged);
        CU_ASSERT(b.iterations < a.iterations);
        for (size_t j = 0; j < K; j++)
            CU_ASSERT(fabs(b.beta[j] - a.beta[j]) <= 1e-12 * fabs(a.beta[j]));
        df_glm_fit_free(&full);
        df_glm_fit_free(&a);
        df_glm_fit_free(&b);
    }
}

/* --------------------------------- 2000 replications against the sandwich */

static void against_sandwich(const char *id, dyadfit_estimator e, const char *cluster,
                             const char *w, dyadfit_weight_type wt)
{
    char path[256], cat[64];
    tu_ref ref;
    dyadfit_table *t = read_data();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    snprintf(path, sizeof path, "tests/reference/values/bootstrap_%s.csv", id);
    CU_ASSERT_EQUAL_FATAL(tu_ref_read(tu_path(path), &ref), 0);
    dyadfit_model m;
    dyadfit_error err = {0, ""};
    dyadfit_result *r = NULL;
    model(&m, e, cluster, w, wt, 2000, 20261205);
    int rc = dyadfit_fit(t, &m, &r, &err);
    if (rc) fprintf(stderr, "%s: %s\n", id, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    size_t k = dyadfit_result_ncoef(r);
    CU_ASSERT_EQUAL_FATAL(k, ref.n);
    const double *b = dyadfit_result_coef(r, NULL), *V = dyadfit_result_vcov(r);
    snprintf(cat, sizeof cat, "coef bootstrap %s", id);
    for (size_t j = 0; j < k; j++) {
        CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, j), ref.term[j]);
        /* glm's probit/cloglog iterations stop ~1e-8 short (README) */
        TU_CHECK_LRE(cat, b[j], ref.estimate[j], 7);
        double se = sqrt(V[j * k + j]), ratio = se / ref.std_error[j];
        fprintf(stderr, "  %-18s %-12s bootstrap se %.6g, sandwich %.6g, ratio %.4f\n", id,
                ref.term[j], se, ref.std_error[j], ratio);
        /* 10% asked; 5% holds (seen <= 2.1%: Monte Carlo sd of an SE from
         * 2000 replications ~1.6%) and catches rows resampled for clusters
         * (HC0 vs CR0 differ by 13% on the intercept here) */
        CU_ASSERT(fabs(ratio - 1) < 0.05);
    }
    CU_ASSERT_PTR_NULL(strstr(dyadfit_result_notes(r), "replications failed"));
    dyadfit_result_free(r);
    tu_ref_free(&ref);
    dyadfit_table_free(t);
}

static void test_logit_cluster(void)
{
    against_sandwich("logit_cluster", DYADFIT_LOGIT, "cl", NULL, DYADFIT_WEIGHT_NONE);
}
static void test_probit_rows(void)
{
    against_sandwich("probit_rows", DYADFIT_PROBIT, NULL, NULL, DYADFIT_WEIGHT_NONE);
}
static void test_logit_pw_cluster(void)
{
    against_sandwich("logit_pw_cluster", DYADFIT_LOGIT, "cl", "pw", DYADFIT_WEIGHT_PROBABILITY);
}
static void test_cloglog_fw_rows(void)
{
    against_sandwich("cloglog_fw_rows", DYADFIT_CLOGLOG, NULL, "fw", DYADFIT_WEIGHT_FREQUENCY);
}

int main(void)
{
    static const tu_test tests[] = {
        {"covariance of given replicates", test_vcov_by_hand},
        {"row draws", test_draws_rows},
        {"cluster draws", test_draws_clusters},
        {"frequency-weight draws", test_draws_fweights},
        {"bootstrap of a mean, failures", test_mean_and_failures},
        {"replications shared by processes", test_shared_replications},
        {"model defaults", test_defaults},
        {"seeds through dyadfit_fit", test_seeds_through_fit},
        {"refusals", test_refusals},
        {"failed replications noted", test_failed_replications_noted},
        {"glm started from an estimate", test_glm_start},
        {"logit, clusters vs CR0", test_logit_cluster},
        {"probit, rows vs HC0", test_probit_rows},
        {"logit, pweights, clusters vs CR0", test_logit_pw_cluster},
        {"cloglog, fweights, rows vs HC0", test_cloglog_fw_rows},
        {NULL, NULL}};
    int rc = tu_run("bootstrap", tests);
    tu_print_lre();
    return rc;
}
