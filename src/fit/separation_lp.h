/*
 * separation_lp.h -- the linear-programming check for separation in a
 * binary-outcome design (Konis 2007; R package detectseparation), which
 * finds separation by any linear combination of the columns, not only by a
 * single column as df_separation_check (separation.c) does.
 */
#ifndef DF_SEPARATION_LP_H
#define DF_SEPARATION_LP_H

#include <stddef.h>
#include "dyadfit.h"
#include "../design/design.h"

/* detectseparation's default tolerance on |b_j| (detect_separation_control) */
#define DF_SEPARATION_LP_TOL 1e-4

typedef struct {
    int separated;      /* 1: some b != 0 with x_i'b >= 0 (y_i = 1) and
                           x_i'b <= 0 (y_i = 0) for every row */
    int complete;       /* with want_type: 1 complete (all inequalities can
                           be strict), 0 quasi-complete; -1 not computed */
    double margin;      /* with want_type: the largest minimum margin
                           min_i (2y_i - 1) x_i'b over |b_j| <= 1 (scaled
                           columns); > tol means complete separation */
    size_t ninfinite;   /* coefficients with an infinite estimate */
    size_t nrows;       /* rows in the LP (weight > 0) */
} df_separation_lp_info;

/* Konis' LP. With xbar_i = (2 y_i - 1) x_i over the rows with weight > 0
 * (or all rows without weights), maximise sum_i xbar_i'b subject to
 * xbar_i'b >= 0 and |b_j| <= 1. Data are separated when the solution has a
 * component |b_j| > tol; the components beyond tol are the coefficients
 * whose maximum-likelihood estimate is infinite, in the direction of their
 * sign. Columns are first divided by their largest absolute value (a
 * positive rescaling: the cone of separating directions and every sign are
 * unchanged) so that the box and the tolerance mean the same for every
 * column; detectseparation uses the raw columns, which can differ only when
 * the LP has several optimal vertices.
 *
 * direction (k, may be NULL): +1 (estimate +Inf), -1 (-Inf), 0 (finite).
 * beta (k, may be NULL): the LP solution on the original column scale.
 * want_type: also solve detectseparation's second LP (separation_type_ROI:
 * maximise t subject to xbar_i'b >= t, |b_j| <= 1, t >= 0) to tell complete
 * from quasi-complete separation. tol <= 0 means DF_SEPARATION_LP_TOL.
 * Returns 0, or an error code (the solver failed, out of memory, more rows
 * than the solver's int indices hold). */
int df_separation_lp_ex(const df_design *d, double tol, int want_type,
                        int *direction, double *beta,
                        df_separation_lp_info *info, dyadfit_error *err);

/* The same with the defaults and without the type: *separated = 0/1,
 * direction (k, may be NULL) as above. */
int df_separation_lp(const df_design *d, int *direction, int *separated,
                     dyadfit_error *err);

#endif
