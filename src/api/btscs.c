/* btscs.c -- dyadfit_btscs: peace years, spell ids and spline columns
 * appended to a table (prepare layer: df_spells, df_ns_basis), and the
 * public writer dyadfit_write (table layer: df_table_write). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "../prepare/prepare.h"

void dyadfit_btscs_opts_init(dyadfit_btscs_opts *o)
{
    memset(o, 0, sizeof *o);
    o->gap = DYADFIT_GAP_BTSCS;
    o->name = "peaceyrs";
    o->spell_name = "spell";
    o->spline_prefix = "_spline";
    o->drop_name = "_drop";
}

const char *dyadfit_write_format(const char *path)
{
    return df_write_format(path);
}

int dyadfit_write(const dyadfit_table *t, const char *format, FILE *out,
                  dyadfit_error *err)
{
    return df_table_write(t, format, out, err);
}

/* Empties column c and makes it a numeric column holding values (taken). */
static void column_set_numeric(df_column *c, double *values, uint8_t *miss)
{
    char *name = c->name;
    c->name = NULL;
    df_column_free(c);
    memset(c, 0, sizeof *c);
    c->name = name;
    c->type = DF_COL_NUMERIC;
    c->storage = DF_STORE_DOUBLE;
    c->num = values;
    c->miss = miss;
}

#define MAX_SPLINES 50

size_t df_btscs_column_names(const dyadfit_btscs_opts *o, char (*names)[256],
                             size_t cap)
{
    size_t n = 0;
    const char *pname = o->name && *o->name ? o->name : "peaceyrs";
    const char *sname = o->spell_name && *o->spell_name ? o->spell_name : "spell";
    const char *dname = o->drop_name && *o->drop_name ? o->drop_name : "_drop";
    const char *prefix = o->spline_prefix && *o->spline_prefix ? o->spline_prefix : "_spline";
    if (n < cap) snprintf(names[n++], 256, "%s", pname);
    if (n < cap) snprintf(names[n++], 256, "%s", sname);
    if (o->ongoing && n < cap) snprintf(names[n++], 256, "%s", dname);
    if (o->number_name && *o->number_name && n < cap)
        snprintf(names[n++], 256, "%s", o->number_name);
    for (int s = 0; s < o->splines && s < MAX_SPLINES && n < cap; s++)
        snprintf(names[n++], 256, "%.200s%d", prefix, s + 1);
    return n;
}

int dyadfit_btscs(dyadfit_table *t, const dyadfit_btscs_opts *o, dyadfit_error *err)
{
    df_spell_result sr;
    double *basis = NULL, *dropcol = NULL;
    char *names[MAX_SPLINES + 4];
    double *vals[MAX_SPLINES + 4];
    size_t ncols = 0;
    int rc = DYADFIT_OK;
    memset(&sr, 0, sizeof sr);
    memset(names, 0, sizeof names);
    memset(vals, 0, sizeof vals);
    if (!t || !o) return df_error(err, DYADFIT_ERR_USAGE, "no data or no options given");
    if (!o->event || !o->time || !o->unit)
        return df_error(err, DYADFIT_ERR_USAGE, "btscs needs an event, a time and a unit variable");
    if (o->splines < 0 || o->splines > MAX_SPLINES)
        return df_error(err, DYADFIT_ERR_USAGE, "splines must be from 0 to %d, not %d",
                        MAX_SPLINES, o->splines);
    if (o->gap < DYADFIT_GAP_BTSCS || o->gap > DYADFIT_GAP_RESTART)
        return df_error(err, DYADFIT_ERR_USAGE, "unknown gap rule %d", (int)o->gap);
    size_t n = t->nrow;
    if (o->spline_prefix && strlen(o->spline_prefix) > 200)
        return df_error(err, DYADFIT_ERR_USAGE, "spline prefix too long");

    /* the new columns' names (df_btscs_column_names: peace years, spell,
     * [drop flag], [spell number], splines), checked before anything is
     * computed */
    char made[MAX_SPLINES + 4][256];
    size_t nmade = df_btscs_column_names(o, made, MAX_SPLINES + 4);
    rc = DYADFIT_ERR_SYSTEM;
    for (; ncols < nmade; ncols++)
        if (!(names[ncols] = df_strdup(made[ncols]))) goto cleanup;
    size_t drop_col = 2;
    size_t first_spline = nmade - (size_t)o->splines;
    for (size_t a = 0; a < ncols; a++) {
        for (size_t b = 0; b < a; b++)
            if (!strcmp(names[a], names[b])) {
                rc = df_error(err, DYADFIT_ERR_USAGE, "two new columns would be named '%s'", names[a]);
                goto cleanup;
            }
        const char *inputs[4] = {o->event, o->time, o->unit, o->ongoing};
        for (int q = 0; q < 4; q++)
            if (inputs[q] && !strcmp(names[a], inputs[q])) {
                rc = df_error(err, DYADFIT_ERR_SPEC,
                              "the new column '%s' would overwrite an input variable of btscs",
                              names[a]);
                goto cleanup;
            }
        if (!o->replace && df_table_find(t, names[a])) {
            rc = df_error(err, DYADFIT_ERR_SPEC,
                          "the data already have a column '%s'; choose another name or "
                          "replace it (--replace)", names[a]);
            goto cleanup;
        }
    }

    df_spell_opts so;
    df_spell_opts_init(&so);
    so.unit = o->unit;
    so.time = o->time;
    so.event = o->event;
    so.ongoing = o->ongoing;
    so.gap = (df_gap_rule)o->gap;
    if ((rc = df_spells(t, &so, &sr, err))) goto cleanup;

    rc = DYADFIT_ERR_SYSTEM;
    if (o->ongoing) {
        if (!(dropcol = df_malloc(n ? n : 1, sizeof *dropcol))) goto cleanup;
        for (size_t i = 0; i < n; i++) dropcol[i] = isnan(sr.peace[i]) ? NAN : sr.drop[i];
        if (o->drop_ongoing)
            for (size_t i = 0; i < n; i++)
                if (sr.drop[i]) sr.peace[i] = sr.spell[i] = sr.number[i] = NAN;
    }
    if (o->splines > 0) {
        /* knots from the rows kept: non-missing peace years not dropped */
        double *x = df_malloc(n ? n : 1, sizeof *x), knots[MAX_SPLINES], bnd[2];
        if (!x || !(basis = df_malloc(n ? n : 1, (size_t)o->splines * sizeof *basis))) {
            free(x);
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++) x[i] = sr.drop && sr.drop[i] ? NAN : sr.peace[i];
        rc = df_ns_quantile_knots(x, n, o->splines, NULL, knots, bnd, err);
        free(x);
        if (rc) goto cleanup;
        if ((rc = df_ns_basis(sr.peace, n, knots, (size_t)o->splines - 1, bnd, basis, err)))
            goto cleanup;
        rc = DYADFIT_ERR_SYSTEM;
    }

    /* copies of every new column, so that t changes only once all exist */
    for (size_t a = 0; a < ncols; a++) {
        const double *src = a == 0 ? sr.peace : a == 1 ? sr.spell
                          : a >= first_spline ? basis + (a - first_spline) * n
                          : a == drop_col && o->ongoing ? dropcol
                          : sr.number;
        if (!(vals[a] = df_malloc(n ? n : 1, sizeof *vals[a]))) goto cleanup;
        memcpy(vals[a], src, n * sizeof *vals[a]);
    }
    /* grow t->cols once, then fill: no failure after this point but OOM of
     * the missing-flag arrays, which are allocated first */
    uint8_t *miss[MAX_SPLINES + 4];
    memset(miss, 0, sizeof miss);
    size_t nnew = 0;
    for (size_t a = 0; a < ncols; a++) {
        int any = 0;
        for (size_t i = 0; i < n && !any; i++) any = isnan(vals[a][i]);
        if (any) {
            if (!(miss[a] = df_calloc(n, 1))) goto miss_fail;
            for (size_t i = 0; i < n; i++) if (isnan(vals[a][i])) miss[a][i] = DF_MISS_SYSTEM;
        }
        if (!df_table_find(t, names[a])) nnew++;
    }
    df_column *cols = df_realloc(t->cols, t->ncol + nnew, sizeof *cols);
    if (!cols) goto miss_fail;
    t->cols = cols;
    for (size_t a = 0; a < ncols; a++) {
        size_t j = df_table_index(t, names[a]);
        if (j == (size_t)-1) {
            j = t->ncol++;
            memset(&t->cols[j], 0, sizeof t->cols[j]);
            t->cols[j].name = names[a];
            names[a] = NULL;
        }
        column_set_numeric(&t->cols[j], vals[a], miss[a]);
        vals[a] = NULL;
        miss[a] = NULL;
    }
    rc = DYADFIT_OK;
    goto cleanup;
miss_fail:
    for (size_t a = 0; a < ncols; a++) free(miss[a]);
cleanup:
    if (rc == DYADFIT_ERR_SYSTEM && (!err || err->code != DYADFIT_ERR_SYSTEM))
        df_error(err, rc, "out of memory in btscs");
    for (size_t a = 0; a < ncols; a++) {
        free(names[a]);
        free(vals[a]);
    }
    df_spell_result_free(&sr);
    free(basis);
    free(dropcol);
    return rc;
}
