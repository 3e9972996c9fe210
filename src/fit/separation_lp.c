/*
 * separation_lp.c -- does any direction b != 0 separate the outcome?
 *
 * Input:  df_design (X n x k column-major, y 0/1, w: rows with weight not
 *         > 0 are left out, as detectseparation does).
 * Output: per column +1/-1/0 (estimate +Inf / -Inf / finite), whether the
 *         data are separated, optionally complete vs quasi-complete.
 * Method: Konis (2007, DPhil thesis, ch. 4), as implemented by R's
 *         detectseparation (separator_ROI, separation_type_ROI), solved with
 *         GLPK's simplex.
 *
 * Why an LP: the logit/probit/cloglog MLE exists iff no b != 0 satisfies
 * xbar_i'b >= 0 for every row, xbar_i = (2y_i - 1) x_i (Albert & Anderson
 * 1984). Those b form a polyhedral cone; the box |b_j| <= 1 makes it a
 * bounded polytope, and maximising sum_i xbar_i'b (>= 0 on the cone, and 0
 * only at b = 0 when X has full column rank) finds a non-zero member
 * whenever one exists. Its non-zero components are the coefficients that
 * diverge along the likelihood's ascent to its supremum.
 *
 * Numerics: columns are divided by max_i |x_ij| first, so that the bound
 * |b_j| <= 1 and the zero tolerance act alike on a dummy and on a variable
 * measured in millions; GLPK also equilibrates rows and columns itself
 * (glp_scale_prob). The solution is a vertex, so a finite coefficient comes
 * back as 0 up to rounding (~1e-12), far below the 1e-4 tolerance.
 *
 * GLPK calls abort() on an internal error (out of memory, a bad argument);
 * an error hook longjmps back here instead, frees GLPK's environment and
 * returns an error, so the library never aborts the caller's process.
 */
#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "separation_lp.h"
#include "../util/util.h"

static _Thread_local jmp_buf glpk_jump;

static void glpk_hook(void *info)
{
    (void)info;
    longjmp(glpk_jump, 1);
}

/* Builds the LP over rows `use` of the scaled, sign-adjusted design.
 * Column j of the LP is b_j (bounds -1, 1); with margin_col an extra column
 * t (bounds 0, +inf... capped by the box) enters every row with -1 and is
 * the only objective term. Returns NULL on allocation failure. */
static glp_prob *build_lp(const df_design *d, const double *scale,
                          const unsigned char *sign, const size_t *rowidx,
                          size_t m, int margin_col, int *ind, double *val)
{
    size_t n = d->n, k = d->k;
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MAX);
    glp_add_rows(lp, (int)m);
    for (size_t r = 0; r < m; r++) glp_set_row_bnds(lp, (int)r + 1, GLP_LO, 0, 0);
    glp_add_cols(lp, (int)k + (margin_col ? 1 : 0));
    for (size_t j = 0; j < k; j++) {
        const double *x = d->X + j * n;
        double s = 1 / scale[j], obj = 0;
        int cnt = 0;
        for (size_t r = 0; r < m; r++) {
            size_t i = rowidx[r];
            double v = x[i] * s;
            if (!sign[i]) v = -v;
            obj += v;
            if (v != 0) {
                cnt++;
                ind[cnt] = (int)r + 1;
                val[cnt] = v;
            }
        }
        glp_set_col_bnds(lp, (int)j + 1, GLP_DB, -1, 1);
        glp_set_obj_coef(lp, (int)j + 1, margin_col ? 0 : obj);
        glp_set_mat_col(lp, (int)j + 1, cnt, ind, val);
    }
    if (margin_col) {
        int t = (int)k + 1;
        for (size_t r = 0; r < m; r++) {
            ind[r + 1] = (int)r + 1;
            val[r + 1] = -1;
        }
        glp_set_col_bnds(lp, t, GLP_LO, 0, 0);
        glp_set_obj_coef(lp, t, 1);
        glp_set_mat_col(lp, t, (int)m, ind, val);
    }
    return lp;
}

/* Scales, solves; 0 and the primal solution in sol (k [+1]) on success. */
static int solve_lp(glp_prob *lp, size_t ncol, double *sol, dyadfit_error *err)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    glp_scale_prob(lp, GLP_SF_AUTO);
    /* a crash basis (Bixby) rather than all-slack: fewer phase-1 steps */
    glp_adv_basis(lp, 0);
    int rc = glp_simplex(lp, &parm);
    if (rc != 0 || glp_get_status(lp) != GLP_OPT) {
        /* a retry from the standard basis with the dual simplex */
        glp_std_basis(lp);
        parm.meth = GLP_DUALP;
        rc = glp_simplex(lp, &parm);
    }
    if (rc != 0 || glp_get_status(lp) != GLP_OPT)
        return df_error(err, DYADFIT_ERR_ESTIM,
                        "separation check: the linear program was not solved "
                        "(GLPK return code %d, status %d)", rc, glp_get_status(lp));
    for (size_t j = 0; j < ncol; j++) sol[j] = glp_get_col_prim(lp, (int)j + 1);
    return DYADFIT_OK;
}

/* What one LP needs; filled before any GLPK call. */
typedef struct {
    const df_design *d;
    const double *scale;
    const unsigned char *sign;
    const size_t *rowidx;
    size_t m;
    int *ind;
    double *val;
    double *sol;              /* k + 1 */
} lp_work;

/* Builds and solves one LP (margin_col: the complete-separation LP) into
 * w->sol, with GLPK's errors caught. Only volatile locals live across the
 * setjmp; everything else is reached through w, which does not change. */
static int solve_guarded(const lp_work *volatile w, volatile int margin_col,
                         dyadfit_error *volatile err)
{
    glp_prob *volatile lp = NULL;
    volatile int term_was = GLP_ON;
    int rc;

    if (setjmp(glpk_jump)) {
        /* GLPK failed inside: everything it allocated goes with its env */
        glp_error_hook(NULL, NULL);
        glp_free_env();
        glp_term_out(term_was);
        return df_error(err, DYADFIT_ERR_SYSTEM,
                        "separation check: the LP solver (GLPK) failed (out of memory?)");
    }
    glp_error_hook(glpk_hook, NULL);
    /* glp_scale_prob and glp_adv_basis print whatever msg_lev says: the
     * library never prints, so terminal output is off while we run (the
     * caller's setting comes back after) */
    term_was = glp_term_out(GLP_OFF);
    lp = build_lp(w->d, w->scale, w->sign, w->rowidx, w->m, margin_col,
                  w->ind, w->val);
    rc = solve_lp(lp, w->d->k + (margin_col ? 1 : 0), w->sol, err);
    glp_delete_prob(lp);
    glp_error_hook(NULL, NULL);
    glp_term_out(term_was);
    return rc;
}

int df_separation_lp_ex(const df_design *d, double tol, int want_type,
                        int *direction, double *beta,
                        df_separation_lp_info *info, dyadfit_error *err)
{
    size_t n = d->n, k = d->k, m = 0;
    double *scale = NULL, *sol = NULL, *val = NULL;
    size_t *rowidx = NULL;
    unsigned char *sign = NULL;
    int *ind = NULL;
    int rc = DYADFIT_OK;
    df_separation_lp_info inf;

    memset(&inf, 0, sizeof inf);
    inf.complete = -1;
    if (!(tol > 0)) tol = DF_SEPARATION_LP_TOL;
    if (direction) memset(direction, 0, k * sizeof *direction);
    if (beta) memset(beta, 0, k * sizeof *beta);
    if (k == 0) goto cleanup;

    scale = df_malloc(k, sizeof *scale);
    sol = df_malloc(k + 1, sizeof *sol);
    rowidx = df_malloc(n ? n : 1, sizeof *rowidx);
    sign = df_malloc(n ? n : 1, 1);
    if (!scale || !sol || !rowidx || !sign) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        if (d->w && !(d->w[i] > 0)) continue;
        double y = d->y[i];
        if (y != 0 && y != 1) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "separation check: the outcome is %g in row %zu; it "
                          "must be 0 or 1", y, (d->rows ? d->rows[i] : i) + 1);
            goto cleanup;
        }
        sign[i] = y == 1;
        rowidx[m++] = i;
    }
    inf.nrows = m;
    if (m == 0) goto cleanup;  /* nothing to separate */
    if (m >= (size_t)INT_MAX) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM,
                      "separation check: %zu rows are more than the LP solver "
                      "(GLPK, int indices) can take", m);
        goto cleanup;
    }
    for (size_t j = 0; j < k; j++) {
        const double *x = d->X + j * n;
        double s = 0;
        int finite = 1;
        for (size_t r = 0; r < m; r++) {
            double a = fabs(x[rowidx[r]]);
            if (!isfinite(a)) finite = 0;
            else if (a > s) s = a;
        }
        if (!finite) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "separation check: column %s has a non-finite value",
                          d->terms && d->terms[j] ? d->terms[j] : "?");
            goto cleanup;
        }
        scale[j] = s > 0 ? s : 1;
    }
    ind = df_malloc(m + 1, sizeof *ind);
    val = df_malloc(m + 1, sizeof *val);
    if (!ind || !val) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }

    lp_work w = {d, scale, sign, rowidx, m, ind, val, sol};
    if ((rc = solve_guarded(&w, 0, err))) goto cleanup;
    for (size_t j = 0; j < k; j++) {
        int dir = sol[j] > tol ? 1 : sol[j] < -tol ? -1 : 0;
        if (direction) direction[j] = dir;
        if (beta) beta[j] = sol[j] / scale[j];
        if (dir) inf.ninfinite++;
    }
    inf.separated = inf.ninfinite > 0;

    if (want_type) {
        inf.complete = 0;
        if (inf.separated) {
            if ((rc = solve_guarded(&w, 1, err))) goto cleanup;
            inf.margin = sol[k];
            inf.complete = inf.margin > tol;
        }
    }

cleanup:
    if (info) *info = inf;
    free(scale);
    free(sol);
    free(rowidx);
    free(sign);
    free(ind);
    free(val);
    return rc;
}

int df_separation_lp(const df_design *d, int *direction, int *separated,
                     dyadfit_error *err)
{
    df_separation_lp_info info;
    int rc = df_separation_lp_ex(d, 0, 0, direction, NULL, &info, err);
    if (separated) *separated = rc ? 0 : info.separated;
    return rc;
}
