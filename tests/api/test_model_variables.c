/* test_model_variables.c -- dyadfit_model_variables: the variables a model
 * uses (formula, weights, offset, cluster, group, absorb, filter), and that
 * reading only those gives the same fit as reading the whole file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "dyadfit.h"

/* Lists the model's variables and compares them with want (NULL-ended). */
static void expect_vars(const dyadfit_model *m, const char *const *want)
{
    char **v = NULL;
    size_t n = 99;
    dyadfit_error err;
    int rc = dyadfit_model_variables(m, &v, &n, &err);
    CU_ASSERT_EQUAL_FATAL(rc, DYADFIT_OK);
    size_t nw = 0;
    while (want[nw]) nw++;
    CU_ASSERT_EQUAL(n, nw);
    for (size_t i = 0; i < n && i < nw; i++) {
        CU_ASSERT_STRING_EQUAL(v[i], want[i]);
    }
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void test_formula(void)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.formula = "dispute ~ defense + log(cap_ratio) + I(peaceyrs^2) + peaceyrs + "
                "factor(region):contig + poly(year, 2) + defense:contig";
    const char *want[] = {"dispute", "defense", "cap_ratio", "peaceyrs", "region",
                          "contig", "year", NULL};
    expect_vars(&m, want);
}

static void test_surv_and_options(void)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_COX;
    m.formula = "Surv(start, stop, event) ~ contig + strata(era)";
    m.weights = "w";
    m.offset = "off";
    m.cluster[0] = "dyad";
    m.cluster[1] = "year";
    m.group = "ccode1";
    m.absorb[0] = "dyad";      /* a repeat is listed once */
    m.absorb[1] = "decade";
    const char *want[] = {"start", "stop", "event", "contig", "era", "w", "off",
                          "dyad", "year", "ccode1", "decade", NULL};
    expect_vars(&m, want);
}

static void test_filter(void)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.formula = "y ~ x";
    /* strings, %in%, calls, constants and numbers are not variables; a
     * backquoted name is, even when it spells a constant */
    m.filter = "year >= 1.5e+3 & !is.na(trade) & region == \"Eu rope & x\" & "
               "ccode1 %in% c(2, 20L) | `TRUE` == TRUE & .z != NA & w2<-Inf & "
               "name == 'it''s'";
    const char *want[] = {"y", "x", "year", "trade", "region", "ccode1", "TRUE",
                          ".z", "w2", "name", NULL};
    expect_vars(&m, want);
}

static void test_errors(void)
{
    dyadfit_model m;
    dyadfit_error err;
    char **v = (char **)&m;
    size_t n = 5;
    dyadfit_model_init(&m);
    m.formula = "y ~ x +";
    CU_ASSERT_EQUAL(dyadfit_model_variables(&m, &v, &n, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NULL(v);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "y ~ x +"));
    m.formula = NULL;
    CU_ASSERT_EQUAL(dyadfit_model_variables(&m, &v, &n, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "formula"));
    CU_ASSERT_EQUAL(dyadfit_model_variables(NULL, &v, &n, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_EQUAL(dyadfit_model_variables(&m, NULL, &n, &err), DYADFIT_ERR_USAGE);
    CU_ASSERT_EQUAL(dyadfit_model_variables(&m, &v, NULL, &err), DYADFIT_ERR_USAGE);
}

/* Reading only the listed variables gives the same estimates as reading
 * everything (same rows used, same filter result). */
static void test_subset_read_fits_the_same(void)
{
    const char *path = tu_path("bench/data/dyads_s0.1.csv");
    FILE *f = fopen(path, "r");
    if (!f) {
        /* the bench data are generated on demand; use a test data set */
        path = tu_path("tests/data/models/sep_lincomb_complete.csv");
        f = fopen(path, "r");
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    int bench = strstr(path, "dyads_s0.1") != NULL;
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_LOGIT;
    if (bench) {
        m.formula = "dispute ~ defense + log(distance) + peaceyrs + I(peaceyrs^2)";
        m.filter = "year >= 1900 & contig == 1";
        m.vce = DYADFIT_VCE_CLUSTER;
        m.cluster[0] = "dyad";
    } else {
        m.formula = "y ~ x1";
    }
    char **v = NULL;
    size_t n = 0;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_model_variables(&m, &v, &n, &err), DYADFIT_OK);
    dyadfit_read_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.variables = (const char *const *)v;
    ro.nvariables = n;
    dyadfit_table *ta = NULL, *tb = NULL;
    dyadfit_result *ra = NULL, *rb = NULL;
    CU_ASSERT_EQUAL_FATAL(dyadfit_read(path, NULL, &ta, &err), DYADFIT_OK);
    CU_ASSERT_EQUAL_FATAL(dyadfit_read(path, &ro, &tb, &err), DYADFIT_OK);
    int rca = dyadfit_fit(ta, &m, &ra, &err);
    int rcb = dyadfit_fit(tb, &m, &rb, &err);
    CU_ASSERT_EQUAL(rca, rcb);
    if (rca == DYADFIT_OK && rcb == DYADFIT_OK) {
        CU_ASSERT_EQUAL(dyadfit_result_stat(ra, DYADFIT_STAT_NOBS),
                        dyadfit_result_stat(rb, DYADFIT_STAT_NOBS));
        CU_ASSERT_EQUAL(dyadfit_result_stat(ra, DYADFIT_STAT_LOGLIK),
                        dyadfit_result_stat(rb, DYADFIT_STAT_LOGLIK));
    }
    dyadfit_result_free(ra);
    dyadfit_result_free(rb);
    dyadfit_table_free(ta);
    dyadfit_table_free(tb);
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

int main(void)
{
    static const tu_test tests[] = {
        {"formula variables, in order, distinct", test_formula},
        {"Surv(), strata() and the model's variable options", test_surv_and_options},
        {"filter: strings, %in%, calls and constants skipped", test_filter},
        {"errors: bad formula, no formula, NULL arguments", test_errors},
        {"reading only the listed variables fits the same", test_subset_read_fits_the_same},
        {NULL, NULL}};
    return tu_run("model_variables", tests);
}
