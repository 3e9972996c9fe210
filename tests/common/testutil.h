/*
 * testutil.h -- shared by the CUnit suites: log relative error, reference
 * files, running a suite.
 */
#ifndef DF_TESTUTIL_H
#define DF_TESTUTIL_H

#include <stddef.h>
#include <CUnit/CUnit.h>

/* Log relative error -log10(|x - ref| / |ref|), or -log10|x - ref| when ref
 * is 0; 17 when they are equal. Higher is better. */
double tu_lre(double x, double ref);

/* A reference table in broom CSV form (term,estimate,std.error,...), as
 * written by the R scripts in tests/reference. */
typedef struct {
    size_t n;
    char **term;
    double *estimate;
    double *std_error;
} tu_ref;

int tu_ref_read(const char *path, tu_ref *r);   /* 0 on success */
void tu_ref_free(tu_ref *r);

/* Asserts a fit's terms, estimates and standard errors against the reference
 * table at path (LRE >= min), noting the LREs under "coef <category>" and
 * "se <category>" (result_ref.c). */
struct dyadfit_result;
void tu_check_result_ref(const struct dyadfit_result *r, const char *path,
                         const char *category, double min);

/* A CSV file of up to 512 data rows and TU_CSV_NCOL fields after its header
 * line (quoted fields may hold commas and doubled quotes; missing fields are
 * ""), as the CLI writes it (small_csv.c). tu_csv_read returns 0 or -1. */
#define TU_CSV_NCOL 8
typedef struct {
    size_t n;
    char *field[512][TU_CSV_NCOL];
} tu_csv;
int tu_csv_read(const char *path, tu_csv *t);
void tu_csv_free(tu_csv *t);

/* The dyadfit binary the CLI suites run: $DYADFIT_BIN, else build/dyadfit. */
const char *tu_bin(void);
/* Runs a shell command built like printf; returns its exit status (-1 if it
 * did not exit normally). */
int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A whole file, NUL-terminated, malloc'ed (caller frees); its length in
 * *len when len is not NULL. NULL when it cannot be read. */
char *tu_slurp(const char *path, size_t *len);

/* Path below the repository root (tests run from the root). */
const char *tu_path(const char *rel);

/* Registers the suite's tests and runs them; returns the process exit code.
 * Every test binary's main is `return tu_run("name", tests);`. */
typedef struct {
    const char *name;
    void (*fn)(void);
} tu_test;
int tu_run(const char *suite, const tu_test *tests);

/* LRE bookkeeping by category ("coef logit", "se cluster"...): records the
 * smallest LRE seen per category; tu_print_lre lists them on stderr. */
double tu_note_lre(const char *category, double x, double ref);
void tu_print_lre(void);
double tu_min_lre(void);   /* smallest LRE noted so far */
#define TU_CHECK_LRE(cat, x, ref, min)                                     \
    do {                                                                   \
        tu_note_lre((cat), (x), (ref));                                    \
        TU_ASSERT_LRE((x), (ref), (min));                                  \
    } while (0)

#define TU_ASSERT_LRE(x, ref, min)                                         \
    do {                                                                   \
        double lre_ = tu_lre((x), (ref));                                  \
        if (lre_ < (min))                                                  \
            fprintf(stderr, "  LRE %.2f < %.1f: got %.17g want %.17g (%s)\n", \
                    lre_, (double)(min), (double)(x), (double)(ref), #x);  \
        CU_ASSERT(lre_ >= (min));                                          \
    } while (0)

#endif
