/*
 * bootstrap.c -- the bootstrap variance: draw counts per replication,
 * refits through the estimator's callback, the covariance of the replicate
 * estimates (definitions in bootstrap.h and docs/bootstrap.md).
 *
 * Reproducibility: replication r's generator is seeded from (seed, r)
 * alone, and V sums the replicates in replication order, so the same seed
 * gives the same V to the bit whether one process runs every replication
 * or several share them (df_boot_dist), and whatever the thread count.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include "bootstrap.h"
#include "../util/util.h"

static const df_boot_dist *boot_dist;

void df_boot_set_dist(const df_boot_dist *d) { boot_dist = d; }
const df_boot_dist *df_boot_get_dist(void) { return boot_dist; }

/* splitmix64's output function (Steele, Lea & Flood 2014): a bijection of
 * 64-bit integers that scatters neighbouring inputs. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

unsigned long df_boot_stream_seed(unsigned long seed, size_t r)
{
    /* the (r+1)-th output of a splitmix64 generator started at seed,
     * folded to the 32 bits gsl_rng_mt19937 takes (it maps 0 to its
     * default seed 4357, so 0 is avoided) */
    uint64_t z = mix64((uint64_t)seed + 0x9e3779b97f4a7c15ULL * ((uint64_t)r + 1));
    unsigned long s = (unsigned long)((z ^ (z >> 32)) & 0xffffffffULL);
    return s ? s : 1;
}

/* A uniform index in [0, m): one draw when m fits the generator's 32
 * bits, else two draws combined, with rejection (no modulo bias). */
static size_t draw_index(gsl_rng *g, size_t m)
{
    if (m <= 0xffffffffUL) return (size_t)gsl_rng_uniform_int(g, (unsigned long)m);
    uint64_t lim = UINT64_MAX - UINT64_MAX % (uint64_t)m, x;
    do {
        uint64_t hi = (uint64_t)gsl_rng_get(g);
        uint64_t lo = (uint64_t)gsl_rng_get(g);
        x = (hi << 32) | lo;
    } while (x >= lim);
    return (size_t)(x % (uint64_t)m);
}

static size_t data_row(const df_boot_opts *o, size_t i)
{
    return (o->rows ? o->rows[i] : i) + 1;
}

/* Frequency weights with rows resampled: whole numbers, summing to at most
 * 2^32 - 1 (gsl_ran_multinomial's count); *N receives the sum. */
static int check_fweights(const df_boot_opts *o, unsigned long *N,
                          dyadfit_error *err)
{
    double sum = 0;
    const char *name = o->wname ? o->wname : "(weights)";
    for (size_t i = 0; i < o->n; i++) {
        double w = o->w[i];
        if (!(w >= 0) || w != floor(w))
            return df_error(err, DYADFIT_ERR_USAGE,
                            "the bootstrap resamples the observations frequency "
                            "weights stand for: weight '%s' is %g at data row %zu, "
                            "not a whole number (use --weight-type prob for "
                            "sampling weights)", name, w, data_row(o, i));
        sum += w;
    }
    if (!(sum >= 1) || sum > 4294967295.0)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "the bootstrap resamples the observations frequency "
                        "weights stand for: weight '%s' sums to %.17g, outside "
                        "1 to 4294967295", name, sum);
    *N = (unsigned long)sum;
    return DYADFIT_OK;
}

int df_boot_draw(const df_boot_opts *o, size_t r, double *counts,
                 dyadfit_error *err)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    unsigned int *c = NULL;
    int rc = DYADFIT_OK;
    if (!g) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (bootstrap)");
    gsl_rng_set(g, df_boot_stream_seed(o->seed, r));
    if (o->cl) {                          /* G clusters with replacement */
        memset(counts, 0, o->ng * sizeof *counts);
        for (size_t d = 0; d < o->ng; d++) counts[draw_index(g, o->ng)] += 1;
    } else if (o->w && o->fweights) {     /* N = sum fw observations */
        unsigned long N = 0;
        if ((rc = check_fweights(o, &N, err))) goto done;
        if (!(c = df_malloc(o->n ? o->n : 1, sizeof *c))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (bootstrap, n = %zu)", o->n);
            goto done;
        }
        gsl_ran_multinomial(g, o->n, (unsigned int)N, o->w, c);
        for (size_t i = 0; i < o->n; i++) counts[i] = c[i];
    } else {                              /* n rows with replacement */
        memset(counts, 0, o->n * sizeof *counts);
        for (size_t d = 0; d < o->n; d++) counts[draw_index(g, o->n)] += 1;
    }
done:
    free(c);
    gsl_rng_free(g);
    return rc;
}

int df_boot_vcov(const double *B, const unsigned char *ok, size_t reps,
                 size_t k, double *V, size_t *nok)
{
    size_t m = 0;
    for (size_t r = 0; r < reps; r++) m += ok[r] != 0;
    *nok = m;
    if (m < 2) return -1;
    double *mean = df_calloc(k ? k : 1, sizeof *mean);
    double *S = df_calloc(k ? k * k : 1, sizeof *S);
    if (!mean || !S) {
        free(mean);
        free(S);
        return -2;
    }
    /* two passes (mean, then centred cross-products), in replication order */
    for (size_t r = 0; r < reps; r++)
        if (ok[r])
            for (size_t j = 0; j < k; j++) mean[j] += B[r * k + j];
    for (size_t j = 0; j < k; j++) mean[j] /= (double)m;
    for (size_t r = 0; r < reps; r++) {
        if (!ok[r]) continue;
        const double *b = B + r * k;
        for (size_t a = 0; a < k; a++) {
            double da = b[a] - mean[a];
            for (size_t c = 0; c <= a; c++) S[a * k + c] += da * (b[c] - mean[c]);
        }
    }
    for (size_t a = 0; a < k; a++)
        for (size_t c = 0; c <= a; c++)
            V[a * k + c] = V[c * k + a] = S[a * k + c] / (double)(m - 1);
    free(mean);
    free(S);
    return 0;
}

int df_bootstrap(const df_boot_opts *o, df_boot_refit refit, void *ctx,
                 double *V, df_boot_info *info, dyadfit_error *err)
{
    int R = o->reps ? o->reps : DF_BOOT_DEFAULT_REPS;
    int rank = 0, size = 1, rc = DYADFIT_OK;
    size_t k = o->k, width = k + 1;
    double *rows = NULL, *counts = NULL, *w = NULL, *beta = NULL, *B = NULL;
    unsigned char *ok = NULL;

    memset(info, 0, sizeof *info);
    info->reps = R;
    info->first_failed = -1;
    if (o->dist && o->dist->size > 1) {
        rank = o->dist->rank;
        size = o->dist->size;
    }
    /* every check below is made on every process before the replications,
     * so that a failing one still joins the agreement after them */
    if (R < 2 || R > DF_BOOT_MAX_REPS) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "bootstrap replications: %d is not a "
                      "count from 2 to %d", R, DF_BOOT_MAX_REPS);
        goto agree;
    }
    if (o->cl && o->ng < 2) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "the cluster bootstrap needs at least 2 "
                      "clusters (there %s %zu)", o->ng == 1 ? "is" : "are", o->ng);
        goto agree;
    }
    if (!o->cl && o->w && o->fweights) {
        unsigned long N;
        if ((rc = check_fweights(o, &N, err))) goto agree;
    }
    size_t m = o->cl ? o->ng : o->n;
    rows = df_calloc((size_t)R * width, sizeof *rows);
    counts = df_malloc(m ? m : 1, sizeof *counts);
    w = df_malloc(o->n ? o->n : 1, sizeof *w);
    beta = df_malloc(k ? k : 1, sizeof *beta);
    if (!rows || !counts || !w || !beta) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (bootstrap: %d replications, "
                      "n = %zu, k = %zu)", R, o->n, k);
        goto agree;
    }
    for (size_t r = (size_t)rank; r < (size_t)R; r += (size_t)size) {
        if ((rc = df_boot_draw(o, r, counts, err))) break;
        /* the replication's row weights: draw counts times the user's
         * weights (frequency weights with rows resampled are already in
         * the counts) */
        for (size_t i = 0; i < o->n; i++) {
            double c = o->cl ? counts[o->cl[i]] : counts[i];
            double u = (o->w && (o->cl || !o->fweights)) ? o->w[i] : 1;
            w[i] = c * u;
        }
        double *row = rows + r * width;
        int st = refit(ctx, w, beta, err);
        if (st > 0) {
            rc = st;
            break;
        }
        for (size_t j = 0; st == DF_BOOT_OK && j < k; j++)
            if (!isfinite(beta[j])) st = DF_BOOT_DEGENERATE;
        row[0] = st;
        if (st == DF_BOOT_OK) memcpy(row + 1, beta, k * sizeof *beta);
    }
agree:
    if (size > 1) {
        /* the first failing process's error everywhere, then every
         * process's replications everywhere */
        if (o->dist->agree) rc = o->dist->agree(rc, err);
        if (!rc && o->dist->gather(rows, (size_t)R, width))
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "bootstrap: gathering the replications "
                          "of %d processes failed", size);
    }
    if (rc) goto cleanup;

    B = df_malloc((size_t)R * (k ? k : 1), sizeof *B);
    ok = df_malloc((size_t)R, 1);
    if (!B || !ok) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (bootstrap)");
        goto cleanup;
    }
    for (size_t r = 0; r < (size_t)R; r++) {
        const double *row = rows + r * width;
        ok[r] = row[0] == DF_BOOT_OK;
        if (!ok[r]) {
            info->failed++;
            if (row[0] == DF_BOOT_NOT_CONVERGED) info->not_converged++;
            if (info->first_failed < 0) info->first_failed = (int)r;
        }
        memcpy(B + r * k, row + 1, k * sizeof *B);
    }
    size_t nok = 0;
    int vrc = df_boot_vcov(B, ok, (size_t)R, k, V, &nok);
    if (vrc == -2) rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (bootstrap)");
    else if (vrc)
        rc = df_error(err, DYADFIT_ERR_ESTIM,
                      "only %zu of %d bootstrap replications succeeded (%d did not "
                      "converge or were separated, %d had a singular or degenerate "
                      "sample): the bootstrap variance needs at least 2",
                      nok, R, info->not_converged, info->failed - info->not_converged);
cleanup:
    free(rows);
    free(counts);
    free(w);
    free(beta);
    free(B);
    free(ok);
    return rc;
}
