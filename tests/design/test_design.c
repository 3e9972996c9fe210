/*
 * test_design.c -- the design layer against R's model.matrix (reference
 * values from tests/reference/design_names.R, stored in
 * tests/reference/design_names.txt), plus listwise deletion, cluster ids,
 * weights, collinearity, subsetting and every error path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "design/design.h"

#define MIN_LRE 14.0

static double g_minlre = 17;

/* ------------------------------------------------------ helpers */

static dyadfit_table *table_new(size_t n)
{
    dyadfit_table *t = NULL;
    dyadfit_error e;
    CU_ASSERT_FATAL(dyadfit_table_new(n, &t, &e) == 0);
    return t;
}

static void add_num(dyadfit_table *t, const char *name, const double *v)
{
    dyadfit_error e;
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, name, v, &e) == 0);
}

static void add_str(dyadfit_table *t, const char *name, const char *const *v)
{
    dyadfit_error e;
    CU_ASSERT_FATAL(dyadfit_table_add_string(t, name, v, &e) == 0);
}

/* Builds and expects failure with `code` and a message containing `want`. */
static void expect_error(const dyadfit_table *t, const df_design_spec *sp, int code,
                         const char *want)
{
    df_design *d = NULL;
    dyadfit_error e;
    memset(&e, 0, sizeof e);
    int rc = df_design_build(t, sp, &d, &e);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(e.code, code);
    CU_ASSERT_PTR_NULL(d);
    if (!strstr(e.message, want) || rc != code)
        fprintf(stderr, "  formula \"%s\": got %d \"%s\", want %d \"%s\"\n",
                sp->formula, rc, e.message, code, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, want));
    df_design_free(d);
}

static void expect_formula_error(const dyadfit_table *t, const char *f, int code,
                                 const char *want)
{
    df_design_spec sp = {.formula = f, .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 0};
    expect_error(t, &sp, code, want);
}

static size_t term_index(const df_design *d, const char *name)
{
    for (size_t j = 0; j < d->k; j++)
        if (!strcmp(d->terms[j], name)) return j;
    return (size_t)-1;
}

/* --------------------------------------------- the R reference file */

typedef struct {
    char *formula, *normal;
    size_t nrow;
    size_t *rows;
    size_t ncol;
    char **names;
    double **vals;
    size_t nalias;
    char **alias;
} refmodel;

static dyadfit_table *g_tab;
static refmodel g_ref[64];
static size_t g_nref;

static char *dupstr(const char *s) { char *p = malloc(strlen(s) + 1); strcpy(p, s); return p; }

static void chomp(char *s) { size_t n = strlen(s); while (n && (s[n-1] == '\n' || s[n-1] == '\r')) s[--n] = 0; }

static int load_ref(void)
{
    FILE *f = fopen(tu_path("tests/reference/design_names.txt"), "r");
    if (!f) return -1;
    static char line[1 << 16];
    size_t nrow = 0;
    refmodel *m = NULL;
    while (fgets(line, sizeof line, f)) {
        chomp(line);
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        char *rest = tab + 1;
        if (!strcmp(line, "NROW")) {
            nrow = strtoul(rest, NULL, 10);
            g_tab = table_new(nrow);
        } else if (!strcmp(line, "N") || !strcmp(line, "S")) {
            char *t2 = strchr(rest, '\t');
            *t2 = 0;
            double *v = malloc(nrow * sizeof *v);
            char **s = malloc(nrow * sizeof *s);
            char *p = t2 + 1, *tok;
            for (size_t i = 0; i < nrow; i++) {
                tok = strtok(i ? NULL : p, " ");
                s[i] = tok;
                v[i] = strcmp(tok, "NA") ? strtod(tok, NULL) : NAN;
            }
            if (line[0] == 'N') add_num(g_tab, rest, v);
            else add_str(g_tab, rest, (const char *const *)s);
            free(v);
            free(s);
        } else if (!strcmp(line, "F")) {
            m = &g_ref[g_nref++];
            memset(m, 0, sizeof *m);
            m->formula = dupstr(rest);
        } else if (!strcmp(line, "T")) {
            if (rest[0] == ' ') { free(m->normal); m->normal = NULL; }  /* wrapped */
            else m->normal = dupstr(rest);
        } else if (!strcmp(line, "R")) {
            m->rows = malloc(nrow * sizeof *m->rows);
            for (char *tok = strtok(rest, " "); tok; tok = strtok(NULL, " "))
                m->rows[m->nrow++] = strtoul(tok, NULL, 10) - 1;
        } else if (!strcmp(line, "C")) {
            char *t2 = strchr(rest, '\t');
            *t2 = 0;
            m->names = realloc(m->names, (m->ncol + 1) * sizeof *m->names);
            m->vals = realloc(m->vals, (m->ncol + 1) * sizeof *m->vals);
            m->names[m->ncol] = dupstr(rest);
            double *v = malloc(m->nrow * sizeof *v);
            size_t i = 0;
            for (char *tok = strtok(t2 + 1, " "); tok && i < m->nrow; tok = strtok(NULL, " "))
                v[i++] = strtod(tok, NULL);
            m->vals[m->ncol++] = v;
        } else if (!strcmp(line, "A")) {
            m->alias = realloc(m->alias, (m->nalias + 1) * sizeof *m->alias);
            m->alias[m->nalias++] = dupstr(rest);
        }
    }
    fclose(f);
    return g_tab && g_nref ? 0 : -1;
}

static void free_ref(void)
{
    for (size_t r = 0; r < g_nref; r++) {
        refmodel *m = &g_ref[r];
        free(m->formula);
        free(m->normal);
        free(m->rows);
        for (size_t j = 0; j < m->ncol; j++) { free(m->names[j]); free(m->vals[j]); }
        free(m->names);
        free(m->vals);
        for (size_t j = 0; j < m->nalias; j++) free(m->alias[j]);
        free(m->alias);
    }
    g_nref = 0;
    dyadfit_table_free(g_tab);
    g_tab = NULL;
}

static int is_alias(const refmodel *m, const char *name)
{
    for (size_t j = 0; j < m->nalias; j++)
        if (!strcmp(m->alias[j], name)) return 1;
    return 0;
}

/* One formula: rows, names, values and collinear columns as R has them. */
static void check_model(const refmodel *m)
{
    df_design_spec sp = {.formula = m->formula, .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 0};
    df_design *d = NULL;
    dyadfit_error e;
    int rc = df_design_build(g_tab, &sp, &d, &e);
    if (rc) fprintf(stderr, "  \"%s\": %s\n", m->formula, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    /* the normalised text drops R's integer suffix (2L -> 2), as the
     * column names do; R's deparse(formula) keeps it */
    if (m->normal && !strstr(m->formula, "2L")) {
        CU_ASSERT_STRING_EQUAL(d->formula, m->normal);
    }
    CU_ASSERT_EQUAL(d->n, m->nrow);
    CU_ASSERT_EQUAL(d->ndropped, 30 - m->nrow);
    for (size_t i = 0; i < m->nrow && i < d->n; i++) CU_ASSERT_EQUAL(d->rows[i], m->rows[i]);
    CU_ASSERT_EQUAL(d->intercept, !strcmp(m->names[0], "(Intercept)"));
    /* kept columns: R's minus the aliased, in R's order */
    size_t jd = 0;
    for (size_t j = 0; j < m->ncol; j++) {
        if (is_alias(m, m->names[j])) continue;
        if (jd >= d->k) { CU_FAIL("too few columns"); break; }
        if (strcmp(d->terms[jd], m->names[j]))
            fprintf(stderr, "  \"%s\": column %zu is '%s', R has '%s'\n", m->formula, jd,
                    d->terms[jd], m->names[j]);
        CU_ASSERT_STRING_EQUAL(d->terms[jd], m->names[j]);
        for (size_t i = 0; i < m->nrow && i < d->n; i++) {
            double lre = tu_lre(d->X[jd * d->n + i], m->vals[j][i]);
            if (lre < g_minlre) g_minlre = lre;
            TU_ASSERT_LRE(d->X[jd * d->n + i], m->vals[j][i], MIN_LRE);
        }
        jd++;
    }
    CU_ASSERT_EQUAL(jd, d->k);
    CU_ASSERT_EQUAL(d->ncollinear, m->nalias);
    for (size_t j = 0; j < m->nalias && j < d->ncollinear; j++) {
        if (strcmp(d->collinear[j], m->alias[j]))
            fprintf(stderr, "  \"%s\": collinear %zu is '%s', R has '%s'\n", m->formula, j,
                    d->collinear[j], m->alias[j]);
        CU_ASSERT_STRING_EQUAL(d->collinear[j], m->alias[j]);
    }
    /* y is the response over the rows used */
    for (size_t i = 0; i < d->n; i++)
        CU_ASSERT_EQUAL(d->y[i], g_tab->cols[0].num[d->rows[i]]);
    df_design_free(d);
}

static void test_against_r(void)
{
    CU_ASSERT_FATAL(load_ref() == 0);
    CU_ASSERT(g_nref >= 20);
    for (size_t r = 0; r < g_nref; r++) check_model(&g_ref[r]);
    fprintf(stderr, "  %zu formulas vs R model.matrix: min LRE %.1f\n", g_nref, g_minlre);
    free_ref();
}

/* ------------------------------------------------------ small tables */

/* 12 rows: y, x (with a missing), z, w (weights, one missing), g (string
 * cluster, one missing), h (numeric cluster), s (string, one missing). */
static const double Y[12] = {0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0};
static const double X[12] = {1.5, 2, NAN, 4, 0.5, 6, 7, 8, 9, 10, 11, 12};
static const double Z[12] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
static const double W[12] = {1, 2, 1, 1, NAN, 1, 2, 1, 1, 3, 1, 1};
static const char *const G[12] = {"us", "fr", "us", "de", "fr", NULL, "us", "de",
                                   "fr", "it", "it", "us"};
static const double H[12] = {5, 5, 7, 7, -0.0, 0, 5, 9, 9, 9, 7, 5};
static const char *const S[12] = {"b", "a", "c", "a", "b", "c", "a", NULL, "b",
                                  "c", "a", "b"};

static dyadfit_table *small_table(void)
{
    dyadfit_table *t = table_new(12);
    add_num(t, "y", Y);
    add_num(t, "x", X);
    add_num(t, "z", Z);
    add_num(t, "w", W);
    add_str(t, "g", G);
    add_num(t, "h", H);
    add_str(t, "s", S);
    return t;
}

static void test_deletion_and_clusters(void)
{
    dyadfit_table *t = small_table();
    df_design_spec sp = {.formula = "y ~ x + z", .weights = "w", .offset = NULL, .cluster = {"g", "h"}, .binary_response = 1};
    df_design *d = NULL;
    dyadfit_error e;
    int rc = df_design_build(t, &sp, &d, &e);
    if (rc) fprintf(stderr, "  %s\n", e.message);
    CU_ASSERT_FATAL(rc == 0);
    /* missing: x row 3, w row 5, g row 6 -> rows 1,2,4,7..12 used */
    static const size_t rows[9] = {0, 1, 3, 6, 7, 8, 9, 10, 11};
    CU_ASSERT_EQUAL(d->n, 9);
    CU_ASSERT_EQUAL(d->nrow_source, 12);
    CU_ASSERT_EQUAL(d->ndropped, 3);
    for (size_t i = 0; i < 9; i++) CU_ASSERT_EQUAL(d->rows[i], rows[i]);
    /* per-variable counts in formula order: y x z w g h */
    static const char *vars[6] = {"y", "x", "z", "w", "g", "h"};
    static const size_t miss[6] = {0, 1, 0, 1, 1, 0};
    CU_ASSERT_EQUAL_FATAL(d->ndrops, 6);
    for (size_t j = 0; j < 6; j++) {
        CU_ASSERT_STRING_EQUAL(d->drops[j].variable, vars[j]);
        CU_ASSERT_EQUAL(d->drops[j].rows, miss[j]);
    }
    CU_ASSERT_STRING_EQUAL(d->response, "y");
    CU_ASSERT_EQUAL(d->k, 3);
    for (size_t i = 0; i < 9; i++) {
        CU_ASSERT_EQUAL(d->y[i], Y[rows[i]]);
        CU_ASSERT_EQUAL(d->w[i], W[rows[i]]);
        CU_ASSERT_EQUAL(d->X[0 * 9 + i], 1.0);
        CU_ASSERT_EQUAL(d->X[1 * 9 + i], X[rows[i]]);
        CU_ASSERT_EQUAL(d->X[2 * 9 + i], Z[rows[i]]);
    }
    CU_ASSERT_PTR_NULL(d->offset);
    /* clusters: dense by first appearance over the rows used */
    CU_ASSERT_EQUAL(d->ncluster, 2);
    static const size_t g0[9] = {0, 1, 2, 0, 2, 1, 3, 3, 0};   /* us fr de us de fr it it us */
    static const size_t g1[9] = {0, 0, 1, 0, 2, 2, 2, 1, 0};   /* 5 5 7 5 9 9 9 7 5 */
    CU_ASSERT_EQUAL(d->ng[0], 4);
    CU_ASSERT_EQUAL(d->ng[1], 3);
    for (size_t i = 0; i < 9; i++) {
        CU_ASSERT_EQUAL(d->cl[0][i], g0[i]);
        CU_ASSERT_EQUAL(d->cl[1][i], g1[i]);
    }

    /* subset: drop rows 0 and 1 (clusters renumber) and column x */
    unsigned char keep[9] = {0, 0, 1, 1, 1, 1, 1, 1, 1}, keepcol[3] = {1, 0, 1};
    CU_ASSERT_EQUAL_FATAL(df_design_subset(d, keep, keepcol, &e), 0);
    CU_ASSERT_EQUAL(d->n, 7);
    CU_ASSERT_EQUAL(d->k, 2);
    CU_ASSERT_STRING_EQUAL(d->terms[0], "(Intercept)");
    CU_ASSERT_STRING_EQUAL(d->terms[1], "z");
    CU_ASSERT_EQUAL(d->intercept, 1);
    static const size_t s0[7] = {0, 1, 0, 2, 2, 1, 3};          /* de us de it it us + fr */
    static const size_t s1[7] = {0, 1, 2, 2, 2, 0, 1};          /* 7 5 9 9 9 7 5 */
    for (size_t i = 0; i < 7; i++) {
        CU_ASSERT_EQUAL(d->rows[i], rows[i + 2]);
        CU_ASSERT_EQUAL(d->y[i], Y[rows[i + 2]]);
        CU_ASSERT_EQUAL(d->w[i], W[rows[i + 2]]);
        CU_ASSERT_EQUAL(d->X[0 * 7 + i], 1.0);
        CU_ASSERT_EQUAL(d->X[1 * 7 + i], Z[rows[i + 2]]);
        CU_ASSERT_EQUAL(d->cl[1][i], s1[i]);
    }
    /* rows used after the subset: de us de fr it it us */
    static const size_t s0b[7] = {0, 1, 0, 2, 3, 3, 1};
    (void)s0;
    for (size_t i = 0; i < 7; i++) CU_ASSERT_EQUAL(d->cl[0][i], s0b[i]);
    CU_ASSERT_EQUAL(d->ng[0], 4);
    CU_ASSERT_EQUAL(d->ng[1], 3);
    /* removing everything is refused and leaves d intact */
    unsigned char none[7] = {0};
    CU_ASSERT_EQUAL(df_design_subset(d, none, NULL, &e), DYADFIT_ERR_DATA);
    CU_ASSERT_EQUAL(d->n, 7);
    unsigned char nocol[2] = {0, 0};
    CU_ASSERT_EQUAL(df_design_subset(d, NULL, nocol, &e), DYADFIT_ERR_SPEC);
    CU_ASSERT_EQUAL(d->k, 2);
    df_design_free(d);
    dyadfit_table_free(t);
}

static void test_string_factor_and_offset(void)
{
    dyadfit_table *t = small_table();
    df_design_spec sp = {.formula = "y ~ s + z", .weights = NULL, .offset = "x", .cluster = {NULL, NULL}, .binary_response = 0};
    df_design *d = NULL;
    dyadfit_error e;
    CU_ASSERT_FATAL(df_design_build(t, &sp, &d, &e) == 0);
    /* s missing in row 8, offset x in row 3 */
    CU_ASSERT_EQUAL(d->n, 10);
    CU_ASSERT_EQUAL(d->k, 4);
    CU_ASSERT_STRING_EQUAL(d->terms[1], "sb");
    CU_ASSERT_STRING_EQUAL(d->terms[2], "sc");
    CU_ASSERT_STRING_EQUAL(d->drops[1].variable, "s");
    CU_ASSERT_EQUAL(d->drops[1].rows, 1);
    CU_ASSERT_STRING_EQUAL(d->drops[3].variable, "x");
    CU_ASSERT_EQUAL(d->drops[3].rows, 1);
    for (size_t i = 0; i < d->n; i++) {
        size_t r = d->rows[i];
        CU_ASSERT_EQUAL(d->offset[i], X[r]);
        CU_ASSERT_EQUAL(d->X[1 * d->n + i], strcmp(S[r], "b") ? 0.0 : 1.0);
        CU_ASSERT_EQUAL(d->X[2 * d->n + i], strcmp(S[r], "c") ? 0.0 : 1.0);
    }
    CU_ASSERT_EQUAL(d->ncluster, 0);
    CU_ASSERT_PTR_NULL(d->w);
    df_design_free(d);
    dyadfit_table_free(t);
}

/* A factor level present only in deleted rows yields no column; a column
 * that is zero in every used row is dropped as collinear. */
static void test_zero_column(void)
{
    static const double y[6] = {0, 1, 0, 1, 1, 0}, a[6] = {1, 2, 3, 4, 5, 6},
                        b[6] = {0, 0, 0, 0, 0, 0}, q[6] = {1, 1, 2, 2, 3, NAN};
    dyadfit_table *t = table_new(6);
    add_num(t, "y", y);
    add_num(t, "a", a);
    add_num(t, "b", b);
    add_num(t, "q", q);
    df_design_spec sp = {.formula = "y ~ a + b + factor(q) + I(a * 2)", .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 1};
    df_design *d = NULL;
    dyadfit_error e;
    CU_ASSERT_FATAL(df_design_build(t, &sp, &d, &e) == 0);
    CU_ASSERT_EQUAL(d->k, 4);
    CU_ASSERT_STRING_EQUAL(d->terms[2], "factor(q)2");
    CU_ASSERT_STRING_EQUAL(d->terms[3], "factor(q)3");
    CU_ASSERT_EQUAL_FATAL(d->ncollinear, 2);
    CU_ASSERT_STRING_EQUAL(d->collinear[0], "b");
    CU_ASSERT_STRING_EQUAL(d->collinear[1], "I(a * 2)");
    df_design_free(d);
    /* nothing usable left */
    df_design_spec s2 = {.formula = "y ~ b - 1", .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 1};
    expect_error(t, &s2, DYADFIT_ERR_SPEC, "no usable columns");
    dyadfit_table_free(t);
}

/* Numeric factor levels print as R's as.character(). */
static void test_factor_levels(void)
{
    static const double y[8] = {0, 1, 0, 1, 1, 0, 1, 0},
                        r[8] = {10, 1, 2, 1.5, -1, 1e5, 0.001, 2};
    dyadfit_table *t = table_new(8);
    add_num(t, "y", y);
    add_num(t, "r", r);
    df_design_spec sp = {.formula = "y ~ factor(r) - 1", .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 0};
    df_design *d = NULL;
    dyadfit_error e;
    CU_ASSERT_FATAL(df_design_build(t, &sp, &d, &e) == 0);
    static const char *names[7] = {"factor(r)-1", "factor(r)0.001", "factor(r)1",
                                   "factor(r)1.5", "factor(r)2", "factor(r)10",
                                   "factor(r)1e+05"};
    CU_ASSERT_EQUAL_FATAL(d->k, 7);
    for (size_t j = 0; j < 7; j++) CU_ASSERT_STRING_EQUAL(d->terms[j], names[j]);
    CU_ASSERT_EQUAL(d->intercept, 0);
    CU_ASSERT_EQUAL(d->X[4 * 8 + 2], 1.0);   /* row 3 is r = 2 */
    CU_ASSERT_EQUAL(d->X[4 * 8 + 7], 1.0);
    CU_ASSERT_EQUAL(d->X[4 * 8 + 0], 0.0);
    df_design_free(d);
    dyadfit_table_free(t);
}

/* ------------------------------------------------------------ errors */

static void test_formula_errors(void)
{
    dyadfit_table *t = small_table();
    expect_formula_error(t, "y ~", DYADFIT_ERR_SPEC,
                         "formula \"y ~\": expected a term after '~' at position 3");
    expect_formula_error(t, "~ x", DYADFIT_ERR_SPEC, "missing response before '~' at position 1");
    expect_formula_error(t, "y ~ x +", DYADFIT_ERR_SPEC,
                         "formula \"y ~ x +\": expected a term after '+' at position 7");
    expect_formula_error(t, "y ~ (x", DYADFIT_ERR_SPEC, "missing ')' to close '(' at position 5");
    expect_formula_error(t, "y ~ log(x", DYADFIT_ERR_SPEC,
                         "missing ')' to close 'log(' at position 5");
    expect_formula_error(t, "y x", DYADFIT_ERR_SPEC, "unexpected 'x' at position 3");
    expect_formula_error(t, "y ~ x)", DYADFIT_ERR_SPEC, "unmatched ')' at position 6");
    expect_formula_error(t, "y ~ foo(x)", DYADFIT_ERR_SPEC,
                         "unknown function 'foo' at position 5");
    expect_formula_error(t, "y ~ x + 1.2.3", DYADFIT_ERR_SPEC,
                         "malformed number '1.2.3' at position 9");
    expect_formula_error(t, "y ~ I(2x)", DYADFIT_ERR_SPEC, "malformed number '2x' at position 7");
    expect_formula_error(t, "y ~ I(x^1e999)", DYADFIT_ERR_SPEC, "malformed number '1e999'");
    expect_formula_error(t, "y ~ x + 2", DYADFIT_ERR_SPEC, "invalid term '2' at position 9");
    expect_formula_error(t, "y ~ x $ z", DYADFIT_ERR_SPEC, "unexpected character '$' at position 7");
    expect_formula_error(t, "", DYADFIT_ERR_SPEC, "no formula");
    expect_formula_error(t, "y", DYADFIT_ERR_SPEC, "missing '~'");
    expect_formula_error(t, "y ~ x ~ z", DYADFIT_ERR_SPEC, "unexpected '~' at position 7");
    expect_formula_error(t, "y ~ poly(x, 3)", DYADFIT_ERR_SPEC, "raw = TRUE");
    expect_formula_error(t, "y ~ poly(x, 0, raw = TRUE)", DYADFIT_ERR_SPEC, "degree of poly()");
    expect_formula_error(t, "y ~ log(x, 10)", DYADFIT_ERR_SPEC, "log() at position 5 takes exactly one");
    expect_formula_error(t, "y ~ factor(x + z)", DYADFIT_ERR_SPEC, "factor() at position 5 takes one variable");
    expect_formula_error(t, "y ~ I(x:z)", DYADFIT_ERR_SPEC, "operator ':' at position 8");
    expect_formula_error(t, "y ~ x/z", DYADFIT_ERR_SPEC,
                         "operator '/' at position 6 (nesting) is not supported in formulas; write I(a/b)");
    expect_formula_error(t, "y ~ (x + z)^x", DYADFIT_ERR_SPEC, "must be a positive whole number");
    expect_formula_error(t, "y ~ y + x", DYADFIT_ERR_SPEC, "'y' also appears on the right-hand side");
    expect_formula_error(t, "y ~ x + log(y + 1)", DYADFIT_ERR_SPEC,
                         "formula \"y ~ x + log(y + 1)\": the response 'y' also appears "
                         "on the right-hand side, in log(y + 1)");
    expect_formula_error(t, "y ~ I(y * 2)", DYADFIT_ERR_SPEC,
                         "the response 'y' also appears on the right-hand side, in I(y * 2)");
    expect_formula_error(t, "y ~ x * sqrt(abs(y))", DYADFIT_ERR_SPEC,
                         "right-hand side, in sqrt(abs(y))");
    expect_formula_error(t, "y ~ poly(y, 2, raw = TRUE)", DYADFIT_ERR_SPEC,
                         "right-hand side, in poly(y, 2, raw = TRUE)");
    expect_formula_error(t, "y ~ x:y", DYADFIT_ERR_SPEC,
                         "the response 'y' also appears on the right-hand side");
    expect_formula_error(t, "log(y) ~ x", DYADFIT_ERR_SPEC, "the response must be a variable name, not 'log(y)'");
    expect_formula_error(t, "y ~ x - x - 1", DYADFIT_ERR_SPEC, "no terms and no intercept");
    expect_formula_error(t, "y ~ .", DYADFIT_ERR_SPEC, "'.' (all other variables) at position 5");
    expect_formula_error(t, "y ~ I(factor(s))", DYADFIT_ERR_SPEC,
                         "factor() at position 7 cannot be used inside");
    expect_formula_error(t, "y ~ z + `x y`", DYADFIT_ERR_SPEC, "variable 'x y' not found");
    expect_formula_error(t, "y ~ I(s + 1)", DYADFIT_ERR_SPEC, "'s' is a string");
    dyadfit_table_free(t);
}

static void test_variable_errors(void)
{
    dyadfit_table *t = table_new(3);
    static const double v[3] = {0, 1, 0};
    add_num(t, "mid", v);
    add_num(t, "defense", v);
    add_num(t, "contig", v);
    expect_formula_error(t, "mid ~ defence + contig", DYADFIT_ERR_SPEC,
                         "variable 'defence' not found in the data; did you mean 'defense'?");
    expect_formula_error(t, "mid ~ contig + zzzzzz", DYADFIT_ERR_SPEC,
                         "variable 'zzzzzz' not found in the data");
    df_design_spec sp = {.formula = "mid ~ contig", .weights = "wt", .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 0};
    expect_error(t, &sp, DYADFIT_ERR_SPEC, "weight variable 'wt' not found in the data");
    df_design_spec sp2 = {.formula = "mid ~ contig", .weights = NULL, .offset = NULL, .cluster = {"dyad", NULL}, .binary_response = 0};
    expect_error(t, &sp2, DYADFIT_ERR_SPEC, "cluster variable 'dyad' not found");
    df_design_spec sp3 = {.formula = "mid ~ contig", .weights = NULL, .offset = "ofset", .cluster = {NULL, NULL}, .binary_response = 0};
    expect_error(t, &sp3, DYADFIT_ERR_SPEC, "offset variable 'ofset' not found");
    /* the message must not suggest anything for a far-off name */
    df_design *d = NULL;
    dyadfit_error e;
    df_design_spec sp4 = {.formula = "mid ~ qqqqqq", .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 0};
    CU_ASSERT_EQUAL(df_design_build(t, &sp4, &d, &e), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NULL(strstr(e.message, "did you mean"));
    dyadfit_table_free(t);
}

static void test_response_errors(void)
{
    dyadfit_table *t = table_new(50);
    double y[50], c[50], x[50], z[50];
    const char *s[50];
    for (size_t i = 0; i < 50; i++) {
        y[i] = i % 2;
        c[i] = 0;
        x[i] = (double)i;
        z[i] = NAN;
        s[i] = i % 2 ? "yes" : "no";
    }
    y[14] = 2;
    y[39] = -1;
    y[44] = 2;
    c[3] = NAN;
    add_num(t, "mid", y);
    add_num(t, "zero", c);
    add_num(t, "x", x);
    add_num(t, "z", z);
    add_str(t, "str", s);
    df_design_spec sp = {.formula = "mid ~ x", .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 1};
    expect_error(t, &sp, DYADFIT_ERR_SPEC, "outcome 'mid' must be 0/1; found 2 (row 15), -1 (row 40)");
    sp.formula = "zero ~ x";
    expect_error(t, &sp, DYADFIT_ERR_DATA, "outcome 'zero' is always 0 in the 49 rows used");
    sp.formula = "str ~ x";
    expect_error(t, &sp, DYADFIT_ERR_SPEC, "outcome 'str' is a string variable");
    sp.formula = "zero ~ x + z";
    expect_error(t, &sp, DYADFIT_ERR_DATA, "no rows left: all 50 rows have a missing value (zero: 1, z: 50)");
    /* without binary_response, a non-0/1 response is fine */
    df_design *d = NULL;
    dyadfit_error e;
    df_design_spec sp2 = {.formula = "mid ~ x", .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 0};
    CU_ASSERT_EQUAL(df_design_build(t, &sp2, &d, &e), 0);
    CU_ASSERT_EQUAL(d->y[14], 2);
    df_design_free(d);
    dyadfit_table_free(t);
}

static void test_value_errors(void)
{
    dyadfit_table *t = table_new(14);
    double y[14], cap[14], neg[14], w0[14], wn[14], inf[14];
    for (size_t i = 0; i < 14; i++) {
        y[i] = i % 2;
        cap[i] = 1 + (double)i;
        neg[i] = 2 - (double)i;
        w0[i] = 1;
        wn[i] = 1;
        inf[i] = 1;
    }
    cap[11] = 0;
    w0[6] = 0;
    wn[8] = -1;
    inf[2] = INFINITY;
    add_num(t, "mid", y);
    add_num(t, "cap_ratio", cap);
    add_num(t, "neg", neg);
    add_num(t, "w0", w0);
    add_num(t, "wn", wn);
    add_num(t, "inf", inf);
    expect_formula_error(t, "mid ~ log(cap_ratio)", DYADFIT_ERR_DATA,
                         "log(cap_ratio): value 0 at row 12 is outside the domain");
    expect_formula_error(t, "mid ~ sqrt(neg)", DYADFIT_ERR_DATA,
                         "sqrt(neg): value -1 at row 4 is outside the domain");
    expect_formula_error(t, "mid ~ I(1/cap_ratio)", DYADFIT_ERR_DATA,
                         "I(1/cap_ratio): 1 / 0 at row 12 is infinite");
    expect_formula_error(t, "mid ~ exp(cap_ratio * 100)", DYADFIT_ERR_DATA,
                         "exp(cap_ratio * 100): value 800 at row 8 is outside the domain");
    expect_formula_error(t, "mid ~ inf", DYADFIT_ERR_DATA, "variable 'inf' is infinite at row 3");
    df_design_spec sp = {.formula = "mid ~ cap_ratio", .weights = "w0", .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 1};
    expect_error(t, &sp, DYADFIT_ERR_DATA, "weight 'w0' is zero (0) at row 7");
    sp.weights = "wn";
    expect_error(t, &sp, DYADFIT_ERR_DATA, "weight 'wn' is negative (-1) at row 9");
    dyadfit_table_free(t);
}

/* Big enough to cross the collinearity check's row blocks. */
static void test_large(void)
{
    size_t n = 5000;
    double *y = malloc(n * sizeof *y), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b),
           *c = malloc(n * sizeof *c), *yr = malloc(n * sizeof *yr);
    for (size_t i = 0; i < n; i++) {
        y[i] = (i * 7919) % 3 == 0;
        a[i] = sin((double)i);
        b[i] = cos((double)i * 0.5);
        c[i] = 3 * a[i] - 0.5 * b[i] + 2;   /* collinear with 1, a, b */
        yr[i] = 1816 + (double)(i % 195);   /* large mean: not collinear */
    }
    dyadfit_table *t = table_new(n);
    add_num(t, "y", y);
    add_num(t, "a", a);
    add_num(t, "b", b);
    add_num(t, "c", c);
    add_num(t, "year", yr);
    df_design_spec sp = {.formula = "y ~ a + b + c + year + I(year^2)", .weights = NULL, .offset = NULL, .cluster = {NULL, NULL}, .binary_response = 1};
    df_design *d = NULL;
    dyadfit_error e;
    CU_ASSERT_FATAL(df_design_build(t, &sp, &d, &e) == 0);
    CU_ASSERT_EQUAL(d->k, 5);
    CU_ASSERT_EQUAL_FATAL(d->ncollinear, 1);
    CU_ASSERT_STRING_EQUAL(d->collinear[0], "c");
    CU_ASSERT_EQUAL(term_index(d, "I(year^2)"), 4);
    CU_ASSERT_EQUAL(d->X[4 * n + 10], (1816.0 + 10) * (1816.0 + 10));
    df_design_free(d);
    dyadfit_table_free(t);
    free(y); free(a); free(b); free(c); free(yr);
}

int main(void)
{
    static const tu_test tests[] = {
        {"model.matrix names and values vs R", test_against_r},
        {"listwise deletion, weights, clusters, subset", test_deletion_and_clusters},
        {"string factor and offset", test_string_factor_and_offset},
        {"zero and collinear columns", test_zero_column},
        {"numeric factor level names", test_factor_levels},
        {"malformed formulas", test_formula_errors},
        {"unknown variables", test_variable_errors},
        {"response errors", test_response_errors},
        {"domain, weight and infinite-value errors", test_value_errors},
        {"collinearity across row blocks", test_large},
        {NULL, NULL}};
    return tu_run("design", tests);
}
