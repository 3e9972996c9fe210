/*
 * test_post_cli.c -- dyadfit predict / margins / table through the built
 * command line ($DYADFIT_BIN, default build/dyadfit) on the bundled Leeds
 * data, against tests/reference/values/post_*.csv (make_reference_post.R:
 * glm + sandwich, delta method by hand with analytic derivatives).
 * Precision (model 1, logit): LRE >= 8 where both sides are analytic (predictions, discrete
 * changes, first differences: estimates and SEs); LRE >= 6 for derivatives
 * (dyadfit differences the rebuilt model matrix centrally, R is analytic).
 * Simulation intervals are checked against the exact distribution of a
 * prediction (a monotone function of the normal x'b) within Monte-Carlo
 * error, and against the delta method for effects.
 */
#include <math.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"


static char m1[300], m2[300], tmpdir[200];

/* Model 2 (probit, robust, expected information): the fit itself agrees
 * with glm + sandwich at LRE ~7.4 (estimates) and ~6.2 (SEs), which bounds
 * what its predictions can reach. */
#define M2 6
#define F1 "mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"
#define F2 "mid_onset ~ defense * contig + factor(region) + log(cap_ratio) + peaceyrs"


static void setup_fits(void)
{
    if (m1[0]) return;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dyadfit-post-%d", (int)getpid());
    tu_sh("mkdir -p %s", tmpdir);
    snprintf(m1, sizeof m1, "%s/m1.json", tmpdir);
    snprintf(m2, sizeof m2, "%s/m2.json", tmpdir);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit '" F1 "' data/leeds_dyads.dta --vce cluster dyad "
                       "--save %s > /dev/null", tu_bin(), m1), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit probit '" F2 "' data/leeds_dyads.dta --vce robust "
                       "--information expected --tolerance 1e-13 --if 'year >= 1960' --save %s > /dev/null", tu_bin(), m2), 0);
}

/* Runs `dyadfit ARGS --format csv` and compares every row with the R file. */
static void compare(const char *args, const char *ref, double min_est, double min_se,
                    const char *cat)
{
    char out[512], refpath[512];
    setup_fits();
    snprintf(out, sizeof out, "%s/out.csv", tmpdir);
    int rc = tu_sh("%s %s --format csv > %s", tu_bin(), args, out);
    CU_ASSERT_EQUAL(rc, 0);
    snprintf(refpath, sizeof refpath, "tests/reference/values/%s", ref);
    tu_ref got, want;
    CU_ASSERT_EQUAL_FATAL(tu_ref_read(refpath, &want), 0);
    if (tu_ref_read(out, &got) != 0) {
        CU_FAIL("no output");
        tu_ref_free(&want);
        return;
    }
    CU_ASSERT_EQUAL(got.n, want.n);
    for (size_t i = 0; i < got.n && i < want.n; i++) {
        if (strcmp(got.term[i], want.term[i]))
            fprintf(stderr, "  %s: term '%s' vs R '%s'\n", ref, got.term[i], want.term[i]);
        CU_ASSERT_STRING_EQUAL(got.term[i], want.term[i]);
        char c1[64], c2[64];
        snprintf(c1, sizeof c1, "%s estimate", cat);
        snprintf(c2, sizeof c2, "%s std.error", cat);
        TU_CHECK_LRE(c1, got.estimate[i], want.estimate[i], min_est);
        TU_CHECK_LRE(c2, got.std_error[i], want.std_error[i], min_se);
    }
    tu_ref_free(&got);
    tu_ref_free(&want);
}

/* discrete-change rows (analytic on both sides) and derivative rows */
static void compare_effects(const char *args, const char *ref, size_t nbinary, double min_bin)
{
    char out[512], refpath[512];
    setup_fits();
    snprintf(out, sizeof out, "%s/eff.csv", tmpdir);
    CU_ASSERT_EQUAL(tu_sh("%s %s --format csv > %s", tu_bin(), args, out), 0);
    snprintf(refpath, sizeof refpath, "tests/reference/values/%s", ref);
    tu_ref got, want;
    CU_ASSERT_EQUAL_FATAL(tu_ref_read(refpath, &want), 0);
    if (tu_ref_read(out, &got) != 0) {
        CU_FAIL("no output");
        tu_ref_free(&want);
        return;
    }
    CU_ASSERT_EQUAL(got.n, want.n);
    for (size_t i = 0; i < got.n && i < want.n; i++) {
        CU_ASSERT_STRING_EQUAL(got.term[i], want.term[i]);
        double min = i < nbinary ? min_bin : 6;
        const char *ce = i < nbinary ? "discrete estimate" : "derivative estimate";
        const char *cs = i < nbinary ? "discrete std.error" : "derivative std.error";
        TU_CHECK_LRE(ce, got.estimate[i], want.estimate[i], min);
        TU_CHECK_LRE(cs, got.std_error[i], want.std_error[i], min);
    }
    tu_ref_free(&got);
    tu_ref_free(&want);
}

static void test_predict_mean(void)
{
    char a[512];
    setup_fits();
    snprintf(a, sizeof a, "predict %s --at 'defense=1 contig=1' --at 'defense=0 contig=1'", m1);
    compare(a, "post_m1_predict_mean.csv", 8, 8, "predict");
    snprintf(a, sizeof a, "predict %s --at 'defense=1, region=2' --at 'defense = 0 region=2'", m2);
    compare(a, "post_m2_predict_mean.csv", M2, M2, "predict");
}

static void test_predict_observed(void)
{
    char a[512];
    setup_fits();
    snprintf(a, sizeof a, "predict %s --others observed --at 'defense=1 contig=1' "
             "--at 'defense=0 contig=1'", m1);
    compare(a, "post_m1_predict_observed.csv", 8, 8, "predict");
    snprintf(a, sizeof a, "predict %s --others observed --at 'defense=1 region=2' "
             "--at 'defense=0 region=2'", m2);
    compare(a, "post_m2_predict_observed.csv", M2, M2, "predict");
}

static void test_ame(void)
{
    char a[512];
    setup_fits();
    snprintf(a, sizeof a, "margins %s --dydx defense,peaceyrs,cap_ratio", m1);
    compare_effects(a, "post_m1_ame.csv", 1, 8);
    snprintf(a, sizeof a, "margins %s --dydx defense,contig,peaceyrs,cap_ratio", m2);
    compare_effects(a, "post_m2_ame.csv", 2, M2);
}

static void test_mem(void)
{
    char a[512];
    setup_fits();
    snprintf(a, sizeof a, "margins %s --others mean --dydx defense,peaceyrs,cap_ratio", m1);
    compare_effects(a, "post_m1_mem.csv", 1, 8);
    snprintf(a, sizeof a, "margins %s --others mean --dydx defense,contig,peaceyrs,cap_ratio", m2);
    compare_effects(a, "post_m2_mem.csv", 2, M2);
}

static void test_fd(void)
{
    char a[512];
    setup_fits();
    snprintf(a, sizeof a, "margins %s --fd --at 'defense=1 contig=1' --at 'defense=0 contig=1'", m1);
    compare(a, "post_m1_fd.csv", 8, 8, "fd");
    snprintf(a, sizeof a, "margins %s --fd --at 'defense=1 region=2' --at 'defense=0 region=2'", m2);
    compare(a, "post_m2_fd.csv", M2, M2, "fd");
}

/* reads the csv rows: estimate, std.error, conf.low, conf.high */
static int read_rows(const char *path, double v[][4], int max)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int n = 0;
    if (!f) return -1;
    if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }
    while (n < max && fgets(line, sizeof line, f)) {
        /* the term may be quoted but has no comma in these tests */
        char *p = strchr(line, ',');
        double x[6];
        if (!p) break;
        for (int c = 0; c < 6; c++) {
            x[c] = strtod(p + 1, &p);
        }
        v[n][0] = x[0]; v[n][1] = x[1]; v[n][2] = x[4]; v[n][3] = x[5];
        n++;
    }
    fclose(f);
    return n;
}

/* A prediction at a profile is F(eta) with eta = x'b normal under the
 * simulation: its percentile limits are F(eta_hat +- z se_eta) exactly and
 * its sd is that of F(N(eta, se_eta^2)) (quadrature). 10,000 draws: the sd
 * is within 4 Monte-Carlo standard errors (sd / sqrt(2N)), each limit
 * within 4 MC errors of a sample quantile (sqrt(p(1-p)/N)/phi(z) se_eta,
 * mapped through f). */
static void test_simulation_predict(void)
{
    char out[512], a[512];
    double d[2][4], s[2][4], s2[2][4];
    setup_fits();
    snprintf(out, sizeof out, "%s/sim.csv", tmpdir);
    snprintf(a, sizeof a, "predict %s --at 'defense=1 contig=1' --at 'defense=0 contig=1'", m1);
    CU_ASSERT_EQUAL(tu_sh("%s %s --format csv > %s", tu_bin(), a, out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, d, 2), 2);
    CU_ASSERT_EQUAL(tu_sh("%s %s --method simulation --draws 10000 --seed 7 --format csv > %s",
                       tu_bin(), a, out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, s, 2), 2);
    /* reproducible with the same seed, different with another */
    CU_ASSERT_EQUAL(tu_sh("%s %s --method simulation --draws 10000 --seed 7 --format csv > %s",
                       tu_bin(), a, out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, s2, 2), 2);
    CU_ASSERT_EQUAL(memcmp(s, s2, sizeof s), 0);
    CU_ASSERT_EQUAL(tu_sh("%s %s --method simulation --draws 10000 --seed 8 --format csv > %s",
                       tu_bin(), a, out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, s2, 2), 2);
    CU_ASSERT(s2[0][1] != s[0][1]);
    const double N = 10000, z = 1.959963984540054;
    for (int i = 0; i < 2; i++) {
        double p = d[i][0], eta = log(p / (1 - p)), se_eta = d[i][1] / (p * (1 - p));
        CU_ASSERT_DOUBLE_EQUAL(s[i][0], p, 1e-15);   /* estimate at b-hat */
        /* sd of plogis(N(eta, se_eta^2)) by the trapezoid rule */
        double m0 = 0, m1s = 0, m2s = 0;
        for (int g = -8000; g <= 8000; g++) {
            double u = g / 1000.0, w = exp(-0.5 * u * u), q = 1 / (1 + exp(-(eta + se_eta * u)));
            m0 += w; m1s += w * q; m2s += w * q * q;
        }
        double mean = m1s / m0, sd = sqrt(m2s / m0 - mean * mean);
        double mc_sd = sd / sqrt(2 * N);
        if (fabs(s[i][1] - sd) > 4 * mc_sd)
            fprintf(stderr, "  sim sd %.6g vs exact %.6g (MC se %.3g)\n", s[i][1], sd, mc_sd);
        CU_ASSERT(fabs(s[i][1] - sd) <= 4 * mc_sd);
        double qse = sqrt(0.025 * 0.975 / N) / 0.05844094433345147 * se_eta;
        for (int side = 0; side < 2; side++) {
            double e = eta + (side ? z : -z) * se_eta, lim = 1 / (1 + exp(-e));
            double tol = 4 * qse * lim * (1 - lim);
            if (fabs(s[i][2 + side] - lim) > tol)
                fprintf(stderr, "  sim limit %.6g vs exact %.6g (tol %.3g)\n", s[i][2 + side],
                        lim, tol);
            CU_ASSERT(fabs(s[i][2 + side] - lim) <= tol);
        }
        /* and the delta-method interval is close (first order) */
        CU_ASSERT(fabs(s[i][1] - d[i][1]) < 0.05 * d[i][1]);
    }
}

/* Effects: the simulation sd within Monte-Carlo error (and the small
 * nonlinearity) of the delta-method SE. */
static void test_simulation_effects(void)
{
    char out[512], a[512];
    double d[2][4], s[2][4];
    setup_fits();
    snprintf(out, sizeof out, "%s/sim2.csv", tmpdir);
    snprintf(a, sizeof a, "margins %s --fd --at 'defense=1 contig=1' --at 'defense=0 contig=1'", m1);
    CU_ASSERT_EQUAL(tu_sh("%s %s --format csv > %s", tu_bin(), a, out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, d, 2), 2);
    CU_ASSERT_EQUAL(tu_sh("%s %s --method simulation --draws 10000 --format csv > %s", tu_bin(), a,
                       out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, s, 2), 2);
    for (int i = 0; i < 2; i++) {
        double tol = 4 * d[i][1] / sqrt(2 * 10000.0) + 0.03 * d[i][1];
        if (fabs(s[i][1] - d[i][1]) > tol)
            fprintf(stderr, "  fd sim sd %.6g vs delta %.6g\n", s[i][1], d[i][1]);
        CU_ASSERT(fabs(s[i][1] - d[i][1]) <= tol);
        CU_ASSERT(fabs(s[i][2] - d[i][2]) <= 4 * tol);
        CU_ASSERT(fabs(s[i][3] - d[i][3]) <= 4 * tol);
    }
    /* AME of defense over 130,420 rows with 500 draws */
    snprintf(a, sizeof a, "margins %s --dydx defense", m1);
    CU_ASSERT_EQUAL(tu_sh("%s %s --format csv > %s", tu_bin(), a, out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, d, 1), 1);
    CU_ASSERT_EQUAL(tu_sh("%s %s --method simulation --draws 500 --format csv > %s", tu_bin(), a,
                       out), 0);
    CU_ASSERT_EQUAL_FATAL(read_rows(out, s, 1), 1);
    double tol = 4 * d[0][1] / sqrt(1000.0) + 0.03 * d[0][1];
    CU_ASSERT(fabs(s[0][1] - d[0][1]) <= tol);
    CU_ASSERT_DOUBLE_EQUAL(s[0][0], d[0][0], 1e-15);
}

/* An error case: exit code and a piece of the message on stderr. */
static void expect_error(const char *args, int code, const char *msg)
{
    char err[512], cmd[4096], buf[4096];
    snprintf(err, sizeof err, "%s/err.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "%s %s > /dev/null 2> %s", tu_bin(), args, err);
    int rc = system(cmd);
    rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    FILE *f = fopen(err, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    if (rc != code || !strstr(buf, msg))
        fprintf(stderr, "  '%s': exit %d (want %d), stderr: %s", args, rc, code, buf);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, msg));
}

static void test_errors(void)
{
    char a[1024];
    setup_fits();
    snprintf(a, sizeof a, "predict %s --at 'defense==1'", m1);
    expect_error(a, 1, "'defense==1' is not NAME=VALUE");
    snprintf(a, sizeof a, "predict %s --at 'defnse=1'", m1);
    expect_error(a, 1, "'defnse' is not a variable of the model");
    snprintf(a, sizeof a, "predict %s --at 'year=1990'", m1);
    expect_error(a, 1, "'year' is not a variable of the model");
    snprintf(a, sizeof a, "predict %s --at 'defense=yes'", m1);
    expect_error(a, 1, "value 'yes' for 'defense' is not a number");
    snprintf(a, sizeof a, "predict %s --at 'defense=1 defense=0'", m1);
    expect_error(a, 1, "'defense' is set twice");
    snprintf(a, sizeof a, "predict %s --at 'cap_ratio=0'", m1);
    expect_error(a, 1, "outside the domain of log");
    snprintf(a, sizeof a, "predict %s --at 'region=9'", m2);
    expect_error(a, 1, "change the model's columns");
    snprintf(a, sizeof a, "predict %s", m1);
    expect_error(a, 1, "at least one --at");
    snprintf(a, sizeof a, "margins %s --dydx region", m2);
    expect_error(a, 1, "enters the model as factor()");
    snprintf(a, sizeof a, "margins %s --dydx year", m1);
    expect_error(a, 1, "'year' is not a variable of the model");
    snprintf(a, sizeof a, "margins %s --fd --at 'defense=1'", m1);
    expect_error(a, 1, "exactly two --at");
    snprintf(a, sizeof a, "margins %s --dydx defense --method bootstrap", m1);
    expect_error(a, 1, "not delta or simulation");
    expect_error("predict /nonexistent/fit.json --at 'defense=1'", 2, "cannot open saved fit");
    /* malformed JSON */
    tu_sh("printf '{\"estimator\": \"logit\", ' > %s/bad.json", tmpdir);
    snprintf(a, sizeof a, "predict %s/bad.json --at 'defense=1'", tmpdir);
    expect_error(a, 2, "malformed JSON");
    /* an unsupported estimator */
    tu_sh("sed 's/\"estimator\": \"logit\"/\"estimator\": \"clogit\"/' %s > %s/clogit.json", m1, tmpdir);
    snprintf(a, sizeof a, "predict %s/clogit.json --at 'defense=1'", tmpdir);
    expect_error(a, 3, "not available for estimator 'clogit'");
    /* a changed data file: both digests named */
    tu_sh("cp data/leeds_dyads.csv %s/d.csv", tmpdir);
    snprintf(a, sizeof a, "fit logit 'mid_onset ~ defense + contig' %s/d.csv --save %s/d.json "
             "> /dev/null", tmpdir, tmpdir);
    CU_ASSERT_EQUAL(tu_sh("%s %s", tu_bin(), a), 0);
    tu_sh("echo '2,20,2011,2020,0,0,0,0,0,0,0,1,1,23.2,1,1,91,1' >> %s/d.csv", tmpdir);
    snprintf(a, sizeof a, "predict %s/d.json --at 'defense=1'", tmpdir);
    expect_error(a, 2, "has changed since the fit was saved");
    expect_error(a, 2, "sha256 now");
}

/* dyadfit table: union of terms, SEs, fit statistics, every format. */
static void test_table(void)
{
    char out[512], buf[65536];
    setup_fits();
    snprintf(out, sizeof out, "%s/table.txt", tmpdir);
    const char *fmts[] = {"text", "markdown", "latex", "csv", "html"};
    for (int f = 0; f < 5; f++) {
        CU_ASSERT_EQUAL(tu_sh("%s table %s %s --format %s --stars > %s", tu_bin(), m1, m2, fmts[f], out), 0);
        FILE *fp = fopen(out, "r");
        size_t n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
        if (fp) fclose(fp);
        buf[n] = 0;
        /* union of terms in order of first appearance */
        char *a = strstr(buf, "defense"), *b = strstr(buf, "I(peaceyrs"),
             *c = strstr(buf, "defense:contig"), *d = strstr(buf, "factor(region)2");
        CU_ASSERT(a && b && c && d && a < b && b < d && d < c);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "130420") ? buf : strstr(buf, "130,420"));
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "-0.256"));     /* defense, model 1 */
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "AIC"));
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "cluster"));
    }
    expect_error("table", 1, "at least one saved fit");
    snprintf(buf, sizeof buf, "table %s --format docx", m1);
    expect_error(buf, 1, "--format");
}

/* dyadfit table --labels / --rename / --stats: rows named from the .dta's
 * variable and value labels (see describe), chosen statistics in order. */
static void test_table_labels(void)
{
    char out[512], err[512], a[1024];
    setup_fits();
    snprintf(out, sizeof out, "%s/labels.csv", tmpdir);
    snprintf(err, sizeof err, "%s/labels.err", tmpdir);
    CU_ASSERT_EQUAL(tu_sh("%s table %s %s --labels --rename '(Intercept)=Constant' "
                          "--rename 'peaceyrs=Peace years' --stats N,vce --format csv > %s 2> %s",
                          tu_bin(), m1, m2, out, err), 0);
    char *b = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\nConstant,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\nATOP 5.1 defense obligation between the two states,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\nCOW region of ccode1 (by state-code range): Europe,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\nATOP 5.1 defense obligation between the two states x "
                                     "Direct land contiguity (conttype == 1),"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\nPeace years,"));     /* --rename over the label */
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\nlog(cap_ratio),"));  /* a transformation: unchanged */
    CU_ASSERT_PTR_NULL(strstr(b, "\ndefense,"));
    char *n = strstr(b, "\nN,"), *v = strstr(b, "\nStd. errors,");
    CU_ASSERT(n && v && n < v);
    CU_ASSERT_PTR_NULL(strstr(b, "AIC"));
    CU_ASSERT_PTR_NULL(strstr(b, "Log-likelihood"));
    free(b);
    b = tu_slurp(err, NULL);
    CU_ASSERT(b && !*b);   /* no warning: the data file is there, unchanged */
    free(b);

    /* the data file gone: the table is still written, with a warning */
    char d[600], j[600];
    snprintf(d, sizeof d, "%s/gone.dta", tmpdir);
    snprintf(j, sizeof j, "%s/gone.json", tmpdir);
    tu_sh("cp data/leeds_dyads.dta %s", d);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit 'mid_onset ~ defense' %s --save %s > /dev/null", tu_bin(),
                          d, j), 0);
    tu_sh("rm -f %s", d);
    CU_ASSERT_EQUAL(tu_sh("%s table %s --labels --format csv > %s 2> %s", tu_bin(), j, out, err), 0);
    b = tu_slurp(out, NULL);
    CU_ASSERT(b && strstr(b, "\ndefense,"));
    free(b);
    b = tu_slurp(err, NULL);
    CU_ASSERT(b && strstr(b, "warning") && strstr(b, "no labels"));
    free(b);

    snprintf(a, sizeof a, "table %s --stats N,aicc", m1);
    expect_error(a, 1, "--stats: 'aicc' is not one of");
    snprintf(a, sizeof a, "table %s --stats N,N", m1);
    expect_error(a, 1, "given twice");
    snprintf(a, sizeof a, "table %s --rename defense", m1);
    expect_error(a, 1, "is not TERM=Name");
}

/* A fit --spells saved and used again: predict, margins and table --labels
 * make the peace years again (the .dta has its own peaceyrs column, counted
 * differently, which must not be used) and equal btscs then fit. */
static void test_spells_fit(void)
{
    char one[600], two[600], py[600], o1[600], o2[600];
    setup_fits();
    snprintf(one, sizeof one, "%s/sp1.json", tmpdir);
    snprintf(two, sizeof two, "%s/sp2.json", tmpdir);
    snprintf(py, sizeof py, "%s/leeds_py.dta", tmpdir);
    snprintf(o1, sizeof o1, "%s/sp1.out", tmpdir);
    snprintf(o2, sizeof o2, "%s/sp2.out", tmpdir);
    const char *f = "'mid_onset ~ defense + contig + peaceyrs + I(peaceyrs^2)'";
    CU_ASSERT_EQUAL(tu_sh("%s fit logit %s data/leeds_dyads.dta --spells mid_onset --unit dyad "
                          "--time year --if 'year >= 1950' --save %s > /dev/null", tu_bin(), f, one), 0);
    CU_ASSERT_EQUAL(tu_sh("%s btscs data/leeds_dyads.dta --event mid_onset --unit dyad --time year "
                          "--replace --out %s", tu_bin(), py), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit %s %s --if 'year >= 1950' --save %s > /dev/null", tu_bin(),
                          f, py, two), 0);
    const char *cmds[] = {"predict %s --at 'defense=1' --at 'defense=0 peaceyrs=5' --format csv",
                          "margins %s --dydx defense,peaceyrs --format csv",
                          "table %s --labels --stats N --format csv"};
    for (int c = 0; c < 3; c++) {
        char a[1200], b[1200];
        snprintf(a, sizeof a, cmds[c], one);
        snprintf(b, sizeof b, cmds[c], two);
        CU_ASSERT_EQUAL(tu_sh("%s %s > %s 2>&1", tu_bin(), a, o1), 0);
        CU_ASSERT_EQUAL(tu_sh("%s %s > %s 2>&1", tu_bin(), b, o2), 0);
        size_t n1, n2;
        char *x = tu_slurp(o1, &n1), *y = tu_slurp(o2, &n2);
        int same = x && y && n1 == n2 && memcmp(x, y, n1) == 0;
        if (!same) fprintf(stderr, "  %s:\n%s\nvs\n%s\n", cmds[c], x ? x : "", y ? y : "");
        CU_ASSERT(same);
        CU_ASSERT(x && n1 > 40);
        free(x);
        free(y);
    }
}

/* Effects when the basis rows (the first 2048 fitted rows and one per
 * factor level, see effects.c) do not give the fit's columns: x is 0 in
 * all of them, so the first block's design would drop it and the
 * computation must fall back to every fitted row. The AMEs are checked
 * against closed forms from the fitted coefficients: dP/dz = mean f(eta) b_z
 * and the discrete change of x, averaged over the 6000 rows. */
static void test_effects_basis_fallback(void)
{
    enum { N = 6000 };
    static double z[N], x[N];
    char csv[600], fit[600], out[600];
    setup_fits();
    snprintf(csv, sizeof csv, "%s/rare.csv", tmpdir);
    snprintf(fit, sizeof fit, "%s/rare.json", tmpdir);
    snprintf(out, sizeof out, "%s/rare.out", tmpdir);
    FILE *fp = fopen(csv, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("y,x,z\n", fp);
    unsigned long st = 99;
    for (int i = 0; i < N; i++) {
        st = st * 6364136223846793005UL + 1442695040888963407UL;
        z[i] = (double)(st >> 11) / 9007199254740992.0 * 2 - 1;
        st = st * 6364136223846793005UL + 1442695040888963407UL;
        double u = (double)(st >> 11) / 9007199254740992.0;
        x[i] = i >= 5000 && i % 7 == 0;
        double p = 1 / (1 + exp(-(-0.5 + z[i] + x[i])));
        fprintf(fp, "%d,%g,%.17g\n", u < p, x[i], z[i]);
    }
    fclose(fp);
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s fit logit 'y ~ x + z' %s --save %s --format csv > %s", tu_bin(),
                                csv, fit, out), 0);
    tu_ref b, e;
    CU_ASSERT_EQUAL_FATAL(tu_ref_read(out, &b), 0);
    CU_ASSERT_EQUAL_FATAL(b.n, 3);
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s margins %s --dydx z,x --format csv > %s", tu_bin(), fit, out), 0);
    CU_ASSERT_EQUAL_FATAL(tu_ref_read(out, &e), 0);
    CU_ASSERT_EQUAL_FATAL(e.n, 2);
    double b0 = b.estimate[0], bx = b.estimate[1], bz = b.estimate[2];
    long double dz = 0, dx = 0;
    for (int i = 0; i < N; i++) {
        double eta = b0 + bx * x[i] + bz * z[i], p = 1 / (1 + exp(-eta));
        dz += p * (1 - p) * bz;
        dx += 1 / (1 + exp(-(b0 + bx + bz * z[i]))) - 1 / (1 + exp(-(b0 + bz * z[i])));
    }
    TU_ASSERT_LRE(e.estimate[0], (double)(dz / N), 6);
    TU_ASSERT_LRE(e.estimate[1], (double)(dx / N), 10);
    tu_ref_free(&b);
    tu_ref_free(&e);
}

static void cleanup_dir(void)
{
    if (tmpdir[0]) tu_sh("rm -rf %s", tmpdir);
}

int main(void)
{
    static const tu_test tests[] = {
        {"predict at means vs R (LRE >= 8)", test_predict_mean},
        {"predict averaged over rows vs R (LRE >= 8)", test_predict_observed},
        {"AME vs R (discrete 8, derivative 6)", test_ame},
        {"MEM vs R (discrete 8, derivative 6)", test_mem},
        {"first difference and risk ratio vs R", test_fd},
        {"simulation: predictions within MC error", test_simulation_predict},
        {"simulation: effects vs delta method", test_simulation_effects},
        {"errors: --at, variables, JSON, estimator, checksum", test_errors},
        {"table of two models", test_table},
        {"table with labels, renames, chosen statistics", test_table_labels},
        {"a fit --spells saved: predict, margins, table", test_spells_fit},
        {"effects when the basis rows miss a column", test_effects_basis_fallback},
        {NULL, NULL}};
    int rc = tu_run("post_cli", tests);
    tu_print_lre();
    cleanup_dir();
    return rc;
}
