/*
 * stream_fit.c -- df_stream_fit: the Cox model goes to stream_cox.c after
 * the common checks; logit, probit and cloglog from the design cache: Newton
 * (df_newton) with an objective that sums over the cache's blocks, then the
 * variance from sums kept per block, then the same result object as
 * dyadfit_fit.
 *
 * Numerics follow glm.c: columns scaled by a power of two near max |x_j|
 * (exact), start at the link of the weighted mean of y, true Newton on the
 * observed information, the requested information (observed or expected)
 * at the estimate, per-row terms from glm_rows.h. The log-likelihood is
 * summed the same way whether or not the gradient is asked for, as the
 * driver requires. Sums run in a different order than in memory, so
 * results agree to rounding (about 1e-13 relative), not bit for bit.
 *
 * Variance, with s_i = w_i dl_i x_i (beta scale):
 *   robust:  M = sum_i s_i s_i' / fw_i summed per block (k x k); handed to
 *            df_vce as k pseudo-rows L' with L L' = M (Cholesky).
 *   cluster: S_g = sum_{i in g} s_i in a G x k array; handed to df_vce as
 *            G rows, each its own cluster.
 * df_vce runs with the HC0 preset (c = 1) and the small-sample factor of
 * the model's preset is applied after, with N and K of the data (df_vce
 * would take N from the pseudo-rows): c as documented in src/vce/vce.c.
 * Separation: the probe after the fit is glm.c's (rows fitted perfectly ->
 * five more Newton steps; coefficients that run off mean no MLE, reported
 * as not converged). Not done (docs/streaming.md): the per-column check
 * before the fit, which names the separating terms in memory.
 * Each pass runs kernels.c's loops (eta, gradient, X'WX) on the cache
 * block's columns in place.
 * MPI builds: each pass's sums (and the final meat or cluster sums) are
 * added over the ranks (stream_mpi.c) before the driver sees them.
 * DYADFIT_STREAM_TIMING set: one line per rank on stderr at the end (the
 * one-time cache build, the Newton passes, the final pass, the checksum),
 * for bench/stream.sh; the library prints nothing otherwise.
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <gsl/gsl_cdf.h>
#include "stream_int.h"
#include "stream_mpi.h"
#include "../fit/kernels.h"
#include "../api/api_int.h"
#include "../api/checks.h"
#include "../fit/glm_rows.h"
#include "../util/lapack.h"

typedef struct {
    df_stream_cache *c;
    df_stream_block b;
    df_link link;
    int expected;             /* curvature: 1 expected, 0 observed */
    int ones;                 /* constant-only model (offset only) */
    size_t k;                 /* kept columns */
    const size_t *col;        /* k: cache column of each kept column */
    const double *scale;      /* k */
    double *bx;               /* k: coefficients on the X scale */
    const double **xcol;      /* k: the block's kept columns */
    int avx2;                 /* kernels.c's AVX2 loops may run */
    double *uw, *hw, *eta;    /* maxm */
    double *g, *H;            /* k, k x k on the X scale */
    /* final pass only: meat (k x k) and cluster sums (G x k), or NULL */
    double *M, *Sg;
    double *red;              /* 3 + k + k^2 (+ k^2): the sums to reduce over
                                 ranks (MPI builds) */
    int freq;
    dyadfit_error *err;
    int io_rc;                /* a cache read error inside the objective */
    size_t passes;            /* objective calls (passes over the cache) */
    size_t ndet;              /* rows fitted with probability ~1 (last pass
                                 with the gradient; all ranks) */
} sfit;

/* wall-clock seconds (DYADFIT_STREAM_TIMING) */
double df_stream_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void df_stream_timing(const df_stream_cache *c, size_t k, double cache_s, double newton_s,
                      size_t passes, double final_s, double sha_s, double total_s)
{
    if (!getenv("DYADFIT_STREAM_TIMING")) return;   /* bench/stream.sh reads this line */
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "dyadfit-stream-timing rank=%d size=%d rows=%zu whole=%d k=%zu G=%zu "
            "cache_s=%.3f newton_s=%.3f passes=%zu final_s=%.3f sha_s=%.3f total_s=%.3f "
            "maxrss_kb=%ld\n",
            df_smpi_rank(), df_smpi_size(), c->nlocal, c->whole, k, c->G, cache_s, newton_s,
            passes, final_s, sha_s, total_s, (long)ru.ru_maxrss);
}

/* The block's kept columns (pointers into the cache block). */
static void kept_columns(sfit *s, size_t m)
{
    for (size_t j = 0; j < s->k; j++) s->xcol[j] = s->b.X + s->col[j] * m;
}

/* One pass over the cache (see df_objective). On the final pass (M or Sg
 * set) also the scores' meat and cluster sums, on the beta scale. */
static int objective(void *vctx, const double *theta, double *loglik, double *grad,
                     double *info)
{
    sfit *s = vctx;
    size_t k = s->ones ? 1 : s->k;
    int rc;
    s->passes++;
    for (size_t j = 0; j < k; j++) s->bx[j] = s->ones ? theta[j] : theta[j] / s->scale[j];
    if (grad) memset(s->g, 0, k * sizeof *s->g);
    if (info) memset(s->H, 0, k * k * sizeof *s->H);
    double ll = 0, ndet = 0;
    rc = df_stream_rewind(s->c, s->err);
    while (rc == 0 && (rc = df_stream_next(s->c, &s->b, s->err)) == 0) {
        size_t m = s->b.m;
        double llb = 0;
        double *eta = s->eta;
        for (size_t i = 0; i < m; i++) eta[i] = s->b.off ? s->b.off[i] : 0;
        if (s->ones) {
            for (size_t i = 0; i < m; i++) eta[i] += s->bx[0];
        } else {
            kept_columns(s, m);
            size_t j = 0;
            for (; j + 1 < k; j += 2)
                df_axpy2(s->avx2, eta, s->xcol[j], s->bx[j], s->xcol[j + 1], s->bx[j + 1], m);
            if (j < k) df_axpy1(eta, s->xcol[j], s->bx[j], m);
        }
        for (size_t i = 0; i < m; i++) {
            double w = s->b.w ? s->b.w[i] : 1, y = s->b.y[i];
            if (grad || info) {
                double l, dl, ho, he;
                row_eval(s->link, eta[i], y, &l, &dl, &ho, &he);
                llb += w * l;
                if (w > 0 && l > -1e-10) ndet++;   /* as glm.c */
                s->uw[i] = w * dl;
                s->hw[i] = w * (s->expected ? he : ho);
            } else {
                llb += w * row_loglik(s->link, eta[i], y);
            }
        }
        ll += llb;
        if (!(grad || info)) continue;
        if (s->ones) {
            for (size_t i = 0; i < m; i++) {
                if (grad) s->g[0] += s->uw[i];
                if (info) s->H[0] += s->hw[i];
            }
            continue;
        }
        if (grad)
            for (size_t j = 0; j < k; j++) s->g[j] += df_dot4(s->xcol[j], s->uw, m);
        if (info) df_xwx_block(s->avx2, s->xcol, s->hw, m, k, s->H);
        if (s->M) {   /* meat: sum (uw^2 / fw) x x' */
            for (size_t i = 0; i < m; i++) {
                double fw = s->freq ? s->b.w[i] : 1;
                s->hw[i] = s->uw[i] * s->uw[i] / fw;
            }
            df_xwx_block(s->avx2, s->xcol, s->hw, m, k, s->M);
        }
        if (s->Sg) {
            size_t G = s->c->G;
            const size_t *map = s->c->clmap;
            for (size_t j = 0; j < k; j++)
                for (size_t i = 0; i < m; i++) {
                    size_t g = map ? map[s->b.cl[i]] : s->b.cl[i];
                    s->Sg[j * G + g] += s->uw[i] * s->xcol[j][i];
                }
        }
    }
    if (df_smpi_size() > 1) {
        /* every rank's sums, and whether any rank failed to read its cache */
        double *v = s->red;
        size_t o = 0;
        v[o++] = ll;
        v[o++] = rc != 1;
        v[o++] = ndet;
        if (grad) { memcpy(v + o, s->g, k * sizeof *v); o += k; }
        if (info) { memcpy(v + o, s->H, k * k * sizeof *v); o += k * k; }
        if (s->M) { memcpy(v + o, s->M, k * k * sizeof *v); o += k * k; }
        if (df_smpi_sum(v, o) ||
            (s->Sg && df_smpi_sum(s->Sg, s->c->G * k))) {
            s->io_rc = df_error(s->err, DYADFIT_ERR_SYSTEM, "--stream: MPI reduction failed");
            return s->io_rc;
        }
        o = 0;
        ll = v[o++];
        int other_failed = v[o++] > 0;
        ndet = v[o++];
        if (other_failed && rc == 1)
            rc = df_error(s->err, DYADFIT_ERR_SYSTEM, "--stream: another rank could not read "
                          "its design cache");
        if (grad) { memcpy(s->g, v + o, k * sizeof *v); o += k; }
        if (info) { memcpy(s->H, v + o, k * k * sizeof *v); o += k * k; }
        if (s->M) { memcpy(s->M, v + o, k * k * sizeof *v); o += k * k; }
    }
    if (rc != 1) { s->io_rc = rc; return rc; }
    *loglik = ll;
    if (grad || info) s->ndet = (size_t)ndet;
    if (!isfinite(ll)) return 1;
    if (grad)
        for (size_t j = 0; j < k; j++) grad[j] = s->ones ? s->g[j] : s->g[j] / s->scale[j];
    if (info)
        for (size_t b = 0; b < k; b++)
            for (size_t a = b; a < k; a++) {
                double v = s->H[b * k + a];
                if (!s->ones) v /= s->scale[a] * s->scale[b];
                info[b * k + a] = info[a * k + b] = v;
            }
    return 0;
}

static double link_fun(df_link link, double p)
{
    switch (link) {
    case DF_LINK_PROBIT: return gsl_cdf_ugaussian_Pinv(p);
    case DF_LINK_CLOGLOG: return log(-log1p(-p));
    default: return log(p / (1 - p));
    }
}

/* What --stream cannot do, refused before reading anything. */
static int refuse(const dyadfit_model *m, dyadfit_error *err)
{
    const char *what = NULL;
    int cox = m->estimator == DYADFIT_COX;
    if (m->estimator != DYADFIT_LOGIT && m->estimator != DYADFIT_PROBIT &&
        m->estimator != DYADFIT_CLOGLOG && !cox)
        what = "estimators other than logit, probit, cloglog and cox";
    else if (cox && m->zph != DYADFIT_ZPH_NONE)
        what = "the proportional-hazards test (--zph)";
    else if (cox && m->cox_outputs &&
             (m->cox_outputs->basehaz || m->cox_outputs->residuals != DYADFIT_RESID_NONE))
        what = "--basehaz and --residuals (tables with a row per event time or data row)";
    else if (cox && m->id && *m->id)
        what = "--id (the check that a subject's intervals do not overlap needs all its rows)";
    else if (m->filter && *m->filter) what = "--if (filter the file first)";
    else if (m->vce == DYADFIT_VCE_CLUSTER && m->cluster[1]) what = "two-way clustering";
    else if (m->vce == DYADFIT_VCE_BOOTSTRAP) what = "the bootstrap variance";
    else if (m->drop_separated) what = "--drop-separated";
    else if (m->spells) what = "peace years (--spells: run dyadfit btscs first)";
    if (what)
        return df_error(err, DYADFIT_ERR_USAGE, "--stream does not support %s; fit without "
                        "--stream", what);
    return 0;
}

/* V from the information and the per-block sums (see the file comment). */
int df_stream_variance(dyadfit_result *r, const dyadfit_model *m, const df_stream_cache *c,
                       const double *info, const double *M, const double *Sg, size_t k,
                       double N, dyadfit_error *err)
{
    df_vce_opts vo;
    df_vce_info vi;
    df_scores sc = {0, k, NULL, NULL, NULL, NULL};
    double *L = NULL;
    size_t *ids = NULL;
    int rc = 0;
    double K = (double)k, c_true = 1;
    memset(&vo, 0, sizeof vo);
    vo.type = m->vce;
    vo.ssc = DYADFIT_SSC_HC0;
    if (m->vce != DYADFIT_VCE_OIM && m->ssc == DYADFIT_SSC_HC1 && !(N > K))
        return df_error(err, DYADFIT_ERR_ESTIM,
                        "HC1 small-sample factor needs N > K (N = %g, K = %zu)", N, k);
    if (m->vce == DYADFIT_VCE_ROBUST) {
        int ik = (int)k, inf = 0;
        if (m->ssc == DYADFIT_SSC_STATA && !(N > 1))
            return df_error(err, DYADFIT_ERR_ESTIM, "robust variance needs N > 1");
        if (!(L = df_malloc(k * k, sizeof *L)))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        for (size_t b = 0; b < k; b++)       /* M holds its lower triangle */
            for (size_t a = b; a < k; a++) L[b * k + a] = L[a * k + b] = M[b * k + a];
        dpotrf_("L", &ik, L, &ik, &inf);
        if (inf != 0) {
            rc = df_error(err, DYADFIT_ERR_ESTIM, "--stream: the robust meat is not positive "
                          "definite (column %d): fit without --stream", inf);
            goto done;
        }
        /* pseudo-score rows r = 0..k-1: S[j*k + r] = L[j, r] */
        double *S = df_calloc(k * k, sizeof *S);
        if (!S) { rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory"); goto done; }
        for (size_t rr = 0; rr < k; rr++)
            for (size_t j = rr; j < k; j++) S[j * k + rr] = L[rr * k + j];
        free(L);
        L = S;
        sc.n = k;
        sc.S = L;
        c_true = m->ssc == DYADFIT_SSC_HC0 ? 1 : m->ssc == DYADFIT_SSC_HC1 ? N / (N - K)
                                                                           : N / (N - 1);
    } else if (m->vce == DYADFIT_VCE_CLUSTER) {
        size_t G = c->G;
        if (!(ids = df_malloc(G ? G : 1, sizeof *ids)))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        for (size_t g = 0; g < G; g++) ids[g] = g;
        sc.n = G;
        sc.S = Sg;
        vo.ncluster = 1;
        vo.cl[0] = ids;
        vo.ng[0] = G;
        double Gd = (double)G;
        c_true = (m->ssc == DYADFIT_SSC_HC0 ? 1 : Gd / (Gd - 1)) *
                 (m->ssc == DYADFIT_SSC_HC1 ? (N - 1) / (N - K) : 1);
    }
    if ((rc = df_vce(info, &sc, &vo, r->vcov, &vi, err))) goto done;
    if (m->vce != DYADFIT_VCE_OIM)
        for (size_t a = 0; a < k * k; a++) r->vcov[a] *= c_true;
    r->ssc_factor = c_true;
    memset(r->ssc_factors, 0, sizeof r->ssc_factors);
    if (m->vce != DYADFIT_VCE_OIM) r->ssc_factors[0] = c_true;
    r->ncluster = vo.ncluster;
    memset(r->ng, 0, sizeof r->ng);
    r->ng[0] = vo.ncluster ? c->G : 0;
done:
    free(L);
    free(ids);
    return rc;
}

int df_stream_fit(const char *path, const dyadfit_model *m, size_t chunk_rows,
                  dyadfit_result **out, dyadfit_error *err)
{
    df_stream_cache c;
    sfit s;
    dyadfit_result *r = NULL;
    double *theta = NULL, *info = NULL, *grad = NULL, *scale = NULL;
    size_t *col = NULL;
    df_newton_status st;
    int rc;

    *out = NULL;
    memset(&c, 0, sizeof c);
    memset(&s, 0, sizeof s);
    df_gsl_quiet();
    if ((rc = df_api_check_model(m, err)) || (rc = refuse(m, err))) return rc;
    if (chunk_rows == 0) chunk_rows = DF_STREAM_CHUNK_DEFAULT;
    if (m->estimator == DYADFIT_COX) return df_stream_fit_cox(path, m, chunk_rows, out, err);
    double t_start = df_stream_clock();
    if ((rc = df_stream_cache_build(path, m, chunk_rows, &c, err))) goto cleanup;
    double t_cache = df_stream_clock() - t_start;

    df_design *d = c.d;       /* the summary: k becomes the kept columns */
    size_t kall = c.kall, k = 0;
    rc = DYADFIT_ERR_SYSTEM;
    /* MPI: a rank that fails on its own before a collective (here: out of
     * memory) must take the others with it (df_smpi_agree), not leave them
     * waiting in the first Newton pass's reduction */
    if ((rc = df_smpi_agree((col = df_malloc(kall, sizeof *col)) &&
                            (scale = df_malloc(kall, sizeof *scale))
                                ? 0 : df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream)"),
                            err)))
        goto cleanup;
    for (size_t j = 0; j < kall; j++) {
        if (c.drop[j]) {
            free(d->terms[j]);
            continue;
        }
        int e = 0;
        frexp(c.xmax[j], &e);
        scale[k] = (c.xmax[j] > 0 && !(d->intercept && k == 0)) ? ldexp(1.0, e) : 1;
        d->terms[k] = d->terms[j];
        col[k++] = j;
    }
    d->k = k;
    if ((rc = df_api_check_nobs(d, k, NULL, err))) goto cleanup;
    if (!(c.sw > 0)) {
        rc = df_error(err, DYADFIT_ERR_DATA, "all weights are zero");
        goto cleanup;
    }
    double ybar = c.swy / c.sw;
    if (!(c.swy > 0) || !(c.sw1y > 0)) {   /* as the design's check */
        rc = df_error(err, DYADFIT_ERR_DATA, "outcome '%s' is always %d in the %zu rows used",
                      d->response, c.swy > 0, d->n);
        goto cleanup;
    }

    rc = DYADFIT_ERR_SYSTEM;
    size_t mx = c.maxm ? c.maxm : 1;
    s.c = &c;
    s.link = m->estimator == DYADFIT_PROBIT ? DF_LINK_PROBIT
           : m->estimator == DYADFIT_CLOGLOG ? DF_LINK_CLOGLOG : DF_LINK_LOGIT;
    s.k = k;
    s.col = col;
    s.scale = scale;
    s.err = err;
    s.freq = c.has_w && m->weight_type == DYADFIT_WEIGHT_FREQUENCY;
    s.avx2 = df_kern_avx2();
    int nomem_rc = 0;
    if (df_stream_block_alloc(&c, &s.b) || !(s.bx = df_malloc(k, sizeof *s.bx)) ||
        !(s.xcol = df_malloc(k, sizeof *s.xcol)) ||
        !(s.uw = df_malloc(mx, sizeof *s.uw)) || !(s.hw = df_malloc(mx, sizeof *s.hw)) ||
        !(s.eta = df_malloc(mx, sizeof *s.eta)) ||
        !(s.red = df_malloc(3 + k + 2 * k * k, sizeof *s.red)) ||
        !(s.g = df_malloc(k, sizeof *s.g)) || !(s.H = df_malloc(k * k, sizeof *s.H)) ||
        !(theta = df_calloc(k, sizeof *theta)) || !(info = df_malloc(k * k, sizeof *info)) ||
        !(grad = df_malloc(k, sizeof *grad)))
        nomem_rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream)");
    if ((rc = df_smpi_agree(nomem_rc, err))) goto cleanup;

    df_newton_opts no;
    df_newton_defaults(&no);
    no.maxiter = m->maxiter;
    if (m->tolerance > 0) no.tol = m->tolerance;
    if (d->intercept) theta[0] = link_fun(s.link, ybar);
    double t_newton = df_stream_clock();
    if ((rc = df_newton(objective, &s, k, theta, &no, &st, err))) goto cleanup;
    t_newton = df_stream_clock() - t_newton;
    size_t newton_passes = s.passes;
    double t_final = df_stream_clock();
    if (s.io_rc) { rc = s.io_rc; goto cleanup; }

    /* separation probe, as glm.c's: when rows are fitted perfectly, five
     * more Newton steps from the estimate (passes over the cache); at a
     * genuine maximum they do not move, under separation the coefficients
     * run off by O(1) per step. Every rank takes the same steps. */
    if (s.ndet > 0) {
        size_t nd = s.ndet;
        double *probe = df_malloc(k, sizeof *probe);
        if ((rc = df_smpi_agree(probe ? 0 : df_error(err, DYADFIT_ERR_SYSTEM,
                                "out of memory (--stream)"), err))) {
            free(probe);
            goto cleanup;
        }
        int moved = df_newton_diverges(objective, &s, k, theta, &no, probe);
        free(probe);
        if (s.io_rc) { rc = s.io_rc; goto cleanup; }
        if (moved || !st.converged) {
            snprintf(st.message, sizeof st.message,
                     "separation: %zu observations are predicted perfectly (fitted "
                     "probabilities numerically 0 or 1) and the coefficients diverge "
                     "(%d iterations%s): the maximum-likelihood estimate does not exist",
                     nd, st.iterations, st.converged ? "" : ", no convergence");
            st.converged = 0;
        }
    }

    /* final pass: the requested information, gradient, meat, cluster sums */
    if ((m->vce == DYADFIT_VCE_ROBUST && !(s.M = df_calloc(k * k, sizeof *s.M))) ||
        (m->vce == DYADFIT_VCE_CLUSTER && !(s.Sg = df_calloc(c.G ? c.G * k : 1, sizeof *s.Sg))))
        nomem_rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream)");
    /* the meat and the sums are on the X scale of the kept columns: scale
     * 1 makes the final pass work on the beta scale throughout */
    double *th = df_malloc(k, sizeof *th), *ones = df_malloc(k, sizeof *ones);
    if (!th || !ones) nomem_rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream)");
    if ((rc = df_smpi_agree(nomem_rc, err))) {
        free(th);
        free(ones);
        goto cleanup;
    }
    for (size_t j = 0; j < k; j++) {
        th[j] = theta[j] / scale[j];
        ones[j] = 1;
    }
    s.scale = ones;
    s.expected = m->information == DYADFIT_INFO_EXPECTED;
    double ll = 0;
    rc = objective(&s, th, &ll, grad, info);
    t_final = df_stream_clock() - t_final;
    s.scale = scale;
    free(ones);
    if (rc) {
        free(th);
        if (!s.io_rc) rc = df_error(err, DYADFIT_ERR_ESTIM, "log-likelihood not finite at the estimate");
        goto cleanup;
    }

    /* the constant-only model (glm.c's definition) */
    double ll0;
    if (!c.has_off) {
        ll0 = (c.swy > 0 ? c.swy * log(ybar) : 0) + (c.sw1y > 0 ? c.sw1y * log1p(-ybar) : 0);
    } else {
        sfit s0 = s;
        df_newton_status st0;
        dyadfit_error e0;
        double t0 = link_fun(s.link, ybar);
        s0.ones = 1;
        s0.M = s0.Sg = NULL;
        s0.expected = 0;
        s0.err = &e0;
        ll0 = df_newton(objective, &s0, 1, &t0, &no, &st0, &e0) == 0 ? st0.loglik : NAN;
    }

    if (!(r = df_calloc(1, sizeof *r)) ||
        df_api_copy_strings(r, m, d, path, "", m->cluster, m->weights, m->offset)) {
        free(th);
        goto nomem;
    }
    /* the file's checksum: rank 0 alone reports, so rank 0 alone reads the
     * whole file for it (the other ranks' results are not written) */
    double t_sha = df_stream_clock();
    if (df_smpi_rank() == 0 && (rc = df_sha256_file(path, r->sha256, err))) {
        free(th);
        goto cleanup;
    }
    t_sha = df_stream_clock() - t_sha;
    df_api_result_init(r, m, d);
    rc = df_api_set_coef(r, d, th, err);
    free(th);
    if (rc) goto cleanup;
    double N = (double)d->n;
    if (s.freq) N = c.sw;
    r->nobs = N;
    if ((rc = df_stream_variance(r, m, &c, info, s.M, s.Sg, k, N, err))) goto cleanup;
    r->loglik = ll;
    r->loglik0 = ll0;
    r->iterations = st.iterations;
    r->converged = st.converged;
    r->max_gradient = 0;
    for (size_t j = 0; j < k; j++) {
        double gj = fabs(grad[j] / scale[j]);   /* on the scaled parameters, as glm.c */
        if (gj > r->max_gradient) r->max_gradient = gj;
    }
    if (!st.converged) df_api_note(r, "convergence not achieved: %s", st.message);
    df_stream_timing(&c, k, t_cache, t_newton, newton_passes, t_final, t_sha,
                     df_stream_clock() - t_start);
    rc = DYADFIT_OK;
    goto cleanup;
nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (--stream)");
cleanup:
    if (c.d && c.drop) {
        /* terms[k..kall) were moved or freed above: keep df_design_free
         * from freeing them twice */
        for (size_t j = c.d->k; j < c.kall; j++) c.d->terms[j] = NULL;
    }
    df_stream_block_free(&s.b);
    free(s.bx);
    free(s.xcol);
    free(s.uw);
    free(s.hw);
    free(s.eta);
    free(s.red);
    free(s.g);
    free(s.H);
    free(s.M);
    free(s.Sg);
    free(theta);
    free(info);
    free(grad);
    free(scale);
    free(col);
    df_stream_cache_free(&c);
    if (rc) dyadfit_result_free(r);
    else *out = r;
    return rc;
}
