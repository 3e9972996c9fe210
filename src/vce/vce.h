/*
 * vce.h -- variance estimators (layer 5), built on scores and information
 * only, so every estimator gets all of them.
 *
 *   oim:      V = A^-1                                  (A = information)
 *   robust:   V = c A^-1 (sum_i s_i s_i') A^-1
 *   cluster:  V = c A^-1 (sum_g S_g S_g') A^-1,  S_g = sum_{i in g} s_i
 *   two-way:  V = V_1 + V_2 - V_12 (Cameron, Gelbach & Miller 2011), each
 *             with its own c; V_12 clusters on the intersection.
 */
#ifndef DF_VCE_H
#define DF_VCE_H

#include <stddef.h>
#include "dyadfit.h"

typedef struct {
    size_t n, k;
    const double *X;          /* n x k column-major; with u: s_i = u_i x_i */
    const double *u;          /* n */
    const double *S;          /* or: full score matrix n x k (X, u NULL) */
    const double *fw;         /* frequency weights or NULL: row i stands for
                                 fw[i] observations (robust meat divides
                                 s_i s_i' by fw[i]; N = sum fw) */
} df_scores;

typedef struct {
    dyadfit_vce type;
    dyadfit_ssc ssc;
    int fix_psd;              /* clip negative eigenvalues of a two-way V */
    size_t ncluster;          /* 1 or 2 for DYADFIT_VCE_CLUSTER */
    const size_t *cl[2];      /* n dense ids per dimension */
    size_t ng[2];
} df_vce_opts;

typedef struct {
    double factor;            /* c (one-way/robust); for two-way, c of the
                                 first dimension (see factors[]) */
    double factors[3];        /* two-way: c_1, c_2, c_12 */
    size_t ng[3];             /* clusters: dim 1, dim 2, intersection */
    int psd_fixed;            /* eigenvalues clipped */
    double min_eigen;         /* smallest eigenvalue before any fix */
    char note[256];           /* e.g. "two-way V not PSD: 2 eigenvalues < 0" */
} df_vce_info;

/* V (k x k) from information `info` (k x k, column-major, positive definite)
 * and scores. Returns DYADFIT_ERR_ESTIM with a message naming the problem
 * when info is singular. */
int df_vce(const double *info, const df_scores *s, const df_vce_opts *o,
           double *V, df_vce_info *vi, dyadfit_error *err);

/* Inverse of a symmetric positive definite k x k matrix (Cholesky); returns
 * non-zero when it is not positive definite. */
int df_spd_inverse(const double *A, size_t k, double *Ainv);

#endif
