/* progress.c -- the caller's progress and interrupt callbacks and the
 * thread count (dyadfit_set_progress, dyadfit_set_interrupt,
 * dyadfit_set_threads; see dyadfit.h).
 *
 * The callback and its context are one pair behind a mutex, so a caller
 * changing them while another thread reports never sees a torn pair; an
 * atomic flag lets df_progress_on() answer without the lock, which is all a
 * report costs when no callback is set. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include "util.h"

/* OpenBLAS's own controls (cblas.h of OpenBLAS declares them; declared here
 * so that no CBLAS header is needed). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;
static dyadfit_progress_fn progress_fn;
static void *progress_ctx;
static atomic_int progress_enabled;

void dyadfit_set_progress(dyadfit_progress_fn fn, void *ctx)
{
    pthread_mutex_lock(&progress_lock);
    progress_fn = fn;
    progress_ctx = fn ? ctx : NULL;
    atomic_store(&progress_enabled, fn != NULL);
    pthread_mutex_unlock(&progress_lock);
}

int df_progress_on(void)
{
    return atomic_load_explicit(&progress_enabled, memory_order_relaxed);
}

void df_progress(const char *stage, double done, double total,
                 const char *detail)
{
    if (!df_progress_on()) return;
    pthread_mutex_lock(&progress_lock);
    dyadfit_progress_fn fn = progress_fn;
    void *ctx = progress_ctx;
    pthread_mutex_unlock(&progress_lock);
    if (fn) fn(ctx, stage, done, total, detail ? detail : "");
}

/* --------------------------------------------------------- interrupt */

/* Same scheme as the progress callback: a pair behind a mutex, a flag for
 * the cheap "none set" answer. Once the callback has asked to stop, the
 * answer is latched (the callback is not asked again) until the next
 * dyadfit_set_interrupt, so every later solve of the same call stops too. */
static pthread_mutex_t interrupt_lock = PTHREAD_MUTEX_INITIALIZER;
static dyadfit_interrupt_fn interrupt_fn;
static void *interrupt_ctx;
static atomic_int interrupt_enabled;
static atomic_int interrupt_latched;

void dyadfit_set_interrupt(dyadfit_interrupt_fn fn, void *ctx)
{
    pthread_mutex_lock(&interrupt_lock);
    interrupt_fn = fn;
    interrupt_ctx = fn ? ctx : NULL;
    atomic_store(&interrupt_latched, 0);
    atomic_store(&interrupt_enabled, fn != NULL);
    pthread_mutex_unlock(&interrupt_lock);
}

int df_interrupted(void)
{
    if (!atomic_load_explicit(&interrupt_enabled, memory_order_relaxed))
        return 0;
    if (atomic_load(&interrupt_latched)) return 1;
    pthread_mutex_lock(&interrupt_lock);
    dyadfit_interrupt_fn fn = interrupt_fn;
    void *ctx = interrupt_ctx;
    pthread_mutex_unlock(&interrupt_lock);
    if (!fn || fn(ctx) == 0) return 0;
    atomic_store(&interrupt_latched, 1);
    return 1;
}

/* ----------------------------------------------------------- threads */

static atomic_int threads_set;      /* dyadfit_set_threads' n, 0: default */
static atomic_int threads_default;  /* 0: not yet computed */
static atomic_int blas_baseline;    /* OpenBLAS's own count before we set it */

/* OMP_NUM_THREADS (its first entry: "4,2" means 4 at the outer level) when
 * it is a positive number, else the cores online. */
static int default_threads(void)
{
    const char *s = getenv("OMP_NUM_THREADS");
    if (s && *s) {
        char *end;
        long n = strtol(s, &end, 10);
        if (end != s && (*end == 0 || *end == ',') && n >= 1)
            return n > DYADFIT_MAX_THREADS ? DYADFIT_MAX_THREADS : (int)n;
    }
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    if (c < 1) c = 1;
    return c > DYADFIT_MAX_THREADS ? DYADFIT_MAX_THREADS : (int)c;
}

void dyadfit_set_threads(int n)
{
    if (n < 0) n = 0;
    if (n > DYADFIT_MAX_THREADS) n = DYADFIT_MAX_THREADS;
    atomic_store(&threads_set, n);
    atomic_store(&threads_default, default_threads()); /* re-read the env */
    if (n > 0) {
        int zero = 0;
        atomic_compare_exchange_strong(&blas_baseline, &zero,
                                       openblas_get_num_threads());
        openblas_set_num_threads(n);
    } else {
        /* back to what OpenBLAS chose by itself at start-up */
        int b = atomic_exchange(&blas_baseline, 0);
        if (b > 0) openblas_set_num_threads(b);
    }
}

int df_threads(void)
{
    int n = atomic_load_explicit(&threads_set, memory_order_relaxed);
    if (n > 0) return n;
    n = atomic_load_explicit(&threads_default, memory_order_relaxed);
    if (n > 0) return n;
    n = default_threads();
    atomic_store(&threads_default, n);
    return n;
}

int dyadfit_get_threads(void) { return df_threads(); }
