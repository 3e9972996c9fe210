/*
 * test_spells_fit.c -- one-step BTSCS fits (dyadfit_model.spells): peace
 * years computed inside dyadfit_fit must give the same fit as the two steps
 * a researcher would otherwise run (dyadfit_btscs on the table, then
 * dyadfit_fit), with a filter applied after the counting, an existing column
 * of the same name replaced for the fit only, and ongoing years left out.
 * The reference is the two-step path, which test_spells.c and test_btscs.c
 * check against btscs's counting rules; the spell number within a unit is
 * checked here by hand on a small panel.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "table/table.h"
#include "testutil.h"

enum { UNITS = 60, YEARS = 40, N = UNITS * YEARS };

/* A seeded panel: unit, year 1001..1040 (rows in year-major order, so the
 * input is not sorted by unit), x, an onset that depends on x, and an
 * ongoing flag in some years after an onset. With `garbage`, a column
 * named peaceyrs holding nonsense (a stale one from an earlier run). */
static dyadfit_table *panel(int garbage)
{
    static double unit[N], year[N], x[N], y[N], ong[N], junk[N];
    unsigned long s = 12345;
    for (int t = 0; t < YEARS; t++)
        for (int u = 0; u < UNITS; u++) {
            int i = t * UNITS + u;
            s = s * 6364136223846793005UL + 1442695040888963407UL;
            double r1 = (double)(s >> 11) / 9007199254740992.0;
            s = s * 6364136223846793005UL + 1442695040888963407UL;
            double r2 = (double)(s >> 11) / 9007199254740992.0;
            unit[i] = u + 1;
            year[i] = 1001 + t;
            x[i] = r1 * 2 - 1;
            y[i] = r2 < 0.08 + 0.06 * x[i];
            ong[i] = !y[i] && t > 0 && y[i - UNITS] && r1 < 0.5;
            junk[i] = -7;
        }
    dyadfit_table *tb = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(N, &tb, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "unit", unit, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "year", year, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "x", x, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "y", y, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "ong", ong, &err), 0);
    if (garbage) CU_ASSERT_EQUAL(dyadfit_table_add_numeric(tb, "peaceyrs", junk, &err), 0);
    return tb;
}

static const char *FORMULA = "y ~ x + peaceyrs + I(peaceyrs^2)";

static void opts(dyadfit_btscs_opts *o, int ongoing)
{
    dyadfit_btscs_opts_init(o);
    o->event = "y";
    o->time = "year";
    o->unit = "unit";
    if (ongoing) {
        o->ongoing = "ong";
        o->drop_ongoing = 1;
    }
}

/* Fits FORMULA on t with cluster(unit); filter may be NULL. */
static dyadfit_result *fit(const dyadfit_table *t, const dyadfit_btscs_opts *spells,
                           const char *filter)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_LOGIT;
    m.formula = FORMULA;
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "unit";
    m.filter = filter;
    m.spells = spells;
    dyadfit_result *r = NULL;
    dyadfit_error err;
    int rc = dyadfit_fit(t, &m, &r, &err);
    if (rc) fprintf(stderr, "  fit: %s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    return r;
}

static void same_fit(const dyadfit_result *a, const dyadfit_result *b)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    size_t ka, kb;
    const double *ca = dyadfit_result_coef(a, &ka), *cb = dyadfit_result_coef(b, &kb);
    CU_ASSERT_EQUAL_FATAL(ka, kb);
    CU_ASSERT_EQUAL(ka, 4);
    const double *va = dyadfit_result_vcov(a), *vb = dyadfit_result_vcov(b);
    for (size_t j = 0; j < ka; j++) {
        CU_ASSERT_STRING_EQUAL(dyadfit_result_term(a, j), dyadfit_result_term(b, j));
        TU_ASSERT_LRE(ca[j], cb[j], 12);
        TU_ASSERT_LRE(va[j * ka + j], vb[j * ka + j], 12);
    }
    CU_ASSERT_EQUAL(dyadfit_result_stat(a, DYADFIT_STAT_NOBS), dyadfit_result_stat(b, DYADFIT_STAT_NOBS));
    CU_ASSERT_EQUAL(dyadfit_result_stat(a, DYADFIT_STAT_NCLUSTER1),
                    dyadfit_result_stat(b, DYADFIT_STAT_NCLUSTER1));
}

/* The two-step reference: btscs on the table, then the fit. */
static dyadfit_result *two_step(int ongoing, const char *filter)
{
    dyadfit_table *t = panel(0);
    dyadfit_btscs_opts o;
    dyadfit_error err;
    opts(&o, ongoing);
    CU_ASSERT_EQUAL(dyadfit_btscs(t, &o, &err), 0);
    dyadfit_result *r = fit(t, NULL, filter);
    dyadfit_table_free(t);
    return r;
}

static void test_one_step_equals_two_steps(void)
{
    dyadfit_table *t = panel(0);
    size_t ncol = dyadfit_table_ncol(t);
    dyadfit_btscs_opts o;
    opts(&o, 0);
    dyadfit_result *one = fit(t, &o, NULL), *two = two_step(0, NULL);
    same_fit(one, two);
    CU_ASSERT_EQUAL(dyadfit_result_stat(one, DYADFIT_STAT_NOBS), N);
    /* the caller's table is not changed */
    CU_ASSERT_EQUAL(dyadfit_table_ncol(t), ncol);
    const char *notes = dyadfit_result_notes(one);
    CU_ASSERT_PTR_NOT_NULL(strstr(notes, "peace years computed before the fit"));
    dyadfit_result_free(one);
    dyadfit_result_free(two);
    dyadfit_table_free(t);
}

/* A filter on years applies after the counting: the counts of 1021.. are
 * those of the whole panel, not restarted at 1021. */
static void test_filter_after_counting(void)
{
    dyadfit_table *t = panel(0);
    dyadfit_btscs_opts o;
    opts(&o, 0);
    const char *f = "year >= 1021";
    dyadfit_result *one = fit(t, &o, f), *two = two_step(0, f);
    same_fit(one, two);
    CU_ASSERT_EQUAL(dyadfit_result_stat(one, DYADFIT_STAT_NOBS), N / 2);
    dyadfit_result_free(one);
    dyadfit_result_free(two);
    dyadfit_table_free(t);
}

/* A stale peaceyrs column is replaced for the fit, left as it was in the
 * table, and the replacement is noted. */
static void test_existing_column_replaced(void)
{
    dyadfit_table *t = panel(1);
    dyadfit_btscs_opts o;
    opts(&o, 0);
    dyadfit_result *one = fit(t, &o, NULL), *two = two_step(0, NULL);
    same_fit(one, two);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(one), "the data's own 'peaceyrs' replaced"));
    CU_ASSERT_EQUAL(dyadfit_table_ncol(t), 6);
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 5), "peaceyrs");
    dyadfit_result_free(one);
    dyadfit_result_free(two);
    dyadfit_table_free(t);
}

/* drop_ongoing leaves the ongoing years out, as `_drop == 0` does after
 * the two steps; with a user filter both apply. */
static void test_drop_ongoing(void)
{
    dyadfit_table *t = panel(0);
    dyadfit_btscs_opts o;
    opts(&o, 1);
    dyadfit_result *one = fit(t, &o, NULL), *two = two_step(1, "_drop == 0");
    same_fit(one, two);
    double n = dyadfit_result_stat(one, DYADFIT_STAT_NOBS);
    CU_ASSERT(n < N && n > N * 0.9);
    dyadfit_result_free(one);
    dyadfit_result_free(two);
    one = fit(t, &o, "x > 0");
    two = two_step(1, "x > 0 & _drop == 0");
    same_fit(one, two);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(one), "left out of the fit"));
    dyadfit_result_free(one);
    dyadfit_result_free(two);
    dyadfit_table_free(t);
}

static void test_errors(void)
{
    dyadfit_table *t = panel(0);
    dyadfit_model m;
    dyadfit_btscs_opts o;
    dyadfit_result *r = NULL;
    dyadfit_error err;
    dyadfit_model_init(&m);
    m.formula = FORMULA;
    m.spells = &o;
    opts(&o, 0);
    o.unit = NULL;
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unit"));
    opts(&o, 0);
    o.event = "onset";
    CU_ASSERT_NOT_EQUAL(dyadfit_fit(t, &m, &r, &err), 0);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "onset"));
    /* peace years of a formula without --spells: an unknown variable */
    m.spells = NULL;
    CU_ASSERT_NOT_EQUAL(dyadfit_fit(t, &m, &r, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "peaceyrs"));
    dyadfit_table_free(t);
}

/* The spell number within a unit (for strata() in a PWP Cox model): unit 1
 * has onsets in 2001 and 2002, unit 2 none; ongoing years (with
 * drop_ongoing) get a missing number. */
static void test_spell_number(void)
{
    static double unit[] = {1, 1, 1, 1, 1, 2, 2, 2};
    static double year[] = {2000, 2001, 2002, 2003, 2004, 2000, 2001, 2002};
    static double y[] = {0, 1, 1, 0, 0, 0, 0, 0};
    static const double want[] = {1, 1, 2, 3, 3, 1, 1, 1};
    dyadfit_table *t = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(8, &t, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "unit", unit, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "year", year, &err), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "y", y, &err), 0);
    dyadfit_btscs_opts o;
    opts(&o, 0);
    o.number_name = "spellnum";
    CU_ASSERT_EQUAL_FATAL(dyadfit_btscs(t, &o, &err), 0);
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 5), "spellnum");  /* after peaceyrs, spell */
    const df_column *c = df_table_find(t, "spellnum");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (int i = 0; i < 8; i++) CU_ASSERT_EQUAL(c->num[i], want[i]);
    dyadfit_table_free(t);
}

int main(void)
{
    static const tu_test tests[] = {
        {"one step equals btscs then fit", test_one_step_equals_two_steps},
        {"a filter applies after the counting", test_filter_after_counting},
        {"an existing peaceyrs replaced for the fit only", test_existing_column_replaced},
        {"ongoing years left out", test_drop_ongoing},
        {"missing options and unknown variables", test_errors},
        {"spell number within a unit", test_spell_number},
        {NULL, NULL}};
    return tu_run("api-spells-fit", tests);
}
