/*
 * test_survreg_post.c -- predictions from saved Weibull and exponential
 * fits through the built command line ($DYADFIT_BIN): the linear
 * predictor and median survival time (predict) and S(t | x) (predict
 * --survival --times) at profiles, against
 * tests/reference/values/survpost_*.csv (make_reference_survreg_post.R:
 * survival::survreg, predict(type = "lp" / "quantile"), psurvreg, the
 * delta method by R's deriv()).
 *
 * Precision asserted: LRE >= 8 (1e-8 relative) for estimate, std.error and
 * interval, and the z statistic of xb. Models (peace spells,
 * tests/data/models/spells.csv): Weibull AFT and PH metric, exponential AFT
 * and PH, Weibull AFT with a scale per stratum (strata(contig)), Weibull
 * AFT with a dyad-clustered variance. The median and S(t) must agree across
 * the metrics (one model): asserted at LRE >= 10.
 * Bad input: --survival without --times, simulation, --others observed,
 * margins on a Weibull fit, a profile setting a strata() variable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

#define SP "tests/data/models/spells.csv"
#define RHS "defense + contig + log(cap_ratio)"
#define PA "--at 'defense=1 contig=0 cap_ratio=5' --at 'defense=0'"
#define TIMES "--survival --times 1,5,20"

static char dir[200], wa[300], wp[300], ea[300], ep[300], ws[300], wc[300];

static void fit(const char *est, const char *rhs, const char *opts, char *path, const char *name)
{
    snprintf(path, 300, "%s/%s.json", dir, name);
    int rc = tu_sh("%s fit %s 'Surv(duration, event) ~ %s' " SP " %s --save %s > /dev/null",
                   tu_bin(), est, rhs, opts, path);
    CU_ASSERT_EQUAL(rc, 0);
}

static void setup(void)
{
    if (dir[0]) return;
    snprintf(dir, sizeof dir, "/tmp/dyadfit-survpost-%d", (int)getpid());
    tu_sh("mkdir -p %s", dir);
    fit("weibull", RHS, "--metric aft", wa, "wa");
    fit("weibull", RHS, "--metric ph", wp, "wp");
    fit("exponential", RHS, "--metric aft", ea, "ea");
    fit("exponential", RHS, "--metric ph", ep, "ep");
    fit("weibull", "defense + log(cap_ratio) + strata(contig)", "--metric aft", ws, "ws");
    fit("weibull", RHS, "--metric aft --vce cluster dyad --ssc hc0", wc, "wc");
}

/* Runs `dyadfit ARGS --format csv` and compares every row with the R file:
 * term and contrast exactly; estimate, std.error, the interval and the
 * statistic (NA where R has NA). */
static void compare(const char *args, const char *ref, double min_lre, const char *cat)
{
    char out[512], refpath[512];
    static tu_csv got, want;
    setup();
    snprintf(out, sizeof out, "%s/out.csv", dir);
    CU_ASSERT_EQUAL(tu_sh("%s %s --format csv > %s", tu_bin(), args, out), 0);
    snprintf(refpath, sizeof refpath, "tests/reference/values/%s", ref);
    CU_ASSERT_EQUAL_FATAL(tu_csv_read(refpath, &want), 0);
    if (tu_csv_read(out, &got)) {
        CU_FAIL("no output");
        tu_csv_free(&want);
        return;
    }
    CU_ASSERT_EQUAL(got.n, want.n);
    if (got.n != want.n) fprintf(stderr, "  %s: %zu rows, R %zu\n", ref, got.n, want.n);
    static const int cols[] = {1, 2, 3, 5, 6};
    static const char *const names[] = {"estimate", "std.error", "statistic", "conf.low",
                                        "conf.high"};
    for (size_t i = 0; i < got.n && i < want.n; i++) {
        if (strcmp(got.field[i][0], want.field[i][0]) || strcmp(got.field[i][7], want.field[i][7]))
            fprintf(stderr, "  %s row %zu: '%s' '%s' vs R '%s' '%s'\n", ref, i + 1,
                    got.field[i][0], got.field[i][7], want.field[i][0], want.field[i][7]);
        CU_ASSERT_STRING_EQUAL(got.field[i][0], want.field[i][0]);
        CU_ASSERT_STRING_EQUAL(got.field[i][7], want.field[i][7]);
        for (int c = 0; c < 5; c++) {
            const char *category = cat;   /* all columns: names[c] on failure */
            if (!strcmp(want.field[i][cols[c]], "NA")) {
                CU_ASSERT_STRING_EQUAL(got.field[i][cols[c]], "NA");
            } else {
                if (tu_lre(atof(got.field[i][cols[c]]), atof(want.field[i][cols[c]])) < min_lre)
                    fprintf(stderr, "  %s row %zu %s\n", ref, i + 1, names[c]);
                TU_CHECK_LRE(category, atof(got.field[i][cols[c]]),
                             atof(want.field[i][cols[c]]), min_lre);
            }
        }
    }
    tu_csv_free(&got);
    tu_csv_free(&want);
}

static void test_predict(void)
{
    char a[1024];
    setup();
    const char *fits[] = {wa, wp, ea, ep, wc};
    const char *tags[] = {"wa", "wp", "ea", "ep", "wc"};
    for (int m = 0; m < 5; m++) {
        char ref[64], cat[64];
        snprintf(a, sizeof a, "predict %s " PA, fits[m]);
        snprintf(ref, sizeof ref, "survpost_%s_pred.csv", tags[m]);
        snprintf(cat, sizeof cat, "xb/median %s", tags[m]);
        compare(a, ref, 8, cat);
    }
    snprintf(a, sizeof a, "predict %s --at 'defense=1 cap_ratio=5' --at defense=0", ws);
    compare(a, "survpost_ws_pred.csv", 8, "xb/median ws strata");
}

static void test_survival(void)
{
    char a[1024];
    setup();
    const char *fits[] = {wa, wp, ea, ep, wc};
    const char *tags[] = {"wa", "wp", "ea", "ep", "wc"};
    for (int m = 0; m < 5; m++) {
        char ref[64], cat[64];
        snprintf(a, sizeof a, "predict %s " PA " " TIMES, fits[m]);
        snprintf(ref, sizeof ref, "survpost_%s_surv.csv", tags[m]);
        snprintf(cat, sizeof cat, "S(t) %s", tags[m]);
        compare(a, ref, 8, cat);
    }
    snprintf(a, sizeof a, "predict %s --at 'defense=1 cap_ratio=5' --at defense=0 " TIMES, ws);
    compare(a, "survpost_ws_surv.csv", 8, "S(t) ws strata");
}

/* One model in two metrics: the same medians and S(t), errors included;
 * S(0) = 1 with no interval. */
static void test_metrics_agree(void)
{
    static tu_csv A, P;
    char oa[300], op[300];
    setup();
    snprintf(oa, sizeof oa, "%s/a.csv", dir);
    snprintf(op, sizeof op, "%s/p.csv", dir);
    const char *pairs[2][2] = {{wa, wp}, {ea, ep}};
    for (int m = 0; m < 2; m++) {
        CU_ASSERT_EQUAL(tu_sh("%s predict %s " PA " --survival --times 0,2,7.5 --format csv > %s",
                              tu_bin(), pairs[m][0], oa), 0);
        CU_ASSERT_EQUAL(tu_sh("%s predict %s " PA " --survival --times 0,2,7.5 --format csv > %s",
                              tu_bin(), pairs[m][1], op), 0);
        CU_ASSERT_EQUAL_FATAL(tu_csv_read(oa, &A), 0);
        CU_ASSERT_EQUAL_FATAL(tu_csv_read(op, &P), 0);
        CU_ASSERT_EQUAL(A.n, 6);
        CU_ASSERT_EQUAL(P.n, 6);
        for (size_t i = 0; i < A.n && i < P.n; i++)
            for (int c = 1; c <= 2; c++)
                TU_CHECK_LRE("AFT = PH S(t)", atof(A.field[i][c]), atof(P.field[i][c]), 10);
        /* t = 0: S = 1, std.error 0, no interval */
        CU_ASSERT(atof(A.field[0][1]) == 1 && atof(A.field[0][2]) == 0 &&
                  !strcmp(A.field[0][5], "NA") && !strcmp(A.field[0][6], "NA"));
        tu_csv_free(&A);
        tu_csv_free(&P);
        CU_ASSERT_EQUAL(tu_sh("%s predict %s " PA " --format csv > %s", tu_bin(), pairs[m][0], oa), 0);
        CU_ASSERT_EQUAL(tu_sh("%s predict %s " PA " --format csv > %s", tu_bin(), pairs[m][1], op), 0);
        CU_ASSERT_EQUAL_FATAL(tu_csv_read(oa, &A), 0);
        CU_ASSERT_EQUAL_FATAL(tu_csv_read(op, &P), 0);
        CU_ASSERT_EQUAL(A.n, 4);
        for (size_t i = 1; i < A.n && i < P.n; i += 2) {   /* the median rows */
            CU_ASSERT_STRING_EQUAL(A.field[i][7], "median");
            for (int c = 1; c <= 2; c++)
                TU_CHECK_LRE("AFT = PH median", atof(A.field[i][c]), atof(P.field[i][c]), 10);
        }
        tu_csv_free(&A);
        tu_csv_free(&P);
    }
}

static void expect_error(int code, const char *msg, const char *fmt, const char *fitp)
{
    char args[1024], cmd[2048], errf[300];
    snprintf(args, sizeof args, fmt, fitp);
    snprintf(errf, sizeof errf, "%s/err.txt", dir);
    snprintf(cmd, sizeof cmd, "%s %s > %s/stdout.txt 2> %s", tu_bin(), args, dir, errf);
    int rc = system(cmd);
    rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    char *buf = tu_slurp(errf, NULL);
    if (rc != code || !buf || !strstr(buf, msg))
        fprintf(stderr, "  '%s': exit %d (want %d), stderr: %s", args, rc, code, buf ? buf : "");
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT(buf && strstr(buf, msg));
    free(buf);
    char out[300];
    snprintf(out, sizeof out, "%s/stdout.txt", dir);
    size_t len = 1;
    free(tu_slurp(out, &len));
    CU_ASSERT_EQUAL(len, 0);   /* nothing on stdout */
}

static void test_bad_input(void)
{
    setup();
    expect_error(1, "needs --times", "predict %s --at 'defense=1' --survival", wa);
    expect_error(1, "delta method only", "predict %s --at 'defense=1' --method simulation", wa);
    expect_error(1, "--others mean or median", "predict %s --at 'defense=1' --others observed", wp);
    expect_error(3, "margins is not available for a weibull fit", "margins %s --dydx defense", wa);
    expect_error(3, "margins is not available for a exponential fit",
                 "margins %s --fd --at defense=1 --at defense=0", ep);
    expect_error(1, "'contig' is a strata() variable", "predict %s --at 'contig=1'", ws);
    expect_error(1, "'duration' is part of the Surv() response", "predict %s --at 'duration=3'", wa);
    expect_error(1, "increasing order", "predict %s --at defense=1 --survival --times 5,1", wa);
    expect_error(3, "predicted probabilities are not available", "plot predict %s --x cap_ratio --out /dev/null", wa);
}

static void test_cleanup(void)
{
    if (dir[0] && !getenv("KEEP")) tu_sh("rm -rf %s", dir);
    tu_print_lre();
}

int main(void)
{
    static const tu_test tests[] = {
        {"xb and median at profiles vs predict.survreg (AFT, PH, exponential, strata, cluster)",
         test_predict},
        {"S(t | x) at profiles vs psurvreg + delta method", test_survival},
        {"AFT and PH metrics give the same median and S(t)", test_metrics_agree},
        {"bad input: times, simulation, observed, margins, strata and Surv variables",
         test_bad_input},
        {"cleanup", test_cleanup},
        {NULL, NULL}};
    return tu_run("survreg_post", tests);
}
