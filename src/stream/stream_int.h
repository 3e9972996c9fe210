/*
 * stream_int.h -- private to src/stream: the design cache (cache.c) that
 * the streaming fit (stream_fit.c) reads back once per Newton pass.
 */
#ifndef DF_STREAM_INT_H
#define DF_STREAM_INT_H

#include <stddef.h>
#include <stdio.h>
#include "stream.h"
#include "../design/design.h"

/* The whole data set as seen by the in-memory design, summarised, plus the
 * cache of its rows. Cache layout, one block per chunk: uint64 m, then
 * y[m], w[m] (weights), offset[m] (offset), X[kall * m] column-major,
 * uint64 cluster id[m] (cluster). */
typedef struct {
    FILE *f;                  /* unlinked temporary file */
    size_t kall;              /* columns of the model matrix, before any
                                 collinearity drop */
    size_t maxm;              /* largest block */
    int has_w, has_off, has_cl;
    size_t G;                 /* clusters (global dense ids) */
    size_t *clmap;            /* MPI: this rank's cluster ids -> global
                                 ids, or NULL (one process: the same) */
    double *xmax;             /* kall: max |x_j| */
    double sw, swy, sw1y;     /* sums of w, w y, w (1 - y) */
    unsigned char *drop;      /* kall: dropped as collinear (global QR) */
    size_t nlocal;            /* rows used in this rank's share */
    int whole;                /* MPI: every rank read the whole file */
    df_design *d;             /* summary: n, k = kall, terms, intercept,
                                 response, formula, row counts, drops,
                                 collinear names; X, y, w, ... NULL */
    /* Cox (cox = 1): y is the event; each block also holds stop[m], then
     * start[m] (has_start) and uint64 stratum ids[m] (has_strata), in the
     * file's order, which is ascending stop within each stratum. Column 0
     * is the intercept, kept for the collinearity decision only. */
    int cox, has_start, has_strata;
    size_t ns;                /* strata (1 without strata()) */
    size_t *stmap;            /* MPI: this rank's stratum ids -> global ids,
                                 or NULL (one process: the same) */
    size_t *scount;           /* ns: this rank's rows of each stratum */
    size_t *sbelow;           /* ns: the rows of lower ranks (MPI), or NULL */
    size_t scap;              /* the most strata with rows both before and
                                 after one point of the file: the sweep keeps
                                 k^2 sums for that many at a time */
    size_t nevents;
    double *xmean, *xsd;      /* kall: unweighted mean and sd of each column
                                 (survival centres with them) */
    size_t *dfirst;           /* ns + 1: the distinct event times of stratum
                                 s are dtime[dfirst[s] .. dfirst[s+1]) */
    double *dtime;            /* ascending within each stratum */
    size_t nblk;              /* blocks, and where each begins in f */
    long long *boff;
} df_stream_cache;

/* One pass over the file: the design chunk by chunk into the cache. */
int df_stream_cache_build(const char *path, const dyadfit_model *m,
                          size_t chunk_rows, df_stream_cache *c,
                          dyadfit_error *err);
void df_stream_cache_free(df_stream_cache *c);

/* Reading blocks back: rewind, then next until it returns 1 (end). The
 * buffers hold maxm rows (X: kall * maxm). */
typedef struct {
    size_t m;
    double *y, *w, *off, *X;
    uint64_t *cl;
    double *stop, *start;     /* Cox */
    uint64_t *st;             /* Cox with strata */
} df_stream_block;

int df_stream_block_alloc(const df_stream_cache *c, df_stream_block *b);
void df_stream_block_free(df_stream_block *b);
int df_stream_rewind(df_stream_cache *c, dyadfit_error *err);
/* 0: a block read; 1: end of the cache; other: error (err set). */
int df_stream_next(df_stream_cache *c, df_stream_block *b, dyadfit_error *err);
/* Block j (0-based) of the cache, for a sweep from the last block back. */
int df_stream_read_block(df_stream_cache *c, size_t j, df_stream_block *b,
                         dyadfit_error *err);

/* ----- shared by the fits (stream_fit.c) ----- */

/* V of the result from the information (k x k, beta scale) and the final
 * pass's sums: M (robust meat, lower triangle) or Sg (G x k cluster score
 * sums, Sg[j * G + g]); the preset's small-sample factor with N rows. */
int df_stream_variance(dyadfit_result *r, const dyadfit_model *m,
                       const df_stream_cache *c, const double *info, const double *M,
                       const double *Sg, size_t k, double N, dyadfit_error *err);
/* Wall-clock seconds, and with DYADFIT_STREAM_TIMING set one line on
 * stderr per rank at the end of a fit (bench/stream.sh reads it): rows,
 * the cache build, the Newton passes, the final pass, the checksum. */
double df_stream_clock(void);
void df_stream_timing(const df_stream_cache *c, size_t k, double cache_s, double newton_s,
                      size_t passes, double final_s, double sha_s, double total_s);

/* The Cox model on the cache (stream_cox.c); called by df_stream_fit. */
int df_stream_fit_cox(const char *path, const dyadfit_model *m, size_t chunk_rows,
                      dyadfit_result **out, dyadfit_error *err);

#endif
