/* table.c -- building, querying and freeing tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"
#include "../util/util.h"

int dyadfit_table_new(size_t nrow, dyadfit_table **out, dyadfit_error *err)
{
    dyadfit_table *t = df_calloc(1, sizeof *t);
    *out = NULL;
    if (!t) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    t->nrow = nrow;
    *out = t;
    return DYADFIT_OK;
}

void df_column_free(df_column *c)
{
    free(c->name);
    free(c->label);
    free(c->num);
    free(c->miss);
    free(c->code);
    for (size_t l = 0; l < c->nlevels; l++) free(c->levels[l]);
    free(c->levels);
    for (size_t l = 0; l < c->nvlabels; l++) free(c->vlabels[l].label);
    free(c->vlabels);
}

void dyadfit_table_free(dyadfit_table *t)
{
    if (!t) return;
    for (size_t j = 0; j < t->ncol; j++) df_column_free(&t->cols[j]);
    free(t->cols);
    free(t->path);
    free(t->format);
    free(t);
}

/* Appends an empty column named `name`; returns it or NULL (err set). */
static df_column *append_column(dyadfit_table *t, const char *name,
                                dyadfit_error *err)
{
    if (!name || !*name) {
        df_error(err, DYADFIT_ERR_DATA, "column without a name");
        return NULL;
    }
    if (df_table_find(t, name)) {
        df_error(err, DYADFIT_ERR_DATA, "duplicate column name '%s'", name);
        return NULL;
    }
    df_column *cols = df_realloc(t->cols, t->ncol + 1, sizeof *cols);
    if (!cols) {
        df_error(err, DYADFIT_ERR_SYSTEM, "out of memory adding column '%s'", name);
        return NULL;
    }
    t->cols = cols;
    df_column *c = &cols[t->ncol];
    memset(c, 0, sizeof *c);
    c->name = df_strdup(name);
    if (!c->name) {
        df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        return NULL;
    }
    t->ncol++;
    return c;
}

int dyadfit_table_add_numeric(dyadfit_table *t, const char *name,
                              const double *values, dyadfit_error *err)
{
    df_column *c = append_column(t, name, err);
    if (!c) return err ? err->code : DYADFIT_ERR_DATA;
    c->type = DF_COL_NUMERIC;
    c->storage = DF_STORE_DOUBLE;
    c->num = df_malloc(t->nrow, sizeof(double));
    if (!c->num) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t i = 0; i < t->nrow; i++) {
        c->num[i] = values[i];
        if (isnan(values[i])) {
            if (!c->miss && !(c->miss = df_calloc(t->nrow, 1)))
                return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            c->miss[i] = DF_MISS_SYSTEM;
        }
    }
    return DYADFIT_OK;
}

int dyadfit_table_add_string(dyadfit_table *t, const char *name,
                             const char *const *values, dyadfit_error *err)
{
    df_column *c = append_column(t, name, err);
    if (!c) return err ? err->code : DYADFIT_ERR_DATA;
    c->type = DF_COL_STRING;
    c->storage = DF_STORE_STRING;
    c->code = df_malloc(t->nrow, sizeof(int32_t));
    /* levels in order of first appearance, through the readers' hash (a
     * linear search made 100,000 distinct ids take ~20 s) */
    df_strdict *d = c->code ? df_strdict_new(c) : NULL;
    if (!d) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t i = 0; i < t->nrow; i++) {
        if (!values[i] || !*values[i]) {
            c->code[i] = -1;
            continue;
        }
        int32_t l = df_strdict_code(d, values[i], strlen(values[i]));
        if (l < 0) {
            df_strdict_free(d);
            return l == -3 ? df_error(err, DYADFIT_ERR_DATA, "column '%s': more distinct strings "
                                      "than 32-bit level codes hold", name)
                           : df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        }
        c->code[i] = l;
    }
    df_strdict_free(d);
    return DYADFIT_OK;
}

const df_column *df_table_find(const dyadfit_table *t, const char *name)
{
    size_t j = df_table_index(t, name);
    return j == (size_t)-1 ? NULL : &t->cols[j];
}

size_t df_table_index(const dyadfit_table *t, const char *name)
{
    for (size_t j = 0; j < t->ncol; j++)
        if (strcmp(t->cols[j].name, name) == 0) return j;
    return (size_t)-1;
}

int df_column_is_missing(const df_column *c, size_t i)
{
    if (c->type == DF_COL_STRING) return c->code[i] < 0;
    return isnan(c->num[i]);
}

const char *df_column_value_label(const df_column *c, double v)
{
    size_t lo = 0, hi = c->nvlabels;
    while (lo < hi) { /* sorted by value */
        size_t mid = lo + (hi - lo) / 2;
        if (c->vlabels[mid].value < v) lo = mid + 1;
        else hi = mid;
    }
    return lo < c->nvlabels && c->vlabels[lo].value == v ? c->vlabels[lo].label
                                                         : NULL;
}

size_t dyadfit_table_nrow(const dyadfit_table *t) { return t->nrow; }
size_t dyadfit_table_ncol(const dyadfit_table *t) { return t->ncol; }

const char *dyadfit_table_colname(const dyadfit_table *t, size_t j)
{
    return j < t->ncol ? t->cols[j].name : NULL;
}

const char *dyadfit_table_path(const dyadfit_table *t)
{
    return t->path ? t->path : "";
}

const char *dyadfit_table_checksum(const dyadfit_table *t) { return t->sha256; }
