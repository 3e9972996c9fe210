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
/* The sorted union of every rank's records of `width` bytes. */
int df_smpi_union(const void *mine, size_t n, size_t width, void **out, size_t *nout);

#endif
