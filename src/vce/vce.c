/*
 * vce.c -- variance estimators from information and scores.
 *
 * Input:  information A (k x k, column-major, symmetric positive definite),
 *         scores (s_i = u_i x_i, or a full n x k score matrix), optional
 *         frequency weights, the estimator (oim, robust, one- or two-way
 *         cluster), the small-sample preset.
 * Output: V (k x k) and df_vce_info (factors, cluster counts, PSD repair).
 *
 * Definitions (N = sum of frequency weights, or n; K = k; G clusters):
 *   oim      V = A^-1
 *   robust   V = c A^-1 (sum_i s_i s_i' / fw_i) A^-1
 *            c = N/(N-1) (STATA), 1 (HC0), N/(N-K) (HC1)
 *            A row standing for fw_i copies carries the summed score
 *            s_i = fw_i * (copy score), so its copies contribute
 *            fw_i (s_i/fw_i)(s_i/fw_i)' = s_i s_i' / fw_i.
 *   cluster  V = c A^-1 (sum_g S_g S_g') A^-1,  S_g = sum_{i in g} s_i
 *            c = G/(G-1) (STATA), 1 (HC0), G/(G-1) (N-1)/(N-K) (HC1)
 *   two-way  as sandwich::vcovCL(cluster = ~a + b): meat
 *            adj_a M_a + adj_b M_b - adj_ab M_ab with adj_d = G_d/(G_d-1)
 *            (STATA, HC1) or 1 (HC0), times (N-1)/(N-K) for HC1; the
 *            intersection a x b gets its own G_ab. V can be indefinite:
 *            its eigenvalues are checked (dsyevr) and, with fix_psd, the
 *            negative ones clipped to 0 (V = Q max(L, 0) Q').
 * Cluster sums take G x k memory; meats are accumulated with dsyrk over
 * blocks of rows (or over the G x k sums), never anything n x n.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "vce.h"
#include "../util/util.h"
#include "../util/lapack.h"

#define VCE_BLOCK_ROWS 1024

int df_spd_inverse(const double *A, size_t k, double *Ainv)
{
    int ik = (int)k, info = 0;
    double *sc = NULL;
    if (k == 0) return 0;
    if (k > 46340) return -1; /* k * k must fit LAPACK's int */
    sc = df_malloc(k, sizeof *sc);
    if (!sc) return -1;
    /* equilibrate with powers of two (exact) so badly scaled columns do
     * not disturb the factorisation: Ainv = D (D A D)^-1 D */
    for (size_t j = 0; j < k; j++) {
        double a = A[j * k + j];
        if (!(a > 0) || !isfinite(a)) {
            free(sc);
            return (int)j + 1;
        }
        int e;
        frexp(1 / sqrt(a), &e);
        sc[j] = ldexp(1.0, e);
    }
    for (size_t b = 0; b < k; b++)
        for (size_t a = 0; a < k; a++)
            Ainv[b * k + a] = A[b * k + a] * sc[a] * sc[b];
    dpotrf_("L", &ik, Ainv, &ik, &info);
    if (info == 0) dpotri_("L", &ik, Ainv, &ik, &info);
    if (info == 0) {
        for (size_t b = 0; b < k; b++)
            for (size_t a = b; a < k; a++) {
                double v = Ainv[b * k + a] * sc[a] * sc[b];
                if (!isfinite(v)) info = (int)a + 1;
                Ainv[b * k + a] = Ainv[a * k + b] = v;
            }
    }
    free(sc);
    return info;
}

/* row i of the score matrix into out (k) */
static void score_row(const df_scores *s, size_t i, double *out)
{
    if (s->S) {
        for (size_t j = 0; j < s->k; j++) out[j] = s->S[j * s->n + i];
    } else {
        for (size_t j = 0; j < s->k; j++) out[j] = s->u[i] * s->X[j * s->n + i];
    }
}

/* M += sum_i s_i s_i' / fw_i, blocked through dsyrk (lower triangle) */
static int meat_rows(const df_scores *s, double *M)
{
    size_t n = s->n, k = s->k;
    double *B = df_malloc(VCE_BLOCK_ROWS * k, sizeof *B), *row = NULL;
    row = df_malloc(k, sizeof *row);
    if (!B || !row) {
        free(B);
        free(row);
        return -1;
    }
    for (size_t i0 = 0; i0 < n; i0 += VCE_BLOCK_ROWS) {
        size_t m = n - i0 < VCE_BLOCK_ROWS ? n - i0 : VCE_BLOCK_ROWS;
        for (size_t r = 0; r < m; r++) {
            double f = s->fw ? 1 / sqrt(s->fw[i0 + r]) : 1;
            score_row(s, i0 + r, row);
            for (size_t j = 0; j < k; j++) B[j * m + r] = row[j] * f;
        }
        cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, (int)k, (int)m, 1.0,
                    B, (int)m, 1.0, M, (int)k);
    }
    free(B);
    free(row);
    return 0;
}

/* M = alpha * sum_g S_g S_g' + M, S_g cluster sums (k x G: one cluster's
 * sums contiguous), summed through dsyrk in blocks of clusters so that
 * BLAS's int dimensions hold for any G */
static int meat_cluster(const df_scores *s, const size_t *cl, size_t G,
                        double alpha, double *M)
{
    size_t n = s->n, k = s->k;
    double *Sg = df_calloc(G * k, sizeof *Sg), *row = df_malloc(k, sizeof *row);
    if (!Sg || !row) {
        free(Sg);
        free(row);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        score_row(s, i, row);
        double *sg = Sg + cl[i] * k;
        for (size_t j = 0; j < k; j++) sg[j] += row[j];
    }
    const size_t block = (size_t)1 << 28;
    for (size_t g0 = 0; g0 < G; g0 += block) {
        size_t m = G - g0 < block ? G - g0 : block;
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, (int)k, (int)m, alpha,
                    Sg + g0 * k, (int)k, 1.0, M, (int)k);
    }
    free(Sg);
    free(row);
    return 0;
}

/* Dense ids of the pairs (a_i, b_i): counting sort by b, then a stable
 * counting sort by a, then number the runs. O(n + Ga + Gb). */
static int intersect_ids(const size_t *a, size_t ga, const size_t *b, size_t gb,
                         size_t n, size_t *id, size_t *gab)
{
    size_t *p1 = df_malloc(n, sizeof *p1), *p2 = df_malloc(n, sizeof *p2);
    size_t gm = ga > gb ? ga : gb;
    size_t *cnt = df_calloc(gm + 1, sizeof *cnt);
    if (!p1 || !p2 || !cnt) {
        free(p1);
        free(p2);
        free(cnt);
        return -1;
    }
    for (size_t i = 0; i < n; i++) cnt[b[i] + 1]++;
    for (size_t g = 0; g < gb; g++) cnt[g + 1] += cnt[g];
    for (size_t i = 0; i < n; i++) p1[cnt[b[i]]++] = i;
    memset(cnt, 0, (gm + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++) cnt[a[i] + 1]++;
    for (size_t g = 0; g < ga; g++) cnt[g + 1] += cnt[g];
    for (size_t r = 0; r < n; r++) p2[cnt[a[p1[r]]]++] = p1[r];
    size_t g = 0;
    for (size_t r = 0; r < n; r++) {
        size_t i = p2[r];
        if (r > 0) {
            size_t h = p2[r - 1];
            if (a[i] != a[h] || b[i] != b[h]) g++;
        }
        id[i] = g;
    }
    *gab = n ? g + 1 : 0;
    free(p1);
    free(p2);
    free(cnt);
    return 0;
}

/* V = c * Ainv M Ainv, M symmetric (lower triangle filled) */
static void sandwich(const double *Ainv, double *M, size_t k, double c,
                     double *V, double *T)
{
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++) M[b * k + a] = M[a * k + b];
    int ik = (int)k;
    cblas_dsymm(CblasColMajor, CblasLeft, CblasLower, ik, ik, 1.0, M, ik, Ainv,
                ik, 0.0, T, ik);                     /* T = M Ainv */
    cblas_dsymm(CblasColMajor, CblasLeft, CblasLower, ik, ik, c, Ainv, ik, T, ik,
                0.0, V, ik);                         /* V = c Ainv T */
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++) {
            double v = 0.5 * (V[b * k + a] + V[a * k + b]);
            V[b * k + a] = V[a * k + b] = v;
        }
}

/* eigen check (and optional clip) of a symmetric k x k V */
static int psd_check(double *V, size_t k, int fix, df_vce_info *vi,
                     dyadfit_error *err)
{
    int ik = (int)k, m = 0, info = 0, lwork = -1, liwork = -1, iwq = 0;
    double wq = 0, vl = 0, vu = 0, abstol = 0;
    int il = 0, iu = 0, rc = 0;
    double *A = df_malloc(k * k, sizeof *A), *w = df_malloc(k, sizeof *w);
    double *Z = df_malloc(k * k, sizeof *Z), *work = NULL;
    int *isuppz = df_malloc(2 * k, sizeof *isuppz), *iwork = NULL;
    if (!A || !w || !Z || !isuppz) goto nomem;
    memcpy(A, V, k * k * sizeof *A);
    dsyevr_("V", "A", "L", &ik, A, &ik, &vl, &vu, &il, &iu, &abstol, &m, w, Z,
            &ik, isuppz, &wq, &lwork, &iwq, &liwork, &info);
    lwork = (int)wq;
    liwork = iwq;
    work = df_malloc((size_t)lwork, sizeof *work);
    iwork = df_malloc((size_t)liwork, sizeof *iwork);
    if (!work || !iwork) goto nomem;
    dsyevr_("V", "A", "L", &ik, A, &ik, &vl, &vu, &il, &iu, &abstol, &m, w, Z,
            &ik, isuppz, work, &lwork, iwork, &liwork, &info);
    if (info != 0) {
        rc = df_error(err, DYADFIT_ERR_ESTIM,
                      "eigen decomposition of the two-way variance failed (info %d)",
                      info);
        goto cleanup;
    }
    vi->min_eigen = w[0]; /* ascending */
    int nneg = 0;
    for (int j = 0; j < m; j++) nneg += w[j] < 0;
    if (nneg) {
        snprintf(vi->note, sizeof vi->note,
                 "two-way cluster variance not positive semi-definite: %d "
                 "eigenvalue%s < 0 (smallest %.3g)%s", nneg, nneg > 1 ? "s" : "",
                 w[0], fix ? "; negative eigenvalues set to 0" : "");
        if (fix) {
            /* V = Z diag(max(w, 0)) Z' */
            for (int j = 0; j < m; j++) {
                double s = w[j] > 0 ? sqrt(w[j]) : 0;
                for (size_t r = 0; r < k; r++) Z[(size_t)j * k + r] *= s;
            }
            cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, ik, m, 1.0, Z,
                        ik, 0.0, V, ik);
            for (size_t a = 0; a < k; a++)
                for (size_t b = a + 1; b < k; b++) V[b * k + a] = V[a * k + b];
            vi->psd_fixed = 1;
        }
    }
    goto cleanup;
nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (eigen check)");
cleanup:
    free(A);
    free(w);
    free(Z);
    free(work);
    free(isuppz);
    free(iwork);
    return rc;
}

static int check_inputs(const df_scores *s, const df_vce_opts *o,
                        dyadfit_error *err)
{
    if (!s || (!s->S && (!s->X || !s->u)))
        return df_error(err, DYADFIT_ERR_USAGE, "variance: no scores given");
    if (s->fw)
        for (size_t i = 0; i < s->n; i++)
            if (!(s->fw[i] > 0) || !isfinite(s->fw[i]))
                return df_error(err, DYADFIT_ERR_DATA,
                                "frequency weight must be > 0: %g at row %zu",
                                s->fw[i], i + 1);
    if (o->type == DYADFIT_VCE_CLUSTER) {
        if (o->ncluster < 1 || o->ncluster > 2)
            return df_error(err, DYADFIT_ERR_SPEC,
                            "cluster variance needs 1 or 2 cluster variables, not %zu",
                            o->ncluster);
        for (size_t d = 0; d < o->ncluster; d++) {
            if (!o->cl[d])
                return df_error(err, DYADFIT_ERR_USAGE, "cluster ids missing");
            if (o->ng[d] < 2)
                return df_error(err, DYADFIT_ERR_ESTIM,
                                "cluster variable %zu has %zu cluster%s: at least "
                                "2 are needed", d + 1, o->ng[d],
                                o->ng[d] == 1 ? "" : "s");
            for (size_t i = 0; i < s->n; i++)
                if (o->cl[d][i] >= o->ng[d])
                    return df_error(err, DYADFIT_ERR_DATA,
                                    "cluster id %zu out of range (%zu clusters) "
                                    "at row %zu", o->cl[d][i], o->ng[d], i + 1);
        }
    }
    return 0;
}

int df_vce(const double *info, const df_scores *s, const df_vce_opts *o,
           double *V, df_vce_info *vi, dyadfit_error *err)
{
    size_t k = s ? s->k : 0, n = s ? s->n : 0;
    int rc = 0;
    double *Ainv = NULL, *M = NULL, *T = NULL;
    size_t *ab = NULL;
    df_vce_info vdummy;
    if (!vi) vi = &vdummy;
    memset(vi, 0, sizeof *vi);
    vi->factor = 1;

    if (!s || k == 0)
        return df_error(err, DYADFIT_ERR_USAGE, "variance: no coefficients");
    Ainv = df_malloc(k * k, sizeof *Ainv);
    M = df_calloc(k * k, sizeof *M);
    T = df_malloc(k * k, sizeof *T);
    if (!Ainv || !M || !T) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (variance, k = %zu)", k);
        goto cleanup;
    }
    int sing = df_spd_inverse(info, k, Ainv);
    if (sing) {
        rc = df_error(err, DYADFIT_ERR_ESTIM,
                      "information matrix is singular or not positive definite "
                      "(at coefficient %d of %zu): a coefficient is not "
                      "identified (collinearity or separation)",
                      sing > 0 ? sing : 0, k);
        goto cleanup;
    }
    if (o->type == DYADFIT_VCE_OIM) {
        memcpy(V, Ainv, k * k * sizeof *V);
        goto cleanup;
    }
    if ((rc = check_inputs(s, o, err))) goto cleanup;

    double N = 0;
    if (s->fw)
        for (size_t i = 0; i < n; i++) N += s->fw[i];
    else
        N = (double)n;
    double K = (double)k;
    if (o->ssc == DYADFIT_SSC_HC1 && !(N > K)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM,
                      "HC1 small-sample factor needs N > K (N = %g, K = %zu)", N, k);
        goto cleanup;
    }
    if (o->type == DYADFIT_VCE_ROBUST) {
        double c = o->ssc == DYADFIT_SSC_HC0 ? 1
                 : o->ssc == DYADFIT_SSC_HC1 ? N / (N - K) : N / (N - 1);
        if (!(N > 1) && o->ssc == DYADFIT_SSC_STATA) {
            rc = df_error(err, DYADFIT_ERR_ESTIM, "robust variance needs N > 1");
            goto cleanup;
        }
        if (meat_rows(s, M)) goto nomem;
        sandwich(Ainv, M, k, c, V, T);
        vi->factor = vi->factors[0] = c;
        goto cleanup;
    }
    if (o->type != DYADFIT_VCE_CLUSTER) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "unknown variance type %d", (int)o->type);
        goto cleanup;
    }
    double hc1 = o->ssc == DYADFIT_SSC_HC1 ? (N - 1) / (N - K) : 1;
    int cadjust = o->ssc != DYADFIT_SSC_HC0;
    if (o->ncluster == 1) {
        double G = (double)o->ng[0];
        double c = (cadjust ? G / (G - 1) : 1) * hc1;
        if (meat_cluster(s, o->cl[0], o->ng[0], 1.0, M)) goto nomem;
        sandwich(Ainv, M, k, c, V, T);
        vi->factor = vi->factors[0] = c;
        vi->ng[0] = o->ng[0];
        goto cleanup;
    }
    /* two-way */
    size_t gab = 0;
    ab = df_malloc(n, sizeof *ab);
    if (!ab || intersect_ids(o->cl[0], o->ng[0], o->cl[1], o->ng[1], n, ab, &gab))
        goto nomem;
    size_t gs[3] = {o->ng[0], o->ng[1], gab};
    const size_t *ids[3] = {o->cl[0], o->cl[1], ab};
    for (int d = 0; d < 3; d++) {
        double G = (double)gs[d];
        /* an intersection of one cluster cannot be adjusted; sandwich
         * would divide by zero too, so ask for adjusted HC0 instead */
        if (cadjust && gs[d] < 2) {
            rc = df_error(err, DYADFIT_ERR_ESTIM,
                          "two-way clustering: the intersection has 1 cluster");
            goto cleanup;
        }
        double adj = cadjust ? G / (G - 1) : 1;
        if (meat_cluster(s, ids[d], gs[d], d == 2 ? -adj : adj, M)) goto nomem;
        vi->factors[d] = adj * hc1;
        vi->ng[d] = gs[d];
    }
    vi->factor = vi->factors[0];
    sandwich(Ainv, M, k, hc1, V, T);
    rc = psd_check(V, k, o->fix_psd, vi, err);
    goto cleanup;

nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (variance, n = %zu, k = %zu)",
                  n, k);
cleanup:
    free(Ainv);
    free(M);
    free(T);
    free(ab);
    return rc;
}
