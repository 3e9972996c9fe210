/*
 * prepare.h -- the prepare layer for binary time-series cross-section
 * (BTSCS) data: peace years / spells and duration spline bases.
 *
 * Peace years follow Richard Tucker's Stata ado btscs (v4.0.4, 1999), the
 * program Beck, Katz & Tucker (1998) published with their article. btscs
 * sorts by unit and time; a spell starts at a unit's first usable row and
 * at the first usable row after an event row; the count in a row is
 *
 *     peace = time - (time of the spell's first row)
 *
 * so it runs 0, 1, 2, ... through the spell, the event year itself carries
 * the count on (it is the last row of its spell: for an event in year t_e
 * after a previous event in t_p with no gap between, peace(t_e) =
 * t_e - t_p - 1), and the year after an event is 0 again. With no earlier
 * event the count starts at 0 in the unit's first observed year.
 *
 * Gaps (a year missing from a unit's series, or a row skipped because its
 * event/ongoing value is missing) are handled by df_gap_rule:
 *   DF_GAP_BTSCS    exactly btscs: a gap inside a spell does not break it
 *                   (the count keeps counting calendar years); a spell that
 *                   begins after an event starts at 0 at the next observed
 *                   row, however many years later that is.
 *   DF_GAP_CONTINUE calendar years since the last event: peace = time -
 *                   (last event year) - 1, or time - (first year) before any
 *                   event. Differs from btscs only when an event row is
 *                   followed by a gap.
 *   DF_GAP_RESTART  every gap starts a new spell at 0.
 *
 * Ongoing disputes (optional 0/1 variable, 1 = a dispute continuing from
 * the previous year): a row with ongoing = 1 counts as a dispute year, so
 * the count restarts after the last year of a dispute (btscs run on
 * "event or ongoing"). Rows with ongoing = 1 and event = 0 get drop = 1:
 * onset coding removes them from the estimation sample. Their own peace
 * years are still filled in.
 *
 * Missing values: a missing unit or time is an error naming the row (btscs
 * silently drops such rows; a panel without an index is almost always a
 * data error). A missing event or ongoing value makes the row unusable: its
 * outputs are NaN (drop 0) and the year counts as absent, i.e. as a gap.
 */
#ifndef DF_PREPARE_H
#define DF_PREPARE_H

#include <stddef.h>
#include "dyadfit.h"

typedef enum {
    DF_GAP_BTSCS = 0,     /* default */
    DF_GAP_CONTINUE = 1,
    DF_GAP_RESTART = 2
} df_gap_rule;

typedef enum {
    DF_FIRST_ZERO = 0,    /* default: count from 0 at the first observed year */
    DF_FIRST_MISSING = 1  /* left-censored: NaN until the unit's first event
                             (or ongoing year) has been seen */
} df_first_rule;

typedef struct {
    const char *unit;     /* numeric or string column */
    const char *time;     /* numeric column, integer values */
    const char *event;    /* numeric column, 0/1 (NaN: row unusable) */
    const char *ongoing;  /* numeric column 0/1, or NULL */
    df_gap_rule gap;
    df_first_rule first;
} df_spell_opts;

/* All arrays have n entries in the input row order and belong to the
 * result (free with df_spell_result_free). */
typedef struct {
    size_t n;
    double *peace;        /* peace years (NaN for unusable rows) */
    double *spell;        /* spell id 1..nspells, numbered in sorted
                             (unit, time) order; units sorted by value
                             (numeric) or byte-wise (string) */
    double *number;       /* the spell's number within its unit: 1 for the
                             unit's first, k + 1 after k spells (the event
                             number of Prentice-Williams-Peterson models:
                             1 + dispute years before it, under DF_GAP_RESTART
                             also gaps) */
    double *start;        /* counting process (start, stop]: start = peace */
    double *stop;         /*   stop = peace + 1 */
    double *event;        /*   the event indicator (NaN when unusable) */
    unsigned char *drop;  /* 1: ongoing dispute year without onset */
    size_t nspells;
    size_t nused;         /* rows with a count */
} df_spell_result;

void df_spell_opts_init(df_spell_opts *o);
/* Sorts internally by (unit, time), stable, O(n log n); the table is not
 * changed. Errors (DYADFIT_ERR_DATA unless noted): unknown variable or
 * wrong type (DYADFIT_ERR_SPEC), missing unit or time, non-integer time,
 * event/ongoing not 0/1, duplicate unit-time rows (both rows named,
 * 1-based). On error *out is left empty. */
int df_spells(const dyadfit_table *t, const df_spell_opts *o,
              df_spell_result *out, dyadfit_error *err);
void df_spell_result_free(df_spell_result *r);

/* ------------------------------------------------------------- splines */

/* Natural cubic spline basis exactly as R's splines::ns(x, knots = knots,
 * Boundary.knots = boundary, intercept = FALSE): B-spline basis on the
 * knots (boundary knots four times), the two second-derivative constraints
 * at the boundary removed through the Householder QR of LINPACK's dqrdc2
 * (as R's qr()), linear extrapolation outside the boundary. basis is
 * n x (nknots + 1), column-major. boundary NULL: range of the non-NaN x.
 * Interior knots may be unsorted (they are sorted, as R does) and must lie
 * within the boundary. NaN x gives a NaN row. */
int df_ns_basis(const double *x, size_t n, const double *knots,
                size_t nknots, const double boundary[2], double *basis,
                dyadfit_error *err);

/* The interior knots splines::ns(x, df = df) chooses: quantiles (R's type
 * 7) of the non-NaN x inside the boundary at probabilities 1/df, ...,
 * (df-1)/df (computed as R 4.2's seq.int does, k * (1/df), which moves a
 * knot in its last bits). knots must hold df - 1 values; boundary NULL:
 * range(x), and the boundary used is written to boundary_out (may be
 * NULL). df >= 1. Unlike R, a single distinct x value is an error rather
 * than boundary knots x * (7/8, 9/8). */
int df_ns_quantile_knots(const double *x, size_t n, int df,
                         const double boundary[2], double *knots,
                         double boundary_out[2], dyadfit_error *err);

/* The cubic spline variables _spline1.._splineK of btscs (Tucker; the
 * formula of Sasieni 1994, STB snp7), for knots k_j and range [k0, kN]:
 *   s_j(x) = -(kN - k_j)/(kN - k0) (x - k0)^3 + [x > k_j > k0] (x - k_j)^3
 *   s_j(x) = (kN - k_j)(k_j - k0)(kN + k_j + k0 - 3x)        for x > kN
 * The peace-years variable itself is entered next to them (BKT's model).
 * range NULL: [min x, max x] as btscs. btscs ignores knots outside the
 * range with a note; here they are an error. btscs stores floats; these
 * are doubles. basis is n x nknots, column-major; NaN x gives NaN. */
int df_btscs_spline(const double *x, size_t n, const double *knots,
                    size_t nknots, const double range[2], double *basis,
                    dyadfit_error *err);

/* btscs's nspline(#) knots: the order statistics X[int(j n / (nk+1) + .5)],
 * j = 1..nk, of the sorted non-NaN x (1-based; at least 3 values). */
int df_btscs_spline_knots(const double *x, size_t n, int nk, double *knots,
                          dyadfit_error *err);

#endif
