/*
 * test_fuzz_regressions.c -- every input that fuzzing (tests/fuzz/) found to
 * crash, leak or hang a reader, read again through dyadfit_read.
 *
 * The inputs live in tests/fuzz/findings/, one file per finding, named after
 * the bug. Each must now give either a clean DYADFIT_ERR_DATA error (with
 * the stated words in the message, *out left NULL) or, when the file is in
 * fact readable, the stated table. The suite is meant to be run under
 * AddressSanitizer too (make asan): most of these bugs were silent reads out
 * of bounds without it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "table/table.h"

#define F "tests/fuzz/findings/"

/* dyadfit_read must fail with DYADFIT_ERR_DATA mentioning s1 and s2. */
static void expect_data_error(const char *path, const char *s1, const char *s2)
{
    dyadfit_error e;
    dyadfit_table *t = (dyadfit_table *)1;
    memset(&e, 0, sizeof e);
    int rc = dyadfit_read(path, NULL, &t, &e);
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_DATA);
    CU_ASSERT_EQUAL(e.code, DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NULL(t);
    int ok1 = !s1 || strstr(e.message, s1), ok2 = !s2 || strstr(e.message, s2);
    if (rc != DYADFIT_ERR_DATA || !ok1 || !ok2)
        fprintf(stderr, "\n  %s: rc %d, message \"%s\" (want \"%s\", \"%s\")\n",
                path, rc, e.message, s1 ? s1 : "", s2 ? s2 : "");
    CU_ASSERT(ok1);
    CU_ASSERT(ok2);
    if (rc == DYADFIT_OK) dyadfit_table_free(t);
}

static dyadfit_table *read_ok(const char *path)
{
    dyadfit_error e;
    dyadfit_table *t = NULL;
    memset(&e, 0, sizeof e);
    int rc = dyadfit_read(path, NULL, &t, &e);
    if (rc != DYADFIT_OK) fprintf(stderr, "\n  %s: %s\n", path, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, DYADFIT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

/* Stata format 114, one variable whose value-label set name fills its
 * 33-byte lbllist field with no NUL (32 'v' and a 'Z'). ReadStat 1.1.8
 * passes a pointer into its unterminated buffer to the variable handler,
 * and strdup read past the end (ASan heap-buffer-overflow in on_variable).
 * The name is now cut at the field width, as later ReadStat versions do;
 * the file is otherwise valid, so it reads, and the 33-byte set name
 * matches no stored set (whose name is the 32 'v'), so no labels attach. */
static void test_dta_lbllist_unterminated(void)
{
    dyadfit_table *t = read_ok(F "dta_lbllist_unterminated.dta");
    char name[40];
    memset(name, 'v', 32);
    name[32] = '\0';
    CU_ASSERT_EQUAL(t->ncol, 1);
    CU_ASSERT_EQUAL(t->nrow, 3);
    const df_column *c = df_table_find(t, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->type, DF_COL_NUMERIC);
    CU_ASSERT_DOUBLE_EQUAL(c->num[0], 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(c->num[1], 2, 0);
    CU_ASSERT_DOUBLE_EQUAL(c->num[2], 1, 0);
    CU_ASSERT_EQUAL(c->nvlabels, 0);
    dyadfit_table_free(t);
}

/* The same file with its lbllist entry intact reads with the labels: the
 * bound does not cut a name that fits. */
static void test_dta_lbllist_intact(void)
{
    FILE *in = fopen(F "dta_lbllist_unterminated.dta", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    unsigned char b[4096];
    size_t n = fread(b, 1, sizeof b, in);
    fclose(in);
    CU_ASSERT_FATAL(n > 228 && b[228] == 'Z');
    b[228] = '\0';
    const char *path = "/tmp/dyadfit_test_lbllist_intact.dta";
    FILE *out = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(fwrite(b, 1, n, out), n);
    fclose(out);
    dyadfit_table *t = read_ok(path);
    remove(path);
    CU_ASSERT_EQUAL_FATAL(t->ncol, 1);
    const df_column *c = &t->cols[0];
    CU_ASSERT_EQUAL_FATAL(c->nvlabels, 2);
    CU_ASSERT_STRING_EQUAL(c->vlabels[0].label, "one");
    CU_ASSERT_STRING_EQUAL(c->vlabels[1].label, "two");
    CU_ASSERT_STRING_EQUAL(df_column_value_label(c, 2), "two");
    dyadfit_table_free(t);
}

/* A damaged Stata file on which ReadStat 1.1.8 asks the read handler for 0
 * bytes into a NULL buffer; io_read passed that to memcpy (undefined: UBSan
 * "null pointer passed as argument 1"; fatal under make asan). */
static void test_dta_read_null_buffer(void)
{
    expect_data_error(F "dta_read_null_buffer.dta", "as Stata data",
                      "Invalid file");
}

/* A CSV field holding a NUL byte ("a\0b"): the level was cut at the NUL,
 * and a field starting with one gave a level "" that the rest of the
 * library takes for missing (a reader-contract check of fuzz_csv). Such
 * files are refused, naming the line. */
static void test_csv_nul_byte(void)
{
    expect_data_error(F "csv_nul_byte.csv", "line 2: NUL byte", "UTF-16");
}

/* An SPSS portable file with a number field that does not parse. ReadStat
 * (1.1.8 and 1.1.9) builds its error message with "%s" on an unterminated
 * 100-byte stack buffer (ASan stack-buffer-overflow in snprintf, seen only
 * with ReadStat itself instrumented: FUZZ_READSTAT=cran). It does so only
 * for an error handler, so .por files are read without one. */
static void test_por_double_error(void)
{
    expect_data_error(F "por_double_error_overread.por", "as SPSS portable data",
                      "Invalid file");
}

/* An SPSS file with no variables: ReadStat 1.1.9 calls qsort(NULL, 0, ...)
 * (UBSan nonnull-attribute inside ReadStat, benign) before it stops at the
 * damaged timestamp. */
static void test_sav_no_variables(void)
{
    expect_data_error(F "readstat_sav_qsort_null.sav", "as SPSS data", "timestamp");
}

int main(void)
{
    static const tu_test tests[] = {
        {"dta: unterminated value-label set name", test_dta_lbllist_unterminated},
        {"dta: value-label set name that fits", test_dta_lbllist_intact},
        {"dta: zero-byte read into NULL", test_dta_read_null_buffer},
        {"csv: NUL byte", test_csv_nul_byte},
        {"por: number that does not parse", test_por_double_error},
        {"sav: no variables", test_sav_no_variables},
        {NULL, NULL}};
    return tu_run("fuzz_regressions", tests);
}
