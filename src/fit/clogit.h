/*
 * clogit.h -- conditional (fixed-effects) logit and unconditional logit with
 * absorbed fixed effects (layer 4, src/fit/clogit.c).
 *
 * df_clogit: the exact conditional likelihood of Gail, Lubin & Rubinstein
 *   (1981), as survival::clogit(method = "exact") and Stata's clogit. For
 *   a group with n_g rows and d_g events the term is
 *       exp(sum_{events} x'b) / sum_{|S| = d_g} exp(sum_{i in S} x'b),
 *   the denominator by the recursion B(m, j) = B(m-1, j) + r_m B(m-1, j-1)
 *   with r_m = exp(x_m'b), with first and second derivatives, O(n_g d_g k^2)
 *   per group. X must not hold an intercept (it cancels); groups without
 *   variation in y contribute nothing (the caller normally drops them).
 *
 * df_felogit: maximum likelihood logit with one or two sets of dummies
 *   (fixest::feglm(family = binomial)): exact Newton on the full parameter
 *   vector. The dummies of the factor with more levels are eliminated
 *   through their diagonal information block (Schur complement); the other
 *   factor's dummies and beta form a dense system solved by a Cholesky that
 *   skips pivots made zero by the redundancy of two sets of dummies (one
 *   per connected component). Every level of each factor must have
 *   variation in y (else its effect is infinite: the caller drops them).
 */
#ifndef DF_CLOGIT_H
#define DF_CLOGIT_H

#include <stddef.h>
#include "fit.h"

typedef struct {
    size_t k;
    double *beta;             /* k */
    double *info;             /* k x k observed information at beta */
    double *S;                /* ngroup x k column-major: each group's score
                                 at beta (row g = dense group id g) */
    size_t ngroup;
    double loglik;            /* conditional log likelihood */
    double loglik0;           /* at beta = 0: -sum_g log C(n_g, d_g) */
    int iterations;
    int converged;
    double max_gradient;
    char message[256];
} df_clogit_fit;

/* group: d->n dense ids in 0..ngroup-1. */
int df_clogit(const df_design *d, const size_t *group, size_t ngroup,
              const df_newton_opts *o, df_clogit_fit *out, dyadfit_error *err);
void df_clogit_fit_free(df_clogit_fit *f);

typedef struct {
    size_t k;
    double *beta;             /* k (NULL when k == 0) */
    double *info;             /* k x k: the information for beta with the
                                 fixed effects profiled out (inverse of the
                                 beta block of the full inverse) */
    double *S;                /* n x k column-major scores (y_i - mu_i) x~_i,
                                 x~ the columns with the fixed effects
                                 partialled out (weights mu(1 - mu)) */
    double *mu;               /* n fitted probabilities */
    double loglik;
    size_t nfe;               /* fixed-effect parameters identified */
    int iterations;
    int converged;
    double max_gradient;
    char message[256];
} df_felogit_fit;

/* fe[0], fe[1]: d->n dense ids per factor (fe[1] may be NULL), nfe[] levels.
 * d->k may be 0 (fixed effects only). */
int df_felogit(const df_design *d, const size_t *const fe[2],
               const size_t nlev[2], const df_newton_opts *o,
               df_felogit_fit *out, dyadfit_error *err);
void df_felogit_fit_free(df_felogit_fit *f);

#endif
