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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "stream/stream.h"
#include "report/result.h"
#include "testutil.h"
#include "stream_check.h"

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
static const chunks LEEDS_CHUNKS = {3, {1000, 65536, 200000}};
static const chunks LEEDS_4096 = {1, {4096}};

/* One model on one file (NULL: the file the test passes), what is not set
 * keeping dyadfit_model_init's default (oim, ssc stata, Efron ties);
 * weights are probability weights. The in-memory fit, then the streamed one
 * in chunks of each size of cs; with ng, the number of clusters the
 * in-memory fit must find, with note a text its notes must hold. */
typedef struct {
    const char *file, *formula;
    dyadfit_vce vce;
    const char *cluster;
    dyadfit_ssc ssc;
    dyadfit_ties ties;
    const char *weights, *offset;
    const chunks *cs;
    size_t ng;
    const char *note;
} cox_case;

#define ROBUST DYADFIT_VCE_ROBUST
#define CLUSTER DYADFIT_VCE_CLUSTER
#define HC0 DYADFIT_SSC_HC0
#define HC1 DYADFIT_SSC_HC1
#define STATA DYADFIT_SSC_STATA
#define BRESLOW DYADFIT_TIES_BRESLOW

static void cox_model(dyadfit_model *m, const char *formula)
{
    sc_model(m, DYADFIT_COX, formula);
}

static void case_model(dyadfit_model *m, const cox_case *c)
{
    cox_model(m, c->formula);
    m->vce = c->vce;
    m->cluster[0] = c->cluster;
    m->ssc = c->ssc;
    m->ties = c->ties;
    m->offset = c->offset;
    if (c->weights) {
        m->weights = c->weights;
        m->weight_type = DYADFIT_WEIGHT_PROBABILITY;
    }
}

static const char *nz(const char *s) { return s ? s : ""; }

/* every number and string the renderers print, stream against memory: what
 * every streamed fit shares, and what Cox adds */
static void compare(const dyadfit_result *s, const dyadfit_result *m, const char *what)
{
    sc_compare(s, m, "cox stream", what);
    CU_ASSERT_EQUAL(s->estimator, DYADFIT_COX);
    CU_ASSERT_EQUAL(s->nrows_filtered, m->nrows_filtered);
    CU_ASSERT_EQUAL(s->vce, m->vce);
    CU_ASSERT_EQUAL(s->ssc, m->ssc);
    CU_ASSERT_EQUAL(s->converged, m->converged);
    CU_ASSERT_EQUAL(s->ties, m->ties);
    CU_ASSERT_STRING_EQUAL(nz(s->subtitle), nz(m->subtitle));
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
    dyadfit_result *mem = sc_fit_memory(path, m);
    if (!mem) return NULL;
    for (size_t c = 0; c < cs->n; c++) {
        snprintf(what, sizeof what, "%s on %s, vce %d ssc %d ties %d, chunks of %zu",
                 m->formula, rel, (int)m->vce, (int)m->ssc, (int)m->ties, cs->size[c]);
        dyadfit_result *s = sc_fit_stream(path, m, cs->size[c]);
        if (s) compare(s, mem, what);
        dyadfit_result_free(s);
    }
    return mem;
}

static void check(const char *rel, const dyadfit_model *m, const chunks *cs)
{
    dyadfit_result_free(check_ret(rel, m, cs));
}

/* the cases in turn, on file where a case names none */
static void check_cases(const cox_case *cases, size_t n, const char *file)
{
    dyadfit_model m;
    for (const cox_case *c = cases; c < cases + n; c++) {
        case_model(&m, c);
        dyadfit_result *mem = check_ret(c->file ? c->file : file, &m, c->cs);
        if (mem && c->ng) CU_ASSERT_EQUAL(mem->ng[0], c->ng);
        if (mem && c->note) CU_ASSERT_PTR_NOT_NULL(mem->notes && strstr(mem->notes, c->note));
        dyadfit_result_free(mem);
    }
}
#define CHECK_CASES(cases, file) check_cases((cases), sizeof(cases) / sizeof *(cases), (file))

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
        dyadfit_result *e = sc_fit_memory(tu_path(SORTED_CSV), &m);
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
    static const cox_case cases[] = {
        {SORTED_CSV, RC, .vce = ROBUST, .ssc = HC0, .cs = &BIG},
        {SORTED_CSV, RC, .vce = ROBUST, .ssc = STATA, .ties = BRESLOW, .cs = &BIG},
        {SORTED_CSV, CP, .vce = ROBUST, .ssc = HC1, .cs = &BIG},
    };
    CHECK_CASES(cases, NULL);
}

static void test_cluster(void)
{
    static const cox_case cases[] = {
        /* 4449 subjects in cox_sorted.csv */
        {SORTED_CSV, CP, .vce = CLUSTER, .cluster = "id", .ssc = HC0, .cs = &SMALL, .ng = 4449},
        {SORTED_CSV, CP, .vce = CLUSTER, .cluster = "id", .ssc = STATA, .cs = &BIG},
        {SORTED_CSV, CP, .vce = CLUSTER, .cluster = "id", .ssc = STATA, .ties = BRESLOW,
         .cs = &BIG},
        /* right-censored, clustered on the stratum variable (4 clusters) */
        {SORTED_CSV, RC, .vce = CLUSTER, .cluster = "g", .cs = &BIG},
    };
    CHECK_CASES(cases, NULL);
}

static void test_weights_offset(void)
{
    static const cox_case cases[] = {
        {SORTED_CSV, CP, .weights = "w", .cs = &BIG},
        {SORTED_CSV, CP, .weights = "w", .vce = CLUSTER, .cluster = "id", .ssc = HC0,
         .cs = &SMALL},
        {SORTED_CSV, CP, .weights = "w", .vce = CLUSTER, .cluster = "id", .ssc = STATA,
         .ties = BRESLOW, .cs = &BIG},
        {SORTED_CSV, CP, .offset = "off", .cs = &BIG},
        {SORTED_CSV, RC, .offset = "off", .weights = "w", .vce = ROBUST, .ssc = HC0,
         .ties = BRESLOW, .cs = &BIG},
    };
    CHECK_CASES(cases, NULL);
}

static void test_strata(void)
{
    static const cox_case cases[] = {
        /* strata interleaved in a file sorted overall */
        {SORTED_CSV, CP " + strata(g)", .cs = &SMALL},
        {SORTED_CSV, CP " + strata(g)", .ties = BRESLOW, .offset = "off", .cs = &BIG},
        {SORTED_CSV, RC " + strata(g)", .vce = CLUSTER, .cluster = "id", .weights = "w",
         .cs = &BIG},
        /* strata in contiguous blocks: sorted within strata, not overall */
        {BY_STRATUM, CP " + strata(g)", .cs = &ALL},
        {BY_STRATUM, CP " + strata(g)", .ties = BRESLOW, .vce = CLUSTER, .cluster = "id",
         .ssc = HC0, .cs = &SMALL},
        {BY_STRATUM, RC " + strata(g)", .offset = "off", .vce = ROBUST, .cs = &SMALL},
    };
    CHECK_CASES(cases, NULL);
}

/* the ReadStat chunk path */
static void test_dta(void)
{
    static const cox_case cases[] = {
        {SORTED_DTA, CP, .vce = CLUSTER, .cluster = "id", .weights = "w", .cs = &ALL},
        {SORTED_DTA, RC " + strata(g)", .ties = BRESLOW, .offset = "off", .cs = &SMALL},
    };
    CHECK_CASES(cases, NULL);
    /* the .dta and the .csv hold the same data */
    dyadfit_model m;
    cox_model(&m, CP);
    dyadfit_result *a = sc_fit_stream(tu_path(SORTED_DTA), &m, 1000),
                   *b = sc_fit_stream(tu_path(SORTED_CSV), &m, 1000);
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
        dyadfit_result *s = sc_fit_stream(file, m, path ? 333 : 1000);
        if (s) against_ref(s, cas, rows, n, "cox stream vs R");
        dyadfit_result_free(s);
    }
    /* the in-memory fit too: the reference is right for the fixture */
    dyadfit_result *mem = sc_fit_memory(tu_path(SORTED_CSV), m);
    if (mem) against_ref(mem, cas, rows, n, "cox memory vs R");
    dyadfit_result_free(mem);
}

static void test_reference_coxph(void)
{
    ref_row rows[32];
    size_t n = read_ref(rows, 32);
    CU_ASSERT_EQUAL(n, 11);
    /* the case of cox_sorted_ref.csv and its model (file and chunks: ref_case) */
    static const struct {
        const char *cas;
        cox_case c;
    } cases[] = {
        {"cp_efron_cluster_w",
         {.formula = CP, .weights = "w", .vce = CLUSTER, .cluster = "id", .ssc = HC0}},
        {"cp_breslow_strata_off",
         {.formula = CP " + strata(g)", .offset = "off", .ties = BRESLOW}},
        {"rc_efron_robust",
         {.formula = "Surv(stop, event) ~ x1 + yr + d", .vce = ROBUST, .ssc = HC0}},
    };
    dyadfit_model m;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        case_model(&m, &cases[i].c);
        ref_case(cases[i].cas, &m, rows, n);
    }
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
    static const cox_case cases[] = {
        {NULL, LEEDS_COX, .vce = CLUSTER, .cluster = "dyad", .cs = &LEEDS_CHUNKS},
        {NULL, LEEDS_COX, .vce = CLUSTER, .cluster = "dyad", .ties = BRESLOW, .ssc = HC0,
         .cs = &LEEDS_4096},
    };
    dyadfit_model m;
    case_model(&m, &cases[0]);
    dyadfit_result *mem = check_ret(leeds_sorted, &m, cases[0].cs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    dyadfit_result_free(mem);
    check_cases(cases + 1, 1, leeds_sorted);

    /* R: coxph of tests/reference (cases_cox.tsv, min_lre 8 there), the
     * first with cluster = dyad; strata(region) on the same file (sorted
     * overall, so within region) */
    static const struct {
        cox_case c;
        size_t chunk;
        const char *ref;
        double min;
    } refs[] = {
        {{.formula = LEEDS_F1, .vce = CLUSTER, .cluster = "dyad", .ssc = HC0}, 8192,
         "tests/reference/values/cox_leeds_efron_cluster_hc0.csv", 8},
        {{.formula = LEEDS_F1 " + strata(region)"}, 5000,
         "tests/reference/values/cox_leeds_strata_efron_oim.csv", 9},
    };
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        case_model(&m, &refs[i].c);
        dyadfit_result *s = sc_fit_stream(leeds_sorted, &m, refs[i].chunk);
        if (s) tu_check_result_ref(s, tu_path(refs[i].ref), "cox stream leeds vs R", refs[i].min);
        dyadfit_result_free(s);
    }
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

#define E_STRATA "Surv(start, stop, event) ~ x1 + x2 + d + strata(h)"
#define E_CP "Surv(start, stop, event) ~ x1 + x2 + d"
#define E_RC "Surv(stop, event) ~ x1 + x2 + d + strata(h)"

static void test_edge(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s",
             sc_write_csv(tmpdir, "edge.csv", "start,stop,event,x1,x2,d,h,cl,ob,w", row_edge,
                          2000));

    static const cox_case cases[] = {
        /* string cluster ids; stratum 3 has no event */
        {NULL, E_STRATA, .vce = CLUSTER, .cluster = "cl", .cs = &ALL, .ng = 300,
         .note = "3 strata (1 without any event"},
        {NULL, E_STRATA, .vce = CLUSTER, .cluster = "cl", .ties = BRESLOW, .weights = "w",
         .cs = &SMALL},
        /* risk scores exp(350) apart */
        {NULL, E_CP, .offset = "ob", .cs = &ALL},
        {NULL, E_CP, .offset = "ob", .ties = BRESLOW, .vce = ROBUST, .cs = &SMALL},
        {NULL, E_RC, .offset = "ob", .vce = CLUSTER, .cluster = "cl", .cs = &SMALL},
    };
    CHECK_CASES(cases, path);
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
    dyadfit_result *u = sc_fit_memory(tu_path(UNSORTED), &m),
                   *s = sc_fit_memory(tu_path(SORTED_CSV), &m);
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
    sc_both_fail(tu_path(SORTED_CSV), &m, DYADFIT_ERR_SPEC, 1, NULL);
}

/* the cache and the CSV pieces leave nothing behind in TMPDIR */
static void test_tmpdir_clean(void)
{
    CU_ASSERT_EQUAL(sc_count_left(tmpdir, "dyadfit-stream"), 0);
}

int main(void)
{
    if (sc_tmpdir(tmpdir, sizeof tmpdir, "dyadfit-test-stream-cox")) return 2;
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
    return sc_run("stream_cox", tests, tmpdir);
}
