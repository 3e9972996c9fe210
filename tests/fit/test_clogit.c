/*
 * test_clogit.c -- the estimators of src/fit/clogit.c on small designs,
 * against methods that share no code with them:
 *   - df_clogit's log likelihood, score and information against brute-force
 *     enumeration of every subset of size d_g (and finite differences of
 *     the enumerated log likelihood for the information), at an arbitrary
 *     beta, for groups with 1, several, and more events than non-events;
 *   - matched pairs with one event: conditional logit = logit without
 *     intercept on the within-pair differences (df_glm);
 *   - df_felogit against df_glm with explicit dummy columns (one and two
 *     factors): coefficients, the beta block of the inverse information;
 *   - a large group (200 rows, 100 events) stays finite (rescaling).
 * The R reference values (survival, fixest) are in tests/api/test_clogit_api.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "fit/clogit.h"
#include "vce/vce.h"

#define NMAX 64

/* ------------------------------------------------- brute force */

/* log likelihood of one group by enumeration over subsets (bitmasks) */
static double enum_ll(const double *X, size_t n, size_t k, const double *y,
                      const size_t *rows, size_t m, const double *b)
{
    size_t d = 0;
    double num = 0;
    for (size_t a = 0; a < m; a++) {
        double e = 0;
        for (size_t j = 0; j < k; j++) e += X[j * n + rows[a]] * b[j];
        if (y[rows[a]] != 0) { d++; num += e; }
    }
    if (d == 0 || d == m) return 0;
    double mx = -INFINITY, *v = malloc(sizeof(double) << m);
    size_t nv = 0;
    for (unsigned long s = 0; s < (1ul << m); s++) {
        if ((size_t)__builtin_popcountl(s) != d) continue;
        double e = 0;
        for (size_t a = 0; a < m; a++)
            if (s >> a & 1)
                for (size_t j = 0; j < k; j++) e += X[j * n + rows[a]] * b[j];
        v[nv++] = e;
        if (e > mx) mx = e;
    }
    double sum = 0;
    for (size_t q = 0; q < nv; q++) sum += exp(v[q] - mx);
    free(v);
    return num - mx - log(sum);
}

static double enum_total(const df_design *d, const size_t *g, size_t G, const double *b)
{
    double ll = 0;
    size_t rows[NMAX];
    for (size_t q = 0; q < G; q++) {
        size_t m = 0;
        for (size_t i = 0; i < d->n; i++) if (g[i] == q) rows[m++] = i;
        ll += enum_ll(d->X, d->n, d->k, d->y, rows, m, b);
    }
    return ll;
}

/* deterministic pseudo-data */
static double u01(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffff) / 65536.0;
}

enum { N = 46, K = 2, G = 5 };
static double X[N * K], Y[N];
static size_t GRP[N];

static void make_groups(void)
{
    /* sizes 6, 8, 10, 12, 10; events 1, 3, 7 (of 10: complement), 5, 0 */
    static const size_t size[G] = {6, 8, 10, 12, 10}, ev[G] = {1, 3, 7, 5, 0};
    unsigned s = 7;
    size_t i = 0;
    for (size_t q = 0; q < G; q++)
        for (size_t a = 0; a < size[q]; a++, i++) {
            GRP[i] = q;
            X[i] = u01(&s) * 2 - 1 + 0.1 * (double)q;
            X[N + i] = (u01(&s) < 0.4) + 0.5 * (double)q;
            Y[i] = a < ev[q];
        }
}

static df_design mk(double *x, double *y, size_t n, size_t k)
{
    df_design d;
    memset(&d, 0, sizeof d);
    d.n = n;
    d.k = k;
    d.X = x;
    d.y = y;
    return d;
}

static void test_clogit_vs_enumeration(void)
{
    make_groups();
    df_design d = mk(X, Y, N, K);
    df_newton_opts o;
    df_newton_defaults(&o);
    df_clogit_fit f;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(df_clogit(&d, GRP, G, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 1);
    /* the maximum: enumerated log likelihood agrees and does not rise in
     * any direction */
    double ll = enum_total(&d, GRP, G, f.beta);
    TU_ASSERT_LRE(f.loglik, ll, 12);
    double h = 1e-4;
    for (size_t j = 0; j < K; j++) {
        double b2[K];
        memcpy(b2, f.beta, sizeof b2);
        b2[j] += h;
        double up = enum_total(&d, GRP, G, b2);
        b2[j] -= 2 * h;
        double dn = enum_total(&d, GRP, G, b2);
        CU_ASSERT(up < ll && dn < ll);
        /* curvature: -(up - 2 ll + dn) / h^2 = info_jj to O(h^2) */
        double c = -(up - 2 * ll + dn) / (h * h);
        TU_ASSERT_LRE(f.info[j * K + j], c, 6);
    }
    /* the off-diagonal information by a mixed difference */
    double bpp[K] = {f.beta[0] + h, f.beta[1] + h}, bpm[K] = {f.beta[0] + h, f.beta[1] - h},
           bmp[K] = {f.beta[0] - h, f.beta[1] + h}, bmm[K] = {f.beta[0] - h, f.beta[1] - h};
    double c01 = -(enum_total(&d, GRP, G, bpp) - enum_total(&d, GRP, G, bpm) -
                   enum_total(&d, GRP, G, bmp) + enum_total(&d, GRP, G, bmm)) / (4 * h * h);
    TU_ASSERT_LRE(f.info[1], c01, 6);
    TU_ASSERT_LRE(f.info[K], c01, 6);
    /* group scores: central differences of each group's enumerated term;
     * they sum to ~0 at the maximum; the all-0 group scores 0 */
    size_t rows[NMAX];
    for (size_t q = 0; q < G; q++) {
        size_t m = 0;
        for (size_t i = 0; i < N; i++) if (GRP[i] == q) rows[m++] = i;
        for (size_t j = 0; j < K; j++) {
            double b2[K];
            memcpy(b2, f.beta, sizeof b2);
            b2[j] += 1e-5;
            double up = enum_ll(X, N, K, Y, rows, m, b2);
            b2[j] -= 2e-5;
            double dn = enum_ll(X, N, K, Y, rows, m, b2);
            double s = (up - dn) / 2e-5;
            CU_ASSERT(fabs(f.S[j * G + q] - s) < 1e-7 * (1 + fabs(s)));
        }
    }
    CU_ASSERT_EQUAL(f.S[0 * G + 4], 0);
    CU_ASSERT(fabs(f.S[0] + f.S[1] + f.S[2] + f.S[3]) < 1e-9);
    /* loglik0 = -sum log C(n_g, d_g) over groups with variation */
    double l0 = -(log(6) + log(56) + log(120) + log(792));
    TU_ASSERT_LRE(f.loglik0, l0, 13);
    df_clogit_fit_free(&f);
}

/* Pairs with one event: the conditional likelihood of a pair is
 * expit((x_event - x_other)'b), a logit without intercept on differences. */
static void test_pairs_equal_logit_on_differences(void)
{
    enum { P = 40 };
    double x[2 * P * 2], y[2 * P], dx[P * 2], dy[P];
    size_t g[2 * P];
    unsigned s = 99;
    for (size_t p = 0; p < P; p++) {
        for (int a = 0; a < 2; a++) {
            size_t i = 2 * p + (size_t)a;
            g[i] = p;
            x[i] = u01(&s) * 3;
            x[2 * P + i] = u01(&s) - 0.5;
        }
        int first = u01(&s) < 0.5 + 0.3 * (x[2 * p] - x[2 * p + 1]) / 3;
        y[2 * p] = first;
        y[2 * p + 1] = !first;
        /* difference event minus other, response 1 */
        size_t e = first ? 2 * p : 2 * p + 1, o = first ? 2 * p + 1 : 2 * p;
        /* alternate the sign so the logit has both outcomes */
        double sg = p % 2 ? 1 : -1;
        dx[p] = sg * (x[e] - x[o]);
        dx[P + p] = sg * (x[2 * P + e] - x[2 * P + o]);
        dy[p] = p % 2 ? 1 : 0;
    }
    df_design d = mk(x, y, 2 * P, 2), dd = mk(dx, dy, P, 2);
    df_newton_opts o;
    df_newton_defaults(&o);
    df_clogit_fit f;
    df_glm_fit gl;
    df_glm_opts go;
    memset(&go, 0, sizeof go);
    memset(&gl, 0, sizeof gl);
    go.link = DF_LINK_LOGIT;
    df_newton_defaults(&go.newton);
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(df_clogit(&d, g, P, &o, &f, &err), 0);
    CU_ASSERT_EQUAL_FATAL(df_glm(&dd, &go, &gl, &err), 0);
    for (size_t j = 0; j < 2; j++) {
        TU_ASSERT_LRE(f.beta[j], gl.beta[j], 10);
        for (size_t l = 0; l < 2; l++) TU_ASSERT_LRE(f.info[j * 2 + l], gl.info[j * 2 + l], 10);
    }
    TU_ASSERT_LRE(f.loglik, gl.loglik, 12);
    df_clogit_fit_free(&f);
    df_glm_fit_free(&gl);
}

/* felogit = logit on X plus the dummies (glm, no intercept; for two
 * factors the first level of the second factor omitted). */
static void felogit_vs_dummies(int two)
{
    enum { M = 120, A = 12, B = 5 };
    double x[M * 2], y[M];
    size_t f1[M], f2[M];
    unsigned s = 4242;
    for (size_t i = 0; i < M; i++) {
        f1[i] = i % A;
        f2[i] = (i / A) % B;
        x[i] = u01(&s) * 2 - 1;
        x[M + i] = u01(&s) + 0.1 * (double)f1[i];
        double eta = 0.3 * ((double)f1[i] - 5) / 3 + 0.2 * (double)f2[i] - 0.4 + x[i] - 0.8 * x[M + i];
        y[i] = u01(&s) < 1 / (1 + exp(-eta));
    }
    /* make sure every level varies */
    for (size_t a = 0; a < A; a++) { y[a] = 1; y[A + a] = 0; }
    size_t kd = 2 + A + (two ? B - 1 : 0);
    double *Xd = calloc(M * kd, sizeof *Xd);
    for (size_t i = 0; i < M; i++) {
        Xd[i] = x[i];
        Xd[M + i] = x[M + i];
        Xd[(2 + f1[i]) * M + i] = 1;
        if (two && f2[i] > 0) Xd[(2 + A + f2[i] - 1) * M + i] = 1;
    }
    df_design d = mk(x, y, M, 2), dd = mk(Xd, y, M, kd);
    df_newton_opts o;
    df_newton_defaults(&o);
    df_felogit_fit f;
    df_glm_fit gl;
    df_glm_opts go;
    memset(&go, 0, sizeof go);
    memset(&gl, 0, sizeof gl);
    go.link = DF_LINK_LOGIT;
    df_newton_defaults(&go.newton);
    go.newton.tol = 1e-14;
    dyadfit_error err;
    const size_t *fe[2] = {f1, two ? f2 : NULL};
    size_t nl[2] = {A, two ? B : 0};
    CU_ASSERT_EQUAL_FATAL(df_felogit(&d, fe, nl, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 1);
    CU_ASSERT_EQUAL(f.nfe, A + (two ? B - 1 : 0));
    CU_ASSERT_EQUAL_FATAL(df_glm(&dd, &go, &gl, &err), 0);
    double *Vi = malloc(kd * kd * sizeof *Vi), *Vf = malloc(4 * sizeof *Vf);
    CU_ASSERT_EQUAL_FATAL(df_spd_inverse(gl.info, kd, Vi), 0);
    CU_ASSERT_EQUAL_FATAL(df_spd_inverse(f.info, 2, Vf), 0);
    for (size_t j = 0; j < 2; j++) {
        TU_ASSERT_LRE(f.beta[j], gl.beta[j], 10);
        for (size_t l = 0; l < 2; l++) TU_ASSERT_LRE(Vf[j * 2 + l], Vi[j * kd + l], 10);
    }
    TU_ASSERT_LRE(f.loglik, gl.loglik, 12);
    /* the scores sum to ~0 at the maximum */
    for (size_t j = 0; j < 2; j++) {
        double t = 0;
        for (size_t i = 0; i < M; i++) t += f.S[j * M + i];
        CU_ASSERT(fabs(t) < 1e-9);
    }
    free(Xd);
    free(Vi);
    free(Vf);
    df_felogit_fit_free(&f);
    df_glm_fit_free(&gl);
}

static void test_felogit_oneway(void) { felogit_vs_dummies(0); }
static void test_felogit_twoway(void) { felogit_vs_dummies(1); }

/* 200 rows, 100 events: B(200, 100) ~ 9e58 before scaling by the largest
 * r; with x up to 30 the terms span e^-60 .. 1. Finite, converged, and the
 * group score sums to ~0. */
static void test_large_group(void)
{
    enum { M = 400 };
    double x[M], y[M];
    size_t g[M];
    unsigned s = 3;
    for (size_t i = 0; i < M; i++) {
        g[i] = i / 200;
        x[i] = 30 * u01(&s);
        y[i] = u01(&s) < 0.5 + 0.01 * (x[i] - 15);
    }
    df_design d = mk(x, y, M, 1);
    df_newton_opts o;
    df_newton_defaults(&o);
    df_clogit_fit f;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(df_clogit(&d, g, 2, &o, &f, &err), 0);
    CU_ASSERT_EQUAL(f.converged, 1);
    CU_ASSERT(isfinite(f.loglik) && isfinite(f.beta[0]) && f.info[0] > 0);
    CU_ASSERT(fabs(f.S[0] + f.S[1]) < 1e-8 * (fabs(f.S[0]) + 1));
    CU_ASSERT(f.loglik > f.loglik0);
    df_clogit_fit_free(&f);
}

int main(void)
{
    static const tu_test tests[] = {
        {"clogit vs subset enumeration (1, 3, 7 of 10, 5 events)", test_clogit_vs_enumeration},
        {"clogit on pairs = logit on differences", test_pairs_equal_logit_on_differences},
        {"felogit one factor = glm with dummies", test_felogit_oneway},
        {"felogit two factors = glm with dummies", test_felogit_twoway},
        {"clogit large group (200 rows, ~100 events)", test_large_group},
        {NULL, NULL}};
    return tu_run("clogit", tests);
}
