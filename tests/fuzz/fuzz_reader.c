/*
 * fuzz_reader.c -- libFuzzer target for the file readers (issue 9).
 *
 * Compiled once per format with -DFUZZ_EXT='"dta"' (sav, zsav, por,
 * sas7bdat, xpt, csv). Each input is written to a file under /dev/shm with
 * that extension and read through the real code path (df_read_readstat or
 * df_read_csv over our mmap I/O), so the reader sees exactly what it would
 * see on disk. Inputs whose length is a multiple of 3 are read with a
 * variable selection, to cover the skipping paths too.
 *
 * Beyond crashes, leaks and hangs (sanitizers, -timeout), every result is
 * checked against the reader's contract and a violation aborts:
 *   failure: code DATA or SYSTEM, err.code equal to it, a message;
 *   success: every column named, its arrays present, missing codes and
 *            string codes in range, value labels sorted.
 * A successful table is then summarised with dyadfit_describe (text and
 * csv) into /dev/null, which walks every cell and label.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dyadfit.h"
#include "table/table.h"

#ifndef FUZZ_EXT
#error "compile with -DFUZZ_EXT='\"dta\"' (or sav, zsav, por, sas7bdat, xpt, csv)"
#endif

static char path[256];
static FILE *devnull;

#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/dev/shm/dyadfit-fuzz-%ld.%s", (long)getpid(),
             FUZZ_EXT);
    devnull = fopen("/dev/null", "w");
    return 0;
}

static void check_table(const dyadfit_table *t)
{
    for (size_t j = 0; j < t->ncol; j++) {
        const df_column *c = &t->cols[j];
        CHECK(c->name && c->name[0]);
        if (c->type == DF_COL_NUMERIC) {
            CHECK(c->num != NULL);
            CHECK(c->code == NULL && c->nlevels == 0);
            if (c->miss)
                for (size_t i = 0; i < t->nrow; i++) {
                    CHECK(c->miss[i] <= DF_MISS_USER);
                    CHECK(c->miss[i] == DF_PRESENT || isnan(c->num[i]));
                }
            for (size_t l = 0; l < c->nvlabels; l++) {
                CHECK(c->vlabels[l].label != NULL);
                CHECK(l == 0 || c->vlabels[l - 1].value <= c->vlabels[l].value);
            }
        } else {
            CHECK(c->type == DF_COL_STRING);
            CHECK(c->code != NULL && c->num == NULL);
            for (size_t l = 0; l < c->nlevels; l++)
                CHECK(c->levels[l] && c->levels[l][0]);
            for (size_t i = 0; i < t->nrow; i++)
                CHECK(c->code[i] >= -1 && (size_t)(c->code[i] + 1) <= c->nlevels);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    if (fclose(f) != 0) abort();

    static const char *const vars[] = {"x", "s", "y"};
    dyadfit_read_opts opts = {vars, 3};
    const dyadfit_read_opts *o = size % 3 == 0 ? &opts : NULL;
    dyadfit_table *t = NULL;
    dyadfit_error err;
    memset(&err, 0, sizeof err);
    if (dyadfit_table_new(0, &t, &err) != DYADFIT_OK) abort();
    int rc = strcmp(FUZZ_EXT, "csv") == 0
                 ? df_read_csv(path, o, t, &err)
                 : df_read_readstat(path, FUZZ_EXT, o, t, &err);
    if (rc != DYADFIT_OK) {
        CHECK(rc == DYADFIT_ERR_DATA || rc == DYADFIT_ERR_SYSTEM);
        CHECK(err.code == rc);
        CHECK(err.message[0] != '\0');
    } else {
        check_table(t);
        dyadfit_error e2;
        if (devnull) {
            (void)dyadfit_describe(t, DYADFIT_FORMAT_TEXT, devnull, &e2);
            (void)dyadfit_describe(t, DYADFIT_FORMAT_CSV, devnull, &e2);
        }
    }
    dyadfit_table_free(t);
    unlink(path);
    return 0;
}
