/*
 * test_spells.c -- peace years / spells (src/prepare/spells.c).
 *
 * Reference values: tests/reference/unit_prepare.R, an independent
 * vectorised R implementation of Tucker's btscs.ado definition (running sum
 * of the lagged event, time minus the first time of each group), on a toy
 * panel (events in the first year, consecutive events, gaps inside spells
 * and right after events, ongoing disputes, a missing event value, a
 * single-row unit) and a random panel of 200 units x 50 years with gaps,
 * both in shuffled row order. Counts are integers: compared exactly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "prepare/prepare.h"
#include "testutil.h"
#include "ref_spells.h"

static dyadfit_table *make_table(size_t n, const double *u, const double *t,
                                 const double *e, const double *g)
{
    dyadfit_table *tb = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(n, &tb, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "dyad", u, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "year", t, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "onset", e, &err), 0);
    if (g) CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "ongoing", g, &err), 0);
    return tb;
}

static void opts(df_spell_opts *o, int ongoing, df_gap_rule gap, df_first_rule first)
{
    df_spell_opts_init(o);
    o->unit = "dyad";
    o->time = "year";
    o->event = "onset";
    o->ongoing = ongoing ? "ongoing" : NULL;
    o->gap = gap;
    o->first = first;
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Compares every row; prints the first few mismatches. Returns the count. */
static size_t compare(const char *what, size_t n, const double *got, const double *want)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (same(got[i], want[i])) continue;
        if (bad++ < 5)
            fprintf(stderr, "  %s row %zu: got %g want %g\n", what, i + 1, got[i], want[i]);
    }
    return bad;
}

static size_t count_spells(size_t n, const double *spell)
{
    double mx = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(spell[i]) && spell[i] > mx) mx = spell[i];
    return (size_t)mx;
}

static void check_rule(size_t n, const double *u, const double *t, const double *e,
                       const double *g, df_gap_rule gap, df_first_rule first,
                       const double *peace, const double *spell, const int *drop)
{
    dyadfit_table *tb = make_table(n, u, t, e, g);
    df_spell_opts o;
    df_spell_result r;
    dyadfit_error err;
    size_t used = 0;
    opts(&o, g != NULL, gap, first);
    CU_ASSERT_EQUAL_FATAL(df_spells(tb, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(r.n, n);
    CU_ASSERT_EQUAL(compare("peace", n, r.peace, peace), 0);
    if (spell) {
        CU_ASSERT_EQUAL(compare("spell", n, r.spell, spell), 0);
        CU_ASSERT_EQUAL(r.nspells, count_spells(n, spell));
    }
    for (size_t i = 0; i < n; i++) {
        if (!isnan(peace[i])) used++;
        CU_ASSERT(same(r.start[i], r.peace[i]));
        CU_ASSERT(same(r.stop[i], r.peace[i] + 1));
        /* the event is NaN exactly when the row is unusable */
        CU_ASSERT(isnan(e[i]) ? isnan(r.event[i]) : r.event[i] == e[i]);
        if (drop) CU_ASSERT_EQUAL(r.drop[i], drop[i]);
        if (!g) CU_ASSERT_EQUAL(r.drop[i], 0);
    }
    CU_ASSERT_EQUAL(r.nused, used);
    df_spell_result_free(&r);
    dyadfit_table_free(tb);
}

static void test_toy_btscs(void)
{
    check_rule(TOY_N, toy_unit, toy_time, toy_event, toy_ongoing, DF_GAP_BTSCS,
               DF_FIRST_ZERO, toy_peace_btscs, toy_spell_btscs, toy_drop);
}

static void test_toy_continue(void)
{
    check_rule(TOY_N, toy_unit, toy_time, toy_event, toy_ongoing, DF_GAP_CONTINUE,
               DF_FIRST_ZERO, toy_peace_continue, toy_spell_btscs, toy_drop);
}

static void test_toy_restart(void)
{
    check_rule(TOY_N, toy_unit, toy_time, toy_event, toy_ongoing, DF_GAP_RESTART,
               DF_FIRST_ZERO, toy_peace_restart, toy_spell_restart, toy_drop);
}

static void test_toy_first_missing(void)
{
    check_rule(TOY_N, toy_unit, toy_time, toy_event, toy_ongoing, DF_GAP_BTSCS,
               DF_FIRST_MISSING, toy_peace_btscs_first_missing, toy_spell_btscs, toy_drop);
}

static void test_toy_no_ongoing(void)
{
    check_rule(TOY_N, toy_unit, toy_time, toy_event, NULL, DF_GAP_BTSCS,
               DF_FIRST_ZERO, toy_peace_no_ongoing, NULL, NULL);
}

/* A few toy values written out by hand from the btscs definition, so the
 * reference script itself is checked: unit 1 has events in 1990, 1991 and
 * 1995; unit 8 has an event in 1990, a gap 1991-92 and an event in 1995;
 * unit 4 has an onset in 1991 with ongoing years 1992-93. */
static void test_toy_by_hand(void)
{
    static const struct { double u, y, btscs, cont, restart; } want[] = {
        {1, 1990, 0, 0, 0}, {1, 1991, 0, 0, 0}, {1, 1992, 0, 0, 0},
        {1, 1995, 3, 3, 3}, {1, 1996, 0, 0, 0}, {1, 1999, 3, 3, 3},
        {8, 1990, 0, 0, 0}, {8, 1993, 0, 2, 0}, {8, 1995, 2, 4, 2},
        {7, 1991, 1, 1, 1}, {7, 1994, 4, 4, 0}, {7, 1995, 5, 5, 1},
        {4, 1992, 0, 0, 0}, {4, 1993, 0, 0, 0}, {4, 1994, 0, 0, 0},
        {4, 1996, 2, 2, 2}, {5, 1993, 0, 0, 0}, {5, 1995, 2, 2, 0}};
    size_t found = 0;
    for (size_t k = 0; k < sizeof want / sizeof *want; k++)
        for (size_t i = 0; i < TOY_N; i++)
            if (toy_unit[i] == want[k].u && toy_time[i] == want[k].y) {
                found++;
                CU_ASSERT_EQUAL(toy_peace_btscs[i], want[k].btscs);
                CU_ASSERT_EQUAL(toy_peace_continue[i], want[k].cont);
                CU_ASSERT_EQUAL(toy_peace_restart[i], want[k].restart);
            }
    CU_ASSERT_EQUAL(found, sizeof want / sizeof *want);
}

static void test_panel(void)
{
    check_rule(PAN_N, pan_unit, pan_time, pan_event, pan_ongoing, DF_GAP_BTSCS,
               DF_FIRST_ZERO, pan_peace_btscs, pan_spell_btscs, pan_drop);
    check_rule(PAN_N, pan_unit, pan_time, pan_event, pan_ongoing, DF_GAP_CONTINUE,
               DF_FIRST_ZERO, pan_peace_continue, pan_spell_btscs, pan_drop);
    check_rule(PAN_N, pan_unit, pan_time, pan_event, pan_ongoing, DF_GAP_RESTART,
               DF_FIRST_ZERO, pan_peace_restart, pan_spell_restart, pan_drop);
    check_rule(PAN_N, pan_unit, pan_time, pan_event, pan_ongoing, DF_GAP_BTSCS,
               DF_FIRST_MISSING, pan_peace_btscs_first_missing, pan_spell_btscs, pan_drop);
    check_rule(PAN_N, pan_unit, pan_time, pan_event, NULL, DF_GAP_BTSCS,
               DF_FIRST_ZERO, pan_peace_no_ongoing, NULL, NULL);
}

/* String units: counts as with the numeric codes; spells numbered in the
 * byte order of the strings. Unit k becomes a name whose order reverses
 * the numeric order (unit 8 -> "a-8", ..., unit 1 -> "h-1"). */
static void test_string_units(void)
{
    const char *names[TOY_N];
    char buf[TOY_N][8];
    dyadfit_table *tb = NULL;
    dyadfit_error err;
    df_spell_opts o;
    df_spell_result r;
    for (size_t i = 0; i < TOY_N; i++) {
        int k = (int)toy_unit[i];
        snprintf(buf[i], sizeof buf[i], "%c-%d", 'a' + 8 - k, k);
        names[i] = buf[i];
    }
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(TOY_N, &tb, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_string(tb, "dyad", names, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "year", toy_time, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "onset", toy_event, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "ongoing", toy_ongoing, &err), 0);
    opts(&o, 1, DF_GAP_BTSCS, DF_FIRST_ZERO);
    CU_ASSERT_EQUAL_FATAL(df_spells(tb, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(compare("peace", TOY_N, r.peace, toy_peace_btscs), 0);
    CU_ASSERT_EQUAL(r.nspells, count_spells(TOY_N, toy_spell_btscs));
    /* unit 8 ("a-8") now comes first: its first year opens spell 1 */
    for (size_t i = 0; i < TOY_N; i++) {
        if (toy_unit[i] == 8 && toy_time[i] == 1990) CU_ASSERT_EQUAL(r.spell[i], 1);
        if (toy_unit[i] == 1 && toy_time[i] == 1999)
            CU_ASSERT_EQUAL(r.spell[i], r.nspells);
    }
    df_spell_result_free(&r);
    dyadfit_table_free(tb);
}

static void test_empty_and_single(void)
{
    double u = 3, y = 2001, e = 1;
    dyadfit_table *tb = make_table(0, NULL, NULL, NULL, NULL);
    df_spell_opts o;
    df_spell_result r;
    dyadfit_error err;
    opts(&o, 0, DF_GAP_BTSCS, DF_FIRST_ZERO);
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(r.nspells, 0);
    df_spell_result_free(&r);
    dyadfit_table_free(tb);
    tb = make_table(1, &u, &y, &e, NULL);
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), 0);
    CU_ASSERT_EQUAL(r.peace[0], 0);
    CU_ASSERT_EQUAL(r.spell[0], 1);
    CU_ASSERT_EQUAL(r.stop[0], 1);
    df_spell_result_free(&r);
    dyadfit_table_free(tb);
}

/* ------------------------------------------------------------ bad input */

/* Runs df_spells on a 5-row table with one value changed; expects code and
 * message fragments. */
static void expect_error(int col, size_t row, double value, int ongoing,
                         int code, const char *frag1, const char *frag2)
{
    double u[5] = {10, 10, 10, 20, 20}, y[5] = {1990, 1991, 1992, 1990, 1991};
    double e[5] = {0, 1, 0, 0, 0}, g[5] = {0, 0, 1, 0, 0};
    double *cols[4] = {u, y, e, g};
    dyadfit_table *tb;
    df_spell_opts o;
    df_spell_result r;
    dyadfit_error err;
    if (col >= 0) cols[col][row] = value;
    tb = make_table(5, u, y, e, g);
    opts(&o, ongoing, DF_GAP_BTSCS, DF_FIRST_ZERO);
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), code);
    CU_ASSERT_EQUAL(err.code, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, frag1));
    if (frag2) CU_ASSERT_PTR_NOT_NULL(strstr(err.message, frag2));
    if (!strstr(err.message, frag1) || (frag2 && !strstr(err.message, frag2)))
        fprintf(stderr, "  message: %s\n", err.message);
    if (code != DYADFIT_OK) CU_ASSERT_PTR_NULL(r.peace);  /* nothing handed out */
    df_spell_result_free(&r);
    dyadfit_table_free(tb);
}

static void test_bad_values(void)
{
    /* sanity: the unchanged table is fine */
    expect_error(-1, 0, 0, 1, DYADFIT_OK, "", NULL);
    /* duplicate unit-time: rows 4 and 5 both (20, 1990) */
    expect_error(1, 4, 1990, 1, DYADFIT_ERR_DATA, "rows 4 and 5", "dyad = 20");
    expect_error(1, 4, 1990, 1, DYADFIT_ERR_DATA, "year = 1990", NULL);
    expect_error(1, 2, NAN, 1, DYADFIT_ERR_DATA, "'year' is missing in row 3", NULL);
    expect_error(0, 3, NAN, 1, DYADFIT_ERR_DATA, "'dyad' is missing in row 4", NULL);
    expect_error(1, 1, 1991.5, 1, DYADFIT_ERR_DATA, "1991.5 in row 2", "integer");
    expect_error(1, 1, INFINITY, 1, DYADFIT_ERR_DATA, "in row 2", "integer");
    expect_error(2, 4, 2, 1, DYADFIT_ERR_DATA, "event variable 'onset' is 2 in row 5",
                 "0 or 1");
    expect_error(2, 0, -1, 1, DYADFIT_ERR_DATA, "is -1 in row 1", NULL);
    expect_error(3, 1, 0.5, 1, DYADFIT_ERR_DATA, "ongoing variable 'ongoing' is 0.5 in row 2",
                 NULL);
    /* a bad ongoing value is not looked at when ongoing is not used */
    expect_error(3, 1, 0.5, 0, DYADFIT_OK, "", NULL);
}

static void test_bad_duplicate_string_unit(void)
{
    const char *u[3] = {"USA-CAN", "USA-MEX", "USA-CAN"};
    double y[3] = {1950, 1950, 1950}, e[3] = {0, 0, 0};
    dyadfit_table *tb = NULL;
    dyadfit_error err;
    df_spell_opts o;
    df_spell_result r;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(3, &tb, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_string(tb, "dyad", u, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "year", y, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "onset", e, &err), 0);
    opts(&o, 0, DF_GAP_BTSCS, DF_FIRST_ZERO);
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rows 1 and 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "dyad = \"USA-CAN\""));
    df_spell_result_free(&r);
    dyadfit_table_free(tb);
    /* an empty string is a missing unit */
    u[1] = "";
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(3, &tb, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_string(tb, "dyad", u, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "year", y, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "onset", e, &err), 0);
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'dyad' is missing in row 2"));
    /* a string time variable is a specification error */
    o.time = "dyad";
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "time variable 'dyad' must be numeric"));
    dyadfit_table_free(tb);
}

static void test_bad_options(void)
{
    double u[2] = {1, 1}, y[2] = {1, 2}, e[2] = {0, 1};
    dyadfit_table *tb = make_table(2, u, y, e, NULL);
    df_spell_opts o;
    df_spell_result r;
    dyadfit_error err;
    opts(&o, 0, DF_GAP_BTSCS, DF_FIRST_ZERO);
    o.event = "mid";
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "event variable 'mid' not found"));
    opts(&o, 1, DF_GAP_BTSCS, DF_FIRST_ZERO);
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "ongoing variable 'ongoing' not found"));
    opts(&o, 0, DF_GAP_BTSCS, DF_FIRST_ZERO);
    o.unit = NULL;
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no unit variable"));
    opts(&o, 0, (df_gap_rule)7, DF_FIRST_ZERO);
    CU_ASSERT_EQUAL(df_spells(tb, &o, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "gap"));
    dyadfit_table_free(tb);
}

/* Sorting is by value, not by row order, and large unit codes and negative
 * years are fine: the same panel reversed and shifted gives the same
 * counts. */
static void test_order_invariance(void)
{
    enum { N = TOY_N };
    double u[N], y[N], e[N], g[N], want[N];
    for (size_t i = 0; i < N; i++) {
        u[i] = toy_unit[N - 1 - i] * 1e12;
        y[i] = toy_time[N - 1 - i] - 4000;
        e[i] = toy_event[N - 1 - i];
        g[i] = toy_ongoing[N - 1 - i];
        want[i] = toy_peace_btscs[N - 1 - i];
    }
    check_rule(N, u, y, e, g, DF_GAP_BTSCS, DF_FIRST_ZERO, want, NULL, NULL);
}

int main(void)
{
    static const tu_test tests[] = {
        {"toy panel, btscs rule", test_toy_btscs},
        {"toy panel, continue rule", test_toy_continue},
        {"toy panel, restart rule", test_toy_restart},
        {"toy panel, left-censored first spell", test_toy_first_missing},
        {"toy panel without ongoing", test_toy_no_ongoing},
        {"toy reference checked by hand", test_toy_by_hand},
        {"random 200 x 50 panel, all rules", test_panel},
        {"string units", test_string_units},
        {"empty table and single row", test_empty_and_single},
        {"row order and value range", test_order_invariance},
        {"bad values", test_bad_values},
        {"bad string units", test_bad_duplicate_string_unit},
        {"bad options", test_bad_options},
        {NULL, NULL}};
    return tu_run("prepare_spells", tests);
}
