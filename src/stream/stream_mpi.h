/*
 * stream_mpi.h -- collective steps of a distributed streaming fit
 * (stream_mpi.c). Built with -DDYADFIT_MPI (`make mpi`) they go through
 * MPI_COMM_WORLD; otherwise there is one rank and each is the identity.
 * Every rank must call each collective in the same order.
 */
#ifndef DF_STREAM_MPI_H
#define DF_STREAM_MPI_H

#include <stddef.h>
#include "dyadfit.h"

int df_smpi_init(void);            /* MPI_Init unless already done */
void df_smpi_finalize(void);       /* MPI_Finalize if df_smpi_init began it */
int df_smpi_rank(void);
int df_smpi_size(void);

/* v (n) <- the sum over ranks, the same bits on every rank */
int df_smpi_sum(double *v, size_t n);
int df_smpi_max(double *v, size_t n);
int df_smpi_sum_size(size_t *v, size_t n);
/* *before <- the sum of `mine` over the ranks below this one */
int df_smpi_prefix_size(size_t mine, size_t *before);
/* The first failing rank's code and message on every rank (0: none). */
int df_smpi_agree(int rc, dyadfit_error *err);
/* The lowest rank where have != 0, or -1. */
int df_smpi_first_with(int have);
/* *p (malloc'ed, *n bytes) from root to every rank. */
int df_smpi_bcast_bytes(void **p, size_t *n, int root);
/* R (k x k upper triangular) <- the triangular factor of all ranks' R. */
int df_smpi_combine_r(double *R, size_t k);
/* Point to point (the Cox sweep's pipeline; one process: never called,
 * -1) and a broadcast from root (one process: nothing to do). */
int df_smpi_send(const double *v, size_t n, int to);
int df_smpi_recv(double *v, size_t n, int from);
int df_smpi_bcast(double *v, size_t n, int root);
/* The sorted union of every rank's records of `width` bytes. */
int df_smpi_union(const void *mine, size_t n, size_t width, void **out, size_t *nout);

/* fit --vce bootstrap in memory under mpirun: every rank reads the whole
 * file and fits it, and the bootstrap replications are shared between the
 * ranks (rank q runs q, q + size, ...): the command line hands these two to
 * the bootstrap (df_boot_set_dist, src/vce/bootstrap.h).
 * df_smpi_boot_agree is df_smpi_agree; df_smpi_boot_joined() tells whether
 * this process has called it (a process that failed before its bootstrap
 * must then agree once itself, to match the others). */
int df_smpi_boot_agree(int rc, dyadfit_error *err);
int df_smpi_boot_joined(void);
/* rows (nrows x width doubles, row-major): on entry this rank's rows r
 * (r % size == rank) are filled, on return every rank holds all of them
 * (MPI_Allgatherv, then put back in replication order). 0 or -1. */
int df_smpi_gather_strided(double *rows, size_t nrows, size_t width);

#endif
