/*
 * test_cox_zph.c -- the proportional-hazards test (src/fit/cox_zph.c) run
 * after a Cox fit through the API (--zph): per-coefficient and GLOBAL
 * chi-squares against survival::cox.zph(fit, transform, terms = FALSE)
 * (survival 3.5.3; tests/reference/make_reference_survreg.R writes
 * values/zph_<data>_<ties>_<transform>.csv), for counting-process and
 * right-censored data, Efron and Breslow ties, strata, all three
 * transforms; and the errors of df_cox_zph.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"
#include "fit/cox_zph.h"

#define F1 "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem + majpow"
#define FL "Surv(time, status) ~ age + sex + ph.ecog"

static dyadfit_table *leeds, *lung;

/* reads values/zph_<id>.csv: term,chisq,df,p */
static size_t read_zph(const char *id, char term[][40], double *chisq, int *df)
{
    char path[256], line[512];
    snprintf(path, sizeof path, "tests/reference/values/zph_%s.csv", id);
    FILE *f = fopen(tu_path(path), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t n = 0;
    if (!fgets(line, sizeof line, f)) { fclose(f); return 0; }
    while (n < 20 && fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ',');
        if (!c1) continue;
        *c1 = 0;
        snprintf(term[n], 40, "%.39s", line);
        if (sscanf(c1 + 1, "%lf,%d", &chisq[n], &df[n]) == 2) n++;
    }
    fclose(f);
    return n;
}

static void check(dyadfit_table *t, const char *formula, const char *strata_term,
                  dyadfit_ties ties, dyadfit_zph zph, const char *id)
{
    char f[512], term[20][40];
    double want[20];
    int wdf[20];
    snprintf(f, sizeof f, "%s%s", formula, strata_term);
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_error err;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_COX;
    m.formula = f;
    m.ties = ties;
    m.zph = zph;
    int rc = dyadfit_fit(t, &m, &r, &err);
    if (rc) fprintf(stderr, "  %s: %s\n", id, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const char *notes = dyadfit_result_notes(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(notes, "Proportional-hazards test (cox.zph, transform = "));
    size_t n = read_zph(id, term, want, wdf);
    CU_ASSERT_TRUE(n >= 2);
    for (size_t j = 0; j < n; j++) {
        char key[832];
        snprintf(key, sizeof key, "  %s ", term[j]);
        const char *p = strstr(notes, key);
        if (!p) fprintf(stderr, "  %s: no line for %s\n", id, term[j]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        double chisq = NAN;
        int df = 0;
        CU_ASSERT_EQUAL(sscanf(p + strlen(key), "%lf %d", &chisq, &df), 2);
        CU_ASSERT_EQUAL(df, wdf[j]);
        double l = tu_lre(chisq, want[j]);
        if (l < 10) fprintf(stderr, "  %s %s: %.12g vs %.12g (LRE %.1f)\n", id, term[j], chisq, want[j], l);
        TU_ASSERT_LRE(chisq, want[j], 10);
    }
    dyadfit_result_free(r);
}

static void test_leeds(void)
{
    check(leeds, F1, "", DYADFIT_TIES_EFRON, DYADFIT_ZPH_KM, "leeds_efron_km");
    check(leeds, F1, "", DYADFIT_TIES_EFRON, DYADFIT_ZPH_IDENTITY, "leeds_efron_identity");
    check(leeds, F1, "", DYADFIT_TIES_EFRON, DYADFIT_ZPH_RANK, "leeds_efron_rank");
    check(leeds, F1, "", DYADFIT_TIES_BRESLOW, DYADFIT_ZPH_KM, "leeds_breslow_km");
    check(leeds, F1, "", DYADFIT_TIES_BRESLOW, DYADFIT_ZPH_RANK, "leeds_breslow_rank");
}

static void test_leeds_strata(void)
{
    check(leeds, F1, " + strata(region)", DYADFIT_TIES_EFRON, DYADFIT_ZPH_KM, "leeds_strata_efron_km");
    check(leeds, F1, " + strata(region)", DYADFIT_TIES_EFRON, DYADFIT_ZPH_IDENTITY, "leeds_strata_efron_identity");
}

static void test_lung(void)
{
    check(lung, FL, "", DYADFIT_TIES_EFRON, DYADFIT_ZPH_KM, "lung_efron_km");
    check(lung, FL, "", DYADFIT_TIES_EFRON, DYADFIT_ZPH_RANK, "lung_efron_rank");
    check(lung, FL, "", DYADFIT_TIES_BRESLOW, DYADFIT_ZPH_IDENTITY, "lung_breslow_identity");
}

static void test_errors(void)
{
    double X[3] = {1, 2, 3}, stop[3] = {1, 2, 3}, ev[3] = {0, 0, 0}, lp[3] = {0, 0, 0};
    df_cox_data d;
    df_cox_zph_result z;
    dyadfit_error err;
    df_cox_defaults(&d);
    d.n = 3; d.k = 1; d.X = X; d.stop = stop; d.event = ev;
    CU_ASSERT_EQUAL(df_cox_zph(&d, lp, DYADFIT_ZPH_NONE, &z, &err), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unknown transform"));
    CU_ASSERT_EQUAL(df_cox_zph(&d, lp, DYADFIT_ZPH_KM, &z, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no events"));
    CU_ASSERT_PTR_NULL(z.chisq);
    /* a covariate constant over the risk sets: singular information */
    double Xc[3] = {1, 1, 1};
    ev[1] = ev[2] = 1;
    d.X = Xc;
    CU_ASSERT_EQUAL(df_cox_zph(&d, lp, DYADFIT_ZPH_IDENTITY, &z, &err), DYADFIT_ERR_ESTIM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "singular"));
    d.k = 0;
    CU_ASSERT_EQUAL(df_cox_zph(&d, lp, DYADFIT_ZPH_KM, &z, &err), DYADFIT_ERR_SPEC);
}

int main(void)
{
    dyadfit_error err;
    if (dyadfit_read(tu_path("data/leeds_dyads.dta"), NULL, &leeds, &err) ||
        dyadfit_read(tu_path("tests/data/models/lung.csv"), NULL, &lung, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    static const tu_test tests[] = {
        {"Leeds peace spells (counting process) vs cox.zph", test_leeds},
        {"Leeds with strata(region) vs cox.zph", test_leeds_strata},
        {"lung (right-censored) vs cox.zph", test_lung},
        {"df_cox_zph errors", test_errors},
        {NULL, NULL}};
    int rc = tu_run("cox_zph", tests);
    dyadfit_table_free(leeds);
    dyadfit_table_free(lung);
    return rc;
}
