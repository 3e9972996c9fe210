/* stream_check.c -- see stream_check.h */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "stream/stream.h"
#include "report/result.h"
#include "testutil.h"
#include "stream_check.h"

static const char *nz(const char *s) { return s ? s : ""; }

void sc_model(dyadfit_model *m, dyadfit_estimator e, const char *formula)
{
    dyadfit_model_init(m);
    m->estimator = e;
    m->formula = formula;
}

dyadfit_result *sc_fit_memory(const char *path, const dyadfit_model *m)
{
    dyadfit_table *t = NULL;
    dyadfit_result *r = NULL;
    dyadfit_error err;
    int rc = dyadfit_read(path, NULL, &t, &err);
    if (rc) fprintf(stderr, "  read %s: %s\n", path, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = dyadfit_fit(t, m, &r, &err);
    if (rc) fprintf(stderr, "  in-memory fit %s on %s: %s\n", m->formula, path, err.message);
    CU_ASSERT_EQUAL(rc, 0);
    dyadfit_table_free(t);
    return r;
}

dyadfit_result *sc_fit_stream(const char *path, const dyadfit_model *m, size_t chunk)
{
    dyadfit_result *r = NULL;
    dyadfit_error err;
    int rc = df_stream_fit(path, m, chunk, &r, &err);
    if (rc) fprintf(stderr, "  stream fit %s on %s, chunks of %zu: %s\n", m->formula, path,
                    chunk, err.message);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc) CU_ASSERT_PTR_NULL(r);
    return rc ? NULL : r;
}

void sc_compare(const dyadfit_result *s, const dyadfit_result *m, const char *cat,
                const char *what)
{
    char coef[64], se[64], vcov[64], ll[64], ll0[64];
    snprintf(coef, sizeof coef, "coef %s", cat);
    snprintf(se, sizeof se, "se %s", cat);
    snprintf(vcov, sizeof vcov, "vcov %s", cat);
    snprintf(ll, sizeof ll, "loglik %s", cat);
    snprintf(ll0, sizeof ll0, "loglik0 %s", cat);
    CU_ASSERT_FATAL(s != NULL && m != NULL);
    CU_ASSERT_EQUAL_FATAL(s->k, m->k);
    size_t k = s->k;
    int bad = 0;
    for (size_t j = 0; j < k; j++) {
        CU_ASSERT_STRING_EQUAL(s->terms[j], m->terms[j]);
        bad |= tu_lre(s->coef[j], m->coef[j]) < 10;
        bad |= tu_lre(sqrt(s->vcov[j * k + j]), sqrt(m->vcov[j * k + j])) < 10;
        TU_CHECK_LRE(coef, s->coef[j], m->coef[j], 10);
        TU_CHECK_LRE(se, sqrt(s->vcov[j * k + j]), sqrt(m->vcov[j * k + j]), 10);
        for (size_t a = 0; a < k; a++)
            TU_CHECK_LRE(vcov, s->vcov[j * k + a], m->vcov[j * k + a], 9);
    }
    if (bad && what) fprintf(stderr, "  (%s)\n", what);
    TU_CHECK_LRE(ll, s->loglik, m->loglik, 10);
    TU_CHECK_LRE(ll0, s->loglik0, m->loglik0, 10);
    CU_ASSERT_EQUAL(s->nobs, m->nobs);
    CU_ASSERT_EQUAL(s->nrows_used, m->nrows_used);
    CU_ASSERT_EQUAL(s->nrows_source, m->nrows_source);
    CU_ASSERT_EQUAL(s->nrows_dropped, m->nrows_dropped);
    CU_ASSERT_EQUAL(s->ncluster, m->ncluster);
    CU_ASSERT_EQUAL(s->ng[0], m->ng[0]);
    TU_ASSERT_LRE(s->ssc_factor, m->ssc_factor, 14);
    CU_ASSERT_EQUAL(s->converged, 1);
    CU_ASSERT_STRING_EQUAL(s->sha256, m->sha256);
    CU_ASSERT_STRING_EQUAL(nz(s->notes), nz(m->notes));
    if (strcmp(nz(s->notes), nz(m->notes)))
        fprintf(stderr, "  notes (%s)\n  stream: %s\n  memory: %s\n", nz(what), nz(s->notes),
                nz(m->notes));
}

void sc_both_fail(const char *path, const dyadfit_model *m, int code, int same_message,
                  const char *needle)
{
    dyadfit_result *s = NULL, *mem = NULL;
    dyadfit_error es, em;
    dyadfit_table *t = NULL;
    memset(&es, 0, sizeof es);
    memset(&em, 0, sizeof em);
    int rs = df_stream_fit(path, m, 100, &s, &es);
    if (rs != code) fprintf(stderr, "  %s: code %d (%s), want %d\n", path, rs, es.message, code);
    CU_ASSERT_EQUAL(rs, code);
    CU_ASSERT_PTR_NULL(s);
    dyadfit_result_free(s);
    if (rs && needle && !strstr(es.message, needle))
        fprintf(stderr, "  message '%s' lacks '%s'\n", es.message, needle);
    if (rs && needle) CU_ASSERT_PTR_NOT_NULL(strstr(es.message, needle));
    if (!same_message) return;
    CU_ASSERT_EQUAL_FATAL(dyadfit_read(path, NULL, &t, &em), 0);
    CU_ASSERT_EQUAL(dyadfit_fit(t, m, &mem, &em), code);
    dyadfit_table_free(t);
    dyadfit_result_free(mem);
    if (rs && strcmp(es.message, em.message))
        fprintf(stderr, "  stream: %s\n  memory: %s\n", es.message, em.message);
    CU_ASSERT_STRING_EQUAL(es.message, em.message);
}

const char *sc_write_csv(const char *dir, const char *name, const char *header,
                         void (*row)(FILE *, int), int n)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "%s\n", header);
    for (int i = 0; i < n; i++) row(f, i);
    fclose(f);
    return path;
}

size_t sc_count_left(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    CU_ASSERT_FATAL(d != NULL);
    struct dirent *e;
    size_t left = 0, len = strlen(prefix);
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, len)) {
            fprintf(stderr, "  left behind: %s\n", e->d_name);
            left++;
        }
    closedir(d);
    return left;
}

int sc_tmpdir(char *dir, size_t size, const char *name)
{
    snprintf(dir, size, "/tmp/%s-XXXXXX", name);
    if (!mkdtemp(dir)) return -1;
    setenv("TMPDIR", dir, 1);
    return 0;
}

int sc_run(const char *suite, const tu_test *tests, const char *dir)
{
    int rc = tu_run(suite, tests);
    tu_print_lre();
    tu_sh("rm -rf %s", dir);
    return rc;
}
