/*
 * stream_cox.c -- the Cox model from the design cache (--stream), for a
 * file sorted by the stop time (ascending) within each stratum: the same
 * partial likelihood, Newton driver, centring and scaling as the in-memory
 * fit (src/fit/cox.c, survival's agfit4), with memory bounded by the chunk
 * and the number of strata and event times, never the number of rows.
 *
 * Sweep (one per Newton evaluation): blocks from the last to the first,
 * rows in each from the last up, so the times come descending within each
 * stratum, as cox.c's sweep takes them. Each stratum keeps its risk-set
 * sums S0 = sum w r, S1 = sum w r z, S2 = sum w r z z' and its current
 * group of rows with the same stop (strata may interleave in the file);
 * the k and k^2 sums sit in slots, taken at a stratum's last row in the
 * file and given back at its first, so a file in stratum order needs one
 * or two however many strata there are (c->scap: the most strata open at
 * one point of the file).
 * A row joins the risk set at its stop. With (start, stop] data it must
 * leave once the sweep reaches t <= start: its w r (1, z, z z') is added
 * to a bin for the last event time <= start in its stratum, and the bins
 * of event times >= t are subtracted when a group at t begins (a row can
 * only matter at event times). So the counting-process fit needs one sort
 * order, not the two of cox.c, at the cost of (1 + k + k^2) doubles per
 * event time. As in cox.c a stratum whose risk set empties is set to
 * exact zero. A group with deaths is closed (Breslow or Efron terms, as
 * cox.c) when its stratum's next row has an earlier time, or at the end.
 *
 * Risk scores r = exp(eta - shift): the shift starts at the previous
 * pass's largest eta (cox.c takes this pass's, which would cost another
 * pass) and rises, rescaling every sum, only when an eta exceeds it by
 * 300, so no term can overflow; a pass that ends with its largest eta far
 * below the shift is run again with the shift it found. The partial
 * likelihood is invariant to the shift: deaths add sum w eta, unshifted,
 * and each term uses the shift current when it is formed.
 *
 * Variance: oim from the information at the estimate; robust and cluster
 * from the score residuals (cox.c's formula from the hazard increments per
 * event time, found by binary search), summed in one more pass over the
 * cache into the meat or the cluster sums (df_stream_variance, as the
 * binomial fits).
 *
 * MPI: each rank holds a contiguous block of the file; a pass is the
 * pipeline described above pipeline() (last rank first), the score pass
 * runs everywhere at once and its sums are added.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stream_int.h"
#include "../api/api_int.h"
#include "../api/checks.h"
#include "../util/util.h"

#define COX_SHIFT_SLACK 300.0
#define NOSLOT ((size_t)-1)

typedef struct {
    df_stream_cache *c;
    df_stream_block b;
    size_t k, ns, ndt;
    const size_t *col;        /* k: cache column of each kept covariate */
    const double *mean, *sd;  /* k: centring and scaling */
    int breslow;
    double *z;                /* k: one row, centred and scaled */
    /* per stratum: risk set, current group, its deaths; the k and k^2 sums
     * in slots, held only while the stratum has rows both behind and ahead
     * of the sweep (c->scap at most: 1 or 2 for a file sorted by stratum) */
    double *A0, *A1, *A2;     /* ns, cap k, cap k k */
    size_t *acount;
    double *tcur;             /* NAN: no group yet */
    double *D0, *D1, *D2;     /* ns, cap k, cap k k */
    size_t cap, nfree;
    size_t *slot;             /* ns: the stratum's slot, or NOSLOT */
    size_t *freel;            /* cap: free slots */
    unsigned char *used;      /* cap: workspace of free_slots */
    size_t *left;             /* ns: rows still to come (here and in the
                                 ranks before); 0: the stratum is done */
    size_t *total;            /* ns: left at the start of a sweep */
    double *dw, *dwe;         /* deaths' weight, sum w eta */
    size_t *nd;
    size_t *unext, *bnext;    /* event times not yet closed / bins not yet
                                 subtracted: indices below these */
    /* bins per event time (start given) */
    double *B0, *B1, *B2;
    size_t *bcount;
    /* death table per event time: hazard increments (cox.c's deathtab)
     * and the shift they were formed with */
    double *h1, *h2, *g1, *g2, *xbm, *sh;
    double *xb;               /* k */
    double shift, maxeta;
    int io_rc;
    dyadfit_error *err;
    size_t passes;
    /* the remembered evaluations, as cox.c */
    int have_ll0, ll0_failed;
    double ll0;
    int last_ok, last_info;
    double last_ll;
    double *last_g, *last_infomat;
} scox;

/* S1 += a z, S2 += a z z' (upper triangle, S2[j*k+m], m >= j; S2 NULL:
 * only S1) */
static void add_row(double *S1, double *S2, const double *z, size_t k, double a)
{
    for (size_t j = 0; j < k; j++) {
        double zj = a * z[j];
        S1[j] += zj;
        if (S2)
            for (size_t m = j; m < k; m++) S2[j * k + m] += zj * z[m];
    }
}

static void scale_sums(double *v, size_t n, double f)
{
    for (size_t i = 0; i < n; i++) v[i] *= f;
}

/* every sum of exp(eta - shift) to a new shift */
static void rescale(scox *x, double shift, int info)
{
    double f = exp(x->shift - shift);
    size_t k = x->k, ns = x->ns, cap = x->cap, kk = info ? k * k : 0;
    scale_sums(x->A0, ns, f);
    scale_sums(x->A1, cap * k, f);
    scale_sums(x->D0, ns, f);
    scale_sums(x->D1, cap * k, f);
    if (kk) {
        scale_sums(x->A2, cap * kk, f);
        scale_sums(x->D2, cap * kk, f);
    }
    if (x->B0) {
        scale_sums(x->B0, x->ndt, f);
        scale_sums(x->B1, x->ndt * k, f);
        if (kk) scale_sums(x->B2, x->ndt * kk, f);
    }
    x->shift = shift;
}

/* number of event times <= t in the ascending times[lo..hi) */
static size_t count_le(const double *times, size_t lo, size_t hi, double t)
{
    size_t a = lo, b = hi;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (times[mid] <= t) a = mid + 1;
        else b = mid;
    }
    return a - lo;
}

/* Closes stratum s's group (deaths nd[s] > 0) at time tcur[s]. */
static int close_group(scox *x, size_t s, double *ll, double *grad, double *info)
{
    size_t k = x->k, kk = k * k, nd = x->nd[s];
    const df_stream_cache *c = x->c;
    if (x->unext[s] <= c->dfirst[s] || c->dtime[x->unext[s] - 1] != x->tcur[s]) return -1;
    size_t u = --x->unext[s], q = x->slot[s];
    double *A1 = x->A1 + q * k, *D1 = x->D1 + q * k;
    double *A2 = info ? x->A2 + q * kk : NULL, *D2 = info ? x->D2 + q * kk : NULL;
    int efron = !x->breslow && nd > 1;
    size_t nterm = efron ? nd : 1;
    double dw = x->dw[s], wt = efron ? dw / (double)nd : dw, h1 = 0, h2 = 0;
    *ll += x->dwe[s] - dw * x->shift;
    memset(x->g1 + u * k, 0, k * sizeof(double));
    memset(x->g2 + u * k, 0, k * sizeof(double));
    memset(x->xbm + u * k, 0, k * sizeof(double));
    for (size_t l = 0; l < nterm; l++) {
        double f = efron ? (double)l / (double)nd : 0;
        double den = x->A0[s] - f * x->D0[s];
        if (!(den > 0)) return 1;
        *ll -= wt * log(den);
        for (size_t j = 0; j < k; j++) x->xb[j] = (A1[j] - f * D1[j]) / den;
        if (grad)
            for (size_t j = 0; j < k; j++) grad[j] -= wt * x->xb[j];
        if (info)
            for (size_t j = 0; j < k; j++)
                for (size_t m = j; m < k; m++)
                    info[j * k + m] += wt * ((A2[j * k + m] - f * D2[j * k + m]) / den -
                                             x->xb[j] * x->xb[m]);
        double dl = wt / den, dl2 = (1 - f) * dl;
        h1 += dl;
        h2 += dl2;
        for (size_t j = 0; j < k; j++) {
            x->g1[u * k + j] += dl * x->xb[j];
            x->g2[u * k + j] += dl2 * x->xb[j];
            x->xbm[u * k + j] += x->xb[j] / (double)nterm;
        }
    }
    x->h1[u] = h1;
    x->h2[u] = h2;
    x->sh[u] = x->shift;
    x->nd[s] = 0;
    return 0;
}

/* A group at time t begins in stratum s: close the last one (or, at the
 * stratum's first group, give it a slot), take out the rows that entered
 * at or after t (bins of event times >= t). */
static int open_group(scox *x, size_t s, double t, double *ll, double *grad, double *info)
{
    size_t k = x->k, kk = k * k;
    int rc;
    if (x->nd[s] && (rc = close_group(x, s, ll, grad, info))) return rc;
    if (x->slot[s] == NOSLOT) {
        if (!x->nfree) return -1;   /* more open strata than c->scap */
        size_t q = x->slot[s] = x->freel[--x->nfree];
        memset(x->A1 + q * k, 0, k * sizeof(double));
        if (info) memset(x->A2 + q * kk, 0, kk * sizeof(double));
    }
    size_t q = x->slot[s];
    x->tcur[s] = t;
    x->D0[s] = x->dw[s] = x->dwe[s] = 0;
    memset(x->D1 + q * k, 0, k * sizeof(double));
    if (info) memset(x->D2 + q * kk, 0, kk * sizeof(double));
    if (!x->B0) return 0;
    const df_stream_cache *c = x->c;
    while (x->bnext[s] > c->dfirst[s] && c->dtime[x->bnext[s] - 1] >= t) {
        size_t u = --x->bnext[s];
        if (!x->bcount[u]) continue;
        x->A0[s] -= x->B0[u];
        for (size_t j = 0; j < k; j++) x->A1[q * k + j] -= x->B1[u * k + j];
        if (info)
            for (size_t j = 0; j < kk; j++) x->A2[q * kk + j] -= x->B2[u * kk + j];
        x->acount[s] -= x->bcount[u];
        if (x->acount[s] == 0) {   /* exact zero once empty, as cox.c */
            x->A0[s] = 0;
            memset(x->A1 + q * k, 0, k * sizeof(double));
            if (info) memset(x->A2 + q * kk, 0, kk * sizeof(double));
        }
    }
    return 0;
}

/* row i of the block: z (centred, scaled kept covariates) and eta */
static double row_eta(scox *x, size_t i, const double *g)
{
    size_t m = x->b.m;
    double e = x->b.off ? x->b.off[i] : 0;
    for (size_t j = 0; j < x->k; j++) {
        double v = (x->b.X[x->col[j] * m + i] - x->mean[j]) / x->sd[j];
        x->z[j] = v;
        e += v * g[j];
    }
    return e;
}

/* The sweep's state at the start: empty risk sets, no groups, no bins. */
static void state_zero(scox *x, int info)
{
    const df_stream_cache *c = x->c;
    size_t k = x->k, kk = k * k, ns = x->ns;
    memset(x->A0, 0, ns * sizeof(double));
    memset(x->acount, 0, ns * sizeof(size_t));
    memset(x->nd, 0, ns * sizeof(size_t));
    for (size_t s = 0; s < ns; s++) {
        x->tcur[s] = NAN;
        x->unext[s] = x->bnext[s] = c->dfirst[s + 1];
        x->slot[s] = NOSLOT;
    }
    for (size_t q = 0; q < x->cap; q++) x->freel[q] = x->cap - 1 - q;   /* slot 0 first */
    x->nfree = x->cap;
    if (x->B0) {
        memset(x->B0, 0, x->ndt * sizeof(double));
        memset(x->B1, 0, x->ndt * k * sizeof(double));
        if (info) memset(x->B2, 0, x->ndt * kk * sizeof(double));
        memset(x->bcount, 0, x->ndt * sizeof(size_t));
    }
    x->maxeta = -INFINITY;
}

/* This process's blocks, last to first, rows last to first. */
static int sweep_blocks(scox *x, const double *g, double *ll, double *grad, double *info)
{
    df_stream_cache *c = x->c;
    size_t k = x->k, kk = k * k;
    int rc = 0;
    for (size_t blk = c->nblk; blk-- > 0;) {
        if ((rc = df_stream_read_block(c, blk, &x->b, x->err))) {
            x->io_rc = rc;
            return rc;
        }
        const df_stream_block *b = &x->b;
        for (size_t i = b->m; i-- > 0;) {
            size_t s = !b->st ? 0 : c->stmap ? c->stmap[b->st[i]] : (size_t)b->st[i];
            double t = b->stop[i];
            if (!(x->tcur[s] == t) && (rc = open_group(x, s, t, ll, grad, info))) return rc;
            double e = row_eta(x, i, g);
            if (!isfinite(e)) return 1;
            if (e > x->maxeta) x->maxeta = e;
            if (e - x->shift > COX_SHIFT_SLACK) rescale(x, e, info != NULL);
            double w = b->w ? b->w[i] : 1, wr = w * exp(e - x->shift);
            size_t q = x->slot[s];
            double *A2 = info ? x->A2 + q * kk : NULL;
            x->A0[s] += wr;
            add_row(x->A1 + q * k, A2, x->z, k, wr);
            x->acount[s]++;
            if (b->y[i] != 0) {
                x->nd[s]++;
                x->dw[s] += w;
                x->dwe[s] += w * e;
                x->D0[s] += wr;
                add_row(x->D1 + q * k, info ? x->D2 + q * kk : NULL, x->z, k, wr);
                if (grad)
                    for (size_t j = 0; j < k; j++) grad[j] += w * x->z[j];
            }
            if (x->B0) {
                size_t lo = c->dfirst[s], n = count_le(c->dtime, lo, c->dfirst[s + 1], b->start[i]);
                if (n) {
                    size_t u = lo + n - 1;
                    x->B0[u] += wr;
                    add_row(x->B1 + u * k, info ? x->B2 + u * kk : NULL, x->z, k, wr);
                    x->bcount[u]++;
                }
            }
            /* the stratum's first row in the file: its last group closes
             * and its slot is free for another stratum */
            if (--x->left[s] == 0) {
                if (x->nd[s] && (rc = close_group(x, s, ll, grad, info))) return rc;
                x->freel[x->nfree++] = q;
                x->slot[s] = NOSLOT;
            }
        }
    }
    return 0;
}

/* the groups still open at the first time of each stratum */
static int close_all(scox *x, double *ll, double *grad, double *info)
{
    int rc;
    for (size_t s = 0; s < x->ns; s++)
        if (x->nd[s] && x->slot[s] != NOSLOT && (rc = close_group(x, s, ll, grad, info)))
            return rc;
    return 0;
}

/* ----- several MPI ranks: the sweep as a pipeline -----
 * Rank r holds a contiguous block of the file, so its times (within each
 * stratum) are those between rank r-1's and rank r+1's. The last rank
 * sweeps its block and hands the whole state (risk sets, open groups,
 * bins, the shift, the partial log-likelihood, gradient, information and
 * death table) to the rank before it, which goes on from there; rank 0
 * closes the last groups and broadcasts the outcome. A tied group split
 * between two ranks stays open in the state, so nothing depends on where
 * the blocks meet. The passes are sequential (the time of one process,
 * plus the hand-overs); the ranks share the reading and the memory. */

typedef struct {
    double *d;                /* doubles, or */
    size_t *z;                /* counts, carried as doubles (exact) */
    size_t n;
} sfield;

/* Copies the fields into buf (pack) or out of it; buf NULL: counts. */
static size_t walk(const sfield *f, size_t nf, double *buf, int pack)
{
    size_t o = 0;
    for (size_t q = 0; q < nf; q++)
        for (size_t i = 0; i < f[q].n; i++, o++) {
            if (!buf) continue;
            /* counts are exact as doubles below 2^53; NOSLOT (SIZE_MAX)
             * travels as -1 */
            if (pack) buf[o] = f[q].d ? f[q].d[i] : f[q].z[i] == NOSLOT ? -1 : (double)f[q].z[i];
            else if (f[q].d) f[q].d[i] = buf[o];
            else f[q].z[i] = buf[o] < 0 ? NOSLOT : (size_t)buf[o];
        }
    return o;
}

/* the death table's fields (what the residual pass needs) */
static size_t death_fields(scox *x, sfield *f)
{
    size_t nt = x->ndt, k = x->k, n = 0;
    f[n++] = (sfield){x->h1, NULL, nt};
    f[n++] = (sfield){x->h2, NULL, nt};
    f[n++] = (sfield){x->sh, NULL, nt};
    f[n++] = (sfield){x->g1, NULL, nt * k};
    f[n++] = (sfield){x->g2, NULL, nt * k};
    f[n++] = (sfield){x->xbm, NULL, nt * k};
    return n;
}

/* what a rank hands to the one before it (head: flag, shift, maxeta, ll) */
static size_t state_fields(scox *x, double *head, double *grad, double *info, sfield *f)
{
    size_t k = x->k, kk = k * k, ns = x->ns, nt = x->ndt, n = 0;
    f[n++] = (sfield){head, NULL, 4};
    if (grad) f[n++] = (sfield){grad, NULL, k};
    if (info) f[n++] = (sfield){info, NULL, kk};
    size_t cap = x->cap;
    f[n++] = (sfield){x->A0, NULL, ns};
    f[n++] = (sfield){x->A1, NULL, cap * k};
    if (info) f[n++] = (sfield){x->A2, NULL, cap * kk};
    f[n++] = (sfield){NULL, x->acount, ns};
    f[n++] = (sfield){x->tcur, NULL, ns};
    f[n++] = (sfield){NULL, x->slot, ns};
    f[n++] = (sfield){x->D0, NULL, ns};
    f[n++] = (sfield){x->D1, NULL, cap * k};
    if (info) f[n++] = (sfield){x->D2, NULL, cap * kk};
    f[n++] = (sfield){x->dw, NULL, ns};
    f[n++] = (sfield){x->dwe, NULL, ns};
    f[n++] = (sfield){NULL, x->nd, ns};
    f[n++] = (sfield){NULL, x->unext, ns};
    f[n++] = (sfield){NULL, x->bnext, ns};
    if (x->B0) {
        f[n++] = (sfield){x->B0, NULL, nt};
        f[n++] = (sfield){x->B1, NULL, nt * k};
        if (info) f[n++] = (sfield){x->B2, NULL, nt * kk};
        f[n++] = (sfield){NULL, x->bcount, nt};
    }
    return n + death_fields(x, f + n);
}

/* the free list from the slots the strata hold (after a hand-over) */
static void free_slots(scox *x)
{
    unsigned char *used = x->used;
    memset(used, 0, x->cap);
    for (size_t s = 0; s < x->ns; s++)
        if (x->slot[s] != NOSLOT && x->slot[s] < x->cap) used[x->slot[s]] = 1;
    size_t n = 0;
    for (size_t q = x->cap; q-- > 0;)
        if (!used[q]) x->freel[n++] = q;
    x->nfree = n;
}

static int pipeline(scox *x, const double *g, double *ll, double *grad, double *info)
{
    int r = df_smpi_rank(), p = df_smpi_size();
    double head[4] = {0, x->shift, -INFINITY, 0};   /* flag, shift, maxeta, ll */
    sfield f[32], fo[12];
    size_t nf = state_fields(x, head, grad, info, f), n = walk(f, nf, NULL, 0);
    /* what rank 0 broadcasts at the end: the head, gradient, information,
     * death table */
    size_t nfo = 0;
    fo[nfo++] = (sfield){head, NULL, 4};
    if (grad) fo[nfo++] = (sfield){grad, NULL, x->k};
    if (info) fo[nfo++] = (sfield){info, NULL, x->k * x->k};
    nfo += death_fields(x, fo + nfo);
    size_t no = walk(fo, nfo, NULL, 0);
    double *buf = df_malloc(n, sizeof *buf), *obuf = df_malloc(no, sizeof *obuf);
    /* a rank that cannot take part stops everyone before the first message */
    int rc = df_smpi_agree(!buf || !obuf ? df_error(x->err, DYADFIT_ERR_SYSTEM, "out of memory "
                                                    "(--stream, Cox pipeline)") : 0, x->err);
    if (rc) {
        free(buf);
        free(obuf);
        return x->io_rc = rc;
    }
    if (r == p - 1) {
        state_zero(x, info != NULL);
    } else {
        if (df_smpi_recv(buf, n, r + 1)) head[0] = DYADFIT_ERR_SYSTEM;
        else walk(f, nf, buf, 0);
        free_slots(x);
    }
    if (head[0] == 0) {
        x->shift = head[1];
        x->maxeta = head[2];
        double l = head[3];
        head[0] = sweep_blocks(x, g, &l, grad, info);
        head[1] = x->shift;
        head[2] = x->maxeta;
        head[3] = l;
    }
    if (r > 0) {
        walk(f, nf, buf, 1);
        if (df_smpi_send(buf, n, r - 1)) head[0] = DYADFIT_ERR_SYSTEM;
    } else if (head[0] == 0) {
        double l = head[3];
        x->shift = head[1];
        head[0] = close_all(x, &l, grad, info);
        head[3] = l;
    }
    free(buf);
    if (r == 0) walk(fo, nfo, obuf, 1);
    int bad = df_smpi_bcast(obuf, no, 0);
    if (!bad) walk(fo, nfo, obuf, 0);
    free(obuf);
    /* a rank that failed (its cache) sends its message */
    rc = df_smpi_agree(bad ? df_error(x->err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed (Cox "
                                      "pipeline)") : x->io_rc, x->err);
    if (rc) return x->io_rc = rc;
    x->shift = head[1];
    x->maxeta = head[2];
    *ll = head[3];
    return (int)head[0];
}

/* One sweep at internal coefficients g (see the file comment). */
static int sweep_once(scox *x, const double *g, double *loglik, double *grad, double *info)
{
    size_t k = x->k;
    double ll = 0;
    int rc;
    if (grad) memset(grad, 0, k * sizeof *grad);
    if (info) memset(info, 0, k * k * sizeof *info);
    memcpy(x->left, x->total, x->ns * sizeof *x->left);
    if (df_smpi_size() > 1) {
        rc = pipeline(x, g, &ll, grad, info);
    } else {
        state_zero(x, info != NULL);
        rc = sweep_blocks(x, g, &ll, grad, info);
        if (!rc) rc = close_all(x, &ll, grad, info);
    }
    if (rc) return rc;
    if (info)
        for (size_t j = 0; j < k; j++)
            for (size_t m = j + 1; m < k; m++) info[m * k + j] = info[j * k + m];
    *loglik = ll;
    return isfinite(ll) ? 0 : 1;
}

static int sweep(scox *x, const double *g, double *loglik, double *grad, double *info)
{
    x->passes++;
    int rc = sweep_once(x, g, loglik, grad, info);
    /* etas far below the shift (a rejected Newton step went far) underflow,
     * and may even empty a risk set (rc 1): again with the shift this pass
     * found */
    if ((rc == 0 || rc == 1) && isfinite(x->maxeta) && x->shift - x->maxeta > COX_SHIFT_SLACK) {
        x->shift = x->maxeta;
        x->passes++;
        rc = sweep_once(x, g, loglik, grad, info);
    }
    if (rc == -1)
        return x->io_rc = df_error(x->err, DYADFIT_ERR_SYSTEM, "--stream: the Cox sweep's "
                                   "bookkeeping (event times, strata) failed (internal error)");
    /* the next pass starts from the largest eta of this one */
    if ((rc == 0 || rc == 1) && isfinite(x->maxeta)) x->shift = x->maxeta;
    return rc;
}

/* Newton's objective: a sweep, remembered (as cox.c) */
static int objective(void *ctx, const double *g, double *loglik, double *grad, double *info)
{
    scox *x = ctx;
    size_t k = x->k;
    int zero = 1;
    for (size_t j = 0; j < k; j++) zero &= g[j] == 0;
    x->last_ok = 0;
    if (x->io_rc) return x->io_rc;
    int rc = sweep(x, g, loglik, grad, info);
    if (zero && !x->have_ll0) {
        if (rc) x->ll0_failed = 1;
        else {
            x->have_ll0 = 1;
            x->ll0 = *loglik;
        }
    }
    if (rc) return rc;
    x->last_ok = 1;
    x->last_info = info != NULL;
    x->last_ll = *loglik;
    memcpy(x->last_g, g, k * sizeof *g);
    if (info) memcpy(x->last_infomat, info, k * k * sizeof *info);
    return 0;
}

/* The score residuals w_i s_i (cox.c's residuals(), beta scale) of every
 * row, summed into the robust meat M (k x k) or the cluster sums Sg. The
 * death table is that of the sweep at the estimate g. */
static int score_pass(scox *x, const double *g, double *M, double *Sg, dyadfit_error *err)
{
    df_stream_cache *c = x->c;
    size_t k = x->k, ndt = x->ndt, ns = x->ns, G = c->G;
    double *cH = df_malloc(ndt + ns, sizeof *cH), *cG = df_malloc((ndt + ns) * k, sizeof *cG);
    double *sc = df_malloc(k, sizeof *sc);
    int rc = df_smpi_agree(!cH || !cG || !sc ? df_error(err, DYADFIT_ERR_SYSTEM, "out of memory "
                                                        "(--stream, Cox residuals)") : 0, err);
    if (rc) goto done;
    /* hazard increments to the final shift, then cumulated per stratum
     * (slot first[s] + s is "before the first time") */
    for (size_t u = 0; u < ndt; u++) {
        double f = exp(x->shift - x->sh[u]);
        x->h1[u] *= f;
        x->h2[u] *= f;
        for (size_t j = 0; j < k; j++) {
            x->g1[u * k + j] *= f;
            x->g2[u * k + j] *= f;
        }
    }
    for (size_t s = 0; s < ns; s++) {
        size_t base = c->dfirst[s] + s;
        cH[base] = 0;
        for (size_t j = 0; j < k; j++) cG[base * k + j] = 0;
        for (size_t u = c->dfirst[s]; u < c->dfirst[s + 1]; u++) {
            size_t o = u + s + 1;
            cH[o] = cH[o - 1] + x->h1[u];
            for (size_t j = 0; j < k; j++) cG[o * k + j] = cG[(o - 1) * k + j] + x->g1[u * k + j];
        }
    }
    rc = df_stream_rewind(c, err);
    while (rc == 0 && (rc = df_stream_next(c, &x->b, err)) == 0) {
        const df_stream_block *b = &x->b;
        for (size_t i = 0; i < b->m; i++) {
            size_t s = !b->st ? 0 : c->stmap ? c->stmap[b->st[i]] : (size_t)b->st[i];
            size_t lo = c->dfirst[s], hi = c->dfirst[s + 1], base = lo + s;
            double e = row_eta(x, i, g), r = exp(e - x->shift), w = b->w ? b->w[i] : 1;
            size_t a = b->start ? count_le(c->dtime, lo, hi, b->start[i]) : 0;
            size_t bb = count_le(c->dtime, lo, hi, b->stop[i]);
            int dead = b->y[i] != 0;
            size_t u = lo + bb - 1;   /* the event time equal to stop if dead */
            double dH = cH[base + bb] - cH[base + a];
            if (dead) dH += x->h2[u] - x->h1[u];
            for (size_t j = 0; j < k; j++) {
                double zj = x->z[j];
                double dG = cG[(base + bb) * k + j] - cG[(base + a) * k + j];
                if (dead) dG += x->g2[u * k + j] - x->g1[u * k + j];
                double v = -r * (dH * zj - dG);
                if (dead) v += zj - x->xbm[u * k + j];
                sc[j] = w * v * x->sd[j];   /* d/dbeta_j = sd_j d/dg_j */
            }
            if (M)
                for (size_t j = 0; j < k; j++)
                    for (size_t m = j; m < k; m++) M[j * k + m] += sc[j] * sc[m];
            if (Sg) {
                size_t cl = c->clmap ? c->clmap[b->cl[i]] : (size_t)b->cl[i];
                for (size_t j = 0; j < k; j++) Sg[j * G + cl] += sc[j];
            }
        }
    }
    if (rc == 1) rc = 0;
    /* MPI: every rank's rows (a rank that could not read stops them all) */
    if ((rc = df_smpi_agree(rc, err))) goto done;
    if ((M && df_smpi_sum(M, k * k)) || (Sg && df_smpi_sum(Sg, G * k))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "--stream: MPI reduction failed (Cox scores)");
        goto done;
    }
    if (M)   /* both triangles */
        for (size_t j = 0; j < k; j++)
            for (size_t m = j + 1; m < k; m++) M[m * k + j] = M[j * k + m];
done:
    free(cH);
    free(cG);
    free(sc);
    return rc;
}

static void scox_free(scox *x)
{
    df_stream_block_free(&x->b);
    void *p[] = {x->z, x->A0, x->A1, x->A2, x->acount, x->tcur, x->D0, x->D1, x->D2, x->dw,
                 x->dwe, x->nd, x->unext, x->bnext, x->B0, x->B1, x->B2, x->bcount, x->h1,
                 x->h2, x->g1, x->g2, x->xbm, x->sh, x->xb, x->last_g, x->last_infomat,
                 x->slot, x->freel, x->used, x->left, x->total};
    for (size_t i = 0; i < sizeof p / sizeof *p; i++) free(p[i]);
}

/* The sweep's arrays: O(ns + cap k^2 + ndt k^2) doubles (bins only with
 * start). */
static int scox_alloc(scox *x)
{
    const df_stream_cache *c = x->c;
    size_t k = x->k, kk = k * k, ns = x->ns, nt = x->ndt ? x->ndt : 1;
    size_t cap = x->cap = c->scap ? c->scap : 1;
    if (df_stream_block_alloc(x->c, &x->b)) return -1;
    x->slot = df_malloc(ns, sizeof *x->slot);
    x->left = df_malloc(ns, sizeof *x->left);
    x->total = df_malloc(ns, sizeof *x->total);
    x->freel = df_malloc(cap, sizeof *x->freel);
    x->used = df_malloc(cap, 1);
    if (!x->slot || !x->left || !x->total || !x->freel || !x->used) return -1;
    for (size_t s = 0; s < ns; s++)
        x->total[s] = c->scount[s] + (c->sbelow ? c->sbelow[s] : 0);
    x->z = df_malloc(k, sizeof *x->z);
    x->xb = df_malloc(k, sizeof *x->xb);
    x->A0 = df_malloc(ns, sizeof *x->A0);
    x->A1 = df_malloc(cap, k * sizeof *x->A1);
    x->A2 = df_malloc(cap, kk * sizeof *x->A2);
    x->acount = df_malloc(ns, sizeof *x->acount);
    x->tcur = df_malloc(ns, sizeof *x->tcur);
    x->D0 = df_malloc(ns, sizeof *x->D0);
    x->D1 = df_malloc(cap, k * sizeof *x->D1);
    x->D2 = df_malloc(cap, kk * sizeof *x->D2);
    x->dw = df_malloc(ns, sizeof *x->dw);
    x->dwe = df_malloc(ns, sizeof *x->dwe);
    x->nd = df_malloc(ns, sizeof *x->nd);
    x->unext = df_malloc(ns, sizeof *x->unext);
    x->bnext = df_malloc(ns, sizeof *x->bnext);
    x->h1 = df_malloc(nt, sizeof *x->h1);
    x->h2 = df_malloc(nt, sizeof *x->h2);
    x->sh = df_malloc(nt, sizeof *x->sh);
    x->g1 = df_malloc(nt, k * sizeof *x->g1);
    x->g2 = df_malloc(nt, k * sizeof *x->g2);
    x->xbm = df_malloc(nt, k * sizeof *x->xbm);
    x->last_g = df_malloc(k, sizeof *x->last_g);
    x->last_infomat = df_malloc(kk, sizeof *x->last_infomat);
    if (x->c->has_start) {
        x->B0 = df_malloc(nt, sizeof *x->B0);
        x->B1 = df_malloc(nt, k * sizeof *x->B1);
        x->B2 = df_malloc(nt, kk * sizeof *x->B2);
        x->bcount = df_malloc(nt, sizeof *x->bcount);
        if (!x->B0 || !x->B1 || !x->B2 || !x->bcount) return -1;
    }
    if (!x->z || !x->xb || !x->A0 || !x->A1 || !x->A2 || !x->acount || !x->tcur || !x->D0 ||
        !x->D1 || !x->D2 || !x->dw || !x->dwe || !x->nd || !x->unext || !x->bnext || !x->h1 ||
        !x->h2 || !x->sh || !x->g1 || !x->g2 || !x->xbm || !x->last_g || !x->last_infomat)
        return -1;
    return 0;
}

int df_stream_fit_cox(const char *path, const dyadfit_model *m, size_t chunk_rows,
                      dyadfit_result **out, dyadfit_error *err)
{
    df_stream_cache c;
    scox x;
    dyadfit_result *r = NULL;
    size_t *col = NULL;
    double *mean = NULL, *sd = NULL, *g = NULL, *info = NULL, *beta = NULL;
    double *M = NULL, *Sg = NULL;
    int rc;

    *out = NULL;
    memset(&c, 0, sizeof c);
    memset(&x, 0, sizeof x);
    if (m->weight_type == DYADFIT_WEIGHT_FREQUENCY && m->weights && m->vce != DYADFIT_VCE_OIM)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "cox: robust or cluster variance with frequency weights is not "
                        "supported; use probability weights");
    double t_start = df_stream_clock();
    if ((rc = df_stream_cache_build(path, m, chunk_rows, &c, err))) goto cleanup;
    double t_cache = df_stream_clock() - t_start;

    /* kept covariates: not the intercept (column 0), not collinear */
    df_design *d = c.d;
    size_t kall = c.kall, k = 0;
    if (!(col = df_malloc(kall, sizeof *col)) || !(mean = df_malloc(kall, sizeof *mean)) ||
        !(sd = df_malloc(kall, sizeof *sd)))
        goto nomem;
    for (size_t j = 0; j < kall; j++) {
        if (j == 0 || c.drop[j]) {
            free(d->terms[j]);
            continue;
        }
        mean[k] = c.xmean[j];
        sd[k] = c.xsd[j];
        d->terms[k] = d->terms[j];
        col[k++] = j;
    }
    for (size_t j = k; j < kall; j++) d->terms[j] = NULL;
    d->k = k;
    d->intercept = 0;
    if (k == 0) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "formula \"%.60s\": the model has no usable "
                      "covariates (%s%s dropped as zero or collinear)", m->formula,
                      d->ncollinear ? d->collinear[0] : "?", d->ncollinear > 1 ? ", ..." : "");
        goto cleanup;
    }
    if ((rc = df_api_check_nobs(d, k + 1, "with the baseline hazard, in place of an "
                                "intercept", err)))
        goto cleanup;
    if (c.nevents == 0) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "Cox model: no events (all %zu rows are censored)",
                      d->n);
        goto cleanup;
    }

    x.c = &c;
    x.k = k;
    x.ns = c.ns;
    x.ndt = c.dfirst[c.ns];
    x.col = col;
    x.mean = mean;
    x.sd = sd;
    x.breslow = m->ties == DYADFIT_TIES_BRESLOW;
    x.err = err;
    /* MPI: a rank out of memory stops all before the first pass */
    if ((rc = df_smpi_agree(scox_alloc(&x) || !(g = df_calloc(k, sizeof *g)) ||
                            !(info = df_malloc(k * k, sizeof *info)) ||
                            !(beta = df_malloc(k, sizeof *beta))
                                ? df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, "
                                           "Cox model)") : 0, err)))
        goto cleanup;

    /* Newton from 0 as cox.c: the first evaluation is the log-likelihood
     * at 0, the polish evaluation forms the information */
    df_newton_opts no;
    df_newton_defaults(&no);
    no.maxiter = m->maxiter;
    no.tol = m->tolerance;
    no.polish_info = 1;
    df_newton_status st;
    double t_newton = df_stream_clock();
    rc = df_newton(objective, &x, k, g, &no, &st, err);
    t_newton = df_stream_clock() - t_newton;
    if (x.io_rc) { rc = x.io_rc; goto cleanup; }
    if (x.ll0_failed) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "Cox model: the partial likelihood cannot be "
                      "evaluated at beta = 0");
        goto cleanup;
    }
    if (rc) goto cleanup;
    size_t newton_passes = x.passes;
    double t_final = df_stream_clock();
    double ll;
    /* the information and the death table at the estimate: the last
     * evaluation when it was there with the information, else one more */
    if (x.last_ok && x.last_info && memcmp(x.last_g, g, k * sizeof *g) == 0) {
        ll = x.last_ll;
        memcpy(info, x.last_infomat, k * k * sizeof *info);
    } else if (objective(&x, g, &ll, NULL, info)) {
        rc = x.io_rc ? x.io_rc : df_error(err, DYADFIT_ERR_ESTIM, "Cox model: the partial "
                                          "likelihood cannot be evaluated at the estimate");
        goto cleanup;
    }
    if ((rc = df_smpi_agree((m->vce == DYADFIT_VCE_ROBUST && !(M = df_calloc(k * k, sizeof *M))) ||
                            (m->vce == DYADFIT_VCE_CLUSTER &&
                             !(Sg = df_calloc(c.G ? c.G * k : 1, sizeof *Sg)))
                                ? df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, "
                                           "Cox model)") : 0, err)))
        goto cleanup;
    if ((M || Sg) && (rc = score_pass(&x, g, M, Sg, err))) goto cleanup;
    t_final = df_stream_clock() - t_final;
    for (size_t j = 0; j < k; j++) beta[j] = g[j] / sd[j];
    for (size_t j = 0; j < k; j++)
        for (size_t a = 0; a < k; a++) info[j * k + a] *= sd[j] * sd[a];

    if (!(r = df_calloc(1, sizeof *r)) ||
        df_api_copy_strings(r, m, d, path, "", m->cluster, m->weights, m->offset))
        goto nomem;
    /* the checksum: rank 0 alone reports (as the binomial fits) */
    double t_sha = df_stream_clock();
    if (df_smpi_rank() == 0 && (rc = df_sha256_file(path, r->sha256, err))) goto cleanup;
    t_sha = df_stream_clock() - t_sha;
    df_api_result_init(r, m, d);
    r->information = DYADFIT_INFO_OBSERVED;
    if ((rc = df_api_set_coef(r, d, beta, err))) goto cleanup;
    double N = (double)d->n;
    if (c.has_w && m->weight_type == DYADFIT_WEIGHT_FREQUENCY) N = c.sw;
    r->nobs = N;
    if ((rc = df_stream_variance(r, m, &c, info, M, Sg, k, (double)d->n, err))) goto cleanup;
    r->loglik = ll;
    r->loglik0 = x.ll0;
    r->iterations = st.iterations;
    r->converged = st.converged;
    r->max_gradient = st.max_gradient;
    r->ties = m->ties;
    if (!(r->subtitle = df_strdup(x.breslow ? "Breslow ties" : "Efron ties"))) goto nomem;
    df_api_note(r, "%zu events in %zu rows%s", c.nevents, d->n,
                c.has_start ? " (counting process: start, stop]" : "");
    if (c.has_strata) {
        size_t empty = 0;
        for (size_t s = 0; s < c.ns; s++) empty += c.dfirst[s + 1] == c.dfirst[s];
        df_api_note(r, "%zu strata (%zu without any event, which add nothing)", c.ns, empty);
    }
    if (!st.converged) df_api_note(r, "convergence not achieved: %s", st.message);
    df_stream_timing(&c, k, t_cache, t_newton, newton_passes, t_final, t_sha,
                     df_stream_clock() - t_start);
    rc = DYADFIT_OK;
    goto cleanup;
nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream, Cox model)");
cleanup:
    scox_free(&x);
    free(col);
    free(mean);
    free(sd);
    free(g);
    free(info);
    free(beta);
    free(M);
    free(Sg);
    df_stream_cache_free(&c);
    if (rc) dyadfit_result_free(r);
    else *out = r;
    return rc;
}
