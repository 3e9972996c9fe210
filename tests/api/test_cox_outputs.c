/*
 * test_cox_outputs.c -- the Cox model's tables after the fit
 * (dyadfit_model.cox_outputs): baseline cumulative hazard with the numbers
 * at risk, and the martingale, deviance, score, Schoenfeld and dfbeta
 * residuals, against survival::basehaz(fit, centered = FALSE), survfit and
 * residuals.coxph (tests/reference/make_cox_outputs.R wrote the TSV files),
 * at relative precision 1e-8 (LRE >= 8) for every cell; rows, strata labels
 * and column names must be equal. Then the request's error paths.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "table/table.h"
#include "testutil.h"

#define MIN_LRE 8

/* A reference TSV: header names, then cells as text. */
typedef struct {
    size_t nrow, ncol;
    char **name;
    char **cell;              /* nrow x ncol, row-major */
    char *buf;
} tsv;

static void tsv_free(tsv *t)
{
    free(t->name);
    free(t->cell);
    free(t->buf);
}

/* Splits the file in place; 0 on success. */
static int tsv_read(const char *path, tsv *t)
{
    memset(t, 0, sizeof *t);
    if (!(t->buf = tu_slurp(tu_path(path), NULL))) {
        fprintf(stderr, "  cannot read %s\n", path);
        return 1;
    }
    size_t lines = 0, fields = 0;
    for (char *p = t->buf; *p; p++) {
        lines += *p == '\n';
        fields += *p == '\t' || *p == '\n';
    }
    t->name = malloc((fields + 1) * sizeof *t->name);
    t->cell = malloc((fields + 1) * sizeof *t->cell);
    if (!t->name || !t->cell) return 1;
    char *line = t->buf;
    for (size_t l = 0; l < lines; l++) {
        char *end = strchr(line, '\n');
        *end = 0;
        size_t nf = 0;
        for (char *f = line;; nf++) {
            char *tab = strchr(f, '\t');
            if (tab) *tab = 0;
            if (l == 0) t->name[nf] = f;
            else t->cell[(l - 1) * t->ncol + nf] = f;
            if (!tab) break;
            f = tab + 1;
        }
        nf++;
        if (l == 0) t->ncol = nf;
        else if (nf != t->ncol) return 1;
        line = end + 1;
    }
    t->nrow = lines ? lines - 1 : 0;
    return 0;
}

/* Every column and cell of got against the reference file. */
static void compare(const dyadfit_table *got, const char *ref, const char *what)
{
    tsv want;
    CU_ASSERT_EQUAL_FATAL(tsv_read(ref, &want), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(dyadfit_table_ncol(got), want.ncol);
    CU_ASSERT_EQUAL(dyadfit_table_nrow(got), want.nrow);
    if (dyadfit_table_nrow(got) != want.nrow || dyadfit_table_ncol(got) != want.ncol) {
        fprintf(stderr, "  %s: %zu x %zu, want %zu x %zu\n", ref, dyadfit_table_nrow(got),
                dyadfit_table_ncol(got), want.nrow, want.ncol);
        tsv_free(&want);
        return;
    }
    for (size_t j = 0; j < want.ncol; j++) {
        const df_column *c = df_table_find(got, want.name[j]);
        CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(got, j), want.name[j]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        for (size_t i = 0; i < want.nrow; i++) {
            const char *w = want.cell[i * want.ncol + j];
            if (c->type == DF_COL_STRING) {
                const char *g = c->code[i] >= 0 ? c->levels[c->code[i]] : "";
                if (strcmp(g, w)) fprintf(stderr, "  %s row %zu %s: '%s', want '%s'\n", ref, i + 1, want.name[j], g, w);
                CU_ASSERT_STRING_EQUAL(g, w);
            } else if (!strcmp(want.name[j], "row") || !strcmp(want.name[j], "time")) {
                CU_ASSERT_EQUAL(c->num[i], strtod(w, NULL));
            } else {
                TU_CHECK_LRE(what, c->num[i], strtod(w, NULL), MIN_LRE);
            }
        }
    }
    tsv_free(&want);
}

typedef struct {
    const char *id, *formula;
    dyadfit_ties ties;
    int weights;
} ocase;

static const ocase cases[] = {
    {"cp_efron_w", "Surv(start, stop, event) ~ x1 + x2 + strata(g)", DYADFIT_TIES_EFRON, 1},
    {"cp_breslow_w", "Surv(start, stop, event) ~ x1 + x2 + strata(g)", DYADFIT_TIES_BRESLOW, 1},
    {"rc_efron", "Surv(stop, event) ~ x1 + x2", DYADFIT_TIES_EFRON, 0},
    {"rc_breslow_h", "Surv(stop, event) ~ x1 + strata(h)", DYADFIT_TIES_BRESLOW, 0},
};

static dyadfit_table *data(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(tu_path("tests/data/models/cox_outputs.csv"), NULL, &t, &err);
    if (rc) fprintf(stderr, "  %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return t;
}

static void model_of(dyadfit_model *m, const ocase *c, dyadfit_cox_outputs *o)
{
    dyadfit_model_init(m);
    m->estimator = DYADFIT_COX;
    m->formula = c->formula;
    m->ties = c->ties;
    m->tolerance = 1e-13;
    if (c->weights) {
        m->weights = "w";
        m->weight_type = DYADFIT_WEIGHT_PROBABILITY;
    }
    m->cox_outputs = o;
}

static void test_against_r(void)
{
    static const dyadfit_residual types[] = {DYADFIT_RESID_MARTINGALE, DYADFIT_RESID_DEVIANCE,
                                             DYADFIT_RESID_SCORE, DYADFIT_RESID_SCHOENFELD,
                                             DYADFIT_RESID_DFBETA};
    dyadfit_table *t = data();
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (size_t r = 0; r < sizeof types / sizeof *types; r++) {
            dyadfit_model m;
            dyadfit_cox_outputs o = {r == 0, types[r], NULL, NULL};
            dyadfit_result *res = NULL;
            dyadfit_error err = {0, ""};
            /* LRE categories are kept by pointer: static strings */
            static const char *const what[] = {"resid martingale", "resid deviance",
                                               "resid score", "resid schoenfeld",
                                               "resid dfbeta"};
            char ref[256];
            model_of(&m, &cases[c], &o);
            int rc = dyadfit_fit(t, &m, &res, &err);
            if (rc) fprintf(stderr, "  %s: %s\n", cases[c].id, err.message);
            CU_ASSERT_EQUAL_FATAL(rc, 0);
            CU_ASSERT_EQUAL(o.basehaz_table != NULL, r == 0);
            if (o.basehaz_table) {
                snprintf(ref, sizeof ref, "tests/reference/values/coxout_%s_basehaz.tsv", cases[c].id);
                compare(o.basehaz_table, ref, "basehaz");
            }
            snprintf(ref, sizeof ref, "tests/reference/values/coxout_%s_%s.tsv", cases[c].id,
                     dyadfit_residual_name(types[r]));
            compare(o.residual_table, ref, what[r]);
            dyadfit_cox_outputs_free(&o);
            CU_ASSERT_PTR_NULL(o.basehaz_table);
            CU_ASSERT_PTR_NULL(o.residual_table);
            dyadfit_result_free(res);
        }
    dyadfit_table_free(t);
}

/* The same numbers when the rows come through a filter: rows keep the
 * file's numbering. */
static void test_filter_rows(void)
{
    dyadfit_table *t = data();
    dyadfit_model m;
    dyadfit_cox_outputs o = {0, DYADFIT_RESID_MARTINGALE, NULL, NULL};
    dyadfit_result *r = NULL;
    dyadfit_error err;
    model_of(&m, &cases[2], &o);
    m.filter = "start >= 1";
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &r, &err), 0);
    const df_column *row = df_table_find(o.residual_table, "row");
    const df_column *st = df_table_find(t, "start");
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    CU_ASSERT_EQUAL(dyadfit_table_nrow(o.residual_table),
                    (size_t)dyadfit_result_stat(r, DYADFIT_STAT_NROWS_USED));
    for (size_t i = 0; i < dyadfit_table_nrow(o.residual_table); i++) {
        size_t src = (size_t)row->num[i] - 1;
        CU_ASSERT(st->num[src] >= 1);
        CU_ASSERT(src != 6);          /* row 7 has x1 missing */
        if (i) CU_ASSERT(row->num[i] > row->num[i - 1]);
    }
    dyadfit_cox_outputs_free(&o);
    dyadfit_result_free(r);
    dyadfit_table_free(t);
}

static void test_errors(void)
{
    dyadfit_table *t = data();
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_cox_outputs o = {1, DYADFIT_RESID_NONE, NULL, NULL};

    /* tables left from an earlier fit are refused, not leaked */
    model_of(&m, &cases[2], &o);
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &r, &err), 0);
    dyadfit_result_free(r);
    CU_ASSERT_PTR_NOT_NULL(o.basehaz_table);
    CU_ASSERT_PTR_NULL(o.residual_table);
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "dyadfit_cox_outputs_free"));
    CU_ASSERT_PTR_NULL(r);
    dyadfit_cox_outputs_free(&o);

    /* asked of another estimator: refused, not ignored */
    dyadfit_model lm;
    dyadfit_model_init(&lm);
    lm.estimator = DYADFIT_LOGIT;
    lm.formula = "event ~ x1";
    lm.cox_outputs = &o;
    CU_ASSERT_EQUAL(dyadfit_fit(t, &lm, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "are for the cox estimator"));
    CU_ASSERT_PTR_NULL(r);

    /* an unknown type */
    o.residuals = (dyadfit_residual)42;
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unknown residual type 42"));
    CU_ASSERT_PTR_NULL(o.basehaz_table);

    /* a failed fit leaves the outputs empty */
    o.residuals = DYADFIT_RESID_DFBETA;
    m.formula = "Surv(stop, event) ~ nosuch";
    CU_ASSERT_EQUAL(dyadfit_fit(t, &m, &r, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NULL(o.basehaz_table);
    CU_ASSERT_PTR_NULL(o.residual_table);

    /* names */
    CU_ASSERT_EQUAL(dyadfit_residual_parse("schoenfeld"), DYADFIT_RESID_SCHOENFELD);
    CU_ASSERT_EQUAL(dyadfit_residual_parse("dfbetas"), -1);
    CU_ASSERT_EQUAL(dyadfit_residual_parse(NULL), -1);
    CU_ASSERT_STRING_EQUAL(dyadfit_residual_name(DYADFIT_RESID_DEVIANCE), "deviance");
    dyadfit_cox_outputs_free(NULL);
    dyadfit_table_free(t);
}

int main(void)
{
    static const tu_test tests[] = {
        {"basehaz and residuals against survival", test_against_r},
        {"rows are the file's rows through a filter", test_filter_rows},
        {"request errors", test_errors},
        {NULL, NULL}};
    int rc = tu_run("cox-outputs", tests);
    tu_print_lre();
    return rc;
}
