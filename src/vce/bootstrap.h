/*
 * bootstrap.h -- the bootstrap variance (layer 5): resampling, the
 * replications and the covariance of their estimates. The estimator is a
 * callback (df_boot_refit) that refits on the same design with other row
 * weights, so nothing here knows about links or likelihoods and no copy of
 * X is made.
 *
 * Resampling, replication r = 0 .. R-1 (docs/bootstrap.md):
 *   rows (no cluster variable): n rows drawn with replacement; the row's
 *     weight is the number of times it was drawn (times its probability
 *     weight, if any). With frequency weights fw the N = sum fw
 *     observations the rows stand for are resampled instead (multinomial:
 *     N draws, row i with probability fw_i / N), the row's weight being the
 *     number of its observations drawn.
 *   clusters: G clusters drawn with replacement; every row of a cluster
 *     gets the cluster's draw count (times its frequency or probability
 *     weight, if any).
 *   The draws of replication r come from their own gsl_rng_mt19937, seeded
 *   with a mix (splitmix64) of the seed and r, so they do not depend on the
 *   replications before it, nor on how many processes share the work.
 *
 * V = sum_r (b_r - b_bar)(b_r - b_bar)' / (R_ok - 1) over the R_ok
 * replications that succeeded (Stata's divisor); failed replications
 * (not converged, separation, singular information) are left out and
 * counted; fewer than 2 successes is an error.
 */
#ifndef DF_BOOTSTRAP_H
#define DF_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>
#include "dyadfit.h"

/* Replications when the model asks for 0 (and dyadfit_model_init's), the
 * default seed, and the most replications allowed. */
#define DF_BOOT_DEFAULT_REPS 200
#define DF_BOOT_DEFAULT_SEED 12345UL
#define DF_BOOT_MAX_REPS 1000000

/* Outcome of one replication (df_boot_refit's return value when it is not
 * an error code of its own: see df_boot_refit). */
enum {
    DF_BOOT_OK = 0,
    DF_BOOT_NOT_CONVERGED = -1,   /* no convergence or separation */
    DF_BOOT_DEGENERATE = -2       /* singular information, outcome constant
                                     in the sample, ... */
};

/* Refits the estimator with row weights w (n); on DF_BOOT_OK beta (k)
 * holds the estimate. Every replication starts alike (from the defaults,
 * or from the full sample's estimate), never from state kept between
 * calls such as an earlier replication's estimate: the result must not
 * depend on which process runs which replications, nor in what order.
 * Returns DF_BOOT_OK, DF_BOOT_NOT_CONVERGED or DF_BOOT_DEGENERATE (the
 * replication is dropped and counted), or a positive dyadfit_code with err
 * filled (out of memory, interrupted: the bootstrap stops). */
typedef int (*df_boot_refit)(void *ctx, const double *w, double *beta,
                             dyadfit_error *err);

/* How the replications are shared between processes (MPI ranks): this one
 * runs r = rank, rank + size, ...; agree returns the first failing
 * process's code and message to every process (0: none failed), and
 * gather fills, on every process, all nrows rows (width doubles each) of
 * rows, of which this process filled those r with r % size == rank. NULL
 * (or size 1): one process does everything. */
typedef struct {
    int rank, size;
    int (*agree)(int rc, dyadfit_error *err);
    int (*gather)(double *rows, size_t nrows, size_t width);
} df_boot_dist;

/* The process-wide sharing the fits use (NULL, the default: none). The
 * command line sets it under mpirun (src/cli/cmd_fit.c with
 * src/stream/stream_mpi.c); the library itself never starts MPI. d must
 * stay valid while set. */
void df_boot_set_dist(const df_boot_dist *d);
const df_boot_dist *df_boot_get_dist(void);

typedef struct {
    size_t n, k;
    const size_t *cl;         /* n dense cluster ids (0..ng-1), or NULL:
                                 rows are resampled */
    size_t ng;                /* clusters (every id used by some row) */
    const double *w;          /* n user weights, or NULL */
    int fweights;             /* w are frequency weights (whole numbers
                                 when rows are resampled) */
    const char *wname;        /* the weight variable, for messages */
    const size_t *rows;       /* n data rows (0-based) for messages, or
                                 NULL (row i is i) */
    int reps;                 /* R >= 2 (0: DF_BOOT_DEFAULT_REPS) */
    unsigned long seed;
    const df_boot_dist *dist; /* NULL: one process */
} df_boot_opts;

typedef struct {
    int reps;                 /* R */
    int failed;               /* replications left out */
    int not_converged;        /* of which: DF_BOOT_NOT_CONVERGED */
    int first_failed;         /* the first replication that failed, or -1 */
} df_boot_info;

/* Seed of replication r's generator (splitmix64 of seed and r, folded to
 * the 32 bits gsl_rng_mt19937 uses; never 0). */
unsigned long df_boot_stream_seed(unsigned long seed, size_t r);

/* Replication r's draw counts: counts (n doubles for rows, ng for
 * clusters) receives how often each row / cluster was drawn, or with
 * frequency weights by rows how many of each row's observations. They sum
 * to n, ng or sum fw. Returns 0, or a dyadfit_code with err filled. */
int df_boot_draw(const df_boot_opts *o, size_t r, double *counts,
                 dyadfit_error *err);

/* V (k x k) = the covariance of the rows of B (reps x k, row-major: the
 * estimate of replication r at B + r * k) with ok[r] != 0, divisor
 * nok - 1, summed in replication order; *nok receives the count. Returns
 * 0, or non-zero when fewer than 2 are ok (V is then left unchanged). */
int df_boot_vcov(const double *B, const unsigned char *ok, size_t reps,
                 size_t k, double *V, size_t *nok);

/* Runs the replications (or this process's share of them) through refit
 * and fills V (k x k) with the covariance of the successful estimates.
 * Errors: DYADFIT_ERR_USAGE (reps out of range, frequency weights that are
 * not whole numbers or sum beyond 2^32 - 1), DYADFIT_ERR_ESTIM (fewer than
 * 2 replications succeeded), and those of refit. */
int df_bootstrap(const df_boot_opts *o, df_boot_refit refit, void *ctx,
                 double *V, df_boot_info *info, dyadfit_error *err);

#endif
