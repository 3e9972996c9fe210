/*
 * test_separation_lp.c -- the LP separation check (src/fit/separation_lp.c)
 * against R's detectseparation (tests/reference/make_reference_separation.R:
 * tests/reference/separation.tsv and values/sep_<id>.csv): per term the
 * direction of the infinite estimate (Inf, -Inf, 0 exactly), separated and
 * complete flags; plus hand-made designs for scaling, weights and bad input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "testutil.h"
#include "fit/fit.h"
#include "fit/separation_lp.h"
#include "table/filter.h"

#define MAXF 8

static int split_tsv(char *line, char **f)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    f[n++] = line;
    for (char *p = line; *p && n < MAXF; p++)
        if (*p == '\t') { *p = 0; f[n++] = p + 1; }
    return n;
}

/* the direction file: term,estimate with Inf / -Inf / 0 */
static size_t read_dirs(const char *id, char terms[][64], int *dir, size_t max)
{
    char path[256], line[256];
    snprintf(path, sizeof path, "tests/reference/values/sep_%s.csv", id);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    if (!f) return 0;
    if (!fgets(line, sizeof line, f)) { fclose(f); return 0; }
    while (n < max && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *c = strrchr(line, ',');
        if (!c) continue;
        *c = 0;
        snprintf(terms[n], 64, "%.63s", line);
        dir[n] = strcmp(c + 1, "Inf") == 0 ? 1 : strcmp(c + 1, "-Inf") == 0 ? -1 : 0;
        n++;
    }
    fclose(f);
    return n;
}

static int ncases_seen;

static void run_case(char **fld)
{
    const char *id = fld[0], *formula = fld[1], *data = fld[2], *opts = fld[3];
    int want_sep = atoi(fld[4]), want_complete = atoi(fld[5]);
    dyadfit_table *t = NULL;
    df_design *d = NULL;
    dyadfit_error err = {0, ""};
    unsigned char *filter = NULL;
    char expr[256], terms[32][64];
    int wdir[32], dir[32];
    df_separation_lp_info info;

    CU_ASSERT_EQUAL_FATAL(dyadfit_read(data, NULL, &t, &err), 0);
    df_design_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.formula = formula;
    spec.binary_response = 1;
    /* options: only --if "EXPR" in the manifest */
    const char *q = strstr(opts, "--if \"");
    if (q) {
        snprintf(expr, sizeof expr, "%s", q + 6);
        expr[strcspn(expr, "\"")] = 0;
        filter = malloc(t->nrow);
        CU_ASSERT_EQUAL_FATAL(df_filter_rows(t, expr, filter, NULL, &err), 0);
        spec.row_filter = filter;
    }
    CU_ASSERT_EQUAL_FATAL(df_design_build(t, &spec, &d, &err), 0);
    size_t nw = read_dirs(id, terms, wdir, 32);
    CU_ASSERT_EQUAL(nw, d->k);
    CU_ASSERT_FATAL(d->k <= 32);

    clock_t c0 = clock();
    int rc = df_separation_lp_ex(d, 0, 1, dir, NULL, &info, &err);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    CU_ASSERT_EQUAL(rc, 0);
    if (rc) fprintf(stderr, "  %s: %s\n", id, err.message);
    CU_ASSERT_EQUAL(info.separated, want_sep);
    CU_ASSERT_EQUAL(info.complete, want_complete);
    CU_ASSERT_EQUAL(info.nrows, d->n);
    size_t ninf = 0;
    for (size_t j = 0; j < nw && j < d->k; j++) {
        CU_ASSERT_STRING_EQUAL(d->terms[j], terms[j]);
        if (dir[j] != wdir[j])
            fprintf(stderr, "  %s %s: direction %d, detectseparation %d\n", id,
                    terms[j], dir[j], wdir[j]);
        CU_ASSERT_EQUAL(dir[j], wdir[j]);
        ninf += wdir[j] != 0;
    }
    CU_ASSERT_EQUAL(info.ninfinite, ninf);
    fprintf(stderr, "  %-18s n %7zu k %2zu: %s%s, %zu infinite (%.2f s CPU)\n", id,
            d->n, d->k, want_sep ? "separated" : "not separated",
            want_sep ? (want_complete ? " (complete)" : " (quasi-complete)") : "",
            ninf, secs);
    if (d->n > 100000) CU_ASSERT(secs < 10); /* the Leeds design: ~0.3 s */
    ncases_seen++;
    df_design_free(d);
    dyadfit_table_free(t);
    free(filter);
}

static void test_reference_cases(void)
{
    FILE *f = fopen("tests/reference/separation.tsv", "r");
    char line[2048], *fld[MAXF];
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f))
        if (split_tsv(line, fld) >= 6) run_case(fld);
    fclose(f);
    CU_ASSERT(ncases_seen >= 7);
}

/* a design over caller arrays (column-major X) */
static df_design mk(size_t n, size_t k, double *X, double *y, double *w,
                    char **terms)
{
    df_design d;
    memset(&d, 0, sizeof d);
    d.n = n;
    d.k = k;
    d.X = X;
    d.y = y;
    d.w = w;
    d.terms = terms;
    d.intercept = 1;
    return d;
}

/* Complete separation by x (in millions) between 4e6 and 5e6: a separating
 * direction in raw units is (-4.5e6 b, b), so a box |b_j| <= 1 on the raw
 * columns forces |b_x| < 2.3e-7, below the tolerance (detectseparation
 * would call x finite): the column scaling finds x. */
static void test_large_scale_column(void)
{
    double X[2 * 8], y[8];
    char *terms[] = {"(Intercept)", "gdp"};
    for (int i = 0; i < 8; i++) {
        X[i] = 1;
        X[8 + i] = 1e6 * (i + 1);
        y[i] = i >= 4;
    }
    df_design d = mk(8, 2, X, y, NULL, terms);
    int dir[2];
    double beta[2];
    df_separation_lp_info info;
    dyadfit_error err = {0, ""};
    CU_ASSERT_EQUAL(df_separation_lp_ex(&d, 0, 1, dir, beta, &info, &err), 0);
    CU_ASSERT_EQUAL(info.separated, 1);
    CU_ASSERT_EQUAL(info.complete, 1);
    CU_ASSERT_EQUAL(dir[0], -1);
    CU_ASSERT_EQUAL(dir[1], 1);
    /* beta on the raw scale is a separating direction: (2y_i - 1) x_i'beta
     * >= 0 on every row (the LP's vertex may sit on some), > 0 in sum */
    double sum = 0;
    for (int i = 0; i < 8; i++) {
        double m = (2 * y[i] - 1) * (beta[0] + beta[1] * X[8 + i]);
        CU_ASSERT(m >= -1e-9);
        sum += m;
    }
    CU_ASSERT(sum > 0.1);
}

/* The one row that breaks the separation has weight 0: separated; with
 * weight 1: not. */
static void test_weights(void)
{
    double X[2 * 6] = {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1};
    double y[6] = {0, 1, 0, 1, 1, 0};  /* d = 1 -> y = 0 except row 5 */
    double w[6] = {1, 1, 1, 1, 0, 1};
    char *terms[] = {"(Intercept)", "d"};
    int dir[2], sep = -1;
    dyadfit_error err = {0, ""};
    /* rows: d = 0,0,1,1,0,1 ; y = 0,1,0,1,1,0: row 4 (d = 1, y = 1) breaks */
    X[6 + 3] = 1;
    w[3] = 0;
    w[4] = 1;
    df_design d = mk(6, 2, X, y, w, terms);
    CU_ASSERT_EQUAL(df_separation_lp(&d, dir, &sep, &err), 0);
    CU_ASSERT_EQUAL(sep, 1);
    CU_ASSERT_EQUAL(dir[0], 0);
    CU_ASSERT_EQUAL(dir[1], -1);
    w[3] = 1;
    CU_ASSERT_EQUAL(df_separation_lp(&d, dir, &sep, &err), 0);
    CU_ASSERT_EQUAL(sep, 0);
    CU_ASSERT_EQUAL(dir[1], 0);
}

/* Every outcome 1: the intercept alone separates completely (+Inf). */
static void test_constant_outcome(void)
{
    double X[2 * 4] = {1, 1, 1, 1, 0.5, -1, 2, 0};
    double y[4] = {1, 1, 1, 1};
    char *terms[] = {"(Intercept)", "x"};
    int dir[2];
    df_separation_lp_info info;
    dyadfit_error err = {0, ""};
    df_design d = mk(4, 2, X, y, NULL, terms);
    CU_ASSERT_EQUAL(df_separation_lp_ex(&d, 0, 1, dir, NULL, &info, &err), 0);
    CU_ASSERT_EQUAL(info.separated, 1);
    CU_ASSERT_EQUAL(info.complete, 1);
    CU_ASSERT_EQUAL(dir[0], 1);
}

static void test_bad_input(void)
{
    double X[2 * 3] = {1, 1, 1, 0.5, NAN, 2};
    double y[3] = {0, 1, 0};
    char *terms[] = {"(Intercept)", "cap_ratio"};
    int dir[2] = {7, 7}, sep = -1;
    dyadfit_error err = {0, ""};
    df_design d = mk(3, 2, X, y, NULL, terms);
    CU_ASSERT_EQUAL(df_separation_lp(&d, dir, &sep, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cap_ratio"));
    CU_ASSERT_EQUAL(sep, 0);
    CU_ASSERT_EQUAL(dir[0], 0);     /* cleared, never left stale */

    X[4] = 1;
    y[1] = 2;
    size_t rows[3] = {10, 11, 12};
    d.rows = rows;
    err.message[0] = 0;
    CU_ASSERT_EQUAL(df_separation_lp(&d, dir, &sep, &err), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 12"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "0 or 1"));

    /* no columns, no rows: nothing to separate */
    df_design e = mk(3, 0, X, y, NULL, terms);
    CU_ASSERT_EQUAL(df_separation_lp(&e, NULL, &sep, &err), 0);
    CU_ASSERT_EQUAL(sep, 0);
    double w0[3] = {0, 0, 0};
    y[1] = 1;
    df_design z = mk(3, 2, X, y, w0, terms);
    df_separation_lp_info info;
    CU_ASSERT_EQUAL(df_separation_lp_ex(&z, 0, 1, dir, NULL, &info, &err), 0);
    CU_ASSERT_EQUAL(info.separated, 0);
    CU_ASSERT_EQUAL(info.nrows, 0);
}

/* Overlap: a 2x2 table with every cell filled is not separated; the
 * single-column check and the LP agree. */
static void test_overlap(void)
{
    double X[2 * 8] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1};
    double y[8] = {0, 1, 0, 0, 1, 0, 1, 1};
    char *terms[] = {"(Intercept)", "defense"};
    int dir[2], sep = -1;
    dyadfit_error err = {0, ""};
    df_design d = mk(8, 2, X, y, NULL, terms);
    CU_ASSERT_EQUAL(df_separation_lp(&d, dir, &sep, &err), 0);
    CU_ASSERT_EQUAL(sep, 0);
    CU_ASSERT_EQUAL(df_separation_check(&d, NULL, NULL, NULL, 0), 0);
    y[1] = y[4] = 0;  /* defense = 0 now predicts failure: quasi-complete */
    CU_ASSERT_EQUAL(df_separation_lp(&d, dir, &sep, &err), 0);
    CU_ASSERT_EQUAL(sep, 1);
    CU_ASSERT_EQUAL(dir[0], -1);
    CU_ASSERT_EQUAL(dir[1], 1);
}

/* The demo model on the bundled Leeds-style dyad-years (130k rows, 11
 * columns): not separated (R's glm converges to finite estimates there:
 * tests/reference/values/leeds_logit_oim.csv), and fast. detectseparation's
 * lpsolve takes over 15 minutes on it, so its reference is not stored. */
static void test_leeds(void)
{
    dyadfit_table *t = NULL;
    df_design *d = NULL;
    dyadfit_error err = {0, ""};
    df_design_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.formula = "mid_onset ~ defense + neutrality + entente + contig + "
                   "log(cap_ratio) + jointdem + majpow + peaceyrs + "
                   "I(peaceyrs^2) + I(peaceyrs^3)";
    spec.binary_response = 1;
    CU_ASSERT_EQUAL_FATAL(dyadfit_read("data/leeds_dyads.dta", NULL, &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(df_design_build(t, &spec, &d, &err), 0);
    CU_ASSERT_EQUAL(d->n, 130420);
    CU_ASSERT_EQUAL(d->k, 11);
    int dir[11], sep = -1;
    clock_t c0 = clock();
    CU_ASSERT_EQUAL(df_separation_lp(d, dir, &sep, &err), 0);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    CU_ASSERT_EQUAL(sep, 0);
    for (int j = 0; j < 11; j++) CU_ASSERT_EQUAL(dir[j], 0);
    fprintf(stderr, "  leeds: n %zu k %zu not separated: %.2f s CPU\n", d->n, d->k, secs);
    CU_ASSERT(secs < 10);
    df_design_free(d);
    dyadfit_table_free(t);
}

int main(void)
{
    static const tu_test tests[] = {
        {"reference cases (detectseparation)", test_reference_cases},
        {"Leeds demo model: not separated, fast", test_leeds},
        {"column on a large scale", test_large_scale_column},
        {"weights 0 leave rows out", test_weights},
        {"constant outcome", test_constant_outcome},
        {"bad input", test_bad_input},
        {"overlap vs quasi-complete", test_overlap},
        {NULL, NULL}};
    return tu_run("separation_lp", tests);
}
