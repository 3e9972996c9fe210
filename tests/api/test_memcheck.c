/*
 * test_memcheck.c -- the memory estimate made before a design matrix is
 * allocated (src/design/memcheck.c): 8 n (k + 8) bytes against
 * DYADFIT_MEM_LIMIT (set here, so nothing large is allocated). A fit one
 * byte over the limit is refused with DYADFIT_ERR_SYSTEM naming the rows,
 * columns, estimate and limit; at the limit it runs. Covered: a table fit
 * (factor columns counted), a Cox design, and dyadfit_fit_matrix.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"

#define N 1000
#define NLEV 50      /* factor(f): 49 columns with the intercept */

static dyadfit_table *table(void)
{
    static double y[N], x[N], f[N], t[N];
    dyadfit_table *tab = NULL;
    dyadfit_error e;
    uint32_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (double)(s >> 8) / 16777216.0 - 0.5;
        f[i] = (double)(i % NLEV);
        y[i] = (double)((s >> 20) & 1);
        t[i] = 1 + (double)(i % 17);
    }
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(N, &tab, &e), 0);
    dyadfit_table_add_numeric(tab, "y", y, &e);
    dyadfit_table_add_numeric(tab, "x", x, &e);
    dyadfit_table_add_numeric(tab, "f", f, &e);
    dyadfit_table_add_numeric(tab, "t", t, &e);
    return tab;
}

static void set_limit(double bytes)
{
    char b[64];
    snprintf(b, sizeof b, "%.0f", bytes);
    setenv("DYADFIT_MEM_LIMIT", b, 1);
}

/* Fits with the limit one byte below `need`, then at it. */
static void expect_limit(const dyadfit_table *tab, dyadfit_estimator est,
                         const char *formula, double need, const char *msg)
{
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error e = {0, ""};
    dyadfit_model_init(&m);
    m.estimator = est;
    m.formula = formula;
    set_limit(need - 1);
    CU_ASSERT_EQUAL(dyadfit_fit(tab, &m, &r, &e), DYADFIT_ERR_SYSTEM);
    CU_ASSERT_PTR_NULL(r);
    if (!strstr(e.message, msg)) fprintf(stderr, "\n  message: %s", e.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, msg));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "(DYADFIT_MEM_LIMIT)"));
    set_limit(need);
    int rc = dyadfit_fit(tab, &m, &r, &e);
    if (rc) fprintf(stderr, "\n  at the limit: %s", e.message);
    CU_ASSERT_EQUAL(rc, 0);
    dyadfit_result_free(r);
    unsetenv("DYADFIT_MEM_LIMIT");
}

static void test_table(void)
{
    dyadfit_table *tab = table();
    /* 1 + 1 + 49 columns: 8 * 1000 * (51 + 8) = 472000 bytes = 460.9 KB */
    expect_limit(tab, DYADFIT_LOGIT, "y ~ x + factor(f)", 472000,
                 "the design matrix (1000 rows x 51 columns) and the fit's working "
                 "arrays need about 460.9 KB, but only 460.9 KB is allowed");
    /* an interaction: 1 + 1 + 49 + 49 columns */
    expect_limit(tab, DYADFIT_PROBIT, "y ~ x * factor(f)", 8.0 * N * (100 + 8),
                 "(1000 rows x 100 columns)");
    /* Cox: the design has model.matrix's columns (intercept removed after) */
    expect_limit(tab, DYADFIT_COX, "Surv(t, y) ~ x + factor(f)", 472000,
                 "(1000 rows x 51 columns)");
    dyadfit_table_free(tab);
}

static void test_no_limit(void)
{
    /* without the variable the check uses MemAvailable: a small fit runs */
    dyadfit_table *tab = table();
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error e = {0, ""};
    unsetenv("DYADFIT_MEM_LIMIT");
    dyadfit_model_init(&m);
    m.formula = "y ~ x + factor(f)";
    CU_ASSERT_EQUAL(dyadfit_fit(tab, &m, &r, &e), 0);
    dyadfit_result_free(r);
    /* a value that is not a positive number is ignored */
    setenv("DYADFIT_MEM_LIMIT", "lots", 1);
    CU_ASSERT_EQUAL(dyadfit_fit(tab, &m, &r, &e), 0);
    dyadfit_result_free(r);
    unsetenv("DYADFIT_MEM_LIMIT");
    dyadfit_table_free(tab);
}

static void test_matrix(void)
{
    static double X[3 * N], y[N];
    static const char *const terms[3] = {"(Intercept)", "a", "b"};
    for (size_t i = 0; i < N; i++) {
        X[i] = 1;
        X[N + i] = (double)(i % 7);
        X[2 * N + i] = (double)((i * 13) % 11);
        y[i] = (double)((i * 7) % 3 == 0);
    }
    dyadfit_matrix x;
    memset(&x, 0, sizeof x);
    x.n = N;
    x.k = 3;
    x.X = X;
    x.terms = terms;
    x.y = y;
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error e = {0, ""};
    dyadfit_model_init(&m);
    set_limit(8.0 * N * 11 - 1);
    CU_ASSERT_EQUAL(dyadfit_fit_matrix(&x, &m, &r, &e), DYADFIT_ERR_SYSTEM);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "(1000 rows x 3 columns)"));
    set_limit(8.0 * N * 11);
    CU_ASSERT_EQUAL(dyadfit_fit_matrix(&x, &m, &r, &e), 0);
    dyadfit_result_free(r);
    unsetenv("DYADFIT_MEM_LIMIT");
}

int main(void)
{
    static const tu_test tests[] = {
        {"limit: table fits (factors, interaction, Cox)", test_table},
        {"no limit or a bad value: MemAvailable", test_no_limit},
        {"limit: dyadfit_fit_matrix", test_matrix},
        {NULL, NULL}};
    return tu_run("memcheck", tests);
}
