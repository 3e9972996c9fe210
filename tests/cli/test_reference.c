/*
 * test_reference.c -- every case in tests/reference/cases.tsv run through
 * the built command line (`dyadfit fit ... --format csv`) and compared with
 * the values R produced (tests/reference/values/<id>.csv): coefficients and
 * standard errors must agree to the case's minimum log relative error.
 * The binary is $DYADFIT_BIN (default build/dyadfit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <unistd.h>
#include "testutil.h"

#define MAXCOL 16


/* Splits a TSV line in place; returns the number of fields. */
static int split_tsv(char *line, char **f)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    f[n++] = line;
    for (char *p = line; *p && n < MAXCOL; p++)
        if (*p == '\t') { *p = 0; f[n++] = p + 1; }
    return n;
}

static int col(char **hdr, int nh, const char *name)
{
    for (int i = 0; i < nh; i++)
        if (strcmp(hdr[i], name) == 0) return i;
    return -1;
}

static double min_lre_seen_coef = 17, min_lre_seen_se = 17;

static void run_case(const char *id, const char *est, const char *formula,
                     const char *data, const char *opts, double min_lre)
{
    char cmd[4096], out[512], refpath[512];
    snprintf(out, sizeof out, "/tmp/dyadfit-ref-%d-%s.csv", (int)getpid(), id);
    snprintf(cmd, sizeof cmd, "%s fit %s '%s' %s %s --format csv > %s 2>/dev/null",
             tu_bin(), est, formula, data, opts, out);
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "  case %s: command failed (%d): %s\n", id, rc, cmd);
    CU_ASSERT_EQUAL(rc, 0);
    snprintf(refpath, sizeof refpath, "tests/reference/values/%s.csv", id);
    tu_ref got, want;
    CU_ASSERT_EQUAL_FATAL(tu_ref_read(refpath, &want), 0);
    if (tu_ref_read(out, &got) != 0) {
        CU_FAIL("no output");
        tu_ref_free(&want);
        return;
    }
    CU_ASSERT_EQUAL(got.n, want.n);
    for (size_t j = 0; j < want.n && j < got.n; j++) {
        if (strcmp(got.term[j], want.term[j]) != 0)
            fprintf(stderr, "  case %s: term %zu is '%s', R has '%s'\n", id, j,
                    got.term[j], want.term[j]);
        CU_ASSERT_STRING_EQUAL(got.term[j], want.term[j]);
        double lc = tu_lre(got.estimate[j], want.estimate[j]);
        double ls = tu_lre(got.std_error[j], want.std_error[j]);
        if (lc < min_lre_seen_coef) min_lre_seen_coef = lc;
        if (ls < min_lre_seen_se) min_lre_seen_se = ls;
        if (lc < min_lre || ls < min_lre)
            fprintf(stderr, "  case %s %s: LRE coef %.2f se %.2f (min %.1f)\n", id,
                    want.term[j], lc, ls, min_lre);
        CU_ASSERT(lc >= min_lre);
        CU_ASSERT(ls >= min_lre);
    }
    tu_ref_free(&got);
    tu_ref_free(&want);
    remove(out);
}

/* Runs every case of one manifest; returns the number of cases. */
static int run_manifest(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096], hline[4096], *hdr[MAXCOL], *fld[MAXCOL];
    int ncases = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (!fgets(hline, sizeof hline, f)) {
        fclose(f);
        CU_FAIL("empty manifest");
        return 0;
    }
    int nh = split_tsv(hline, hdr);
    int ci = col(hdr, nh, "id"), ce = col(hdr, nh, "estimator"),
        cf = col(hdr, nh, "formula"), cd = col(hdr, nh, "data"),
        co = col(hdr, nh, "options"), cl = col(hdr, nh, "min_lre");
    CU_ASSERT_FATAL(ci >= 0 && ce >= 0 && cf >= 0 && cd >= 0 && co >= 0 && cl >= 0);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        int n = split_tsv(line, fld);
        if (n < nh) continue;
        run_case(fld[ci], fld[ce], fld[cf], fld[cd], fld[co], atof(fld[cl]));
        ncases++;
    }
    fclose(f);
    fprintf(stderr, "  %s: %d cases; minimum LRE so far: coefficients %.2f, std. errors %.2f\n",
            path, ncases, min_lre_seen_coef, min_lre_seen_se);
    return ncases;
}

/* tests/reference/cases.tsv and every tests/reference/cases_*.tsv */
static void test_all_cases(void)
{
    glob_t g;
    int ncases = run_manifest("tests/reference/cases.tsv");
    if (glob("tests/reference/cases_*.tsv", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) ncases += run_manifest(g.gl_pathv[i]);
        globfree(&g);
    }
    CU_ASSERT(ncases >= 10);
}

int main(void)
{
    static const tu_test tests[] = {
        {"R reference cases through the CLI", test_all_cases},
        {NULL, NULL}};
    return tu_run("cli-reference", tests);
}
