/* bench/membw.c -- single-thread streaming read bandwidth (the floor for a
 * fused Newton pass, which must read X once per iteration).
 *
 *   cc -O2 -march=native -o membw bench/membw.c && ./membw [MiB]
 *
 * Reads a 1 GiB (default) array of doubles 5 times with 8 independent
 * accumulators (so the adds do not serialise) and prints the best rate in
 * GB/s (1e9 bytes/s).  The sum is printed so the loop cannot be removed. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
    size_t n = mib * 1024 * 1024 / sizeof(double);
    double *a = malloc(n * sizeof *a);
    if (!a) { fprintf(stderr, "membw: cannot allocate %zu MiB\n", mib); return 1; }
    for (size_t i = 0; i < n; i++) a[i] = (double)(i & 1023);  /* touch every page */
    double best = 1e30, total = 0;
    for (int rep = 0; rep < 5; rep++) {
        double s[8] = {0};
        double t0 = now();
        for (size_t i = 0; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) s[j] += a[i + j];
        double t = now() - t0;
        if (t < best) best = t;
        for (int j = 0; j < 8; j++) total += s[j];
    }
    printf("%.2f\n", (double)(n * sizeof *a) / best / 1e9);
    fprintf(stderr, "membw: %zu MiB, best of 5: %.4f s (checksum %g)\n", mib, best, total);
    free(a);
    return 0;
}
