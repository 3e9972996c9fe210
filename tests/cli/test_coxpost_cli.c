/*
 * test_coxpost_cli.c -- post-estimation from saved Cox fits through the
 * built command line ($DYADFIT_BIN): relative hazards exp(x'b) at profiles
 * (predict), the hazard ratio between two profiles (margins --fd) and the
 * survival curve at a profile (predict --survival), against
 * tests/reference/values/coxpost_*.csv (make_reference_coxpost.R:
 * survival::coxph, predict.coxph(reference = "zero"), survfit with
 * conf.type = "log-log").
 *
 * Precision asserted: LRE >= 8 for relative hazards and hazard ratios
 * (estimate, std.error, interval), >= 7 for survival (estimate, std.error
 * and interval: survfit's Tsiatis variance, with the fit's variance matrix,
 * robust for model c as survfit 3.5 uses it). Models: a Efron; b Breslow
 * with strata; c cluster-robust; d right-censored Surv(stop, event), a
 * factor at its mode, rows chosen by --if.
 * Bad input: --survival on a logit fit, --times negative or unsorted, a
 * profile setting a strata() or Surv() variable, --dydx on a Cox fit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

#define SURV "Surv(peaceyrs, peaceyrs + 1, mid_onset)"
#define PA "--at 'defense=1 contig=1' --at 'defense=0 contig=1'"

static char dir[200], ma[300], mb[300], mc[300], md[300], ml[300];

static void setup(void)
{
    if (dir[0]) return;
    snprintf(dir, sizeof dir, "/tmp/dyadfit-coxpost-%d", (int)getpid());
    tu_sh("mkdir -p %s", dir);
    if (getenv("KEEP")) fprintf(stderr, "dir %s\n", dir);
    snprintf(ma, sizeof ma, "%s/a.json", dir);
    snprintf(mb, sizeof mb, "%s/b.json", dir);
    snprintf(mc, sizeof mc, "%s/c.json", dir);
    snprintf(md, sizeof md, "%s/d.json", dir);
    snprintf(ml, sizeof ml, "%s/l.json", dir);
    CU_ASSERT_EQUAL(tu_sh("%s fit cox '" SURV " ~ defense + contig + log(cap_ratio)' "
                          "data/leeds_dyads.dta --save %s > /dev/null", tu_bin(), ma), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit cox '" SURV " ~ defense * contig + log(cap_ratio) + "
                          "strata(region)' data/leeds_dyads.dta --ties breslow --save %s "
                          "> /dev/null", tu_bin(), mb), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit cox '" SURV " ~ defense + contig + log(cap_ratio) + jointdem' "
                          "data/leeds_dyads.dta --vce cluster dyad --ssc hc0 --save %s "
                          "> /dev/null", tu_bin(), mc), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit cox 'Surv(peaceyrs + 1, mid_onset) ~ defense + factor(conttype) + "
                          "log(cap_ratio)' data/leeds_dyads.dta --if 'year >= 1950' --save %s "
                          "> /dev/null", tu_bin(), md), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit 'mid_onset ~ defense + contig' data/leeds_dyads.dta "
                          "--save %s > /dev/null", tu_bin(), ml), 0);
}

/* Runs `dyadfit ARGS --format csv` and compares every row with the R file:
 * term and contrast exactly; estimate (col 1) always, std.error and the
 * interval (cols 2, 5, 6) when se is set. */
static void compare(const char *args, const char *ref, double min_lre, int se, const char *cat)
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
    static const int cols[] = {1, 2, 5, 6};
    static const char *const names[] = {"estimate", "std.error", "conf.low", "conf.high"};
    for (size_t i = 0; i < got.n && i < want.n; i++) {
        if (strcmp(got.field[i][0], want.field[i][0]) || strcmp(got.field[i][7], want.field[i][7]))
            fprintf(stderr, "  %s row %zu: '%s' '%s' vs R '%s' '%s'\n", ref, i + 1,
                    got.field[i][0], got.field[i][7], want.field[i][0], want.field[i][7]);
        CU_ASSERT_STRING_EQUAL(got.field[i][0], want.field[i][0]);
        CU_ASSERT_STRING_EQUAL(got.field[i][7], want.field[i][7]);
        for (int c = 0; c < (se ? 4 : 1); c++) {
            char category[96];
            snprintf(category, sizeof category, "%s %s", cat, names[c]);
            if (!strcmp(want.field[i][cols[c]], "NA")) {   /* no interval at S = 1 */
                CU_ASSERT_STRING_EQUAL(got.field[i][cols[c]], "NA");
            } else {
                TU_CHECK_LRE(category, atof(got.field[i][cols[c]]),
                             atof(want.field[i][cols[c]]), min_lre);
            }
        }
    }
    tu_csv_free(&got);
    tu_csv_free(&want);
}

static void test_relative_hazards(void)
{
    char a[1024];
    setup();
    snprintf(a, sizeof a, "predict %s " PA, ma);
    compare(a, "coxpost_a_risk.csv", 8, 1, "risk a");
    snprintf(a, sizeof a, "predict %s " PA, mb);
    compare(a, "coxpost_b_risk.csv", 8, 1, "risk b strata breslow");
    snprintf(a, sizeof a, "predict %s " PA, mc);
    compare(a, "coxpost_c_risk.csv", 8, 1, "risk c cluster");
    snprintf(a, sizeof a, "predict %s --at defense=1 --at defense=0", md);
    compare(a, "coxpost_d_risk.csv", 8, 1, "risk d factor");
}

static void test_hazard_ratios(void)
{
    char a[1024];
    setup();
    snprintf(a, sizeof a, "margins %s --fd " PA, ma);
    compare(a, "coxpost_a_hr.csv", 8, 1, "HR a");
    snprintf(a, sizeof a, "margins %s --fd " PA, mb);
    compare(a, "coxpost_b_hr.csv", 8, 1, "HR b strata breslow");
    snprintf(a, sizeof a, "margins %s --fd " PA, mc);
    compare(a, "coxpost_c_hr.csv", 8, 1, "HR c cluster");
    snprintf(a, sizeof a, "margins %s --fd --at defense=1 --at defense=0", md);
    compare(a, "coxpost_d_hr.csv", 8, 1, "HR d factor");
}

static void test_survival(void)
{
    char a[1024];
    setup();
    snprintf(a, sizeof a, "predict %s " PA " --survival --times 1,5,10,30", ma);
    compare(a, "coxpost_a_surv.csv", 7, 1, "survival a efron");
    snprintf(a, sizeof a, "predict %s " PA " --survival --times 1,5,10", mb);
    compare(a, "coxpost_b_surv.csv", 7, 1, "survival b strata breslow");
    snprintf(a, sizeof a, "predict %s " PA " --survival --times 2,20", mc);
    compare(a, "coxpost_c_surv.csv", 7, 1, "survival c cluster");
    snprintf(a, sizeof a, "predict %s --at defense=1 --at defense=0 --survival --times 3,12", md);
    compare(a, "coxpost_d_surv.csv", 7, 1, "survival d right-censored");
}

/* Without --times: one row per event time, S falling, 1 before the first. */
static void test_survival_every_time(void)
{
    char out[512];
    tu_csv t;
    setup();
    snprintf(out, sizeof out, "%s/all.csv", dir);
    CU_ASSERT_EQUAL(tu_sh("%s predict %s --at 'defense=1' --survival --format csv > %s",
                          tu_bin(), ma, out), 0);
    CU_ASSERT_EQUAL_FATAL(tu_csv_read(out, &t), 0);
    CU_ASSERT(t.n > 20);
    for (size_t i = 1; i < t.n; i++) CU_ASSERT(atof(t.field[i][1]) <= atof(t.field[i - 1][1]));
    CU_ASSERT(t.n > 0 && atof(t.field[0][1]) < 1 && atof(t.field[0][1]) > 0.9);
    tu_csv_free(&t);
    /* at time 0, before any event: S = 1, no interval (survfit: NA) */
    CU_ASSERT_EQUAL(tu_sh("%s predict %s --at 'defense=1' --survival --times 0 --format csv "
                          "> %s", tu_bin(), ma, out), 0);
    CU_ASSERT_EQUAL_FATAL(tu_csv_read(out, &t), 0);
    CU_ASSERT(t.n == 1 && atof(t.field[0][1]) == 1 && !strcmp(t.field[0][5], "NA"));
    tu_csv_free(&t);
}

static void expect_error(int code, const char *msg, const char *fmt, const char *fit)
{
    char args[1024], cmd[2048], errf[300];
    snprintf(args, sizeof args, fmt, fit);
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
    expect_error(3, "--survival needs a Cox fit", "predict %s --at 'defense=1' --survival", ml);
    expect_error(1, "--times: -1 is negative", "predict %s --at 'defense=1' --survival --times 1,-1", ma);
    expect_error(1, "increasing order", "predict %s --at 'defense=1' --survival --times 5,1", ma);
    expect_error(1, "increasing order", "predict %s --at 'defense=1' --survival --times 5,5", ma);
    expect_error(1, "not a comma-separated list", "predict %s --at 'defense=1' --survival --times 1,x", ma);
    expect_error(1, "--times goes with --survival", "predict %s --at 'defense=1' --times 1", ma);
    expect_error(1, "'region' is a strata() variable", "predict %s --at 'region=1'", mb);
    expect_error(1, "one curve per stratum", "predict %s --at 'defense=1 region=2' --survival", mb);
    expect_error(1, "'peaceyrs' is part of the Surv() response", "predict %s --at 'peaceyrs=3'", ma);
    expect_error(1, "'mid_onset' is part of the Surv() response", "margins %s --fd --at 'mid_onset=1' --at 'defense=0'", ma);
    expect_error(1, "--dydx is not available for a Cox fit", "margins %s --dydx defense", ma);
    expect_error(1, "--others mean or median", "predict %s --at 'defense=1' --survival --others observed", ma);
    expect_error(1, "delta method only", "predict %s --at 'defense=1' --survival --method simulation", ma);
    expect_error(1, "unknown option '--survival'", "margins %s --fd --at 'defense=1' --at 'defense=0' --survival", ma);
}

/* plot survival: one step curve and band per profile and stratum */
static void test_plot(void)
{
    char out[300];
    setup();
    snprintf(out, sizeof out, "%s/s.svg", dir);
    CU_ASSERT_EQUAL(tu_sh("%s plot survival %s --at 'defense=1 contig=1' --out %s", tu_bin(), mb,
                          out), 0);
    char *svg = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
    size_t nfit = 0, nband = 0;
    for (const char *p = svg; (p = strstr(p, "class=\"fit\"")); p++) nfit++;
    for (const char *p = svg; (p = strstr(p, "class=\"band\"")); p++) nband++;
    CU_ASSERT_EQUAL(nfit, 6);    /* six regions */
    CU_ASSERT_EQUAL(nband, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(svg, ">defense=1 contig=1 | region=6</text>"));
    free(svg);
    expect_error(1, "one curve per stratum", "plot survival %s --at 'region=1' --out /dev/null", mb);
    expect_error(3, "use plot survival", "plot predict %s --x cap_ratio --out /dev/null", ma);
    /* fitstat of a Cox fit: no classification table (no probability) */
    snprintf(out, sizeof out, "%s/fitstat.txt", dir);
    CU_ASSERT_EQUAL(tu_sh("%s fitstat %s > %s", tu_bin(), ma, out), 0);
    char *fs = tu_slurp(out, NULL);
    CU_ASSERT(fs && !strstr(fs, "AUC") && !strstr(fs, "Brier"));
    free(fs);
}

static void test_cleanup(void)
{
    if (dir[0] && !getenv("KEEP")) tu_sh("rm -rf %s", dir);
    tu_print_lre();
}

int main(void)
{
    static const tu_test tests[] = {
        {"relative hazards exp(x'b) at profiles vs predict.coxph", test_relative_hazards},
        {"hazard ratio between two profiles (margins --fd)", test_hazard_ratios},
        {"survival at profiles vs survfit (Efron, Breslow + strata, cluster)", test_survival},
        {"survival at every event time; S = 1 at time 0", test_survival_every_time},
        {"bad input: logit, times, strata and Surv variables, dydx", test_bad_input},
        {"plot survival: a curve per stratum", test_plot},
        {"cleanup", test_cleanup},
        {NULL, NULL}};
    return tu_run("coxpost_cli", tests);
}
