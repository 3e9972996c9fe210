/*
 * firth.c -- Firth's (1993) penalised-likelihood logit, as R's logistf
 * (Heinze & Schemper 2002), plus FLIC and FLAC (Puhr et al. 2017), and the
 * blocked logit pass that relogit.c shares.
 *
 * Input:  df_design (X n x k column-major, y in [0, 1], optional w >= 0 and
 *         offset), options (df_firth_opts).
 * Output: beta maximising l*(b) = l(b) + 0.5 log|I(b)|, I = X'diag(w pi
 *         (1 - pi))X; Wald V = I^-1 at beta; hat values; profile
 *         penalised-likelihood CIs and penalised LR tests.
 *
 * Numerics:
 * - The gradient of l* is the modified score U*(b) = X'(w(y - pi) +
 *   h (0.5 - pi)), h_i the diagonal of W^1/2 X I^-1 X' W^1/2. The step is
 *   I^-1 U* (Firth's/logistf's quasi-Newton step: the derivative of h is
 *   left out of the Hessian), capped at maxstep per coefficient, halved
 *   while l* falls. Start at b = 0 as logistf does. l* is bounded above
 *   even under complete separation (log|I| -> -inf as |b| -> inf), so the
 *   iteration converges where ML diverges.
 * - h_i = w_i pi_i (1 - pi_i) ||L^-1 x_i||^2 with I = L L' (Cholesky):
 *   forward substitution on blocks of rows (dtrsm beyond 64 columns),
 *   never an n x n matrix; the same pass forms U*. 0.5 log|I| = sum log
 *   L_jj. I is accumulated by glm.c's X'WX kernel (kernels.c) over blocks
 *   of rows, in two threads for large n. Two passes over X per iteration
 *   (I and l*; h and U*), plus one per step-halving trial.
 * - Profile: for fixed b_j the other coefficients maximise l* (the same
 *   solver on the free set, penalty from the full I, as logistf's col.fit);
 *   each CI bound solves 2[l*(b^) - l*_j(t)] = qchisq(level, 1) by
 *   bracketing outward from b^_j and a safeguarded secant (Illinois)
 *   search, warm-starting each profile fit from the previous one.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <gsl/gsl_cdf.h>
#include "rare.h"
#include "../util/util.h"
#include "../util/lapack.h"
#include "kernels.h"

#define RARE_BLOCK_ROWS 512

/* log pi and log(1 - pi) for pi = 1/(1 + exp(-eta)) without overflow or
 * cancellation in either tail */
static void log_expit(double eta, double *lp, double *lq)
{
    if (eta >= 0) {
        *lp = -log1p(exp(-eta));
        *lq = *lp - eta;
    } else {
        *lq = -log1p(exp(eta));
        *lp = *lq + eta;
    }
}

static double expit(double eta)
{
    return eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta));
}

/* ----- the row passes ----------------------------------------------
 * Each pass runs over blocks of FP_BLOCK rows whose columns stay in cache
 * while they are used; designs of FP_SPLIT rows or more are cut at a block
 * boundary near the middle and the second half runs in a second thread
 * (as glm.c's fused pass). The halves' sums are added in a fixed order, so
 * results do not depend on whether the thread ran. */
#define FP_BLOCK 2048
#define FP_SPLIT ((size_t)1 << 16)
/* up to this many columns the hat values are solved on row vectors here;
 * beyond it by BLAS dtrsm on blocks of RARE_BLOCK_ROWS rows (OpenBLAS
 * threads a small dtrsm, and for small k the threads' start-up and
 * spinning cost far more than the k^2/2 flops per row) */
#define HAT_VEC_K 64

typedef struct {
    const df_design *d;
    const double *rw, *beta;   /* logit pass: row weights (or NULL), b */
    const double *L;           /* hat: Cholesky factor of I (lower) */
    const double *dinv;        /* hat: 1 / L_jj */
    const double *pi;          /* score: fitted probabilities */
    double *pi_out;            /* logit pass: n or NULL */
    double *q;                 /* hat: n; with score, h_i instead */
    double *r;                 /* score: n, the residuals of U* */
    int avx2, score, penalty;
    size_t k, i0, i1;
    double *buf;               /* FP_BLOCK x (k + 2) */
    const double **xcol;       /* k */
    double *info, *u;          /* this half's sums: k x k (lower), k */
    double ll;
} fp_part;

static void *fp_logit(void *vp)
{
    fp_part *p = vp;
    const df_design *d = p->d;
    size_t n = d->n, k = p->k;
    double *eta = p->buf, *h = p->buf + FP_BLOCK, ll = 0;
    for (size_t i0 = p->i0; i0 < p->i1; i0 += FP_BLOCK) {
        size_t m = p->i1 - i0 < FP_BLOCK ? p->i1 - i0 : FP_BLOCK, j = 0;
        if (d->offset) memcpy(eta, d->offset + i0, m * sizeof *eta);
        else memset(eta, 0, m * sizeof *eta);
        for (; j + 1 < k; j += 2)
            df_axpy2(p->avx2, eta, d->X + j * n + i0, p->beta[j],
                     d->X + (j + 1) * n + i0, p->beta[j + 1], m);
        if (j < k) df_axpy1(eta, d->X + j * n + i0, p->beta[j], m);
        double s = 0;
        for (size_t r = 0; r < m; r++) {
            size_t i = i0 + r;
            double v = (d->w ? d->w[i] : 1) * (p->rw ? p->rw[i] : 1);
            double lp, lq;
            log_expit(eta[r], &lp, &lq);
            /* skip zero-weight rows so 0 * -inf never turns into NaN */
            if (v != 0) s += v * (d->y[i] * lp + (1 - d->y[i]) * lq);
            if (p->pi_out) p->pi_out[i] = expit(eta[r]);
            /* pi (1 - pi) = exp(lp + lq): exact in the tails */
            h[r] = v * exp(lp + lq);
        }
        ll += s;
        for (j = 0; j < k; j++) p->xcol[j] = d->X + j * n + i0;
        df_xwx_block(p->avx2, p->xcol, h, m, k, p->info);
    }
    p->ll = ll;
    return NULL;
}

/* q_i = ||L^-1 x_i||^2 by forward substitution on the block's row vectors:
 * z_j = (x_j - sum_{l<j} L_jl z_l) / L_jj, column by column. With score:
 * q_i becomes h_i = w_i pi_i (1 - pi_i) q_i (0 without the penalty), r_i =
 * w_i (y_i - pi_i) + h_i (0.5 - pi_i), and u += X' r. */
static void *fp_hat(void *vp)
{
    fp_part *p = vp;
    const df_design *d = p->d;
    size_t n = d->n, k = p->k;
    const double *L = p->L;
    double *z = p->buf, *q = p->buf + k * FP_BLOCK, *rr = q + FP_BLOCK;
    for (size_t i0 = p->i0; i0 < p->i1; i0 += FP_BLOCK) {
        size_t m = p->i1 - i0 < FP_BLOCK ? p->i1 - i0 : FP_BLOCK;
        memset(q, 0, m * sizeof *q);
        for (size_t j = 0; j < k; j++) {
            double *zj = z + j * m;
            memcpy(zj, d->X + j * n + i0, m * sizeof *zj);
            size_t l = 0;
            for (; l + 1 < j; l += 2)
                df_axpy2(p->avx2, zj, z + l * m, -L[l * k + j], z + (l + 1) * m,
                         -L[(l + 1) * k + j], m);
            if (l < j) df_axpy1(zj, z + l * m, -L[l * k + j], m);
            double di = p->dinv[j];
            for (size_t r = 0; r < m; r++) {
                zj[r] *= di;
                q[r] += zj[r] * zj[r];
            }
        }
        if (!p->score) {
            memcpy(p->q + i0, q, m * sizeof *q);
            continue;
        }
        for (size_t r = 0; r < m; r++) {
            size_t i = i0 + r;
            double v = d->w ? d->w[i] : 1, pr = p->pi[i];
            double h = p->penalty ? v * pr * (1 - pr) * q[r] : 0;
            p->q[i] = h;
            rr[r] = p->r[i] = v * (d->y[i] - pr) + h * (0.5 - pr);
        }
        for (size_t j = 0; j < k; j++) p->u[j] += df_dot4(d->X + j * n + i0, rr, m);
    }
    return NULL;
}

/* Runs fn over the rows in two halves (threads when allowed). */
static void fp_run(fp_part *p, size_t n, void *(*fn)(void *))
{
    size_t split = n;
    if (n >= FP_SPLIT) split = (n / 2 + FP_BLOCK - 1) / FP_BLOCK * FP_BLOCK;
    p[0].i0 = 0;
    p[0].i1 = split;
    p[1].i0 = split;
    p[1].i1 = n;
    pthread_t th;
    int threaded = split < n && df_threads() > 1 &&
                   pthread_create(&th, NULL, fn, &p[1]) == 0;
    fn(&p[0]);
    if (threaded) pthread_join(th, NULL);
    else if (split < n) fn(&p[1]);
}

/* Two parts with their buffers (NULL on failure); free with fp_free. */
static fp_part *fp_alloc(const df_design *d)
{
    size_t k = d->k;
    fp_part *p = calloc(2, sizeof *p);
    if (!p) return NULL;
    for (int h = 0; h < 2; h++) {
        p[h].d = d;
        p[h].k = k;
        p[h].avx2 = df_kern_avx2();
        p[h].buf = df_malloc(FP_BLOCK * (k + 2), sizeof(double));
        p[h].xcol = df_malloc(k, sizeof(double *));
        p[h].info = df_calloc(k * k, sizeof(double));
        p[h].u = df_calloc(k, sizeof(double));
        if (!p[h].buf || !p[h].xcol || !p[h].info || !p[h].u) {
            for (int g = 0; g <= h; g++) {
                free(p[g].buf); free(p[g].xcol); free(p[g].info); free(p[g].u);
            }
            free(p);
            return NULL;
        }
    }
    return p;
}

static void fp_free(fp_part *p)
{
    if (!p) return;
    for (int h = 0; h < 2; h++) {
        free(p[h].buf); free(p[h].xcol); free(p[h].info); free(p[h].u);
    }
    free(p);
}

/* q_i = ||L^-1 x_i||^2 for all rows (score = 0), or the modified score's
 * h, r and U = X'r (score = 1: pi, w as in fp_hat). */
static int hat_pass(const df_design *d, const double *L, const double *pi,
                    int penalty, double *q, double *r, double *U)
{
    size_t n = d->n, k = d->k;
    if (k > HAT_VEC_K) {
        double *blk = df_malloc(RARE_BLOCK_ROWS * k, sizeof *blk);
        if (!blk) return -1;
        for (size_t i0 = 0; i0 < n; i0 += RARE_BLOCK_ROWS) {
            size_t nb = n - i0 < RARE_BLOCK_ROWS ? n - i0 : RARE_BLOCK_ROWS;
            for (size_t j = 0; j < k; j++)
                memcpy(blk + j * nb, d->X + j * n + i0, nb * sizeof *blk);
            cblas_dtrsm(CblasColMajor, CblasRight, CblasLower, CblasTrans,
                        CblasNonUnit, (int)nb, (int)k, 1.0, L, (int)k, blk,
                        (int)nb);
            for (size_t t = 0; t < nb; t++) q[i0 + t] = 0;
            for (size_t j = 0; j < k; j++)
                for (size_t t = 0; t < nb; t++)
                    q[i0 + t] += blk[j * nb + t] * blk[j * nb + t];
        }
        free(blk);
        if (!U) return 0;
        for (size_t i = 0; i < n; i++) {
            double v = d->w ? d->w[i] : 1, pr = pi[i];
            double h = penalty ? v * pr * (1 - pr) * q[i] : 0;
            q[i] = h;
            r[i] = v * (d->y[i] - pr) + h * (0.5 - pr);
        }
        for (size_t j = 0; j < k; j++) U[j] = df_dot4(d->X + j * n, r, n);
        return 0;
    }
    fp_part *p = fp_alloc(d);
    double *dinv = df_malloc(k, sizeof *dinv);
    if (!p || !dinv) { fp_free(p); free(dinv); return -1; }
    for (size_t j = 0; j < k; j++) dinv[j] = 1 / L[j * k + j];
    for (int h = 0; h < 2; h++) {
        p[h].L = L; p[h].dinv = dinv; p[h].pi = pi; p[h].q = q; p[h].r = r;
        p[h].score = U != NULL; p[h].penalty = penalty;
    }
    fp_run(p, n, fp_hat);
    if (U)
        for (size_t j = 0; j < k; j++) U[j] = p[0].u[j] + p[1].u[j];
    fp_free(p);
    free(dinv);
    return 0;
}

int df_logit_pass(const df_design *d, const double *rw, const double *beta,
                  double *pi, double *loglik, double *info, double *L,
                  double *q, dyadfit_error *err)
{
    size_t n = d->n, k = d->k;
    if (k > 46000 || k == 0)
        return df_error(err, DYADFIT_ERR_SPEC, "logit: %zu columns", k);
    fp_part *p = fp_alloc(d);
    if (!p)
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (logit pass, "
                        "k = %zu)", k);
    for (int h = 0; h < 2; h++) {
        p[h].rw = rw; p[h].beta = beta; p[h].pi_out = pi;
    }
    fp_run(p, n, fp_logit);
    for (size_t j = 0; j < k; j++)
        for (size_t l = j; l < k; l++)
            info[l * k + j] = info[j * k + l] =
                p[0].info[j * k + l] + p[1].info[j * k + l];
    *loglik = p[0].ll + p[1].ll;
    fp_free(p);
    if (L) {
        int ik = (int)k, inf = 0;
        memcpy(L, info, k * k * sizeof *L);
        dpotrf_("L", &ik, L, &ik, &inf);
        if (inf != 0)
            return df_error(err, DYADFIT_ERR_ESTIM, "logit: information matrix "
                            "not positive definite (leading minor %d): "
                            "collinear columns or no variation", inf);
        for (size_t j = 0; j < k; j++)
            for (size_t l = 0; l < j; l++) L[j * k + l] = 0;
        if (q && hat_pass(d, L, NULL, 0, q, NULL, NULL))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (hat values, "
                            "k = %zu)", k);
    }
    return 0;
}

/* ------------------------------------------------------------------ */

typedef struct {
    const df_design *d;
    const df_firth_opts *o;
    size_t n, k;
    int penalty;                   /* 1 Firth, 0 plain ML (FLAC) */
    double *pi, *q, *r;            /* n */
    double *info, *L, *Lf;         /* k x k */
    double *U, *delta, *bnew;      /* k */
} firth_ws;

static void ws_free(firth_ws *w)
{
    free(w->pi); free(w->q); free(w->r);
    free(w->info); free(w->L); free(w->Lf);
    free(w->U); free(w->delta); free(w->bnew);
}

static int ws_alloc(firth_ws *w, const df_design *d, const df_firth_opts *o)
{
    size_t n = d->n, k = d->k;
    memset(w, 0, sizeof *w);
    w->d = d; w->o = o; w->n = n; w->k = k;
    w->penalty = 1;
    w->pi = df_malloc(n, sizeof(double));
    w->q = df_malloc(n, sizeof(double));
    w->r = df_malloc(n, sizeof(double));
    w->info = df_malloc(k * k, sizeof(double));
    w->L = df_malloc(k * k, sizeof(double));
    w->Lf = df_malloc(k * k, sizeof(double));
    w->U = df_malloc(k, sizeof(double));
    w->delta = df_malloc(k, sizeof(double));
    w->bnew = df_malloc(k, sizeof(double));
    return !(w->pi && w->q && w->r && w->info && w->L && w->Lf && w->U &&
             w->delta && w->bnew);
}

/* l* at beta (fills pi, info, L); non-zero when I is singular there */
static int penalised(firth_ws *w, const double *beta, double *lls,
                     double *ll, dyadfit_error *err)
{
    int rc = df_logit_pass(w->d, NULL, beta, w->pi, ll, w->info, w->L, NULL,
                           err);
    if (rc) return rc;
    double ld = 0;
    if (w->penalty)
        for (size_t j = 0; j < w->k; j++) ld += log(w->L[j * w->k + j]);
    *lls = *ll + ld;       /* 0.5 log|I| = sum log L_jj */
    if (!isfinite(*lls))
        return df_error(err, DYADFIT_ERR_ESTIM,
                        "Firth: penalised log likelihood is not finite");
    return 0;
}

/* U* at the point last passed to penalised() (uses pi, L): h in q, the
 * residuals in r, U* in U */
static int modified_score(firth_ws *w, dyadfit_error *err)
{
    if (hat_pass(w->d, w->L, w->pi, w->penalty, w->q, w->r, w->U))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Firth "
                        "hat values, k = %zu)", w->k);
    return 0;
}

/* Maximises l* over the free coefficients (all when fix < 0; else b[fix]
 * stays). beta: start in, estimate out. Returns 0 when converged, 1 when
 * not (message in msg), an error code otherwise (err). */
static int firth_solve(firth_ws *w, double *beta, long fix, double *lls_out,
                       double *ll_out, int *iter_out, double *score_out,
                       char *msg, size_t msgsize, dyadfit_error *err)
{
    const df_firth_opts *o = w->o;
    size_t k = w->k, kf = fix >= 0 ? k - 1 : k;
    int ik = (int)kf, one = 1, inf = 0, rc = 0, iter = 0, conv = 0;
    double lls, ll, score = INFINITY;
    rc = penalised(w, beta, &lls, &ll, err);
    if (rc) return rc;
    if (kf == 0) {
        /* every coefficient is fixed (the profile of a one-parameter model):
           nothing to solve, the value at beta is the answer */
        if (lls_out) *lls_out = lls;
        if (ll_out) *ll_out = ll;
        if (iter_out) *iter_out = 0;
        if (score_out) *score_out = 0;
        return 0;
    }
    for (;;) {
        if ((rc = modified_score(w, err))) return rc;
        /* free-set system: pack I_ff and U*_f (drop row/column fix) */
        size_t a = 0;
        score = 0;
        for (size_t j = 0; j < k; j++) {
            if ((long)j == fix) continue;
            size_t b2 = 0;
            for (size_t l = 0; l < k; l++) {
                if ((long)l == fix) continue;
                w->Lf[b2 * kf + a] = w->info[l * k + j];
                b2++;
            }
            w->delta[a] = w->U[j];
            double s = fabs(w->U[j]) / sqrt(w->info[j * k + j]);
            if (!(s <= score)) score = s;  /* NaN-propagating max */
            a++;
        }
        dpotrf_("L", &ik, w->Lf, &ik, &inf);
        if (inf == 0) dpotrs_("L", &ik, &one, w->Lf, &ik, w->delta, &ik, &inf);
        if (inf != 0) {
            return df_error(err, DYADFIT_ERR_ESTIM, "Firth: information "
                            "matrix not positive definite at iteration %d",
                            iter);
        }
        double dmax = 0, dabs = 0;
        a = 0;
        for (size_t j = 0; j < k; j++) {
            if ((long)j == fix) continue;
            double rel = fabs(w->delta[a]) / (1 + fabs(beta[j]));
            if (!(rel <= dmax)) dmax = rel;
            if (fabs(w->delta[a]) > dabs) dabs = fabs(w->delta[a]);
            a++;
        }
        if (!isfinite(dmax) || !isfinite(score)) {
            return df_error(err, DYADFIT_ERR_ESTIM, "Firth: non-finite step "
                            "at iteration %d", iter);
        }
        if (score <= o->gconv && dmax <= o->xconv) {
            conv = 1;
            break;
        }
        if (iter >= o->maxiter) break;
        if (df_interrupted())
            return df_error(err, DYADFIT_ERR_INTERRUPTED, "interrupted by "
                            "the user at Firth iteration %d", iter + 1);
        /* logistf caps the largest change at maxstep */
        double cap = dabs > o->maxstep ? o->maxstep / dabs : 1;
        double step = cap, llsnew = -INFINITY, llnew = 0;
        int accepted = 0;
        for (int h = 0; h <= o->maxhalve; h++) {
            a = 0;
            for (size_t j = 0; j < k; j++) {
                w->bnew[j] = beta[j];
                if ((long)j == fix) continue;
                w->bnew[j] += step * w->delta[a++];
            }
            dyadfit_error e2;
            if (penalised(w, w->bnew, &llsnew, &llnew, &e2) == 0 &&
                llsnew >= lls - 1e-13 * fabs(lls)) {
                accepted = 1;
                break;
            }
            step *= 0.5;
        }
        iter++;
        if (!accepted) {
            /* restore pi/L at beta; at the optimum to rounding precision
             * the step cannot improve l*: accept when the score is small */
            rc = penalised(w, beta, &lls, &ll, err);
            if (rc) return rc;
            if ((rc = modified_score(w, err))) return rc;
            if (score <= o->gconv * 1e3) conv = 1;
            else
                snprintf(msg, msgsize, "Firth: step-halving failed at "
                         "iteration %d (max standardised score %.3g)", iter,
                         score);
            break;
        }
        memcpy(beta, w->bnew, k * sizeof *beta);
        lls = llsnew;
        ll = llnew;
    }
    if (!conv && !msg[0])
        snprintf(msg, msgsize, "Firth: no convergence after %d iterations "
                 "(max standardised score %.3g)", iter, score);
    *lls_out = lls;
    *ll_out = ll;
    if (iter_out) *iter_out = iter;
    if (score_out) *score_out = score;
    return conv ? 0 : 1;
}

void df_firth_defaults(df_firth_opts *o)
{
    o->maxiter = 200;
    o->maxhalve = 30;
    o->maxstep = 5;
    o->xconv = 1e-12;
    o->gconv = 1e-9;
    o->profile = 1;
    o->level = 0.95;
    o->augmented_variance = 0;
}

void df_firth_fit_free(df_firth_fit *f)
{
    if (!f) return;
    free(f->beta); free(f->V); free(f->se); free(f->hat);
    free(f->ci_lower); free(f->ci_upper); free(f->chisq); free(f->pvalue);
    f->beta = f->V = f->se = f->hat = NULL;
    f->ci_lower = f->ci_upper = f->chisq = f->pvalue = NULL;
}

static int check_design(const df_design *d, const char *what,
                        dyadfit_error *err)
{
    if (!d || !d->X || !d->y)
        return df_error(err, DYADFIT_ERR_SPEC, "%s: no design", what);
    if (d->k == 0)
        return df_error(err, DYADFIT_ERR_SPEC, "%s: the model has no "
                        "coefficients", what);
    if (d->n == 0)
        return df_error(err, DYADFIT_ERR_DATA, "%s: no observations", what);
    for (size_t i = 0; i < d->n; i++) {
        if (!(d->y[i] >= 0 && d->y[i] <= 1))
            return df_error(err, DYADFIT_ERR_SPEC, "%s: response must lie in "
                            "[0, 1]; row %zu has %g", what, i + 1, d->y[i]);
        if (d->w && !(d->w[i] >= 0 && isfinite(d->w[i])))
            return df_error(err, DYADFIT_ERR_SPEC, "%s: weight must be "
                            "finite and >= 0; row %zu has %g", what, i + 1,
                            d->w[i]);
        if (d->offset && !isfinite(d->offset[i]))
            return df_error(err, DYADFIT_ERR_SPEC, "%s: offset not finite "
                            "in row %zu", what, i + 1);
    }
    for (size_t j = 0; j < d->k; j++)
        for (size_t i = 0; i < d->n; i++)
            if (!isfinite(d->X[j * d->n + i]))
                return df_error(err, DYADFIT_ERR_SPEC, "%s: X not finite in "
                                "row %zu, column %zu", what, i + 1, j + 1);
    return 0;
}

/* 2[l*max - l*_j(t)] and its derivative in t: profile fit with b_j = t,
 * warm start in b (k). By the envelope theorem d l*_j / dt is the j-th
 * modified score at the constrained optimum (the others are 0 there), so
 * d dev / dt = -2 U*_j, which firth_solve leaves in w->U. */
static int profile_at(firth_ws *w, double *b, size_t j, double t,
                      double llsmax, double *dev, double *ddev,
                      dyadfit_error *err)
{
    double lls, ll;
    char msg[256] = "";
    b[j] = t;
    int rc = firth_solve(w, b, (long)j, &lls, &ll, NULL, NULL, msg,
                         sizeof msg, err);
    if (rc > 1) return rc;
    *dev = 2 * (llsmax - lls);
    if (ddev) *ddev = -2 * w->U[j];
    return rc;     /* 1: not converged (counted as a failure) */
}

/* One CI bound: side = +1 (upper) or -1 (lower): the root of f(t) =
 * dev(t) - crit beyond b^_j. Safeguarded Newton with the envelope
 * derivative: Newton steps while they stay inside the current bracket (or,
 * before an outer point is known, move outward by at most 4 times the
 * distance so far), bisection otherwise. Returns the bound, or +-INFINITY
 * when no outer point was found; *fail counts solver trouble. */
static double profile_bound(firth_ws *w, const double *bhat, double *b,
                            size_t j, double se, double llsmax, double crit,
                            int side, int *fail, int *rc_out,
                            dyadfit_error *err)
{
    size_t k = w->k;
    double b0 = bhat[j];
    double lo = b0, hi = NAN;                 /* inner and outer points */
    double t = b0 + side * (se > 0 && isfinite(se) ? se : 1) * sqrt(crit);
    /* dev carries rounding of order eps |l*|: stop once |f| is there */
    double ftol = 64 * 2.2e-16 * (1 + fabs(llsmax));
    if (ftol < 1e-11) ftol = 1e-11;
    memcpy(b, bhat, k * sizeof *b);
    for (int it = 0; it < 200; it++) {
        double dev, ddev;
        int rc = profile_at(w, b, j, t, llsmax, &dev, &ddev, err);
        if (rc > 1) { *rc_out = rc; return NAN; }
        if (rc == 1) (*fail)++;
        double f = dev - crit;
        if (fabs(f) <= ftol) return t;
        if (f < 0) lo = t;
        else hi = t;
        if (!isnan(hi) && fabs(hi - lo) <= 1e-13 * (1 + fabs(t)))
            return 0.5 * (lo + hi);
        /* Newton step; usable when dev increases outward */
        double tn = side * ddev > 0 ? t - f / ddev : NAN;
        if (isnan(hi)) {
            double far = lo + side * 4 * fabs(lo - b0);
            if (!(side * (tn - lo) > 0)) tn = far;
            else if (side * (tn - far) > 0) tn = far;
            /* a Newton step on a convex dev(t) from inside lands beyond
             * the root; 2% extra makes sure of it when dev is concave */
            else tn = lo + 1.02 * (tn - lo);
            if (fabs(tn - b0) > 1e8 * (1 + fabs(b0) + se)) break;
        } else if (!(tn > fmin(lo, hi) && tn < fmax(lo, hi))) {
            tn = 0.5 * (lo + hi);
        }
        t = tn;
    }
    if (isnan(hi)) return side * INFINITY;
    (*fail)++;
    return 0.5 * (lo + hi);
}

/* The Firth fit (penalty = 1) or, with the same solver and profile code,
 * the plain ML fit that FLAC runs on augmented data (penalty = 0). */
static int firth_fit(const df_design *d, const df_firth_opts *o, int penalty,
                     df_firth_fit *out, dyadfit_error *err)
{
    df_firth_opts def;
    firth_ws w;
    int rc = 0;
    double *b = NULL;
    memset(out, 0, sizeof *out);
    memset(&w, 0, sizeof w);
    if (!o) {
        df_firth_defaults(&def);
        o = &def;
    }
    if ((rc = check_design(d, "Firth logit", err))) return rc;
    if (!(o->level > 0 && o->level < 1))
        return df_error(err, DYADFIT_ERR_USAGE, "Firth logit: confidence "
                        "level must lie in (0, 1), got %g", o->level);
    size_t n = d->n, k = d->k;
    out->n = n;
    out->k = k;
    out->beta = df_calloc(k, sizeof(double));
    out->V = df_malloc(k * k, sizeof(double));
    out->se = df_malloc(k, sizeof(double));
    out->hat = df_malloc(n, sizeof(double));
    b = df_malloc(k, sizeof *b);
    int bad = ws_alloc(&w, d, o);
    w.penalty = penalty;
    if (bad || !out->beta || !out->V || !out->se ||
        !out->hat || !b) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Firth logit, "
                      "n = %zu, k = %zu)", n, k);
        goto cleanup;
    }
    double lls, ll;
    rc = firth_solve(&w, out->beta, -1, &lls, &ll, &out->iterations,
                     &out->max_score, out->message, sizeof out->message,
                     err);
    if (rc > 1) goto cleanup;
    out->converged = rc == 0;
    rc = 0;
    /* firth_solve leaves pi, I, L, h (in w.q) and U* at the estimate: the
     * last thing it evaluates is the point it returns */
    out->loglik = lls;
    out->loglik_unpen = ll;
    memcpy(out->hat, w.q, n * sizeof *out->hat);
    if (o->augmented_variance && penalty) {
        /* logistf >= 1.24: information of the augmented data, row weight
         * w_i + h_i (the two pseudo-rows add h_i/2 each); w.r is free */
        df_design a = *d;
        for (size_t i = 0; i < n; i++)
            w.r[i] = (d->w ? d->w[i] : 1) + out->hat[i];
        a.w = w.r;
        double lla;
        rc = df_logit_pass(&a, NULL, out->beta, NULL, &lla, w.info, w.L,
                           NULL, err);
        if (rc) goto cleanup;
    }
    {
        int ik = (int)k, inf = 0;
        memcpy(out->V, w.L, k * k * sizeof *out->V);
        dpotri_("L", &ik, out->V, &ik, &inf);
        for (size_t j = 0; j < k; j++)
            for (size_t l = j + 1; l < k; l++)
                out->V[l * k + j] = out->V[j * k + l];
        for (size_t j = 0; j < k; j++) out->se[j] = sqrt(out->V[j * k + j]);
    }
    if (!o->profile) goto cleanup;

    out->ci_lower = df_malloc(k, sizeof(double));
    out->ci_upper = df_malloc(k, sizeof(double));
    out->chisq = df_malloc(k, sizeof(double));
    out->pvalue = df_malloc(k, sizeof(double));
    if (!out->ci_lower || !out->ci_upper || !out->chisq || !out->pvalue) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Firth "
                      "profile)");
        goto cleanup;
    }
    double crit = gsl_cdf_chisq_Pinv(o->level, 1);
    for (size_t j = 0; j < k; j++) {
        double dev;
        int r2;
        /* penalised LR test of b_j = 0, started from the estimate */
        memcpy(b, out->beta, k * sizeof *b);
        r2 = profile_at(&w, b, j, 0.0, lls, &dev, NULL, err);
        if (r2 > 1) { rc = r2; goto cleanup; }
        if (r2 == 1) out->profile_failures++;
        if (dev < 0) dev = 0;       /* rounding at b^_j = 0 */
        out->chisq[j] = dev;
        out->pvalue[j] = gsl_cdf_chisq_Q(dev, 1);
        r2 = 0;
        out->ci_lower[j] = profile_bound(&w, out->beta, b, j, out->se[j], lls,
                                         crit, -1, &out->profile_failures,
                                         &r2, err);
        if (r2) { rc = r2; goto cleanup; }
        out->ci_upper[j] = profile_bound(&w, out->beta, b, j, out->se[j], lls,
                                         crit, +1, &out->profile_failures,
                                         &r2, err);
        if (r2) { rc = r2; goto cleanup; }
    }

cleanup:
    free(b);
    ws_free(&w);
    if (rc) df_firth_fit_free(out);
    return rc;
}

int df_firth(const df_design *d, const df_firth_opts *o, df_firth_fit *out,
             dyadfit_error *err)
{
    return firth_fit(d, o, 1, out, err);
}

static int has_intercept(const df_design *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->X[i] != 1) return 0;
    return 1;
}

int df_flic(const df_design *d, const df_firth_opts *o, df_firth_fit *out,
            dyadfit_error *err)
{
    int rc;
    double *off = NULL, *info = NULL, *L = NULL;
    memset(out, 0, sizeof *out);
    if ((rc = check_design(d, "FLIC", err))) return rc;
    if (!has_intercept(d))
        return df_error(err, DYADFIT_ERR_SPEC, "FLIC: column 1 must be the "
                        "intercept (all ones)");
    if ((rc = df_firth(d, o, out, err))) return rc;
    size_t n = d->n, k = d->k;
    off = df_malloc(n, sizeof *off);
    info = df_malloc(k * k, sizeof *info);
    L = df_malloc(k * k, sizeof *L);
    if (!off || !info || !L) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (FLIC)");
        goto cleanup;
    }
    /* offset o_i: the Firth linear predictor without the intercept */
    for (size_t i = 0; i < n; i++) {
        double e = d->offset ? d->offset[i] : 0;
        for (size_t j = 1; j < k; j++) e += d->X[j * n + i] * out->beta[j];
        off[i] = e;
    }
    /* ML intercept: the score sum v (y - expit(b0 + o)) is monotone in b0,
     * so Newton from the Firth intercept, with halving on |score|,
     * converges */
    double b0 = out->beta[0], g = 0, h = 0;
    int conv = 0, it;
    for (it = 0; it < 200; it++) {
        g = h = 0;
        for (size_t i = 0; i < n; i++) {
            double v = d->w ? d->w[i] : 1, p = expit(b0 + off[i]);
            g += v * (d->y[i] - p);
            h += v * p * (1 - p);
        }
        if (!(h > 0)) break;
        double step = g / h;
        if (fabs(step) <= 1e-15 * (1 + fabs(b0))) { conv = 1; break; }
        double gnew = 0, t = step;
        for (int hh = 0; hh < 60; hh++, t *= 0.5) {
            gnew = 0;
            for (size_t i = 0; i < n; i++) {
                double v = d->w ? d->w[i] : 1;
                gnew += v * (d->y[i] - expit(b0 + t + off[i]));
            }
            if (fabs(gnew) <= fabs(g)) break;
        }
        if (fabs(gnew) > fabs(g)) { conv = fabs(g) < 1e-10 * (1 + h); break; }
        b0 += t;
    }
    out->beta[0] = b0;
    out->converged = out->converged && conv;
    if (!conv && !out->message[0])
        snprintf(out->message, sizeof out->message, "FLIC: intercept "
                 "refit did not converge (score %.3g)", g);
    /* V = (X'WX)^-1 at the FLIC fitted values; l* there */
    double ll;
    rc = df_logit_pass(d, NULL, out->beta, NULL, &ll, info, L, NULL, err);
    if (rc) goto cleanup;
    {
        int ik = (int)k, inf = 0;
        double ld = 0;
        for (size_t j = 0; j < k; j++) ld += log(L[j * k + j]);
        out->loglik_unpen = ll;
        out->loglik = ll + ld;
        memcpy(out->V, L, k * k * sizeof *L);
        dpotri_("L", &ik, out->V, &ik, &inf);
        for (size_t j = 0; j < k; j++)
            for (size_t l = j + 1; l < k; l++)
                out->V[l * k + j] = out->V[j * k + l];
        for (size_t j = 0; j < k; j++) out->se[j] = sqrt(out->V[j * k + j]);
    }
    if (out->ci_lower) {
        /* intercept: Wald interval and test (as logistf::flic) */
        double z = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * (o ? o->level : 0.95));
        out->ci_lower[0] = b0 - z * out->se[0];
        out->ci_upper[0] = b0 + z * out->se[0];
        out->chisq[0] = (b0 / out->se[0]) * (b0 / out->se[0]);
        out->pvalue[0] = gsl_cdf_chisq_Q(out->chisq[0], 1);
    }

cleanup:
    free(off);
    free(info);
    free(L);
    if (rc) df_firth_fit_free(out);
    return rc;
}

int df_flac(const df_design *d, const df_firth_opts *o, df_firth_fit *out,
            dyadfit_error *err)
{
    int rc;
    df_firth_fit f1, f2;
    df_firth_opts o1;
    df_design a;
    double *X = NULL, *y = NULL, *w = NULL, *off = NULL;
    memset(out, 0, sizeof *out);
    memset(&f1, 0, sizeof f1);
    memset(&f2, 0, sizeof f2);
    if ((rc = check_design(d, "FLAC", err))) return rc;
    if (o) o1 = *o;
    else df_firth_defaults(&o1);
    o1.profile = 0;
    if ((rc = df_firth(d, &o1, &f1, err))) goto cleanup;
    size_t n = d->n, k = d->k, n3 = 3 * n, k1 = k + 1;
    if (n3 / 3 != n) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "FLAC: too many rows");
        goto cleanup;
    }
    X = df_malloc(n3, k1 * sizeof *X);
    y = df_malloc(n3, sizeof *y);
    w = df_malloc(n3, sizeof *w);
    if (d->offset) off = df_malloc(n3, sizeof *off);
    if (!X || !y || !w || (d->offset && !off)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (FLAC, n = %zu)",
                      n);
        goto cleanup;
    }
    /* rows: the data (weight w_i), then (x_i, y_i) and (x_i, 1 - y_i) each
     * with weight h_i / 2; the last column flags the pseudo-observations */
    for (size_t j = 0; j < k; j++)
        for (size_t c = 0; c < 3; c++)
            memcpy(X + j * n3 + c * n, d->X + j * n, n * sizeof *X);
    for (size_t i = 0; i < n; i++) {
        X[k * n3 + i] = 0;
        X[k * n3 + n + i] = X[k * n3 + 2 * n + i] = 1;
        y[i] = y[n + i] = d->y[i];
        y[2 * n + i] = 1 - d->y[i];
        w[i] = d->w ? d->w[i] : 1;
        w[n + i] = w[2 * n + i] = 0.5 * f1.hat[i];
        if (off) off[i] = off[n + i] = off[2 * n + i] = d->offset[i];
    }
    memset(&a, 0, sizeof a);
    a.n = n3; a.k = k1; a.X = X; a.y = y; a.w = w; a.offset = off;
    if ((rc = firth_fit(&a, o, 0, &f2, err))) goto cleanup;
    /* keep the first k coefficients, drop the pseudo-observation flag */
    out->n = n;
    out->k = k;
    out->beta = df_malloc(k, sizeof(double));
    out->se = df_malloc(k, sizeof(double));
    out->V = df_malloc(k * k, sizeof(double));
    if (!out->beta || !out->se || !out->V) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (FLAC)");
        goto cleanup;
    }
    for (size_t j = 0; j < k; j++) {
        out->beta[j] = f2.beta[j];
        out->se[j] = f2.se[j];
        for (size_t l = 0; l < k; l++) out->V[j * k + l] = f2.V[j * k1 + l];
    }
    if (f2.ci_lower) {
        double **src[4] = {&f2.ci_lower, &f2.ci_upper, &f2.chisq, &f2.pvalue};
        double **dst[4] = {&out->ci_lower, &out->ci_upper, &out->chisq,
                           &out->pvalue};
        for (int t = 0; t < 4; t++) {
            *dst[t] = *src[t];   /* first k entries are ours; take over */
            *src[t] = NULL;
        }
    }
    out->loglik = f2.loglik;
    out->loglik_unpen = f2.loglik_unpen;
    out->iterations = f2.iterations;
    out->converged = f1.converged && f2.converged;
    out->profile_failures = f2.profile_failures;
    snprintf(out->message, sizeof out->message, "%s", f1.message[0] ?
             f1.message : f2.message);

cleanup:
    df_firth_fit_free(&f1);
    df_firth_fit_free(&f2);
    free(X);
    free(y);
    free(w);
    free(off);
    if (rc) df_firth_fit_free(out);
    return rc;
}
