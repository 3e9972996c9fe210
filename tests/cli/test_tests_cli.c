/*
 * test_tests_cli.c -- dyadfit test / lrtest / fitstat through the built
 * command line ($DYADFIT_BIN, default build/dyadfit) on the bundled Leeds
 * data, against tests/reference/values/tests_values.csv
 * (make_reference_tests.R: glm by hand, no car/lmtest/pROC).
 * Precision: LRE >= 9 for Wald and LR statistics, log likelihoods,
 * information criteria, pseudo R2, AUC and Brier score; classification
 * counts exactly. p-values: LRE >= 9 where the statistic is moderate; a
 * p-value of 1e-90 moves by chi2/2 times the statistic's relative error, so
 * those are held to LRE >= 6, and underflowing ones (< 1e-300) only to
 * being below 1e-300. Every error path: exit code 1 (usage) or 2 (data)
 * and the message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

#define F1 "mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"
#define F0 "mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow"

static char dir[200], m1[300], m0[300], mc[300], mf[300], mp[300], out[300], errf[300];

static void setup(void)
{
    if (m1[0]) return;
    snprintf(dir, sizeof dir, "/tmp/dyadfit-tests-%d", (int)getpid());
    tu_sh("mkdir -p %s", dir);
    snprintf(m1, sizeof m1, "%s/m1.json", dir);
    snprintf(m0, sizeof m0, "%s/m0.json", dir);
    snprintf(mc, sizeof mc, "%s/mc.json", dir);
    snprintf(mf, sizeof mf, "%s/mf.json", dir);
    snprintf(mp, sizeof mp, "%s/mp.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(errf, sizeof errf, "%s/err", dir);
    const char *b = tu_bin(), *dta = "data/leeds_dyads.dta";
    CU_ASSERT_EQUAL(tu_sh("%s fit logit '" F1 "' %s --vce oim --tolerance 1e-13 --save %s > /dev/null", b, dta, m1), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit '" F0 "' %s --vce oim --tolerance 1e-13 --save %s > /dev/null", b, dta, m0), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit '" F0 "' %s --vce cluster dyad --save %s > /dev/null", b, dta, mc), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit '" F0 "' %s --if 'year >= 1900' --save %s > /dev/null", b, dta, mf), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit probit '" F0 "' %s --save %s > /dev/null", b, dta, mp), 0);
}

/* value of `name` in tests_values.csv (NAN when absent) */
static double ref(const char *name)
{
    static char *text;
    if (!text) text = tu_slurp("tests/reference/values/tests_values.csv", NULL);
    if (!text) return NAN;
    char key[128];
    snprintf(key, sizeof key, "\n\"%s\",\"", name);
    const char *p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* value of `name` in a "name,value" CSV (fitstat) or in column `col` of the
 * one-row CSV of test/lrtest */
static double csv_stat(const char *text, const char *name)
{
    char key[128];
    snprintf(key, sizeof key, "\n\"%s\",", name);
    const char *p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

static double csv_col(const char *text, int col)
{
    const char *p = strchr(text, '\n');
    if (!p) return NAN;
    p++;
    for (int c = 0; c < col; c++) {
        p = strchr(p, ',');
        if (!p) return NAN;
        p++;
    }
    return strtod(p, NULL);
}

/* runs a command into out/errf; returns its exit status */
static int run(const char *args)
{
    setup();
    return tu_sh("%s %s > %s 2> %s", tu_bin(), args, out, errf);
}

static void check_wald(const char *tag, const char *restr, double minp)
{
    char a[2048], k[64];
    setup();
    snprintf(a, sizeof a, "test %s %s --format csv", m1, restr);
    int rc = run(a);
    if (rc) fprintf(stderr, "  '%s' exited %d\n", a, rc);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    char *t = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    snprintf(k, sizeof k, "%s_chi2", tag);
    TU_CHECK_LRE("wald chi2", csv_col(t, 1), ref(k), 9);
    snprintf(k, sizeof k, "%s_df", tag);
    CU_ASSERT_EQUAL(csv_col(t, 2), ref(k));
    snprintf(k, sizeof k, "%s_p", tag);
    if (ref(k) > 1e-300) TU_CHECK_LRE("wald p", csv_col(t, 3), ref(k), minp);
    else CU_ASSERT(csv_col(t, 3) < 1e-300);
    free(t);
}

static void test_wald(void)
{
    check_wald("wald1", "'defense = neutrality' 'contig=0'", 6);
    check_wald("wald2", "'defense = neutrality' 'contig=0' 'log(cap_ratio) + 2*I(peaceyrs^2) = 0.1'", 6);
    /* backquotes, a bare term meaning = 0 */
    check_wald("wald3", "'`peaceyrs`' 'I(peaceyrs^2) = 0' '0 = I(peaceyrs^3)'", 6);
    check_wald("wald4", "'2*defense - entente/2 + 1 = majpow - 0.5'", 9);
    check_wald("wald4", "'-majpow + defense*2 - 0.5 * entente = -1.5'", 9);
}

static void test_wald_text_json(void)
{
    setup();
    char a[2048];
    snprintf(a, sizeof a, "test %s 'defense = neutrality' 'contig=0'", m1);
    CU_ASSERT_EQUAL(run(a), 0);
    char *t = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "( 1)  defense - neutrality = 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "( 2)  contig = 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "chi2(  2) =     411.89"));
    free(t);
    snprintf(a, sizeof a, "test %s 'defense = neutrality' --format json", m1);
    CU_ASSERT_EQUAL(run(a), 0);
    t = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"restrictions\": [\"defense - neutrality = 0\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"df\": 1"));
    free(t);
}

/* runs args, expects exit code and message fragment on stderr */
static void expect_fail(const char *args, int code, const char *msg)
{
    int rc = run(args);
    char *e = tu_slurp(errf, NULL);
    if (rc != code || !e || !strstr(e, msg))
        fprintf(stderr, "  '%s': exit %d (want %d), stderr: %s\n", args, rc, code, e ? e : "");
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NOT_NULL(e && strstr(e, msg));
    free(e);
}

static void test_wald_errors(void)
{
    setup();
    char a[2048];
#define W(restr, code, msg) \
    snprintf(a, sizeof a, "test %s %s", m1, restr); expect_fail(a, code, msg)
    W("'defnse = 0'", 1, "unknown term 'defnse' (did you mean 'defense'?)");
    W("'zzzzzzzzzz = 0'", 1, "unknown term 'zzzzzzzzzz'");
    W("'`log(cap)` = 0'", 1, "unknown term 'log(cap)'");
    W("'`defense = 0'", 1, "unmatched backquote");
    W("'defense*contig = 0'", 1, "not linear");
    W("'1/defense = 0'", 1, "not linear");
    W("'defense/0 = 1'", 1, "division by zero");
    W("'defense = contig = 0'", 1, "more than one '='");
    W("'defense ='", 1, "nothing after '='");
    W("'defense + = 1'", 1, "malformed");
    W("'defense contig'", 1, "malformed at 'contig'");
    W("'1 = 2'", 1, "involves no coefficient");
    W("'defense - defense = 0'", 1, "involves no coefficient");
    W("''", 1, "empty restriction");
    W("'defense = 0' 'contig = 0' 'defense + contig = 1'", 1, "linearly dependent");
    W("'defense = 0' --bogus", 1, "unknown option '--bogus'");
    W("'defense = 0' --format xml", 1, "is not text, csv or json");
#undef W
    snprintf(a, sizeof a, "test %s", m1);
    expect_fail(a, 1, "no restriction given");
    expect_fail("test", 1, "no saved fit given");
    snprintf(a, sizeof a, "test %s/none.json 'defense = 0'", dir);
    expect_fail(a, 2, "none.json");
}

static void test_lrtest(void)
{
    setup();
    char a[2048];
    for (int order = 0; order < 2; order++) {   /* either order */
        snprintf(a, sizeof a, "lrtest %s %s --format csv", order ? m1 : m0, order ? m0 : m1);
        CU_ASSERT_EQUAL_FATAL(run(a), 0);
        char *t = tu_slurp(out, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        TU_CHECK_LRE("lr statistic", csv_col(t, 1), ref("lr_stat"), 9);
        CU_ASSERT_EQUAL(csv_col(t, 2), ref("lr_df"));
        CU_ASSERT(csv_col(t, 3) < 1e-300);
        TU_CHECK_LRE("loglik", csv_col(t, 4), ref("lr_loglik0"), 9);
        TU_CHECK_LRE("loglik", csv_col(t, 5), ref("lr_loglik1"), 9);
        free(t);
    }
    snprintf(a, sizeof a, "lrtest %s %s", m0, m1);
    CU_ASSERT_EQUAL(run(a), 0);
    char *t = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "LR chi2(  3) =    2788.27"));
    free(t);
}

static void test_lrtest_errors(void)
{
    setup();
    char a[2048];
    snprintf(a, sizeof a, "lrtest %s %s", m0, mp);
    expect_fail(a, 1, "LR tests need the same estimator");
    snprintf(a, sizeof a, "lrtest %s %s", mf, m1);
    expect_fail(a, 1, "different filters");
    snprintf(a, sizeof a, "lrtest %s %s", mc, m1);
    expect_fail(a, 1, "cluster-robust variance");
    snprintf(a, sizeof a, "lrtest %s %s", m0, m0);
    expect_fail(a, 1, "have the same terms");
    /* --force overrides the variance check only, with a note */
    snprintf(a, sizeof a, "lrtest %s %s --force --format csv", mc, m1);
    CU_ASSERT_EQUAL(run(a), 0);
    char *e = tu_slurp(errf, NULL), *t = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "note: LR test forced"));
    if (t) TU_CHECK_LRE("lr statistic", csv_col(t, 1), ref("lr_stat"), 8);
    free(e);
    free(t);
    /* different data: a copy of the fit naming another checksum */
    snprintf(a, sizeof a, "sed 's/\"sha256\": *\"[0-9a-f]*\"/\"sha256\": \"%064d\"/' %s > %s/sha.json", 0, m0, dir);
    CU_ASSERT_EQUAL(tu_sh("%s", a), 0);
    snprintf(a, sizeof a, "lrtest %s/sha.json %s", dir, m1);
    expect_fail(a, 1, "fitted on different data");
    /* different N */
    snprintf(a, sizeof a, "sed 's/\"nobs\": *[0-9.e+]*/\"nobs\": 1000/' %s > %s/n.json", m0, dir);
    CU_ASSERT_EQUAL(tu_sh("%s", a), 0);
    snprintf(a, sizeof a, "lrtest %s/n.json %s", dir, m1);
    expect_fail(a, 1, "different observations");
    /* not nested */
    snprintf(a, sizeof a, "%s fit logit 'mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + peaceyrs' data/leeds_dyads.dta --save %s/nn.json > /dev/null", tu_bin(), dir);
    CU_ASSERT_EQUAL(tu_sh("%s", a), 0);
    snprintf(a, sizeof a, "lrtest %s/nn.json %s", dir, m0);
    expect_fail(a, 1, "not nested: neither's terms contain the other's ('peaceyrs' of");
    snprintf(a, sizeof a, "lrtest %s", m0);
    expect_fail(a, 1, "needs two saved fits");
    snprintf(a, sizeof a, "lrtest %s %s %s", m0, m1, m1);
    expect_fail(a, 1, "takes two saved fits");
}

static void check_fitstat_common(const char *t)
{
    static const char *const names[] = {"loglik", "loglik0", "AIC", "BIC", "r2_mcfadden",
                                        "r2_mcfadden_adj", "r2_coxsnell", "r2_nagelkerke",
                                        "auc", "brier", NULL};
    CU_ASSERT_EQUAL(csv_stat(t, "N"), ref("N"));
    CU_ASSERT_EQUAL(csv_stat(t, "parameters"), ref("parameters"));
    for (const char *const *n = names; *n; n++) {
        TU_CHECK_LRE("fitstat likelihood, AUC, Brier", csv_stat(t, *n), ref(*n), 9);
    }
}

static void test_fitstat(void)
{
    setup();
    static const char *const cuts[] = {"0.5", "0.05"};
    static const char *const cnt[] = {"true_pos", "false_pos", "true_neg", "false_neg", NULL};
    static const char *const rat[] = {"sensitivity", "specificity", "correct", NULL};
    char a[2048], k[64];
    for (int c = 0; c < 2; c++) {
        snprintf(a, sizeof a, "fitstat %s --cutoff %s --format csv", m1, cuts[c]);
        CU_ASSERT_EQUAL_FATAL(run(a), 0);
        char *t = tu_slurp(out, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        check_fitstat_common(t);
        for (const char *const *n = cnt; *n; n++) {
            snprintf(k, sizeof k, "cut%s_%s", cuts[c], *n);
            CU_ASSERT_EQUAL(csv_stat(t, *n), ref(k));
        }
        for (const char *const *n = rat; *n; n++) {
            snprintf(k, sizeof k, "cut%s_%s", cuts[c], *n);
            TU_CHECK_LRE("fitstat classification", csv_stat(t, *n), ref(k), 12);
        }
        free(t);
    }
    snprintf(a, sizeof a, "fitstat %s --format json", m1);
    CU_ASSERT_EQUAL(run(a), 0);
    char *t = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"N\": 130420, \"parameters\": 11"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"ppv\": null"));   /* nobody predicted 1 at 0.5 */
    free(t);
    snprintf(a, sizeof a, "fitstat %s", m1);
    CU_ASSERT_EQUAL(run(a), 0);
    t = tu_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "ROC AUC                          0.8678"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Nagelkerke R2                    0.2562"));
    free(t);
}

static void test_fitstat_errors(void)
{
    setup();
    char a[2048];
    static const char *const bad[] = {"0", "1", "-0.2", "abc", "0.5x", NULL};
    for (const char *const *b = bad; *b; b++) {
        snprintf(a, sizeof a, "fitstat %s --cutoff '%s'", m1, *b);
        expect_fail(a, 1, "is not a number between 0 and 1");
    }
    snprintf(a, sizeof a, "fitstat %s --cutoff", m1);
    expect_fail(a, 1, "--cutoff needs a value");
    snprintf(a, sizeof a, "fitstat %s %s", m1, m0);
    expect_fail(a, 1, "unexpected argument");
    expect_fail("fitstat", 1, "no saved fit given");
    /* data changed since the fit: the classification needs the same rows */
    snprintf(a, sizeof a, "sed 's/\"sha256\": *\"[0-9a-f]*\"/\"sha256\": \"%064d\"/' %s > %s/sha1.json", 0, m1, dir);
    CU_ASSERT_EQUAL(tu_sh("%s", a), 0);
    snprintf(a, sizeof a, "fitstat %s/sha1.json", dir);
    expect_fail(a, 2, "has changed since the fit was saved");
}

static void test_cleanup(void)
{
    setup();
    CU_ASSERT_EQUAL(tu_sh("rm -rf %s", dir), 0);
}

int main(void)
{
    static const tu_test tests[] = {
        {"wald statistics vs R", test_wald},
        {"wald text and json", test_wald_text_json},
        {"wald errors", test_wald_errors},
        {"lr test vs R", test_lrtest},
        {"lr test refusals", test_lrtest_errors},
        {"fitstat vs R", test_fitstat},
        {"fitstat errors", test_fitstat_errors},
        {"cleanup", test_cleanup},
        {NULL, NULL}};
    int rc = tu_run("tests_cli", tests);
    tu_print_lre();
    return rc;
}
