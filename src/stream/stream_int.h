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
} df_stream_block;

int df_stream_block_alloc(const df_stream_cache *c, df_stream_block *b);
void df_stream_block_free(df_stream_block *b);
int df_stream_rewind(df_stream_cache *c, dyadfit_error *err);
/* 0: a block read; 1: end of the cache; other: error (err set). */
int df_stream_next(df_stream_cache *c, df_stream_block *b, dyadfit_error *err);

#endif
