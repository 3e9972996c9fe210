/*
 * stream_check.h -- shared by the streaming suites (tests/stream): a fit in
 * memory and a streamed one with the error printed when it fails, the
 * comparison of a streamed result with the in-memory one that every
 * streamed estimator passes, a failure of both paths, and the files a
 * streamed fit leaves behind in a TMPDIR, which each suite makes its own
 * (stream_check.c).
 */
#ifndef DF_STREAM_CHECK_H
#define DF_STREAM_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include "dyadfit.h"
#include "testutil.h"

/* dyadfit_model_init, then the estimator and the formula. */
void sc_model(dyadfit_model *m, dyadfit_estimator e, const char *formula);

/* dyadfit_read + dyadfit_fit of path (the read must succeed: fatal
 * assert; the fit is asserted to); the error printed when one fails. */
dyadfit_result *sc_fit_memory(const char *path, const dyadfit_model *m);

/* df_stream_fit in chunks of chunk rows, asserted to succeed (the error
 * printed when not); NULL when it fails. */
dyadfit_result *sc_fit_stream(const char *path, const dyadfit_model *m, size_t chunk);

/* Streamed result s against the in-memory m: terms; coefficients and
 * standard errors at LRE >= 10, every variance element at LRE >= 9, noted
 * under "coef <cat>", "se <cat>", "vcov <cat>"; log likelihoods at LRE >= 10
 * ("loglik <cat>", "loglik0 <cat>"); N, the row counts (used, source,
 * dropped), clusters, the small-sample factor (LRE >= 14), convergence, the
 * checksum and the notes. what (may be NULL) names the case in what is
 * printed on a failure. Each suite adds its estimator's own checks. */
void sc_compare(const dyadfit_result *s, const dyadfit_result *m, const char *cat,
                const char *what);

/* Both paths fail on path (streamed in chunks of 100 rows): code, no
 * result, a message holding needle (when not NULL) and, when same_message,
 * the in-memory fit fails with the same code and message. */
void sc_both_fail(const char *path, const dyadfit_model *m, int code, int same_message,
                  const char *needle);

/* A CSV file dir/name: the header line, then row(f, i) for i = 0..n-1 (the
 * file must open: fatal assert). Returns its path (a static buffer). */
const char *sc_write_csv(const char *dir, const char *name, const char *header,
                         void (*row)(FILE *, int), int n);

/* The entries of dir whose name starts with prefix, each printed (dir must
 * open: fatal assert). */
size_t sc_count_left(const char *dir, const char *prefix);

/* A new directory /tmp/<name>-XXXXXX, written to dir (size bytes) and
 * made TMPDIR; 0, or -1 when it cannot be made. */
int sc_tmpdir(char *dir, size_t size, const char *name);

/* Runs the suite (tu_run), lists the LREs noted (tu_print_lre), removes dir;
 * returns tu_run's exit code. */
int sc_run(const char *suite, const tu_test *tests, const char *dir);

#endif
