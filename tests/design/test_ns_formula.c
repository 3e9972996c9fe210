/*
 * test_ns_formula.c -- ns() terms in formulas (src/design/terms.c): the
 * model-matrix columns and their names against R's model.matrix with
 * splines::ns (tests/reference/make_reference_survreg.R writes
 * values/ns_formula.csv), including R's rule that the knots and boundary
 * come from every row of the data (meal.cal drops 47 rows; the knots do
 * not move); and the specification errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"
#include "design/design.h"

#define NREF 181
#define NCOL 11
static double ref[NCOL][NREF];
static size_t refrow[NREF];
static dyadfit_table *lung;

static int read_ref(void)
{
    FILE *f = fopen(tu_path("tests/reference/values/ns_formula.csv"), "r");
    char line[4096];
    if (!f || !fgets(line, sizeof line, f)) { if (f) fclose(f); return -1; }
    size_t i = 0;
    while (i < NREF && fgets(line, sizeof line, f)) {
        char *p = line, *e;
        refrow[i] = (size_t)strtod(p, &e);
        for (size_t j = 0; j < NCOL; j++) {
            p = e + 1;
            ref[j][i] = strtod(p, &e);
        }
        i++;
    }
    fclose(f);
    return i == NREF ? 0 : -1;
}

static void check(const char *formula, size_t col0, const char *const *names, size_t nc)
{
    df_design_spec s;
    df_design *d = NULL;
    dyadfit_error err;
    memset(&s, 0, sizeof s);
    s.formula = formula;
    int rc = df_design_build(lung, &s, &d, &err);
    if (rc) fprintf(stderr, "  %s: %s\n", formula, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(d->n, NREF);
    CU_ASSERT_EQUAL_FATAL(d->k, nc + 2);     /* intercept, ns columns, meal.cal */
    for (size_t i = 0; i < NREF; i++) CU_ASSERT_EQUAL(d->rows[i] + 1, refrow[i]);
    double worst = 17;
    for (size_t j = 0; j < nc; j++) {
        CU_ASSERT_STRING_EQUAL(d->terms[1 + j], names[j]);
        for (size_t i = 0; i < NREF; i++) {
            double g = d->X[(1 + j) * d->n + i], w = ref[col0 + j][i];
            /* relative error, or absolute for entries near 0 (basis values
             * are in [-1, 2]) */
            double l = fabs(w) < 1e-3 ? (g == w ? 17 : -log10(fabs(g - w))) : tu_lre(g, w);
            if (l < 12) fprintf(stderr, "  row %zu col %zu: %.17g vs %.17g\n", i, j, g, w);
            if (l < worst) worst = l;
        }
    }
    if (worst < 12) fprintf(stderr, "  %s: min LRE %.1f\n", formula, worst);
    CU_ASSERT_TRUE(worst >= 12);
    df_design_free(d);
}

static void test_df(void)
{
    /* R's knots are 56, 63, 69 (all 228 rows); on the 181 rows used they
     * would be 57, 64, 70 */
    static const char *const n[] = {"ns(age, df = 4)1", "ns(age, df = 4)2", "ns(age, df = 4)3",
                                    "ns(age, df = 4)4"};
    check("time ~ ns(age, df = 4) + meal.cal", 0, n, 4);
}

static void test_knots(void)
{
    static const char *const n[] = {"ns(age, knots = c(50, 60, 70))1", "ns(age, knots = c(50, 60, 70))2",
                                    "ns(age, knots = c(50, 60, 70))3", "ns(age, knots = c(50, 60, 70))4"};
    check("time ~ ns(age, knots = c(50, 60, 70)) + meal.cal", 4, n, 4);
}

static void test_boundary(void)
{
    static const char *const n[] = {"ns(age, df = 2, Boundary.knots = c(40, 80))1",
                                    "ns(age, df = 2, Boundary.knots = c(40, 80))2"};
    check("time ~ ns(age, df = 2, Boundary.knots = c(40, 80)) + meal.cal", 8, n, 2);
}

static void test_df1_expr(void)
{
    static const char *const n[] = {"ns(log(time), df = 1)"};
    check("status ~ ns(log(time), df = 1) + meal.cal", 10, n, 1);
}

static void bad(const char *formula, int code, const char *msg)
{
    df_design_spec s;
    df_design *d = NULL;
    dyadfit_error err = {0, ""};
    memset(&s, 0, sizeof s);
    s.formula = formula;
    int rc = df_design_build(lung, &s, &d, &err);
    if (rc != code || !strstr(err.message, msg))
        fprintf(stderr, "  %s: rc %d: %s (want '%s')\n", formula, rc, err.message, msg);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, msg));
    df_design_free(d);
}

static void test_errors(void)
{
    bad("time ~ ns(age)", DYADFIT_ERR_SPEC, "needs df = or knots =");
    bad("time ~ ns(age, df = 0)", DYADFIT_ERR_SPEC, "df must be a whole number");
    bad("time ~ ns(age, df = 2.5)", DYADFIT_ERR_SPEC, "df must be a whole number");
    bad("time ~ ns(age, knots = c(1, x))", DYADFIT_ERR_SPEC, "knots must be numbers");
    bad("time ~ ns(age, df = 3, intercept = TRUE)", DYADFIT_ERR_SPEC, "only intercept = FALSE");
    bad("time ~ ns(age, df = 3, foo = 1)", DYADFIT_ERR_SPEC, "unsupported argument 'foo'");
    bad("time ~ ns(age, df = 3, Boundary.knots = c(80, 40))", DYADFIT_ERR_SPEC, "lower < upper");
    bad("time ~ ns(age, knots = 90, Boundary.knots = c(40, 80))", DYADFIT_ERR_SPEC, "not inside Boundary.knots");
    bad("time ~ ns(age, knots = c(20, 60))", DYADFIT_ERR_SPEC, "knot 20 is not inside the range of the data [39, 82]");
    bad("time ~ log(ns(age, df = 3))", DYADFIT_ERR_SPEC, "ns() at position");
    bad("time ~ ns(df = 3)", DYADFIT_ERR_SPEC, "needs a variable");
}

int main(void)
{
    dyadfit_error err;
    if (dyadfit_read(tu_path("tests/data/models/lung.csv"), NULL, &lung, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    if (read_ref()) { fprintf(stderr, "cannot read ns_formula.csv\n"); return 1; }
    static const tu_test tests[] = {
        {"ns(age, df = 4): knots from all rows, as model.frame", test_df},
        {"ns(age, knots = c(50, 60, 70))", test_knots},
        {"ns(age, df = 2, Boundary.knots = c(40, 80))", test_boundary},
        {"ns(log(time), df = 1): one column, R's name", test_df1_expr},
        {"ns() specification errors", test_errors},
        {NULL, NULL}};
    int rc = tu_run("ns_formula", tests);
    dyadfit_table_free(lung);
    return rc;
}
