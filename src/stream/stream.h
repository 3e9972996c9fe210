/*
 * stream.h -- out-of-core binomial fits (issue #11): logit, probit and
 * cloglog on a data file read in chunks of rows, with memory bounded by the
 * chunk (plus O(k^2) and O(G k) for G clusters). See docs/streaming.md.
 *
 * One pass over the file builds the design chunk by chunk (the same design
 * code as the in-memory fit, per chunk) and writes y, w, offset, X and the
 * global cluster ids to a binary cache in TMPDIR, unlinked as soon as it is
 * created (so it vanishes at exit, even on a crash). Each Newton pass reads
 * the cache back a chunk at a time.
 */
#ifndef DF_STREAM_H
#define DF_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dyadfit.h"
#include "stream_mpi.h"

#define DF_STREAM_CHUNK_DEFAULT 65536

/* ----- chunked reader (chunks.c) ----- */

/* Called once per chunk with a table of the chunk's rows; first_row is the
 * 0-based index in the file of the chunk's first row. Non-zero stops the
 * read and is returned. */
typedef int (*df_chunk_fn)(void *ctx, const dyadfit_table *chunk,
                           size_t first_row, dyadfit_error *err);

/* Reads `path` (.dta .sav .zsav .por .sas7bdat .xpt through ReadStat, or
 * .csv) chunk_rows rows at a time, only the variables listed (nvars 0: all;
 * names not in the file are skipped, so the design reports them), and hands
 * each chunk to fn. String columns keep one dictionary over the whole file
 * for ReadStat formats; CSV chunks are read by the ordinary CSV reader from
 * a temporary file holding the header and the chunk's lines.
 * rank of size (MPI; 0 of 1 otherwise): each rank reads only its share, a
 * contiguous block of rows (first_row stays the row in the whole file);
 * when the file does not allow that (no row count in a ReadStat header, a
 * newline inside quotes in a CSV file) every rank reads all of it and
 * *whole is set before the first chunk is handed over. With size > 1 every
 * rank must call this (it runs collectives). */
int df_stream_read(const char *path, const char *const *vars, size_t nvars,
                   size_t chunk_rows, int rank, int size, int *whole,
                   df_chunk_fn fn, void *ctx, dyadfit_error *err);

/* An unlinked temporary file in $TMPDIR (or /tmp), open for reading and
 * writing; NULL with err set on failure. */
FILE *df_stream_tmpfile(const char *what, dyadfit_error *err);

/* ----- the fit (stream_fit.c) ----- */

/* Fits m (logit, probit, cloglog, or cox on a file sorted by the stop time
 * within strata: stream_cox.c) on the file at path, chunk_rows rows at a
 * time (0: DF_STREAM_CHUNK_DEFAULT). Refuses with DYADFIT_ERR_USAGE what
 * streaming does not support: other estimators, --if, two-way clusters,
 * factor() terms and string variables in the formula, --drop-separated,
 * peace years (--spells); for cox --zph, --basehaz/--residuals, --id. The
 * result is the same object dyadfit_fit returns, for every renderer and
 * --save. */
int df_stream_fit(const char *path, const dyadfit_model *m, size_t chunk_rows,
                  dyadfit_result **out, dyadfit_error *err);

#endif
