/*
 * splines.c -- spline bases for duration terms: R's splines::ns and the
 * cubic splines of Tucker's Stata btscs.
 *
 * ns: inputs x (n values, NaN allowed), interior knots, boundary knots;
 * output the n x (nknots+1) basis R returns. To agree with R to the last
 * few bits the computation follows R step by step:
 *   1. the order-4 B-spline basis on Aknots = sorted(boundary x 4, knots),
 *      evaluated with the recurrences of R's splines.c (cursor = first knot
 *      > x; the right boundary belongs to the last interval); outside the
 *      boundary, the tangent line at the nearer boundary knot;
 *   2. the first column dropped (intercept = FALSE);
 *   3. the 2 x m matrix C of second derivatives at the two boundary knots
 *      (natural constraints), factored C' = QR by Householder reflections
 *      exactly as LINPACK's dqrdc2 (R's qr()), and each basis row b
 *      replaced by columns 3.. of Q'b (dqrsl's "qty"), which spans the
 *      splines with zero second derivative at both ends.
 * Precondition: boundary[0] < boundary[1], knots within the boundary.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "prepare.h"
#include "util/util.h"

enum { ORD = 4, ORDM1 = 3 };

/* Knot sequence and the cursor state of R's splines.c */
typedef struct {
    const double *kn;
    int nk;
    int curs;
    int boundary;
    double ldel[ORDM1], rdel[ORDM1];
} bspl;

/* curs: index of the first knot > x; x equal to the last "legit" knot (the
 * right boundary) is put in the last interval. Returns 0 when x is outside
 * [kn[ORD-1], kn[nk-ORD]]. */
static int set_cursor(bspl *s, double x)
{
    s->curs = -1;
    s->boundary = 0;
    for (int i = 0; i < s->nk; i++) {
        if (s->kn[i] >= x) s->curs = i;
        if (s->kn[i] > x) break;
    }
    if (s->curs > s->nk - ORD) {
        int last = s->nk - ORD;
        if (x == s->kn[last]) {
            s->boundary = 1;
            s->curs = last;
        }
    }
    return !(s->curs < ORD || s->curs > s->nk - ORD);
}

static void diff_table(bspl *s, double x, int ndiff)
{
    for (int i = 0; i < ndiff; i++) {
        s->rdel[i] = s->kn[s->curs + i] - x;
        s->ldel[i] = x - s->kn[s->curs - (i + 1)];
    }
}

/* The ORD non-zero B-splines at x (Cox-de Boor, the triangular scheme of
 * de Boor's BSPLVB); b[j] belongs to column curs - ORD + j. */
static void basis_funcs(bspl *s, double x, double *b)
{
    diff_table(s, x, ORDM1);
    b[0] = 1;
    for (int j = 1; j <= ORDM1; j++) {
        double saved = 0;
        for (int r = 0; r < j; r++) {
            double den = s->rdel[r] + s->ldel[j - 1 - r];
            if (den != 0) {
                double term = b[r] / den;
                b[r] = saved + s->rdel[r] * term;
                saved = s->ldel[j - 1 - r] * term;
            } else {
                /* coincident knots: the term vanishes */
                if (r != 0 || s->rdel[r] != 0) b[r] = saved;
                saved = 0;
            }
        }
        b[j] = saved;
    }
}

/* Derivative of order nder at x of the spline with local coefficients a
 * (ORD values, overwritten): differencing the coefficients nder times, then
 * de Boor's algorithm on the lower-order spline. */
static double evaluate(bspl *s, double x, int nder, double *a)
{
    const double *ti = s->kn + s->curs;
    int outer = ORDM1;
    if (s->boundary && nder == ORDM1) return 0;
    while (nder--) {
        for (int k = 0; k < outer; k++)
            a[k] = outer * (a[k + 1] - a[k]) / (ti[k] - ti[k - outer]);
        outer--;
    }
    diff_table(s, x, outer);
    while (outer--)
        for (int k = 0; k <= outer; k++)
            a[k] = (a[k + 1] * s->ldel[outer - k] + a[k] * s->rdel[k]) /
                   (s->rdel[k] + s->ldel[outer - k]);
    return a[0];
}

/* Row of splineDesign(kn, x, 4, derivs = nder) into row[0..nk-ORD-1]. */
static void design_row(bspl *s, double x, int nder, double *row)
{
    int ncoef = s->nk - ORD;
    double v[ORD];
    memset(row, 0, (size_t)ncoef * sizeof *row);
    if (!set_cursor(s, x)) {
        for (int j = 0; j < ncoef; j++) row[j] = NAN;
        return;
    }
    if (nder == 0) {
        basis_funcs(s, x, v);
    } else {
        for (int ii = 0; ii < ORD; ii++) {
            double a[ORD] = {0, 0, 0, 0};
            a[ii] = 1;
            v[ii] = evaluate(s, x, nder, a);
        }
    }
    for (int j = 0; j < ORD; j++) row[s->curs - ORD + j] = v[j];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Householder QR of the m x 2 matrix q (column-major, overwritten) as
 * dqrdc2 leaves it: qraux[l] and the scaled vector below the diagonal.
 * Returns 0 when dqrdc2 would find the constraint rank deficient (it would
 * pivot the column away), which only degenerate knot sets do. */
static int householder2(double *q, int m, double qraux[2])
{
    double norm0[2];
    for (int j = 0; j < 2; j++) {
        double ss = 0;
        for (int i = 0; i < m; i++) ss += q[j * m + i] * q[j * m + i];
        qraux[j] = norm0[j] = sqrt(ss);
        if (norm0[j] == 0) norm0[j] = 1;
    }
    for (int l = 0; l < 2; l++) {
        double *xl = q + l * m, nrmxl = 0;
        /* dqrdc2's test on the (downdated) column norm, tol = 1e-7 */
        if (qraux[l] < norm0[l] * 1e-7) return 0;
        for (int i = l; i < m; i++) nrmxl += xl[i] * xl[i];
        nrmxl = sqrt(nrmxl);
        if (nrmxl == 0) continue;
        if (xl[l] != 0) nrmxl = copysign(nrmxl, xl[l]);
        double sc = 1 / nrmxl;
        for (int i = l; i < m; i++) xl[i] *= sc;
        xl[l] += 1;
        if (l == 0) {
            double *xj = q + m, t = 0;
            for (int i = 0; i < m; i++) t += xl[i] * xj[i];
            t = -t / xl[0];
            for (int i = 0; i < m; i++) xj[i] += t * xl[i];
            if (qraux[1] != 0) {
                /* norm downdate; recomputed when cancellation is severe */
                double tt = 1 - (fabs(xj[0]) / qraux[1]) * (fabs(xj[0]) / qraux[1]);
                if (tt < 0) tt = 0;
                if (fabs(tt) < 1e-6) {
                    double ss = 0;
                    for (int i = 1; i < m; i++) ss += xj[i] * xj[i];
                    qraux[1] = sqrt(ss);
                } else {
                    qraux[1] *= sqrt(tt);
                }
            }
        }
        qraux[l] = xl[l];
        xl[l] = -nrmxl;
    }
    return 1;
}

/* y <- Q'y with the reflections of householder2 (dqrsl, job "qty"). */
static void apply_qty(const double *q, int m, const double qraux[2], double *y)
{
    for (int j = 0; j < 2 && j < m - 1; j++) {
        const double *v = q + j * m;
        double t = 0;
        if (qraux[j] == 0) continue;
        t = qraux[j] * y[j];
        for (int i = j + 1; i < m; i++) t += v[i] * y[i];
        t = -t / qraux[j];
        y[j] += t * qraux[j];
        for (int i = j + 1; i < m; i++) y[i] += t * v[i];
    }
}

static int data_range(const double *x, size_t n, double r[2], dyadfit_error *err)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) continue;
        if (!any || x[i] < r[0]) r[0] = x[i];
        if (!any || x[i] > r[1]) r[1] = x[i];
        any = 1;
    }
    if (!any) return df_error(err, DYADFIT_ERR_DATA, "spline: no non-missing values");
    return DYADFIT_OK;
}

static int check_boundary(const double b[2], dyadfit_error *err)
{
    if (!isfinite(b[0]) || !isfinite(b[1]) || !(b[0] < b[1]))
        return df_error(err, DYADFIT_ERR_SPEC,
                        "spline: boundary knots (%.15g, %.15g) must be finite and increasing",
                        b[0], b[1]);
    return DYADFIT_OK;
}

int df_ns_basis(const double *x, size_t n, const double *knots,
                size_t nknots, const double boundary[2], double *basis,
                dyadfit_error *err)
{
    double bk[2], qraux[2], *kn = NULL, *cq = NULL, *row = NULL, *row1 = NULL;
    bspl s;
    int rc = DYADFIT_OK, nk, ncoef, m;
    if (nknots > 10000)
        return df_error(err, DYADFIT_ERR_SPEC, "spline: %zu knots is too many", nknots);
    if (boundary) {
        bk[0] = boundary[0] < boundary[1] ? boundary[0] : boundary[1];
        bk[1] = boundary[0] < boundary[1] ? boundary[1] : boundary[0];
    } else if ((rc = data_range(x, n, bk, err)) != DYADFIT_OK) {
        return rc;
    }
    if ((rc = check_boundary(bk, err)) != DYADFIT_OK) return rc;
    for (size_t k = 0; k < nknots; k++)
        if (!(knots[k] >= bk[0] && knots[k] <= bk[1]))
            return df_error(err, DYADFIT_ERR_SPEC,
                            "spline: knot %zu (%.15g) is outside the boundary [%.15g, %.15g]",
                            k + 1, knots[k], bk[0], bk[1]);
    nk = (int)nknots + 2 * ORD;
    ncoef = nk - ORD;
    m = ncoef - 1;  /* columns after dropping the intercept column */
    kn = df_malloc((size_t)nk, sizeof *kn);
    cq = df_malloc(2 * (size_t)m, sizeof *cq);
    row = df_malloc((size_t)ncoef, sizeof *row);
    row1 = df_malloc((size_t)ncoef, sizeof *row1);
    if (!kn || !cq || !row || !row1) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (int i = 0; i < ORD; i++) {
        kn[i] = bk[0];
        kn[nk - 1 - i] = bk[1];
    }
    memcpy(kn + ORD, knots, nknots * sizeof *kn);
    qsort(kn + ORD, nknots, sizeof *kn, cmp_double);
    s.kn = kn;
    s.nk = nk;

    /* constraint matrix t(const[, -1]): m x 2, column j = boundary knot j */
    for (int j = 0; j < 2; j++) {
        design_row(&s, bk[j], 2, row);
        memcpy(cq + (size_t)j * (size_t)m, row + 1, (size_t)m * sizeof *row);
    }
    if (!householder2(cq, m, qraux)) {
        rc = df_error(err, DYADFIT_ERR_SPEC,
                      "spline: the natural-spline constraints are singular for these knots");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        double xi = x[i];
        if (isnan(xi)) {
            for (int j = 0; j < m - 2; j++) basis[(size_t)j * n + i] = NAN;
            continue;
        }
        if (xi < bk[0] || xi > bk[1]) {
            /* linear extrapolation: value + slope at the nearer boundary */
            double piv = xi < bk[0] ? bk[0] : bk[1], d = xi - piv;
            design_row(&s, piv, 0, row);
            design_row(&s, piv, 1, row1);
            for (int j = 0; j < ncoef; j++) row[j] = row[j] + d * row1[j];
        } else {
            design_row(&s, xi, 0, row);
        }
        apply_qty(cq, m, qraux, row + 1);
        for (int j = 0; j < m - 2; j++) basis[(size_t)j * n + i] = row[3 + j];
    }
cleanup:
    free(kn);
    free(cq);
    free(row);
    free(row1);
    return rc;
}

int df_ns_quantile_knots(const double *x, size_t n, int df,
                         const double boundary[2], double *knots,
                         double boundary_out[2], dyadfit_error *err)
{
    double bk[2], *v = NULL;
    size_t nv = 0;
    int rc = DYADFIT_OK, nik = df - 1;
    if (df < 1)
        return df_error(err, DYADFIT_ERR_SPEC, "spline: df = %d; it must be at least 1", df);
    if (boundary) {
        bk[0] = boundary[0] < boundary[1] ? boundary[0] : boundary[1];
        bk[1] = boundary[0] < boundary[1] ? boundary[1] : boundary[0];
    } else if ((rc = data_range(x, n, bk, err)) != DYADFIT_OK) {
        return rc;
    }
    if ((rc = check_boundary(bk, err)) != DYADFIT_OK) return rc;
    if (boundary_out) {
        boundary_out[0] = bk[0];
        boundary_out[1] = bk[1];
    }
    if (nik == 0) return DYADFIT_OK;
    if (!(v = df_malloc(n ? n : 1, sizeof *v)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && x[i] >= bk[0] && x[i] <= bk[1]) v[nv++] = x[i];
    if (nv == 0) {
        rc = df_error(err, DYADFIT_ERR_DATA, "spline: no values inside the boundary for quantile knots");
        goto cleanup;
    }
    qsort(v, nv, sizeof *v, cmp_double);
    double by = 1.0 / (double)df;
    for (int k = 1; k <= nik; k++) {
        /* probabilities as R 4.2's seq.int(0, 1, length.out = df + 1)
         * builds them (from + i * by; the last bits matter: they move the
         * knot), then quantile type 7 as R computes it */
        double p = (double)k * by;
        double index = 1 + (double)(nv - 1) * p;
        double lo = floor(index), hi = ceil(index);
        double q = v[(size_t)lo - 1];
        if (index > lo && v[(size_t)hi - 1] != q) {
            double h = index - lo;
            q = (1 - h) * q + h * v[(size_t)hi - 1];
        }
        knots[k - 1] = q;
    }
cleanup:
    free(v);
    return rc;
}

int df_btscs_spline(const double *x, size_t n, const double *knots,
                    size_t nknots, const double range[2], double *basis,
                    dyadfit_error *err)
{
    double r[2];
    int rc;
    if (range) {
        r[0] = range[0];
        r[1] = range[1];
    } else if ((rc = data_range(x, n, r, err)) != DYADFIT_OK) {
        return rc;
    }
    if ((rc = check_boundary(r, err)) != DYADFIT_OK) return rc;
    for (size_t k = 0; k < nknots; k++)
        if (!(knots[k] >= r[0] && knots[k] <= r[1]))
            return df_error(err, DYADFIT_ERR_SPEC,
                            "spline: knot %zu (%.15g) is outside the range [%.15g, %.15g]",
                            k + 1, knots[k], r[0], r[1]);
    double k0 = r[0], kN = r[1];
    for (size_t k = 0; k < nknots; k++) {
        double kj = knots[k], *col = basis + k * n;
        for (size_t i = 0; i < n; i++) {
            double xi = x[i], d0 = xi - k0, v;
            if (isnan(xi)) {
                col[i] = NAN;
                continue;
            }
            /* cubic through k0 whose cubic term cancels beyond kN, where
             * the function continues linearly (btscs's three replaces) */
            v = -((kN - kj) / (kN - k0)) * (d0 * d0 * d0);
            if (xi > kj && kj > k0) {
                double dj = xi - kj;
                v += dj * dj * dj;
            }
            if (xi > kN) v = (kN - kj) * (kj - k0) * (kN + kj + k0 - 3 * xi);
            col[i] = v;
        }
    }
    return DYADFIT_OK;
}

int df_btscs_spline_knots(const double *x, size_t n, int nk, double *knots,
                          dyadfit_error *err)
{
    double *v = NULL;
    size_t cnt = 0;
    int rc = DYADFIT_OK;
    if (nk < 1)
        return df_error(err, DYADFIT_ERR_SPEC, "spline: %d knots; at least 1 is needed", nk);
    if (!(v = df_malloc(n ? n : 1, sizeof *v)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) v[cnt++] = x[i];
    if (cnt < 3) {
        rc = df_error(err, DYADFIT_ERR_DATA,
                      "spline: %zu non-missing values; btscs needs at least 3", cnt);
        goto cleanup;
    }
    qsort(v, cnt, sizeof *v, cmp_double);
    for (int j = 1; j <= nk; j++) {
        /* Stata: X[int(j*cnt/(nk+1) + .5)], 1-based */
        double pos = floor((double)j * (double)cnt / (double)(nk + 1) + .5);
        if (pos < 1 || pos > (double)cnt) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "spline: %d knots are too many for %zu values (knot %d has no observation)",
                          nk, cnt, j);
            goto cleanup;
        }
        knots[j - 1] = v[(size_t)pos - 1];
    }
cleanup:
    free(v);
    return rc;
}
