/*
 * cache.c -- one pass over the file, chunk by chunk: the in-memory design
 * code (df_design_build) on each chunk's table, so listwise deletion,
 * transforms, term names and every data check are those of the in-memory
 * fit; the rows go to a binary cache in TMPDIR.
 *
 * What must be global is made global here:
 * - columns: a chunk may make a column zero or collinear (a dummy that is 0
 *   in those rows) and df_design_build would drop it, so such a chunk's
 *   matrix is rebuilt without any drop (df_var_eval + df_model_matrix, the
 *   steps inside df_design_build). Collinearity is decided once, on the
 *   whole data: each chunk updates a k x k triangular factor R by QR
 *   ([R; X_chunk] -> R, as df_design_find_collinear does by row blocks)
 *   and df_design_find_collinear on R makes R's decisions, which are X's
 *   (X = Q R, so pivoting R pivots X).
 * - cluster ids: the values of the cluster variable (numbers by value,
 *   strings by text) numbered in order of first appearance in a hash.
 * - factor levels would need a first pass: factor() terms (and string
 *   variables, which are factors) are refused in this version.
 * Row numbers in messages from a chunk are shifted to file rows.
 * Cox (stream_cox.c): the chunk's survival design keeps every column and
 * its intercept (spec.keep_columns: the QR decides with the intercept, as
 * the in-memory design does), the events must be 0/1 (spec.event01), and
 * the cache also holds stop, start and global stratum ids (by strata()
 * label); the build checks that stop ascends within each stratum, collects
 * the distinct event times and the columns' means and sds, and records
 * where each block starts, for the sweep from the last block back.
 * MPI: each rank caches the rows of its own block of the file (chunks.c);
 * mpi_merge makes the summary global. Every step a single rank can fail
 * before a collective ends in df_smpi_agree, so a failing rank makes every
 * rank fail with its message (the lowest failing rank's: with contiguous
 * blocks, the error nearest the top of the file, as one process reports).
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stream_int.h"
#include "stream_mpi.h"
#include "../design/design_int.h"
#include "../api/strata_labels.h"
#include "../table/table.h"
#include "../util/util.h"
#include "../util/lapack.h"

typedef struct {
    uint64_t s;
    double t;
} cox_evtime;

typedef struct {
    const dyadfit_model *m;
    df_design_spec spec;
    df_stream_cache *c;
    const char *path;
    char **vars;              /* the model's variables */
    size_t nvars;
    size_t chunk_rows;
    int have_cols;
    /* streaming QR: A is (kall + chunk_rows) x kall, R on top */
    double *A, *tau, *work;
    int lwork;
    /* cluster ids: open addressing on 64-bit keys */
    uint64_t *keys;
    size_t *ids, cap;
    int cl_string;            /* -1 unknown, 0 numeric, 1 string */
    df_column strcol;         /* global dictionary for string clusters */
    df_strdict *sdict;
    /* MPI (stream_mpi.c): rank of size reads its own block of the file
     * (chunks.c); when it has to read all of it (whole), it takes chunks
     * rank, rank + size, ... */
    int rank, size, whole;
    size_t ichunk;
    /* Cox: stratum ids from the strata() labels (a dictionary over the
     * file), each stratum's last stop and its file row (the sort check),
     * the distinct event times as (stratum, time) pairs, and the centring
     * sums of each column about its first value */
    df_column stratcol;
    df_strdict *stdict;
    double *last, *lastev, *first;
    size_t *lastrow, *firstrow, *count, lastcap;
    cox_evtime *ev;
    size_t nev, evcap;
    double *x0, *xs1, *xs2;
    size_t blkcap;
} build_ctx;

/* "row N" in a chunk's message -> "row N + first_row" */
static void shift_rows(dyadfit_error *err, size_t first_row)
{
    if (!err || first_row == 0) return;
    char out[sizeof err->message];
    const char *s = err->message;
    size_t o = 0;
    while (*s && o + 1 < sizeof out) {
        if (!strncmp(s, "row ", 4) && isdigit((unsigned char)s[4])) {
            char *end;
            unsigned long long r = strtoull(s + 4, &end, 10);
            o += (size_t)snprintf(out + o, sizeof out - o, "row %llu",
                                  r + (unsigned long long)first_row);
            s = end;
            continue;
        }
        out[o++] = *s++;
    }
    out[o < sizeof out ? o : sizeof out - 1] = 0;
    snprintf(err->message, sizeof err->message, "%s", out);
}

/* The full model matrix (no collinearity drop) of rows[0..n) of t; refuses
 * factors. */
static int full_matrix(const char *formula, const dyadfit_table *t, const size_t *rows,
                       size_t n, double **X, char ***names, size_t *k, dyadfit_error *err)
{
    df_expr *tree = NULL;
    df_terms tm;
    df_varval *vals = NULL;
    int rc;
    memset(&tm, 0, sizeof tm);
    if ((rc = df_formula_parse(formula, &tree, err))) return rc;
    if ((rc = df_terms_expand(formula, tree->r, &tm, err))) goto done;
    rc = DYADFIT_ERR_SYSTEM;
    if (!(vals = df_calloc(tm.nvar ? tm.nvar : 1, sizeof *vals))) goto done;
    for (size_t v = 0; v < tm.nvar; v++) {
        if ((rc = df_var_eval(t, tm.var[v], tm.varname[v], rows, n, &vals[v], err))) goto done;
        if (vals[v].factor) {
            rc = df_error(err, DYADFIT_ERR_USAGE, "--stream: '%s' is a factor (factor() or a "
                          "string variable); streaming fits do not support factors yet: fit "
                          "without --stream, or make the dummies in the data",
                          tm.varname[v]);
            goto done;
        }
    }
    rc = df_model_matrix(&tm, vals, n, X, names, k, err);
done:
    if (rc == DYADFIT_ERR_SYSTEM && err && err->code != DYADFIT_ERR_SYSTEM)
        df_error(err, rc, "out of memory building the design");
    if (vals) for (size_t v = 0; v < tm.nvar; v++) df_varval_free(&vals[v]);
    free(vals);
    df_terms_free(&tm);
    df_expr_free(tree);
    return rc;
}

/* factor() anywhere in a variable, or a string variable: refused (before
 * the design, which would report a one-level factor in a chunk). */
static int has_factor(const df_expr *e, const dyadfit_table *t)
{
    if (!e) return 0;
    if (e->kind == DF_X_CALL && e->text && !strcmp(e->text, "factor")) return 1;
    if (e->kind == DF_X_CALL && e->text && !strcmp(e->text, "strata")) return 0; /* Cox */
    if (e->kind == DF_X_VAR) {
        const df_column *c = df_table_find(t, e->text);
        return c && c->type == DF_COL_STRING;
    }
    for (size_t a = 0; a < e->nargs; a++)
        if (has_factor(e->args[a], t)) return 1;
    return has_factor(e->l, t) || has_factor(e->r, t);
}

static int refuse_factors(const char *formula, const dyadfit_table *t, dyadfit_error *err)
{
    df_expr *tree = NULL;
    df_terms tm;
    int rc;
    memset(&tm, 0, sizeof tm);
    if ((rc = df_formula_parse(formula, &tree, err))) return rc;
    if ((rc = df_terms_expand(formula, tree->r, &tm, err))) goto done;
    for (size_t v = 0; v < tm.nvar && !rc; v++)
        if (has_factor(tm.var[v], t))
            rc = df_error(err, DYADFIT_ERR_USAGE, "--stream: '%s' is a factor (factor() or a "
                          "string variable); streaming fits do not support factors yet: fit "
                          "without --stream, or make the dummies in the data",
                          tm.varname[v]);
done:
    df_terms_free(&tm);
    df_expr_free(tree);
    return rc;
}

static int add_drops(df_design *s, const char *name, size_t rows)
{
    for (size_t u = 0; u < s->ndrops; u++)
        if (!strcmp(s->drops[u].variable, name)) {
            s->drops[u].rows += rows;
            return 0;
        }
    df_drop_count *d = df_realloc(s->drops, s->ndrops + 1, sizeof *d);
    if (!d) return -1;
    s->drops = d;
    if (!(d[s->ndrops].variable = df_strdup(name))) return -1;
    d[s->ndrops++].rows = rows;
    return 0;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* The global id of key; new keys get the next id. -1 out of memory. */
static int cluster_id(build_ctx *b, uint64_t key, uint64_t *id)
{
    if (2 * (b->c->G + 1) > b->cap) {
        size_t ncap = b->cap ? 2 * b->cap : 1024;
        uint64_t *nk = df_malloc(ncap, sizeof *nk);
        size_t *ni = df_malloc(ncap, sizeof *ni);
        if (!nk || !ni) { free(nk); free(ni); return -1; }
        for (size_t i = 0; i < ncap; i++) ni[i] = SIZE_MAX;
        for (size_t i = 0; i < b->cap; i++) {
            if (b->ids[i] == SIZE_MAX) continue;
            size_t h = mix64(b->keys[i]) & (ncap - 1);
            while (ni[h] != SIZE_MAX) h = (h + 1) & (ncap - 1);
            nk[h] = b->keys[i];
            ni[h] = b->ids[i];
        }
        free(b->keys);
        free(b->ids);
        b->keys = nk;
        b->ids = ni;
        b->cap = ncap;
    }
    size_t h = mix64(key) & (b->cap - 1);
    while (b->ids[h] != SIZE_MAX) {
        if (b->keys[h] == key) { *id = b->ids[h]; return 0; }
        h = (h + 1) & (b->cap - 1);
    }
    b->keys[h] = key;
    b->ids[h] = b->c->G++;
    *id = b->ids[h];
    return 0;
}

static int cluster_ids(build_ctx *b, const dyadfit_table *t, const df_design *d,
                       uint64_t *out, dyadfit_error *err)
{
    const df_column *col = df_table_find(t, b->spec.cluster[0]);
    int str = col->type == DF_COL_STRING;
    if (b->cl_string >= 0 && b->cl_string != str)
        return df_error(err, DYADFIT_ERR_DATA, "--stream: cluster variable '%s' holds numbers "
                        "in some rows and text in others", b->spec.cluster[0]);
    b->cl_string = str;
    for (size_t i = 0; i < d->n; i++) {
        size_t r = d->rows[i];
        uint64_t key;
        if (str) {
            const char *s = col->levels[col->code[r]];
            int32_t g = df_strdict_code(b->sdict, s, strlen(s));
            if (g < 0) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (cluster ids)");
            key = (uint64_t)g;
        } else {
            double v = col->num[r] == 0 ? 0 : col->num[r];   /* -0 is 0 */
            memcpy(&key, &v, sizeof key);
        }
        if (cluster_id(b, key, &out[i]))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (cluster ids)");
    }
    return 0;
}

/* The columns, the QR factor and the summary, from the first chunk with
 * rows. */
static int first_columns(build_ctx *b, int intercept, const char *response,
                         const char *formula, char **names, size_t k, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    df_design *s = c->d;
    c->kall = k;
    s->k = k;
    s->terms = names;
    s->intercept = intercept;
    if (!(s->response = df_strdup(response)) ||
        (formula && !(s->formula = df_strdup(formula))))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    size_t lda = k + b->chunk_rows;
    int ik = (int)k, ilda = (int)lda, info = 0, lw = -1;
    double wq = 0;
    if (k > 46000 || lda > (size_t)1 << 30)
        return df_error(err, DYADFIT_ERR_SPEC, "--stream: too many columns (%zu)", k);
    if (!(b->A = df_calloc(lda, k * sizeof *b->A)) || !(b->tau = df_malloc(k, sizeof *b->tau)) ||
        !(c->xmax = df_calloc(k, sizeof *c->xmax)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    dgeqrf_(&ilda, &ik, b->A, &ilda, b->tau, &wq, &lw, &info);
    b->lwork = (int)wq > ik ? (int)wq : ik;
    if (!(b->work = df_malloc((size_t)b->lwork, sizeof *b->work)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    b->have_cols = 1;
    return 0;
}

/* [R; X] -> R by Householder QR */
static int qr_update(build_ctx *b, const double *X, size_t m, dyadfit_error *err)
{
    size_t k = b->c->kall, lda = k + b->chunk_rows;
    int ik = (int)k, ilda = (int)lda, im = (int)(k + m), info = 0;
    for (size_t j = 0; j < k; j++) {
        for (size_t i = j + 1; i < k; i++) b->A[j * lda + i] = 0;
        memcpy(b->A + j * lda + k, X + j * m, m * sizeof *X);
    }
    dgeqrf_(&im, &ik, b->A, &ilda, b->tau, b->work, &b->lwork, &info);
    if (info != 0) return df_error(err, DYADFIT_ERR_SYSTEM, "dgeqrf failed (info %d)", info);
    return 0;
}

/* A chunk in which every row misses a value: only the counts. */
static int empty_chunk(build_ctx *b, const dyadfit_table *t, dyadfit_error *err)
{
    df_design *s = b->c->d;
    for (size_t v = 0; v < b->nvars; v++) {
        const df_column *col = df_table_find(t, b->vars[v]);
        if (!col) continue;
        size_t miss = 0;
        for (size_t i = 0; i < t->nrow; i++) miss += df_column_is_missing(col, i) != 0;
        if (add_drops(s, b->vars[v], miss))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    }
    s->nrow_source += t->nrow;
    s->ndropped += t->nrow;
    return 0;
}

static int write_all(FILE *f, const void *p, size_t size, size_t n, dyadfit_error *err)
{
    if (n && fwrite(p, size, n, f) != n)
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: cannot write the temporary "
                        "design cache (TMPDIR full?): %s", strerror(errno));
    return 0;
}

/* Cox rows of a chunk: global stratum ids into st, the sort check, the
 * distinct event times, the centring sums, the event count. */
static int cox_chunk(build_ctx *b, const dyadfit_table *t, const df_design *d,
                     size_t first_row, uint64_t *st, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    size_t m = d->n, k = c->kall;
    uint64_t *local = NULL;   /* chunk stratum -> global id */
    int rc = 0;
    if (d->strata) {
        df_strata_labels sl;
        memset(&sl, 0, sizeof sl);
        if ((rc = df_strata_labels_make(t, b->spec.formula, d, &sl, err))) return rc;
        if (!(local = df_malloc(sl.ns ? sl.ns : 1, sizeof *local))) rc = -1;
        for (size_t u = 0; !rc && u < sl.ns; u++) {
            int32_t g = df_strdict_code(b->stdict, sl.label[u], strlen(sl.label[u]));
            if (g < 0) rc = -1;
            else local[u] = (uint64_t)g;
        }
        df_strata_labels_free(&sl);
        if (rc) goto nomem;
    }
    size_t ns = d->strata ? b->stratcol.nlevels : 1;
    if (ns > b->lastcap) {
        size_t cap = ns > 2 * b->lastcap ? ns : 2 * b->lastcap;
        double *l = df_realloc(b->last, cap, sizeof *l);
        if (l) b->last = l;
        double *le = l ? df_realloc(b->lastev, cap, sizeof *le) : NULL;
        if (le) b->lastev = le;
        size_t *lr = le ? df_realloc(b->lastrow, cap, sizeof *lr) : NULL;
        if (lr) b->lastrow = lr;
        double *fi = lr ? df_realloc(b->first, cap, sizeof *fi) : NULL;
        if (fi) b->first = fi;
        size_t *fr = fi ? df_realloc(b->firstrow, cap, sizeof *fr) : NULL;
        if (fr) b->firstrow = fr;
        size_t *cn = fr ? df_realloc(b->count, cap, sizeof *cn) : NULL;
        if (!cn) goto nomem;
        b->count = cn;
        for (size_t u = b->lastcap; u < cap; u++) {
            b->last[u] = -INFINITY;
            b->lastev[u] = NAN;
            b->lastrow[u] = b->firstrow[u] = b->count[u] = 0;
            b->first[u] = NAN;
        }
        b->lastcap = cap;
    }
    c->ns = ns > c->ns ? ns : c->ns;
    if (!b->x0) {
        if (!(b->x0 = df_malloc(k, sizeof *b->x0)) || !(b->xs1 = df_calloc(k, sizeof *b->xs1)) ||
            !(b->xs2 = df_calloc(k, sizeof *b->xs2)))
            goto nomem;
        for (size_t j = 0; j < k; j++) b->x0[j] = d->X[j * m];
    }
    for (size_t j = 0; j < k; j++) {
        const double *x = d->X + j * m;
        double s1 = 0, s2 = 0, x0 = b->x0[j];
        for (size_t i = 0; i < m; i++) {
            double v = x[i] - x0;
            s1 += v;
            s2 += v * v;
        }
        b->xs1[j] += s1;
        b->xs2[j] += s2;
    }
    for (size_t i = 0; i < m; i++) {
        uint64_t g = d->strata ? local[d->strata[i]] : 0;
        double t1 = d->stop[i];
        size_t row = d->rows[i] + first_row + 1;
        st[i] = g;
        if (t1 < b->last[g]) {
            char now[40], before[40];
            df_format_num(t1, now);
            df_format_num(b->last[g], before);
            rc = df_error(err, DYADFIT_ERR_DATA, "--stream: a Cox fit needs the rows sorted by "
                          "the stop time, ascending%s; row %zu has stop %s after %s at row %zu "
                          "(sort the file by %sstop time, or fit without --stream)",
                          d->strata ? " within each stratum" : "", row, now, before,
                          b->lastrow[g], d->strata ? "stratum and " : "");
            goto done;
        }
        if (d->y[i] == 1) {
            c->nevents++;
            /* a stratum's event times come ascending: a time seen before
             * in it is its latest one */
            if (!(b->lastev[g] == t1)) {
                if (b->nev == b->evcap) {
                    size_t cap = b->evcap ? 2 * b->evcap : 1024;
                    cox_evtime *e = df_realloc(b->ev, cap, sizeof *e);
                    if (!e) goto nomem;
                    b->ev = e;
                    b->evcap = cap;
                }
                b->ev[b->nev].s = g;
                b->ev[b->nev++].t = t1 + 0.0;   /* -0 is 0: records compare by bytes */
                b->lastev[g] = t1;
            }
        }
        if (!b->firstrow[g]) {
            b->first[g] = t1;
            b->firstrow[g] = row;
        }
        b->last[g] = t1;
        b->lastrow[g] = row;
        b->count[g]++;
    }
    goto done;
nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, Cox strata)");
done:
    free(local);
    return rc;
}

static int on_chunk(void *vctx, const dyadfit_table *t, size_t first_row, dyadfit_error *err)
{
    build_ctx *b = vctx;
    df_stream_cache *c = b->c;
    df_design *s = c->d, *d = NULL;
    double *Xf = NULL;
    char **names = NULL;
    size_t kf = 0;
    uint64_t *cl = NULL, *st = NULL;
    int rc;
    if (b->whole && b->ichunk++ % (size_t)b->size != (size_t)b->rank) return 0;
    if (!b->have_cols && (rc = refuse_factors(b->spec.formula, t, err))) return rc;
    rc = c->cox ? df_design_build_survival(t, &b->spec, &d, err)
                : df_design_build(t, &b->spec, &d, err);
    if (rc == DYADFIT_ERR_DATA && !strncmp(err->message, "no rows left: all", 17))
        return empty_chunk(b, t, err);
    if (rc) {
        shift_rows(err, first_row);
        return rc;
    }
    size_t m = d->n;
    if (c->cox) {
        /* spec.keep_columns: every column, the intercept first */
        if (!b->have_cols) {
            if (!(names = df_calloc(d->k, sizeof *names))) goto nomem;
            kf = d->k;
            for (size_t j = 0; j < d->k; j++)
                if (!(names[j] = df_strdup(d->terms[j]))) goto nomem;
            c->has_start = d->start != NULL;
            c->has_strata = d->strata != NULL;
            rc = first_columns(b, d->intercept, d->response, d->formula, names, kf, err);
            names = NULL;
            if (rc) goto done;
        }
    } else if (!b->have_cols || d->ncollinear || d->k != c->kall) {
        /* the columns before any drop */
        if ((rc = full_matrix(b->spec.formula, t, d->rows, m, &Xf, &names, &kf, err))) goto done;
        if (!b->have_cols) {
            if ((rc = first_columns(b, d->intercept, d->response, d->formula, names, kf, err))) {
                names = NULL;
                goto done;
            }
            names = NULL;    /* the summary owns them */
        }
    }
    const double *X = Xf ? Xf : d->X;
    size_t k = c->kall;
    if ((Xf ? kf : d->k) != k) {
        rc = df_error(err, DYADFIT_ERR_DATA, "--stream: rows %zu-%zu give %zu columns where "
                      "earlier rows gave %zu", first_row + 1, first_row + t->nrow,
                      Xf ? kf : d->k, k);
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        const double *x = X + j * m;
        double mx = c->xmax[j];
        for (size_t i = 0; i < m; i++) {
            double a = fabs(x[i]);
            if (!(a <= DBL_MAX)) {
                rc = df_error(err, DYADFIT_ERR_DATA, "column %s is not finite at row %zu",
                              s->terms[j], d->rows[i] + first_row + 1);
                goto done;
            }
            mx = a > mx ? a : mx;
        }
        c->xmax[j] = mx;
    }
    for (size_t u = 0; u < d->ndrops; u++)
        if (add_drops(s, d->drops[u].variable, d->drops[u].rows)) goto nomem;
    for (size_t i = 0; i < m; i++) {
        double w = d->w ? d->w[i] : 1, y = d->y[i];
        if (!c->cox && y != 0 && y != 1) {
            char num[40];
            df_format_num(y, num);
            rc = df_error(err, DYADFIT_ERR_SPEC, "outcome '%s' must be 0/1; found %s (row %zu)",
                          d->response, num, d->rows[i] + first_row + 1);
            goto done;
        }
        if (d->offset && !isfinite(d->offset[i])) {
            rc = df_error(err, DYADFIT_ERR_DATA, "offset is not finite at row %zu",
                          d->rows[i] + first_row + 1);
            goto done;
        }
        c->sw += w;
        c->swy += w * y;
        c->sw1y += w * (1 - y);
    }
    s->nrow_source += t->nrow;
    s->ndropped += d->ndropped;
    s->n += m;
    if (c->has_cl) {
        if (!(cl = df_malloc(m, sizeof *cl))) goto nomem;
        if ((rc = cluster_ids(b, t, d, cl, err))) goto done;
    }
    if (c->cox) {
        if (!(st = df_malloc(m, sizeof *st))) goto nomem;
        if ((rc = cox_chunk(b, t, d, first_row, st, err))) goto done;
        if (c->nblk == b->blkcap) {
            size_t cap = b->blkcap ? 2 * b->blkcap : 64;
            long long *o = df_realloc(c->boff, cap, sizeof *o);
            if (!o) goto nomem;
            c->boff = o;
            b->blkcap = cap;
        }
        c->boff[c->nblk++] = (long long)ftello(c->f);
    }
    if ((rc = qr_update(b, X, m, err))) goto done;
    uint64_t mm = m;
    if ((rc = write_all(c->f, &mm, sizeof mm, 1, err)) ||
        (rc = write_all(c->f, d->y, sizeof *d->y, m, err)) ||
        (c->has_w && (rc = write_all(c->f, d->w, sizeof *d->w, m, err))) ||
        (c->has_off && (rc = write_all(c->f, d->offset, sizeof *d->offset, m, err))) ||
        (rc = write_all(c->f, X, sizeof *X, k * m, err)) ||
        (c->has_cl && (rc = write_all(c->f, cl, sizeof *cl, m, err))))
        goto done;
    if (c->cox && ((rc = write_all(c->f, d->stop, sizeof *d->stop, m, err)) ||
                   (c->has_start && (rc = write_all(c->f, d->start, sizeof *d->start, m, err))) ||
                   (c->has_strata && (rc = write_all(c->f, st, sizeof *st, m, err)))))
        goto done;
    if (m > c->maxm) c->maxm = m;
    rc = 0;
    goto done;
nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
done:
    if (names) for (size_t j = 0; j < kf; j++) free(names[j]);
    free(names);
    free(Xf);
    free(cl);
    free(st);
    df_design_free(d);
    return rc;
}

/* Global collinearity from R; names of the dropped columns in the summary. */
static int collinear(build_ctx *b, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    df_design *s = c->d;
    size_t k = c->kall, lda = k + b->chunk_rows;
    double *R = df_calloc(k * k, sizeof *R);
    int rc = 0;
    if (!R || !(c->drop = df_calloc(k, 1)) ||
        !(s->collinear = df_calloc(k, sizeof *s->collinear)))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    /* a rank out of memory here must not leave the others waiting in the
     * reduction of R */
    if ((rc = df_smpi_agree(rc, err))) {
        free(R);
        return rc;
    }
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i <= j; i++) R[j * k + i] = b->A[j * lda + i];
    if (df_smpi_combine_r(R, k)) {
        free(R);
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: combining the ranks' QR failed");
    }
    rc = df_design_find_collinear(R, k, k, c->drop, err);
    free(R);
    if (rc) return rc;
    for (size_t j = 0; j < k; j++)
        if (c->drop[j] && !(s->collinear[s->ncollinear++] = df_strdup(s->terms[j])))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    if (s->ncollinear == k)
        return df_error(err, DYADFIT_ERR_SPEC, "no usable columns: every column of the design "
                        "is zero or collinear (%s%s)", s->collinear[0], k > 1 ? ", ..." : "");
    return 0;
}

/* ----- several ranks (MPI): make the summary global ----- */

/* The columns from the lowest rank that saw rows, for ranks that saw none. */
static int mpi_columns(build_ctx *b, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    df_design *s = c->d;
    int root = df_smpi_first_with(b->have_cols);
    if (root < 0) return 0;   /* no rows anywhere: reported after */
    char *buf = NULL;
    size_t n = 0;
    if (b->rank == root) {   /* response \0 formula \0 intercept \0 names \0 ... */
        const char *f = s->formula ? s->formula : "";
        n = strlen(s->response) + strlen(f) + 4;
        for (size_t j = 0; j < c->kall; j++) n += strlen(s->terms[j]) + 1;
        if (!(buf = df_malloc(n, 1))) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        size_t o = 0;
        o += (size_t)sprintf(buf + o, "%s", s->response) + 1;
        o += (size_t)sprintf(buf + o, "%s", f) + 1;
        o += (size_t)sprintf(buf + o, "%c", s->intercept ? '1' : '0') + 1;
        for (size_t j = 0; j < c->kall; j++) o += (size_t)sprintf(buf + o, "%s", s->terms[j]) + 1;
    }
    void *vp = buf;
    if (df_smpi_bcast_bytes(&vp, &n, root)) {
        free(vp);
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: broadcast of the columns failed");
    }
    buf = vp;
    int rc = 0;
    if (!b->have_cols) {
        const char *resp = buf, *f = resp + strlen(resp) + 1, *ic = f + strlen(f) + 1;
        const char *p = ic + strlen(ic) + 1, *end = buf + n;
        size_t k = 0;
        for (const char *q = p; q < end; q += strlen(q) + 1) k++;
        char **names = df_calloc(k ? k : 1, sizeof *names);
        if (!names) { free(buf); return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory"); }
        for (size_t j = 0; j < k; j++, p += strlen(p) + 1)
            if (!(names[j] = df_strdup(p))) rc = -1;
        if (rc) {
            for (size_t j = 0; j < k; j++) free(names[j]);
            free(names);
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        } else {
            rc = first_columns(b, *ic == '1', resp, *f ? f : NULL, names, k, err);
        }
    }
    free(buf);
    return rc;
}

/* Global cluster ids: the union of every rank's values, sorted; clmap
 * takes this rank's ids to their place in it. */
static int mpi_clusters(build_ctx *b, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    double kind[2] = {b->cl_string == 0, b->cl_string == 1};
    size_t Gl = c->G;
    int rc = 0;
    if (df_smpi_sum(kind, 2)) return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed");
    if (kind[0] > 0 && kind[1] > 0)
        return df_error(err, DYADFIT_ERR_DATA, "--stream: cluster variable '%s' holds numbers "
                        "in some rows and text in others", b->spec.cluster[0]);
    /* this rank's values by local id, as fixed-width records */
    size_t width = sizeof(uint64_t);
    if (kind[1] > 0) {
        double wmax = 1;
        for (size_t i = 0; i < b->cap; i++)
            if (b->ids[i] != SIZE_MAX) {
                double l = (double)strlen(b->strcol.levels[b->keys[i]]) + 1;
                if (l > wmax) wmax = l;
            }
        if (df_smpi_max(&wmax, 1)) return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed");
        width = (size_t)wmax;
    }
    char *mine = df_calloc(Gl ? Gl : 1, width);
    void *all = NULL;
    size_t G = 0;
    if (!mine) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (cluster ids)");
    for (size_t i = 0; i < b->cap; i++) {
        if (b->ids[i] == SIZE_MAX) continue;
        char *rec = mine + b->ids[i] * width;
        if (kind[1] > 0) memcpy(rec, b->strcol.levels[b->keys[i]],
                                strlen(b->strcol.levels[b->keys[i]]));
        else memcpy(rec, &b->keys[i], sizeof(uint64_t));
    }
    if (df_smpi_union(mine, Gl, width, &all, &G)) {
        free(mine);
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: gathering cluster ids failed");
    }
    if (!(c->clmap = df_malloc(Gl ? Gl : 1, sizeof *c->clmap))) rc = -1;
    for (size_t g = 0; !rc && g < Gl; g++) {
        /* binary search of record g in the sorted union */
        size_t lo = 0, hi = G;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int cmpv = memcmp((char *)all + mid * width, mine + g * width, width);
            if (cmpv < 0) lo = mid + 1;
            else hi = mid;
        }
        c->clmap[g] = lo;
    }
    free(mine);
    free(all);
    if (rc) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (cluster ids)");
    c->G = G;
    return 0;
}

typedef struct {
    double row;
    int open;                 /* 1: a stratum's first row, 0: its last */
} span_end;

static int cmp_span_end(const void *pa, const void *pb)
{
    const span_end *a = pa, *b = pb;
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    return b->open - a->open;   /* at one row: open before close */
}

/* The most strata whose rows [first[s], last[s]] (file rows; has[s] = 0:
 * none) overlap at one point; 0 on out of memory. */
static size_t max_overlap(const double *first, const double *last, const unsigned char *has,
                          size_t ns)
{
    span_end *e = df_malloc(2 * (ns ? ns : 1), sizeof *e);
    size_t n = 0, cur = 0, best = 1;
    if (!e) return 0;
    for (size_t s = 0; s < ns; s++) {
        if (has && !has[s]) continue;
        e[n++] = (span_end){first[s], 1};
        e[n++] = (span_end){last[s], 0};
    }
    qsort(e, n, sizeof *e, cmp_span_end);
    for (size_t q = 0; q < n; q++) {
        if (e[q].open) {
            if (++cur > best) best = cur;
        } else {
            cur--;
        }
    }
    free(e);
    return best;
}

/* Cox over several ranks (each holds a contiguous block of the file):
 * global stratum ids (the sorted union of the labels; stmap takes this
 * rank's ids there), the sort order checked across the blocks, the union
 * of the event times, the event count, and the columns' means and sums of
 * squares combined (Chan et al.'s pairwise update, in rank order). */
static int mpi_cox(build_ctx *b, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    size_t nl = 0;
    size_t p = (size_t)b->size, me = (size_t)b->rank, k = c->kall, ns = 1;
    char *mine = NULL;
    void *all = NULL;
    double *v = NULL;
    int rc = 0;
    /* a rank without rows has not seen the Surv() form: take it from the
     * others, so that every rank lays out the same sums */
    double form[2] = {c->has_start, c->has_strata};
    if (df_smpi_max(form, 2)) goto mpifail;
    c->has_start = form[0] > 0;
    c->has_strata = form[1] > 0;
    nl = c->has_strata ? b->stratcol.nlevels : 1;
    if (b->whole)
        return df_error(err, DYADFIT_ERR_USAGE, "--stream: a Cox fit on several MPI ranks needs "
                        "each rank to read its own block of the file, which this file does not "
                        "allow (see docs/streaming.md): run it as one process");
    if (!(c->stmap = df_malloc(nl ? nl : 1, sizeof *c->stmap))) goto nomem;
    if (c->has_strata) {
        double wmax = 1;
        for (size_t u = 0; u < nl; u++) {
            double l = (double)strlen(b->stratcol.levels[u]) + 1;
            if (l > wmax) wmax = l;
        }
        if (df_smpi_max(&wmax, 1)) goto mpifail;
        size_t width = (size_t)wmax, G = 0;
        if (!(mine = df_calloc(nl ? nl : 1, width))) goto nomem;
        for (size_t u = 0; u < nl; u++)
            memcpy(mine + u * width, b->stratcol.levels[u], strlen(b->stratcol.levels[u]));
        if (df_smpi_union(mine, nl, width, &all, &G)) goto mpifail;
        for (size_t u = 0; u < nl; u++) {
            size_t lo = 0, hi = G;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (memcmp((char *)all + mid * width, mine + u * width, width) < 0) lo = mid + 1;
                else hi = mid;
            }
            c->stmap[u] = lo;
        }
        ns = G;
        free(mine);
        free(all);
        mine = NULL;
        all = NULL;
    } else if (nl) {
        c->stmap[0] = 0;
    }
    /* the sort check where one rank's block meets the next: per stratum
     * and rank, whether it has rows, its first and last stop and rows */
    if (!(v = df_calloc(p * ns * 6, sizeof *v))) goto nomem;
    for (size_t u = 0; u < nl; u++) {
        if (!b->firstrow || !b->firstrow[u]) continue;
        double *o = v + (me * ns + c->stmap[u]) * 6;
        o[0] = 1;
        o[1] = b->first[u];
        o[2] = b->last[u];
        o[3] = (double)b->firstrow[u];
        o[4] = (double)b->lastrow[u];
        o[5] = (double)b->count[u];
    }
    if (df_smpi_sum(v, p * ns * 6)) goto mpifail;
    /* each stratum's rows here and in the ranks before, and the strata
     * that span one point of the file at most (the sweep's k^2 slots) */
    double *gf = df_malloc(ns, sizeof *gf), *gl = df_malloc(ns, sizeof *gl);
    unsigned char *has = df_calloc(ns, 1);
    if (!(c->scount = df_calloc(ns, sizeof *c->scount)) ||
        !(c->sbelow = df_calloc(ns, sizeof *c->sbelow)) || !gf || !gl || !has) {
        free(gf);
        free(gl);
        free(has);
        goto nomem;
    }
    for (size_t s = 0; s < ns; s++)
        for (size_t q = 0; q < p; q++) {
            const double *o = v + (q * ns + s) * 6;
            if (!o[0]) continue;
            if (q == me) c->scount[s] = (size_t)o[5];
            if (q < me) c->sbelow[s] += (size_t)o[5];
            if (!has[s]) gf[s] = o[3];
            gl[s] = o[4];
            has[s] = 1;
        }
    c->scap = max_overlap(gf, gl, has, ns);
    free(gf);
    free(gl);
    free(has);
    if (!c->scap) goto nomem;
    for (size_t s = 0; s < ns && !rc; s++) {
        double lastt = -INFINITY, lastrow = 0;
        for (size_t q = 0; q < p && !rc; q++) {
            const double *o = v + (q * ns + s) * 6;
            if (!o[0]) continue;
            if (o[1] < lastt) {
                char now[40], before[40];
                df_format_num(o[1], now);
                df_format_num(lastt, before);
                rc = df_error(err, DYADFIT_ERR_DATA, "--stream: a Cox fit needs the rows sorted by "
                              "the stop time, ascending%s; row %.0f has stop %s after %s at row "
                              "%.0f (sort the file by %sstop time, or fit without --stream)",
                              c->has_strata ? " within each stratum" : "", o[3], now, before,
                              lastrow, c->has_strata ? "stratum and " : "");
            }
            lastt = o[2];
            lastrow = o[4];
        }
    }
    free(v);
    v = NULL;
    if (rc) return rc;
    /* event times: (global stratum, time) records, their union */
    for (size_t q = 0; q < b->nev; q++) b->ev[q].s = c->stmap[b->ev[q].s];
    size_t nall = 0;
    if (df_smpi_union(b->ev, b->nev, sizeof *b->ev, &all, &nall)) goto mpifail;
    free(b->ev);
    b->ev = all;
    b->nev = b->evcap = nall;
    all = NULL;
    if (df_smpi_sum_size(&c->nevents, 1)) goto mpifail;
    /* means and sums of squares: n, mean, M2 per column from every rank */
    size_t w = 1 + 2 * k;
    if (!(v = df_calloc(p * w, sizeof *v))) goto nomem;
    double nr = (double)c->nlocal;
    v[me * w] = nr;
    for (size_t j = 0; nr > 0 && j < k; j++) {
        v[me * w + 1 + j] = b->x0[j] + b->xs1[j] / nr;
        v[me * w + 1 + k + j] = b->xs2[j] - b->xs1[j] * b->xs1[j] / nr;
    }
    if (df_smpi_sum(v, p * w)) goto mpifail;
    if (!b->x0 && (!(b->x0 = df_malloc(k, sizeof *b->x0)) || !(b->xs1 = df_malloc(k, sizeof *b->xs1)) ||
                   !(b->xs2 = df_malloc(k, sizeof *b->xs2))))
        goto nomem;
    for (size_t j = 0; j < k; j++) {
        double n = 0, mean = 0, m2 = 0;
        for (size_t q = 0; q < p; q++) {
            double nq = v[q * w];
            if (!(nq > 0)) continue;
            double mq = v[q * w + 1 + j], d = mq - mean, tot = n + nq;
            m2 += v[q * w + 1 + k + j] + d * d * n * nq / tot;
            mean += d * nq / tot;
            n = tot;
        }
        b->x0[j] = mean;   /* cox_summary: mean = x0 + xs1 / n, ss = xs2 - xs1^2 / n */
        b->xs1[j] = 0;
        b->xs2[j] = m2;
    }
    free(v);
    c->ns = ns;
    return 0;
nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, Cox over MPI ranks)");
    goto out;
mpifail:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed (Cox strata and event times)");
out:
    free(mine);
    free(all);
    free(v);
    return rc;
}

static int mpi_merge(build_ctx *b, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    df_design *s = c->d;
    int rc;
    rc = df_smpi_agree(mpi_columns(b, err), err);
    if (rc) return rc;
    size_t nd = s->ndrops, cnt[3] = {s->n, s->nrow_source, s->ndropped};
    double dnd = (double)nd;
    if (df_smpi_max(&dnd, 1)) return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed");
    rc = (size_t)dnd == nd ? 0 : df_error(err, DYADFIT_ERR_SYSTEM, "--stream: ranks disagree "
                                          "on the model's variables");
    if ((rc = df_smpi_agree(rc, err))) return rc;
    size_t *dc = df_malloc(nd ? nd : 1, sizeof *dc);
    if (!dc) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t u = 0; u < nd; u++) dc[u] = s->drops[u].rows;
    double sums[3] = {c->sw, c->swy, c->sw1y};
    if (df_smpi_sum_size(cnt, 3) || df_smpi_sum_size(dc, nd) || df_smpi_sum(sums, 3) ||
        (c->kall && df_smpi_max(c->xmax, c->kall))) {
        free(dc);
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed");
    }
    s->n = cnt[0];
    s->nrow_source = cnt[1];
    s->ndropped = cnt[2];
    for (size_t u = 0; u < nd; u++) s->drops[u].rows = dc[u];
    free(dc);
    c->sw = sums[0];
    c->swy = sums[1];
    c->sw1y = sums[2];
    double maxm = (double)c->maxm;   /* every rank's blocks fit every rank's buffers */
    df_smpi_max(&maxm, 1);
    c->maxm = (size_t)maxm;
    if (c->has_cl && (rc = df_smpi_agree(mpi_clusters(b, err), err))) return rc;
    if (c->cox) rc = df_smpi_agree(mpi_cox(b, err), err);
    return rc;
}

static int cmp_evtime(const void *pa, const void *pb)
{
    const cox_evtime *a = pa, *b = pb;
    if (a->s != b->s) return a->s < b->s ? -1 : 1;
    return (a->t > b->t) - (a->t < b->t);
}

/* Cox: the event-time table by stratum, the columns' means and sds. */
static int cox_summary(build_ctx *b, dyadfit_error *err)
{
    df_stream_cache *c = b->c;
    size_t k = c->kall, ns = c->ns ? c->ns : 1, n = c->d->n;
    c->ns = ns;
    if (b->nev) qsort(b->ev, b->nev, sizeof *b->ev, cmp_evtime);
    if (!(c->dfirst = df_calloc(ns + 1, sizeof *c->dfirst)) ||
        !(c->dtime = df_malloc(b->nev ? b->nev : 1, sizeof *c->dtime)) ||
        !(c->xmean = df_malloc(k, sizeof *c->xmean)) || !(c->xsd = df_malloc(k, sizeof *c->xsd)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, Cox event times)");
    for (size_t q = 0; q < b->nev; q++) {
        c->dtime[q] = b->ev[q].t;
        c->dfirst[b->ev[q].s + 1]++;
    }
    for (size_t u = 0; u < ns; u++) c->dfirst[u + 1] += c->dfirst[u];
    if (!c->scount) {   /* one process (MPI: mpi_cox made them) */
        double *f = df_malloc(ns, sizeof *f), *l = df_malloc(ns, sizeof *l);
        unsigned char *has = df_calloc(ns, 1);
        if (!(c->scount = df_calloc(ns, sizeof *c->scount)) || !f || !l || !has) {
            free(f);
            free(l);
            free(has);
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, Cox strata)");
        }
        for (size_t u = 0; u < ns && u < b->lastcap; u++) {
            c->scount[u] = b->count[u];
            has[u] = b->count[u] > 0;
            f[u] = (double)b->firstrow[u];
            l[u] = (double)b->lastrow[u];
        }
        c->scap = max_overlap(f, l, has, ns);
        free(f);
        free(l);
        free(has);
        if (!c->scap) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, Cox strata)");
    }
    for (size_t j = 0; j < k; j++) {
        double s1 = b->xs1 ? b->xs1[j] : 0, s2 = b->xs2 ? b->xs2[j] : 0;
        double ss = s2 - s1 * s1 / (double)n;
        double sd = n > 1 && ss > 0 ? sqrt(ss / (double)(n - 1)) : 0;
        c->xmean[j] = (b->x0 ? b->x0[j] : 0) + s1 / (double)n;
        c->xsd[j] = sd > 0 ? sd : 1;
    }
    return 0;
}

int df_stream_cache_build(const char *path, const dyadfit_model *m,
                          size_t chunk_rows, df_stream_cache *c,
                          dyadfit_error *err)
{
    build_ctx b;
    int rc;
    memset(c, 0, sizeof *c);
    memset(&b, 0, sizeof b);
    b.m = m;
    b.c = c;
    b.path = path;
    b.chunk_rows = chunk_rows;
    b.cl_string = -1;
    b.rank = df_smpi_rank();
    b.size = df_smpi_size();
    b.spec.formula = m->formula;
    b.spec.weights = m->weights;
    b.spec.offset = m->offset;
    /* 0/1 is checked here: a chunk may hold only zeros (a constant outcome
     * is an error only for the whole data) */
    b.spec.binary_response = 0;
    if (m->vce == DYADFIT_VCE_CLUSTER) b.spec.cluster[0] = m->cluster[0];
    c->cox = m->estimator == DYADFIT_COX;
    b.spec.keep_columns = c->cox;
    b.spec.event01 = c->cox;
    if (c->cox && !(b.stdict = df_strdict_new(&b.stratcol))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto done;
    }
    c->has_w = m->weights != NULL;
    c->has_off = m->offset != NULL;
    c->has_cl = b.spec.cluster[0] != NULL;
    if (!(c->d = df_calloc(1, sizeof *c->d)) || !(b.sdict = df_strdict_new(&b.strcol)))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    else
        rc = dyadfit_model_variables(m, &b.vars, &b.nvars, err);
    /* several ranks add up their counts per variable: the same list, in
     * the same order, on every rank */
    for (size_t v = 0; !rc && b.size > 1 && v < b.nvars; v++)
        if (add_drops(c->d, b.vars[v], 0))
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    if (!rc && !(c->f = df_stream_tmpfile("the design cache", err))) rc = err->code;
    /* a rank that fails here (TMPDIR full on its node) fails them all,
     * rather than leave the others waiting in the read's collectives */
    if ((rc = df_smpi_agree(rc, err))) goto done;
    rc = df_stream_read(path, (const char *const *)b.vars, b.nvars, chunk_rows, b.rank, b.size,
                        &b.whole, on_chunk, &b, err);
    if ((rc = df_smpi_agree(rc, err))) goto done;
    c->nlocal = c->d->n;
    c->whole = b.whole;
    if (b.size > 1 && (rc = mpi_merge(&b, err))) goto done;
    if (c->d->n == 0) {
        rc = df_error(err, DYADFIT_ERR_DATA, "no rows left: all %zu rows have a missing value",
                      c->d->nrow_source);
        goto done;
    }
    /* from here a step can fail on one rank alone (its memory, its disk):
     * every rank reaches the agreement below either way */
    rc = collinear(&b, err);
    if (!rc && c->cox) rc = cox_summary(&b, err);
    if (!rc && fflush(c->f) != 0)
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "--stream: cannot write the design cache: %s",
                      strerror(errno));
    rc = df_smpi_agree(rc, err);
done:
    for (size_t v = 0; v < b.nvars; v++) free(b.vars[v]);
    free(b.vars);
    free(b.A);
    free(b.tau);
    free(b.work);
    free(b.keys);
    free(b.ids);
    df_strdict_free(b.sdict);
    df_column_free(&b.strcol);
    df_strdict_free(b.stdict);
    df_column_free(&b.stratcol);
    free(b.last);
    free(b.lastev);
    free(b.lastrow);
    free(b.first);
    free(b.firstrow);
    free(b.count);
    free(b.ev);
    free(b.x0);
    free(b.xs1);
    free(b.xs2);
    return rc;
}

void df_stream_cache_free(df_stream_cache *c)
{
    if (c->f) fclose(c->f);
    free(c->xmax);
    free(c->drop);
    free(c->clmap);
    free(c->stmap);
    free(c->scount);
    free(c->sbelow);
    free(c->xmean);
    free(c->xsd);
    free(c->dfirst);
    free(c->dtime);
    free(c->boff);
    df_design_free(c->d);
    memset(c, 0, sizeof *c);
}

int df_stream_block_alloc(const df_stream_cache *c, df_stream_block *b)
{
    size_t m = c->maxm ? c->maxm : 1;
    memset(b, 0, sizeof *b);
    b->y = df_malloc(m, sizeof *b->y);
    b->X = df_malloc(m, c->kall * sizeof *b->X);
    if (c->has_w) b->w = df_malloc(m, sizeof *b->w);
    if (c->has_off) b->off = df_malloc(m, sizeof *b->off);
    if (c->has_cl) b->cl = df_malloc(m, sizeof *b->cl);
    if (c->cox) b->stop = df_malloc(m, sizeof *b->stop);
    if (c->has_start) b->start = df_malloc(m, sizeof *b->start);
    if (c->has_strata) b->st = df_malloc(m, sizeof *b->st);
    if (!b->y || !b->X || (c->has_w && !b->w) || (c->has_off && !b->off) ||
        (c->has_cl && !b->cl) || (c->cox && !b->stop) || (c->has_start && !b->start) ||
        (c->has_strata && !b->st)) {
        df_stream_block_free(b);
        return -1;
    }
    return 0;
}

void df_stream_block_free(df_stream_block *b)
{
    free(b->y);
    free(b->w);
    free(b->off);
    free(b->X);
    free(b->cl);
    free(b->stop);
    free(b->start);
    free(b->st);
    memset(b, 0, sizeof *b);
}

int df_stream_rewind(df_stream_cache *c, dyadfit_error *err)
{
    if (fseeko(c->f, 0, SEEK_SET) != 0)
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: cannot rewind the design cache: %s",
                        strerror(errno));
    return 0;
}

static int read_all(FILE *f, void *p, size_t size, size_t n, dyadfit_error *err)
{
    if (n && fread(p, size, n, f) != n)
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: the design cache is truncated");
    return 0;
}

int df_stream_next(df_stream_cache *c, df_stream_block *b, dyadfit_error *err)
{
    uint64_t m;
    if (fread(&m, sizeof m, 1, c->f) != 1) {
        if (feof(c->f)) return 1;
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: cannot read the design cache: %s",
                        strerror(errno));
    }
    if (m > c->maxm) return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: corrupt design cache");
    b->m = (size_t)m;
    int rc;
    if ((rc = read_all(c->f, b->y, sizeof *b->y, b->m, err)) ||
        (c->has_w && (rc = read_all(c->f, b->w, sizeof *b->w, b->m, err))) ||
        (c->has_off && (rc = read_all(c->f, b->off, sizeof *b->off, b->m, err))) ||
        (rc = read_all(c->f, b->X, sizeof *b->X, c->kall * b->m, err)) ||
        (c->has_cl && (rc = read_all(c->f, b->cl, sizeof *b->cl, b->m, err))) ||
        (c->cox && (rc = read_all(c->f, b->stop, sizeof *b->stop, b->m, err))) ||
        (c->has_start && (rc = read_all(c->f, b->start, sizeof *b->start, b->m, err))) ||
        (c->has_strata && (rc = read_all(c->f, b->st, sizeof *b->st, b->m, err))))
        return rc;
    return 0;
}

int df_stream_read_block(df_stream_cache *c, size_t j, df_stream_block *b,
                         dyadfit_error *err)
{
    if (j >= c->nblk || fseeko(c->f, (off_t)c->boff[j], SEEK_SET) != 0)
        return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: cannot seek in the design cache: %s",
                        strerror(errno));
    int rc = df_stream_next(c, b, err);
    return rc == 1 ? df_error(err, DYADFIT_ERR_SYSTEM, "--stream: the design cache is "
                              "truncated") : rc;
}
