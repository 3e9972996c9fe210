/* versions.c -- the versions of dyadfit and of the libraries it runs with,
 * as one string for --version and for provenance in saved output.
 *
 * GSL and OpenBLAS report their versions at run time (gsl_version,
 * openblas_get_config). ReadStat's header carries no version macro, so the
 * version is read from the file name of the shared object that holds
 * readstat_parse_dta (libreadstat.so.1.1.8 -> 1.1.8) where the platform can
 * tell (glibc's dladdr); otherwise "ReadStat (version unknown)". */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_version.h>
#include <readstat.h>
#include "dyadfit.h"
#if defined(__GLIBC__) || defined(__linux__)
#include <dlfcn.h>
#include <limits.h>
#define DF_HAVE_DLADDR 1
#endif

char *openblas_get_config(void);

static char versions[512];
static pthread_once_t versions_once = PTHREAD_ONCE_INIT;

/* "1.1.8" from ".../libreadstat.so.1.1.8" (after symlinks), or "". */
static void readstat_version(char *buf, size_t n)
{
    buf[0] = 0;
#ifdef DF_HAVE_DLADDR
    Dl_info info;
    char real[PATH_MAX];
    if (dladdr((void *)(size_t)readstat_parse_dta, &info) && info.dli_fname &&
        realpath(info.dli_fname, real)) {
        const char *so = strstr(real, ".so.");
        if (so && strstr(real, "readstat")) snprintf(buf, n, "%s", so + 4);
    }
#else
    (void)n;
#endif
}

static void build(void)
{
    char rs[64], blas[256];
    readstat_version(rs, sizeof rs);
    const char *cfg = openblas_get_config();
    /* openblas_get_config: "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ..." */
    snprintf(blas, sizeof blas, "%s", cfg && *cfg ? cfg : "OpenBLAS (version unknown)");
    size_t l = strlen(blas);
    while (l && blas[l - 1] == ' ') blas[--l] = 0;
    snprintf(versions, sizeof versions, "dyadfit %s; GSL %s; %s; ReadStat %s",
             DYADFIT_VERSION, gsl_version, blas[0] == ' ' ? blas + 1 : blas,
             rs[0] ? rs : "(version unknown)");
}

const char *dyadfit_versions(void)
{
    pthread_once(&versions_once, build);
    return versions;
}
