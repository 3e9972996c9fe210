/* matrix.c -- a df_design from arrays the caller built (the R package's
 * model.matrix), checked and copied so the fit path is the same as from a
 * table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "design_int.h"
#include "../util/util.h"

static double *copy_checked(const double *v, size_t n, const char *what,
                            int *bad, dyadfit_error *err)
{
    double *c = df_malloc(n, sizeof *c);
    if (!c) {
        *bad = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            *bad = df_error(err, DYADFIT_ERR_DATA, "%s: value %g at row %zu is not finite",
                            what, v[i], i + 1);
            free(c);
            return NULL;
        }
        c[i] = v[i];
    }
    return c;
}

/* Dense ids 0..G-1 in order of first appearance, by open addressing. */
static int dense_ids(const int *codes, size_t n, size_t *ids, size_t *ng)
{
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    int *key = df_malloc(cap, sizeof *key);
    size_t *val = df_malloc(cap, sizeof *val);
    unsigned char *used = df_calloc(cap, 1);
    if (!key || !val || !used) {
        free(key); free(val); free(used);
        return -1;
    }
    *ng = 0;
    for (size_t i = 0; i < n; i++) {
        size_t h = ((size_t)(unsigned)codes[i] * 0x9E3779B97F4A7C15u) & (cap - 1);
        while (used[h] && key[h] != codes[i]) h = (h + 1) & (cap - 1);
        if (!used[h]) {
            used[h] = 1;
            key[h] = codes[i];
            val[h] = (*ng)++;
        }
        ids[i] = val[h];
    }
    free(key); free(val); free(used);
    return 0;
}

static int check_binary(const double *y, size_t n, const char *name,
                        dyadfit_error *err)
{
    size_t ones = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1)
            return df_error(err, DYADFIT_ERR_SPEC,
                            "outcome '%s' must be 0/1; found %g (row %zu)", name, y[i], i + 1);
        ones += y[i] == 1;
    }
    if (ones == 0 || ones == n)
        return df_error(err, DYADFIT_ERR_DATA, "outcome '%s' is always %d in the %zu rows used",
                        name, ones == n, n);
    return DYADFIT_OK;
}

int df_design_from_matrix(const dyadfit_matrix *x, int binary_response,
                          df_design **out, dyadfit_error *err)
{
    int rc = DYADFIT_OK;
    unsigned char *drop = NULL, *keep = NULL;
    const char *yname = x->response ? x->response : "y";
    df_design *d = df_calloc(1, sizeof *d);
    *out = NULL;
    if (!d) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    if (x->n == 0 || x->k == 0 || !x->X || !x->y || !x->terms) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "empty design: %zu rows, %zu columns", x->n, x->k);
        goto done;
    }
    d->n = x->n;
    d->k = x->k;
    d->nrow_source = x->n;
    if ((rc = df_design_mem_check(x->n, x->k, err))) goto done;
    if (!(d->X = df_malloc(x->n * x->k, sizeof *d->X)) ||
        !(d->terms = df_calloc(x->k, sizeof *d->terms)) ||
        !(d->rows = df_malloc(x->n, sizeof *d->rows)) ||
        !(d->response = df_strdup(yname))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < x->n; i++) d->rows[i] = i;
    for (size_t j = 0; j < x->k; j++) {
        const char *name = x->terms[j] ? x->terms[j] : "";
        if (!(d->terms[j] = df_strdup(name))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto done;
        }
        if (j == 0 && strcmp(name, "(Intercept)") == 0) d->intercept = 1;
        for (size_t i = 0; i < x->n; i++) {
            double v = x->X[j * x->n + i];
            if (!isfinite(v)) {
                rc = df_error(err, DYADFIT_ERR_DATA, "column '%s': value %g at row %zu is not finite",
                              name, v, i + 1);
                goto done;
            }
            d->X[j * x->n + i] = v;
        }
    }
    if (!(d->y = copy_checked(x->y, x->n, yname, &rc, err))) goto done;
    if (binary_response && (rc = check_binary(d->y, d->n, yname, err))) goto done;
    if (x->weights) {
        if (!(d->w = copy_checked(x->weights, x->n, "weights", &rc, err))) goto done;
        for (size_t i = 0; i < x->n; i++)
            if (d->w[i] <= 0) {
                rc = df_error(err, DYADFIT_ERR_DATA, "weights: value %g at row %zu is not positive",
                              d->w[i], i + 1);
                goto done;
            }
    }
    if (x->offset && !(d->offset = copy_checked(x->offset, x->n, "offset", &rc, err)))
        goto done;
    for (int c = 0; c < 2 && x->cluster[c]; c++) {
        if (!(d->cl[c] = df_malloc(x->n, sizeof *d->cl[c])) ||
            dense_ids(x->cluster[c], x->n, d->cl[c], &d->ng[c])) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto done;
        }
        d->ncluster = (size_t)c + 1;
    }

    /* collinear columns: dropped and named, as for a table */
    if (!(drop = df_calloc(d->k, 1)) || !(keep = df_malloc(d->k, 1))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto done;
    }
    if ((rc = df_design_find_collinear(d->X, d->n, d->k, drop, err))) goto done;
    size_t ndrop = 0;
    for (size_t j = 0; j < d->k; j++) ndrop += drop[j];
    if (ndrop == d->k) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "no columns left after dropping collinear ones");
        goto done;
    }
    if (ndrop) {
        if (!(d->collinear = df_calloc(ndrop, sizeof *d->collinear))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto done;
        }
        for (size_t j = 0; j < d->k; j++) {
            keep[j] = !drop[j];
            if (drop[j] && !(d->collinear[d->ncollinear++] = df_strdup(d->terms[j]))) {
                rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
                goto done;
            }
        }
        if ((rc = df_design_subset(d, NULL, keep, err))) goto done;
    }
done:
    free(drop);
    free(keep);
    if (rc) df_design_free(d);
    else *out = d;
    return rc;
}
