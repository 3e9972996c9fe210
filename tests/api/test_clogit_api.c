/*
 * test_clogit_api.c -- conditional logit (clogit) and logit with absorbed
 * fixed effects (felogit) through the public API (dyadfit_read +
 * dyadfit_fit): every case of tests/reference/cases_clogit.tsv against the
 * values of tests/reference/make_reference_clogit.R (survival::clogit exact,
 * group scores from inclusion probabilities, fixest::feglm), coefficients
 * and SEs at the case's LRE, rows used, groups, log likelihoods; the notes
 * (groups dropped, constant covariates, robust = clustered on the group);
 * and bad input: no --group, no --absorb, unknown variables, no group with
 * variation, a cluster that does not nest the groups, weights.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "testutil.h"

#define ONE "tests/data/models/clogit_one.csv"
#define MULTI "tests/data/models/clogit_multi.csv"

/* ------------------------------------------------------------ tables */

static dyadfit_table *tables[8];
static char *table_paths[8];

static dyadfit_table *table(const char *path)
{
    for (int i = 0; i < 8; i++) {
        if (table_paths[i] && strcmp(table_paths[i], path) == 0) return tables[i];
        if (!table_paths[i]) {
            dyadfit_error err;
            if (dyadfit_read(path, NULL, &tables[i], &err) != 0) {
                fprintf(stderr, "cannot read %s: %s\n", path, err.message);
                return NULL;
            }
            table_paths[i] = strdup(path);
            return tables[i];
        }
    }
    return NULL;
}

/* ------------------------------------------------- reference cases */

static char *fields(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') { *p = 0; f[n++] = p + 1; }
    return line;
}

/* Parses the CLI options of a case into m (strings point into opts). */
static void parse_opts(char *opts, dyadfit_model *m)
{
    char *tok[32];
    int nt = 0;
    for (char *s = strtok(opts, " "); s && nt < 32; s = strtok(NULL, " ")) tok[nt++] = s;
    for (int i = 0; i < nt; i++) {
        if (!strcmp(tok[i], "--group")) m->group = tok[++i];
        else if (!strcmp(tok[i], "--absorb")) {
            char *c = strchr(tok[++i], ',');
            m->absorb[0] = tok[i];
            if (c) { *c = 0; m->absorb[1] = c + 1; }
        } else if (!strcmp(tok[i], "--vce")) {
            const char *v = tok[++i];
            m->vce = !strcmp(v, "oim") ? DYADFIT_VCE_OIM
                   : !strcmp(v, "robust") ? DYADFIT_VCE_ROBUST : DYADFIT_VCE_CLUSTER;
            for (int c = 0; c < 2 && i + 1 < nt && strncmp(tok[i + 1], "--", 2); c++)
                m->cluster[c] = tok[++i];
        } else if (!strcmp(tok[i], "--ssc")) {
            const char *v = tok[++i];
            m->ssc = !strcmp(v, "hc0") ? DYADFIT_SSC_HC0
                   : !strcmp(v, "hc1") ? DYADFIT_SSC_HC1 : DYADFIT_SSC_STATA;
        }
    }
}

typedef struct { double n, loglik, loglik0; } ref_stats;

static int read_stats(const char *id, ref_stats *s)
{
    FILE *f = fopen("tests/reference/values/clogit_stats.csv", "r");
    char line[512];
    int found = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        char *fl[8];
        int n = 0;
        line[strcspn(line, "\r\n")] = 0;
        fl[n++] = line;
        for (char *p = line; *p && n < 8; p++) if (*p == ',') { *p = 0; fl[n++] = p + 1; }
        if (n < 5 || strcmp(fl[0], id)) continue;
        s->n = strtod(fl[1], NULL);
        s->loglik = strtod(fl[3], NULL);
        s->loglik0 = strcmp(fl[4], "NA") ? strtod(fl[4], NULL) : NAN;
        found = 0;
    }
    fclose(f);
    return found;
}

static void test_reference_cases(void)
{
    FILE *f = fopen("tests/reference/cases_clogit.tsv", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[4096];
    int ncases = 0;
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));   /* header */
    while (fgets(line, sizeof line, f)) {
        char *fl[8];
        fields(line, fl, 8);
        const char *id = fl[0], *est = fl[1], *formula = fl[2], *data = fl[3];
        double min_lre = strtod(fl[5], NULL);
        char path[512];
        snprintf(path, sizeof path, "tests/reference/values/%.200s.csv", id);
        dyadfit_model m;
        dyadfit_model_init(&m);
        m.estimator = !strcmp(est, "clogit") ? DYADFIT_CLOGIT : DYADFIT_FELOGIT;
        m.formula = formula;
        parse_opts(fl[4], &m);
        dyadfit_table *t = table(data);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        dyadfit_result *r = NULL;
        dyadfit_error err;
        int rc = dyadfit_fit(t, &m, &r, &err);
        if (rc) fprintf(stderr, "  case %s: %s\n", id, err.message);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        tu_ref want;
        CU_ASSERT_EQUAL_FATAL(tu_ref_read(path, &want), 0);
        size_t k;
        const double *b = dyadfit_result_coef(r, &k);
        const double *V = dyadfit_result_vcov(r);
        CU_ASSERT_EQUAL(k, want.n);
        int clo = !strcmp(est, "clogit"), oim = m.vce == DYADFIT_VCE_OIM;
        const char *ccat = clo ? "coef clogit" : "coef felogit";
        const char *scat = clo ? (oim ? "se clogit oim" : "se clogit robust/cluster")
                               : (oim ? "se felogit oim" : "se felogit robust/cluster");
        const char *lcat = clo ? "loglik clogit" : "loglik felogit";
        for (size_t j = 0; j < k && j < want.n; j++) {
            CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, j), want.term[j]);
            TU_CHECK_LRE(ccat, b[j], want.estimate[j], min_lre);
            TU_CHECK_LRE(scat, sqrt(V[j * k + j]), want.std_error[j], min_lre);
        }
        ref_stats s = {0, 0, 0};
        CU_ASSERT_EQUAL_FATAL(read_stats(id, &s), 0);
        CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NROWS_USED), s.n);
        TU_CHECK_LRE(lcat, dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK), s.loglik, 9);
        if (!isnan(s.loglik0))
            TU_CHECK_LRE(lcat, dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK0), s.loglik0, 9);
        CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_CONVERGED), 1);
        tu_ref_free(&want);
        dyadfit_result_free(r);
        ncases++;
    }
    fclose(f);
    CU_ASSERT(ncases >= 10);
}

/* ------------------------------------------------------------ notes */

static dyadfit_result *fit(dyadfit_estimator e, const char *path, const char *formula,
                           const char *group, const char *absorb2, int *rc,
                           dyadfit_error *err)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = e;
    m.formula = formula;
    if (e == DYADFIT_CLOGIT) m.group = group;
    else { m.absorb[0] = group; m.absorb[1] = absorb2; }
    dyadfit_result *r = NULL;
    *rc = dyadfit_fit(table(path), &m, &r, err);
    return r;
}

static void test_notes_dropped_groups(void)
{
    int rc;
    dyadfit_error err;
    dyadfit_result *r = fit(DYADFIT_CLOGIT, MULTI, "y ~ x1 + x2", "grp", NULL, &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const char *n = dyadfit_result_notes(r);
    /* R: 120 groups, 105 with variation (clogit_stats: n = 960) */
    CU_ASSERT_PTR_NOT_NULL(strstr(n, "15 groups of grp ("));
    CU_ASSERT_PTR_NOT_NULL(strstr(n, "with no variation in the outcome dropped"));
    CU_ASSERT_EQUAL(dyadfit_result_stat(r, DYADFIT_STAT_NROWS_USED) +
                    dyadfit_result_stat(r, DYADFIT_STAT_NROWS_DROPPED),
                    (double)dyadfit_table_nrow(table(MULTI)));
    /* no intercept */
    CU_ASSERT_EQUAL(dyadfit_result_ncoef(r), 2);
    CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, 0), "x1");
    dyadfit_result_free(r);
}

static void test_constant_within_groups(void)
{
    int rc;
    dyadfit_error err;
    /* z is constant within each group: dropped with a note, and the
     * estimates are those of y ~ x1 + x2 */
    dyadfit_result *r = fit(DYADFIT_CLOGIT, ONE, "y ~ x1 + z + x2", "grp", NULL, &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "z dropped: constant within grp"));
    CU_ASSERT_EQUAL(dyadfit_result_ncoef(r), 2);
    tu_ref want;
    CU_ASSERT_EQUAL_FATAL(tu_ref_read("tests/reference/values/clogit_one_oim.csv", &want), 0);
    size_t k;
    const double *b = dyadfit_result_coef(r, &k);
    for (size_t j = 0; j < k; j++) TU_ASSERT_LRE(b[j], want.estimate[j], 9);
    tu_ref_free(&want);
    dyadfit_result_free(r);
    /* felogit the same way; region is constant within grp too */
    r = fit(DYADFIT_FELOGIT, ONE, "y ~ x1 + x2 + region", "grp", NULL, &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "region dropped: constant within grp"));
    dyadfit_result_free(r);
    /* two-way: slot is constant within the slot effects */
    r = fit(DYADFIT_FELOGIT, MULTI, "y ~ x1 + slot + x2", "grp", "slot", &rc, &err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "slot dropped"));
    CU_ASSERT_EQUAL(dyadfit_result_ncoef(r), 2);
    dyadfit_result_free(r);
    /* only group-constant covariates: nothing to estimate */
    r = fit(DYADFIT_CLOGIT, ONE, "y ~ z + region", "grp", NULL, &rc, &err);
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no covariate varies within the groups of grp"));
}

static void test_robust_note(void)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_CLOGIT;
    m.formula = "y ~ x1 + x2";
    m.group = "grp";
    m.vce = DYADFIT_VCE_ROBUST;
    dyadfit_result *r = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_fit(table(ONE), &m, &r, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(dyadfit_result_notes(r), "robust variance from the 150 group scores"));
    /* stata preset: G/(G-1) with G = 150 groups */
    TU_ASSERT_LRE(dyadfit_result_stat(r, DYADFIT_STAT_SSC_FACTOR), 150.0 / 149.0, 14);
    dyadfit_result_free(r);
}

/* -------------------------------------------------------- bad input */

static void expect(const dyadfit_model *m, const char *path, int code, const char *msg)
{
    dyadfit_result *r = NULL;
    dyadfit_error err;
    memset(&err, 0, sizeof err);
    int rc = dyadfit_fit(table(path), m, &r, &err);
    if (rc != code || !strstr(err.message, msg))
        fprintf(stderr, "  got %d '%s', want %d '%s'\n", rc, err.message, code, msg);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, msg));
    CU_ASSERT_PTR_NULL(r);
}

static void test_bad_input(void)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_CLOGIT;
    m.formula = "y ~ x1 + x2";
    expect(&m, ONE, DYADFIT_ERR_SPEC, "clogit needs the matched groups: --group");
    m.group = "grpp";
    expect(&m, ONE, DYADFIT_ERR_SPEC, "group variable 'grpp' not found in the data; did you mean 'grp'?");
    m.group = "grp";
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "cross";
    expect(&m, ONE, DYADFIT_ERR_SPEC, "cluster variable 'cross' does not nest the groups of 'grp'");
    m.vce = DYADFIT_VCE_OIM;
    m.cluster[0] = NULL;
    m.weights = "region";
    m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
    expect(&m, ONE, DYADFIT_ERR_SPEC, "clogit: weights are not supported");

    dyadfit_model_init(&m);
    m.estimator = DYADFIT_FELOGIT;
    m.formula = "y ~ x1 + x2";
    expect(&m, ONE, DYADFIT_ERR_SPEC, "felogit needs the fixed effects to absorb");
    m.absorb[0] = "grp";
    m.absorb[1] = "yaer";
    expect(&m, ONE, DYADFIT_ERR_SPEC, "group variable 'yaer' not found in the data");
    m.absorb[1] = "grp";
    expect(&m, ONE, DYADFIT_ERR_SPEC, "--absorb names 'grp' twice");
}

/* every group all 0 or all 1, though y varies overall */
static void test_no_variation(void)
{
    double y[12], g[12], x[12];
    for (int i = 0; i < 12; i++) {
        g[i] = i / 4;
        y[i] = (i / 4) == 1;
        x[i] = sin(i + 1.0);
    }
    dyadfit_table *t = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(12, &t, &err), 0);
    dyadfit_table_add_numeric(t, "y", y, &err);
    dyadfit_table_add_numeric(t, "g", g, &err);
    dyadfit_table_add_numeric(t, "x", x, &err);
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_CLOGIT;
    m.formula = "y ~ x";
    m.group = "g";
    dyadfit_result *r = NULL;
    int rc = dyadfit_fit(t, &m, &r, &err);
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no group of 'g' has variation in the outcome 'y' (all 3 groups"));
    CU_ASSERT_PTR_NULL(r);
    m.estimator = DYADFIT_FELOGIT;
    m.absorb[0] = "g";
    rc = dyadfit_fit(t, &m, &r, &err);
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no group of 'g' has variation"));
    dyadfit_table_free(t);
}

/* A group of 60 rows with 25 events: the recursion at depth 25 (and the
 * complement path for 40 events) against brute force is impractical, so
 * check invariances instead: swapping y -> 1 - y and x -> -x leaves the
 * conditional likelihood unchanged, and adding a group constant to x
 * changes nothing. */
static void test_large_groups_invariance(void)
{
    enum { G = 6, M = 60, N = G * M };
    double y[N], y2[N], g[N], x[N], xn[N], xs[N], w[N];
    for (int i = 0; i < N; i++) {
        int q = i / M, r = i % M;
        g[i] = q;
        x[i] = sin(0.37 * i) + 0.01 * r;
        w[i] = cos(1.3 * i);
        y[i] = ((r * 7 + q) % 60) < 20 + 4 * q;   /* 20..40 events of 60 */
        y2[i] = 1 - y[i];
        xn[i] = -x[i];
        xs[i] = x[i] + 100 * q;
    }
    dyadfit_table *t = NULL;
    dyadfit_error err;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(N, &t, &err), 0);
    dyadfit_table_add_numeric(t, "y", y, &err);
    dyadfit_table_add_numeric(t, "y2", y2, &err);
    dyadfit_table_add_numeric(t, "g", g, &err);
    dyadfit_table_add_numeric(t, "x", x, &err);
    dyadfit_table_add_numeric(t, "xn", xn, &err);
    dyadfit_table_add_numeric(t, "xs", xs, &err);
    dyadfit_table_add_numeric(t, "w", w, &err);
    const char *f[3] = {"y ~ x + w", "y2 ~ xn + w", "y ~ xs + w"};
    double b[3][2], se[3][2], ll[3];
    for (int c = 0; c < 3; c++) {
        dyadfit_model m;
        dyadfit_model_init(&m);
        m.estimator = DYADFIT_CLOGIT;
        m.formula = f[c];
        m.group = "g";
        dyadfit_result *r = NULL;
        CU_ASSERT_EQUAL_FATAL(dyadfit_fit(t, &m, &r, &err), 0);
        const double *bb = dyadfit_result_coef(r, NULL), *V = dyadfit_result_vcov(r);
        for (int j = 0; j < 2; j++) { b[c][j] = bb[j]; se[c][j] = sqrt(V[j * 2 + j]); }
        ll[c] = dyadfit_result_stat(r, DYADFIT_STAT_LOGLIK);
        dyadfit_result_free(r);
    }
    /* y2 ~ xn: same coefficient on xn as on x; w's sign flips */
    TU_ASSERT_LRE(b[1][0], b[0][0], 11);
    TU_ASSERT_LRE(-b[1][1], b[0][1], 11);
    TU_ASSERT_LRE(se[1][0], se[0][0], 11);
    TU_ASSERT_LRE(ll[1], ll[0], 11);
    TU_ASSERT_LRE(b[2][0], b[0][0], 10);
    TU_ASSERT_LRE(se[2][1], se[0][1], 10);
    TU_ASSERT_LRE(ll[2], ll[0], 11);
    dyadfit_table_free(t);
}

static void test_free_tables(void)
{
    for (int i = 0; i < 8; i++) {
        dyadfit_table_free(tables[i]);
        free(table_paths[i]);
    }
    tu_print_lre();
}

int main(void)
{
    static const tu_test tests[] = {
        {"reference cases (survival exact clogit, fixest feglm)", test_reference_cases},
        {"notes: groups without variation dropped, no intercept", test_notes_dropped_groups},
        {"covariates constant within groups dropped with a note", test_constant_within_groups},
        {"clogit robust = clustered on the group, G/(G-1)", test_robust_note},
        {"bad input: group/absorb missing or unknown, nesting, weights", test_bad_input},
        {"no group with variation: data error", test_no_variation},
        {"large groups: complement and shift invariance", test_large_groups_invariance},
        {"cleanup", test_free_tables},
        {NULL, NULL}};
    return tu_run("clogit_api", tests);
}
