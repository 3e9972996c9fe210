/*
 * test_many_clusters.c -- cluster-robust variance with more clusters than
 * a 16-bit count holds: 100,000 dyads of 2 rows each (200,000 rows, seeded
 * simulation with a dyad effect), and a two-way version with 37 years whose
 * intersection has 200,000 cells. The fit goes through the public API on
 * an in-memory table (numeric dyad ids), a CSV (string dyad ids) and a
 * ready matrix (scattered integer codes); the variance is compared with the
 * sandwich c H^-1 (sum_g s_g s_g') H^-1 computed here directly from the
 * returned coefficients, H = sum p(1-p) x x', s_i = x_i (y_i - p_i), at
 * LRE >= 10.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "dyadfit.h"
#include "testutil.h"

#define G 100000              /* dyads */
#define N (2 * G)             /* rows: two years each */
#define NY 37                 /* years (second dimension) */
#define K 3

static double x1[N], x2[N], y[N], dyad[N], year[N];
static double Xm[K * N];      /* column-major, for dyadfit_fit_matrix */
static int dyad_code[N], year_code[N];

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static double unif(void)       /* xorshift64*, in (0, 1) */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return ((double)((rng * 0x2545F4914F6CDD1DULL) >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void)
{
    return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

static void simulate(void)
{
    for (size_t g = 0; g < G; g++) {
        double u = gauss(), z = unif();     /* dyad effect, dyad covariate */
        for (size_t t = 0; t < 2; t++) {
            size_t i = 2 * g + t;
            x1[i] = gauss();
            x2[i] = z;
            double eta = -0.5 + 0.8 * x1[i] - 0.6 * x2[i] + u;
            y[i] = unif() < 1 / (1 + exp(-eta));
            dyad[i] = (double)g * 3 + 1000;
            year[i] = (double)(1946 + i % NY);
            dyad_code[i] = (int)((g * 7919) % 1000003) + 5;
            year_code[i] = (int)(i % NY);
            Xm[i] = 1;
            Xm[N + i] = x1[i];
            Xm[2 * N + i] = x2[i];
        }
    }
}

/* 3 x 3 inverse by cofactors (H is well conditioned here) */
static void inv3(const double *a, double *b)
{
    double det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) +
                 a[2] * (a[3] * a[7] - a[4] * a[6]);
    b[0] = (a[4] * a[8] - a[5] * a[7]) / det;
    b[1] = (a[2] * a[7] - a[1] * a[8]) / det;
    b[2] = (a[1] * a[5] - a[2] * a[4]) / det;
    b[3] = (a[5] * a[6] - a[3] * a[8]) / det;
    b[4] = (a[0] * a[8] - a[2] * a[6]) / det;
    b[5] = (a[2] * a[3] - a[0] * a[5]) / det;
    b[6] = (a[3] * a[7] - a[4] * a[6]) / det;
    b[7] = (a[1] * a[6] - a[0] * a[7]) / det;
    b[8] = (a[0] * a[4] - a[1] * a[3]) / det;
}

/* Adds c * sum_g s_g s_g' over the clusters id[i] < ng to M. */
static void meat(const double *s, const size_t *id, size_t ng, double c, double *M)
{
    double *sg = calloc(ng * K, sizeof *sg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sg);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < K; j++) sg[id[i] * K + j] += s[i * K + j];
    for (size_t g = 0; g < ng; g++)
        for (size_t a = 0; a < K; a++)
            for (size_t b = 0; b < K; b++) M[a * K + b] += c * sg[g * K + a] * sg[g * K + b];
    free(sg);
}

/* The sandwich at coefficients b: one-way on dyads, or two-way (dyad,
 * year, minus dyad x year: every row its own cell here), each component
 * with its own G/(G-1) unless hc0. */
static void direct_vcov(const double *b, int twoway, int hc0, double *V)
{
    double H[K * K] = {0}, Hi[K * K], M[K * K] = {0}, T[K * K];
    double *s = malloc(N * K * sizeof *s);
    size_t *id_d = malloc(N * sizeof *id_d), *id_y = malloc(N * sizeof *id_y),
           *id_r = malloc(N * sizeof *id_r);
    CU_ASSERT_FATAL(s && id_d && id_y && id_r);
    for (size_t i = 0; i < N; i++) {
        double x[K] = {1, x1[i], x2[i]};
        double p = 1 / (1 + exp(-(b[0] + b[1] * x[1] + b[2] * x[2])));
        for (size_t a = 0; a < K; a++) {
            s[i * K + a] = x[a] * (y[i] - p);
            for (size_t c = 0; c < K; c++) H[a * K + c] += p * (1 - p) * x[a] * x[c];
        }
        id_d[i] = i / 2;
        id_y[i] = i % NY;
        id_r[i] = i;
    }
    double adj_d = hc0 ? 1 : (double)G / (G - 1), adj_y = hc0 ? 1 : (double)NY / (NY - 1),
           adj_r = hc0 ? 1 : (double)N / (N - 1);
    meat(s, id_d, G, adj_d, M);
    if (twoway) {
        meat(s, id_y, NY, adj_y, M);
        meat(s, id_r, N, -adj_r, M);
    }
    inv3(H, Hi);
    for (size_t a = 0; a < K; a++)
        for (size_t c = 0; c < K; c++) {
            T[a * K + c] = 0;
            for (size_t e = 0; e < K; e++) T[a * K + c] += Hi[a * K + e] * M[e * K + c];
        }
    for (size_t a = 0; a < K; a++)
        for (size_t c = 0; c < K; c++) {
            V[a * K + c] = 0;
            for (size_t e = 0; e < K; e++) V[a * K + c] += T[a * K + e] * Hi[e * K + c];
        }
    free(s);
    free(id_d);
    free(id_y);
    free(id_r);
}

static void check(const dyadfit_result *r, int twoway, int hc0, const char *what)
{
    size_t k = 0;
    const double *b = dyadfit_result_coef(r, &k);
    CU_ASSERT_EQUAL_FATAL(k, K);
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_CONVERGED), 1);
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NCLUSTER1), G);
    if (twoway) {
        CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NCLUSTER2), NY);
    }
    double V[K * K];
    direct_vcov(b, twoway, hc0, V);
    const double *got = dyadfit_result_vcov(r);
    for (size_t j = 0; j < K * K; j++) TU_CHECK_LRE(what, got[j], V[j], 10);
}

/* The numeric table is built in memory; the one with string dyad ids
 * ("d12345") is written to a CSV and read back, as users' files are (the
 * in-memory string builder is linear per new level, too slow for this). */
static dyadfit_table *table(int string_cluster)
{
    dyadfit_table *t = NULL;
    dyadfit_error e = {0, ""};
    if (string_cluster) {
        char path[] = "/tmp/dyadfit_manyclXXXXXX";
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        FILE *f = fdopen(fd, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs("y,x1,x2,year,dyad\n", f);
        for (size_t i = 0; i < N; i++)
            fprintf(f, "%g,%.17g,%.17g,%g,d%zu\n", y[i], x1[i], x2[i], year[i], i / 2);
        fclose(f);
        char csv[64];
        snprintf(csv, sizeof csv, "%s.csv", path);
        CU_ASSERT_EQUAL_FATAL(rename(path, csv), 0);
        int rc = dyadfit_read(csv, NULL, &t, &e);
        if (rc) fprintf(stderr, "\n  %s", e.message);
        remove(csv);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        return t;
    }
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(N, &t, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "y", y, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "x1", x1, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "x2", x2, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "year", year, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "dyad", dyad, &e), 0);
    return t;
}

static void fit_table(int string_cluster, int twoway, dyadfit_ssc ssc, const char *what)
{
    dyadfit_table *t = table(string_cluster);
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error e = {0, ""};
    dyadfit_model_init(&m);
    m.formula = "y ~ x1 + x2";
    m.vce = DYADFIT_VCE_CLUSTER;
    m.ssc = ssc;
    m.cluster[0] = "dyad";
    m.cluster[1] = twoway ? "year" : NULL;
    int rc = dyadfit_fit(t, &m, &r, &e);
    if (rc) fprintf(stderr, "\n  %s: %s", what, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    check(r, twoway, ssc == DYADFIT_SSC_HC0, what);
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

static void test_numeric(void)
{
    fit_table(0, 0, DYADFIT_SSC_STATA, "cluster 100k numeric");
    fit_table(0, 0, DYADFIT_SSC_HC0, "cluster 100k numeric");
}

static void test_string(void)
{
    fit_table(1, 0, DYADFIT_SSC_STATA, "cluster 100k string");
}

static void test_twoway(void)
{
    fit_table(0, 1, DYADFIT_SSC_STATA, "two-way 100k x 37");
    fit_table(0, 1, DYADFIT_SSC_HC0, "two-way 100k x 37");
}

static void test_matrix(void)
{
    static const char *const terms[K] = {"(Intercept)", "x1", "x2"};
    dyadfit_matrix x;
    memset(&x, 0, sizeof x);
    x.n = N;
    x.k = K;
    x.X = Xm;
    x.terms = terms;
    x.y = y;
    x.cluster[0] = dyad_code;
    x.cluster[1] = year_code;
    x.cluster_names[0] = "dyad";
    x.cluster_names[1] = "year";
    x.response = "y";
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error e = {0, ""};
    dyadfit_model_init(&m);
    m.vce = DYADFIT_VCE_CLUSTER;
    int rc = dyadfit_fit_matrix(&x, &m, &r, &e);
    if (rc) fprintf(stderr, "\n  matrix: %s", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    check(r, 1, 0, "two-way 100k matrix");
    dyadfit_result_free(r);
}

int main(void)
{
    clock_t t0 = clock();
    simulate();
    static const tu_test tests[] = {
        {"one-way, 100,000 numeric cluster ids", test_numeric},
        {"one-way, 100,000 string cluster ids read from CSV", test_string},
        {"two-way, 100,000 x 37 (200,000 cells)", test_twoway},
        {"two-way from a matrix, scattered integer codes", test_matrix},
        {NULL, NULL}};
    int rc = tu_run("many_clusters", tests);
    tu_print_lre();
    fprintf(stderr, "cpu %.2f s\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
    return rc;
}
