/* alloc.c -- checked allocation: refuses sizes whose product overflows or
 * exceeds what any machine could hold, so a corrupt header cannot make us
 * ask for 2^63 bytes.
 *
 * Big arrays (table columns, the design matrix) are asked for transparent
 * huge pages: with THP in "madvise" mode, touching fresh memory 4 KiB at a
 * time cost ~20% of a 2M-row logit in page faults (whole process 3.9 s ->
 * 2.3 s of CPU). Such blocks come from aligned_alloc (2 MiB aligned, so
 * every page of them can be huge; calloc'd ones are advised in place) and
 * are released with free() like every other block. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <gsl/gsl_errno.h>
#include "util.h"

#define DF_ALLOC_MAX ((size_t)1 << 46) /* 64 TiB */
#define HUGE_PAGE ((size_t)1 << 21)    /* 2 MiB, x86-64 and arm64 */
#define HUGE_MIN ((size_t)4 << 20)     /* blocks from 4 MiB up */

static int too_big(size_t n, size_t size)
{
    return size != 0 && (n > DF_ALLOC_MAX / size);
}

/* Asks for huge pages on the whole 2 MiB pages inside [p, p + bytes);
 * a hint only: failure (no THP in this kernel) changes nothing. */
static void advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (b > a) (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* Only the whole 2 MiB pages of the bytes asked for are advised: advising
 * the rounded-up tail made its first touch fault in a whole huge page, up
 * to 2 MiB resident per block for a few bytes used (the Cox benchmark's
 * peak fell from 178 to 153 MB without it: 12 table columns of 4.4 MB
 * each, and the fit's arrays). The size
 * passed to aligned_alloc stays a multiple of the alignment (C11). */
static void *huge_alloc(size_t bytes)
{
    size_t rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = aligned_alloc(HUGE_PAGE, rounded);
    if (p) advise_huge(p, bytes);
    return p;
}

void *df_malloc(size_t n, size_t size)
{
    if (too_big(n, size)) return NULL;
    size_t bytes = n * size;
    if (bytes >= HUGE_MIN) return huge_alloc(bytes);
    return malloc(bytes ? bytes : 1);
}

void *df_calloc(size_t n, size_t size)
{
    if (too_big(n, size)) return NULL;
    /* calloc's fresh pages are untouched (zero on first touch), so only
     * the 2 MiB pages inside the block are advised; no memset */
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p && n * size >= HUGE_MIN) advise_huge(p, n * size);
    return p;
}

void *df_realloc(void *p, size_t n, size_t size)
{
    if (too_big(n, size)) return NULL;
    size_t bytes = n * size;
    if (bytes >= HUGE_MIN) {
        if (!p) return huge_alloc(bytes);
        void *q = realloc(p, bytes);
        if (q) advise_huge(q, bytes);
        return q;
    }
    return realloc(p, bytes ? bytes : 1);
}

/* ------------------------------------------------------- prefaulting
 *
 * First touches of fresh memory are the dearest part of filling a big array
 * (the kernel zeroes the page, and on a virtual machine the host may have to
 * back it first). A helper thread asks the kernel to back the blocks
 * (MADV_POPULATE_WRITE: pages become present and writable, their contents
 * untouched, so it can run while the caller writes) starting from their ends
 * while the caller fills them from the front; the two meet in the middle. */

#define PREFAULT_MAX 64

struct df_prefault {
    pthread_t tid;
    atomic_int stop;
    size_t n;
    unsigned char *p[PREFAULT_MAX];
    size_t bytes[PREFAULT_MAX];
};

static void *prefault_run(void *arg)
{
#ifdef MADV_POPULATE_WRITE
    df_prefault *pf = arg;
    size_t most = 0;
    for (size_t b = 0; b < pf->n; b++)
        if (pf->bytes[b] > most) most = pf->bytes[b];
    /* chunk c of every block (counted from its end), then chunk c + 1 */
    for (size_t c = 1; (c - 1) * HUGE_PAGE < most; c++)
        for (size_t b = 0; b < pf->n; b++) {
            if (atomic_load_explicit(&pf->stop, memory_order_relaxed)) return NULL;
            size_t len = pf->bytes[b];
            if ((c - 1) * HUGE_PAGE >= len) continue;
            size_t hi = len - (c - 1) * HUGE_PAGE;
            size_t lo = hi > HUGE_PAGE ? hi - HUGE_PAGE : 0;
            /* madvise wants a page-aligned start */
            uintptr_t a = (uintptr_t)(pf->p[b] + lo) & ~(uintptr_t)4095;
            uintptr_t e = (uintptr_t)(pf->p[b] + hi);
            if (madvise((void *)a, e - a, MADV_POPULATE_WRITE) != 0) return NULL;
        }
#else
    (void)arg;
#endif
    return NULL;
}

df_prefault *df_prefault_start(void *const *blocks, const size_t *bytes, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    size_t total = 0;
    for (size_t b = 0; b < n; b++) total += bytes[b];
    if (n == 0 || n > PREFAULT_MAX || total < HUGE_MIN || df_threads() < 2) return NULL;
    df_prefault *pf = calloc(1, sizeof *pf);
    if (!pf) return NULL;
    atomic_init(&pf->stop, 0);
    for (size_t b = 0; b < n; b++)
        if (blocks[b] && bytes[b]) {
            pf->p[pf->n] = blocks[b];
            pf->bytes[pf->n++] = bytes[b];
        }
    if (pthread_create(&pf->tid, NULL, prefault_run, pf) != 0) {
        free(pf);
        return NULL;
    }
    return pf;
#else
    (void)blocks;
    (void)bytes;
    (void)n;
    return NULL;
#endif
}

void df_prefault_end(df_prefault *pf)
{
    if (!pf) return;
    atomic_store(&pf->stop, 1);
    pthread_join(pf->tid, NULL);
    free(pf);
}

char *df_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = malloc(len);
    if (d) memcpy(d, s, len);
    return d;
}

void df_gsl_quiet(void)
{
    static int done = 0;
    if (!done) {
        gsl_set_error_handler_off();
        done = 1;
    }
}
