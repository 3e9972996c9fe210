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
 * compared with MemAvailable in /proc/meminfo, or with the environment
 * variable DYADFIT_MEM_LIMIT (bytes) when set (tests; a shared machine).
 * Where neither can be read, nothing is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "design_int.h"
#include "../util/util.h"

#define DF_MEM_ROW 8

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
    if (!f) return -1;
    char line[256];
    double kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
    fclose(f);
    *source = "available (MemAvailable in /proc/meminfo)";
    return kb < 0 ? -1 : kb * 1024;
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
