/*
 * test_stream.c -- streaming (out-of-core) fits, df_stream_fit and
 * `dyadfit fit ... --stream`.
 *
 * References: (1) the in-memory fit of the same model on the same file
 * (dyadfit_read + dyadfit_fit), coefficients, standard errors, log
 * likelihoods and N at LRE >= 10 (1e-10 relative), with small chunks so
 * that every fit crosses many chunk boundaries; (2) R's glm + sandwich for
 * the cases of tests/reference/cases.tsv (values in tests/reference/values,
 * made by tests/reference/make_reference.R), at LRE >= 9 as there.
 * Bad input: what --stream refuses, files it cannot read, data errors with
 * the same message (file row numbers) as the in-memory fit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dyadfit.h"
#include "report/result.h"
#include "testutil.h"
#include "stream_check.h"

#define LEEDS "mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + " \
              "jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"

static char tmpdir[256];

/* streamed against the in-memory fit; against R's reference (ref_id) too */
static void check_case(const char *path, const dyadfit_model *m, size_t chunk,
                       const char *ref_id)
{
    dyadfit_result *s = sc_fit_stream(tu_path(path), m, chunk),
                   *mem = sc_fit_memory(tu_path(path), m);
    if (s && mem) sc_compare(s, mem, "stream", path);
    if (s && ref_id) {
        char ref[256];
        snprintf(ref, sizeof ref, "tests/reference/values/%s.csv", ref_id);
        tu_check_result_ref(s, ref, "stream vs R", 9);
    }
    dyadfit_result_free(s);
    dyadfit_result_free(mem);
}

static void test_leeds_cluster(void)
{
    dyadfit_model m;
    sc_model(&m, DYADFIT_LOGIT, LEEDS);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "dyad";
    check_case("data/leeds_dyads.dta", &m, 1000, "leeds_logit_cluster_stata");
    m.ssc = DYADFIT_SSC_HC1;
    check_case("data/leeds_dyads.dta", &m, 4096, "leeds_logit_cluster_hc1");
    m.ssc = DYADFIT_SSC_HC0;
    check_case("data/leeds_dyads.csv", &m, 1000, "leeds_logit_cluster_hc0");
    m.ssc = DYADFIT_SSC_STATA;
    check_case("data/leeds_dyads.sav", &m, 3333, "leeds_logit_cluster_stata_sav");
}

static void test_leeds_robust_oim(void)
{
    dyadfit_model m;
    sc_model(&m, DYADFIT_LOGIT, LEEDS);
    m.vce = DYADFIT_VCE_ROBUST;
    m.ssc = DYADFIT_SSC_HC1;
    check_case("data/leeds_dyads.dta", &m, 1000, "leeds_logit_robust_hc1");
    m.ssc = DYADFIT_SSC_STATA;
    check_case("data/leeds_dyads.dta", &m, 1000, "leeds_logit_robust_stata");
    m.vce = DYADFIT_VCE_OIM;
    check_case("data/leeds_dyads.csv", &m, 1000, "leeds_logit_oim");
}

static void test_leeds_probit_cloglog(void)
{
    dyadfit_model m;
    sc_model(&m, DYADFIT_PROBIT, LEEDS);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "dyad";
    check_case("data/leeds_dyads.dta", &m, 1000, "leeds_probit_cluster_observed");
    m.information = DYADFIT_INFO_EXPECTED;
    check_case("data/leeds_dyads.csv", &m, 2500, "leeds_probit_cluster_expected");
    sc_model(&m, DYADFIT_CLOGLOG, LEEDS);
    check_case("data/leeds_dyads.dta", &m, 1000, "leeds_cloglog_oim");
    m.information = DYADFIT_INFO_EXPECTED;
    check_case("data/leeds_dyads.sav", &m, 1000, "leeds_cloglog_oim_expected");
}

static void test_weights_offset(void)
{
    dyadfit_model m;
    sc_model(&m, DYADFIT_LOGIT, "y ~ x1 + x2");
    m.weights = "pw";
    m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "cl";
    check_case("tests/data/models/weights.dta", &m, 97, "weights_pw_cluster_stata");
    m.weights = "fw";
    m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
    m.vce = DYADFIT_VCE_ROBUST;
    check_case("tests/data/models/weights.csv", &m, 100, "weights_fw_robust_stata");
    m.vce = DYADFIT_VCE_OIM;
    check_case("tests/data/models/weights.dta", &m, 1, "weights_fw_oim");

    sc_model(&m, DYADFIT_CLOGLOG, "y ~ x1 + x2");
    m.offset = "lexpo";
    check_case("tests/data/models/offset.dta", &m, 250, "offset_cloglog_oim");
    sc_model(&m, DYADFIT_LOGIT, "y ~ x1 + x2");
    m.offset = "lexpo";
    check_case("tests/data/models/offset.csv", &m, 1000, "offset_logit_oim_csv");
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "x2";
    check_case("tests/data/models/offset.csv", &m, 333, NULL);
}

static void test_singletons_badscale(void)
{
    dyadfit_model m;
    sc_model(&m, DYADFIT_LOGIT, "y ~ x1 + x2");
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "cl";
    m.ssc = DYADFIT_SSC_HC1;
    check_case("tests/data/models/singletons.dta", &m, 64, "singletons_cluster_hc1");
    sc_model(&m, DYADFIT_PROBIT, "y ~ tiny + huge + x");
    check_case("tests/data/models/bad_scale.dta", &m, 500, "badscale_probit_oim");
}

/* x3 = x1 + 2 x2 (collinear over the whole file); d is 0 in the first
 * 1000 rows (zero in the first chunks only); z missing in rows 0-1499 and
 * some later ones (whole chunks without a complete row); cluster ids are
 * strings. */
static void row_collinear(FILE *f, int i)
{
    double x1 = sin(i * 0.7), x2 = cos(i * 1.3);
    int d = i >= 1000 && i % 7 == 0;
    double eta = -0.5 + x1 - 0.5 * x2 + 0.8 * d;
    double u = fmod(i * 0.6180339887498949, 1.0);
    int y = u < 1 / (1 + exp(-eta));
    fprintf(f, "%d,%.17g,%.17g,%.17g,%d,", y, x1, x2, x1 + 2 * x2, d);
    if (i < 1500 || i % 11 == 0) fprintf(f, ",");
    else fprintf(f, "%.17g,", cos(i * 0.1));
    fprintf(f, "g%d\n", i / 13);
}

static void test_collinear_missing_strings(void)
{
    const char *p = sc_write_csv(tmpdir, "coll.csv", "y,x1,x2,x3,d,z,g", row_collinear, 5000);
    char path[512];
    snprintf(path, sizeof path, "%s", p);
    dyadfit_model m;
    sc_model(&m, DYADFIT_LOGIT, "y ~ x1 + x2 + x3 + d + z");
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "g";
    dyadfit_result *s = sc_fit_stream(path, &m, 500), *mem = sc_fit_memory(path, &m);
    if (s && mem) {
        sc_compare(s, mem, "stream", path);
        CU_ASSERT_EQUAL(s->k, 5);   /* x3 dropped */
        CU_ASSERT_PTR_NOT_NULL(s->notes && strstr(s->notes, "x3 dropped because of collinearity"));
    }
    dyadfit_result_free(s);
    dyadfit_result_free(mem);
}

static void row_bad_outcome(FILE *f, int i)
{
    fprintf(f, "%d,%d\n", i == 1234 ? 2 : i % 3 == 0, i % 5);
}

static void row_all_zero(FILE *f, int i)
{
    fprintf(f, "0,%d\n", i % 5);
}

static void row_weight(FILE *f, int i)
{
    fprintf(f, "%d,%d,%d\n", i % 3 == 0, i % 5, i == 777 ? -1 : 1);
}

static void test_bad_data(void)
{
    dyadfit_model m;
    sc_model(&m, DYADFIT_LOGIT, "y ~ x");
    char path[512];
    snprintf(path, sizeof path, "%s",
             sc_write_csv(tmpdir, "bad_y.csv", "y,x", row_bad_outcome, 2000));
    sc_both_fail(path, &m, DYADFIT_ERR_SPEC, 1, "row 1235");
    snprintf(path, sizeof path, "%s",
             sc_write_csv(tmpdir, "zero_y.csv", "y,x", row_all_zero, 500));
    sc_both_fail(path, &m, DYADFIT_ERR_DATA, 1, "always 0");
    snprintf(path, sizeof path, "%s",
             sc_write_csv(tmpdir, "bad_w.csv", "y,x,w", row_weight, 1000));
    m.weights = "w";
    m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
    sc_both_fail(path, &m, DYADFIT_ERR_DATA, 1, "row 778");
    /* a variable not in the file */
    sc_model(&m, DYADFIT_LOGIT, "y ~ nosuch");
    sc_both_fail(path, &m, DYADFIT_ERR_SPEC, 1, "nosuch");
}

static void test_refused(void)
{
    dyadfit_model m;
    const char *leeds = tu_path("data/leeds_dyads.dta");
    sc_model(&m, DYADFIT_LOGIT, LEEDS);
    m.filter = "year > 1990";
    sc_both_fail(leeds, &m, DYADFIT_ERR_USAGE, 0, "--if");
    sc_model(&m, DYADFIT_LOGIT, LEEDS);
    m.vce = DYADFIT_VCE_CLUSTER;
    m.cluster[0] = "dyad";
    m.cluster[1] = "year";
    sc_both_fail(leeds, &m, DYADFIT_ERR_USAGE, 0, "two-way");
    sc_model(&m, DYADFIT_RELOGIT, LEEDS);
    sc_both_fail(leeds, &m, DYADFIT_ERR_USAGE, 0, "logit, probit, cloglog and cox");
    sc_model(&m, DYADFIT_LOGIT, "mid_onset ~ defense + factor(region)");
    sc_both_fail(leeds, &m, DYADFIT_ERR_USAGE, 0, "factor(region)");
    sc_model(&m, DYADFIT_LOGIT, LEEDS);
    m.drop_separated = 1;
    sc_both_fail(leeds, &m, DYADFIT_ERR_USAGE, 0, "--drop-separated");
    /* files it cannot read */
    sc_model(&m, DYADFIT_LOGIT, "y ~ x");
    sc_both_fail("/nonexistent/file.dta", &m, DYADFIT_ERR_DATA, 0, "/nonexistent/file.dta");
    sc_both_fail(tu_path("tests/stream/test_stream.c"), &m, DYADFIT_ERR_DATA, 0, "unknown file type");
    char path[512];
    snprintf(path, sizeof path, "%s/garbage.dta", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("this is not a Stata file\n", f);
    fclose(f);
    sc_both_fail(path, &m, DYADFIT_ERR_DATA, 0, "garbage.dta");
}

/* the cache and the CSV pieces leave nothing behind in TMPDIR */
static void test_tmpdir_clean(void)
{
    CU_ASSERT_EQUAL(sc_count_left(tmpdir, "dyadfit-stream"), 0);
}

/* the command line: same CSV output with and without --stream */
static void test_cli(void)
{
    const char *bin = tu_bin();
    char a[600], b[600], sv[600];
    snprintf(a, sizeof a, "%s/cli_mem.csv", tmpdir);
    snprintf(b, sizeof b, "%s/cli_stream.csv", tmpdir);
    snprintf(sv, sizeof sv, "%s/cli_save.json", tmpdir);
    CU_ASSERT_EQUAL(tu_sh("%s fit probit 'y ~ x1 + x2' %s --vce robust --format text --out %s",
                          bin, tu_path("tests/data/models/weights.csv"), a), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit probit 'y ~ x1 + x2' %s --vce robust --format text --out %s "
                          "--stream --chunk-rows 10 --save %s",
                          bin, tu_path("tests/data/models/weights.csv"), b, sv), 0);
    char *x = tu_slurp(a, NULL), *y = tu_slurp(b, NULL), *z = tu_slurp(sv, NULL);
    CU_ASSERT_PTR_NOT_NULL(x);
    CU_ASSERT_PTR_NOT_NULL(y);
    CU_ASSERT_PTR_NOT_NULL(z && strstr(z, "\"vcov\""));
    if (x && y) CU_ASSERT_STRING_EQUAL(x, y);   /* text rounds to 7 digits */
    free(x);
    free(y);
    free(z);
    /* usage errors: exit 1 */
    CU_ASSERT_EQUAL(tu_sh("%s fit logit 'y ~ x1' %s --chunk-rows 10 >/dev/null 2>&1", bin,
                          tu_path("tests/data/models/weights.csv")), 1);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit 'y ~ x1' %s --stream --chunk-rows 0 >/dev/null 2>&1",
                          bin, tu_path("tests/data/models/weights.csv")), 1);
    CU_ASSERT_EQUAL(tu_sh("%s fit firth 'y ~ x1' %s --stream 2>%s/err.txt >/dev/null", bin,
                          tu_path("tests/data/models/weights.csv"), tmpdir), 1);
    snprintf(a, sizeof a, "%s/err.txt", tmpdir);
    x = tu_slurp(a, NULL);
    CU_ASSERT_PTR_NOT_NULL(x && strstr(x, "--stream does not support"));
    free(x);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit 'y ~ x1' /nonexistent.csv --stream >/dev/null 2>&1",
                          bin), 2);
}

/* MPI (make mpi): 2 and 3 ranks give the in-memory table; skipped when
 * build-mpi/dyadfit (or $DYADFIT_MPI_BIN) or mpirun is not there */
static void test_mpi(void)
{
    /* DYADFIT_MPI_BIN: another MPI build than make mpi's */
    const char *mpi_bin = getenv("DYADFIT_MPI_BIN") ? getenv("DYADFIT_MPI_BIN")
                                                    : tu_path("build-mpi/dyadfit");
    if (access(mpi_bin, X_OK) != 0 || tu_sh("command -v mpirun >/dev/null 2>&1") != 0) {
        fprintf(stderr, "  skipped: no build-mpi/dyadfit (make mpi) or no mpirun\n");
        return;
    }
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/mpi_mem.txt", tmpdir);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit '" LEEDS "' %s --vce cluster dyad --out %s", tu_bin(),
                          tu_path("data/leeds_dyads.dta"), a), 0);
    char *x = tu_slurp(a, NULL);
    for (int np = 2; np <= 3; np++) {
        snprintf(b, sizeof b, "%s/mpi_%d.txt", tmpdir, np);
        CU_ASSERT_EQUAL(tu_sh("mpirun --allow-run-as-root --oversubscribe -np %d %s fit logit '"
                              LEEDS "' %s --vce cluster dyad --stream --chunk-rows 1000 "
                              "--out %s >/dev/null 2>&1", np, mpi_bin,
                              tu_path(np == 2 ? "data/leeds_dyads.dta" : "data/leeds_dyads.csv"),
                              b), 0);
        char *y = tu_slurp(b, NULL);
        CU_ASSERT_PTR_NOT_NULL(y);
        /* the text table rounds to 7 digits; the data line names the file */
        if (x && y) {
            char *dx = strstr(x, "Data:"), *dy = strstr(y, "Data:");
            CU_ASSERT_FATAL(dx && dy);
            CU_ASSERT_EQUAL(dx - x, dy - y);
            CU_ASSERT(strncmp(x, y, (size_t)(dx - x)) == 0);
        }
        free(y);
    }
    free(x);
}

int main(void)
{
    if (sc_tmpdir(tmpdir, sizeof tmpdir, "dyadfit-test-stream")) return 2;
    static const tu_test tests[] = {
        {"leeds logit cluster (dta, csv, sav; stata, hc1, hc0)", test_leeds_cluster},
        {"leeds logit robust and oim", test_leeds_robust_oim},
        {"leeds probit and cloglog, observed and expected", test_leeds_probit_cloglog},
        {"weights (prob, freq) and offsets", test_weights_offset},
        {"singleton clusters, badly scaled columns", test_singletons_badscale},
        {"global collinearity, empty chunks, string clusters", test_collinear_missing_strings},
        {"bad data: same messages as in memory", test_bad_data},
        {"refused options and unreadable files", test_refused},
        {"command line", test_cli},
        {"MPI, 2 and 3 ranks (when built)", test_mpi},
        {"nothing left in TMPDIR", test_tmpdir_clean},
        {NULL, NULL}};
    return sc_run("stream", tests, tmpdir);
}
