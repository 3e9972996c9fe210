/*
 * tests.h -- tests and fit statistics after a fit (layer 6), from saved
 * fits (post.h): Wald tests of linear restrictions on the coefficients,
 * likelihood-ratio tests between nested fits, and fit statistics (AIC, BIC,
 * pseudo R2; for binary models ROC AUC, Brier score and a classification
 * table at a cut-off, computed on the fitted rows rebuilt by
 * df_post_attach). The caller owns every result and frees it with the
 * matching _free function.
 */
#ifndef DF_POST_TESTS_H
#define DF_POST_TESTS_H

#include <stddef.h>
#include "post.h"

/* ------------------------------------------------------------- Wald test */

typedef struct {
    size_t q, k;
    double *R;                /* q x k, row-major (R[i*k + j]) */
    double *r;                /* q */
    char **text;              /* q restrictions in normal form, "defense - neutrality = 0" */
    double chi2, p_value;     /* chi2 with q degrees of freedom */
} df_wald;

/* Parses each restriction as a linear equation in the fit's term names
 * (longest name matching at a position, or a name in backquotes, so
 * log(cap_ratio) and I(peaceyrs^2) need no quoting), numbers, + - * / and
 * at most one '=' ("x" alone means x = 0), and computes
 * W = (Rb - r)' (R V R')^-1 (Rb - r). DYADFIT_ERR_USAGE for an unknown term,
 * a product of terms, a division by a term, a restriction with no term,
 * malformed text, or restrictions that are linearly dependent. */
int df_wald_test(const df_post_fit *f, const char *const *restr, size_t nrestr,
                 df_wald *out, dyadfit_error *err);
void df_wald_free(df_wald *w);

/* ---------------------------------------------------------- LR test */

typedef struct {
    const df_post_fit *small, *big;   /* ordered by terms, not by argument */
    double lr, df, p_value;
    int swapped;              /* the arguments were given big first */
    int forced;               /* robust/cluster/pweights overridden by force */
} df_lrtest;

/* LR = 2 (ll_big - ll_small) with df = k_big - k_small. DYADFIT_ERR_USAGE
 * when the fits differ in estimator, data (sha256), filter, weights, rows
 * or N, when neither's terms contain the other's, or when either used a
 * robust/cluster variance or probability weights (the likelihood is then
 * not the model's; force overrides that one check). */
int df_lr_test(const df_post_fit *a, const df_post_fit *b, int force,
               df_lrtest *out, dyadfit_error *err);

/* ---------------------------------------------------------- fit statistics */

typedef struct {
    double n, loglik, loglik0, k;
    double aic, bic, r2_mcfadden, r2_mcfadden_adj, r2_coxsnell, r2_nagelkerke;
    int binary;               /* the rest are set */
    double auc, brier, cutoff;
    double tp, fp, tn, fn;    /* (weighted) counts: predicted 1 when p >= cutoff */
    double sensitivity, specificity, ppv, npv, correct;
} df_fitstat;

/* Likelihood statistics from the saved fit; when the estimator has
 * predictions (post.h) the fit is attached (data re-read and checked) and
 * the classification statistics computed with the model's weights. */
int df_fit_stat(df_post_fit *f, double cutoff, df_fitstat *out, dyadfit_error *err);

#endif
