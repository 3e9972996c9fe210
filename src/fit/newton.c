/*
 * newton.c -- the Newton-Raphson driver every estimator shares.
 *
 * Input:  an objective f(beta) -> loglik, gradient g, information H (the
 *         negative Hessian or the expected information, k x k column-major),
 *         a start beta (k), options (maxiter, tol, gradtol, maxhalve).
 * Output: beta at the maximum, status (loglik, iterations, converged,
 *         max |g_j| at the end, a message when it stopped early).
 *
 * Method: step d = H^-1 g by Cholesky (dpotrf/dpotrs). When H is not
 * positive definite (flat or concave-up directions, e.g. under separation)
 * a ridge lambda * diag(H) + tiny is added, growing by 10 until Cholesky
 * succeeds (Levenberg-Marquardt); when even that fails the step is the
 * gradient. The step is halved while the objective reports a domain error
 * or the log-likelihood falls; the full step is evaluated with gradient and
 * information (it is usually accepted), the halved trials with the
 * log-likelihood alone, and a halved step that is accepted once more in
 * full, so no k x k information is formed for a rejected trial.
 * Convergence: relative change in the log-likelihood below tol AND max |g_j| below gradtol, both measured in the
 * parameterisation the objective works in (estimators scale their columns,
 * so this is a scaled gradient). Once both hold, one more full Newton step
 * is taken when it does not lower the log-likelihood: near the optimum
 * Newton converges quadratically, so this "polish" brings beta to machine
 * precision for the price of one pass, which is what lets us match R/Stata
 * to 9+ digits even when the stopping rule is loose. With
 * o->polish_info the polish evaluation also forms the information, so an
 * estimator whose objective remembers its last evaluation can skip its own
 * final pass when the polish step was accepted (glm.c does).
 *
 * Reaching maxiter is not an error: converged = 0 and a message. The
 * caller's interrupt callback is polled before each iteration's step; when
 * it asks to stop, the driver returns DYADFIT_ERR_INTERRUPTED.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fit.h"
#include "../util/util.h"
#include "../util/lapack.h"

/* Trials of an iteration that ask for the gradient and information along
 * with the log-likelihood (the full step); later trials ask for the
 * log-likelihood alone. */
#define NEWTON_FULL_TRIALS 1

void df_newton_defaults(df_newton_opts *o)
{
    memset(o, 0, sizeof *o);     /* every field, polish_info included */
    o->maxiter = 100;
    o->tol = 1e-10;
    o->gradtol = 1e-6;
    o->maxhalve = 50;
}

static double max_abs(const double *g, size_t k)
{
    double m = 0;
    for (size_t j = 0; j < k; j++)
        if (fabs(g[j]) > m || isnan(g[j])) m = isnan(g[j]) ? NAN : fabs(g[j]);
    return m;
}

/* Solves (H + ridge) d = g. Returns 0 (Newton or ridged Newton step), 1
 * when it fell back to the gradient direction. L is k x k workspace. */
static int newton_step(const double *H, const double *g, size_t k, double *L,
                       double *d, int *ridged)
{
    int ik = (int)k, one = 1, info = 0;
    double lambda = 0, dmax = 0;
    for (size_t j = 0; j < k; j++)
        if (fabs(H[j * k + j]) > dmax) dmax = fabs(H[j * k + j]);
    if (!(dmax > 0) || !isfinite(dmax)) dmax = 1;
    *ridged = 0;
    for (int attempt = 0; attempt < 20; attempt++) {
        memcpy(L, H, k * k * sizeof *L);
        if (lambda > 0)
            for (size_t j = 0; j < k; j++)
                L[j * k + j] += lambda * (fabs(H[j * k + j]) + 1e-12 * dmax);
        dpotrf_("L", &ik, L, &ik, &info);
        if (info == 0) {
            memcpy(d, g, k * sizeof *d);
            dpotrs_("L", &ik, &one, L, &ik, d, &ik, &info);
            if (info == 0) {
                int ok = 1;
                for (size_t j = 0; j < k; j++) ok &= isfinite(d[j]) != 0;
                if (ok) return 0;
            }
        }
        *ridged = 1;
        lambda = lambda == 0 ? 1e-8 : lambda * 10;
    }
    /* gradient ascent, step length scaled by the largest curvature */
    for (size_t j = 0; j < k; j++) d[j] = g[j] / dmax;
    return 1;
}

int df_newton(df_objective f, void *ctx, size_t k, double *beta,
              const df_newton_opts *o, df_newton_status *st,
              dyadfit_error *err)
{
    df_newton_opts def;
    int rc = 0;
    double *g = NULL, *H = NULL, *L = NULL, *d = NULL, *bnew = NULL;
    double *gnew = NULL, *Hnew = NULL;
    if (!o) {
        df_newton_defaults(&def);
        o = &def;
    }
    memset(st, 0, sizeof *st);
    if (k == 0) {
        rc = f(ctx, beta, &st->loglik, NULL, NULL);
        if (rc) {
            rc = df_error(err, DYADFIT_ERR_ESTIM,
                          "log-likelihood cannot be evaluated at the start");
            goto cleanup;
        }
        st->converged = 1;
        goto cleanup;
    }
    g = df_malloc(k, sizeof *g);
    gnew = df_malloc(k, sizeof *gnew);
    d = df_malloc(k, sizeof *d);
    bnew = df_malloc(k, sizeof *bnew);
    H = df_malloc(k * k, sizeof *H);
    Hnew = df_malloc(k * k, sizeof *Hnew);
    L = df_malloc(k * k, sizeof *L);
    if (!g || !gnew || !d || !bnew || !H || !Hnew || !L) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (Newton, k = %zu)", k);
        goto cleanup;
    }

    double ll;
    if (f(ctx, beta, &ll, g, H) || !isfinite(ll)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM,
                      "log-likelihood cannot be evaluated at the start values");
        goto cleanup;
    }
    double ll_prev = -INFINITY;
    int iter = 0, nridge = 0, done = 0;
    for (;;) {
        double gmax = max_abs(g, k);
        int conv = iter > 0 && isfinite(ll_prev) &&
                   fabs(ll - ll_prev) <= o->tol * (fabs(ll) + o->tol) &&
                   gmax <= o->gradtol;
        if (conv || iter >= o->maxiter) {
            if (conv) done = 1;
            break;
        }
        if (df_interrupted()) {
            rc = df_error(err, DYADFIT_ERR_INTERRUPTED, "interrupted by the "
                          "user at iteration %d", iter + 1);
            goto cleanup;
        }
        int ridged = 0;
        int grad_step = newton_step(H, g, k, L, d, &ridged);
        nridge += ridged || grad_step;

        /* step-halving: accept the first step that keeps the objective in
         * its domain and does not lower the log-likelihood (up to rounding
         * noise, which is of order eps * |ll|). The full step asks for the
         * gradient and information with the log-likelihood, since it is
         * usually accepted; once it is rejected, the trials ask for the
         * log-likelihood alone (no k x k information per rejected trial)
         * and the accepted point is evaluated once more in full. */
        double step = 1, llnew = -INFINITY;
        int accepted = 0, have_gh = 0;
        for (int h = 0; h <= o->maxhalve; h++) {
            for (size_t j = 0; j < k; j++) bnew[j] = beta[j] + step * d[j];
            int full = h < NEWTON_FULL_TRIALS;
            if (f(ctx, bnew, &llnew, full ? gnew : NULL, full ? Hnew : NULL) == 0 &&
                isfinite(llnew) && llnew >= ll - 1e-13 * fabs(ll)) {
                accepted = 1;
                have_gh = full;
                break;
            }
            step *= 0.5;
        }
        if (accepted && !have_gh) {
            double llchk;
            if (f(ctx, bnew, &llchk, gnew, Hnew) != 0 || !isfinite(llchk)) {
                accepted = 0;    /* cannot happen for a deterministic f */
            } else {
                llnew = llchk;
            }
        }
        iter++;
        if (!accepted) {
            /* no step improves: either we are at the optimum to rounding
             * precision (then the convergence test decides) or stuck */
            if (fabs(ll - ll_prev) <= o->tol * (fabs(ll) + o->tol) &&
                gmax <= o->gradtol) {
                done = 1;
            } else {
                snprintf(st->message, sizeof st->message,
                         "step-halving failed at iteration %d: the "
                         "log-likelihood does not increase along the "
                         "Newton direction", iter);
            }
            break;
        }
        ll_prev = ll;
        ll = llnew;
        memcpy(beta, bnew, k * sizeof *beta);
        memcpy(g, gnew, k * sizeof *g);
        memcpy(H, Hnew, k * k * sizeof *H);
        if (df_progress_on()) {
            char detail[64];
            snprintf(detail, sizeof detail, "log likelihood %.7g", ll);
            df_progress("fitting", iter, o->maxiter, detail);
        }
    }

    if (done) {
        /* polish: one full Newton step from the converged point */
        int ridged = 0;
        if (newton_step(H, g, k, L, d, &ridged) == 0 && !ridged) {
            double llnew;
            for (size_t j = 0; j < k; j++) bnew[j] = beta[j] + d[j];
            if (f(ctx, bnew, &llnew, gnew, o->polish_info ? Hnew : NULL) == 0 &&
                isfinite(llnew) &&
                llnew >= ll - 1e-13 * fabs(ll)) {
                memcpy(beta, bnew, k * sizeof *beta);
                memcpy(g, gnew, k * sizeof *g);
                ll = llnew;
            }
        }
        st->converged = 1;
    } else if (!st->message[0]) {
        snprintf(st->message, sizeof st->message,
                 "no convergence after %d iterations (log-likelihood %.10g, "
                 "change %.3g, max |gradient| %.3g)%s", iter, ll,
                 fabs(ll - ll_prev), max_abs(g, k),
                 nridge ? "; information not positive definite on some "
                          "iterations (ridge added)" : "");
    }
    st->loglik = ll;
    st->iterations = iter;
    st->max_gradient = max_abs(g, k);

cleanup:
    free(g);
    free(gnew);
    free(d);
    free(bnew);
    free(H);
    free(Hnew);
    free(L);
    return rc;
}

int df_newton_diverges(df_objective f, void *ctx, size_t k, const double *theta,
                       const df_newton_opts *o, double *probe)
{
    df_newton_opts po = *o;
    df_newton_status ps;
    dyadfit_error perr;
    po.maxiter = 5;
    po.tol = -1; /* never "converges": take the 5 steps */
    memcpy(probe, theta, k * sizeof *probe);
    if (df_newton(f, ctx, k, probe, &po, &ps, &perr) != 0) return 0;
    for (size_t j = 0; j < k; j++)
        if (fabs(probe[j] - theta[j]) > 0.1) return 1;
    return 0;
}
