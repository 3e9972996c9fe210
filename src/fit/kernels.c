/*
 * kernels.c -- the vector loops of the fused row-block passes (glm.c,
 * firth.c): dot products, eta updates and X'WX over a block of rows.
 *
 * Hot loops are written on 4-lane vectors (GCC vector extensions) and
 * compiled twice, for AVX2 and for the baseline x86-64 (two SSE2 halves);
 * callers pick one with df_kern_avx2() (__builtin_cpu_supports, not an
 * ifunc: those run during relocation, before sanitizer runtimes start, and
 * do not exist on every libc). Same additions in the same order either way
 * (no FMA contraction in C11 mode), so results do not depend on the CPU.
 * Other compilers get the plain loops.
 */
#include <string.h>
#include "kernels.h"

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GLM_V4 1
typedef double glm_v4 __attribute__((vector_size(32)));
#define GLM_INLINE static inline __attribute__((always_inline))
#else
#define GLM_INLINE static inline
#endif

/* sum_r x[r] y[r] with four partial sums (independent chains the compiler
 * can keep in vector registers; the order is fixed, so results are
 * reproducible) */
double df_dot4(const double *restrict x, const double *restrict y, size_t m)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t r = 0;
    for (; r + 4 <= m; r += 4) {
        s0 += x[r] * y[r];
        s1 += x[r + 1] * y[r + 1];
        s2 += x[r + 2] * y[r + 2];
        s3 += x[r + 3] * y[r + 3];
    }
    for (; r < m; r++) s0 += x[r] * y[r];
    return (s0 + s2) + (s1 + s3);
}

/* eta[r] += x0[r] b0 + x1[r] b1: two columns per sweep halve the traffic on
 * eta (the X columns are streamed once either way) */
GLM_INLINE void axpy2_impl(double *restrict eta, const double *restrict x0, double b0,
                  const double *restrict x1, double b1, size_t m)
{
    size_t r = 0;
#ifdef GLM_V4
    glm_v4 vb0 = {b0, b0, b0, b0}, vb1 = {b1, b1, b1, b1};
    for (; r + 4 <= m; r += 4) {
        glm_v4 e, v0, v1;
        memcpy(&e, eta + r, sizeof e);
        memcpy(&v0, x0 + r, sizeof v0);
        memcpy(&v1, x1 + r, sizeof v1);
        e += v0 * vb0 + v1 * vb1;
        memcpy(eta + r, &e, sizeof e);
    }
#endif
    for (; r < m; r++) eta[r] += x0[r] * b0 + x1[r] * b1;
}

void df_axpy1(double *restrict eta, const double *restrict x0, double b0,
                  size_t m)
{
    for (size_t r = 0; r < m; r++) eta[r] += x0[r] * b0;
}


/* info (k x k, lower triangle, column-major) += sum_r h[r] x_a[r] x_b[r]
 * over a block of m rows, b >= a, x_a the block's columns of X. h x_a is
 * formed on the fly (one multiply per four products, cheaper than storing
 * it). Vectors of 4 doubles with 4 output columns per sweep keep
 * the partial sums in registers; the order of the additions is fixed, so
 * the result does not depend on the clone chosen (AVX2 or SSE2 units just
 * process the same 4-lane vectors).
 * With vectors, sweeps take 8 output columns where 5 or more are left:
 * 8 independent sums hide the latency of the additions that bounds a
 * 4-column sweep (1.5x faster for k = 15). Each sum still adds the same
 * products in the same order, so the result is the same to the bit. */

#ifdef GLM_V4
/* One 8-column sweep: columns b..b+nb-1 (5 <= nb <= 8) of row a; the
 * sums are named one by one so that they stay in registers. */
GLM_INLINE void xwx_sweep8(const double *xa, const double *h, size_t m,
                           const double *const *x, size_t b, size_t nb,
                           double *out)
{
    size_t m4 = m & ~(size_t)3;
    const double *x0 = x[b], *x1 = x[b + 1], *x2 = x[b + 2], *x3 = x[b + 3],
                 *x4 = x[b + 4], *x5 = x[b + (nb > 5 ? 5 : 0)],
                 *x6 = x[b + (nb > 6 ? 6 : 0)], *x7 = x[b + (nb > 7 ? 7 : 0)];
    glm_v4 c0 = {0, 0, 0, 0}, c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
           c6 = c0, c7 = c0;
    for (size_t r = 0; r < m4; r += 4) {
        glm_v4 vz, vh, v;
        memcpy(&vz, xa + r, sizeof vz);
        memcpy(&vh, h + r, sizeof vh);
        vz *= vh;
        memcpy(&v, x0 + r, sizeof v); c0 += vz * v;
        memcpy(&v, x1 + r, sizeof v); c1 += vz * v;
        memcpy(&v, x2 + r, sizeof v); c2 += vz * v;
        memcpy(&v, x3 + r, sizeof v); c3 += vz * v;
        memcpy(&v, x4 + r, sizeof v); c4 += vz * v;
        memcpy(&v, x5 + r, sizeof v); c5 += vz * v;
        memcpy(&v, x6 + r, sizeof v); c6 += vz * v;
        memcpy(&v, x7 + r, sizeof v); c7 += vz * v;
    }
    double s[8][4];
    memcpy(s[0], &c0, sizeof c0);
    memcpy(s[1], &c1, sizeof c1);
    memcpy(s[2], &c2, sizeof c2);
    memcpy(s[3], &c3, sizeof c3);
    memcpy(s[4], &c4, sizeof c4);
    memcpy(s[5], &c5, sizeof c5);
    memcpy(s[6], &c6, sizeof c6);
    memcpy(s[7], &c7, sizeof c7);
    const double *xq[8] = {x0, x1, x2, x3, x4, x5, x6, x7};
    for (size_t r = m4; r < m; r++) {
        double za = xa[r] * h[r];
        for (size_t q = 0; q < 8; q++) s[q][0] += za * xq[q][r];
    }
    for (size_t q = 0; q < nb; q++)
        out[q] += (s[q][0] + s[q][2]) + (s[q][1] + s[q][3]);
}
#endif

GLM_INLINE void xwx_impl(const double *const *x, const double *h, size_t m,
                      size_t k, double *info)
{
    size_t m4 = m & ~(size_t)3;
    for (size_t a = 0; a < k; a++) {
        const double *xa = x[a];
        size_t b = a;
#ifdef GLM_V4
        for (; b + 5 <= k; b += 8) {
            size_t nb = k - b < 8 ? k - b : 8;
            xwx_sweep8(xa, h, m, x, b, nb, info + a * k + b);
        }
#endif
        for (; b < k; b += 4) {
            size_t nb = k - b < 4 ? k - b : 4;
            const double *x0 = x[b], *x1 = x[b + (nb > 1)],
                         *x2 = x[b + (nb > 2 ? 2 : 0)],
                         *x3 = x[b + (nb > 3 ? 3 : 0)];
            double s[4][4];
#ifdef GLM_V4
            glm_v4 c0 = {0, 0, 0, 0}, c1 = c0, c2 = c0, c3 = c0;
            for (size_t r = 0; r < m4; r += 4) {
                glm_v4 vz, vh, v0, v1, v2, v3;
                memcpy(&vz, xa + r, sizeof vz);
                memcpy(&vh, h + r, sizeof vh);
                vz *= vh;
                memcpy(&v0, x0 + r, sizeof v0);
                memcpy(&v1, x1 + r, sizeof v1);
                memcpy(&v2, x2 + r, sizeof v2);
                memcpy(&v3, x3 + r, sizeof v3);
                c0 += vz * v0;
                c1 += vz * v1;
                c2 += vz * v2;
                c3 += vz * v3;
            }
            memcpy(s[0], &c0, sizeof c0);
            memcpy(s[1], &c1, sizeof c1);
            memcpy(s[2], &c2, sizeof c2);
            memcpy(s[3], &c3, sizeof c3);
#else
            memset(s, 0, sizeof s);
            for (size_t r = 0; r < m4; r += 4)
                for (int l = 0; l < 4; l++) {
                    double za = xa[r + l] * h[r + l];
                    s[0][l] += za * x0[r + l];
                    s[1][l] += za * x1[r + l];
                    s[2][l] += za * x2[r + l];
                    s[3][l] += za * x3[r + l];
                }
#endif
            for (size_t r = m4; r < m; r++) {
                double za = xa[r] * h[r];
                s[0][0] += za * x0[r];
                s[1][0] += za * x1[r];
                s[2][0] += za * x2[r];
                s[3][0] += za * x3[r];
            }
            for (size_t q = 0; q < nb; q++)
                info[a * k + b + q] += (s[q][0] + s[q][2]) + (s[q][1] + s[q][3]);
        }
    }
}

/* the two compilations of the kernels (see GLM_V4 above) */
#ifdef GLM_V4
__attribute__((target("avx2")))
static void axpy2_avx2(double *restrict eta, const double *restrict x0, double b0,
                       const double *restrict x1, double b1, size_t m)
{
    axpy2_impl(eta, x0, b0, x1, b1, m);
}

__attribute__((target("avx2")))
static void xwx_avx2(const double *const *x, const double *h, size_t m,
                     size_t k, double *info)
{
    xwx_impl(x, h, m, k, info);
}
#endif

void df_axpy2(int avx2, double *restrict eta, const double *restrict x0,
                  double b0, const double *restrict x1, double b1, size_t m)
{
#ifdef GLM_V4
    if (avx2) {
        axpy2_avx2(eta, x0, b0, x1, b1, m);
        return;
    }
#endif
    (void)avx2;
    axpy2_impl(eta, x0, b0, x1, b1, m);
}

void df_xwx_block(int avx2, const double *const *x, const double *h,
                      size_t m, size_t k, double *info)
{
#ifdef GLM_V4
    if (avx2) {
        xwx_avx2(x, h, m, k, info);
        return;
    }
#endif
    (void)avx2;
    xwx_impl(x, h, m, k, info);
}


int df_kern_avx2(void)
{
#ifdef GLM_V4
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
#else
    return 0;
#endif
}
