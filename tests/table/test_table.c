/*
 * test_table.c -- the table layer: builder, readers (ReadStat formats and
 * CSV), checksums and every error path of dyadfit_read.
 *
 * Fixtures in tests/data/table/ come from make_fixtures.R (R haven and the
 * readstat command): one 6-row data set saved in every format, plus Stata
 * tagged missing values, SPSS user-missing values and damaged files.
 * Numbers must come back exactly (LRE 17) except from SPSS portable files,
 * whose base-30 text keeps about 15 digits (LRE >= 14 asserted).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "table/table.h"

#define D "tests/data/table/"

static dyadfit_table *rd(const char *path, const dyadfit_read_opts *o)
{
    dyadfit_error e;
    dyadfit_table *t = (dyadfit_table *)1;
    memset(&e, 0, sizeof e);
    int rc = dyadfit_read(path, o, &t, &e);
    if (rc != 0) fprintf(stderr, "\n  %s: %s\n", path, e.message);
    CU_ASSERT_EQUAL(rc, DYADFIT_OK);
    if (rc != 0) return NULL;
    CU_ASSERT_PTR_NOT_NULL(t);
    return t;
}

/* dyadfit_read must fail with `code`, leave *out NULL and mention s1, s2. */
static void expect_error(const char *path, const dyadfit_read_opts *o,
                         int code, const char *s1, const char *s2)
{
    dyadfit_error e;
    dyadfit_table *t = (dyadfit_table *)1;
    memset(&e, 0, sizeof e);
    int rc = dyadfit_read(path, o, &t, &e);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(e.code, code);
    CU_ASSERT_PTR_NULL(t);
    int ok1 = !s1 || strstr(e.message, s1), ok2 = !s2 || strstr(e.message, s2);
    if (!ok1 || !ok2 || rc != code)
        fprintf(stderr, "\n  %s: rc %d, message \"%s\" (want \"%s\", \"%s\")\n",
                path, rc, e.message, s1 ? s1 : "", s2 ? s2 : "");
    CU_ASSERT(ok1);
    CU_ASSERT(ok2);
    if (rc == 0) dyadfit_table_free(t);
}

static const df_column *col(const dyadfit_table *t, const char *name)
{
    const df_column *c = df_table_find(t, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    return c;
}

static int miss_code(const df_column *c, size_t i)
{
    return c->miss ? c->miss[i] : DF_PRESENT;
}

/* ---------------------------------------------------------------- builder */

static void test_builder(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error e;
    double x[3] = {1, NAN, 3};
    const char *s[3] = {"b", NULL, ""};
    CU_ASSERT_EQUAL(dyadfit_table_new(3, &t, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "x", x, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_string(t, "s", s, &e), 0);
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "x", x, &e), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "duplicate column name 'x'"));
    CU_ASSERT_EQUAL(dyadfit_table_add_numeric(t, "", x, &e), DYADFIT_ERR_DATA);
    CU_ASSERT_EQUAL(dyadfit_table_ncol(t), 2);
    const df_column *c = col(t, "x");
    CU_ASSERT(df_column_is_missing(c, 1));
    CU_ASSERT_EQUAL(miss_code(c, 1), DF_MISS_SYSTEM);
    c = col(t, "s");
    CU_ASSERT_EQUAL(c->nlevels, 1);
    CU_ASSERT_EQUAL(c->code[0], 0);
    CU_ASSERT_EQUAL(c->code[1], -1);
    CU_ASSERT_EQUAL(c->code[2], -1);
    CU_ASSERT_STRING_EQUAL(dyadfit_table_path(t), "");
    CU_ASSERT_STRING_EQUAL(dyadfit_table_checksum(t), "");
    dyadfit_table_free(t);
}

/* Many distinct strings through the builder (the R package's path):
 * levels in order of first appearance, repeats coded alike. */
static void test_builder_many_levels(void)
{
    enum { N = 300000, L = 150000 };
    dyadfit_table *t = NULL;
    dyadfit_error e;
    const char **s = malloc(N * sizeof *s);
    char *buf = malloc((size_t)L * 12);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    for (int l = 0; l < L; l++) snprintf(buf + (size_t)l * 12, 12, "id%d", (l * 7919) % L);
    for (int i = 0; i < N; i++) s[i] = buf + (size_t)(i % L) * 12;
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(N, &t, &e), 0);
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_add_string(t, "id", s, &e), 0);
    const df_column *c = col(t, "id");
    CU_ASSERT_EQUAL(c->nlevels, L);
    int ok = 1;
    for (int i = 0; i < N && ok; i++)
        ok = c->code[i] == i % L && strcmp(c->levels[c->code[i]], s[i]) == 0;
    CU_ASSERT(ok);
    dyadfit_table_free(t);
    free(buf);
    free(s);
}

/* --------------------------------------------- one data set, every format */

static const double XV[6] = {0.1, -2.5, 1e10, NAN, 3.141592653589793,
                             -1.0 / 3.0};
static const double LAB[6] = {1, 2, 2, NAN, 1, 3};
static const int32_t GS[6] = {0, 1, -1, 0, 2, 1}; /* USA Canada "" USA ... */

static void check_base(const char *file, const char *format, int has_vlabels,
                       int has_varlabel, double min_lre)
{
    char path[256];
    snprintf(path, sizeof path, D "%s", file);
    dyadfit_table *t = rd(path, NULL);
    if (!t) return;
    CU_ASSERT_EQUAL(dyadfit_table_nrow(t), 6);
    CU_ASSERT_EQUAL(dyadfit_table_ncol(t), 4);
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 0), "ID");
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 1), "XV");
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 2), "GS");
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 3), "LAB");
    CU_ASSERT_STRING_EQUAL(dyadfit_table_path(t), path);
    CU_ASSERT_STRING_EQUAL(t->format, format);
    CU_ASSERT_EQUAL(strlen(dyadfit_table_checksum(t)), 64);

    const df_column *id = col(t, "ID"), *xv = col(t, "XV"), *gs = col(t, "GS"),
                    *lab = col(t, "LAB");
    CU_ASSERT_EQUAL(id->type, DF_COL_NUMERIC);
    CU_ASSERT_EQUAL(xv->type, DF_COL_NUMERIC);
    CU_ASSERT_EQUAL(gs->type, DF_COL_STRING);
    CU_ASSERT_EQUAL(lab->type, DF_COL_NUMERIC);
    CU_ASSERT_PTR_NULL(id->miss);
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(id->num[i], (double)(i + 1));
        if (isnan(XV[i])) {
            CU_ASSERT(isnan(xv->num[i]));
            CU_ASSERT_EQUAL(miss_code(xv, i), DF_MISS_SYSTEM);
        } else {
            TU_ASSERT_LRE(xv->num[i], XV[i], min_lre);
            CU_ASSERT_EQUAL(miss_code(xv, i), DF_PRESENT);
        }
        if (isnan(LAB[i])) {
            CU_ASSERT(isnan(lab->num[i]));
            CU_ASSERT(df_column_is_missing(lab, i));
        } else {
            CU_ASSERT_EQUAL(lab->num[i], LAB[i]);
        }
        CU_ASSERT_EQUAL(gs->code[i], GS[i]);
    }
    CU_ASSERT_EQUAL_FATAL(gs->nlevels, 3);
    CU_ASSERT_STRING_EQUAL(gs->levels[0], "USA");
    CU_ASSERT_STRING_EQUAL(gs->levels[1], "Canada");
    CU_ASSERT_STRING_EQUAL(gs->levels[2], "Mexico");
    if (has_vlabels) {
        CU_ASSERT_EQUAL_FATAL(lab->nvlabels, 3);
        CU_ASSERT_EQUAL(lab->vlabels[0].value, 1);
        CU_ASSERT_STRING_EQUAL(lab->vlabels[0].label, "low");
        CU_ASSERT_STRING_EQUAL(df_column_value_label(lab, 2), "high");
        CU_ASSERT_STRING_EQUAL(df_column_value_label(lab, 3), "top");
        CU_ASSERT_PTR_NULL(df_column_value_label(lab, 4));
    } else {
        CU_ASSERT_EQUAL(lab->nvlabels, 0);
    }
    if (has_varlabel) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(xv->label);
        CU_ASSERT_STRING_EQUAL(xv->label, "An x variable");
    }
    dyadfit_table_free(t);
}

static void test_dta114(void) { check_base("data114.dta", "dta", 1, 1, 17); }
static void test_dta117(void) { check_base("data117.dta", "dta", 1, 1, 17); }
static void test_dta118(void) { check_base("data118.dta", "dta", 1, 1, 17); }
static void test_sav(void) { check_base("data.sav", "sav", 1, 1, 17); }
static void test_zsav(void) { check_base("data.zsav", "zsav", 1, 1, 17); }
static void test_por(void) { check_base("data.por", "por", 1, 1, 14); }
static void test_xpt(void) { check_base("data.xpt", "xpt", 0, 1, 17); }
static void test_sas7bdat(void) { check_base("data.sas7bdat", "sas7bdat", 0, 1, 17); }
static void test_csv(void) { check_base("data.csv", "csv", 0, 0, 17); }
static void test_csv_crlf_bom(void) { check_base("crlf_bom.csv", "csv", 0, 0, 17); }
static void test_csv_upper_ext(void) { check_base("UPPER.CSV", "csv", 0, 0, 17); }

static void test_storage(void)
{
    dyadfit_table *t = rd(D "data118.dta", NULL);
    if (!t) return;
    CU_ASSERT_EQUAL(col(t, "ID")->storage, DF_STORE_INT32);  /* R integer */
    CU_ASSERT_EQUAL(col(t, "XV")->storage, DF_STORE_DOUBLE);
    CU_ASSERT_EQUAL(col(t, "GS")->storage, DF_STORE_STRING);
    dyadfit_table_free(t);
}

/* Row count unknown from the header (XPORT): columns must grow past the
 * first allocation. */
static void test_long_xpt(void)
{
    dyadfit_table *t = rd(D "long.xpt", NULL);
    if (!t) return;
    CU_ASSERT_EQUAL(dyadfit_table_nrow(t), 2500);
    const df_column *c = col(t, "LI");
    int ok = 1;
    for (size_t i = 0; i < 2500; i++) ok &= c->num[i] == (double)(i + 1);
    CU_ASSERT(ok);
    dyadfit_table_free(t);
}

/* ------------------------------------------------------- missing kinds */

static void test_stata_tagged(void)
{
    dyadfit_table *t = rd(D "tagged.dta", NULL);
    if (!t) return;
    const df_column *v = col(t, "tv"), *s = col(t, "ts");
    CU_ASSERT_EQUAL(v->num[0], 1);
    CU_ASSERT_EQUAL(v->num[4], 5);
    CU_ASSERT(isnan(v->num[1]) && isnan(v->num[2]) && isnan(v->num[3]));
    CU_ASSERT_EQUAL(miss_code(v, 0), DF_PRESENT);
    CU_ASSERT_EQUAL(miss_code(v, 1), DF_MISS_TAGGED_A);
    CU_ASSERT_EQUAL(miss_code(v, 2), DF_MISS_SYSTEM);
    CU_ASSERT_EQUAL(miss_code(v, 3), DF_MISS_TAGGED_A + 25);
    /* ReadStat (like haven, which bundles it) drops trailing blanks from
     * Stata strings: " " becomes "" and so missing; leading blanks stay */
    CU_ASSERT_EQUAL_FATAL(s->nlevels, 2);
    CU_ASSERT_STRING_EQUAL(s->levels[0], "a");
    CU_ASSERT_STRING_EQUAL(s->levels[1], "  b");
    CU_ASSERT_EQUAL(s->code[0], -1);
    CU_ASSERT_EQUAL(s->code[1], 0);
    CU_ASSERT_EQUAL(s->code[2], -1);
    CU_ASSERT_EQUAL(s->code[3], 1);
    CU_ASSERT_EQUAL(s->code[4], 0);
    dyadfit_table_free(t);
}

static void test_spss_user_missing(void)
{
    dyadfit_table *t = rd(D "usermiss.sav", NULL);
    if (!t) return;
    const df_column *r = col(t, "ur"), *q = col(t, "uq");
    static const double rv[6] = {1, NAN, 2, NAN, NAN, 3};
    static const int rk[6] = {0, DF_MISS_USER, 0, DF_MISS_USER, DF_MISS_SYSTEM, 0};
    static const double qv[6] = {10, NAN, 20, NAN, 50, 100};
    static const int qk[6] = {0, DF_MISS_USER, 0, DF_MISS_USER, 0, 0};
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(miss_code(r, i), rk[i]);
        CU_ASSERT_EQUAL(miss_code(q, i), qk[i]);
        CU_ASSERT(isnan(rv[i]) ? isnan(r->num[i]) : r->num[i] == rv[i]);
        CU_ASSERT(isnan(qv[i]) ? isnan(q->num[i]) : q->num[i] == qv[i]);
    }
    /* labels, sorted by value, including the one on a missing code */
    CU_ASSERT_EQUAL_FATAL(r->nvlabels, 3);
    CU_ASSERT_EQUAL(r->vlabels[0].value, -9);
    CU_ASSERT_STRING_EQUAL(r->vlabels[0].label, "refused");
    CU_ASSERT_STRING_EQUAL(r->vlabels[1].label, "yes");
    CU_ASSERT_STRING_EQUAL(r->vlabels[2].label, "no");
    CU_ASSERT_EQUAL(q->nvlabels, 0);
    dyadfit_table_free(t);
}

/* ------------------------------------------------------------- checksum */

static int expected_digest(const char *file, char out[65])
{
    FILE *f = fopen(D "expected_sha256.txt", "r");
    char line[512], hex[65], name[400];
    int found = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%64s %399s", hex, name) == 2 && strcmp(name, file) == 0) {
            strcpy(out, hex);
            found = 1;
        }
    fclose(f);
    return found;
}

static void test_sha256(void)
{
    const char *files[2] = {D "data118.dta", D "data.csv"};
    for (int k = 0; k < 2; k++) {
        char want[65] = "", got[65] = "";
        dyadfit_error e;
        CU_ASSERT_FATAL(expected_digest(files[k], want));
        CU_ASSERT_EQUAL(df_sha256_file(files[k], got, &e), 0);
        CU_ASSERT_STRING_EQUAL(got, want);
        dyadfit_table *t = rd(files[k], NULL);
        if (t) CU_ASSERT_STRING_EQUAL(dyadfit_table_checksum(t), want);
        dyadfit_table_free(t);
    }
    char got[65];
    dyadfit_error e;
    CU_ASSERT_EQUAL(df_sha256_file(D "nope.dta", got, &e), DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "nope.dta"));
}

/* ---------------------------------------------------- variables subset */

static void check_subset(const char *path)
{
    const char *vars[2] = {"LAB", "GS"};
    dyadfit_read_opts o = {vars, 2};
    dyadfit_table *t = rd(path, &o);
    if (!t) return;
    CU_ASSERT_EQUAL(dyadfit_table_ncol(t), 2);
    CU_ASSERT_EQUAL(dyadfit_table_nrow(t), 6);
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 0), "GS"); /* file order */
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 1), "LAB");
    const df_column *lab = col(t, "LAB"), *gs = col(t, "GS");
    CU_ASSERT_EQUAL(lab->num[5], 3);
    CU_ASSERT(isnan(lab->num[3]));
    CU_ASSERT_EQUAL(gs->code[4], 2);
    CU_ASSERT_PTR_NULL(df_table_find(t, "XV"));
    dyadfit_table_free(t);

    const char *bad[2] = {"GS", "nope"};
    dyadfit_read_opts ob = {bad, 2};
    expect_error(path, &ob, DYADFIT_ERR_DATA, "variable 'nope' is not in", path);
}

static void test_subset_dta(void) { check_subset(D "data118.dta"); }
static void test_subset_sav(void) { check_subset(D "data.sav"); }
static void test_subset_csv(void) { check_subset(D "data.csv"); }

/* ------------------------------------------------------------ CSV cases */

static void test_csv_quoting(void)
{
    dyadfit_table *t = rd(D "quoted.csv", NULL);
    if (!t) return;
    CU_ASSERT_EQUAL(dyadfit_table_nrow(t), 4); /* trailing blank line skipped */
    CU_ASSERT_STRING_EQUAL(dyadfit_table_colname(t, 1), "a \"b\" c");
    const df_column *name = col(t, "name"), *a = col(t, "a \"b\" c"),
                    *n = col(t, "n");
    CU_ASSERT_EQUAL_FATAL(name->type, DF_COL_STRING);
    CU_ASSERT_EQUAL_FATAL(name->nlevels, 4);
    CU_ASSERT_STRING_EQUAL(name->levels[0], "x, y");
    CU_ASSERT_STRING_EQUAL(name->levels[1], "multi\nline");
    CU_ASSERT_STRING_EQUAL(name->levels[2], "plain");
    CU_ASSERT_STRING_EQUAL(name->levels[3], "He said \"hi\"");
    CU_ASSERT_EQUAL(a->type, DF_COL_NUMERIC);
    CU_ASSERT_EQUAL(a->num[0], 1);
    for (size_t i = 1; i < 4; i++) CU_ASSERT_EQUAL(miss_code(a, i), DF_MISS_SYSTEM);
    CU_ASSERT_EQUAL(n->type, DF_COL_NUMERIC); /* "2" quoted is still a number */
    for (size_t i = 0; i < 4; i++) CU_ASSERT_EQUAL(n->num[i], (double)(i + 2));
    dyadfit_table_free(t);
}

static void test_csv_inference(void)
{
    dyadfit_table *t = rd(D "mixed.csv", NULL);
    if (!t) return;
    const df_column *a = col(t, "a"), *b = col(t, "b"), *c = col(t, "c");
    CU_ASSERT_EQUAL(a->type, DF_COL_NUMERIC);       /* NaN text is missing */
    CU_ASSERT_EQUAL(a->num[2], 3);
    CU_ASSERT_EQUAL(miss_code(a, 3), DF_MISS_SYSTEM);
    /* numbers first, then "z": redone as strings, levels in order seen */
    CU_ASSERT_EQUAL_FATAL(b->type, DF_COL_STRING);
    CU_ASSERT_EQUAL_FATAL(b->nlevels, 3);
    CU_ASSERT_STRING_EQUAL(b->levels[0], "7");
    CU_ASSERT_STRING_EQUAL(b->levels[1], "z");
    CU_ASSERT_STRING_EQUAL(b->levels[2], "8");
    CU_ASSERT_EQUAL(b->code[0], -1);
    CU_ASSERT_EQUAL(b->code[3], 2);
    CU_ASSERT_EQUAL_FATAL(c->type, DF_COL_STRING);
    CU_ASSERT_EQUAL_FATAL(c->nlevels, 3);
    CU_ASSERT_STRING_EQUAL(c->levels[1], "1.5");
    CU_ASSERT_EQUAL(c->code[1], -1);
    dyadfit_table_free(t);

    /* a column named Inf is fine, and so is "Inf" in a string column */
    t = rd(D "names.csv", NULL);
    if (!t) return;
    CU_ASSERT_EQUAL(col(t, "Inf")->num[1], 2);
    const df_column *s = col(t, "s");
    CU_ASSERT_EQUAL_FATAL(s->type, DF_COL_STRING);
    /* only "" is missing: a field of blanks is a level of its own */
    CU_ASSERT_EQUAL_FATAL(s->nlevels, 3);
    CU_ASSERT_STRING_EQUAL(s->levels[2], "  ");
    CU_ASSERT_EQUAL(s->code[2], 2);
    dyadfit_table_free(t);

    t = rd(D "headeronly.csv", NULL);
    if (!t) return;
    CU_ASSERT_EQUAL(dyadfit_table_nrow(t), 0);
    CU_ASSERT_EQUAL(dyadfit_table_ncol(t), 3);
    dyadfit_table_free(t);
}

/* Many distinct strings: the dictionary's hash table must grow and keep
 * every code right. */
static void test_csv_many_levels(void)
{
    char dir[] = "/tmp/dyadfit_levelsXXXXXX", path[64];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/k.csv", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "k,v\n");
    for (int i = 0; i < 20000; i++) fprintf(f, "key%d,%d\n", (i * 7919) % 5000, i);
    fclose(f);
    dyadfit_table *t = rd(path, NULL);
    unlink(path);
    rmdir(dir);
    if (!t) return;
    const df_column *k = col(t, "k"), *v = col(t, "v");
    CU_ASSERT_EQUAL(t->nrow, 20000);
    CU_ASSERT_EQUAL(k->nlevels, 5000);
    int ok = 1;
    char want[32];
    for (size_t i = 0; i < 20000; i++) {
        snprintf(want, sizeof want, "key%zu", (i * 7919) % 5000);
        ok &= k->code[i] >= 0 && strcmp(k->levels[k->code[i]], want) == 0;
        ok &= v->num[i] == (double)i;
    }
    CU_ASSERT(ok);
    dyadfit_table_free(t);
}

/* The reader's fast decimal path must agree bit for bit with strtod, on
 * numbers of 1 to 19 digits with and without a decimal point. */
static void test_csv_numbers_exact(void)
{
    enum { N = 50000 };
    static char s[N][40];
    char dir[] = "/tmp/dyadfit_numXXXXXX", path[64];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/n.csv", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "v\n");
    srand(7);
    for (int i = 0; i < N; i++) {
        int nd = 1 + rand() % 19, dp = rand() % (nd + 1);
        char *p = s[i];
        if (rand() % 2) *p++ = '-';
        for (int k = 0; k < nd; k++) {
            if (k == dp && dp) *p++ = '.';
            *p++ = (char)('0' + (k == 0 && rand() % 3 == 0 ? 0 : rand() % 10));
        }
        if ((dp == 0 || dp == nd) && rand() % 5 == 0) *p++ = '.';
        *p = '\0';
        fprintf(f, "%s\n", s[i]);
    }
    fclose(f);
    dyadfit_table *t = rd(path, NULL);
    unlink(path);
    rmdir(dir);
    if (!t) return;
    CU_ASSERT_EQUAL_FATAL(t->cols[0].type, DF_COL_NUMERIC);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        double want = strtod(s[i], NULL);
        if (memcmp(&t->cols[0].num[i], &want, sizeof want) != 0 && bad++ < 3)
            fprintf(stderr, "\n  '%s': got %.17g want %.17g\n", s[i],
                    t->cols[0].num[i], want);
    }
    CU_ASSERT_EQUAL(bad, 0);
    dyadfit_table_free(t);
}

/* ---------------------------------------------------------- error paths */

static void test_err_files(void)
{
    expect_error(D "nope.dta", NULL, DYADFIT_ERR_DATA,
                 "cannot open '" D "nope.dta'", "No such file or directory");
    expect_error(D "empty.dta", NULL, DYADFIT_ERR_DATA, D "empty.dta", "empty");
    expect_error(D "data.txt", NULL, DYADFIT_ERR_DATA, D "data.txt",
                 ".dta, .sav, .zsav, .por, .sas7bdat, .xpt or .csv");
    expect_error(D "make_fixtures", NULL, DYADFIT_ERR_DATA, "unknown file type", NULL);

    char dir[] = "/tmp/dyadfit_dirXXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    char sub[64];
    snprintf(sub, sizeof sub, "%s/d.dta", dir);
    CU_ASSERT_FATAL(mkdir(sub, 0700) == 0);
    expect_error(sub, NULL, DYADFIT_ERR_DATA, sub, "directory");
    rmdir(sub);
    rmdir(dir);
    strcpy(dir, "/tmp/dyadfit_dirXXXXXX");

    if (geteuid() != 0) { /* root reads anything */
        char p[64];
        CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
        snprintf(p, sizeof p, "%s/u.csv", dir);
        FILE *f = fopen(p, "w");
        CU_ASSERT_FATAL(f != NULL);
        fputs("a\n1\n", f);
        fclose(f);
        chmod(p, 0);
        expect_error(p, NULL, DYADFIT_ERR_DATA, p, "Permission denied");
        unlink(p);
        rmdir(dir);
    }

    dyadfit_table *t = NULL;
    dyadfit_error e;
    CU_ASSERT_EQUAL(dyadfit_read(NULL, NULL, &t, &e), DYADFIT_ERR_USAGE);
    CU_ASSERT_EQUAL(dyadfit_read(D "data.csv", NULL, NULL, &e), DYADFIT_ERR_USAGE);
}

static void test_err_damaged(void)
{
    expect_error(D "truncated.dta", NULL, DYADFIT_ERR_DATA,
                 "cannot read '" D "truncated.dta' as Stata data: ", NULL);
    expect_error(D "truncated.sav", NULL, DYADFIT_ERR_DATA,
                 "cannot read '" D "truncated.sav' as SPSS data: ", NULL);
    expect_error(D "corrupt.dta", NULL, DYADFIT_ERR_DATA,
                 "cannot read '" D "corrupt.dta' as Stata data: ", NULL);
    expect_error(D "corrupt.sav", NULL, DYADFIT_ERR_DATA,
                 "cannot read '" D "corrupt.sav' as SPSS data: ", NULL);
    expect_error(D "csvfile.dta", NULL, DYADFIT_ERR_DATA,
                 "cannot read '" D "csvfile.dta' as Stata data: ", NULL);
}

static void test_err_csv(void)
{
    expect_error(D "ragged.csv", NULL, DYADFIT_ERR_DATA,
                 D "ragged.csv line 4: 2 fields, header has 3", NULL);
    expect_error(D "ragged_crlf.csv", NULL, DYADFIT_ERR_DATA,
                 D "ragged_crlf.csv line 3: 1 field, header has 2", NULL);
    expect_error(D "unterminated.csv", NULL, DYADFIT_ERR_DATA,
                 D "unterminated.csv line 3:", "never closed");
    expect_error(D "badquote.csv", NULL, DYADFIT_ERR_DATA,
                 D "badquote.csv line 2:", "closing quote");
    expect_error(D "dupheader.csv", NULL, DYADFIT_ERR_DATA,
                 "duplicate column name 'a'", "columns 1 and 3");
    expect_error(D "emptyheader.csv", NULL, DYADFIT_ERR_DATA,
                 D "emptyheader.csv line 1: column 2", "no name");
    expect_error(D "noheader.csv", NULL, DYADFIT_ERR_DATA,
                 D "noheader.csv", "no header");
    expect_error(D "inf.csv", NULL, DYADFIT_ERR_DATA,
                 D "inf.csv line 3, column 'b'", "infinite value 'Inf'");
}

int main(void)
{
    static const tu_test tests[] = {
        {"builder", test_builder},
        {"builder: 150,000 distinct strings", test_builder_many_levels},
        {"dta 114", test_dta114},
        {"dta 117", test_dta117},
        {"dta 118", test_dta118},
        {"sav", test_sav},
        {"zsav", test_zsav},
        {"por", test_por},
        {"xpt", test_xpt},
        {"sas7bdat", test_sas7bdat},
        {"csv", test_csv},
        {"csv crlf + bom", test_csv_crlf_bom},
        {"csv upper-case extension", test_csv_upper_ext},
        {"storage types", test_storage},
        {"xpt beyond first allocation", test_long_xpt},
        {"stata tagged missing", test_stata_tagged},
        {"spss user missing", test_spss_user_missing},
        {"sha256", test_sha256},
        {"subset dta", test_subset_dta},
        {"subset sav", test_subset_sav},
        {"subset csv", test_subset_csv},
        {"csv quoting", test_csv_quoting},
        {"csv type inference", test_csv_inference},
        {"csv many levels", test_csv_many_levels},
        {"csv numbers equal strtod", test_csv_numbers_exact},
        {"errors: files", test_err_files},
        {"errors: damaged files", test_err_damaged},
        {"errors: csv", test_err_csv},
        {NULL, NULL},
    };
    return tu_run("table", tests);
}
