/* test_separation.c -- Stata-style perfect prediction check. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "fit/fit.h"

#define N 40

static double X[N * 3], y[N];
static char *terms[] = {"(Intercept)", "defense", "gdp"};

/* defense: dummy; gdp: continuous; outcome varies with gdp */
static void design(df_design *d)
{
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < N; i++) {
        X[i] = 1;
        X[N + i] = i % 5 == 0;               /* defense */
        X[2 * N + i] = sin(1.7 * (double)i); /* gdp */
        y[i] = (i % 5 != 0) && (cos(2.3 * (double)i) > 0);
    }
    d->n = N;
    d->k = 3;
    d->X = X;
    d->y = y;
    d->terms = terms;
    d->intercept = 1;
}

static void test_dummy_predicts_failure(void)
{
    df_design d;
    unsigned char dc[3], dr[N];
    char rep[256];
    design(&d);
    size_t np = df_separation_check(&d, dc, dr, rep, sizeof rep);
    CU_ASSERT_EQUAL(np, 1);
    CU_ASSERT_STRING_EQUAL(rep, "defense != 0 predicts failure perfectly");
    CU_ASSERT(dc[0] == 0 && dc[1] == 1 && dc[2] == 0);
    size_t nd = 0;
    for (size_t i = 0; i < N; i++) {
        nd += dr[i];
        CU_ASSERT_EQUAL(dr[i], i % 5 == 0);
    }
    CU_ASSERT_EQUAL(nd, 8);
}

static void test_dummy_zero_predicts_success(void)
{
    df_design d;
    unsigned char dc[3], dr[N];
    char rep[256];
    design(&d);
    /* rows with defense == 0 all succeed, defense == 1 rows vary */
    for (size_t i = 0; i < N; i++)
        y[i] = X[N + i] == 0 ? 1 : (i % 10 == 0);
    size_t np = df_separation_check(&d, dc, dr, rep, sizeof rep);
    CU_ASSERT_EQUAL(np, 1);
    CU_ASSERT_STRING_EQUAL(rep, "defense == 0 predicts success perfectly");
    CU_ASSERT_EQUAL(dc[1], 1);
    CU_ASSERT_EQUAL(dr[1], 1);
    CU_ASSERT_EQUAL(dr[0], 0);
}

static void test_continuous_complete(void)
{
    df_design d;
    unsigned char dc[3], dr[N];
    char rep[256];
    design(&d);
    for (size_t i = 0; i < N; i++) {
        X[2 * N + i] = (double)i * 0.5;
        y[i] = i > 20; /* largest x among failures: 10 */
    }
    size_t np = df_separation_check(&d, dc, dr, rep, sizeof rep);
    CU_ASSERT_EQUAL(np, 1);
    CU_ASSERT_STRING_EQUAL(rep, "outcome = gdp > 10 predicts data perfectly");
    CU_ASSERT_EQUAL(dc[2], 1);
    CU_ASSERT(dr[0] == 1 && dr[N - 1] == 1);

    for (size_t i = 0; i < N; i++) y[i] = i < 7; /* small gdp succeeds */
    np = df_separation_check(&d, dc, dr, rep, sizeof rep);
    CU_ASSERT_EQUAL(np, 1);
    CU_ASSERT_STRING_EQUAL(rep, "outcome = gdp < 3.5 predicts data perfectly");
}

static void test_clean_and_weights(void)
{
    df_design d;
    unsigned char dc[3], dr[N];
    double w[N];
    char rep[64];
    design(&d);
    y[0] = 1; /* one defense row succeeds: no longer perfect */
    CU_ASSERT_EQUAL(df_separation_check(&d, dc, dr, rep, sizeof rep), 0);
    CU_ASSERT_STRING_EQUAL(rep, "");
    CU_ASSERT(dc[1] == 0 && dr[0] == 0);
    /* ... unless that row has weight 0 */
    for (size_t i = 0; i < N; i++) w[i] = 1;
    w[0] = 0;
    d.w = w;
    CU_ASSERT_EQUAL(df_separation_check(&d, dc, dr, rep, sizeof rep), 1);
    CU_ASSERT_STRING_EQUAL(rep, "defense != 0 predicts failure perfectly");
}

/* two problems, a report buffer too small: truncated, terminated, "..." */
static void test_report_truncation(void)
{
    df_design d;
    unsigned char dc[3];
    char rep[300], small[20];
    design(&d);
    X[2 * N + 0] = 0; /* gdp two-valued: 0 or 3 */
    for (size_t i = 0; i < N; i++) X[2 * N + i] = (i % 2) * 3.0;
    for (size_t i = 0; i < N; i++)
        if (i % 5 != 0) y[i] = (i % 2 == 0) ? 0 : (i % 3 == 0);
    /* defense != 0 fails; among the rest gdp == 0 fails */
    size_t np = df_separation_check(&d, dc, NULL, rep, sizeof rep);
    CU_ASSERT_EQUAL(np, 2);
    CU_ASSERT_STRING_EQUAL(rep, "defense != 0 predicts failure perfectly\n"
                                "gdp == 0 predicts failure perfectly");
    memset(small, 'x', sizeof small);
    np = df_separation_check(&d, NULL, NULL, small, sizeof small);
    CU_ASSERT_EQUAL(np, 2);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
    CU_ASSERT_STRING_EQUAL(small + sizeof small - 4, "...");
    CU_ASSERT_EQUAL(df_separation_check(&d, NULL, NULL, NULL, 0), 2);
}

int main(void)
{
    static const tu_test tests[] = {
        {"dummy predicts failure", test_dummy_predicts_failure},
        {"dummy == 0 predicts success", test_dummy_zero_predicts_success},
        {"continuous complete separation", test_continuous_complete},
        {"no separation; zero weights ignored", test_clean_and_weights},
        {"report truncation", test_report_truncation},
        {NULL, NULL}};
    return tu_run("separation", tests);
}
