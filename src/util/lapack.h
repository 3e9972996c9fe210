/*
 * lapack.h -- the few LAPACK routines we call, declared for the Fortran
 * interface that OpenBLAS exports (column-major, arguments by pointer).
 * BLAS comes through OpenBLAS's cblas.h.
 */
#ifndef DF_LAPACK_H
#define DF_LAPACK_H

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda,
             int *info);
void dpotri_(const char *uplo, const int *n, double *a, const int *lda,
             int *info);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a,
             const int *lda, double *b, const int *ldb, int *info);
void dsyevr_(const char *jobz, const char *range, const char *uplo,
             const int *n, double *a, const int *lda, const double *vl,
             const double *vu, const int *il, const int *iu,
             const double *abstol, int *m, double *w, double *z,
             const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau,
             double *work, const int *lwork, int *info);
void dgeqp3_(const int *m, const int *n, double *a, const int *lda, int *jpvt,
             double *tau, double *work, const int *lwork, int *info);

#endif
