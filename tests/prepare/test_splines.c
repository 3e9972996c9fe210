/*
 * test_splines.c -- duration spline bases (src/prepare/splines.c).
 *
 * Reference values: tests/reference/unit_prepare.R. ns bases are R's own
 * splines::ns (R 4.2) on 200 skewed durations (ties, a long tail, some
 * non-integers): df = 1, 2, 3, 5, 8 (quantile knots), knots 1, 4, 7;
 * fixed boundary with x outside it and NA; a quantile knot on the boundary.
 * Required agreement: LRE >= 12 for every basis entry, >= 14 for knots.
 * btscs bases: the formula of Tucker's btscs.ado transcribed into R.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "prepare/prepare.h"
#include "testutil.h"
#include "ref_splines.h"

#define BASIS_LRE 12
#define KNOT_LRE 16

/* Lowest LRE over n values (NaN must match NaN). */
static double min_lre(const double *got, const double *want, size_t n)
{
    double m = 17;
    for (size_t i = 0; i < n; i++) {
        double l = tu_lre(got[i], want[i]);
        if (l < m) {
            m = l;
            if (l < BASIS_LRE)
                fprintf(stderr, "  entry %zu: got %.17g want %.17g\n", i, got[i], want[i]);
        }
    }
    return m;
}

static void check_df(int df, const double *rknots, const double *rbasis)
{
    double knots[8], bk[2], *basis = malloc(SPL_N * (size_t)df * sizeof *basis);
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(df_ns_quantile_knots(spl_x, SPL_N, df, NULL, knots, bk, &err), 0);
    for (int k = 0; k < df - 1; k++) TU_ASSERT_LRE(knots[k], rknots[k], KNOT_LRE);
    CU_ASSERT_EQUAL(df_ns_basis(spl_x, SPL_N, knots, (size_t)df - 1, bk, basis, &err), 0);
    double l = min_lre(basis, rbasis, SPL_N * (size_t)df);
    fprintf(stderr, "  ns df=%d: min LRE %.2f\n", df, l);
    CU_ASSERT(l >= BASIS_LRE);
    /* boundary NULL means range(x): the same numbers */
    CU_ASSERT_EQUAL(df_ns_basis(spl_x, SPL_N, knots, (size_t)df - 1, NULL, basis, &err), 0);
    CU_ASSERT(min_lre(basis, rbasis, SPL_N * (size_t)df) >= BASIS_LRE);
    free(basis);
}

static void test_ns_df(void)
{
    check_df(1, spl_df1_knots, spl_df1_basis);
    check_df(2, spl_df2_knots, spl_df2_basis);
    check_df(3, spl_df3_knots, spl_df3_basis);
    check_df(5, spl_df5_knots, spl_df5_basis);
    check_df(8, spl_df8_knots, spl_df8_basis);
}

static void test_ns_fixed_knots(void)
{
    double knots[3] = {1, 4, 7}, unsorted[3] = {7, 1, 4}, basis[SPL_N * 4];
    dyadfit_error err;
    CU_ASSERT_EQUAL(df_ns_basis(spl_x, SPL_N, knots, 3, NULL, basis, &err), 0);
    double l = min_lre(basis, spl_k147_basis, SPL_N * 4);
    fprintf(stderr, "  ns knots 1,4,7: min LRE %.2f\n", l);
    CU_ASSERT(l >= BASIS_LRE);
    /* R sorts the knots; so do we */
    CU_ASSERT_EQUAL(df_ns_basis(spl_x, SPL_N, unsorted, 3, NULL, basis, &err), 0);
    CU_ASSERT(min_lre(basis, spl_k147_basis, SPL_N * 4) >= BASIS_LRE);
}

static void test_ns_outside_boundary(void)
{
    double knots[3] = {2, 10, 20}, bk[2] = {1, 30}, basis[SPL_NEW_N * 4];
    dyadfit_error err;
    CU_ASSERT_EQUAL(df_ns_basis(spl_new_x, SPL_NEW_N, knots, 3, bk, basis, &err), 0);
    double l = min_lre(basis, spl_new_basis, SPL_NEW_N * 4);
    fprintf(stderr, "  ns extrapolation: min LRE %.2f\n", l);
    CU_ASSERT(l >= BASIS_LRE);
    /* boundary given in reverse order is sorted, as R does */
    bk[0] = 30;
    bk[1] = 1;
    CU_ASSERT_EQUAL(df_ns_basis(spl_new_x, SPL_NEW_N, knots, 3, bk, basis, &err), 0);
    CU_ASSERT(min_lre(basis, spl_new_basis, SPL_NEW_N * 4) >= BASIS_LRE);
}

static void test_ns_knot_on_boundary(void)
{
    double knots[2], bk[2], basis[SPL_Z_N * 3];
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(df_ns_quantile_knots(spl_z_x, SPL_Z_N, 3, NULL, knots, bk, &err), 0);
    TU_ASSERT_LRE(knots[0], spl_z_knots[0], KNOT_LRE);
    TU_ASSERT_LRE(knots[1], spl_z_knots[1], KNOT_LRE);
    CU_ASSERT_EQUAL(knots[0], 0);  /* the case this test is about */
    CU_ASSERT_EQUAL(df_ns_basis(spl_z_x, SPL_Z_N, knots, 2, bk, basis, &err), 0);
    double l = min_lre(basis, spl_z_basis, SPL_Z_N * 3);
    fprintf(stderr, "  ns knot on boundary: min LRE %.2f\n", l);
    CU_ASSERT(l >= BASIS_LRE);
}

/* Properties that hold whatever R says: a natural spline is linear beyond
 * the boundary and every basis function is 0 at the left boundary. */
static void test_ns_properties(void)
{
    double knots[2] = {3, 6}, bk[2] = {0, 10};
    double x[4] = {10, 11, 12, 0}, b[12];
    dyadfit_error err;
    CU_ASSERT_EQUAL(df_ns_basis(x, 4, knots, 2, bk, b, &err), 0);
    for (int j = 0; j < 3; j++) {
        TU_ASSERT_LRE(b[j * 4 + 2] - b[j * 4 + 1], b[j * 4 + 1] - b[j * 4 + 0], 12);
        CU_ASSERT(fabs(b[j * 4 + 3]) < 1e-15);
    }
}

static void test_btscs_spline(void)
{
    double knots[3] = {1, 4, 7}, nk3[3], basis[SPL_N * 3], bnew[SPL_NEW_N * 3];
    double k2[3] = {2, 10, 20}, range[2] = {1, 30};
    dyadfit_error err;
    CU_ASSERT_EQUAL(df_btscs_spline(spl_x, SPL_N, knots, 3, NULL, basis, &err), 0);
    double l = min_lre(basis, spl_btscs147, SPL_N * 3);
    fprintf(stderr, "  btscs lspline(1 4 7): min LRE %.2f\n", l);
    CU_ASSERT(l >= BASIS_LRE);
    CU_ASSERT_EQUAL(df_btscs_spline_knots(spl_x, SPL_N, 3, nk3, &err), 0);
    for (int k = 0; k < 3; k++) CU_ASSERT_EQUAL(nk3[k], spl_btscs_nk3_knots[k]);
    CU_ASSERT_EQUAL(df_btscs_spline(spl_x, SPL_N, nk3, 3, NULL, basis, &err), 0);
    CU_ASSERT(min_lre(basis, spl_btscs_nk3, SPL_N * 3) >= BASIS_LRE);
    CU_ASSERT_EQUAL(df_btscs_spline(spl_new_x, SPL_NEW_N, k2, 3, range, bnew, &err), 0);
    CU_ASSERT(min_lre(bnew, spl_btscs_new, SPL_NEW_N * 3) >= BASIS_LRE);
    /* nspline(3) on 10 values: X[int(2.5+.5)], X[int(5+.5)], X[int(7.5+.5)]
     * of the sorted 1..10 (given unsorted, with a NaN that is skipped) */
    double ten[11] = {10, 9, 8, NAN, 7, 6, 5, 4, 3, 2, 1};
    CU_ASSERT_EQUAL(df_btscs_spline_knots(ten, 11, 3, nk3, &err), 0);
    CU_ASSERT(nk3[0] == 3 && nk3[1] == 5 && nk3[2] == 8);
    /* by hand: k0 = 0, kN = 10, knot 4, x = 6: -(6/10) 216 + 8 = -121.6 */
    double x6 = 6, xs[3] = {0, 10, 6}, k4 = 4, v;
    CU_ASSERT_EQUAL(df_btscs_spline(&x6, 1, &k4, 1, (double[2]){0, 10}, &v, &err), 0);
    TU_ASSERT_LRE(v, -121.6, 14);
    double v3[3];
    CU_ASSERT_EQUAL(df_btscs_spline(xs, 3, &k4, 1, NULL, v3, &err), 0);
    TU_ASSERT_LRE(v3[2], -121.6, 14);
}

/* ------------------------------------------------------------ bad input */

static void expect(int rc, dyadfit_error *err, int code, const char *frag)
{
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(err->code, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, frag));
    if (!strstr(err->message, frag)) fprintf(stderr, "  message: %s\n", err->message);
}

static void test_bad_input(void)
{
    double x[5] = {0, 1, 2, 5, 9}, knots[4] = {1, 12, 3, -1}, bk[2] = {0, 9};
    double out[5 * 8], nanx[2] = {NAN, NAN};
    dyadfit_error err;
    expect(df_ns_basis(x, 5, knots, 2, bk, out, &err), &err, DYADFIT_ERR_SPEC,
           "knot 2 (12) is outside the boundary [0, 9]");
    expect(df_ns_basis(x, 5, knots + 3, 1, NULL, out, &err), &err, DYADFIT_ERR_SPEC,
           "knot 1 (-1) is outside");
    double nanknot = NAN;
    expect(df_ns_basis(x, 5, &nanknot, 1, NULL, out, &err), &err, DYADFIT_ERR_SPEC,
           "knot 1 (nan) is outside");
    expect(df_ns_quantile_knots(x, 5, 0, NULL, knots, NULL, &err), &err, DYADFIT_ERR_SPEC,
           "df = 0; it must be at least 1");
    expect(df_ns_quantile_knots(x, 5, -3, NULL, knots, NULL, &err), &err, DYADFIT_ERR_SPEC,
           "df = -3");
    bk[1] = 0;
    expect(df_ns_basis(x, 5, NULL, 0, bk, out, &err), &err, DYADFIT_ERR_SPEC,
           "boundary knots (0, 0) must be finite and increasing");
    double same[3] = {4, 4, 4};
    expect(df_ns_basis(same, 3, NULL, 0, NULL, out, &err), &err, DYADFIT_ERR_SPEC,
           "boundary knots (4, 4)");
    expect(df_ns_basis(nanx, 2, NULL, 0, NULL, out, &err), &err, DYADFIT_ERR_DATA,
           "no non-missing values");
    expect(df_ns_quantile_knots(x, 5, 3, (double[2]){20, 30}, knots, NULL, &err), &err,
           DYADFIT_ERR_DATA, "no values inside the boundary");
    expect(df_btscs_spline(x, 5, knots, 2, NULL, out, &err), &err, DYADFIT_ERR_SPEC,
           "knot 2 (12) is outside the range [0, 9]");
    expect(df_btscs_spline_knots(x, 5, 0, knots, &err), &err, DYADFIT_ERR_SPEC,
           "0 knots");
    expect(df_btscs_spline_knots(x, 2, 1, knots, &err), &err, DYADFIT_ERR_DATA,
           "2 non-missing values; btscs needs at least 3");
    /* 3 values, 9 knots: Stata would index X[0] */
    expect(df_btscs_spline_knots(x, 3, 9, knots, &err), &err, DYADFIT_ERR_DATA,
           "knot 1 has no observation");
}

static void test_nan_rows(void)
{
    double x[4] = {0, NAN, 5, 9}, knots[1] = {4}, b[8], bb[4];
    dyadfit_error err;
    CU_ASSERT_EQUAL(df_ns_basis(x, 4, knots, 1, NULL, b, &err), 0);
    CU_ASSERT(isnan(b[1]) && isnan(b[5]));
    CU_ASSERT(!isnan(b[0]) && !isnan(b[6]));
    CU_ASSERT_EQUAL(df_btscs_spline(x, 4, knots, 1, NULL, bb, &err), 0);
    CU_ASSERT(isnan(bb[1]) && !isnan(bb[2]));
}

int main(void)
{
    static const tu_test tests[] = {
        {"ns(x, df) vs R", test_ns_df},
        {"ns(x, knots = c(1,4,7)) vs R", test_ns_fixed_knots},
        {"ns with fixed boundary, extrapolation, NA", test_ns_outside_boundary},
        {"ns quantile knot on the boundary", test_ns_knot_on_boundary},
        {"ns linear beyond the boundary", test_ns_properties},
        {"btscs cubic splines", test_btscs_spline},
        {"NaN rows", test_nan_rows},
        {"bad input", test_bad_input},
        {NULL, NULL}};
    return tu_run("prepare_splines", tests);
}
