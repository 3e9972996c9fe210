/*
 * test_bad_input.c -- the rows of docs/bad-input.md not covered by another
 * suite: the built command line ($DYADFIT_BIN, default build/dyadfit) run
 * on bad input. For every refusal: the exit code, a substring of the message
 * on stderr, nothing on stdout, no file at --out (and no temporary left in
 * its directory), and the input's bytes unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "testutil.h"

static char dir[64];          /* per-run scratch directory */
static char *g_out, *g_err;   /* last run's stdout and stderr */
static size_t g_outn;


static const char *tmp(const char *name)
{
    static char buf[64][256];   /* rotating: a path lives for 63 more calls */
    static int k;
    k = (k + 1) % 64;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}


static void write_bytes(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite(s, 1, n, f);
    fclose(f);
}
#define WRITE(path, lit) write_bytes((path), (lit), sizeof(lit) - 1)

/* Runs `prefix BIN args` (args already quoted for the shell); returns the
 * exit code and keeps stdout and stderr in g_out, g_err. */
static int run(const char *prefix, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s %s > %s 2> %s", prefix, tu_bin(), args,
             tmp("stdout"), tmp("stderr"));
    int st = system(cmd);
    free(g_out);
    free(g_err);
    g_out = tu_slurp(tmp("stdout"), &g_outn);
    g_err = tu_slurp(tmp("stderr"), NULL);
    if (!g_out) g_outn = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int err_has(const char *s)
{
    int ok = g_err && strstr(g_err, s) != NULL;
    if (!ok) fprintf(stderr, "\n  stderr lacks '%s': %s", s, g_err ? g_err : "(none)");
    return ok;
}

/* Any file in the scratch directory whose name holds "tmp" or starts with
 * "." is a temporary the program left behind. */
static int leftovers(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            (strstr(e->d_name, "tmp") || e->d_name[0] == '.'))
            n++;
    if (d) closedir(d);
    return n;
}

/* The full contract for a refused input: `dyadfit ARGS` (with INPUT among
 * them) exits WANT with MSG on stderr and nothing on stdout; with --out the
 * same, and no output file; INPUT (if not NULL) is byte for byte unchanged. */
static void refuse(const char *prefix, const char *args, const char *input,
                   int want, const char *msg)
{
    size_t n0 = 0, n1 = 0;
    char *before = input ? tu_slurp(input, &n0) : NULL;
    char full[1536];
    int rc = run(prefix, args);
    if (rc != want) fprintf(stderr, "\n  %s: exit %d, want %d", args, rc, want);
    CU_ASSERT_EQUAL(rc, want);
    CU_ASSERT(err_has(msg));
    if (want != 4) CU_ASSERT_EQUAL(g_outn, 0);   /* 4 may print the table */
    const char *out = tmp("result.txt");
    remove(out);
    snprintf(full, sizeof full, "%s --out %s", args, out);
    CU_ASSERT_EQUAL(run(prefix, full), want);
    CU_ASSERT(err_has(msg));
    CU_ASSERT_EQUAL(g_outn, 0);
    struct stat sb;
    if (want != 4) CU_ASSERT_NOT_EQUAL(stat(out, &sb), 0);
    CU_ASSERT_EQUAL(leftovers(), 0);
    if (input) {
        char *after = tu_slurp(input, &n1);
        CU_ASSERT(before && after && n0 == n1 && memcmp(before, after, n0) == 0);
        free(after);
    }
    free(before);
}

#define GOOD "y,x\n0,1.5\n1,2.5\n0,0.3\n1,1.1\n0,-0.2\n1,0.8\n0,0.1\n1,2.0\n"

static void fit_args(char *buf, size_t n, const char *est, const char *formula,
                     const char *file, const char *extra)
{
    snprintf(buf, n, "fit %s '%s' '%s' %s", est, formula, file, extra ? extra : "");
}

/* ---------------------------------------------------------------- files */

static void test_unreadable(void)
{
    /* root reads anything, so as root the program runs as nobody */
    const char *p = tmp("unreadable.csv");
    WRITE(p, GOOD);
    chmod(p, 0);
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
    if (geteuid() == 0) {
        chmod(dir, 0777);   /* nobody must be able to write stdout/stderr */
        refuse("setpriv --reuid=65534 --regid=65534 --clear-groups", a, NULL, 2,
               "Permission denied");
        chmod(dir, 0700);
    } else {
        refuse("", a, NULL, 2, "Permission denied");
    }
    CU_ASSERT(err_has("unreadable.csv"));
    remove(p);
}

/* An advisory lock held by another process does not stop reading: the fit
 * runs as normal (flock(1) holds an exclusive lock while dyadfit runs). */
static void test_locked(void)
{
    const char *p = tmp("locked.csv");
    WRITE(p, GOOD);
    char a[512];
    snprintf(a, sizeof a, "fit logit 'y ~ x' '%s' --format csv", p);
    char pre[300];
    snprintf(pre, sizeof pre, "flock -x -w 5 '%s'", p);
    CU_ASSERT_EQUAL(run(pre, a), 0);
    CU_ASSERT(g_out && strstr(g_out, "term,estimate") != NULL);
    remove(p);
}

static void test_directory(void)
{
    const char *d = tmp("adir.csv");
    mkdir(d, 0700);
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", d, NULL);
    refuse("", a, NULL, 2, "it is a directory");
    fit_args(a, sizeof a, "logit", "y ~ x", dir, NULL);   /* no extension */
    refuse("", a, NULL, 2, "unknown file type");
    rmdir(d);
}

static void test_empty_csv(void)
{
    const char *p = tmp("empty.csv");
    write_bytes(p, "", 0);
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
    refuse("", a, p, 2, "the file is empty");
    remove(p);
}

static void test_header_only(void)
{
    const char *p = tmp("header.csv");
    WRITE(p, "y,x\n");
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
    refuse("", a, p, 2, "no rows left: the data have 0 rows");
    remove(p);
}

/* CSV text behind the SAS and SPSS portable extensions */
static void test_wrong_format(void)
{
    static const struct { const char *name, *msg; } c[] = {
        {"fake.xpt", "as SAS transport data"},
        {"fake.sas7bdat", "as SAS data"},
        {"fake.por", "as SPSS portable data"}};
    for (size_t i = 0; i < 3; i++) {
        const char *p = tmp(c[i].name);
        WRITE(p, GOOD);
        char a[512];
        fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
        refuse("", a, p, 2, c[i].msg);
        remove(p);
    }
}

/* A CSV cut off inside its last row */
static void test_truncated_csv(void)
{
    const char *p = tmp("cut.csv");
    WRITE(p, "y,x\n0,1\n1,2\n0,3\n1,4\n0,2.5\n1");
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
    refuse("", a, p, 2, "line 7: 1 field, header has 2");
    remove(p);
}

/* The coefficient row of `term` in a parsed result, or NULL. */
static const cJSON *json_coef(const cJSON *root, const char *term)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(root, "coefficients")) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(row, "term");
        if (cJSON_IsString(t) && !strcmp(t->valuestring, term)) return row;
    }
    return NULL;
}

/* 1 when some line of the result's "notes" holds `s`. */
static int json_note_has(const cJSON *root, const char *s)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(root, "notes"))
        if (cJSON_IsString(n) && strstr(n->valuestring, s)) return 1;
    return 0;
}

/* Latin-1 bytes in a string variable used as a factor ("caf\xe9",
 * "na\xefve"; 0x80 is Windows-1252's euro sign): every writer emits UTF-8.
 * The JSON parses, holds the converted names and says so in its notes;
 * CSV, Markdown and LaTeX hold the same UTF-8 names and no raw byte. */
static void test_latin1_labels(void)
{
    const char *p = tmp("latin1.csv");
    WRITE(p, "y,x,lab\n0,1.5,caf\xe9\n1,2.5,na\xefve\n0,0.3,caf\xe9\n1,1.1,x\x80\n"
             "0,-0.2,x\x80\n1,0.8,caf\xe9\n0,0.1,x\x80\n1,2.0,na\xefve\n0,1.0,na\xefve\n"
             "1,0.2,x\x80\n0,1.7,caf\xe9\n1,0.4,na\xefve\n");
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x + factor(lab)", p, "--format json");
    CU_ASSERT_EQUAL(run("", a), 0);
    CU_ASSERT_PTR_NULL(g_out ? strstr(g_out, "na\xefve") : NULL);
    cJSON *root = g_out ? cJSON_ParseWithLength(g_out, g_outn) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    /* levels in byte order: caf\xe9 (reference), na\xefve, x\x80 */
    CU_ASSERT_PTR_NOT_NULL(json_coef(root, "factor(lab)na\xc3\xafve"));
    CU_ASSERT_PTR_NOT_NULL(json_coef(root, "factor(lab)x\xe2\x82\xac"));
    CU_ASSERT_PTR_NULL(json_coef(root, "factor(lab)caf\xc3\xa9"));
    CU_ASSERT(json_note_has(root, "converted to UTF-8"));
    cJSON_Delete(root);

    /* valid UTF-8 is left alone and draws no note */
    WRITE(p, "y,x,lab\n0,1.5,caf\xc3\xa9\n1,2.5,na\xc3\xafve\n0,0.3,caf\xc3\xa9\n1,1.1,x\n"
             "0,-0.2,x\n1,0.8,caf\xc3\xa9\n0,0.1,x\n1,2.0,na\xc3\xafve\n0,1.0,na\xc3\xafve\n"
             "1,0.2,x\n0,1.7,caf\xc3\xa9\n1,0.4,na\xc3\xafve\n");
    CU_ASSERT_EQUAL(run("", a), 0);
    root = g_out ? cJSON_ParseWithLength(g_out, g_outn) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_PTR_NOT_NULL(json_coef(root, "factor(lab)na\xc3\xafve"));
    CU_ASSERT(!json_note_has(root, "converted to UTF-8"));
    cJSON_Delete(root);

    WRITE(p, "y,x,lab\n0,1.5,caf\xe9\n1,2.5,na\xefve\n0,0.3,caf\xe9\n1,1.1,x\x80\n"
             "0,-0.2,x\x80\n1,0.8,caf\xe9\n0,0.1,x\x80\n1,2.0,na\xefve\n0,1.0,na\xefve\n"
             "1,0.2,x\x80\n0,1.7,caf\xe9\n1,0.4,na\xefve\n");
    /* a Latin-1 variable name: the formula is converted by the JSON
     * writer, the term by the design; the notes say so once */
    const char *q = tmp("latin1name.csv");
    WRITE(q, "y,pa\xefs\n0,1.5\n1,2.5\n0,0.3\n1,1.1\n0,-0.2\n1,0.8\n0,0.1\n1,2.0\n");
    fit_args(a, sizeof a, "logit", "y ~ `pa\xefs`", q, "--format json");
    CU_ASSERT_EQUAL(run("", a), 0);
    root = g_out ? cJSON_ParseWithLength(g_out, g_outn) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    const cJSON *fo = cJSON_GetObjectItemCaseSensitive(root, "formula");
    CU_ASSERT(cJSON_IsString(fo) && !strcmp(fo->valuestring, "y ~ `pa\xc3\xafs`"));
    CU_ASSERT_PTR_NOT_NULL(json_coef(root, "`pa\xc3\xafs`"));
    int nnotes = 0;
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(root, "notes"))
        nnotes += cJSON_IsString(n) && strstr(n->valuestring, "converted to UTF-8") != NULL;
    CU_ASSERT_EQUAL(nnotes, 1);
    cJSON_Delete(root);
    remove(q);

    const char *formats[] = {"csv", "markdown", "latex"};
    for (int f = 0; f < 3; f++) {
        char extra[64];
        snprintf(extra, sizeof extra, "--format %s", formats[f]);
        fit_args(a, sizeof a, "logit", "y ~ x + factor(lab)", p, extra);
        CU_ASSERT_EQUAL(run("", a), 0);
        CU_ASSERT(g_out && strstr(g_out, "na\xc3\xafve") && strstr(g_out, "x\xe2\x82\xac"));
        CU_ASSERT(g_out && !strstr(g_out, "na\xefve") && !strstr(g_out, "x\x80"));
    }
    remove(p);
}

/* ----------------------------------------------------------- variables */

static void test_string_outcome(void)
{
    const char *p = tmp("ystr.csv");
    WRITE(p, "y,x\nno,1\nyes,2\nno,3\nyes,4\n");
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
    refuse("", a, p, 3, "outcome 'y' is a string variable; it must be numeric (0/1)");
    remove(p);
}

static void test_absent_outcome(void)
{
    const char *p = tmp("good.csv");
    WRITE(p, GOOD);
    char a[512];
    fit_args(a, sizeof a, "logit", "yy ~ x", p, NULL);
    refuse("", a, p, 3, "variable 'yy' not found in the data; did you mean 'y'?");
    remove(p);
}

/* A number too large for a double is an infinity, refused with its line */
static void test_overflow(void)
{
    const char *p = tmp("big.csv");
    WRITE(p, "y,x\n0,1\n1,1e400\n0,3\n1,4\n1,2\n0,5\n");
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
    refuse("", a, p, 2, "big.csv line 3, column 'x': infinite value '1e400' cannot be used");
    fit_args(a, sizeof a, "probit", "y ~ x", p, NULL);
    WRITE(p, "y,x\n0,1\n1,-Inf\n0,3\n1,4\n1,2\n0,5\n");
    refuse("", a, p, 2, "infinite value '-Inf'");
    remove(p);
}

/* Outcomes outside {0, 1} for each binary link */
static void test_outcome_range(void)
{
    const char *p = tmp("range.csv");
    WRITE(p, "y,x\n0,1\n1,2\n0.5,3\n1,4\n0,2\n1,3\n");
    char a[512];
    fit_args(a, sizeof a, "probit", "y ~ x", p, NULL);
    refuse("", a, p, 3, "outcome 'y' must be 0/1; found 0.5 (row 3)");
    WRITE(p, "y,x\n0,1\n1,2\n-1,3\n1,4\n0,2\n1,3\n");
    fit_args(a, sizeof a, "cloglog", "y ~ x", p, NULL);
    refuse("", a, p, 3, "outcome 'y' must be 0/1; found -1 (row 3)");
    remove(p);
}

/* Cluster variable missing everywhere: no rows (and no clusters) left */
static void test_zero_clusters(void)
{
    const char *p = tmp("nocl.csv");
    WRITE(p, "y,x,cl\n0,1,\n1,2,\n0,3,\n1,4,\n1,1.5,\n0,2.5,\n");
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, "--vce cluster cl");
    refuse("", a, p, 2, "no rows left: all 6 rows have a missing value (cl: 6)");
    remove(p);
}

/* n <= k after listwise deletion: refused before the fit (which would
 * only see separation or a singular matrix), counting the parameters each
 * estimator has: relogit/Firth as logit, Cox's baseline hazard as an intercept, Weibull's log(scale), felogit's
 * absorbed effects, clogit's groups conditioned out */
static void test_too_few_rows(void)
{
    char p[300];   /* a copy: tmp()'s buffers rotate over this many calls */
    snprintf(p, sizeof p, "%s", tmp("tiny.csv"));
    char a[512];
    WRITE(p, "y,x,z\n0,1,3\n1,2,1\n0,5,2\n");
    fit_args(a, sizeof a, "logit", "y ~ x + z", p, NULL);
    refuse("", a, p, 2, "3 observations for 3 coefficients: too few");
    fit_args(a, sizeof a, "firth", "y ~ x + z", p, NULL);
    refuse("", a, p, 2, "3 observations for 3 coefficients: too few");
    fit_args(a, sizeof a, "relogit", "y ~ x + z", p, "--tau 0.01");
    refuse("", a, p, 2, "3 observations for 3 coefficients: too few");
    /* a row lost to a missing value, and z collinear in the two left */
    WRITE(p, "y,x,z\n0,1,3\n1,2,1\n0,,2\n");
    fit_args(a, sizeof a, "probit", "y ~ x + z", p, NULL);
    refuse("", a, p, 2, "2 observations for 2 coefficients: too few (the model needs "
           "more observations than coefficients; 1 more term dropped as collinear; "
           "1 row dropped for missing values)");
    WRITE(p, "t,e,x\n1,1,3\n2,0,1\n3,1,2\n");
    fit_args(a, sizeof a, "weibull", "Surv(t, e) ~ x", p, NULL);
    refuse("", a, p, 2, "3 observations for 3 coefficients (with the intercept and "
           "log(scale)): too few");
    /* Cox: the baseline hazard counts as the intercept */
    WRITE(p, "t,e,x,z\n1,1,3,2\n2,0,1,5\n4,1,2,2\n");
    fit_args(a, sizeof a, "cox", "Surv(t, e) ~ x + z", p, NULL);
    refuse("", a, p, 2, "3 observations for 3 coefficients (with the baseline hazard, in "
           "place of an intercept): too few");
    WRITE(p, "y,x,z,g\n0,1,3,1\n1,2,1,1\n0,5,2,2\n1,3,7,2\n");
    fit_args(a, sizeof a, "felogit", "y ~ x + z", p, "--absorb g");
    refuse("", a, p, 2, "4 observations for 4 coefficients (2 covariates and 2 "
           "absorbed effects): too few");
    fit_args(a, sizeof a, "clogit", "y ~ x + z", p, "--group g");
    refuse("", a, p, 2, "4 observations for 4 coefficients (2 covariates and 2 "
           "groups of g conditioned out): too few");
    /* one more row each: no longer refused for the count */
    WRITE(p, "y,x,z\n0,1,3\n1,2,1\n0,5,2\n1,4,4\n");
    fit_args(a, sizeof a, "logit", "y ~ x + z", p, NULL);
    CU_ASSERT(run("", a) != 2);
    CU_ASSERT(g_err && !strstr(g_err, "too few"));
    remove(p);
}

/* y ~ y, and y inside a function or an interaction: refused before any
 * data are read, naming the term */
static void test_self_reference(void)
{
    const char *p = tmp("good.csv");
    WRITE(p, GOOD);
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ y", p, NULL);
    refuse("", a, p, 3, "formula \"y ~ y\": the response 'y' also appears on the right-hand side");
    fit_args(a, sizeof a, "logit", "y ~ x + y", p, NULL);
    refuse("", a, p, 3, "the response 'y' also appears on the right-hand side");
    fit_args(a, sizeof a, "logit", "y ~ x + log(y + 1)", p, NULL);
    refuse("", a, p, 3, "formula \"y ~ x + log(y + 1)\": the response 'y' also "
           "appears on the right-hand side, in log(y + 1)");
    fit_args(a, sizeof a, "probit", "y ~ I(y * 2)", p, NULL);
    refuse("", a, p, 3, "the response 'y' also appears on the right-hand side, in I(y * 2)");
    fit_args(a, sizeof a, "firth", "y ~ x + x:y", p, NULL);
    refuse("", a, p, 3, "the response 'y' also appears on the right-hand side");
    /* Surv(): the event variable; the time may be a covariate */
    WRITE(p, "t,e,x\n1,1,3\n2,0,1\n3,1,2\n4,1,5\n5,0,2\n6,1,1\n");
    fit_args(a, sizeof a, "cox", "Surv(t, e) ~ x + e", p, NULL);
    refuse("", a, p, 3, "formula \"Surv(t, e) ~ x + e\": the event variable 'e' "
           "also appears on the right-hand side");
    fit_args(a, sizeof a, "weibull", "Surv(t, e) ~ log(e + 1)", p, NULL);
    refuse("", a, p, 3, "the event variable 'e' also appears on the right-hand side, "
           "in log(e + 1)");
    fit_args(a, sizeof a, "weibull", "Surv(t, e) ~ x + t", p, NULL);
    CU_ASSERT_EQUAL(run("", a), 0);
    remove(p);
}

/* A design that would not fit in memory: refused before it is allocated
 * (the limit set small through DYADFIT_MEM_LIMIT; the estimate is
 * 8 n (k + 8) bytes: 8 rows, 2 columns = 640) */
static void test_memory_limit(void)
{
    const char *p = tmp("good.csv");
    WRITE(p, GOOD);
    char a[512];
    fit_args(a, sizeof a, "logit", "y ~ x", p, NULL);
    refuse("DYADFIT_MEM_LIMIT=639", a, p, 5, "not enough memory: the design matrix "
           "(8 rows x 2 columns) and the fit's working arrays need about 640 bytes, "
           "but only 639 bytes is allowed (DYADFIT_MEM_LIMIT)");
    CU_ASSERT(err_has("factor with many levels"));
    CU_ASSERT_EQUAL(run("DYADFIT_MEM_LIMIT=640", a), 0);
    remove(p);
}

int main(void)
{
    strcpy(dir, "/tmp/dyadfit_badinXXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    static const tu_test tests[] = {
        {"unreadable file", test_unreadable},
        {"locked file still read", test_locked},
        {"directory as input", test_directory},
        {"empty csv", test_empty_csv},
        {"csv with only a header", test_header_only},
        {"wrong format behind xpt/sas7bdat/por", test_wrong_format},
        {"truncated csv", test_truncated_csv},
        {"latin-1 labels: valid UTF-8 in json, csv, markdown, latex", test_latin1_labels},
        {"string outcome", test_string_outcome},
        {"absent outcome", test_absent_outcome},
        {"number overflowing to Inf, -Inf", test_overflow},
        {"outcome out of range for probit/cloglog", test_outcome_range},
        {"zero clusters", test_zero_clusters},
        {"n <= k", test_too_few_rows},
        {"formula references itself", test_self_reference},
        {"design larger than the memory limit", test_memory_limit},
        {NULL, NULL}};
    int rc = tu_run("bad_input", tests);
    free(g_out);
    free(g_err);
    remove(tmp("stdout"));
    remove(tmp("stderr"));
    remove(tmp("result.txt"));
    rmdir(dir);
    return rc;
}
