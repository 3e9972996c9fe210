/*
 * design.c -- df_design_build: formula -> (X, y, w, offset, cluster ids).
 *
 * Steps: parse and expand the formula (formula.c); check the functions and
 * collect every raw variable the model uses; look them up (unknown names get
 * a "did you mean"); delete rows missing in any of them, once; check the
 * response, weights and offset; evaluate the variables and expand the terms
 * (terms.c); drop collinear columns; number the clusters.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../util/util.h"
#include "design_int.h"
#include "utf8.h"

#include <cblas.h>
#include <float.h>
#include "../util/lapack.h"

#define DF_COLLINEAR_TOL 1e-7   /* R's lm.fit / dqrdc2 default */
#define DF_QR_BLOCK 1024        /* rows per block in the streaming QR */
#define DF_MASK_CHUNK 8192      /* rows per chunk of the listwise-deletion pass */

/* ----------------------------------------------------------- lookup */


static int not_found(const dyadfit_table *t, const char *name, const char *role,
                     dyadfit_error *err)
{
    size_t best = (size_t)-1, bj = 0, len = strlen(name);
    size_t lim = len / 3 < 1 ? 1 : (len / 3 > 3 ? 3 : len / 3);
    for (size_t j = 0; j < t->ncol; j++) {
        size_t d = df_edit_distance(name, t->cols[j].name);
        if (d < best) { best = d; bj = j; }
    }
    if (best <= lim)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "%s '%s' not found in the data; did you mean '%s'?", role, name,
                        t->cols[bj].name);
    return df_error(err, DYADFIT_ERR_SPEC, "%s '%s' not found in the data", role, name);
}

/* ------------------------------------------------------ collinearity */

static double norm2(const double *x, size_t n)
{
    double scale = 0, ss = 1;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(x[i]);
        if (a == 0) continue;
        if (scale < a) { ss = 1 + ss * (scale / a) * (scale / a); scale = a; }
        else ss += (a / scale) * (a / scale);
    }
    return scale * sqrt(ss);
}

/* Marks in drop[] the columns that are linear combinations of earlier ones,
 * with the semantics of R's dqrdc2 (lm, glm): Householder QR in column
 * order; a column whose residual norm falls below tol times its original
 * norm moves to the end and is dropped. The n x k matrix is first reduced to
 * its k x k triangular factor R by a streaming QR over row blocks
 * ([R; X_block] -> R), which costs O(n k^2), needs no copy of X and loses no
 * accuracy to squaring, as a cross-product matrix would. X P = Q (R P), so
 * pivoting R gives the same decisions as pivoting X. */
/* 1 when no column of X can be dropped by the QR below, proven from the
 * cross-product: with D = diag(||x_j||), every column's residual norm after
 * projection on any other columns, relative to its norm, is at least
 * sigma_min(X D^-1) = sqrt(lambda_min(D^-1 X'X D^-1)). The computed X'X
 * differs from the exact one by |E| <= gamma_n |X|'|X| (any summation order,
 * FMA or not), so in the scaled matrix ||E||_2 <= k gamma_n (Cauchy-Schwarz
 * per entry); by Weyl the exact lambda_min is at least the computed one minus
 * that (plus dsyevr's O(k u) error). Accepting only lambda_min >= 1e-4 with
 * k gamma_n <= 1e-6 leaves every relative residual above ~1e-2, five orders
 * above the 1e-7 tolerance and far beyond the rounding of the QR, so the QR
 * would keep every column: the decisions are those of the QR. Costs one
 * dsyrk pass over X instead of the streamed QR; -1 on allocation failure. */
static int provably_full_rank(const double *X, size_t n, size_t k)
{
    const double u = DBL_EPSILON / 2;
    double nu = (double)n * u;
    /* n > INT_MAX: 32-bit BLAS cannot take n as a dimension or leading
     * dimension; the blocked QR below handles any n */
    if (k == 0 || n < k || nu >= 0.01 || k > 2000 || n > INT_MAX) return 0;
    double gam = nu / (1 - nu);
    if ((double)k * gam > 1e-6) return 0;
    int ik = (int)k, ok = 0, info = 0, m = 0, one = 1;
    double *G = df_malloc(k, k * sizeof *G), *dd = df_malloc(k, sizeof *dd);
    double *w = df_malloc(k, sizeof *w), *z = df_malloc(k, sizeof *z), wq = 0;
    int *isuppz = df_malloc(2 * k, sizeof *isuppz), iwq = 0;
    double *work = NULL;
    int *iwork = NULL;
    if (!G || !dd || !w || !z || !isuppz) { ok = -1; goto done; }
    cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, ik, (int)n, 1.0, X, (int)n,
                0.0, G, ik);
    for (size_t j = 0; j < k; j++) {
        dd[j] = sqrt(G[j * k + j]);
        if (!(dd[j] > 0) || !isfinite(dd[j])) goto done;
    }
    for (size_t j = 0; j < k; j++)
        for (size_t i = j; i < k; i++) G[j * k + i] /= dd[i] * dd[j];
    /* the smallest eigenvalue only */
    double vl = 0, vu = 0, abstol = 0;
    int lwork = -1, liwork = -1;
    dsyevr_("N", "I", "L", &ik, G, &ik, &vl, &vu, &one, &one, &abstol, &m, w, z, &ik,
            isuppz, &wq, &lwork, &iwq, &liwork, &info);
    if (info != 0) goto done;
    lwork = (int)wq;
    liwork = iwq;
    if (!(work = df_malloc((size_t)lwork, sizeof *work)) ||
        !(iwork = df_malloc((size_t)liwork, sizeof *iwork))) { ok = -1; goto done; }
    dsyevr_("N", "I", "L", &ik, G, &ik, &vl, &vu, &one, &one, &abstol, &m, w, z, &ik,
            isuppz, work, &lwork, iwork, &liwork, &info);
    if (info != 0 || m != 1) goto done;
    ok = w[0] >= 1e-4;
done:
    free(G); free(dd); free(w); free(z); free(isuppz); free(work); free(iwork);
    return ok;
}

int df_design_find_collinear(const double *X, size_t n, size_t k,
                             unsigned char *drop, dyadfit_error *err)
{
    int rc = DYADFIT_ERR_SYSTEM;
    int fast = provably_full_rank(X, n, k);
    if (fast < 0) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory checking collinearity");
    if (fast) {
        memset(drop, 0, k);
        return 0;
    }
    size_t b = DF_QR_BLOCK, lda = k + b;
    double *A = NULL, *tau = NULL, *work = NULL, *R = NULL, *nrm = NULL;
    size_t *perm = NULL;
    if (k > 46000) return df_error(err, DYADFIT_ERR_SPEC, "too many columns (%zu)", k);
    int ik = (int)k, ilda = (int)lda, info = 0, lwork = -1;
    double wq;
    if (!(A = df_calloc(lda, k * sizeof *A)) || !(tau = df_malloc(k, sizeof *tau)) ||
        !(R = df_malloc(k, k * sizeof *R)) || !(nrm = df_malloc(k, sizeof *nrm)) ||
        !(perm = df_malloc(k, sizeof *perm)))
        goto done;
    dgeqrf_(&ilda, &ik, A, &ilda, tau, &wq, &lwork, &info);
    lwork = (int)wq > ik ? (int)wq : ik;
    if (!(work = df_malloc((size_t)lwork, sizeof *work))) goto done;
    for (size_t i0 = 0; i0 < n; i0 += b) {
        size_t m = n - i0 < b ? n - i0 : b;
        for (size_t j = 0; j < k; j++) {
            /* clear the Householder vectors below R's diagonal */
            for (size_t i = j + 1; i < k; i++) A[j * lda + i] = 0;
            memcpy(A + j * lda + k, X + j * n + i0, m * sizeof *A);
        }
        int im = (int)(k + m);
        dgeqrf_(&im, &ik, A, &ilda, tau, work, &lwork, &info);
        if (info != 0) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "dgeqrf failed (info %d)", info);
            goto done;
        }
    }
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i < k; i++) R[j * k + i] = (i <= j && n > 0) ? A[j * lda + i] : 0;
    /* dqrdc2's limited pivoting on R, residual norms recomputed exactly */
    for (size_t j = 0; j < k; j++) {
        nrm[j] = norm2(R + j * k, k);
        if (nrm[j] == 0) nrm[j] = 1;   /* zero column: residual 0 < tol */
        perm[j] = j;
    }
    size_t active = k;
    for (size_t l = 0; l < active; l++) {
        while (l < active && norm2(R + l * k + l, k - l) < DF_COLLINEAR_TOL * nrm[l]) {
            /* move column l to the end */
            double *tmp = work;   /* lwork >= k */
            size_t pl = perm[l];
            double nl = nrm[l];
            memcpy(tmp, R + l * k, k * sizeof *tmp);
            memmove(R + l * k, R + (l + 1) * k, (k - l - 1) * k * sizeof *R);
            memcpy(R + (k - 1) * k, tmp, k * sizeof *tmp);
            memmove(perm + l, perm + l + 1, (k - l - 1) * sizeof *perm);
            memmove(nrm + l, nrm + l + 1, (k - l - 1) * sizeof *nrm);
            perm[k - 1] = pl;
            nrm[k - 1] = nl;
            active--;
        }
        if (l >= active || l + 1 >= k) break;
        /* Householder reflection zeroing R[l+1.., l], applied to the rest */
        double *v = R + l * k;
        double alpha = norm2(v + l, k - l);
        if (v[l] > 0) alpha = -alpha;
        double v0 = v[l] - alpha;
        double vn2 = v0 * v0;
        for (size_t i = l + 1; i < k; i++) vn2 += v[i] * v[i];
        if (vn2 == 0) continue;
        for (size_t j = l + 1; j < k; j++) {
            double *c = R + j * k;
            double s = v0 * c[l];
            for (size_t i = l + 1; i < k; i++) s += v[i] * c[i];
            s = 2 * s / vn2;
            c[l] -= s * v0;
            for (size_t i = l + 1; i < k; i++) c[i] -= s * v[i];
        }
        v[l] = alpha;
        for (size_t i = l + 1; i < k; i++) v[i] = 0;
    }
    memset(drop, 0, k);
    for (size_t j = active; j < k; j++) drop[perm[j]] = 1;
    rc = 0;
done:
    if (rc == DYADFIT_ERR_SYSTEM && err && err->code != DYADFIT_ERR_SYSTEM)
        df_error(err, rc, "out of memory checking collinearity");
    free(A);
    free(tau);
    free(work);
    free(R);
    free(nrm);
    free(perm);
    return rc;
}

/* ---------------------------------------------------------- clusters */

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Dense ids of 64-bit keys in order of first appearance: open addressing,
 * load factor <= 1/2, grown by doubling. Sized by the number of distinct
 * keys (49,000 dyads), not by the rows (2M): the table stays in cache and
 * no n-sized memory is touched. */
typedef struct {
    uint64_t *key;
    size_t *val;
    size_t cap, g;
} id_hash;

static int id_hash_init(id_hash *h)
{
    h->cap = 1024;
    h->g = 0;
    h->key = df_malloc(h->cap, sizeof *h->key);
    h->val = df_malloc(h->cap, sizeof *h->val);
    if (!h->key || !h->val) return -1;
    for (size_t j = 0; j < h->cap; j++) h->val[j] = (size_t)-1;
    return 0;
}

static void id_hash_free(id_hash *h)
{
    free(h->key);
    free(h->val);
}

static int id_hash_grow(id_hash *h)
{
    size_t cap = 2 * h->cap;
    uint64_t *key = df_malloc(cap, sizeof *key);
    size_t *val = df_malloc(cap, sizeof *val);
    if (!key || !val) { free(key); free(val); return -1; }
    for (size_t j = 0; j < cap; j++) val[j] = (size_t)-1;
    for (size_t j = 0; j < h->cap; j++) {
        if (h->val[j] == (size_t)-1) continue;
        size_t p = (size_t)hash64(h->key[j]) & (cap - 1);
        while (val[p] != (size_t)-1) p = (p + 1) & (cap - 1);
        key[p] = h->key[j];
        val[p] = h->val[j];
    }
    id_hash_free(h);
    h->key = key;
    h->val = val;
    h->cap = cap;
    return 0;
}

/* The id of kk, a new one (the next) when unseen; (size_t)-1 out of memory. */
static inline size_t id_hash_get(id_hash *h, uint64_t kk)
{
    size_t p = (size_t)hash64(kk) & (h->cap - 1);
    while (h->val[p] != (size_t)-1 && h->key[p] != kk) p = (p + 1) & (h->cap - 1);
    if (h->val[p] != (size_t)-1) return h->val[p];
    if (2 * (h->g + 1) > h->cap) {
        if (id_hash_grow(h)) return (size_t)-1;
        p = (size_t)hash64(kk) & (h->cap - 1);
        while (h->val[p] != (size_t)-1) p = (p + 1) & (h->cap - 1);
    }
    h->key[p] = kk;
    return h->val[p] = h->g++;
}

/* Dense ids 0..G-1 in order of first appearance over rows[0..n-1]. */
static int cluster_ids(const df_column *c, const size_t *rows, size_t n,
                       size_t *id, size_t *ng)
{
    size_t g = 0;
    if (c->type == DF_COL_STRING) {
        size_t *map = df_malloc(c->nlevels ? c->nlevels : 1, sizeof *map);
        if (!map) return -1;
        for (size_t j = 0; j < c->nlevels; j++) map[j] = (size_t)-1;
        for (size_t i = 0; i < n; i++) {
            size_t *m = &map[c->code[rows[i]]];
            if (*m == (size_t)-1) *m = g++;
            id[i] = *m;
        }
        free(map);
    } else {
        id_hash h;
        if (id_hash_init(&h)) { id_hash_free(&h); return -1; }
        for (size_t i = 0; i < n; i++) {
            double x = c->num[rows[i]];
            if (x == 0) x = 0;   /* -0 and 0 are one cluster */
            uint64_t bits;
            memcpy(&bits, &x, sizeof bits);
            if ((id[i] = id_hash_get(&h, bits)) == (size_t)-1) { id_hash_free(&h); return -1; }
        }
        g = h.g;
        id_hash_free(&h);
    }
    *ng = g;
    return 0;
}

/* Combines per-variable ids a (dense, < na) and b into dense ids of the
 * pair, in order of first appearance; a is overwritten. */
static int combine_ids(size_t *a, const size_t *b, size_t nb, size_t n, size_t *ng)
{
    id_hash h;
    if (id_hash_init(&h)) { id_hash_free(&h); return -1; }
    for (size_t i = 0; i < n; i++) {
        uint64_t kk = (uint64_t)a[i] * (uint64_t)nb + (uint64_t)b[i];
        if ((a[i] = id_hash_get(&h, kk)) == (size_t)-1) { id_hash_free(&h); return -1; }
    }
    *ng = h.g;
    id_hash_free(&h);
    return 0;
}

static int is_call(const df_expr *e, const char *name)
{
    return e && e->kind == DF_X_CALL && !strcmp(e->text, name);
}

/* Removes the strata(...) calls that are terms of the top-level sum of e,
 * appending them to list; returns what is left (NULL when nothing). */
static df_expr *pull_strata(df_expr *e, df_expr **list, size_t *n, size_t cap)
{
    if (is_call(e, "strata") && *n < cap) {
        list[(*n)++] = e;
        return NULL;
    }
    if (e->kind != DF_X_BIN || (e->op != '+' && e->op != '-')) return e;
    df_expr *l = pull_strata(e->l, list, n, cap);
    df_expr *r = e->op == '+' ? pull_strata(e->r, list, n, cap) : e->r;
    e->l = l;
    e->r = r;
    if (l && r) return e;
    df_expr *keep = l ? l : r;
    if (!l && r && e->op == '-') return e;   /* "- x" alone: left to the checks */
    e->l = e->r = NULL;
    df_expr_free(e);
    return keep;
}

/* 1 when a strata() call is anywhere in e */
static int has_call(const df_expr *e, const char *name)
{
    if (!e) return 0;
    if (is_call(e, name)) return 1;
    if (has_call(e->l, name) || has_call(e->r, name)) return 1;
    for (size_t i = 0; i < e->nargs; i++)
        if (has_call(e->args[i], name)) return 1;
    return 0;
}

/* Surv() values over the rows used: times finite, start < stop, event 0/1
 * (1/2 read as survival does: when the largest value is 2, 2 is the event
 * and 1 a censoring). Errors name the 1-based source row. */
static int surv_values(const dyadfit_table *t, const df_expr *sv, df_design *d,
                       const char *f, int event01, dyadfit_error *err)
{
    size_t n = d->n, na = sv->nargs;
    static const char *argname[2][3] = {{"time", "event", ""}, {"start", "stop", "event"}};
    double *v[3] = {NULL, NULL, NULL};
    int rc = 0;
    for (size_t a = 0; a < na; a++) {
        df_varval vv;
        char *label = df_deparse_str(sv->args[a]);
        if (!label) { rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory"); goto done; }
        rc = df_var_eval(t, sv->args[a], label, d->rows, n, &vv, err);
        if (!rc && vv.factor) {
            df_varval_free(&vv);
            rc = df_error(err, DYADFIT_ERR_SPEC, "formula \"%.60s\": Surv() %s '%s' must be numeric",
                          f, argname[na == 3][a], label);
        }
        if (!rc) {
            v[a] = vv.val;
            for (size_t i = 0; i < n && !rc; i++)
                if (!isfinite(v[a][i]))
                    rc = df_error(err, DYADFIT_ERR_DATA, "Surv() %s '%s' is infinite at row %zu",
                                  argname[na == 3][a], label, d->rows[i] + 1);
        }
        free(label);
        if (rc) goto done;
    }
    double *ev = v[na - 1], mx = -INFINITY;
    for (size_t i = 0; i < n; i++) if (ev[i] > mx) mx = ev[i];
    double shift = mx == 2 && !event01 ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        double e = ev[i] - shift;
        if (e != 0 && e != 1) {
            char b[40];
            df_format_num(ev[i], b);
            rc = df_error(err, DYADFIT_ERR_DATA, event01
                          ? "Surv() event must be 0/1 with --stream (recode 1/2 events: the "
                            "coding is not known until the whole file is read); found %s at row %zu"
                          : "Surv() event must be 0/1 (or 1/2); found %s at row %zu",
                          b, d->rows[i] + 1);
            goto done;
        }
        ev[i] = e;
    }
    if (na == 3)
        for (size_t i = 0; i < n; i++)
            if (!(v[1][i] > v[0][i])) {
                char b0[40], b1[40];
                df_format_num(v[0][i], b0);
                df_format_num(v[1][i], b1);
                rc = df_error(err, DYADFIT_ERR_DATA,
                              "Surv(): the stop time (%s) is not after the start time (%s) at row %zu",
                              b1, b0, d->rows[i] + 1);
                goto done;
            }
    free(d->y);
    d->y = ev;
    v[na - 1] = NULL;
    if (na == 3) { d->start = v[0]; d->stop = v[1]; v[0] = v[1] = NULL; }
    else { d->stop = v[0]; v[0] = NULL; }
done:
    for (int a = 0; a < 3; a++) free(v[a]);
    return rc;
}

/* ------------------------------------------------------------- build */

void df_design_free(df_design *d)
{
    if (!d) return;
    free(d->X);
    free(d->y);
    free(d->w);
    free(d->offset);
    free(d->cl[0]);
    free(d->cl[1]);
    if (d->terms) for (size_t j = 0; j < d->k; j++) free(d->terms[j]);
    free(d->terms);
    free(d->response);
    free(d->formula);
    free(d->rows);
    if (d->drops) for (size_t j = 0; j < d->ndrops; j++) free(d->drops[j].variable);
    free(d->drops);
    if (d->collinear) for (size_t j = 0; j < d->ncollinear; j++) free(d->collinear[j]);
    free(d->collinear);
    free(d->start);
    free(d->stop);
    free(d->strata);
    free(d->group[0]);
    free(d->group[1]);
    free(d->utf8_first);
    free(d);
}

static int check_response(const df_design *d, const df_column *yc, int binary,
                          dyadfit_error *err)
{
    size_t n = d->n;
    const double *y = d->y;
    if (binary) {
        double bad[5];
        size_t badrow[5], nbad = 0, more = 0;
        for (size_t i = 0; i < n; i++) {
            if (y[i] == 0 || y[i] == 1) continue;
            size_t j;
            for (j = 0; j < nbad; j++)
                if (bad[j] == y[i] || (isinf(bad[j]) && bad[j] == y[i])) break;
            if (j < nbad) continue;
            if (nbad < 5) { bad[nbad] = y[i]; badrow[nbad++] = d->rows[i] + 1; }
            else more = 1;
        }
        if (nbad) {
            char msg[400], num[40];
            size_t off = 0;
            for (size_t j = 0; j < nbad; j++) {
                df_format_num(bad[j], num);
                off += (size_t)snprintf(msg + off, sizeof msg - off, "%s%s (row %zu)",
                                        j ? ", " : "", num, badrow[j]);
                if (off >= sizeof msg) break;
            }
            return df_error(err, DYADFIT_ERR_SPEC, "outcome '%s' must be 0/1; found %s%s",
                            yc->name, msg, more ? ", ..." : "");
        }
        size_t i;
        for (i = 1; i < n; i++) if (y[i] != y[0]) break;
        if (i == n)
            return df_error(err, DYADFIT_ERR_DATA, "outcome '%s' is always %g in the %zu rows used",
                            yc->name, y[0], n);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return df_error(err, DYADFIT_ERR_DATA, "outcome '%s' is infinite at row %zu",
                            yc->name, d->rows[i] + 1);
    return 0;
}

/* Column names are UTF-8: a factor level read from an old file in Latin-1
 * ("caf\xe9") is converted (utf8.h), so that every report, and a saved
 * fit's terms compared with a rebuilt design, see the same text. */
static int utf8_names(df_design *d, char **names, size_t k, dyadfit_error *err)
{
    for (size_t j = 0; j < k; j++) {
        if (df_utf8_valid(names[j])) continue;
        char *u = df_utf8_dup(names[j]);
        if (!u || (!d->utf8_first && !(d->utf8_first = df_strdup(u)))) {
            free(u);
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        }
        free(names[j]);
        names[j] = u;
        d->nutf8++;
    }
    return DYADFIT_OK;
}

/* The response among the variables of one right-hand-side variable
 * expression: `y ~ y` or `y ~ x + log(y + 1)` (a model of y on itself);
 * for a Surv() response, its event variable (`Surv(t, e) ~ x + e`). */
static int response_on_rhs(const char *f, const char *yname, int event,
                           const df_expr *var, const char *varname,
                           dyadfit_error *err)
{
    char **names = NULL;
    size_t nnames = 0, cap = 0, i;
    int rc = df_expr_check(f, var, 1, &names, &nnames, &cap, err);
    if (rc) return rc;
    for (i = 0; i < nnames; i++)
        if (!strcmp(names[i], yname)) break;
    if (i < nnames) {
        const char *what = event ? "the event variable" : "the response";
        rc = !strcmp(varname, yname)
            ? df_error(err, DYADFIT_ERR_SPEC, "formula \"%.60s\": %s '%s' "
                       "also appears on the right-hand side", f, what, yname)
            : df_error(err, DYADFIT_ERR_SPEC, "formula \"%.60s\": %s '%s' "
                       "also appears on the right-hand side, in %s", f, what,
                       yname, varname);
    }
    for (i = 0; i < nnames; i++) free(names[i]);
    free(names);
    return rc;
}

static int build(const dyadfit_table *t, const df_design_spec *spec, int surv,
                 df_design **out, dyadfit_error *err)
{
    df_expr *tree = NULL;
    df_terms tm;
    df_varval *vals = NULL;
    char **raw = NULL;          /* raw variable names of the terms */
    size_t nraw = 0, rawcap = 0;
    const char **used = NULL;   /* every variable, in formula order */
    const df_column **ucol = NULL;
    unsigned char *keep = NULL, *drop = NULL, *hasinf = NULL;
    double *Xall = NULL;
    char **names = NULL;
    size_t kall = 0, nused = 0;
    df_design *d = NULL;
    int rc = DYADFIT_ERR_SYSTEM;
    const char *f = spec && spec->formula ? spec->formula : "";
    const df_expr *sv = NULL;        /* the Surv() call */
    df_expr *strata[16];             /* strata() terms taken out of the tree */
    size_t nstrata = 0, nsurvraw = 0, nstraraw = 0;
    char *formula_text = NULL;       /* survival: deparsed before strata go */
    memset(&tm, 0, sizeof tm);
    *out = NULL;
    if (!t || !spec) return df_error(err, DYADFIT_ERR_USAGE, "no data or no model given");

    if ((rc = df_formula_parse(f, &tree, err))) goto done;
    if (is_call(tree->l, "Surv")) {
        if (!surv) {
            rc = df_error(err, DYADFIT_ERR_SPEC,
                          "formula \"%.60s\": a Surv() response needs the cox estimator", f);
            goto done;
        }
        sv = tree->l;
        if (sv->nargs < 2 || sv->nargs > 3) {
            rc = df_error(err, DYADFIT_ERR_SPEC,
                          "formula \"%.60s\": Surv() takes 2 arguments (time, event) or 3 "
                          "(start, stop, event); found %zu", f, sv->nargs);
            goto done;
        }
        for (size_t a = 0; a < sv->nargs; a++)
            if (sv->argnames[a]) {
                rc = df_error(err, DYADFIT_ERR_SPEC,
                              "formula \"%.60s\": write Surv()'s arguments by position, not as %s =",
                              f, sv->argnames[a]);
                goto done;
            }
        if (!(formula_text = df_deparse_str(tree))) { rc = DYADFIT_ERR_SYSTEM; goto done; }
        tree->r = pull_strata(tree->r, strata, &nstrata, sizeof strata / sizeof *strata);
        if (!tree->r || has_call(tree->r, "strata")) {
            rc = df_error(err, DYADFIT_ERR_SPEC, !tree->r
                          ? "formula \"%.60s\": the Cox model has no covariates"
                          : "formula \"%.60s\": strata() can only be added as a term (at most 16)", f);
            goto done;
        }
        for (size_t s2 = 0; s2 < nstrata; s2++)
            for (size_t a = 0; a < strata[s2]->nargs; a++)
                if (strata[s2]->args[a]->kind != DF_X_VAR || strata[s2]->argnames[a]) {
                    rc = df_error(err, DYADFIT_ERR_SPEC,
                                  "formula \"%.60s\": strata() takes variable names, as in strata(region)", f);
                    goto done;
                }
    } else if (surv) {
        rc = df_error(err, DYADFIT_ERR_SPEC,
                      "formula \"%.60s\": a Cox model needs a Surv(time, event) or "
                      "Surv(start, stop, event) response", f);
        goto done;
    }
    if (!sv && tree->l->kind != DF_X_VAR) {
        char *s = df_deparse_str(tree->l);
        rc = df_error(err, DYADFIT_ERR_SPEC,
                      "formula \"%.60s\": the response must be a variable name, not '%s'",
                      f, s ? s : "?");
        free(s);
        goto done;
    }
    const char *yname = sv ? "Surv" : tree->l->text;
    if (sv) {
        /* the Surv() and strata() variables come first in raw[] */
        for (size_t a = 0; a < sv->nargs; a++)
            if ((rc = df_expr_check(f, sv->args[a], 0, &raw, &nraw, &rawcap, err))) goto sdone;
        nsurvraw = nraw;
        for (size_t s2 = 0; s2 < nstrata; s2++)
            for (size_t a = 0; a < strata[s2]->nargs; a++)
                if ((rc = df_expr_check(f, strata[s2]->args[a], 0, &raw, &nraw, &rawcap, err)))
                    goto sdone;
        nstraraw = nraw - nsurvraw;
        rc = 0;
sdone:
        if (rc) goto done;
    }
    if ((rc = df_terms_expand(f, tree->r, &tm, err))) goto done;
    if (sv) tm.intercept = 1;        /* coxph: contrasts as with an intercept */
    for (size_t v = 0; v < tm.nvar; v++) {
        if ((rc = df_expr_check(f, tm.var[v], 1, &raw, &nraw, &rawcap, err))) goto done;
        /* the outcome on both sides; for Surv(), the event (a time
         * variable may fairly appear as a covariate) */
        const df_expr *ev = sv ? sv->args[sv->nargs - 1] : NULL;
        const char *outcome = !sv ? yname : ev->kind == DF_X_VAR ? ev->text : NULL;
        if (outcome && (rc = response_on_rhs(f, outcome, sv != NULL, tm.var[v],
                                             tm.varname[v], err)))
            goto done;
    }
    if (tm.nterm == 0 && !tm.intercept) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "formula \"%.60s\": the model has no terms and no intercept", f);
        goto done;
    }

    /* every variable: response, terms, weights, offset, clusters */
    rc = DYADFIT_ERR_SYSTEM;
    if (!(used = df_calloc(nraw + 7, sizeof *used)) ||
        !(ucol = df_calloc(nraw + 7, sizeof *ucol)))
        goto done;
    const char **role = NULL;
    if (!(role = df_calloc(nraw + 7, sizeof *role))) goto done;
    const char *extra[7] = {spec->weights, spec->offset, spec->cluster[0], spec->cluster[1],
                            spec->group[0], spec->group[1], NULL};
    const char *extrarole[6] = {"weight variable", "offset variable",
                                "cluster variable", "cluster variable",
                                "group variable", "group variable"};
    if (!sv) {
        used[nused] = yname;
        role[nused++] = "variable";
    }
    for (size_t j = 0; j < nraw + 6; j++) {
        const char *nm = j < nraw ? raw[j] : extra[j - nraw];
        if (!nm) continue;
        size_t u;
        for (u = 0; u < nused; u++) if (!strcmp(used[u], nm)) break;
        if (u < nused) continue;
        used[nused] = nm;
        role[nused++] = j < nsurvraw ? "Surv() variable"
                      : j < nsurvraw + nstraraw ? "strata variable"
                      : j < nraw ? "variable" : extrarole[j - nraw];
    }
    for (size_t u = 0; u < nused; u++) {
        ucol[u] = df_table_find(t, used[u]);
        if (!ucol[u]) {
            rc = not_found(t, used[u], role[u], err);
            free(role);
            goto done;
        }
        if (sv && u < nsurvraw && ucol[u]->type == DF_COL_STRING) {
            rc = df_error(err, DYADFIT_ERR_SPEC,
                          "Surv() variable '%s' is a string variable; it must be numeric", used[u]);
            free(role);
            goto done;
        }
    }
    free(role);
    const df_column *yc = ucol[0];
    if (!sv && yc->type == DF_COL_STRING) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "outcome '%s' is a string variable; it must be numeric%s",
                      yname, spec->binary_response ? " (0/1)" : "");
        goto done;
    }
    const char *numeric_only[2] = {spec->weights, spec->offset};
    for (int s = 0; s < 2; s++)
        if (numeric_only[s] && df_table_find(t, numeric_only[s])->type == DF_COL_STRING) {
            rc = df_error(err, DYADFIT_ERR_SPEC, "%s '%s' is a string variable; it must be numeric",
                          s ? "offset" : "weight", numeric_only[s]);
            goto done;
        }

    /* listwise deletion, once, over all of them */
    rc = DYADFIT_ERR_SYSTEM;
    size_t N = t->nrow;
    if (!(d = df_calloc(1, sizeof *d))) goto done;
    d->formula = formula_text;
    formula_text = NULL;
    if (!(keep = df_malloc(N ? N : 1, 1)) ||
        !(d->drops = df_calloc(nused, sizeof *d->drops)))
        goto done;
    memset(keep, 1, N);
    if (spec->row_filter) {
        for (size_t i = 0; i < N; i++) keep[i] = spec->row_filter[i] != 0;
        for (size_t i = 0; i < N; i++) d->nfiltered += !keep[i];
        if (d->nfiltered == N && N) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "no rows left: the filter excludes all %zu rows", N);
            goto done;
        }
    }
    d->ndrops = nused;
    if (!(hasinf = df_calloc(nused, 1))) goto done;
    for (size_t u = 0; u < nused; u++)
        if (!(d->drops[u].variable = df_strdup(used[u]))) goto done;
    /* missing counts among the rows the filter kept (as df_column_is_missing:
     * NaN, or string code -1), and whether a column holds an infinity at
     * all, in one pass over row chunks so keep[] stays in cache */
    for (size_t i0 = 0; i0 < N; i0 += DF_MASK_CHUNK) {
        size_t i1 = N - i0 < DF_MASK_CHUNK ? N : i0 + DF_MASK_CHUNK;
        const unsigned char *flt = spec->row_filter;
        for (size_t u = 0; u < nused; u++) {
            const df_column *c = ucol[u];
            size_t m = 0;
            if (c->type == DF_COL_STRING) {
                for (size_t i = i0; i < i1; i++)
                    if ((!flt || flt[i]) && c->code[i] < 0) { m++; keep[i] = 0; }
            } else {
                int inf = 0;
                for (size_t i = i0; i < i1; i++) {
                    double x = c->num[i];
                    if (isnan(x)) {
                        if (!flt || flt[i]) { m++; keep[i] = 0; }
                    } else {
                        inf |= isinf(x);
                    }
                }
                hasinf[u] |= (unsigned char)inf;
            }
            d->drops[u].rows += m;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < N; i++) n += keep[i];
    d->nrow_source = N;
    d->ndropped = N - d->nfiltered - n;
    if (n == 0) {
        char msg[400];
        size_t off = 0;
        msg[0] = 0;
        for (size_t u = 0; u < nused && off < sizeof msg; u++)
            if (d->drops[u].rows)
                off += (size_t)snprintf(msg + off, sizeof msg - off, "%s%s: %zu",
                                        off ? ", " : "", used[u], d->drops[u].rows);
        rc = df_error(err, DYADFIT_ERR_DATA,
                      N ? "no rows left: all %zu rows have a missing value (%s)"
                        : "no rows left: the data have %zu rows%s",
                      N - d->nfiltered, msg);
        goto done;
    }
    d->n = n;
    if (!(d->rows = df_malloc(n, sizeof *d->rows)) || !(d->y = df_malloc(n, sizeof *d->y)))
        goto done;
    for (size_t i = 0, r = 0; i < N; i++) if (keep[i]) d->rows[r++] = i;
    if (sv) {
        if (!(d->response = df_deparse_str(sv))) goto done;
        if ((rc = surv_values(t, sv, d, f, spec->event01, err))) goto done;
        /* strata: the interaction of the variables, dense ids */
        rc = DYADFIT_ERR_SYSTEM;
        size_t *tmp = NULL;
        for (size_t s2 = 0; s2 < nstrata; s2++)
            for (size_t a = 0; a < strata[s2]->nargs; a++) {
                const df_column *sc = df_table_find(t, strata[s2]->args[a]->text);
                size_t ng = 0;
                if (!d->strata) {
                    if (!(d->strata = df_malloc(n, sizeof *d->strata))) goto done;
                    if (cluster_ids(sc, d->rows, n, d->strata, &d->nstrata)) goto done;
                    continue;
                }
                if (!tmp && !(tmp = df_malloc(n, sizeof *tmp))) goto done;
                if (cluster_ids(sc, d->rows, n, tmp, &ng) ||
                    combine_ids(d->strata, tmp, ng, n, &d->nstrata)) {
                    free(tmp);
                    goto done;
                }
            }
        free(tmp);
    } else {
        for (size_t i = 0; i < n; i++) d->y[i] = yc->num[d->rows[i]];
        if (!(d->response = df_strdup(yname)) || !(d->formula = df_deparse_str(tree))) goto done;
        if ((rc = check_response(d, yc, spec->binary_response, err))) goto done;
    }

    /* infinite values in the term variables are data errors, not levels */
    for (size_t u = sv ? 0 : 1; u < nused; u++) {
        if (ucol[u]->type != DF_COL_NUMERIC || !hasinf[u]) continue;
        for (size_t i = 0; i < n; i++)
            if (isinf(ucol[u]->num[d->rows[i]])) {
                rc = df_error(err, DYADFIT_ERR_DATA, "variable '%s' is infinite at row %zu",
                              used[u], d->rows[i] + 1);
                goto done;
            }
    }
    rc = DYADFIT_ERR_SYSTEM;
    if (spec->weights) {
        const df_column *wc = df_table_find(t, spec->weights);
        if (!(d->w = df_malloc(n, sizeof *d->w))) goto done;
        for (size_t i = 0; i < n; i++) {
            double w = wc->num[d->rows[i]];
            char b[40];
            df_format_num(w, b);
            if (!(w > 0)) {
                rc = df_error(err, DYADFIT_ERR_DATA,
                              "weight '%s' is %s (%s) at row %zu; weights must be positive",
                              spec->weights, w == 0 ? "zero" : "negative", b, d->rows[i] + 1);
                goto done;
            }
            d->w[i] = w;
        }
    }
    if (spec->offset) {
        const df_column *oc = df_table_find(t, spec->offset);
        if (!(d->offset = df_malloc(n, sizeof *d->offset))) goto done;
        for (size_t i = 0; i < n; i++) d->offset[i] = oc->num[d->rows[i]];
    }
    for (int c = 0; c < 2; c++) {
        if (!spec->cluster[c]) continue;
        size_t dim = d->ncluster++;
        if (!(d->cl[dim] = df_malloc(n, sizeof *d->cl[dim]))) goto done;
        if (cluster_ids(df_table_find(t, spec->cluster[c]), d->rows, n, d->cl[dim], &d->ng[dim]))
            goto done;
    }

    for (int c = 0; c < 2; c++) {
        if (!spec->group[c]) continue;
        if (!(d->group[c] = df_malloc(n, sizeof *d->group[c]))) goto done;
        if (cluster_ids(df_table_find(t, spec->group[c]), d->rows, n, d->group[c], &d->ngroup[c]))
            goto done;
    }

    /* variables -> columns: straight into X; on any problem the two-step
     * path below runs and reports it as it always has */
    if (df_model_matrix_direct(&tm, t, d->rows, n, &Xall, &names, &kall)) {
        if (!(vals = df_calloc(tm.nvar ? tm.nvar : 1, sizeof *vals))) goto done;
        for (size_t v = 0; v < tm.nvar; v++)
            if ((rc = df_var_eval(t, tm.var[v], tm.varname[v], d->rows, n, &vals[v], err)))
                goto done;
        if ((rc = df_model_matrix(&tm, vals, n, &Xall, &names, &kall, err))) goto done;
    }
    if ((rc = utf8_names(d, names, kall, err))) goto done;

    /* collinear and all-zero columns */
    rc = DYADFIT_ERR_SYSTEM;
    if (!(drop = df_malloc(kall ? kall : 1, 1))) goto done;
    if (spec->keep_columns) memset(drop, 0, kall ? kall : 1);
    else if ((rc = df_design_find_collinear(Xall, n, kall, drop, err))) goto done;
    rc = DYADFIT_ERR_SYSTEM;
    size_t nd = 0;
    for (size_t j = 0; j < kall; j++) nd += drop[j];
    if (!(d->collinear = df_calloc(nd ? nd : 1, sizeof *d->collinear))) goto done;
    d->X = Xall;
    d->terms = names;
    d->k = kall;
    Xall = NULL;
    names = NULL;
    d->intercept = tm.intercept;
    for (size_t j = 0; j < kall; j++)
        if (drop[j] && !(d->collinear[d->ncollinear++] = df_strdup(d->terms[j]))) goto done;
    if (nd == kall) {
        rc = df_error(err, DYADFIT_ERR_SPEC,
                      "no usable columns: every column of the design is zero or collinear (%s%s)",
                      d->collinear[0], kall > 1 ? ", ..." : "");
        goto done;
    }
    if (sv && nd + 1 == kall) {
        rc = nd ? df_error(err, DYADFIT_ERR_SPEC,
                           "formula \"%.60s\": the model has no usable covariates (%s%s "
                           "dropped as zero or collinear)", f, d->collinear[0],
                           nd > 1 ? ", ..." : "")
                : df_error(err, DYADFIT_ERR_SPEC,
                           "formula \"%.60s\": no covariates: a survival model with only "
                           "an intercept (or only strata) is not supported", f);
        goto done;
    }
    /* coxph removes the intercept column after model.matrix */
    int dropint = sv && !spec->keep_columns;
    if (dropint) drop[0] = 1;
    if (nd || dropint) {
        for (size_t j = 0; j < kall; j++) drop[j] = !drop[j];
        if ((rc = df_design_subset(d, NULL, drop, err))) goto done;
    }
    if (dropint) d->intercept = 0;
    *out = d;
    d = NULL;
    rc = 0;
done:
    if (rc == DYADFIT_ERR_SYSTEM && (!err || err->code != DYADFIT_ERR_SYSTEM))
        df_error(err, rc, "out of memory building the design");
    df_expr_free(tree);
    free(formula_text);
    for (size_t s2 = 0; s2 < nstrata; s2++) df_expr_free(strata[s2]);
    if (vals) for (size_t v = 0; v < tm.nvar; v++) df_varval_free(&vals[v]);
    free(vals);
    df_terms_free(&tm);
    for (size_t j = 0; j < nraw; j++) free(raw[j]);
    free(raw);
    free(used);
    free(ucol);
    free(keep);
    free(hasinf);
    free(drop);
    free(Xall);
    if (names) for (size_t j = 0; j < kall; j++) free(names[j]);
    free(names);
    df_design_free(d);
    return rc;
}

int df_design_build(const dyadfit_table *t, const df_design_spec *spec,
                    df_design **out, dyadfit_error *err)
{
    return build(t, spec, 0, out, err);
}

int df_design_build_survival(const dyadfit_table *t, const df_design_spec *spec,
                             df_design **out, dyadfit_error *err)
{
    return build(t, spec, 1, out, err);
}

/* ------------------------------------------------------------ subset */

int df_design_subset(df_design *d, const unsigned char *keep,
                     const unsigned char *keepcol, dyadfit_error *err)
{
    size_t n = d->n, k = d->k, n2 = 0, k2 = 0;
    for (size_t i = 0; i < n; i++) n2 += !keep || keep[i];
    for (size_t j = 0; j < k; j++) k2 += !keepcol || keepcol[j];
    if (n2 == 0) return df_error(err, DYADFIT_ERR_DATA, "no rows left after removing %zu rows", n);
    if (k2 == 0) return df_error(err, DYADFIT_ERR_SPEC, "no columns left after removing %zu columns", k);
    size_t *remap = NULL;
    if (keep && (d->ncluster || d->group[0] || d->group[1])) {
        size_t mx = d->ng[0] > d->ng[1] ? d->ng[0] : d->ng[1];
        if (d->ngroup[0] > mx) mx = d->ngroup[0];
        if (d->ngroup[1] > mx) mx = d->ngroup[1];
        if (!(remap = df_malloc(mx ? mx : 1, sizeof *remap)))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    }
    /* compacting forward is safe: every destination precedes its source */
    size_t jj = 0;
    for (size_t j = 0; j < k; j++) {
        if (keepcol && !keepcol[j]) { free(d->terms[j]); continue; }
        double *src = d->X + j * n, *dst = d->X + jj * n2;
        if (!keep) memmove(dst, src, n * sizeof *dst);
        else for (size_t i = 0, r = 0; i < n; i++) if (keep[i]) dst[r++] = src[i];
        d->terms[jj++] = d->terms[j];
    }
    if (keepcol && !keepcol[0] && d->intercept) d->intercept = 0;
    if (keep) {
        size_t r = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep[i]) continue;
            d->y[r] = d->y[i];
            if (d->w) d->w[r] = d->w[i];
            if (d->offset) d->offset[r] = d->offset[i];
            d->rows[r] = d->rows[i];
            if (d->start) d->start[r] = d->start[i];
            if (d->stop) d->stop[r] = d->stop[i];
            if (d->strata) d->strata[r] = d->strata[i];
            for (size_t c = 0; c < d->ncluster; c++) d->cl[c][r] = d->cl[c][i];
            for (int c = 0; c < 2; c++) if (d->group[c]) d->group[c][r] = d->group[c][i];
            r++;
        }
        /* dense ids again, in order of first appearance */
        for (size_t c = 0; c < d->ncluster; c++) {
            size_t g = 0;
            for (size_t q = 0; q < d->ng[c]; q++) remap[q] = (size_t)-1;
            for (size_t i = 0; i < n2; i++) {
                size_t *m = &remap[d->cl[c][i]];
                if (*m == (size_t)-1) *m = g++;
                d->cl[c][i] = *m;
            }
            d->ng[c] = g;
        }
        for (int c = 0; c < 2; c++) {
            if (!d->group[c]) continue;
            size_t g = 0;
            for (size_t q = 0; q < d->ngroup[c]; q++) remap[q] = (size_t)-1;
            for (size_t i = 0; i < n2; i++) {
                size_t *m = &remap[d->group[c][i]];
                if (*m == (size_t)-1) *m = g++;
                d->group[c][i] = *m;
            }
            d->ngroup[c] = g;
        }
    }
    free(remap);
    d->n = n2;
    d->k = k2;
    /* shrink; a failed shrink leaves the larger block, which is fine */
    double *nx = realloc(d->X, n2 * k2 * sizeof *nx);
    if (nx) d->X = nx;
    return 0;
}
