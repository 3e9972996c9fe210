/*
 * test_btscs.c -- `dyadfit btscs` run as a program ($DYADFIT_BIN, default
 * build/dyadfit) on a small panel written here: the peace years and spells
 * expected under Tucker's btscs rules (see src/prepare/prepare.h: 0 in a
 * unit's first year and the year after an event, the event year carrying
 * the count on, a gap inside a spell not breaking it), output in .csv, .dta
 * and .sav read back through dyadfit_read, the input never overwritten,
 * duplicate unit-time rows and name clashes refused, and no partial output
 * left behind on failure; `fit --spells` equal to btscs then fit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glob.h>
#include "dyadfit.h"
#include "table/table.h"
#include "testutil.h"


static char dir[256];

static const char *tmp(const char *name)
{
    static char buf[64][512];
    static int k;
    k = (k + 1) % 64;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Unit 2's rows first (the output must follow the input order); unit 2 has
 * a gap (2002) inside a spell. Expected, by btscs's rules:
 *   unit 1: 2000 0, 2001 1, 2002 2 (event), 2003 0, 2004 1
 *   unit 2: 2000 0 (event), 2001 0, 2003 2, 2004 3 (event), 2005 0
 * Spells in sorted (unit, time) order: unit 1: 1, 1, 1, 2, 2; unit 2: 3,
 * 4, 4, 4, 5. */
static const char *PANEL =
    "dyad,year,onset,x,name\n"
    "2,2000,1,0.5,\"b, with comma\"\n"
    "2,2001,0,1.5,b\n"
    "2,2003,0,,b\n"
    "2,2004,1,2.25,\"say \"\"hi\"\"\"\n"
    "2,2005,0,3,b\n"
    "1,2000,0,-1,a\n"
    "1,2001,0,0.1,a\n"
    "1,2002,1,0.2,\n"
    "1,2003,0,0.3,a\n"
    "1,2004,0,0.4,a\n";
static const double PEACE[10] = {0, 0, 2, 3, 0, 0, 1, 2, 0, 1};
static const double SPELL[10] = {3, 4, 4, 4, 5, 1, 1, 1, 2, 2};
static const double X[10] = {0.5, 1.5, NAN, 2.25, 3, -1, 0.1, 0.2, 0.3, 0.4};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}


/* Runs dyadfit with args; returns its exit status; stderr goes to err.txt */
static int run(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s btscs %s 2> %s > %s", tu_bin(), args, tmp("err.txt"),
             tmp("stdout.txt"));
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int stderr_has(const char *s)
{
    size_t n;
    char *e = tu_slurp(tmp("err.txt"), &n);
    int ok = e && strstr(e, s) != NULL;
    if (!ok) fprintf(stderr, "  stderr lacks '%s': %s\n", s, e ? e : "(none)");
    free(e);
    return ok;
}

static int same_num(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void check_table(const char *path, int splines)
{
    dyadfit_table *t = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(path, NULL, &t, &err);
    if (rc) fprintf(stderr, "  %s: %s\n", path, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(dyadfit_table_nrow(t), 10);
    CU_ASSERT_EQUAL(dyadfit_table_ncol(t), (size_t)(5 + 2 + splines));
    const df_column *py = df_table_find(t, "peaceyrs"), *sp = df_table_find(t, "spell");
    const df_column *x = df_table_find(t, "x"), *nm = df_table_find(t, "name");
    CU_ASSERT_PTR_NOT_NULL_FATAL(py);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nm);
    for (size_t i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(py->num[i], PEACE[i]);
        CU_ASSERT_EQUAL(sp->num[i], SPELL[i]);
        CU_ASSERT(same_num(x->num[i], X[i]));
    }
    CU_ASSERT_EQUAL_FATAL(nm->type, DF_COL_STRING);
    CU_ASSERT_STRING_EQUAL(nm->levels[nm->code[0]], "b, with comma");
    CU_ASSERT_STRING_EQUAL(nm->levels[nm->code[3]], "say \"hi\"");
    CU_ASSERT_EQUAL(nm->code[7], -1);
    for (int s = 1; s <= splines; s++) {
        char b[32];
        snprintf(b, sizeof b, "_spline%d", s);
        const df_column *c = df_table_find(t, b);
        CU_ASSERT_PTR_NOT_NULL(c);
        if (c) for (size_t i = 0; i < 10; i++) CU_ASSERT(isfinite(c->num[i]));
    }
    dyadfit_table_free(t);
}

static void test_formats(void)
{
    char args[4096];
    char in[300];
    snprintf(in, sizeof in, "%s", tmp("panel.csv"));
    write_file(in, PANEL);
    const char *ext[3] = {"csv", "dta", "sav"};
    for (int k = 0; k < 3; k++) {
        char out[64];
        snprintf(out, sizeof out, "panel_py.%s", ext[k]);
        snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --out %s", in, tmp(out));
        CU_ASSERT_EQUAL(run(args), 0);
        check_table(tmp(out), 0);
    }
    /* splines: ns(peaceyrs, df = 3) -> _spline1.._spline3 */
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --splines 3 --out %s",
             in, tmp("spl.dta"));
    CU_ASSERT_EQUAL(run(args), 0);
    check_table(tmp("spl.dta"), 3);
}

/* Variable labels and value labels survive a .dta and a .sav round trip. */
static void test_labels_kept(void)
{
    char args[4096];
    const char *in = tu_path("data/leeds_dyads.dta");
    const char *outs[2] = {tmp("leeds_py.dta"), tmp("leeds_py.sav")};
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "%s --event mid_onset --time year --unit dyad --name py --out %s",
                 in, outs[k]);
        CU_ASSERT_EQUAL(run(args), 0);
        dyadfit_table *t = NULL;
        dyadfit_error err;
        CU_ASSERT_EQUAL_FATAL(dyadfit_read(outs[k], NULL, &t, &err), 0);
        const df_column *c = df_table_find(t, "contig");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL(c->nvlabels, 2);
        CU_ASSERT_PTR_NOT_NULL(c->label);
        if (c->label) CU_ASSERT_PTR_NOT_NULL(strstr(c->label, "contiguity"));
        CU_ASSERT_PTR_NOT_NULL(df_table_find(t, "py"));
        CU_ASSERT_EQUAL(dyadfit_table_nrow(t), 147072);
        dyadfit_table_free(t);
        remove(outs[k]);
    }
}

/* Ongoing disputes count as dispute years (btscs on "onset or ongoing") and
 * get _drop = 1; --drop-ongoing blanks their new values, and the spline
 * knots come from the rows kept. Splines: R's splines::ns(c(0, 1, 0, 1),
 * df = 2)[2, ] printed with %.17g (R 4.2.2). */
static void test_ongoing(void)
{
    char args[4096], in[300];
    snprintf(in, sizeof in, "%s", tmp("ongoing.csv"));
    write_file(in, "dyad,year,onset,ong\n1,2000,0,0\n1,2001,1,0\n1,2002,0,1\n"
                   "1,2003,0,1\n1,2004,0,0\n1,2005,0,0\n");
    static const double peace[6] = {0, 1, 0, 0, 0, 1}, drop[6] = {0, 0, 1, 1, 0, 0};
    static const double ns1 = 0.34409691742892712, ns2 = 0.77060205504738188;
    for (int blank = 0; blank < 2; blank++) {
        /* .dta keeps btscs's names; .sav gets names SPSS accepts */
        const char *out = tmp(blank ? "og.sav" : "og.dta");
        snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --ongoing ong%s "
                 "--splines 2 --out %s", in, blank ? " --drop-ongoing" : "", out);
        CU_ASSERT_EQUAL(run(args), 0);
        dyadfit_table *t = NULL;
        dyadfit_error err;
        if (dyadfit_read(out, NULL, &t, &err)) { CU_FAIL("output unreadable"); continue; }
        const df_column *py = df_table_find(t, "peaceyrs");
        const df_column *dr = df_table_find(t, blank ? "drop" : "_drop");
        const df_column *s1 = df_table_find(t, blank ? "spline1" : "_spline1");
        const df_column *s2 = df_table_find(t, blank ? "spline2" : "_spline2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(py);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dr);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
        for (size_t i = 0; i < 6; i++) {
            CU_ASSERT_EQUAL(dr->num[i], drop[i]);
            if (blank && drop[i]) {
                CU_ASSERT(isnan(py->num[i]) && isnan(s1->num[i]));
            } else {
                CU_ASSERT_EQUAL(py->num[i], peace[i]);
            }
        }
        if (blank) {
            TU_ASSERT_LRE(s1->num[1], ns1, 14);
            TU_ASSERT_LRE(s2->num[5], ns2, 14);
            CU_ASSERT_EQUAL(s1->num[0], 0);
        }
        dyadfit_table_free(t);
    }
    /* a name SPSS cannot hold: a data error naming it, no file left */
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --splines 2 "
             "--spline-prefix _s --out %s", in, tmp("bad_names.sav"));
    CU_ASSERT_EQUAL(run(args), 2);
    CU_ASSERT(stderr_has("'_s1': an SPSS name must begin with a letter"));
    CU_ASSERT_EQUAL(access(tmp("bad_names.sav"), F_OK), -1);
}

/* `fit --spells`: the one-step fit prints what btscs then fit prints, and
 * --spell-number adds the spell's number within its unit. */
static void test_fit_one_step(void)
{
    char cmd[4096], in[300];
    snprintf(in, sizeof in, "%s", tmp("onestep.csv"));
    write_file(in, PANEL);
    const char *f = "\"onset ~ x + peaceyrs\"";
    snprintf(cmd, sizeof cmd, "%s fit logit %s %s --spells onset --unit dyad --time year "
             "--format csv > %s 2> %s", tu_bin(), f, in, tmp("one.csv"), tmp("err.txt"));
    CU_ASSERT_EQUAL(system(cmd), 0);
    char args[4096];
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --spell-number num "
             "--out %s", in, tmp("two_py.csv"));
    CU_ASSERT_EQUAL_FATAL(run(args), 0);
    snprintf(cmd, sizeof cmd, "%s fit logit %s %s --format csv > %s 2> %s", tu_bin(), f,
             tmp("two_py.csv"), tmp("two.csv"), tmp("err.txt"));
    CU_ASSERT_EQUAL(system(cmd), 0);
    size_t n1, n2;
    char *one = tu_slurp(tmp("one.csv"), &n1), *two = tu_slurp(tmp("two.csv"), &n2);
    CU_ASSERT(one && two && n1 > 100 && n1 == n2 && memcmp(one, two, n1) == 0);
    CU_ASSERT(one && strstr(one, "\npeaceyrs,"));
    free(one);
    free(two);

    static const double NUM[10] = {1, 2, 2, 2, 3, 1, 1, 1, 2, 2};
    dyadfit_table *t = NULL;
    dyadfit_error err;
    if (dyadfit_read(tmp("two_py.csv"), NULL, &t, &err) == 0) {
        const df_column *c = df_table_find(t, "num");
        CU_ASSERT_PTR_NOT_NULL(c);
        if (c) for (size_t i = 0; i < 10; i++) CU_ASSERT_EQUAL(c->num[i], NUM[i]);
        dyadfit_table_free(t);
    } else {
        CU_FAIL("two_py.csv unreadable");
    }

    /* spell options without --spells, --spells without --unit: usage */
    snprintf(cmd, sizeof cmd, "%s fit logit %s %s --unit dyad > %s 2> %s", tu_bin(), f, in,
             tmp("stdout.txt"), tmp("err.txt"));
    int st = system(cmd);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    CU_ASSERT(stderr_has("belong to --spells EVENT"));
    snprintf(cmd, sizeof cmd, "%s fit logit %s %s --spells onset --time year > %s 2> %s",
             tu_bin(), f, in, tmp("stdout.txt"), tmp("err.txt"));
    st = system(cmd);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    CU_ASSERT(stderr_has("needs --unit and --time"));
}

static int no_temp_files(void)
{
    glob_t g;
    char pat[512];
    snprintf(pat, sizeof pat, "%s/*.tmp*", dir);
    int r = glob(pat, 0, NULL, &g);
    size_t n = r == 0 ? g.gl_pathc : 0;
    if (r == 0) globfree(&g);
    return n == 0;
}

static void test_refusals(void)
{
    char args[4096];
    char in[300];
    snprintf(in, sizeof in, "%s", tmp("panel2.csv"));
    write_file(in, PANEL);
    size_t n0, n1;
    char *before = tu_slurp(in, &n0);

    /* --out is the input: usage error, input unchanged */
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --out %s", in, in);
    CU_ASSERT_EQUAL(run(args), 1);
    CU_ASSERT(stderr_has("it is the input file"));
    /* the same file through another name */
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --out %s/./panel2.csv", in, dir);
    CU_ASSERT_EQUAL(run(args), 1);
    char *after = tu_slurp(in, &n1);
    CU_ASSERT(after && n0 == n1 && memcmp(before, after, n0) == 0);
    free(after);
    free(before);

    /* a name clash: exit 3 without --replace, 0 with it */
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --name x --out %s", in,
             tmp("clash.csv"));
    CU_ASSERT_EQUAL(run(args), 3);
    CU_ASSERT(stderr_has("already have a column 'x'"));
    CU_ASSERT_EQUAL(access(tmp("clash.csv"), F_OK), -1);
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --name x --replace --out %s",
             in, tmp("clash.csv"));
    CU_ASSERT_EQUAL(run(args), 0);
    dyadfit_table *t = NULL;
    dyadfit_error err;
    if (dyadfit_read(tmp("clash.csv"), NULL, &t, &err) == 0) {
        const df_column *x = df_table_find(t, "x");
        CU_ASSERT_EQUAL(dyadfit_table_ncol(t), 6);
        CU_ASSERT_PTR_NOT_NULL(x);
        if (x) for (size_t i = 0; i < 10; i++) CU_ASSERT_EQUAL(x->num[i], PEACE[i]);
        dyadfit_table_free(t);
    } else {
        CU_FAIL("clash.csv unreadable");
    }

    /* duplicate unit-time rows (data rows 2 and 6: 2/2001 twice) */
    const char *dup = tmp("dup.csv");
    write_file(dup, "dyad,year,onset\n2,2000,1\n2,2001,0\n2,2003,0\n1,2000,0\n1,2001,0\n2,2001,1\n");
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --out %s", dup, tmp("dup_py.dta"));
    CU_ASSERT_EQUAL(run(args), 2);
    CU_ASSERT(stderr_has("rows 2 and 6"));
    CU_ASSERT_EQUAL(access(tmp("dup_py.dta"), F_OK), -1);

    /* an event that is not 0/1, an unknown variable, a bad extension,
     * a missing option */
    const char *bad = tmp("bad.csv");
    write_file(bad, "dyad,year,onset\n1,2000,0\n1,2001,2\n");
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --out %s", bad, tmp("bad_py.csv"));
    CU_ASSERT_EQUAL(run(args), 2);
    snprintf(args, sizeof args, "%s --event onsett --time year --unit dyad --out %s", in, tmp("u.csv"));
    CU_ASSERT_EQUAL(run(args), 3);
    CU_ASSERT(stderr_has("onsett"));
    snprintf(args, sizeof args, "%s --event onset --time year --unit dyad --out %s", in, tmp("u.xlsx"));
    CU_ASSERT_EQUAL(run(args), 1);
    snprintf(args, sizeof args, "%s --event onset --time year --out %s", in, tmp("u.csv"));
    CU_ASSERT_EQUAL(run(args), 1);
    CU_ASSERT_EQUAL(access(tmp("bad_py.csv"), F_OK), -1);
    CU_ASSERT_EQUAL(access(tmp("u.csv"), F_OK), -1);
    CU_ASSERT(no_temp_files());
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/dyadfit-btscs-%d", (int)getpid());
    mkdir(dir, 0700);
    static const tu_test tests[] = {
        {"peace years in csv, dta, sav", test_formats},
        {"labels kept in dta and sav", test_labels_kept},
        {"ongoing disputes and splines", test_ongoing},
        {"input protected, bad input refused", test_refusals},
        {"fit --spells: peace years in the same command", test_fit_one_step},
        {NULL, NULL}};
    int rc = tu_run("cli-btscs", tests);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) rc = rc ? rc : 1;
    return rc;
}
