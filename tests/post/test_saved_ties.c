/*
 * test_saved_ties.c -- the Cox ties method in a saved fit: `fit --save`
 * writes "model": {"ties": "efron" | "breslow"} (report/json.c) and
 * df_post_load reads it (post/load.c); files written before the field
 * existed fall back to the subtitle ("Breslow ties" / "Efron ties").
 * Checked: the field written for both methods (and not for a logit); an old
 * file without it loads the same method and gives the same survival curve
 * byte for byte; the field wins over the subtitle; a bad value is a data
 * error (exit 2) naming the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "post/post.h"

#define SP "tests/data/models/spells.csv"
#define F "'Surv(duration, event) ~ defense + contig + log(cap_ratio)'"

static char dir[200];

static void setup(void)
{
    if (dir[0]) return;
    snprintf(dir, sizeof dir, "/tmp/dyadfit-ties-%d", (int)getpid());
    tu_sh("mkdir -p %s", dir);
    CU_ASSERT_EQUAL(tu_sh("%s fit cox " F " " SP " --ties breslow --save %s/b.json > /dev/null",
                          tu_bin(), dir), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit cox " F " " SP " --save %s/e.json > /dev/null", tu_bin(), dir), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit 'event ~ defense' " SP " --save %s/l.json > /dev/null",
                          tu_bin(), dir), 0);
}

/* f->breslow of a saved fit, or -1 when it does not load (message in err) */
static int loaded_breslow(const char *name, dyadfit_error *err)
{
    char path[300];
    df_post_fit *f = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (df_post_load(path, &f, err)) return -1;
    int b = f->breslow;
    df_post_fit_free(f);
    return b;
}

static int contains(const char *name, const char *s)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *t = tu_slurp(path, NULL);
    int r = t && strstr(t, s);
    free(t);
    return r;
}

static void test_written(void)
{
    dyadfit_error e;
    setup();
    CU_ASSERT(contains("b.json", "\"ties\": \"breslow\""));
    CU_ASSERT(contains("e.json", "\"ties\": \"efron\""));
    CU_ASSERT(!contains("l.json", "\"ties\""));
    CU_ASSERT_EQUAL(loaded_breslow("b.json", &e), 1);
    CU_ASSERT_EQUAL(loaded_breslow("e.json", &e), 0);
}

/* A file as written before model.ties: the subtitle decides, and the
 * curve is the same. */
static void test_old_file(void)
{
    dyadfit_error e;
    setup();
    CU_ASSERT_EQUAL(tu_sh("sed 's/, \"ties\": \"breslow\"//' %s/b.json > %s/b_old.json", dir, dir), 0);
    CU_ASSERT_EQUAL(tu_sh("sed 's/, \"ties\": \"efron\"//' %s/e.json > %s/e_old.json", dir, dir), 0);
    CU_ASSERT(!contains("b_old.json", "\"ties\"") && contains("b_old.json", "Breslow ties"));
    CU_ASSERT_EQUAL(loaded_breslow("b_old.json", &e), 1);
    CU_ASSERT_EQUAL(loaded_breslow("e_old.json", &e), 0);
    for (int m = 0; m < 2; m++) {
        const char *t = m ? "e" : "b";
        CU_ASSERT_EQUAL(tu_sh("%s predict %s/%s.json --at defense=1 --survival --times 1,5,20 "
                              "--format csv > %s/%s_new.csv", tu_bin(), dir, t, dir, t), 0);
        CU_ASSERT_EQUAL(tu_sh("%s predict %s/%s_old.json --at defense=1 --survival --times 1,5,20 "
                              "--format csv > %s/%s_old.csv", tu_bin(), dir, t, dir, t), 0);
        CU_ASSERT_EQUAL(tu_sh("cmp -s %s/%s_new.csv %s/%s_old.csv", dir, t, dir, t), 0);
    }
    /* and Breslow and Efron curves do differ on these tied times */
    CU_ASSERT_NOT_EQUAL(tu_sh("cmp -s %s/b_new.csv %s/e_new.csv", dir, dir), 0);
}

/* The field wins over the subtitle; a bad value is refused. */
static void test_field_first(void)
{
    dyadfit_error e = {0, ""};
    setup();
    CU_ASSERT_EQUAL(tu_sh("sed 's/\"ties\": \"breslow\"/\"ties\": \"efron\"/' %s/b.json > %s/b_swap.json",
                          dir, dir), 0);
    CU_ASSERT(contains("b_swap.json", "Breslow ties"));
    CU_ASSERT_EQUAL(loaded_breslow("b_swap.json", &e), 0);
    CU_ASSERT_EQUAL(tu_sh("%s predict %s/b_swap.json --at defense=1 --survival --times 5 > %s/swap.txt",
                          tu_bin(), dir, dir), 0);
    CU_ASSERT(contains("swap.txt", "Efron baseline"));
    CU_ASSERT_EQUAL(tu_sh("sed 's/\"ties\": \"breslow\"/\"ties\": \"exact\"/' %s/b.json > %s/b_bad.json",
                          dir, dir), 0);
    CU_ASSERT_EQUAL(loaded_breslow("b_bad.json", &e), -1);
    CU_ASSERT_EQUAL(e.code, DYADFIT_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "\"model\".\"ties\" is not \"efron\" or \"breslow\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "b_bad.json"));
    CU_ASSERT_EQUAL(tu_sh("%s predict %s/b_bad.json --at defense=1 --survival --times 5 "
                          "> %s/bad.out 2> %s/bad.err", tu_bin(), dir, dir, dir), 2);
    CU_ASSERT(contains("bad.err", "\"ties\" is not"));
}

static void test_cleanup(void)
{
    if (dir[0] && !getenv("KEEP")) tu_sh("rm -rf %s", dir);
}

int main(void)
{
    static const tu_test tests[] = {
        {"model.ties written for Breslow and Efron fits, read back", test_written},
        {"an old file without model.ties: ties from the subtitle, same curve", test_old_file},
        {"model.ties wins over the subtitle; a bad value is refused", test_field_first},
        {"cleanup", test_cleanup},
        {NULL, NULL}};
    return tu_run("saved_ties", tests);
}
