/*
 * util.h -- small helpers every layer shares: error reporting and checked
 * allocation. Internal symbols carry the df_ prefix and are hidden from the
 * shared library.
 */
#ifndef DF_UTIL_H
#define DF_UTIL_H

#include <stddef.h>
#include "dyadfit.h"

#if defined(__GNUC__)
#define DF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DF_PRINTF(a, b)
#endif

/* Sets err->code and formats err->message; returns code so that callers can
 * write `return df_error(err, DYADFIT_ERR_DATA, "...", ...);`. err may be NULL. */
int df_error(dyadfit_error *err, int code, const char *fmt, ...) DF_PRINTF(3, 4);

/* Allocation that refuses absurd sizes and overflowing products; they return
 * NULL on failure (callers report DYADFIT_ERR_SYSTEM). */
void *df_malloc(size_t n, size_t size);
void *df_calloc(size_t n, size_t size);
void *df_realloc(void *p, size_t n, size_t size);
char *df_strdup(const char *s);

/* Prefaulting: while the caller fills big fresh blocks from the front, a
 * helper thread has the kernel back them from the back (alloc.c). Start
 * returns NULL (nothing to do) for small blocks, one thread, more than 64
 * blocks or no thread; end stops and joins the helper and must come before
 * any of the blocks is freed or reallocated. A pure speed hint: contents
 * are never changed. */
typedef struct df_prefault df_prefault;
df_prefault *df_prefault_start(void *const *blocks, const size_t *bytes, size_t n);
void df_prefault_end(df_prefault *pf);

/* Levenshtein distance between two names, for "did you mean" suggestions;
 * (size_t)-1 when either is longer than 64 bytes. */
size_t df_edit_distance(const char *a, const char *b);

/* Switches GSL's abort-on-error handler off, once per process. */
void df_gsl_quiet(void);

/* Progress (progress.c): df_progress calls the callback set with
 * dyadfit_set_progress, if any (stages and arguments: see dyadfit.h);
 * df_progress_on tells whether one is set, so that a caller can skip
 * formatting a detail nobody reads. Both are cheap when none is set. */
void df_progress(const char *stage, double done, double total,
                 const char *detail);
int df_progress_on(void);
/* Rows between two reports of a reader. */
#define DF_PROGRESS_ROWS ((size_t)100000)

/* Interrupt (progress.c): non-zero when the callback set with
 * dyadfit_set_interrupt asks to stop; solvers poll it once per iteration
 * and then return DYADFIT_ERR_INTERRUPTED. One flag load when none is set. */
int df_interrupted(void);

/* Threads the library may use (>= 1): dyadfit_set_threads' n, or the
 * default (OMP_NUM_THREADS, else the cores online). */
int df_threads(void);

#endif
