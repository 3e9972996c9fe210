/*
 * fit.h -- estimators (layer 4). One Newton driver shared by every
 * estimator; each estimator supplies one fused pass that returns the
 * log-likelihood, gradient and information at a coefficient vector.
 */
#ifndef DF_FIT_H
#define DF_FIT_H

#include <stddef.h>
#include "dyadfit.h"
#include "../design/design.h"

/* ----- Newton driver (newton.c) ----- */

/* Evaluates at beta (length k): *loglik always; grad (k) and info (k x k,
 * column-major, the negative Hessian or expected information) when non-NULL.
 * The driver asks for the log-likelihood alone (grad = info = NULL) on
 * step-halving trials after the full step was rejected, and compares those
 * values with full evaluations at a tolerance of 1e-13 |loglik|: the
 * log-likelihood must not depend on whether grad and info are asked for
 * (same terms summed in the same order).
 * Returns 0, or non-zero when beta is outside the domain (the driver then
 * halves the step). */
typedef int (*df_objective)(void *ctx, const double *beta, double *loglik,
                            double *grad, double *info);

typedef struct {
    int maxiter;              /* default 100 */
    double tol;               /* relative loglik change, default 1e-10 */
    double gradtol;           /* max |grad_j| * scale, default 1e-6 */
    int maxhalve;             /* step halvings per iteration, default 50 */
    int polish_info;          /* 1: the final polish evaluation also asks
                                 for info (so an estimator can take its
                                 final information from that call when it
                                 lands on the returned beta); default 0 */
} df_newton_opts;

typedef struct {
    double loglik;
    int iterations;
    int converged;
    double max_gradient;
    char message[256];        /* why it stopped when not converged */
} df_newton_status;

void df_newton_defaults(df_newton_opts *o);
/* beta holds the start on entry and the estimate on return. Returns 0 after
 * a completed run (converged or not: see status), non-zero error otherwise. */
int df_newton(df_objective f, void *ctx, size_t k, double *beta,
              const df_newton_opts *o, df_newton_status *st,
              dyadfit_error *err);

/* The separation probe, for a fit some of whose rows are predicted
 * perfectly: five more Newton steps (options o, no convergence test) from
 * the estimate theta, in probe (k scratch). Steps from a genuine maximum
 * do not move; under separation the coefficients run off by O(1) per
 * step. Returns 1 when one moves by more than 0.1, 0 otherwise (also when
 * the steps fail). */
int df_newton_diverges(df_objective f, void *ctx, size_t k, const double *theta,
                       const df_newton_opts *o, double *probe);

/* ----- binomial GLM (glm.c) ----- */

typedef enum { DF_LINK_LOGIT = 0, DF_LINK_PROBIT, DF_LINK_CLOGLOG } df_link;

typedef struct {
    df_link link;
    dyadfit_information information;
    int frequency_weights;    /* w are fweights (else probability weights) */
    df_newton_opts newton;
    const double *start;      /* k finite start values on the scale of X
                                 (as df_glm_fit.beta), e.g. a bootstrap
                                 replication's full-sample estimate; NULL:
                                 the intercept at link(weighted mean of y),
                                 every other coefficient 0 */
} df_glm_opts;

typedef struct {
    size_t k;
    double *beta;             /* k, on the original scale of X */
    double *info;             /* k x k information at beta (observed or
                                 expected, per options), original scale */
    double *u;                /* n: score multiplier, s_i = u_i x_i, includes
                                 the weight w_i */
    double loglik;
    double loglik0;           /* intercept-only model (with offset) */
    int iterations;
    int converged;
    double max_gradient;
    char message[256];
} df_glm_fit;

int df_glm(const df_design *d, const df_glm_opts *o, df_glm_fit *out,
           dyadfit_error *err);

/* With DYADFIT_PASS_TIMING set in the environment, df_glm times its passes
 * that form the information (wall clock, both threads' halves): their
 * number, the fastest and the mean, in seconds, of the last such fit. For
 * bench/phases.c; not thread-safe across concurrent fits. */
void df_glm_last_pass_timing(size_t *passes, double *min_s, double *mean_s);
void df_glm_fit_free(df_glm_fit *f);

/* ----- separation (separation.c) ----- */

/* Checks each column of X (not the intercept) for perfect prediction, as
 * Stata's logit does: a column for which some value range predicts the
 * outcome perfectly. Fills `report` with one line per problem, naming the
 * term and the direction ("defense != 0 predicts failure perfectly"). Sets
 * dropcol[j] = 1 for the offending columns and droprow[i] = 1 for the rows
 * they predict perfectly. Returns the number of problems found. */
size_t df_separation_check(const df_design *d, unsigned char *dropcol,
                           unsigned char *droprow, char *report,
                           size_t report_size);

#endif
