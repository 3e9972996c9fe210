/* kernels.h -- vector loops shared by the fused row-block passes (kernels.c) */
#ifndef DYADFIT_KERNELS_H
#define DYADFIT_KERNELS_H
#include <stddef.h>

/* 1 when the AVX2 compilation of the kernels may run on this CPU */
int df_kern_avx2(void);
/* sum_r x[r] y[r] in a fixed order (four partial sums) */
double df_dot4(const double *restrict x, const double *restrict y, size_t m);
/* eta[r] += x0[r] b0 */
void df_axpy1(double *restrict eta, const double *restrict x0, double b0, size_t m);
/* eta[r] += x0[r] b0 + x1[r] b1 */
void df_axpy2(int avx2, double *restrict eta, const double *restrict x0, double b0,
              const double *restrict x1, double b1, size_t m);
/* info[a k + b] += sum_r h[r] x[a][r] x[b][r] for b >= a (the lower
 * triangle of a column-major k x k matrix), over m rows */
void df_xwx_block(int avx2, const double *const *x, const double *h, size_t m,
                  size_t k, double *info);
#endif
