/*
 * test_stream_cox.c -- the Cox model out of core: df_stream_fit with
 * DYADFIT_COX (`dyadfit fit cox ... --stream`).
 *
 * A streamed Cox fit needs the file's rows sorted by stop time, ascending,
 * within each stratum. Fixtures (tests/data/models/make_cox_sorted.R, which
 * documents them):
 *   cox_sorted.csv / .dta      20,000 counting-process rows sorted by stop
 *                              over the whole file (strata interleaved, ties
 *                              in random order), 25 rows missing x1
 *   cox_sorted_by_stratum.csv  3,000 rows sorted by (g, stop): sorted within
 *                              strata, not overall (breaks at data row 650)
 *   cox_unsorted.csv           cox_sorted.csv with one row moved so that the
 *                              order breaks at data row 12345
 *   cox_sorted_ref.csv         survival::coxph on cox_sorted.csv (eps 1e-12)
 * and data/leeds_dyads.csv sorted by peaceyrs (stable) into the test's
 * TMPDIR at run time (9.5 MB: not kept in the repository).
 *
 * References: (1) the in-memory fit of the same model on the same file
 * (dyadfit_read + dyadfit_fit): coefficients, standard errors, log
 * likelihoods at LRE >= 10, every variance element at LRE >= 9, counts,
 * notes, checksum and subtitle equal; chunks of 1, 7, 1000 rows and one
 * larger than the file; (2) coxph at LRE >= 9 (cox_sorted_ref.csv) and the
 * leeds reference of tests/reference/values (min_lre 8 there).
 * Refusals: a file not sorted (DYADFIT_ERR_DATA, "sorted" and the data
 * row), and what --stream does not do for Cox (DYADFIT_ERR_USAGE, a message
 * starting "--stream").
 */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dyadfit.h"
#include "stream/stream.h"
#include "report/result.h"
#include "testutil.h"

#define SORTED_CSV "tests/data/models/cox_sorted.csv"
#define SORTED_DTA "tests/data/models/cox_sorted.dta"
#define BY_STRATUM "tests/data/models/cox_sorted_by_stratum.csv"
#define UNSORTED "tests/data/models/cox_unsorted.csv"
#define REF "tests/data/models/cox_sorted_ref.csv"
#define BREAK_UNSORTED 12345     /* make_cox_sorted.R: BREAK_UNSORTED */
#define BREAK_BY_STRATUM 650     /* make_cox_sorted.R: BREAK_BY_STRATUM */

#define CP "Surv(start, stop, event) ~ x1 + yr + x3 + d"
#define RC "Surv(stop, event) ~ x1 + yr + x3 + d"
#define LEEDS_COX "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + " \
                  "log(cap_ratio) + jointdem"
#define LEEDS_F1 "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + " \
                 "log(cap_ratio) + jointdem + majpow"

static char tmpdir[256];
static char leeds_sorted[512];   /* the sorted copy of leeds_dyads.csv */

/* Chunk sizes: one row, a prime, a usual size, more rows than the file.
 * A CSV chunk is a temporary file of its own, so one-row chunks of the
 * 20,000-row CSV take about 20 s (7-row chunks 4 s): every fixture meets
 * every size, but cox_sorted.csv takes one-row chunks only through its
 * .dta copy (the same rows), and 7-row chunks in some cases. */
typedef struct {
    size_t n;
    size_t size[4];
} chunks;
static const chunks ALL = {4, {1, 7, 1000, 1000000}};
static const chunks SMALL = {3, {7, 1000, 1000000}};
static const chunks BIG = {2, {1000, 1000000}};

static void cox_model(dyadfit_model *m, const char *formula)
{
    dyadfit_model_init(m);
    m->estimator = DYADFIT_COX;
    m->formula = formula;
}

static dyadfit_result *fit_memory(const char *path, const dyadfit_model *m)
{
    dyadfit_table *t = NULL;
    dyadfit_result *r = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(path, NULL, &t, &err);
    if (rc) fprintf(stderr, "  read %s: %s\n", path, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = dyadfit_fit(t, m, &r, &err);
    if (rc) fprintf(stderr, "  in-memory fit %s on %s: %s\n", m->formula, path, err.message);
    CU_ASSERT_EQUAL(rc, 0);
    dyadfit_table_free(t);
    return r;
}

static dyadfit_result *fit_stream(const char *path, const dyadfit_model *m, size_t chunk)
{
    dyadfit_result *r = NULL;
    dyadfit_error err;
    int rc = df_stream_fit(path, m, chunk, &r, &err);
    if (rc) fprintf(stderr, "  stream fit %s on %s, chunks of %zu: %s\n", m->formula, path,
                    chunk, err.message);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc) CU_ASSERT_PTR_NULL(r);
    return rc ? NULL : r;
}

static const char *nz(const char *s) { return s ? s : ""; }

/* every number and string the renderers print, stream against memory */
static void compare(const dyadfit_result *s, const dyadfit_result *m, const char *what)
{
    CU_ASSERT_FATAL(s != NULL && m != NULL);
    CU_ASSERT_EQUAL(s->estimator, DYADFIT_COX);
    CU_ASSERT_EQUAL_FATAL(s->k, m->k);
    size_t k = s->k;
    int bad = 0;
    for (size_t j = 0; j < k; j++) {
        CU_ASSERT_STRING_EQUAL(s->terms[j], m->terms[j]);
        bad |= tu_lre(s->coef[j], m->coef[j]) < 10;
        bad |= tu_lre(sqrt(s->vcov[j * k + j]), sqrt(m->vcov[j * k + j])) < 10;
        TU_CHECK_LRE("coef cox stream", s->coef[j], m->coef[j], 10);
        TU_CHECK_LRE("se cox stream", sqrt(s->vcov[j * k + j]), sqrt(m->vcov[j * k + j]), 10);
        for (size_t a = 0; a < k; a++)
            TU_CHECK_LRE("vcov cox stream", s->vcov[j * k + a], m->vcov[j * k + a], 9);
    }
    if (bad) fprintf(stderr, "  (%s)\n", what);
    TU_CHECK_LRE("loglik cox stream", s->loglik, m->loglik, 10);
    TU_CHECK_LRE("loglik0 cox stream", s->loglik0, m->loglik0, 10);
    CU_ASSERT_EQUAL(s->nobs, m->nobs);
    CU_ASSERT_EQUAL(s->nrows_used, m->nrows_used);
    CU_ASSERT_EQUAL(s->nrows_source, m->nrows_source);
    CU_ASSERT_EQUAL(s->nrows_dropped, m->nrows_dropped);
    CU_ASSERT_EQUAL(s->nrows_filtered, m->nrows_filtered);
    CU_ASSERT_EQUAL(s->ncluster, m->ncluster);
    CU_ASSERT_EQUAL(s->ng[0], m->ng[0]);
    CU_ASSERT_EQUAL(s->vce, m->vce);
    CU_ASSERT_EQUAL(s->ssc, m->ssc);
    TU_ASSERT_LRE(s->ssc_factor, m->ssc_factor, 14);
    CU_ASSERT_EQUAL(s->converged, 1);
    CU_ASSERT_EQUAL(s->converged, m->converged);
    CU_ASSERT_EQUAL(s->ties, m->ties);
    CU_ASSERT_STRING_EQUAL(s->sha256, m->sha256);
    CU_ASSERT_STRING_EQUAL(nz(s->subtitle), nz(m->subtitle));
    CU_ASSERT_STRING_EQUAL(nz(s->notes), nz(m->notes));
    if (strcmp(nz(s->notes), nz(m->notes)))
        fprintf(stderr, "  notes (%s)\n  stream: %s\n  memory: %s\n", what, nz(s->notes),
                nz(m->notes));
    CU_ASSERT_STRING_EQUAL(nz(s->weights), nz(m->weights));
    CU_ASSERT_STRING_EQUAL(nz(s->offset), nz(m->offset));
    CU_ASSERT_STRING_EQUAL(nz(s->cluster[0]), nz(m->cluster[0]));
}

/* The in-memory fit once, then the streamed one at each chunk size of cs.
 * Returns the in-memory result (caller frees) for further checks. */
static dyadfit_result *check_ret(const char *rel, const dyadfit_model *m, const chunks *cs)
{
    const char *path = tu_path(rel);
    char what[700];
    dyadfit_result *mem = fit_memory(path, m);
    if (!mem) return NULL;
    for (size_t c = 0; c < cs->n; c++) {
        snprintf(what, sizeof what, "%s on %s, vce %d ssc %d ties %d, chunks of %zu",
                 m->formula, rel, (int)m->vce, (int)m->ssc, (int)m->ties, cs->size[c]);
        dyadfit_result *s = fit_stream(path, m, cs->size[c]);
        if (s) compare(s, mem, what);
        dyadfit_result_free(s);
    }
    return mem;
}

static void check(const char *rel, const dyadfit_model *m, const chunks *cs)
{
    dyadfit_result_free(check_ret(rel, m, cs));
}

/* ------------------------------------------------ stream against memory */

static void test_oim_ties(void)
{
    dyadfit_model m;
    const char *formulas[] = {CP, RC};
    for (int f = 0; f < 2; f++) {
        cox_model(&m, formulas[f]);
        check(SORTED_CSV, &m, f ? &BIG : &SMALL);   /* Efron, the default */
        m.ties = DYADFIT_TIES_BRESLOW;
        dyadfit_result *b = check_ret(SORTED_CSV, &m, &BIG);
        /* the fixture has heavy ties: Breslow and Efron must differ, or the
         * ties tests could not fail */
        m.ties = DYADFIT_TIES_EFRON;
        dyadfit_result *e = fit_memory(tu_path(SORTED_CSV), &m);
        if (b && e) {
            CU_ASSERT(tu_lre(b->coef[0], e->coef[0]) < 4);
            CU_ASSERT_STRING_EQUAL(nz(b->subtitle), "Breslow ties");
            CU_ASSERT_STRING_EQUAL(nz(e->subtitle), "Efron ties");
            CU_ASSERT_EQUAL(b->nrows_dropped, 25);   /* x1 missing in 25 rows */
            CU_ASSERT_EQUAL(b->nrows_source, 20000);
        }
        dyadfit_result_free(b);
        dyadfit_result_free(e);
    }
}

static void test_robust(void)
{
    dyadfit_model m;
    cox_model(&m, RC);
    m.vce = DYADFIT_VCE_ROBUST;
    m.ssc = DYADFIT_SSC_HC0;
    check(SORTED_CSV, &m, &BIG);
    m.ssc = DYADFIT_SSC_STATA;
    m.ties = DYADFIT_TIES_BRESLOW;
    check(SORTED_CSV, &m, &BIG);
    cox_model(&m, CP);
    m.vce = DYADFIT_VCE_ROBUST;
    m.ssc = DYADFIT_SSC_HC1;
    check(SORTED_CSV, &m, &BIG);
}

static void test_cluster(void)
{
    dyadfit_model m;
    cox_model(&m, CP);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "id";
    m.ssc = DYADFIT_SSC_HC0;
    dyadfit_result *r = check_ret(SORTED_CSV, &m, &SMALL);
    if (r) {
        CU_ASSERT_EQUAL(r->ng[0], 4449);   /* subjects in cox_sorted.csv */
    }
    dyadfit_result_free(r);
    m.ssc = DYADFIT_SSC_STATA;
    check(SORTED_CSV, &m, &BIG);
    m.ties = DYADFIT_TIES_BRESLOW;
    check(SORTED_CSV, &m, &BIG);
    /* right-censored, clustered on the stratum variable (4 clusters) */
    cox_model(&m, RC);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "g";
    check(SORTED_CSV, &m, &BIG);
}

static void test_weights_offset(void)
{
    dyadfit_model m;
    cox_model(&m, CP);
    m.weights = "w";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    check(SORTED_CSV, &m, &BIG);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "id";
    m.ssc = DYADFIT_SSC_HC0;
    check(SORTED_CSV, &m, &SMALL);
    m.ties = DYADFIT_TIES_BRESLOW;
    m.ssc = DYADFIT_SSC_STATA;
    check(SORTED_CSV, &m, &BIG);

    cox_model(&m, CP);
    m.offset = "off";
    check(SORTED_CSV, &m, &BIG);
    cox_model(&m, RC);
    m.offset = "off";
    m.weights = "w";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    m.vce = DYADFIT_VCE_ROBUST;
    m.ssc = DYADFIT_SSC_HC0;
    m.ties = DYADFIT_TIES_BRESLOW;
    check(SORTED_CSV, &m, &BIG);
}

static void test_strata(void)
{
    dyadfit_model m;
    /* strata interleaved in a file sorted overall */
    cox_model(&m, CP " + strata(g)");
    check(SORTED_CSV, &m, &SMALL);
    m.ties = DYADFIT_TIES_BRESLOW;
    m.offset = "off";
    check(SORTED_CSV, &m, &BIG);
    cox_model(&m, RC " + strata(g)");
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "id";
    m.weights = "w";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    check(SORTED_CSV, &m, &BIG);
    /* strata in contiguous blocks: sorted within strata, not overall */
    cox_model(&m, CP " + strata(g)");
    check(BY_STRATUM, &m, &ALL);
    m.ties = DYADFIT_TIES_BRESLOW;
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "id";
    m.ssc = DYADFIT_SSC_HC0;
    check(BY_STRATUM, &m, &SMALL);
    cox_model(&m, RC " + strata(g)");
    m.offset = "off";
    m.vce = DYADFIT_VCE_ROBUST;
    check(BY_STRATUM, &m, &SMALL);
}

/* the ReadStat chunk path */
static void test_dta(void)
{
    dyadfit_model m;
    cox_model(&m, CP);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "id";
    m.weights = "w";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    check(SORTED_DTA, &m, &ALL);
    cox_model(&m, RC " + strata(g)");
    m.ties = DYADFIT_TIES_BRESLOW;
    m.offset = "off";
    check(SORTED_DTA, &m, &SMALL);
    /* the .dta and the .csv hold the same data */
    cox_model(&m, CP);
    dyadfit_result *a = fit_stream(tu_path(SORTED_DTA), &m, 1000),
                   *b = fit_stream(tu_path(SORTED_CSV), &m, 1000);
    if (a && b)
        for (size_t j = 0; j < a->k && j < b->k; j++)
            TU_ASSERT_LRE(a->coef[j], b->coef[j], 10);
    dyadfit_result_free(a);
    dyadfit_result_free(b);
}

/* ------------------------------------------------------- against coxph */

typedef struct {
    char cas[64], term[64];
    double est, se;
} ref_row;

static size_t read_ref(ref_row *rows, size_t cap)
{
    FILE *f = fopen(tu_path(REF), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[512];
    size_t n = 0;
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));   /* header */
    CU_ASSERT(strncmp(line, "case,term,estimate,std_error", 28) == 0);
    while (n < cap && fgets(line, sizeof line, f)) {
        char *c = strtok(line, ","), *t = strtok(NULL, ","), *e = strtok(NULL, ","),
             *s = strtok(NULL, ",\r\n");
        if (!c || !t || !e || !s) continue;
        snprintf(rows[n].cas, sizeof rows[n].cas, "%s", c);
        snprintf(rows[n].term, sizeof rows[n].term, "%s", t);
        rows[n].est = strtod(e, NULL);
        rows[n].se = strtod(s, NULL);
        n++;
    }
    fclose(f);
    return n;
}

static void against_ref(const dyadfit_result *r, const char *cas, const ref_row *rows,
                        size_t n, const char *cat)
{
    size_t found = 0;
    char ce[80], cs[80];
    snprintf(ce, sizeof ce, "coef %s", cat);
    snprintf(cs, sizeof cs, "se %s", cat);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].cas, cas)) continue;
        CU_ASSERT_FATAL(found < r->k);
        CU_ASSERT_STRING_EQUAL(r->terms[found], rows[i].term);
        TU_CHECK_LRE(ce, r->coef[found], rows[i].est, 9);
        TU_CHECK_LRE(cs, sqrt(r->vcov[found * r->k + found]), rows[i].se, 9);
        found++;
    }
    CU_ASSERT_EQUAL(found, r->k);
}

static void ref_case(const char *cas, const dyadfit_model *m, const ref_row *rows, size_t n)
{
    for (int path = 0; path < 2; path++) {
        const char *file = tu_path(path ? SORTED_DTA : SORTED_CSV);
        dyadfit_result *s = fit_stream(file, m, path ? 333 : 1000);
        if (s) against_ref(s, cas, rows, n, "cox stream vs R");
        dyadfit_result_free(s);
    }
    /* the in-memory fit too: the reference is right for the fixture */
    dyadfit_result *mem = fit_memory(tu_path(SORTED_CSV), m);
    if (mem) against_ref(mem, cas, rows, n, "cox memory vs R");
    dyadfit_result_free(mem);
}

static void test_reference_coxph(void)
{
    ref_row rows[32];
    size_t n = read_ref(rows, 32);
    CU_ASSERT_EQUAL(n, 11);
    dyadfit_model m;
    cox_model(&m, CP);
    m.weights = "w";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "id";
    m.ssc = DYADFIT_SSC_HC0;
    ref_case("cp_efron_cluster_w", &m, rows, n);
    cox_model(&m, CP " + strata(g)");
    m.offset = "off";
    m.ties = DYADFIT_TIES_BRESLOW;
    ref_case("cp_breslow_strata_off", &m, rows, n);
    cox_model(&m, "Surv(stop, event) ~ x1 + yr + d");
    m.vce = DYADFIT_VCE_ROBUST;
    m.ssc = DYADFIT_SSC_HC0;
    ref_case("rc_efron_robust", &m, rows, n);
}

/* --------------------------------------------- leeds, sorted at run time */

static int make_leeds_sorted(void)
{
    if (*leeds_sorted) return 0;
    char p[512];
    snprintf(p, sizeof p, "%s/leeds_by_peaceyrs.csv", tmpdir);
    /* peaceyrs is column 17 (numeric, never missing; no quoted fields) */
    int rc = tu_sh("head -n 1 %s | grep -q '^ccode1,ccode2,year,dyad,mid_onset,mid_ongoing,"
                   "defense,offense,neutrality,nonagg,entente,conttype,contig,cap_ratio,"
                   "jointdem,majpow,peaceyrs,region' && { head -n 1 %s; tail -n +2 %s | "
                   "LC_ALL=C sort -s -t, -k17,17n; } > %s",
                   tu_path("data/leeds_dyads.csv"), tu_path("data/leeds_dyads.csv"),
                   tu_path("data/leeds_dyads.csv"), p);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc) return -1;
    snprintf(leeds_sorted, sizeof leeds_sorted, "%s", p);
    return 0;
}

static void test_leeds(void)
{
    if (make_leeds_sorted()) return;
    dyadfit_model m;
    cox_model(&m, LEEDS_COX);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "dyad";
    dyadfit_result *mem = fit_memory(leeds_sorted, &m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    size_t chunks[] = {1000, 65536, 200000};
    for (size_t c = 0; c < 3; c++) {
        dyadfit_result *s = fit_stream(leeds_sorted, &m, chunks[c]);
        if (s) compare(s, mem, "leeds cluster dyad");
        dyadfit_result_free(s);
    }
    dyadfit_result_free(mem);
    m.ties = DYADFIT_TIES_BRESLOW;
    m.ssc = DYADFIT_SSC_HC0;
    mem = fit_memory(leeds_sorted, &m);
    dyadfit_result *s = fit_stream(leeds_sorted, &m, 4096);
    if (s && mem) compare(s, mem, "leeds cluster dyad breslow hc0");
    dyadfit_result_free(s);
    dyadfit_result_free(mem);

    /* R: coxph(cluster = dyad) of tests/reference (cases_cox.tsv, min_lre 8) */
    cox_model(&m, LEEDS_F1);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "dyad";
    m.ssc = DYADFIT_SSC_HC0;
    s = fit_stream(leeds_sorted, &m, 8192);
    if (s) tu_check_result_ref(s, tu_path("tests/reference/values/cox_leeds_efron_cluster_hc0.csv"),
                               "cox stream leeds vs R", 8);
    dyadfit_result_free(s);
    /* strata(region) on the same file (sorted overall, so within region) */
    cox_model(&m, LEEDS_F1 " + strata(region)");
    s = fit_stream(leeds_sorted, &m, 5000);
    if (s) tu_check_result_ref(s, tu_path("tests/reference/values/cox_leeds_strata_efron_oim.csv"),
                               "cox stream leeds vs R", 9);
    dyadfit_result_free(s);
}

/* ------------------------------------------- generated edge cases */

/* 2,000 rows in two eras of time (stops 1..10 and 200..209, 100 rows per
 * stop, so the risk set empties between them: every era-2 row starts at
 * 150 or later), counting process with starts at other rows' stops,
 * strata h = 1..3 interleaved with stratum 3 never having an event, string
 * cluster ids, and an offset of 350 on a quarter of the rows (risk scores
 * exp(350) apart: the sweep's shift must rise). Sorted by stop. */
static void row_edge(FILE *f, int i)
{
    int era2 = i >= 1000;
    int stop = era2 ? 200 + (i - 1000) / 100 : 1 + i / 100;
    int start = era2 ? 150 + i % 40 : (stop > 1 ? (i % 3 ? stop - 1 - i % 2 : 0) : 0);
    if (start >= stop) start = stop - 1;
    int h = i % 3 + 1;
    double x1 = sin(i * 0.7), x2 = 10 * cos(i * 1.3);
    int d = i % 7 == 0;
    double u = fmod(i * 0.6180339887498949, 1.0);
    int event = h != 3 && u < 0.25 + 0.2 * (x1 > 0) + 0.1 * d;
    fprintf(f, "%d,%d,%d,%.17g,%.17g,%d,%d,s%d,%d,%.3f\n", start, stop, event, x1, x2, d, h,
            (i / 5) % 300, i % 4 == 0 ? 350 : 0, 0.5 + fmod(i * 0.377, 1.5));
}

static void test_edge(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/edge.csv", tmpdir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "start,stop,event,x1,x2,d,h,cl,ob,w\n");
    for (int i = 0; i < 2000; i++) row_edge(f, i);
    fclose(f);

    dyadfit_model m;
    cox_model(&m, "Surv(start, stop, event) ~ x1 + x2 + d + strata(h)");
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "cl";   /* strings */
    dyadfit_result *r = check_ret(path, &m, &ALL);
    if (r) {
        CU_ASSERT_EQUAL(r->ng[0], 300);
        CU_ASSERT_PTR_NOT_NULL(r->notes && strstr(r->notes, "3 strata (1 without any event"));
    }
    dyadfit_result_free(r);
    m.ties = DYADFIT_TIES_BRESLOW;
    m.weights = "w";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    check(path, &m, &SMALL);
    /* risk scores exp(350) apart */
    cox_model(&m, "Surv(start, stop, event) ~ x1 + x2 + d");
    m.offset = "ob";
    check(path, &m, &ALL);
    m.ties = DYADFIT_TIES_BRESLOW;
    m.vce = DYADFIT_VCE_ROBUST;
    check(path, &m, &SMALL);
    cox_model(&m, "Surv(stop, event) ~ x1 + x2 + d + strata(h)");
    m.offset = "ob";
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "cl";
    check(path, &m, &SMALL);
}

/* ------------------------------------------------------------ refusals */

/* the number n in s as a whole number (not part of a longer one) */
static int has_number(const char *s, long n)
{
    char want[32];
    int len = snprintf(want, sizeof want, "%ld", n);
    for (const char *p = strstr(s, want); p; p = strstr(p + 1, want))
        if ((p == s || !isdigit((unsigned char)p[-1])) && !isdigit((unsigned char)p[len]))
            return 1;
    return 0;
}

static void refused_unsorted(const char *rel, const dyadfit_model *m, size_t chunk, long row)
{
    dyadfit_result *r = NULL;
    dyadfit_error err;
    memset(&err, 0, sizeof err);
    int rc = df_stream_fit(tu_path(rel), m, chunk, &r, &err);
    if (rc != DYADFIT_ERR_DATA || !strstr(err.message, "sorted") || !has_number(err.message, row))
        fprintf(stderr, "  %s (%s, chunks of %zu): code %d '%s'; want %d, \"sorted\", row %ld\n",
                rel, m->formula, chunk, rc, err.message, DYADFIT_ERR_DATA, row);
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sorted"));
    CU_ASSERT(has_number(err.message, row));
    dyadfit_result_free(r);
}

static void test_unsorted(void)
{
    dyadfit_model m;
    for (size_t c = 0; c < ALL.n; c++) {
        /* one-row chunks of the CSV up to row 12345 take 14 s: 7 and up */
        if (ALL.size[c] > 1) {
            cox_model(&m, CP);
            refused_unsorted(UNSORTED, &m, ALL.size[c], BREAK_UNSORTED);
            cox_model(&m, RC " + strata(g)");
            m.vce = DYADFIT_VCE_CLUSTER;
            m.cluster[0] = "id";
            refused_unsorted(UNSORTED, &m, ALL.size[c], BREAK_UNSORTED);
        }
        /* strata in blocks: sorted within g, not without strata(g) */
        cox_model(&m, CP);
        refused_unsorted(BY_STRATUM, &m, ALL.size[c], BREAK_BY_STRATUM);
    }
    /* the in-memory fit takes the unsorted file (only streaming needs the
     * order), and gets what the sorted file gives */
    cox_model(&m, CP);
    dyadfit_result *u = fit_memory(tu_path(UNSORTED), &m), *s = fit_memory(tu_path(SORTED_CSV), &m);
    if (u && s) TU_ASSERT_LRE(u->coef[0], s->coef[0], 10);
    dyadfit_result_free(u);
    dyadfit_result_free(s);
    /* a row with a stop time out of order whose values are missing is
     * dropped in memory; leeds sorted by peaceyrs with the rows moved is not
     * tested here (the requirement is on the file's rows) */
}

/* refused before the fit: code and a message starting "--stream" (and
 * holding needle) */
static void refused_usage(const char *rel, const dyadfit_model *m, const char *needle)
{
    dyadfit_result *r = NULL;
    dyadfit_error err;
    memset(&err, 0, sizeof err);
    int rc = df_stream_fit(tu_path(rel), m, 100, &r, &err);
    int ok = rc == DYADFIT_ERR_USAGE && strncmp(err.message, "--stream", 8) == 0 &&
             (!needle || strstr(err.message, needle));
    if (!ok)
        fprintf(stderr, "  refusal (%s): code %d '%s'; want %d, \"--stream...%s\"\n", m->formula,
                rc, err.message, DYADFIT_ERR_USAGE, needle ? needle : "");
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_USAGE);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(strncmp(err.message, "--stream", 8), 0);
    if (needle) CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
    /* and never "estimators other than": Cox is supported */
    CU_ASSERT_PTR_NULL(strstr(err.message, "estimators other than"));
    dyadfit_result_free(r);
}

static void test_refused(void)
{
    dyadfit_model m;
    cox_model(&m, CP);
    m.zph = DYADFIT_ZPH_KM;
    refused_usage(SORTED_CSV, &m, NULL);
    m.zph = DYADFIT_ZPH_IDENTITY;
    refused_usage(SORTED_CSV, &m, NULL);

    dyadfit_cox_outputs out;
    memset(&out, 0, sizeof out);
    cox_model(&m, CP);
    out.basehaz = 1;
    m.cox_outputs = &out;
    refused_usage(SORTED_CSV, &m, NULL);
    CU_ASSERT_PTR_NULL(out.basehaz_table);
    out.basehaz = 0;
    out.residuals = DYADFIT_RESID_MARTINGALE;
    refused_usage(SORTED_CSV, &m, NULL);
    CU_ASSERT_PTR_NULL(out.residual_table);

    cox_model(&m, CP);
    m.filter = "yr > 2000";
    refused_usage(SORTED_CSV, &m, "--if");
    /* the bootstrap is refused for Cox fits as in memory, by the model
     * check before anything streams: the in-memory message */
    cox_model(&m, CP);
    m.vce = DYADFIT_VCE_BOOTSTRAP;
    {
        dyadfit_result *r = NULL;
        dyadfit_error err;
        memset(&err, 0, sizeof err);
        CU_ASSERT_EQUAL(df_stream_fit(tu_path(SORTED_CSV), &m, 100, &r, &err), DYADFIT_ERR_USAGE);
        CU_ASSERT_PTR_NULL(r);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bootstrap"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not for cox"));
    }
    cox_model(&m, CP);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "id";
    m.cluster[1] = "g";
    refused_usage(SORTED_CSV, &m, "two-way");
    cox_model(&m, "Surv(start, stop, event) ~ x1 + factor(d)");
    refused_usage(SORTED_CSV, &m, "factor(d)");
    cox_model(&m, "Surv(start, stop, event) ~ x1 + s");   /* s is a string column */
    refused_usage(BY_STRATUM, &m, "'s'");
    cox_model(&m, CP);
    m.id = "id";
    refused_usage(SORTED_CSV, &m, NULL);

    /* frequency weights with a robust or cluster variance: as in memory */
    cox_model(&m, CP);
    m.weights = "g";
    m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
    m.vce = DYADFIT_VCE_ROBUST;
    dyadfit_result *r = NULL, *mem = NULL;
    dyadfit_error es, em;
    memset(&es, 0, sizeof es);
    memset(&em, 0, sizeof em);
    int rs = df_stream_fit(tu_path(SORTED_CSV), &m, 100, &r, &es);
    dyadfit_table *t = NULL;
    CU_ASSERT_EQUAL_FATAL(dyadfit_read(tu_path(SORTED_CSV), NULL, &t, &em), 0);
    int rm = dyadfit_fit(t, &m, &mem, &em);
    dyadfit_table_free(t);
    CU_ASSERT_EQUAL(rm, DYADFIT_ERR_SPEC);
    CU_ASSERT_EQUAL(rs, DYADFIT_ERR_SPEC);
    if (rs != DYADFIT_ERR_SPEC) fprintf(stderr, "  fw robust: code %d '%s'\n", rs, es.message);
    CU_ASSERT_STRING_EQUAL(es.message, em.message);
    CU_ASSERT_PTR_NULL(r);
    dyadfit_result_free(r);
    dyadfit_result_free(mem);
}

/* the cache and the CSV pieces leave nothing behind in TMPDIR */
static void test_tmpdir_clean(void)
{
    DIR *d = opendir(tmpdir);
    CU_ASSERT_FATAL(d != NULL);
    struct dirent *e;
    int left = 0;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "dyadfit-stream", 14)) {
            fprintf(stderr, "  left behind: %s\n", e->d_name);
            left++;
        }
    closedir(d);
    CU_ASSERT_EQUAL(left, 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dyadfit-test-stream-cox-XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    setenv("TMPDIR", tmpdir, 1);
    static const tu_test tests[] = {
        {"oim, Efron and Breslow, counting process and right-censored", test_oim_ties},
        {"robust (hc0, stata, hc1)", test_robust},
        {"cluster id (hc0, stata), cluster on few groups", test_cluster},
        {"probability weights and offsets", test_weights_offset},
        {"strata interleaved and in blocks", test_strata},
        {".dta (ReadStat chunks)", test_dta},
        {"against survival::coxph (cox_sorted_ref.csv)", test_reference_coxph},
        {"leeds sorted by peaceyrs, cluster dyad; coxph reference", test_leeds},
        {"generated: empty risk sets, a stratum without events, string clusters, "
         "offsets 350 apart", test_edge},
        {"unsorted files refused with the row", test_unsorted},
        {"refused options", test_refused},
        {"nothing left in TMPDIR", test_tmpdir_clean},
        {NULL, NULL}};
    int rc = tu_run("stream_cox", tests);
    tu_print_lre();
    tu_sh("rm -rf %s", tmpdir);
    return rc;
}
