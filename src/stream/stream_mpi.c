/*
 * stream_mpi.c -- the few collective steps a streaming fit needs when it is
 * built with -DDYADFIT_MPI (`make mpi`): rank r of p reads and caches a
 * contiguous block of about n / p rows (chunks.c) and every pass's sums are
 * added over the ranks. Without DYADFIT_MPI (the ordinary build) there is one rank and
 * every function here is the identity.
 *
 * Sums are reduced to rank 0 and broadcast (MPI_Reduce + MPI_Bcast) rather
 * than MPI_Allreduce'd: the standard does not promise every rank the same
 * bits from an Allreduce, and the Newton driver must take the same steps on
 * every rank.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stream_mpi.h"
#include "../util/util.h"
#include "../util/lapack.h"
#ifdef DYADFIT_MPI
#include <mpi.h>
#endif

#ifdef DYADFIT_MPI
static int started;   /* MPI_Init was ours */

int df_smpi_init(void)
{
    int on = 0;
    MPI_Initialized(&on);
    if (on) return 0;
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS) return -1;
    started = 1;
    return 0;
}

void df_smpi_finalize(void)
{
    int done = 0;
    MPI_Finalized(&done);
    if (started && !done) MPI_Finalize();
    started = 0;
}

int df_smpi_rank(void)
{
    int on = 0, r = 0;
    MPI_Initialized(&on);
    if (on) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int df_smpi_size(void)
{
    int on = 0, s = 1;
    MPI_Initialized(&on);
    if (on) MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

int df_smpi_sum(double *v, size_t n)
{
    if (df_smpi_size() == 1 || n == 0) return 0;
    double *t = df_malloc(n, sizeof *t);
    if (!t) return -1;
    int ok = MPI_Reduce(v, t, (int)n, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD) == MPI_SUCCESS;
    if (ok && df_smpi_rank() == 0) memcpy(v, t, n * sizeof *v);
    free(t);
    ok = ok && MPI_Bcast(v, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD) == MPI_SUCCESS;
    return ok ? 0 : -1;
}

int df_smpi_max(double *v, size_t n)
{
    if (df_smpi_size() == 1 || n == 0) return 0;
    return MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD)
           == MPI_SUCCESS ? 0 : -1;
}

int df_smpi_sum_size(size_t *v, size_t n)
{
    if (df_smpi_size() == 1 || n == 0) return 0;
    uint64_t *t = df_malloc(n, sizeof *t);
    if (!t) return -1;
    for (size_t i = 0; i < n; i++) t[i] = v[i];
    int ok = MPI_Allreduce(MPI_IN_PLACE, t, (int)n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD)
             == MPI_SUCCESS;
    for (size_t i = 0; i < n; i++) v[i] = (size_t)t[i];
    free(t);
    return ok ? 0 : -1;
}

int df_smpi_prefix_size(size_t mine, size_t *before)
{
    uint64_t m = mine, b = 0;
    *before = 0;
    if (df_smpi_size() == 1) return 0;
    if (MPI_Exscan(&m, &b, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS) return -1;
    if (df_smpi_rank() == 0) b = 0;   /* Exscan leaves rank 0's undefined */
    *before = (size_t)b;
    return 0;
}

int df_smpi_agree(int rc, dyadfit_error *err)
{
    int size = df_smpi_size();
    if (size == 1) return rc;
    int me = rc ? df_smpi_rank() : size, first = size;
    MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size) return 0;
    dyadfit_error e;
    memset(&e, 0, sizeof e);
    if (err && df_smpi_rank() == first) e = *err;
    MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD);
    if (err) *err = e;
    return e.code ? e.code : DYADFIT_ERR_SYSTEM;
}

int df_smpi_first_with(int have)
{
    int size = df_smpi_size();
    if (size == 1) return have ? 0 : -1;
    int me = have ? df_smpi_rank() : size, first = size;
    MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return first == size ? -1 : first;
}

int df_smpi_bcast_bytes(void **p, size_t *n, int root)
{
    if (df_smpi_size() == 1) return 0;
    uint64_t len = *n;
    MPI_Bcast(&len, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
    if (df_smpi_rank() != root) {
        free(*p);
        if (!(*p = df_malloc(len ? len : 1, 1))) return -1;   /* ranks then disagree: fatal */
        *n = (size_t)len;
    }
    return MPI_Bcast(*p, (int)len, MPI_BYTE, root, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

/* [R_0; R_1; ...] -> R by QR: the triangular factor of all ranks' rows */
int df_smpi_combine_r(double *R, size_t k)
{
    int size = df_smpi_size();
    if (size == 1 || k == 0) return 0;
    size_t rows = (size_t)size * k;
    double *all = df_malloc(rows * k, sizeof *all), *A = df_malloc(rows * k, sizeof *A);
    double *tau = df_malloc(k, sizeof *tau), wq = 0, *work = NULL;
    int rc = -1, ik = (int)k, ir = (int)rows, info = 0, lw = -1;
    if (!all || !A || !tau) goto done;
    if (MPI_Allgather(R, (int)(k * k), MPI_DOUBLE, all, (int)(k * k), MPI_DOUBLE,
                      MPI_COMM_WORLD) != MPI_SUCCESS)
        goto done;
    /* rank q's R (column-major k x k) becomes rows q*k .. q*k+k-1 of A */
    for (int q = 0; q < size; q++)
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; i < k; i++)
                A[j * rows + (size_t)q * k + i] = all[(size_t)q * k * k + j * k + i];
    dgeqrf_(&ir, &ik, A, &ir, tau, &wq, &lw, &info);
    lw = (int)wq > ik ? (int)wq : ik;
    if (!(work = df_malloc((size_t)lw, sizeof *work))) goto done;
    dgeqrf_(&ir, &ik, A, &ir, tau, work, &lw, &info);
    if (info != 0) goto done;
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i < k; i++) R[j * k + i] = i <= j ? A[j * rows + i] : 0;
    rc = 0;
done:
    free(all);
    free(A);
    free(tau);
    free(work);
    /* every rank ran the same QR on the same gathered rows: same R */
    return rc;
}

/* The union of every rank's keys (fixed-size records of `width` bytes),
 * sorted bytewise: *out (caller frees), *nout. */
static int cmp_width;
static int cmp_rec(const void *a, const void *b) { return memcmp(a, b, (size_t)cmp_width); }

int df_smpi_union(const void *mine, size_t n, size_t width, void **out, size_t *nout)
{
    int size = df_smpi_size();
    int *counts = df_malloc((size_t)size, sizeof *counts), *displ = df_malloc((size_t)size, sizeof *displ);
    int c = (int)(n * width), rc = -1;
    char *all = NULL;
    if (!counts || !displ) goto done;
    MPI_Allgather(&c, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    size_t total = 0;
    for (int q = 0; q < size; q++) {
        displ[q] = (int)total;
        total += (size_t)counts[q];
    }
    if (!(all = df_malloc(total ? total : 1, 1))) goto done;
    MPI_Allgatherv(mine, c, MPI_BYTE, all, counts, displ, MPI_BYTE, MPI_COMM_WORLD);
    size_t nrec = total / width, u = 0;
    cmp_width = (int)width;
    qsort(all, nrec, width, cmp_rec);
    for (size_t i = 0; i < nrec; i++)
        if (u == 0 || memcmp(all + (u - 1) * width, all + i * width, width))
            memmove(all + u++ * width, all + i * width, width);
    *out = all;
    *nout = u;
    all = NULL;
    rc = 0;
done:
    free(counts);
    free(displ);
    free(all);
    return rc;
}

int df_smpi_gather_strided(double *rows, size_t nrows, size_t width)
{
    int size = df_smpi_size(), rank = df_smpi_rank(), rc = -1;
    if (size == 1) return 0;
    if (nrows > (size_t)INT_MAX / (width ? width : 1)) return -1;   /* on every rank */
    int *counts = df_malloc((size_t)size, sizeof *counts);
    int *displ = df_malloc((size_t)size, sizeof *displ);
    size_t mine_rows = nrows > (size_t)rank ? (nrows - (size_t)rank + (size_t)size - 1) / (size_t)size : 0;
    double *mine = df_malloc(mine_rows && width ? mine_rows * width : 1, sizeof *mine);
    double *all = df_malloc(nrows && width ? nrows * width : 1, sizeof *all);
    /* every rank learns of a failed allocation (no rank left waiting) */
    if (df_smpi_first_with(!counts || !displ || !mine || !all) >= 0) goto done;
    size_t off = 0;
    for (int q = 0; q < size; q++) {
        size_t nq = nrows > (size_t)q ? (nrows - (size_t)q + (size_t)size - 1) / (size_t)size : 0;
        counts[q] = (int)(nq * width);
        displ[q] = (int)off;
        off += nq * width;
    }
    size_t j = 0;
    for (size_t r = (size_t)rank; r < nrows; r += (size_t)size, j++)
        memcpy(mine + j * width, rows + r * width, width * sizeof *rows);
    if (MPI_Allgatherv(mine, counts[rank], MPI_DOUBLE, all, counts, displ, MPI_DOUBLE,
                       MPI_COMM_WORLD) != MPI_SUCCESS)
        goto done;
    for (int q = 0; q < size; q++) {
        j = 0;
        for (size_t r = (size_t)q; r < nrows; r += (size_t)size, j++)
            memcpy(rows + r * width, all + (size_t)displ[q] + j * width, width * sizeof *rows);
    }
    rc = 0;
done:
    free(counts);
    free(displ);
    free(mine);
    free(all);
    return rc;
}

/* in pieces of at most 2^30 doubles: MPI counts are ints */
#define SMPI_PIECE ((size_t)1 << 30)

int df_smpi_send(const double *v, size_t n, int to)
{
    for (size_t o = 0; o < n; o += SMPI_PIECE) {
        size_t m = n - o < SMPI_PIECE ? n - o : SMPI_PIECE;
        if (MPI_Send(v + o, (int)m, MPI_DOUBLE, to, 11, MPI_COMM_WORLD) != MPI_SUCCESS) return -1;
    }
    return 0;
}

int df_smpi_recv(double *v, size_t n, int from)
{
    for (size_t o = 0; o < n; o += SMPI_PIECE) {
        size_t m = n - o < SMPI_PIECE ? n - o : SMPI_PIECE;
        if (MPI_Recv(v + o, (int)m, MPI_DOUBLE, from, 11, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS)
            return -1;
    }
    return 0;
}

int df_smpi_bcast(double *v, size_t n, int root)
{
    if (df_smpi_size() == 1) return 0;
    for (size_t o = 0; o < n; o += SMPI_PIECE) {
        size_t m = n - o < SMPI_PIECE ? n - o : SMPI_PIECE;
        if (MPI_Bcast(v + o, (int)m, MPI_DOUBLE, root, MPI_COMM_WORLD) != MPI_SUCCESS) return -1;
    }
    return 0;
}

#else /* one process */

int df_smpi_init(void) { return 0; }
void df_smpi_finalize(void) {}
int df_smpi_rank(void) { return 0; }
int df_smpi_size(void) { return 1; }
int df_smpi_sum(double *v, size_t n) { (void)v; (void)n; return 0; }
int df_smpi_max(double *v, size_t n) { (void)v; (void)n; return 0; }
int df_smpi_sum_size(size_t *v, size_t n) { (void)v; (void)n; return 0; }
int df_smpi_prefix_size(size_t mine, size_t *before) { (void)mine; *before = 0; return 0; }
int df_smpi_agree(int rc, dyadfit_error *err) { (void)err; return rc; }
int df_smpi_first_with(int have) { return have ? 0 : -1; }
int df_smpi_bcast_bytes(void **p, size_t *n, int root) { (void)p; (void)n; (void)root; return 0; }
int df_smpi_combine_r(double *R, size_t k) { (void)R; (void)k; return 0; }
int df_smpi_union(const void *mine, size_t n, size_t width, void **out, size_t *nout)
{
    (void)mine; (void)n; (void)width; (void)out; (void)nout;
    return -1;   /* not used with one process */
}
int df_smpi_send(const double *v, size_t n, int to) { (void)v; (void)n; (void)to; return -1; }
int df_smpi_recv(double *v, size_t n, int from) { (void)v; (void)n; (void)from; return -1; }
int df_smpi_bcast(double *v, size_t n, int root) { (void)v; (void)n; (void)root; return 0; }
int df_smpi_gather_strided(double *rows, size_t nrows, size_t width)
{
    (void)rows; (void)nrows; (void)width;
    return 0;
}

#endif

/* bootstrap replications over the ranks (both builds) */
static int joined;

int df_smpi_boot_agree(int rc, dyadfit_error *err)
{
    joined = 1;
    return df_smpi_agree(rc, err);
}

int df_smpi_boot_joined(void) { return joined; }
