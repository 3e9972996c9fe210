/*
 * test_mem_cgroup.c -- the memory estimate before a fit (src/design/
 * memcheck.c) reads the process's memory cgroup as well as MemAvailable:
 * fake cgroup folders under DYADFIT_CGROUP_ROOT (v2 memory.max /
 * memory.current / memory.stat, v1 memory/memory.limit_in_bytes /
 * memory.usage_in_bytes / memory.stat). A logit with 1000 rows and 51
 * columns needs 8 * 1000 * (51 + 8) = 472000 bytes: refused one byte
 * below that, fitted at it. "max" (v2) and a v1 limit of 2^63 are no
 * limit; DYADFIT_MEM_LIMIT still wins over the cgroup.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dyadfit.h"
#include "testutil.h"

#define N 1000
#define NLEV 50
#define NEED 472000.0

static char root[200];
static dyadfit_table *tab;

static void setup(void)
{
    if (root[0]) return;
    snprintf(root, sizeof root, "/tmp/dyadfit-cgroup-%d", (int)getpid());
    static double y[N], x[N], f[N];
    dyadfit_error e;
    uint32_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (double)(s >> 8) / 16777216.0 - 0.5;
        f[i] = (double)(i % NLEV);
        y[i] = (double)((s >> 20) & 1);
    }
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_new(N, &tab, &e), 0);
    dyadfit_table_add_numeric(tab, "y", y, &e);
    dyadfit_table_add_numeric(tab, "x", x, &e);
    dyadfit_table_add_numeric(tab, "f", f, &e);
    unsetenv("DYADFIT_MEM_LIMIT");
    setenv("DYADFIT_CGROUP_ROOT", root, 1);
}

static void put(const char *rel, const char *text)
{
    char p[400];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* fit y ~ x + factor(f); returns the code, message in e */
static int fit(dyadfit_error *e)
{
    dyadfit_model m;
    dyadfit_result *r = NULL;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_LOGIT;
    m.formula = "y ~ x + factor(f)";
    int rc = dyadfit_fit(tab, &m, &r, e);
    dyadfit_result_free(r);
    return rc;
}

static void expect(int want, const char *msg)
{
    dyadfit_error e = {0, ""};
    int rc = fit(&e);
    if (rc != want || (msg && !strstr(e.message, msg)))
        fprintf(stderr, "\n  rc %d (want %d): %s", rc, want, e.message);
    CU_ASSERT_EQUAL(rc, want);
    if (msg) CU_ASSERT_PTR_NOT_NULL(strstr(e.message, msg));
}

static void test_v2(void)
{
    char b[64];
    setup();
    tu_sh("rm -rf %s && mkdir -p %s", root, root);
    /* 1,000,000 - (600,000 - 72,000 inactive file) = 472,000: fits */
    put("memory.max", "1000000\n");
    put("memory.current", "600000\n");
    put("memory.stat", "anon 500000\nfile 100000\ninactive_file 72000\nactive_file 28000\n");
    expect(0, NULL);
    /* one byte less */
    put("memory.stat", "anon 500000\nfile 100000\ninactive_file 71999\nactive_file 28001\n");
    expect(DYADFIT_ERR_SYSTEM, "(1000 rows x 51 columns)");
    expect(DYADFIT_ERR_SYSTEM, "is left in this process's memory cgroup (memory.max minus "
                               "memory.current, cgroup v2)");
    /* no memory.stat: usage counted whole */
    tu_sh("rm -f %s/memory.stat", root);
    snprintf(b, sizeof b, "%.0f\n", 1000000 - NEED);
    put("memory.current", b);
    expect(0, NULL);
    snprintf(b, sizeof b, "%.0f\n", 1000000 - NEED + 1);
    put("memory.current", b);
    expect(DYADFIT_ERR_SYSTEM, "cgroup v2");
    /* usage above the limit: 0 bytes left */
    put("memory.current", "2000000\n");
    expect(DYADFIT_ERR_SYSTEM, "but only 0 bytes is left");
    /* "max": no limit */
    put("memory.max", "max\n");
    expect(0, NULL);
    /* DYADFIT_MEM_LIMIT wins over a cgroup that would allow it */
    put("memory.max", "100000000000\n");
    put("memory.current", "0\n");
    setenv("DYADFIT_MEM_LIMIT", "471999", 1);
    expect(DYADFIT_ERR_SYSTEM, "(DYADFIT_MEM_LIMIT)");
    unsetenv("DYADFIT_MEM_LIMIT");
    expect(0, NULL);
}

static void test_v1(void)
{
    setup();
    tu_sh("rm -rf %s && mkdir -p %s/memory", root, root);
    put("memory/memory.limit_in_bytes", "1000000\n");
    put("memory/memory.usage_in_bytes", "600000\n");
    put("memory/memory.stat", "cache 100000\nrss 500000\ninactive_file 1\n"
                              "total_inactive_file 72000\n");
    expect(0, NULL);
    put("memory/memory.stat", "cache 100000\nrss 500000\ntotal_inactive_file 71999\n");
    expect(DYADFIT_ERR_SYSTEM, "(memory.limit_in_bytes minus memory.usage_in_bytes, cgroup v1)");
    /* v1's "no limit": a page-rounded 2^63 */
    put("memory/memory.limit_in_bytes", "9223372036854771712\n");
    expect(0, NULL);
}

/* Garbage or empty files are no limit, never a crash. */
static void test_garbage(void)
{
    setup();
    tu_sh("rm -rf %s && mkdir -p %s/memory", root, root);
    put("memory.max", "");
    put("memory/memory.limit_in_bytes", "lots\n");
    expect(0, NULL);
    put("memory.max", "-5\n");
    expect(0, NULL);
}

static void test_cleanup(void)
{
    if (root[0]) tu_sh("rm -rf %s", root);
    unsetenv("DYADFIT_CGROUP_ROOT");
    dyadfit_table_free(tab);
}

int main(void)
{
    static const tu_test tests[] = {
        {"cgroup v2: memory.max - memory.current + inactive_file", test_v2},
        {"cgroup v1: memory.limit_in_bytes - usage + total_inactive_file", test_v1},
        {"unreadable cgroup files: no limit", test_garbage},
        {"cleanup", test_cleanup},
        {NULL, NULL}};
    return tu_run("mem_cgroup", tests);
}
