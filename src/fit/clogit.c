/*
 * clogit.c -- conditional logit (exact conditional likelihood) and logit
 * with absorbed fixed effects. See clogit.h for the models.
 *
 * Conditional logit
 *   Inputs: X (n x k, no intercept), y (0/1), dense group ids. Outputs:
 *   beta, the observed information, each group's score, log likelihoods.
 *   Numerics: the columns are centred within each group (the conditional
 *   likelihood is invariant to group-constant shifts, and centring removes
 *   most of the cancellation in H/B - g g') and scaled to unit mean square;
 *   Newton runs on the scaled coefficients through the shared driver.
 *   Within a group, a group with more events than non-events is handled by
 *   its complement (events <-> non-events with x -> -x gives the same
 *   likelihood), so the recursion runs to d = min(d_g, n_g - d_g); d = 1 is
 *   a softmax. r_m = exp(eta_m - max eta) <= 1, so B(m, j) <= C(m, j); the
 *   arrays are rescaled (log factor carried) if they near overflow.
 *
 * Fixed-effects logit: see clogit.h; Newton with step halving on the full
 *   parameter vector, solved blockwise, beta columns scaled to unit SD.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clogit.h"
#include "../util/util.h"

#define DF_CL_BIG 1e250          /* rescale the recursion above this */

/* ------------------------------------------------------------ helpers */

/* Dense group ids -> offsets start[0..G] and rows order[] grouped by id
 * (stable within a group). */
static int group_index(const size_t *g, size_t n, size_t G, size_t **start,
                       size_t **order)
{
    size_t *s = df_calloc(G + 1, sizeof *s), *o = df_malloc(n ? n : 1, sizeof *o);
    if (!s || !o) { free(s); free(o); return -1; }
    for (size_t i = 0; i < n; i++) s[g[i] + 1]++;
    for (size_t q = 0; q < G; q++) s[q + 1] += s[q];
    size_t *pos = df_malloc(G ? G : 1, sizeof *pos);
    if (!pos) { free(s); free(o); return -1; }
    memcpy(pos, s, G * sizeof *pos);
    for (size_t i = 0; i < n; i++) o[pos[g[i]]++] = i;
    free(pos);
    *start = s;
    *order = o;
    return 0;
}

/* log(sigmoid(t)) without overflow */
static double log_expit(double t)
{
    return t >= 0 ? -log1p(exp(-t)) : t - log1p(exp(t));
}

static double expit(double t)
{
    return t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t));
}

/* ---------------------------------------------------- conditional logit */

typedef struct {
    size_t n, k, G;
    const size_t *start;      /* G + 1 offsets into the grouped rows */
    double *Z;                /* n x k row-major, grouped, centred, scaled */
    double *y;                /* n, grouped */
    double *eta;              /* largest group */
    double *B, *Gr, *H;       /* recursion: (dmax+1), x k, x k^2 */
    double *gs, *zb, *x;      /* k each */
    double *Sg;               /* G x k: group scores (scaled), or NULL */
} cl_ctx;

/* Adds group g's log likelihood, score and information at th. */
static void cl_group(cl_ctx *c, size_t g, const double *th, double *ll,
                     double *grad, double *info)
{
    size_t a = c->start[g], m = c->start[g + 1] - a, k = c->k, kk = k * k;
    const double *Z = c->Z + a * k, *y = c->y + a;
    size_t d = 0;
    for (size_t i = 0; i < m; i++) d += y[i] != 0;
    if (c->Sg) for (size_t j = 0; j < k; j++) c->Sg[j * c->G + g] = 0;
    if (d == 0 || d == m) return;          /* likelihood term is 1 */
    /* complement: events <-> non-events, x -> -x */
    int flip = d > m - d;
    double sg = flip ? -1 : 1;
    size_t dd = flip ? m - d : d;
    double cmax = -INFINITY, lev = 0;
    int need_g = grad || info || c->Sg, need_h = info != NULL;
    for (size_t j = 0; j < k; j++) c->gs[j] = 0;
    for (size_t i = 0; i < m; i++) {
        double e = 0;
        for (size_t j = 0; j < k; j++) e += Z[i * k + j] * th[j];
        e *= sg;
        c->eta[i] = e;
        if (e > cmax) cmax = e;
        if ((y[i] != 0) != flip) {
            lev += e;
            for (size_t j = 0; j < k; j++) c->gs[j] += sg * Z[i * k + j];
        }
    }
    if (dd == 1) {
        /* softmax: p_i = r_i / sum r; score x_e - xbar; information
         * sum p (x - xbar)(x - xbar)' (no cancellation) */
        double S = 0;
        for (size_t j = 0; j < k; j++) c->zb[j] = 0;
        for (size_t i = 0; i < m; i++) {
            double r = exp(c->eta[i] - cmax);
            S += r;
            for (size_t j = 0; j < k; j++) c->zb[j] += r * sg * Z[i * k + j];
        }
        for (size_t j = 0; j < k; j++) c->zb[j] /= S;
        *ll += lev - cmax - log(S);
        for (size_t j = 0; j < k; j++) c->gs[j] -= c->zb[j];
        if (need_h)
            for (size_t i = 0; i < m; i++) {
                double p = exp(c->eta[i] - cmax) / S;
                for (size_t j = 0; j < k; j++) c->x[j] = sg * Z[i * k + j] - c->zb[j];
                for (size_t j = 0; j < k; j++)
                    for (size_t l = 0; l < k; l++) info[j * k + l] += p * c->x[j] * c->x[l];
            }
    } else {
        /* B(m, j) = B(m-1, j) + r_m B(m-1, j-1) and its derivatives:
         * G(m, j) = G(m-1, j) + r_m (G(m-1, j-1) + x_m B(m-1, j-1))
         * H(m, j) = H(m-1, j) + r_m (H(m-1, j-1) + x G' + G x' + x x' B)
         * updated in place for j descending, so j-1 still holds m-1 */
        double *B = c->B, *Gr = c->Gr, *H = c->H, logsc = 0;
        memset(B, 0, (dd + 1) * sizeof *B);
        if (need_g) memset(Gr, 0, (dd + 1) * k * sizeof *Gr);
        if (need_h) memset(H, 0, (dd + 1) * kk * sizeof *H);
        B[0] = 1;
        for (size_t i = 0; i < m; i++) {
            double r = exp(c->eta[i] - cmax);
            for (size_t j = 0; j < k; j++) c->x[j] = sg * Z[i * k + j];
            const double *x = c->x;
            size_t jmax = i + 1 < dd ? i + 1 : dd;
            for (size_t j = jmax; j >= 1; j--) {
                double b1 = B[j - 1];
                if (need_h) {
                    const double *G1 = Gr + (j - 1) * k, *H1 = H + (j - 1) * kk;
                    double *Hj = H + j * kk;
                    for (size_t p = 0; p < k; p++)
                        for (size_t q = 0; q < k; q++)
                            Hj[p * k + q] += r * (H1[p * k + q] + x[p] * G1[q] +
                                                  G1[p] * x[q] + b1 * x[p] * x[q]);
                }
                if (need_g) {
                    const double *G1 = Gr + (j - 1) * k;
                    double *Gj = Gr + j * k;
                    for (size_t p = 0; p < k; p++) Gj[p] += r * (G1[p] + b1 * x[p]);
                }
                B[j] += r * b1;
            }
            double bm = 0;
            for (size_t j = 0; j <= jmax; j++) if (B[j] > bm) bm = B[j];
            if (bm > DF_CL_BIG) {
                /* a common factor leaves every ratio G/B, H/B unchanged */
                double f = 1 / bm;
                for (size_t j = 0; j <= dd; j++) B[j] *= f;
                if (need_g) for (size_t j = 0; j < (dd + 1) * k; j++) Gr[j] *= f;
                if (need_h) for (size_t j = 0; j < (dd + 1) * kk; j++) H[j] *= f;
                logsc += log(bm);
            }
        }
        double Bd = B[dd];
        *ll += lev - (double)dd * cmax - log(Bd) - logsc;
        if (need_g)
            for (size_t j = 0; j < k; j++) {
                c->zb[j] = Gr[dd * k + j] / Bd;
                c->gs[j] -= c->zb[j];
            }
        if (need_h)
            for (size_t p = 0; p < k; p++)
                for (size_t q = 0; q < k; q++)
                    info[p * k + q] += H[dd * kk + p * k + q] / Bd - c->zb[p] * c->zb[q];
    }
    if (grad) for (size_t j = 0; j < k; j++) grad[j] += c->gs[j];
    if (c->Sg) for (size_t j = 0; j < k; j++) c->Sg[j * c->G + g] = c->gs[j];
}

static int cl_objective(void *vc, const double *th, double *ll, double *grad,
                        double *info)
{
    cl_ctx *c = vc;
    size_t k = c->k;
    *ll = 0;
    if (grad) memset(grad, 0, k * sizeof *grad);
    if (info) memset(info, 0, k * k * sizeof *info);
    for (size_t g = 0; g < c->G; g++) cl_group(c, g, th, ll, grad, info);
    return isfinite(*ll) ? 0 : 1;
}

void df_clogit_fit_free(df_clogit_fit *f)
{
    if (!f) return;
    free(f->beta);
    free(f->info);
    free(f->S);
    memset(f, 0, sizeof *f);
}

int df_clogit(const df_design *d, const size_t *group, size_t ngroup,
              const df_newton_opts *o, df_clogit_fit *out, dyadfit_error *err)
{
    size_t n = d->n, k = d->k, G = ngroup;
    size_t *start = NULL, *order = NULL;
    double *sc = NULL, *th = NULL, *grad = NULL, *mean = NULL;
    cl_ctx c;
    int rc = DYADFIT_ERR_SYSTEM;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    if (k == 0) return df_error(err, DYADFIT_ERR_SPEC, "clogit: no covariates");
    if (group_index(group, n, G, &start, &order)) goto done;
    c.n = n; c.k = k; c.G = G; c.start = start;
    size_t mmax = 1, dmax = 1;
    if (!(c.Z = df_malloc(n, k * sizeof *c.Z)) || !(c.y = df_malloc(n, sizeof *c.y)) ||
        !(sc = df_malloc(k, sizeof *sc)) || !(mean = df_malloc(k, sizeof *mean)))
        goto done;
    for (size_t g = 0; g < G; g++) {
        size_t a = start[g], m = start[g + 1] - a, ev = 0;
        for (size_t i = a; i < a + m; i++) {
            c.y[i] = d->y[order[i]];
            ev += c.y[i] != 0;
        }
        if (m > mmax) mmax = m;
        size_t dd = ev < m - ev ? ev : m - ev;
        if (dd > dmax) dmax = dd;
        /* centre within the group */
        for (size_t j = 0; j < k; j++) {
            const double *xj = d->X + j * n;
            double s = 0;
            for (size_t i = a; i < a + m; i++) s += xj[order[i]];
            s /= (double)(m ? m : 1);
            for (size_t i = a; i < a + m; i++) c.Z[i * k + j] = xj[order[i]] - s;
        }
    }
    for (size_t j = 0; j < k; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += c.Z[i * k + j] * c.Z[i * k + j];
        s = sqrt(s / (double)n);
        sc[j] = s > 0 && isfinite(s) ? s : 1;
        for (size_t i = 0; i < n; i++) c.Z[i * k + j] /= sc[j];
    }
    if (!(c.eta = df_malloc(mmax, sizeof *c.eta)) ||
        !(c.B = df_malloc(dmax + 1, sizeof *c.B)) ||
        !(c.Gr = df_malloc(dmax + 1, k * sizeof *c.Gr)) ||
        !(c.H = df_malloc(dmax + 1, k * k * sizeof *c.H)) ||
        !(c.gs = df_malloc(k, sizeof *c.gs)) || !(c.zb = df_malloc(k, sizeof *c.zb)) ||
        !(c.x = df_malloc(k, sizeof *c.x)) || !(th = df_calloc(k, sizeof *th)) ||
        !(grad = df_malloc(k, sizeof *grad)) ||
        !(out->beta = df_malloc(k, sizeof *out->beta)) ||
        !(out->info = df_malloc(k * k, sizeof *out->info)) ||
        !(out->S = df_malloc(G ? G : 1, k * sizeof *out->S)))
        goto done;

    df_newton_status st;
    if ((rc = df_newton(cl_objective, &c, k, th, o, &st, err))) goto done;
    /* final pass: information and group scores at the estimate */
    c.Sg = out->S;
    double ll;
    if (cl_objective(&c, th, &ll, grad, out->info)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "clogit: the log likelihood is not "
                      "finite at the estimate");
        goto done;
    }
    /* back to the original scale: theta_j = beta_j s_j, so the score
     * and information pick up s_j (s_j s_l) */
    out->k = k;
    out->ngroup = G;
    out->max_gradient = 0;
    for (size_t j = 0; j < k; j++) {
        out->beta[j] = th[j] / sc[j];
        double gj = fabs(grad[j] * sc[j]);
        if (gj > out->max_gradient) out->max_gradient = gj;
        for (size_t l = 0; l < k; l++) out->info[j * k + l] *= sc[j] * sc[l];
        for (size_t g = 0; g < G; g++) out->S[j * G + g] *= sc[j];
    }
    out->loglik = ll;
    out->loglik0 = 0;
    for (size_t g = 0; g < G; g++) {
        size_t m = start[g + 1] - start[g], ev = 0;
        for (size_t i = start[g]; i < start[g + 1]; i++) ev += c.y[i] != 0;
        out->loglik0 -= lgamma((double)m + 1) - lgamma((double)ev + 1) -
                        lgamma((double)(m - ev) + 1);
    }
    out->iterations = st.iterations;
    out->converged = st.converged;
    snprintf(out->message, sizeof out->message, "%s", st.message);
    rc = 0;
done:
    if (rc == DYADFIT_ERR_SYSTEM && (!err || err->code != DYADFIT_ERR_SYSTEM))
        df_error(err, rc, "out of memory (clogit)");
    if (rc) df_clogit_fit_free(out);
    free(start); free(order); free(sc); free(th); free(grad); free(mean);
    free(c.Z); free(c.y); free(c.eta); free(c.B); free(c.Gr); free(c.H);
    free(c.gs); free(c.zb); free(c.x);
    return rc;
}

/* ------------------------------------------------- fixed-effects logit */

/* In-place Cholesky (lower, column-major p x p) that skips a pivot whose
 * remaining diagonal is below tol times its original value: the parameter
 * is redundant (two sets of dummies) and is held at 0. Returns the number
 * of pivots skipped. */
static size_t chol_skip(double *A, size_t p, unsigned char *skip)
{
    size_t ns = 0;
    for (size_t j = 0; j < p; j++) {
        double orig = A[j * p + j], dj = orig;
        for (size_t l = 0; l < j; l++) dj -= A[l * p + j] * A[l * p + j];
        if (!(orig > 0) || !(dj > 1e-10 * orig)) {
            skip[j] = 1;
            ns++;
            for (size_t i = j; i < p; i++) A[j * p + i] = 0;
            continue;
        }
        skip[j] = 0;
        double ljj = sqrt(dj);
        A[j * p + j] = ljj;
        for (size_t i = j + 1; i < p; i++) {
            double s = A[j * p + i];
            for (size_t l = 0; l < j; l++) s -= A[l * p + i] * A[l * p + j];
            A[j * p + i] = s / ljj;
        }
    }
    return ns;
}

/* Solves L y = b then L' x = y over the first q rows (x in b). */
static void chol_solve(const double *L, size_t p, size_t q,
                       const unsigned char *skip, double *b)
{
    for (size_t j = 0; j < q; j++) {
        if (skip[j]) { b[j] = 0; continue; }
        double s = b[j];
        for (size_t l = 0; l < j; l++) s -= L[l * p + j] * b[l];
        b[j] = s / L[j * p + j];
    }
    for (size_t j = q; j-- > 0;) {
        if (skip[j]) { b[j] = 0; continue; }
        double s = b[j];
        for (size_t i = j + 1; i < q; i++) s -= L[j * p + i] * b[i];
        b[j] = s / L[j * p + j];
    }
}

typedef struct {
    size_t n, k, G1, G2, p;
    const size_t *f1, *f2;    /* f1: the factor with more levels */
    const size_t *start, *order;  /* rows grouped by f1 */
    const double *y;
    double *xs;               /* n x k row-major, scaled */
    double *eta, *mu, *w, *r;
    double *M, *rhs;          /* p x p, p: dense system (gamma, beta) */
    double *D, *ga, *vx;      /* G1, G1, G1 x k (row-major) */
    double *vgam;             /* G2 scratch */
    size_t *touched;          /* G2 */
    unsigned char *skip;      /* p */
} fe_ctx;

static double fe_eval(fe_ctx *c, const double *th, const double *gam,
                      const double *alp)
{
    double ll = 0;
    size_t k = c->k;
    for (size_t i = 0; i < c->n; i++) {
        double e = alp[c->f1[i]] + (c->f2 ? gam[c->f2[i]] : 0);
        for (size_t j = 0; j < k; j++) e += c->xs[i * k + j] * th[j];
        c->eta[i] = e;
        ll += c->y[i] != 0 ? log_expit(e) : log_expit(-e);
    }
    return ll;
}

/* Builds the dense system after eliminating f1 and factors it; on return
 * rhs holds the dense step, and D, ga, vx the eliminated block. Returns the
 * max |gradient| (scaled beta and fixed effects). */
static double fe_system(fe_ctx *c)
{
    size_t n = c->n, k = c->k, G2 = c->G2, p = c->p;
    double gmax = 0;
    memset(c->M, 0, p * p * sizeof *c->M);
    memset(c->rhs, 0, p * sizeof *c->rhs);
    for (size_t i = 0; i < n; i++) {
        double mu = expit(c->eta[i]);
        c->mu[i] = mu;
        c->w[i] = mu * (1 - mu);
        c->r[i] = c->y[i] - mu;
    }
    /* rows: x-x and gamma blocks and the gradient */
    for (size_t i = 0; i < n; i++) {
        double wi = c->w[i], ri = c->r[i];
        const double *x = c->xs + i * k;
        for (size_t a = 0; a < k; a++) {
            c->rhs[G2 + a] += ri * x[a];
            for (size_t b = a; b < k; b++) c->M[(G2 + a) * p + G2 + b] += wi * x[a] * x[b];
        }
        if (c->f2) {
            size_t l = c->f2[i];
            c->M[l * p + l] += wi;
            c->rhs[l] += ri;
            for (size_t a = 0; a < k; a++) c->M[l * p + G2 + a] += wi * x[a];
        }
    }
    for (size_t j = 0; j < p; j++) if (fabs(c->rhs[j]) > gmax) gmax = fabs(c->rhs[j]);
    /* eliminate f1: M -= v v' / D, rhs -= v ga / D per group */
    for (size_t g = 0; g < c->G1; g++) {
        double Dg = 0, gg = 0, *vx = c->vx + g * k;
        size_t nt = 0;
        memset(vx, 0, k * sizeof *vx);
        for (size_t q = c->start[g]; q < c->start[g + 1]; q++) {
            size_t i = c->order[q];
            double wi = c->w[i];
            Dg += wi;
            gg += c->r[i];
            for (size_t a = 0; a < k; a++) vx[a] += wi * c->xs[i * k + a];
            if (c->f2) {
                size_t l = c->f2[i];
                if (c->vgam[l] == 0) c->touched[nt++] = l;
                c->vgam[l] += wi;
            }
        }
        c->D[g] = Dg;
        c->ga[g] = gg;
        if (fabs(gg) > gmax) gmax = fabs(gg);
        /* lower triangle (row >= column) of the dense p x p */
        for (size_t a = 0; a < k; a++) {
            c->rhs[G2 + a] -= vx[a] * gg / Dg;
            for (size_t b = a; b < k; b++) c->M[(G2 + a) * p + G2 + b] -= vx[a] * vx[b] / Dg;
        }
        for (size_t t = 0; t < nt; t++) {
            size_t l = c->touched[t];
            double vl = c->vgam[l];
            c->rhs[l] -= vl * gg / Dg;
            for (size_t a = 0; a < k; a++) c->M[l * p + G2 + a] -= vl * vx[a] / Dg;
            for (size_t u = 0; u < nt; u++) {
                size_t l2 = c->touched[u];
                if (l2 >= l) c->M[l * p + l2] -= vl * c->vgam[l2] / Dg;
            }
        }
        for (size_t t = 0; t < nt; t++) c->vgam[c->touched[t]] = 0;
    }
    chol_skip(c->M, p, c->skip);
    chol_solve(c->M, p, p, c->skip, c->rhs);
    return gmax;
}

/* f1 step from the dense step db: da_g = (ga_g - v_g' db) / D_g */
static void fe_alpha_step(fe_ctx *c, const double *db, double *da)
{
    size_t k = c->k, G2 = c->G2;
    for (size_t g = 0; g < c->G1; g++) {
        double s = c->ga[g];
        for (size_t a = 0; a < k; a++) s -= c->vx[g * k + a] * db[G2 + a];
        if (c->f2)
            for (size_t q = c->start[g]; q < c->start[g + 1]; q++) {
                size_t i = c->order[q];
                s -= c->w[i] * db[c->f2[i]];
            }
        da[g] = s / c->D[g];
    }
}

void df_felogit_fit_free(df_felogit_fit *f)
{
    if (!f) return;
    free(f->beta);
    free(f->info);
    free(f->S);
    free(f->mu);
    memset(f, 0, sizeof *f);
}

int df_felogit(const df_design *d, const size_t *const fe[2],
               const size_t nlev[2], const df_newton_opts *o,
               df_felogit_fit *out, dyadfit_error *err)
{
    size_t n = d->n, k = d->k;
    fe_ctx c;
    size_t *start = NULL, *order = NULL;
    double *sc = NULL, *par = NULL, *step = NULL, *old = NULL, *gx = NULL;
    int rc = DYADFIT_ERR_SYSTEM;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    /* the factor with more levels is eliminated through its diagonal */
    int big = fe[1] && nlev[1] > nlev[0] ? 1 : 0;
    c.f1 = fe[big];
    c.G1 = nlev[big];
    c.f2 = fe[1] ? fe[1 - big] : NULL;
    c.G2 = fe[1] ? nlev[1 - big] : 0;
    c.n = n; c.k = k; c.y = d->y;
    c.p = c.G2 + k;
    size_t p = c.p, G1 = c.G1, G2 = c.G2, np = p + G1;
    if (group_index(c.f1, n, G1, &start, &order)) goto done;
    c.start = start; c.order = order;
    if (!(c.xs = df_malloc(n ? n : 1, (k ? k : 1) * sizeof *c.xs)) ||
        !(sc = df_malloc(k ? k : 1, sizeof *sc)) ||
        !(c.eta = df_malloc(n, sizeof *c.eta)) || !(c.mu = df_malloc(n, sizeof *c.mu)) ||
        !(c.w = df_malloc(n, sizeof *c.w)) || !(c.r = df_malloc(n, sizeof *c.r)) ||
        !(c.M = df_malloc(p ? p * p : 1, sizeof *c.M)) ||
        !(c.rhs = df_malloc(p ? p : 1, sizeof *c.rhs)) ||
        !(c.D = df_malloc(G1, sizeof *c.D)) || !(c.ga = df_malloc(G1, sizeof *c.ga)) ||
        !(c.vx = df_malloc(G1, (k ? k : 1) * sizeof *c.vx)) ||
        !(c.vgam = df_calloc(G2 ? G2 : 1, sizeof *c.vgam)) ||
        !(c.touched = df_malloc(G2 ? G2 : 1, sizeof *c.touched)) ||
        !(c.skip = df_malloc(p ? p : 1, 1)) ||
        !(par = df_calloc(np, sizeof *par)) || !(step = df_malloc(np, sizeof *step)) ||
        !(old = df_malloc(np, sizeof *old)))
        goto done;
    /* scaled columns: x / sd(x) */
    for (size_t j = 0; j < k; j++) {
        const double *xj = d->X + j * n;
        double m = 0, s = 0;
        for (size_t i = 0; i < n; i++) m += xj[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) s += (xj[i] - m) * (xj[i] - m);
        s = sqrt(s / (double)n);
        sc[j] = s > 0 && isfinite(s) ? s : 1;
        for (size_t i = 0; i < n; i++) c.xs[i * k + j] = xj[i] / sc[j];
    }
    /* par = (gamma [G2], theta [k], alpha [G1]); start: alpha at the
     * (shrunk) logit of each f1 group's mean */
    double *gam = par, *th = par + G2, *alp = par + p;
    for (size_t g = 0; g < G1; g++) {
        double s = 0, m = (double)(start[g + 1] - start[g]);
        for (size_t q = start[g]; q < start[g + 1]; q++) s += d->y[order[q]];
        double pr = (s + 0.5) / (m + 1);
        alp[g] = log(pr / (1 - pr));
    }
    double ll = fe_eval(&c, th, gam, alp);
    int maxit = o->maxiter > 0 ? o->maxiter : 100, polish = 0, it;
    out->converged = 0;
    for (it = 1; it <= maxit; it++) {
        if (df_interrupted()) {
            rc = df_error(err, DYADFIT_ERR_INTERRUPTED, "interrupted by the user at "
                          "iteration %d", it);
            goto done;
        }
        double gmax = fe_system(&c);
        memcpy(step, c.rhs, p * sizeof *step);
        fe_alpha_step(&c, c.rhs, step + p);
        memcpy(old, par, np * sizeof *par);
        double lnew = -INFINITY, h = 1;
        int ok = 0;
        for (int hv = 0; hv <= o->maxhalve; hv++, h *= 0.5) {
            for (size_t j = 0; j < np; j++) par[j] = old[j] + h * step[j];
            lnew = fe_eval(&c, th, gam, alp);
            if (isfinite(lnew) && lnew >= ll - 1e-13 * (fabs(ll) + 1)) { ok = 1; break; }
        }
        if (!ok) {
            memcpy(par, old, np * sizeof *par);
            fe_eval(&c, th, gam, alp);
            snprintf(out->message, sizeof out->message, "step halving failed "
                     "at iteration %d (max |gradient| %.3g)", it, gmax);
            break;
        }
        double dl = fabs(lnew - ll);
        ll = lnew;
        if (polish) { out->converged = 1; break; }
        /* converged: one more full Newton step brings the estimate to
         * rounding level (quadratic convergence) */
        if (dl <= o->tol * (fabs(ll) + 0.1) && gmax < o->gradtol * (fabs(ll) + 1))
            polish = 1;
    }
    if (it > maxit) {
        it = maxit;
        snprintf(out->message, sizeof out->message, "no convergence in %d "
                 "iterations", maxit);
    }
    out->iterations = it;
    /* final: information with the fixed effects profiled out and the
     * scores with them partialled out, at the estimate */
    ll = fe_eval(&c, th, gam, alp);
    out->loglik = ll;
    double gmax = fe_system(&c);
    out->max_gradient = gmax;
    out->nfe = G1;
    for (size_t l = 0; l < G2; l++) out->nfe += !c.skip[l];
    for (size_t a = 0; a < k; a++)
        if (c.skip[G2 + a]) {
            rc = df_error(err, DYADFIT_ERR_ESTIM, "felogit: coefficient %s is "
                          "not identified given the fixed effects", d->terms[a]);
            goto done;
        }
    out->k = k;
    if (!(out->mu = df_malloc(n, sizeof *out->mu))) goto done;
    memcpy(out->mu, c.mu, n * sizeof *out->mu);
    if (k) {
        if (!(out->beta = df_malloc(k, sizeof *out->beta)) ||
            !(out->info = df_malloc(k * k, sizeof *out->info)) ||
            !(out->S = df_malloc(n, k * sizeof *out->S)) ||
            !(gx = df_calloc((G2 ? G2 : 1) * k, sizeof *gx)))
            goto done;
        /* the trailing k x k block of L is the Cholesky factor of the
         * Schur complement: info(theta) = L_bb L_bb' */
        const double *L = c.M;
        for (size_t a = 0; a < k; a++) {
            out->beta[a] = th[a] / sc[a];
            for (size_t b = 0; b < k; b++) {
                double s = 0;
                for (size_t l = 0; l <= (a < b ? a : b); l++)
                    s += L[(G2 + l) * p + G2 + a] * L[(G2 + l) * p + G2 + b];
                out->info[a * k + b] = s * sc[a] * sc[b];
            }
        }
        /* coefficients of x on the f2 dummies (f1 partialled out):
         * M_gg^-1 M_gb = L_gg'^-1 L_bg', a back-solve per column */
        for (size_t a = 0; a < k; a++) {
            double *u = gx + a * (G2 ? G2 : 1);
            for (size_t l = 0; l < G2; l++) u[l] = L[l * p + G2 + a];
            for (size_t j = G2; j-- > 0;) {
                if (c.skip[j]) { u[j] = 0; continue; }
                double s = u[j];
                for (size_t i = j + 1; i < G2; i++) s -= L[j * p + i] * u[i];
                u[j] = s / L[j * p + j];
            }
        }
        /* x~ = x - gamma_x[f2] - alpha_x[f1]; alpha_x_g the weighted
         * group mean of x - gamma_x[f2]; scores (y - mu) x~, original scale */
        for (size_t g = 0; g < G1; g++) {
            for (size_t a = 0; a < k; a++) {
                double s = c.vx[g * k + a];
                if (c.f2)
                    for (size_t q = start[g]; q < start[g + 1]; q++) {
                        size_t i = order[q];
                        s -= c.w[i] * gx[a * G2 + c.f2[i]];
                    }
                double ax = s / c.D[g];
                for (size_t q = start[g]; q < start[g + 1]; q++) {
                    size_t i = order[q];
                    double xt = c.xs[i * k + a] - ax - (c.f2 ? gx[a * G2 + c.f2[i]] : 0);
                    out->S[a * n + i] = c.r[i] * xt * sc[a];
                }
            }
        }
    }
    rc = 0;
done:
    if (rc == DYADFIT_ERR_SYSTEM && (!err || err->code != DYADFIT_ERR_SYSTEM))
        df_error(err, rc, "out of memory (felogit)");
    if (rc) df_felogit_fit_free(out);
    free(start); free(order); free(sc); free(par); free(step); free(old); free(gx);
    free(c.xs); free(c.eta); free(c.mu); free(c.w); free(c.r); free(c.M); free(c.rhs);
    free(c.D); free(c.ga); free(c.vx); free(c.vgam); free(c.touched); free(c.skip);
    return rc;
}
