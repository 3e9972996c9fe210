/*
 * test_read_parallel.c -- a large .dta read in two row ranges on two
 * threads (src/table/readstat.c) gives the very table the serial parse
 * gives: the same values to the bit, the same missing codes (system and
 * tagged), value labels, storage and row count; and a damaged file fails
 * with the serial parse's message.
 *
 * The file is written by dyadfit_write (200,000 rows, 19 MB: above the
 * parallel path's thresholds of 131,072 rows and 16 MB) into TMPDIR and
 * removed at the end.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "table/table.h"

#define NROW ((size_t)200000)
#define NNUM 10

static char path[512], cut[512];

static double value(size_t i, int j)
{
    /* deterministic, varied magnitudes and signs; exact in a double */
    uint64_t x = (uint64_t)i * 6364136223846793005ULL + (uint64_t)j * 1442695040888963407ULL;
    x ^= x >> 29;
    double u = (double)(x >> 11) / 9007199254740992.0;   /* [0, 1) */
    return (j % 3 == 0) ? u * 1e6 - 5e5 : (j % 3 == 1) ? ldexp(u, -40 + j) : floor(u * 100);
}

static int write_file(void)
{
    dyadfit_error e;
    dyadfit_table *t = NULL;
    double *v = malloc(NROW * sizeof *v);
    const char **s = malloc(NROW * sizeof *s);
    static const char *words[] = {"Europe", "Asia", "Africa", "Americas"};
    char name[16];
    int rc = -1;
    if (!v || !s || dyadfit_table_new(NROW, &t, &e)) goto done;
    for (int j = 0; j < NNUM; j++) {
        for (size_t i = 0; i < NROW; i++) v[i] = value(i, j);
        snprintf(name, sizeof name, "x%d", j);
        if (dyadfit_table_add_numeric(t, name, v, &e)) goto done;
    }
    /* m: system missing every 5th row, .a and .b now and then */
    for (size_t i = 0; i < NROW; i++) v[i] = i % 5 == 0 ? NAN : value(i, 11);
    if (dyadfit_table_add_numeric(t, "m", v, &e)) goto done;
    df_column *m = &t->cols[t->ncol - 1];   /* the builder marked the NaNs */
    if (!m->miss) goto done;
    for (size_t i = 0; i < NROW; i += 5)
        m->miss[i] = i % 35 == 0 ? DF_MISS_TAGGED_A : i % 55 == 0 ? DF_MISS_TAGGED_A + 1
                                                                  : DF_MISS_SYSTEM;
    /* lab: 1..3 with value labels, missing in the last row only (second half) */
    for (size_t i = 0; i < NROW; i++) v[i] = i + 1 == NROW ? NAN : (double)(1 + i % 3);
    if (dyadfit_table_add_numeric(t, "lab", v, &e)) goto done;
    df_column *l = &t->cols[t->ncol - 1];
    if (!l->miss || l->miss[NROW - 1] != DF_MISS_SYSTEM) goto done;
    if (!(l->vlabels = calloc(3, sizeof *l->vlabels))) goto done;
    static const char *labs[] = {"none", "some", "all"};
    for (int k = 0; k < 3; k++) {
        l->vlabels[k].value = k + 1;
        if (!(l->vlabels[k].label = strdup(labs[k]))) goto done;
        l->nvlabels = (size_t)k + 1;
    }
    for (size_t i = 0; i < NROW; i++) s[i] = words[i % 4];
    if (dyadfit_table_add_string(t, "region", s, &e)) goto done;

    FILE *f = fopen(path, "wb");
    if (!f) goto done;
    rc = dyadfit_write(t, "dta", f, &e);
    if (fclose(f) != 0) rc = -1;
    if (rc) fprintf(stderr, "\n  write: %s\n", e.message);
done:
    dyadfit_table_free(t);
    free(v);
    free(s);
    return rc;
}

static dyadfit_table *rd(const char *p, const dyadfit_read_opts *o, int threads)
{
    dyadfit_error e;
    dyadfit_table *t = NULL;
    dyadfit_set_threads(threads);
    int rc = dyadfit_read(p, o, &t, &e);
    dyadfit_set_threads(0);
    if (rc) fprintf(stderr, "\n  %s (%d threads): %s\n", p, threads, e.message);
    CU_ASSERT_EQUAL(rc, DYADFIT_OK);
    return rc ? NULL : t;
}

/* Every column of a and b the same to the bit. */
static void same_tables(const dyadfit_table *a, const dyadfit_table *b)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(a->nrow, NROW);
    CU_ASSERT_EQUAL_FATAL(a->nrow, b->nrow);
    CU_ASSERT_EQUAL_FATAL(a->ncol, b->ncol);
    for (size_t j = 0; j < a->ncol; j++) {
        const df_column *x = &a->cols[j], *y = &b->cols[j];
        CU_ASSERT_STRING_EQUAL(x->name, y->name);
        CU_ASSERT_EQUAL(x->type, y->type);
        CU_ASSERT_EQUAL(x->storage, y->storage);
        if (x->type == DF_COL_STRING) {
            CU_ASSERT(memcmp(x->code, y->code, a->nrow * sizeof *x->code) == 0);
            continue;
        }
        CU_ASSERT(memcmp(x->num, y->num, a->nrow * sizeof *x->num) == 0);
        CU_ASSERT_EQUAL(!x->miss, !y->miss);
        if (x->miss && y->miss) CU_ASSERT(memcmp(x->miss, y->miss, a->nrow) == 0);
        CU_ASSERT_EQUAL_FATAL(x->nvlabels, y->nvlabels);
        for (size_t k = 0; k < x->nvlabels; k++) {
            CU_ASSERT_EQUAL(x->vlabels[k].value, y->vlabels[k].value);
            CU_ASSERT_STRING_EQUAL(x->vlabels[k].label, y->vlabels[k].label);
        }
    }
}

static void test_numeric_subset(void)
{
    /* numeric columns only: the two-thread path */
    const char *vars[] = {"x0", "x1", "x2", "x5", "m", "lab", "x9"};
    dyadfit_read_opts o = {vars, sizeof vars / sizeof *vars};
    dyadfit_table *a = rd(path, &o, 1), *b = rd(path, &o, 2);
    same_tables(a, b);
    if (a && b) {
        const df_column *m = df_table_find(b, "m"), *l = df_table_find(b, "lab");
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(l);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m->miss);
        CU_ASSERT_PTR_NOT_NULL_FATAL(l->miss);
        /* codes on both sides of the split, as written */
        CU_ASSERT_EQUAL(m->miss[0], DF_MISS_TAGGED_A);
        CU_ASSERT_EQUAL(m->miss[NROW / 2 + 5], (NROW / 2 + 5) % 35 == 0 ? DF_MISS_TAGGED_A : DF_MISS_SYSTEM);
        CU_ASSERT_EQUAL(m->miss[NROW - 5], DF_MISS_SYSTEM);
        CU_ASSERT_EQUAL(m->miss[NROW - 4], DF_PRESENT);
        CU_ASSERT(isnan(m->num[NROW - 5]));
        CU_ASSERT_EQUAL(l->miss[NROW - 1], DF_MISS_SYSTEM);
        CU_ASSERT_EQUAL(l->nvlabels, 3);
        CU_ASSERT_EQUAL(df_table_find(b, "x0")->num[NROW - 1], value(NROW - 1, 0));
        CU_ASSERT_EQUAL(df_table_find(b, "x1")->num[NROW / 2], value(NROW / 2, 1));
    }
    dyadfit_table_free(a);
    dyadfit_table_free(b);
}

static void test_all_columns(void)
{
    /* a string column among them: the serial parse, whatever the threads */
    dyadfit_table *a = rd(path, NULL, 1), *b = rd(path, NULL, 2);
    same_tables(a, b);
    dyadfit_table_free(a);
    dyadfit_table_free(b);
}

/* The same failure, code and message, with one thread and with two. */
static void same_error(const char *p, const dyadfit_read_opts *o)
{
    dyadfit_error e1, e2;
    dyadfit_table *t1 = NULL, *t2 = NULL;
    memset(&e1, 0, sizeof e1);
    memset(&e2, 0, sizeof e2);
    dyadfit_set_threads(1);
    int rc1 = dyadfit_read(p, o, &t1, &e1);
    dyadfit_set_threads(2);
    int rc2 = dyadfit_read(p, o, &t2, &e2);
    dyadfit_set_threads(0);
    CU_ASSERT_NOT_EQUAL(rc1, DYADFIT_OK);
    CU_ASSERT_EQUAL(rc1, rc2);
    CU_ASSERT_STRING_EQUAL(e1.message, e2.message);
    CU_ASSERT_PTR_NULL(t1);
    CU_ASSERT_PTR_NULL(t2);
    dyadfit_table_free(t1);
    dyadfit_table_free(t2);
}

static void test_errors(void)
{
    const char *vars[] = {"x0", "nosuch"};
    dyadfit_read_opts o = {vars, 2};
    same_error(path, &o);
    /* cut inside the data: the header promises more rows */
    const char *num[] = {"x0", "m"};
    dyadfit_read_opts on = {num, 2};
    CU_ASSERT_EQUAL_FATAL(tu_sh("head -c 12000000 '%s' > '%s'", path, cut), 0);
    same_error(cut, &on);
}

static void test_cleanup(void)
{
    CU_ASSERT_EQUAL(unlink(path), 0);
    CU_ASSERT_EQUAL(unlink(cut), 0);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/df_par_%ld.dta", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    snprintf(cut, sizeof cut, "%s/df_par_%ld_cut.dta", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    if (write_file() != 0) {
        fprintf(stderr, "test_read_parallel: cannot write %s\n", path);
        return 1;
    }
    static const tu_test tests[] = {
        {"numeric columns: two threads = one thread", test_numeric_subset},
        {"with a string column: same table", test_all_columns},
        {"errors: same messages", test_errors},
        {"cleanup", test_cleanup},
        {NULL, NULL},
    };
    return tu_run("read_parallel", tests);
}
