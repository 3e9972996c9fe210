/*
 * memcheck.c -- before the design matrix is allocated: would it, with the
 * per-row arrays a fit adds, fit in the memory available? A model such as
 * y ~ x + factor(dyad) on dyad-year data asks for rows x dyads doubles
 * (2 million x 10,000 = 160 GB); without the check the allocation may
 * succeed under overcommit and the machine swaps or the OOM killer ends
 * the process (an R session with it). The estimate:
 *     8 n k            the design matrix (doubles)
 *   + 8 n DF_MEM_ROW   per-row vectors: y, weights, offset, row index,
 *                      cluster ids, and the fit's eta, mu, scores
 * compared with the smaller of MemAvailable in /proc/meminfo and what the
 * process's memory cgroup still allows (a container or a batch job sees
 * the machine's MemAvailable but is killed at its cgroup's limit), or with
 * the environment variable DYADFIT_MEM_LIMIT (bytes) when set (tests; a
 * shared machine). Where none can be read, nothing is checked.
 *
 * The cgroup: v2 memory.max minus memory.current, v1 memory.limit_in_bytes
 * minus memory.usage_in_bytes, both plus the group's inactive file cache
 * (memory.stat inactive_file / total_inactive_file: the kernel reclaims it
 * before it kills), under /sys/fs/cgroup (DYADFIT_CGROUP_ROOT in tests), in
 * the process's own group (/proc/self/cgroup) or else at the root of the
 * mount (a container's namespace). "max", or a v1 limit of 2^60 or more,
 * is no limit. Only the group's own limit is read, not its ancestors'.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "design_int.h"
#include "../util/util.h"

#define DF_MEM_ROW 8

/* The first number in a file (or "max": +inf), or -1. */
static double read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char buf[64] = "";
    double v = -1;
    if (fgets(buf, sizeof buf, f)) {
        char *end;
        if (strncmp(buf, "max", 3) == 0) v = HUGE_VAL;
        else if ((v = strtod(buf, &end)) < 0 || end == buf) v = -1;
    }
    fclose(f);
    return v;
}

/* The value of `key` in a memory.stat file, or 0. */
static double stat_value(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[256];
    size_t kl = strlen(key);
    double v = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
            v = strtod(line + kl + 1, NULL);
            break;
        }
    fclose(f);
    return v > 0 ? v : 0;
}

/* One cgroup folder: limit - usage + inactive file cache, or -1 when the
 * folder has no limit file or no limit. v1 names with v1 != 0. */
static double group_available(const char *dir, int v1)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, v1 ? "memory.limit_in_bytes" : "memory.max");
    double lim = read_number(p);
    if (lim < 0 || lim == HUGE_VAL || lim >= 1152921504606846976.0 /* 2^60 */) return -1;
    snprintf(p, sizeof p, "%s/%s", dir, v1 ? "memory.usage_in_bytes" : "memory.current");
    double used = read_number(p);
    if (used < 0) used = 0;
    snprintf(p, sizeof p, "%s/memory.stat", dir);
    used -= stat_value(p, v1 ? "total_inactive_file" : "inactive_file");
    double a = lim - (used > 0 ? used : 0);
    return a > 0 ? a : 0;
}

/* Bytes the process's memory cgroup still allows, or -1 (no limit found). */
static double cgroup_available(int *v1)
{
    const char *root = getenv("DYADFIT_CGROUP_ROOT");
    if (!root || !*root) root = "/sys/fs/cgroup";
    char own[2][512] = {"", ""};   /* the group's path: v2, v1 memory */
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (f) {
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
            if (!c2) continue;
            if (strncmp(line, "0::", 3) == 0) snprintf(own[0], sizeof own[0], "%s", c2 + 1);
            else if (c2 - c1 - 1 == 6 && strncmp(c1 + 1, "memory", 6) == 0)
                snprintf(own[1], sizeof own[1], "%s", c2 + 1);
        }
        fclose(f);
    }
    char dir[1100];
    for (int v = 0; v < 2; v++) {
        const char *base = v ? "/memory" : "";
        double a = -1;
        if (own[v][0] && strcmp(own[v], "/") != 0) {
            snprintf(dir, sizeof dir, "%s%s%s", root, base, own[v]);
            a = group_available(dir, v);
        }
        if (a < 0) {
            snprintf(dir, sizeof dir, "%s%s", root, base);
            a = group_available(dir, v);
        }
        if (a >= 0) {
            *v1 = v;
            return a;
        }
    }
    return -1;
}

/* Bytes available, or -1 when unknown; *source names where it came from. */
static double mem_available(const char **source)
{
    const char *env = getenv("DYADFIT_MEM_LIMIT");
    if (env && *env) {
        char *end;
        double v = strtod(env, &end);
        if (end != env && v > 0) {
            *source = "allowed (DYADFIT_MEM_LIMIT)";
            return v;
        }
    }
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
    if (f) fclose(f);
    double avail = kb < 0 ? -1 : kb * 1024;
    *source = "available (MemAvailable in /proc/meminfo)";
    int v1 = 0;
    double cg = cgroup_available(&v1);
    if (cg >= 0 && (avail < 0 || cg < avail)) {
        avail = cg;
        *source = v1 ? "left in this process's memory cgroup (memory.limit_in_bytes minus "
                       "memory.usage_in_bytes, cgroup v1)"
                     : "left in this process's memory cgroup (memory.max minus "
                       "memory.current, cgroup v2)";
    }
    return avail;
}

/* "1.5 GB" style, powers of 1024 as free(1) shows */
static void human(double b, char *buf, size_t size)
{
    const char *unit[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (b >= 1024 && u < 5) { b /= 1024; u++; }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

int df_design_mem_check(size_t n, size_t k, dyadfit_error *err)
{
    /* in double: n * k can overflow size_t in exactly the cases we catch */
    double need = 8.0 * (double)n * ((double)k + DF_MEM_ROW);
    const char *source = "";
    double avail = mem_available(&source);
    if (avail < 0 || need <= avail) return DYADFIT_OK;
    char a[32], b[32];
    human(need, a, sizeof a);
    human(avail, b, sizeof b);
    return df_error(err, DYADFIT_ERR_SYSTEM,
                    "not enough memory: the design matrix (%zu rows x %zu columns) and "
                    "the fit's working arrays need about %s, but only %s is %s; use fewer "
                    "columns (a factor with many levels? felogit --absorb and clogit "
                    "--group take fixed effects without columns) or fewer rows",
                    n, k, a, b, source);
}
