/*
 * test_progress.c -- progress reporting, --quiet and --threads.
 *
 * Library: a callback set with dyadfit_set_progress is called while
 * dyadfit_read reads (.dta through ReadStat, .csv) and while dyadfit_fit
 * iterates, with the documented stages and arguments, and never once it is
 * removed; dyadfit_set_threads(1) and (2) give bit-identical estimates.
 * Command line ($DYADFIT_BIN, default build/dyadfit): no progress output
 * when stderr is not a terminal; on a pseudo-terminal (util-linux script)
 * the progress line appears for a slow input and is cleared at the end,
 * quick runs print nothing, --quiet silences it; --threads 1 and 2 give
 * byte-identical CSV output; bad --threads values are usage errors.
 * DYADFIT_PROGRESS_DELAY=0 shows the line at once (the CLI's test hook);
 * it is set where the test is about something other than the delay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"
#include "dyadfit.h"

#define MODEL "mid_onset ~ defense + contig + log(cap_ratio)"
#define DTA "data/leeds_dyads.dta"
#define LEEDS_ROWS 147072.0

static char big_csv[300];   /* data/leeds_dyads.csv, rows repeated 20 times */
static char tmpdir[256];


static int exit_code(int status)
{
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The whole of a file (malloc'ed, NUL-terminated) and its length. */

static char *tmp(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* ------------------------------------------------------------ library */

typedef struct {
    int calls, reading, scanning, fitting, other;
    double last_done, max_total, fit_total;
    int monotone;            /* done never fell within a stage */
    int path_ok, loglik_ok;
    char last_stage[32];
    const char *path;
} counter;

static void count_cb(void *ctx, const char *stage, double done, double total,
                     const char *detail)
{
    counter *c = ctx;
    c->calls++;
    if (strcmp(stage, c->last_stage) == 0 && done < c->last_done) c->monotone = 0;
    snprintf(c->last_stage, sizeof c->last_stage, "%s", stage);
    c->last_done = done;
    if (total > c->max_total) c->max_total = total;
    if (strcmp(stage, "reading") == 0 || strcmp(stage, "scanning") == 0) {
        if (stage[0] == 'r') c->reading++;
        else c->scanning++;
        if (!detail || strcmp(detail, c->path) != 0) c->path_ok = 0;
    } else if (strcmp(stage, "fitting") == 0) {
        c->fitting++;
        c->fit_total = total;
        if (!detail || strncmp(detail, "log likelihood -", 16) != 0) c->loglik_ok = 0;
    } else {
        c->other++;
    }
}

static void counter_init(counter *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->monotone = c->path_ok = c->loglik_ok = 1;
    c->path = path;
}

static int fit_file(const char *path, double *coef, size_t kmax, size_t *k)
{
    dyadfit_table *t = NULL;
    dyadfit_result *r = NULL;
    dyadfit_error err;
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.formula = MODEL;
    int rc = dyadfit_read(path, NULL, &t, &err);
    if (!rc) rc = dyadfit_fit(t, &m, &r, &err);
    if (!rc) {
        const double *b = dyadfit_result_coef(r, k);
        for (size_t j = 0; j < *k && j < kmax; j++) coef[j] = b[j];
    } else {
        fprintf(stderr, "  %s\n", err.message);
    }
    dyadfit_result_free(r);
    dyadfit_table_free(t);
    return rc;
}

static void test_library_callback_dta(void)
{
    counter c;
    double b[8];
    size_t k = 0;
    counter_init(&c, DTA);
    dyadfit_set_progress(count_cb, &c);
    CU_ASSERT_EQUAL(fit_file(DTA, b, 8, &k), 0);
    dyadfit_set_progress(NULL, NULL);
    /* 147,072 rows: one report at 100,000; then one per Newton iteration */
    CU_ASSERT_EQUAL(c.reading, 1);
    CU_ASSERT(c.fitting >= 3);
    CU_ASSERT_EQUAL(c.other, 0);
    CU_ASSERT(c.path_ok);
    CU_ASSERT(c.loglik_ok);
    CU_ASSERT(c.monotone);
    CU_ASSERT_EQUAL(c.max_total, LEEDS_ROWS);
    CU_ASSERT_EQUAL(c.fit_total, 100);   /* the default iteration limit */

    /* removed: no more calls */
    counter_init(&c, DTA);
    CU_ASSERT_EQUAL(fit_file(DTA, b, 8, &k), 0);
    CU_ASSERT_EQUAL(c.calls, 0);
}

static void reading_total_cb(void *ctx, const char *stage, double done,
                             double total, const char *detail)
{
    (void)detail;
    double *d = ctx;
    if (strcmp(stage, "reading") == 0) {
        d[0] = done;
        d[1] = total;
    }
}

static void test_library_reading_total(void)
{
    double got[2] = {-1, -1};
    dyadfit_table *t = NULL;
    dyadfit_error err;
    dyadfit_set_progress(reading_total_cb, got);
    CU_ASSERT_EQUAL(dyadfit_read(DTA, NULL, &t, &err), 0);
    dyadfit_set_progress(NULL, NULL);
    CU_ASSERT_EQUAL(got[0], 100000);
    CU_ASSERT_EQUAL(got[1], LEEDS_ROWS);  /* the header's row count */
    dyadfit_table_free(t);
}

static void test_library_callback_csv(void)
{
    counter c;
    dyadfit_table *t = NULL;
    dyadfit_error err;
    counter_init(&c, big_csv);
    dyadfit_set_progress(count_cb, &c);
    CU_ASSERT_EQUAL(dyadfit_read(big_csv, NULL, &t, &err), 0);
    dyadfit_set_progress(NULL, NULL);
    /* 2,941,440 rows: 29 reports in each of the two passes */
    CU_ASSERT_EQUAL(c.scanning, 29);
    CU_ASSERT_EQUAL(c.reading, 29);
    CU_ASSERT_EQUAL(c.max_total, 20 * LEEDS_ROWS);
    CU_ASSERT(c.path_ok);
    CU_ASSERT(c.monotone);
    CU_ASSERT_EQUAL(c.last_done, 2900000);
    dyadfit_table_free(t);
}

static void test_library_threads_identical(void)
{
    double b1[8] = {0}, b2[8] = {0}, b0[8] = {0};
    size_t k1 = 0, k2 = 0, k0 = 0;
    dyadfit_set_threads(1);
    CU_ASSERT_EQUAL(fit_file(DTA, b1, 8, &k1), 0);
    dyadfit_set_threads(2);
    CU_ASSERT_EQUAL(fit_file(DTA, b2, 8, &k2), 0);
    dyadfit_set_threads(0);
    CU_ASSERT_EQUAL(fit_file(DTA, b0, 8, &k0), 0);
    CU_ASSERT_EQUAL(k1, 4);
    CU_ASSERT_EQUAL(k1, k2);
    CU_ASSERT_EQUAL(k1, k0);
    CU_ASSERT(memcmp(b1, b2, sizeof b1) == 0);
    CU_ASSERT(memcmp(b1, b0, sizeof b1) == 0);
}

/* -------------------------------------------------------- command line */

/* Runs `dyadfit ARGS` with stderr on a pseudo-terminal (script from
 * util-linux); stdout goes to a file. Returns what the terminal showed
 * (malloc'ed) and sets *rc to the exit code. */
static char *on_pty(const char *env, const char *args, int *rc)
{
    char cmd[4096], *shown = tmp("pty.out");
    snprintf(cmd, sizeof cmd,
             "%s script -qec \"%s %s > %s\" /dev/null < /dev/null > %s 2>&1",
             env, tu_bin(), args, tmp("pty.stdout"), shown);
    *rc = exit_code(system(cmd));
    return tu_slurp(shown, NULL);
}

static void test_no_progress_without_terminal(void)
{
    char args[1024];
    const char *cmds[] = {
        "fit logit '" MODEL "' " DTA " --format csv",
        "describe " DTA " mid_onset defense",
        "fit logit '" MODEL "' %s --format csv",   /* the slow CSV */
    };
    for (int c = 0; c < 3; c++) {
        snprintf(args, sizeof args, cmds[c], big_csv);
        /* even with the delay off, stderr not a terminal: nothing */
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "DYADFIT_PROGRESS_DELAY=0 %s %s > /dev/null 2> %s",
                 tu_bin(), args, tmp("err.txt"));
        CU_ASSERT_EQUAL(exit_code(system(cmd)), 0);
        size_t n = 99;
        char *e = tu_slurp(tmp("err.txt"), &n);
        CU_ASSERT_PTR_NOT_NULL(e);
        if (n) fprintf(stderr, "  stderr of '%s': %s\n", args, e ? e : "");
        CU_ASSERT_EQUAL(n, 0);
        free(e);
    }
}

static void test_progress_on_terminal(void)
{
    int rc;
    char args[1024];
    snprintf(args, sizeof args, "fit logit '%s' %s --format csv", MODEL, big_csv);
    char *s = on_pty("DYADFIT_PROGRESS_DELAY=0", args, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char want[512];
    snprintf(want, sizeof want, "\rreading %s: 100,000 of 2,941,440 rows", big_csv);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\rfitting: iteration 1, log likelihood -"));
    /* cleared at the end: the last thing drawn is blanks between two \r */
    size_t n = strlen(s);
    CU_ASSERT(n > 2 && s[n - 1] == '\r' && s[n - 2] == ' ');
    if (!(n > 2 && s[n - 1] == '\r')) fprintf(stderr, "  terminal showed: %s\n", s);
    free(s);
    /* the estimates still went to stdout */
    char *out = tu_slurp(tmp("pty.stdout"), NULL);
    CU_ASSERT(out && strncmp(out, "term,estimate,", 14) == 0);
    free(out);
}

static void test_progress_after_a_second(void)
{
    int rc;
    char args[1024];
    /* a slow input (two seconds or more here) shows progress by default */
    snprintf(args, sizeof args, "fit logit '%s' %s --format csv", MODEL, big_csv);
    char *s = on_pty("unset DYADFIT_PROGRESS_DELAY;", args, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT(strstr(s, "\rreading ") || strstr(s, "\rscanning ") ||
              strstr(s, "\rfitting: iteration "));
    free(s);
    /* a quick run prints nothing */
    s = on_pty("unset DYADFIT_PROGRESS_DELAY;",
               "fit logit 'mid_onset ~ defense' " DTA " --format csv", &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    if (*s) fprintf(stderr, "  quick run showed: %s\n", s);
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);
}

static void test_quiet(void)
{
    int rc;
    char args[1024];
    const char *forms[] = {"fit logit '%s' %s --format csv --quiet",
                           "fit logit '%s' %s -q --format csv",
                           "describe %.0s%s mid_onset --quiet"};
    for (int f = 0; f < 3; f++) {
        snprintf(args, sizeof args, forms[f], MODEL, DTA);
        char *s = on_pty("DYADFIT_PROGRESS_DELAY=0", args, &rc);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        if (*s) fprintf(stderr, "  '%s' showed: %s\n", args, s);
        CU_ASSERT_STRING_EQUAL(s, "");
        free(s);
    }
    /* describe without --quiet does show it (so the test above can fail) */
    snprintf(args, sizeof args, "describe %s mid_onset", DTA);
    char *s = on_pty("DYADFIT_PROGRESS_DELAY=0", args, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(s && strstr(s, "\rreading "));
    free(s);
}

static void test_threads_identical_cli(void)
{
    const char *variants[] = {"--threads 1", "--threads 2", "", "--threads 7"};
    char *first = NULL;
    for (int v = 0; v < 4; v++) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd,
                 "%s fit logit '%s' %s --vce cluster dyad --format csv %s > %s",
                 tu_bin(), MODEL, DTA, variants[v], tmp("threads.csv"));
        CU_ASSERT_EQUAL(exit_code(system(cmd)), 0);
        char *s = tu_slurp(tmp("threads.csv"), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT(strncmp(s, "term,estimate,", 14) == 0);
        if (!first) {
            first = s;
        } else {
            if (strcmp(first, s) != 0)
                fprintf(stderr, "  %s differs:\n%s\nvs\n%s\n", variants[v], s, first);
            CU_ASSERT_STRING_EQUAL(s, first);
            free(s);
        }
    }
    free(first);
    /* OMP_NUM_THREADS=1 as well */
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "OMP_NUM_THREADS=1 %s fit logit '%s' %s --vce cluster dyad --format csv "
             "> %s && %s fit logit '%s' %s --vce cluster dyad --format csv | cmp -s - %s",
             tu_bin(), MODEL, DTA, tmp("omp.csv"), tu_bin(), MODEL, DTA, tmp("omp.csv"));
    CU_ASSERT_EQUAL(exit_code(system(cmd)), 0);
}

static void test_threads_usage_errors(void)
{
    const char *bad[] = {"0", "abc", "5000", "-1", "1025", "2x", "''"};
    const char *cmds[] = {
        "fit logit '" MODEL "' " DTA " --threads %s",
        "describe " DTA " --threads %s",
        "btscs " DTA " --event mid_onset --time year --unit dyad --out %s.csv "
        "--threads %s",
    };
    for (int c = 0; c < 3; c++)
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            char args[1024], cmd[2048];
            if (c == 2) snprintf(args, sizeof args, cmds[c], tmp("bt"), bad[b]);
            else snprintf(args, sizeof args, cmds[c], bad[b]);
            snprintf(cmd, sizeof cmd, "%s %s > /dev/null 2> %s", tu_bin(), args,
                     tmp("err.txt"));
            int rc = exit_code(system(cmd));
            if (rc != 1) fprintf(stderr, "  '%s': exit %d\n", args, rc);
            CU_ASSERT_EQUAL(rc, 1);
            char *e = tu_slurp(tmp("err.txt"), NULL);
            CU_ASSERT(e && strstr(e, "dyadfit: --threads: ") &&
                      strstr(e, "is not a count from 1 to 1024"));
            free(e);
        }
    /* no value at all */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s describe %s --threads 2> %s", tu_bin(), DTA,
             tmp("err.txt"));
    CU_ASSERT_EQUAL(exit_code(system(cmd)), 1);
    char *e = tu_slurp(tmp("err.txt"), NULL);
    CU_ASSERT(e && strstr(e, "--threads needs a value"));
    free(e);
    /* and the top of the range is accepted */
    snprintf(cmd, sizeof cmd, "%s describe %s mid_onset --threads 1024 > /dev/null",
             tu_bin(), DTA);
    CU_ASSERT_EQUAL(exit_code(system(cmd)), 0);
}

static void test_help_lists_options(void)
{
    const char *cmds[] = {"fit", "describe", "btscs"};
    for (int c = 0; c < 3; c++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "%s %s --help > %s", tu_bin(), cmds[c], tmp("help.txt"));
        CU_ASSERT_EQUAL(exit_code(system(cmd)), 0);
        char *h = tu_slurp(tmp("help.txt"), NULL);
        CU_ASSERT(h && strstr(h, "--threads N") && strstr(h, "--quiet"));
        free(h);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dyadfit-progress-%d", (int)getpid());
    snprintf(big_csv, sizeof big_csv, "%s/leeds20.csv", tmpdir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && { cat data/leeds_dyads.csv; for k in $(seq 19); do "
             "tail -n +2 data/leeds_dyads.csv; done; } > %s", tmpdir, big_csv);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot write %s\n", big_csv);
        return 1;
    }
    static const tu_test tests[] = {
        {"library calls the callback (.dta read, fit)", test_library_callback_dta},
        {"library reports rows read and the header's total", test_library_reading_total},
        {"library calls the callback (.csv, both passes)", test_library_callback_csv},
        {"dyadfit_set_threads 1/2/0: identical estimates", test_library_threads_identical},
        {"no progress when stderr is not a terminal", test_no_progress_without_terminal},
        {"progress line on a terminal, cleared at the end", test_progress_on_terminal},
        {"progress only after a second", test_progress_after_a_second},
        {"--quiet silences progress", test_quiet},
        {"--threads 1/2/default/7 and OMP_NUM_THREADS: identical output", test_threads_identical_cli},
        {"--threads 0/abc/5000/...: usage errors", test_threads_usage_errors},
        {"--help lists --threads and --quiet", test_help_lists_options},
        {NULL, NULL}};
    int rc = tu_run("progress", tests);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
    return rc;
}
