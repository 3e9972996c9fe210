/*
 * test_separation_cli.c -- `dyadfit separation` run as a program ($DYADFIT_BIN,
 * default build/dyadfit): every case of tests/reference/separation.tsv in CSV
 * against detectseparation's directions (values/sep_<id>.csv), the text and
 * JSON reports, exit codes and messages on bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"


/* Runs `dyadfit separation ARGS`; stdout into out (size), stderr into errb;
 * returns the exit status. */
static int run(const char *args, char *out, size_t size, char *errb, size_t esize)
{
    char cmd[4096], po[128], pe[128];
    snprintf(po, sizeof po, "/tmp/dyadfit-sep-%d.out", (int)getpid());
    snprintf(pe, sizeof pe, "/tmp/dyadfit-sep-%d.err", (int)getpid());
    snprintf(cmd, sizeof cmd, "%s separation %s > %s 2> %s", tu_bin(), args, po, pe);
    int st = system(cmd);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    const char *paths[2] = {po, pe};
    char *bufs[2] = {out, errb};
    size_t sizes[2] = {size, esize};
    for (int k = 0; k < 2; k++) {
        FILE *f = fopen(paths[k], "r");
        size_t n = f ? fread(bufs[k], 1, sizes[k] - 1, f) : 0;
        bufs[k][n] = 0;
        if (f) fclose(f);
        remove(paths[k]);
    }
    return rc;
}


static void test_reference_cases(void)
{
    FILE *f = fopen("tests/reference/separation.tsv", "r");
    char line[2048], args[3000], out[65536], errb[4096], path[256];
    int ncases = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char *fld[8];
        int n = 0;
        line[strcspn(line, "\r\n")] = 0;
        fld[n++] = line;
        for (char *p = line; *p && n < 8; p++)
            if (*p == '\t') { *p = 0; fld[n++] = p + 1; }
        if (n < 6) continue;
        snprintf(args, sizeof args, "logit '%s' %s %s --format csv", fld[1], fld[2], fld[3]);
        int rc = run(args, out, sizeof out, errb, sizeof errb);
        CU_ASSERT_EQUAL(rc, 0);  /* separated or not: a diagnostic */
        snprintf(path, sizeof path, "tests/reference/values/sep_%.200s.csv", fld[0]);
        char *want = tu_slurp(path, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(want);
        /* our CSV has a third column (direction): compare term,estimate */
        char got[65536];
        size_t o = 0;
        for (char *l = strtok(out, "\n"); l && o < sizeof got - 256; l = strtok(NULL, "\n")) {
            char *c = strrchr(l, ',');
            if (c) *c = 0;
            o += (size_t)snprintf(got + o, sizeof got - o, "%s\n", l);
        }
        if (strcmp(got, want) != 0)
            fprintf(stderr, "  case %s:\n--- got\n%s--- detectseparation\n%s(%s)\n",
                    fld[0], got, want, errb);
        CU_ASSERT_STRING_EQUAL(got, want);
        free(want);
        ncases++;
    }
    fclose(f);
    CU_ASSERT(ncases >= 7);
}

static void test_text_and_json(void)
{
    char out[65536], errb[4096];
    int rc = run("logit 'y ~ x + d' tests/data/cli/separated.csv", out, sizeof out,
                 errb, sizeof errb);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "quasi-complete separation"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "  d     -Inf"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "dyadfit fit firth"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--drop-separated"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "d != 0 predicts failure perfectly"));

    rc = run("probit 'y ~ x1 + x2' tests/data/models/sep_lincomb_complete.csv", out,
             sizeof out, errb, sizeof errb);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "complete separation. 3 of 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot help"));

    rc = run("logit 'y ~ x + d' tests/data/cli/basic.csv", out, sizeof out, errb,
             sizeof errb);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Result: not separated"));

    rc = run("logit 'y ~ z + factor(region)' tests/data/models/sep_factor.csv --format json",
             out, sizeof out, errb, sizeof errb);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"separated\": true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"type\": \"quasi-complete\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"term\": \"factor(region)3\", \"estimate\": \"-Inf\", \"direction\": -1}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"nobs\": 120"));
}

static void test_bad_input(void)
{
    char out[65536], errb[4096];
    struct { const char *args; int code; const char *msg; } cases[] = {
        {"logit 'y ~ x' tests/data/cli/nope.csv", 2, "nope.csv"},
        {"logit 'y ~ nope' tests/data/cli/basic.csv", 3, "'nope' not found"},
        {"logit 'y ~ x' tests/data/cli/nonbinary.csv", 3, "must be 0/1"},
        {"cox 'y ~ x' tests/data/cli/basic.csv", 1, "unknown estimator 'cox'"},
        {"logit 'y ~ x' tests/data/cli/basic.csv --format latex", 1, "'latex' is not text"},
        {"logit 'y ~ x' tests/data/cli/basic.csv --bogus 1", 1, "unknown option '--bogus'"},
        {"logit 'y ~ x' tests/data/cli/basic.csv --if", 1, "--if needs a value"},
        {"logit 'y ~ x' tests/data/cli/basic.csv --if 'x >'", 3, "expected an operand"},
        {"logit 'y ~ x'", 1, "usage: dyadfit separation"},
        {"logit 'y ~ x' tests/data/cli/basic.csv extra", 1, "unexpected argument 'extra'"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int rc = run(cases[c].args, out, sizeof out, errb, sizeof errb);
        if (rc != cases[c].code || !strstr(errb, cases[c].msg))
            fprintf(stderr, "  '%s': exit %d, stderr: %s\n", cases[c].args, rc, errb);
        CU_ASSERT_EQUAL(rc, cases[c].code);
        CU_ASSERT_PTR_NOT_NULL(strstr(errb, cases[c].msg));
        CU_ASSERT_EQUAL(out[0], 0);  /* nothing on stdout on failure */
    }
    int rc = run("--help", out, sizeof out, errb, sizeof errb);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Konis"));
}

int main(void)
{
    static const tu_test tests[] = {
        {"reference cases (detectseparation)", test_reference_cases},
        {"text and json reports", test_text_and_json},
        {"bad input", test_bad_input},
        {NULL, NULL}};
    return tu_run("separation_cli", tests);
}
