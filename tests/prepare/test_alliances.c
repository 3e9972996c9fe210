/*
 * test_alliances.c -- alliance measures (src/prepare/alliances.c).
 *
 * 1. A toy system computed by hand (docs/alliance_measures.md has the
 *    formulas): year 1 states 10 20 30 (30 without allies), state 40 enters
 *    in year 2 and is a defense ally of everyone through rows listed only
 *    from its side (asymmetric), a duplicate row and a row naming a state
 *    outside the system, year 3 with 30's capability missing. The same
 *    values are checked against the independent R implementation by
 *    tests/reference/alliances_reference.R. Integers and dyadic fractions
 *    are asserted exactly, thirds and sevenths at LRE >= 15.
 * 2. Real data: every dyad of data/leeds_dyads.csv in 1950, 1980 and 2000
 *    against tests/data/alliances/ref_leeds.csv (the R implementation on
 *    data/atop_dyadyear.csv and data/cow_nmc.csv), LRE >= 12.
 * 3. Timing: all dyads of data/leeds_dyads.csv (1946-2010) and every
 *    directed pair of the COW system 1946-2010 (printed to stderr).
 * 4. Bad input: each error path, its code and its message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dyadfit.h"
#include "prepare/alliances.h"
#include "table/table.h"
#include "testutil.h"

#define NAN_ NAN

/* ------------------------------------------------------------ toy system */

enum { NCAP = 10, NALLY = 12, NDY = 10 };
static const double cap_cc[NCAP] = { 10, 20, 30, 10, 20, 30, 40, 10, 20, 30 };
static const double cap_yr[NCAP] = { 1, 1, 1, 2, 2, 2, 2, 3, 3, 3 };
static const double cap_ci[NCAP] = { 0.5, 0.25, 0.25, 0.375, 0.25, 0.25, 0.125,
                                     0.5, 0.25, NAN_ };
static const double cap_rg[NCAP] = { 1, 1, 1, 1, 1, 2, 2, 1, 1, 1 };

/* Rows: y1 10-20 defense+nonagg both ways; y2 10-20 consul both ways plus
 * a duplicate (10,20), 40 -> 10, 20, 30 defense (only from 40's side),
 * (10,50) with 50 outside the system; y3 10-30 defense both ways; y4 a row
 * in a year without dyads. */
static const double al_c1[NALLY] = { 10, 20, 10, 20, 10, 40, 40, 40, 10, 10, 30, 10 };
static const double al_c2[NALLY] = { 20, 10, 20, 10, 20, 10, 20, 30, 50, 30, 10, 20 };
static const double al_yr[NALLY] = { 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 4 };
static const double al_def[NALLY] = { 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1 };
static const double al_zero[NALLY] = { 0 };
static const double al_nag[NALLY] = { 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const double al_con[NALLY] = { 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0 };

static const double dy_c1[NDY] = { 10, 20, 10, 30, 10, 40, 30, 10, 10, 20 };
static const double dy_c2[NDY] = { 20, 10, 30, 20, 20, 30, 10, 50, 20, 30 };
static const double dy_yr[NDY] = { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3 };

static dyadfit_table *num_table(size_t n, const char *const *names,
                                const double *const *cols, size_t k)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(n, &t, &err), 0);
    for (size_t j = 0; j < k; j++)
        CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, names[j], cols[j], &err), 0);
    return t;
}

typedef struct { dyadfit_table *dy, *al, *cap; } toy;

static toy toy_make(void)
{
    static const char *const dn[] = { "ccode1", "ccode2", "year" };
    static const char *const an[] = { "ccode1", "ccode2", "year", "defense",
                                      "offense", "neutrality", "nonagg", "consul" };
    static const char *const cn[] = { "ccode", "year", "cinc", "region" };
    const double *dc[] = { dy_c1, dy_c2, dy_yr };
    const double *ac[] = { al_c1, al_c2, al_yr, al_def, al_zero, al_zero, al_nag, al_con };
    const double *cc[] = { cap_cc, cap_yr, cap_ci, cap_rg };
    toy t;
    t.dy = num_table(NDY, dn, dc, 3);
    t.al = num_table(NALLY, an, ac, 8);
    t.cap = num_table(NCAP, cn, cc, 4);
    return t;
}

static void toy_free(toy *t)
{
    dyadfit_table_free(t->dy);
    dyadfit_table_free(t->al);
    dyadfit_table_free(t->cap);
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Exact comparison (NaN equals NaN), or LRE >= 15 when lre is set. */
static void check_col(const df_alliance_result *r, const char *name,
                      const double *want, int lre)
{
    const double *got = df_alliance_column(r, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    for (size_t i = 0; i < r->n; i++) {
        int ok = same(got[i], want[i]);
        if (!ok && lre && !isnan(got[i]) && !isnan(want[i]))
            ok = tu_lre(got[i], want[i]) >= 15;
        if (!ok)
            fprintf(stderr, "  %s row %zu: got %.17g want %.17g\n", name, i + 1,
                    got[i], want[i]);
        CU_ASSERT(ok);
    }
}

static void test_toy(void)
{
    toy t = toy_make();
    df_alliance_opts o;
    df_alliance_result r;
    dyadfit_error err;
    df_alliance_opts_init(&o);
    o.cap_region = "region";
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(t.dy, t.al, t.cap, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(r.n, NDY);
    CU_ASSERT_EQUAL(r.ncol, 18);
    const double N = NAN_;
    /* dyads: y1 (10,20) (20,10) (10,30) (30,20); y2 (10,20) (40,30) (30,10)
     * (10,50 outside); y3 (10,20) (20,30) */
    static const double def[] = { 1, 1, 0, 0, 0, 1, 0, NAN_, 0, 0 };
    static const double nag[] = { 1, 1, 0, 0, 0, 0, 0, NAN_, 0, 0 };
    static const double con[] = { 0, 0, 0, 0, 1, 0, 0, NAN_, 0, 0 };
    static const double zer[] = { 0, 0, 0, 0, 0, 0, 0, NAN_, 0, 0 };
    static const double val[] = { 3, 3, 0, 0, 1, 3, 0, NAN_, 0, 0 };
    check_col(&r, "ally_defense", def, 0);
    check_col(&r, "ally_offense", zer, 0);
    check_col(&r, "ally_neutrality", zer, 0);
    check_col(&r, "ally_nonagg", nag, 0);
    check_col(&r, "ally_consul", con, 0);
    check_col(&r, "ally_value", val, 0);
    /* unweighted S: year 2 (10,20): |diff| = 2,2,0,0 -> d = 4/3, S = 1 -
     * 2(4/3)/4 = 1/3; (40,30): d = 2, S = 0; (30,10): d = 7/3, S = -1/6 */
    const double su[] = { 1, 1, -1, -1, 1.0 / 3, 0, -1.0 / 6, N, -1, -1 };
    /* weighted, year 2 w = .375 .25 .25 .125: (10,20) d = 1.25/3 -> 1/6;
     * (40,30) d = 1.875/3 -> -1/4; (30,10) d = 2.125/3 -> -5/12; year 3
     * has a missing cinc in the system: NaN */
    const double sw[] = { 1, 1, -1, -1, 1.0 / 6, -0.25, -5.0 / 12, N, N, N };
    /* regions in year 2: 10 20 -> 1, 30 40 -> 2; (10,20) over {10,20}:
     * d = 4/3, S = 1 - 2(4/3)/2 = -1/3, weighted d = 1.25/3 over 0.625;
     * (40,30) over {30,40}: identical rows, 1; (30,10) spans both: system */
    const double sur[] = { 1, 1, -1, -1, -1.0 / 3, 1, -1.0 / 6, N, -1, -1 };
    const double swr[] = { 1, 1, -1, -1, -1.0 / 3, 1, -5.0 / 12, N, N, N };
    /* tau-b, (10,20) in year 2: x = 3 1 0 3, y = 1 3 0 3: C = 3, D = 1,
     * one tie in x, one in y: 2/sqrt(5*5); (40,30): 40's portfolio is
     * constant: NaN; (30,10): x = 0 0 3 3, y = 3 1 0 3: C = 1, D = 2,
     * 2 ties in x, 1 in y: -1/sqrt(4*5) */
    const double tau[] = { 1, 1, -1, -1, 0.4, N, -1 / sqrt(20.0), N, -1, -1 };
    const double nd1[] = { 0, 0, 1, 0, 1, 2, 1, N, 1, 0 };
    const double cd1[] = { 0, 0, 0.25, 0, 0.125, 0.625, 0.125, N, N, 0 };
    const double nd2[] = { 0, 0, 0, 1, 1, 0, 1, N, 0, 1 };
    const double cd2[] = { 0, 0, 0, 0.5, 0.125, 0, 0.125, N, 0, 0.5 };
    /* (B + B's allies) / (A + A's allies + B + B's allies) */
    const double bal[] = { 0.25 / 0.75, 0.5 / 0.75, 0.25, 0.75, 0.375 / 0.875,
                           0.25, 0.5 / 0.875, N, N, N };
    const double shd[] = { 0, 0, 0, 0, 1, 0, 1, N, 0, 0 };
    check_col(&r, "s_unweighted", su, 1);
    check_col(&r, "s_weighted", sw, 1);
    check_col(&r, "s_unweighted_region", sur, 1);
    check_col(&r, "s_weighted_region", swr, 1);
    check_col(&r, "tau_b", tau, 1);
    check_col(&r, "n_def_allies1", nd1, 0);
    check_col(&r, "cap_def_allies1", cd1, 0);
    check_col(&r, "n_def_allies2", nd2, 0);
    check_col(&r, "cap_def_allies2", cd2, 0);
    check_col(&r, "cap_balance_allies", bal, 1);
    check_col(&r, "n_shared_def_allies", shd, 0);
    check_col(&r, "n_shared_allies", shd, 0);
    /* bookkeeping: 11 alliance rows in years 1-3 (the year-4 row is not
     * looked at), (10,50) outside, one duplicate, 40's three one-sided
     * rows; 30's missing cinc in year 3 */
    CU_ASSERT_EQUAL(r.n_years, 3);
    CU_ASSERT_EQUAL(r.n_dyads_outside, 1);
    CU_ASSERT_EQUAL(r.n_ally_rows, 11);
    CU_ASSERT_EQUAL(r.n_ally_outside, 1);
    CU_ASSERT_EQUAL(r.n_ally_duplicate, 1);
    CU_ASSERT_EQUAL(r.n_ally_asymmetric, 3);
    CU_ASSERT_EQUAL(r.n_cap_missing, 1);
    const double *sw_col = df_alliance_column(&r, "s_weighted");
    CU_ASSERT_PTR_NOT_NULL(sw_col);
    for (size_t j = 0; j < r.ncol; j++)
        if (strcmp(r.names[j], "s_weighted") == 0) CU_ASSERT_EQUAL(r.nmissing[j], 3);
    CU_ASSERT_PTR_NULL(df_alliance_column(&r, "no_such"));
    df_alliance_result_free(&r);
    toy_free(&t);
}

/* Options: no region, COW form (no offense column, consultation named
 * entente), no self tie, directed ties. */
static void test_toy_options(void)
{
    toy t = toy_make();
    df_alliance_opts o;
    df_alliance_result r;
    dyadfit_error err;

    /* without a region and without an offense column: 18 - 2 - 1 */
    df_alliance_opts_init(&o);
    o.type_col[DF_ALLY_OFFENSE] = NULL;
    o.type_col[DF_ALLY_CONSUL] = "nonagg";   /* any 0/1 column will do */
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(t.dy, t.al, t.cap, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(r.ncol, 15);
    CU_ASSERT_PTR_NULL(df_alliance_column(&r, "ally_offense"));
    CU_ASSERT_PTR_NULL(df_alliance_column(&r, "s_weighted_region"));
    CU_ASSERT_STRING_EQUAL(r.names[0], "ally_defense");
    CU_ASSERT_STRING_EQUAL(r.names[r.ncol - 1], "n_shared_allies");
    /* consul now read from nonagg: year 2 10-20 has no tie at all, so
     * (10,20) in year 2: x = 3 0 0 3, y = 0 3 0 3 -> d = 2, S = 0 */
    const double *su = df_alliance_column(&r, "s_unweighted");
    CU_ASSERT_PTR_NOT_NULL_FATAL(su);
    CU_ASSERT_EQUAL(su[4], 0.0);
    df_alliance_result_free(&r);

    /* no self tie: year 1 (10,30): x = 0 3 0, y = 0 0 0 -> d = 1, S = 1/3 */
    df_alliance_opts_init(&o);
    o.self_tie = 0;
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(t.dy, t.al, t.cap, &o, &r, &err), 0);
    su = df_alliance_column(&r, "s_unweighted");
    CU_ASSERT_PTR_NOT_NULL_FATAL(su);
    TU_ASSERT_LRE(su[2], 1.0 / 3, 15);
    /* (10,20): x = 0 3 0, y = 3 0 0 -> d = 2, S = -1/3 (1 with self ties) */
    TU_ASSERT_LRE(su[0], -1.0 / 3, 15);
    df_alliance_result_free(&r);

    /* directed: 40 obliged to 10 20 30, they not to 40. (40,30) in year 2:
     * x = 3 3 3 3, y = 0 0 3 0 -> d = 3, S = -1/2; 40's defense allies other
     * than 30 are 10 and 20, 30 has none; (30,10): y = 3 1 0 0, x = 0 0 3 0
     * -> d = 7/3, S = -1/6; neither lists a defense tie to a third state */
    df_alliance_opts_init(&o);
    o.directed = 1;
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(t.dy, t.al, t.cap, &o, &r, &err), 0);
    su = df_alliance_column(&r, "s_unweighted");
    const double *nd1 = df_alliance_column(&r, "n_def_allies1");
    const double *nd2 = df_alliance_column(&r, "n_def_allies2");
    const double *def = df_alliance_column(&r, "ally_defense");
    CU_ASSERT_PTR_NOT_NULL_FATAL(su);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nd1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nd2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    CU_ASSERT_EQUAL(su[5], -0.5);
    CU_ASSERT_EQUAL(def[5], 1.0);
    CU_ASSERT_EQUAL(nd1[5], 2.0);
    CU_ASSERT_EQUAL(nd2[5], 0.0);
    TU_ASSERT_LRE(su[6], -1.0 / 6, 15);
    CU_ASSERT_EQUAL(nd1[6], 0.0);
    CU_ASSERT_EQUAL(nd2[6], 0.0);
    CU_ASSERT(isnan(su[7]));   /* outside the system */
    CU_ASSERT_EQUAL(r.n_ally_asymmetric, 3);   /* counted either way */
    df_alliance_result_free(&r);
    toy_free(&t);
}

/* ------------------------------------------------------------ real data */

static dyadfit_table *read_or_fail(const char *rel)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(tu_path(rel), NULL, &t, &err);
    if (rc) fprintf(stderr, "  %s: %s\n", rel, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return t;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static dyadfit_table *g_atop, *g_nmc;

static void load_real(void)
{
    if (!g_atop) g_atop = read_or_fail("data/atop_dyadyear.csv");
    if (!g_nmc) g_nmc = read_or_fail("data/cow_nmc.csv");
}

static void test_real_vs_r(void)
{
    load_real();
    dyadfit_table *ref = read_or_fail("tests/data/alliances/ref_leeds.csv");
    df_alliance_opts o;
    df_alliance_result r;
    dyadfit_error err;
    df_alliance_opts_init(&o);
    o.cap_region = "region";
    int rc = df_alliance_measures(ref, g_atop, g_nmc, &o, &r, &err);
    if (rc) fprintf(stderr, "  %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(r.n, 6714);
    CU_ASSERT_EQUAL(r.n_dyads_outside, 0);
    double minlre = 17;
    size_t nnan = 0;
    for (size_t j = 0; j < r.ncol; j++) {
        const double *got = r.values + j * r.n;
        const df_column *c = NULL;
        for (size_t k = 0; k < dyadfit_table_ncol(ref); k++)
            if (strcmp(dyadfit_table_colname(ref, k), r.names[j]) == 0)
                c = &ref->cols[k];
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        size_t bad = 0;
        for (size_t i = 0; i < r.n; i++) {
            double want = c->num[i];
            if (isnan(want) || isnan(got[i])) {
                nnan += isnan(want);
                if (!same(got[i], want) && bad++ < 3)
                    fprintf(stderr, "  %s row %zu: got %.17g want %.17g\n",
                            r.names[j], i + 1, got[i], want);
                CU_ASSERT(same(got[i], want));
                continue;
            }
            double l = tu_note_lre(r.names[j], got[i], want);
            if (l < minlre) minlre = l;
            if (l < 12 && bad++ < 3)
                fprintf(stderr, "  %s row %zu: got %.17g want %.17g\n",
                        r.names[j], i + 1, got[i], want);
            CU_ASSERT(l >= 12);
        }
    }
    fprintf(stderr, "\n  real data vs R: %zu dyad-years x %zu measures, min LRE "
            "%.1f, %zu NaN (tau-b of constant portfolios); alliance rows %zu, "
            "outside the system %zu, asymmetric %zu\n", r.n, r.ncol, minlre,
            nnan, r.n_ally_rows, r.n_ally_outside, r.n_ally_asymmetric);
    df_alliance_result_free(&r);
    dyadfit_table_free(ref);
}

static void test_timing(void)
{
    load_real();
    dyadfit_table *leeds = read_or_fail("data/leeds_dyads.csv");
    df_alliance_opts o;
    df_alliance_result r;
    dyadfit_error err;
    df_alliance_opts_init(&o);
    o.cap_region = "region";
    double t0 = now();
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(leeds, g_atop, g_nmc, &o, &r, &err), 0);
    double t1 = now();
    CU_ASSERT_EQUAL(r.n, dyadfit_table_nrow(leeds));
    CU_ASSERT_EQUAL(r.n_years, 65);
    CU_ASSERT_EQUAL(r.n_dyads_outside, 0);
    fprintf(stderr, "  timing: data/leeds_dyads.csv, %zu dyad-years 1946-2010: "
            "%.3f s\n", r.n, t1 - t0);
    df_alliance_result_free(&r);
    dyadfit_table_free(leeds);

    /* every directed pair of the system, 1946-2010 */
    const df_column *cc = NULL, *cy = NULL;
    for (size_t k = 0; k < g_nmc->ncol; k++) {
        if (strcmp(g_nmc->cols[k].name, "ccode") == 0) cc = &g_nmc->cols[k];
        if (strcmp(g_nmc->cols[k].name, "year") == 0) cy = &g_nmc->cols[k];
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(cc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cy);
    size_t n = 0;
    for (double y = 1946; y <= 2010; y++) {
        size_t m = 0;
        for (size_t i = 0; i < g_nmc->nrow; i++) m += cy->num[i] == y;
        n += m * (m - 1);
    }
    double *c1 = malloc(n * sizeof *c1), *c2 = malloc(n * sizeof *c2),
           *yr = malloc(n * sizeof *yr);
    CU_ASSERT_FATAL(c1 && c2 && yr);
    size_t p = 0;
    for (double y = 1946; y <= 2010; y++)
        for (size_t i = 0; i < g_nmc->nrow; i++) {
            if (cy->num[i] != y) continue;
            for (size_t j = 0; j < g_nmc->nrow; j++) {
                if (cy->num[j] != y || j == i) continue;
                c1[p] = cc->num[i]; c2[p] = cc->num[j]; yr[p] = y; p++;
            }
        }
    static const char *const dn[] = { "ccode1", "ccode2", "year" };
    const double *dc[] = { c1, c2, yr };
    dyadfit_table *all = num_table(n, dn, dc, 3);
    free(c1); free(c2); free(yr);
    t0 = now();
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(all, g_atop, g_nmc, &o, &r, &err), 0);
    t1 = now();
    CU_ASSERT_EQUAL(r.n_dyads_outside, 0);
    fprintf(stderr, "  timing: full COW system, %zu directed dyad-years "
            "1946-2010: %.3f s\n", n, t1 - t0);
    df_alliance_result_free(&r);
    dyadfit_table_free(all);
}

/* ------------------------------------------------------------ bad input */

static void expect_error(const toy *t, const df_alliance_opts *o, int code,
                         const char *needle)
{
    df_alliance_result r;
    dyadfit_error err;
    memset(&err, 0, sizeof err);
    int rc = df_alliance_measures(t->dy, t->al, t->cap, o, &r, &err);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(err.code, code);
    if (!strstr(err.message, needle))
        fprintf(stderr, "  message '%s' lacks '%s'\n", err.message, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
    CU_ASSERT_PTR_NULL(r.values);
    CU_ASSERT_EQUAL(r.n, 0);
}

/* A toy with one value of one column replaced. */
static toy toy_with(const char *which, const char *col, size_t row, double v)
{
    toy t = toy_make();
    dyadfit_table *tb = strcmp(which, "dy") == 0 ? t.dy
                      : strcmp(which, "al") == 0 ? t.al : t.cap;
    for (size_t k = 0; k < tb->ncol; k++)
        if (strcmp(tb->cols[k].name, col) == 0) tb->cols[k].num[row] = v;
    return t;
}

static void test_bad_options(void)
{
    toy t = toy_make();
    df_alliance_opts o;
    df_alliance_result r;
    dyadfit_error err;

    df_alliance_opts_init(&o);
    o.dyad_year = "yr";
    expect_error(&t, &o, DYADFIT_ERR_SPEC, "dyad table has no column 'yr'");
    df_alliance_opts_init(&o);
    o.cap_cinc = "CINC";
    expect_error(&t, &o, DYADFIT_ERR_SPEC, "capability table has no column 'CINC'");
    df_alliance_opts_init(&o);
    o.cap_region = "continent";
    expect_error(&t, &o, DYADFIT_ERR_SPEC, "no column 'continent' (region)");
    df_alliance_opts_init(&o);
    o.type_col[DF_ALLY_NEUTRALITY] = "neutral";
    expect_error(&t, &o, DYADFIT_ERR_SPEC, "alliance table has no column 'neutral'");
    df_alliance_opts_init(&o);
    o.type_value[DF_ALLY_NONAGG] = 10;
    expect_error(&t, &o, DYADFIT_ERR_USAGE, "value of type nonagg is 10");
    df_alliance_opts_init(&o);
    o.type_value[DF_ALLY_DEFENSE] = -1;
    expect_error(&t, &o, DYADFIT_ERR_USAGE, "value of type defense is -1");
    df_alliance_opts_init(&o);
    for (int k = 0; k < DF_ALLY_NTYPES; k++) o.type_col[k] = NULL;
    expect_error(&t, &o, DYADFIT_ERR_USAGE, "no alliance type column");
    df_alliance_opts_init(&o);
    for (int k = 0; k < DF_ALLY_NTYPES; k++) o.type_value[k] = 0;
    expect_error(&t, &o, DYADFIT_ERR_USAGE, "every alliance type has value 0");
    df_alliance_opts_init(&o);
    o.cap_ccode = NULL;
    expect_error(&t, &o, DYADFIT_ERR_USAGE, "no column given for ccode");
    df_alliance_opts_init(&o);
    CU_ASSERT_EQUAL(df_alliance_measures(NULL, t.al, t.cap, &o, &r, &err),
                    DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NULL argument"));

    /* a string column where a number is needed */
    const char *s[NDY] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" };
    CU_ASSERT_EQUAL(dyadfit_table_add_string(t.dy, "name", s, &err), 0);
    df_alliance_opts_init(&o);
    o.dyad_ccode1 = "name";
    expect_error(&t, &o, DYADFIT_ERR_SPEC, "column 'name' of the dyad table (ccode1) "
                 "is not numeric");
    toy_free(&t);
}

static void test_bad_data(void)
{
    static const struct {
        const char *table, *col;
        size_t row;
        double v;
        const char *msg;
    } cases[] = {
        { "dy", "ccode1", 3, NAN, "dyad table row 4: 'ccode1' is missing" },
        { "dy", "year", 0, 1.5, "dyad table row 1: 'year' = 1.5 is not an integer" },
        { "dy", "ccode2", 1, 20, "dyad table row 2: ccode1 = ccode2 = 20" },
        { "al", "year", 11, INFINITY, "alliance table row 12: 'year' = inf is not" },
        { "al", "ccode2", 0, 10, "alliance table row 1: state 10 allied with itself" },
        { "al", "defense", 4, 2, "alliance table row 5: 'defense' is not 0/1" },
        { "al", "consul", 6, NAN, "alliance table row 7: 'consul' is missing" },
        { "cap", "cinc", 2, -0.1, "capability table row 3: 'cinc' = -0.1" },
        { "cap", "ccode", 9, NAN, "capability table row 10: 'ccode' is missing" },
        { "cap", "ccode", 1, 10, "capability table rows 1 and 2: state 10 twice "
                                 "in year 1" },
    };
    df_alliance_opts o;
    df_alliance_opts_init(&o);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        toy t = toy_with(cases[c].table, cases[c].col, cases[c].row, cases[c].v);
        expect_error(&t, &o, DYADFIT_ERR_DATA, cases[c].msg);
        toy_free(&t);
    }
}

/* Empty tables are not an error: no rows, no years. A year without any
 * capability rows puts its dyads outside the system. */
static void test_edge(void)
{
    toy t = toy_make();
    df_alliance_opts o;
    df_alliance_result r;
    dyadfit_error err;
    df_alliance_opts_init(&o);
    dyadfit_table *empty = NULL;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(0, &empty, &err), 0);
    double none[1] = { 0 };
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(empty, "ccode1", none, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(empty, "ccode2", none, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(empty, "year", none, &err), 0);
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(empty, t.al, t.cap, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(r.n_years, 0);
    df_alliance_result_free(&r);
    dyadfit_table_free(empty);

    toy u = toy_with("dy", "year", 0, 7);   /* (10,20) in year 7: no system */
    CU_ASSERT_EQUAL_FATAL(df_alliance_measures(u.dy, u.al, u.cap, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(r.n_years, 4);
    CU_ASSERT_EQUAL(r.n_dyads_outside, 2);
    for (size_t j = 0; j < r.ncol; j++) CU_ASSERT(isnan(r.values[j * r.n]));
    df_alliance_result_free(&r);
    toy_free(&u);
    toy_free(&t);
}

static void test_cleanup(void)
{
    dyadfit_table_free(g_atop);
    dyadfit_table_free(g_nmc);
    g_atop = g_nmc = NULL;
    tu_print_lre();
}

int main(void)
{
    static const tu_test tests[] = {
        { "toy system, hand-computed", test_toy },
        { "toy system, options", test_toy_options },
        { "real data vs independent R (1950, 1980, 2000)", test_real_vs_r },
        { "timing 1946-2010", test_timing },
        { "bad options", test_bad_options },
        { "bad data", test_bad_data },
        { "edge cases", test_edge },
        { "cleanup", test_cleanup },
        { NULL, NULL }
    };
    return tu_run("alliances", tests);
}
